"""Check 2d: a Checkov port check on a security-group rule whose protocol has no ports (ICMP).

CKV_AWS_24 (22), CKV_AWS_25 (3389), CKV_AWS_260 (80) and their kin read
``from_port``/``to_port`` and treat ``0``-``0`` as "every port".  For an
ICMP rule (``protocol = "icmp"``, ``"icmpv6"``, or their numbers 1 and 58)
those two fields are the ICMP type and code: the rule opens no TCP or UDP
port at all, so the check's port is not reachable through it and the
finding is a false positive (a held-out review found a Terraform
"icmp_to_all" group flagged for SSH, RDP and HTTP).  ``protocol = "-1"``
(all traffic) does open every port, so it stays a finding.

Only the rule's own lines decide: every ingress open to the internet in the
resource Checkov shows (its ``code_block``) must be ICMP; a resource that
is not shown whole, or any TCP/UDP/all-protocol rule open to the internet,
leaves the finding as it is.  The evidence quotes the protocol line.

May import: ``tasks.core``, ``tasks.findings``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding

# Checkov checks about one TCP/UDP port (or a port list) open to the internet
PORT_CHECKS = {"CKV_AWS_24": "22", "CKV_AWS_25": "3389", "CKV_AWS_260": "80", "CKV_AWS_277": "range (all ports)"}
_NO_PORTS = {"icmp", "icmpv6", "1", "58"}
_OPEN = re.compile(r"\"(?:0\.0\.0\.0/0|::/0)\"")
# resources that are one rule themselves (their attributes are the rule's)
_RULE_RESOURCES = ("aws_security_group_rule", "aws_vpc_security_group_ingress_rule")


def at_line(f: Finding, snippet: str, at: int) -> str:
    """" (line N)" for the character ``at`` of the finding's snippet (which starts on the finding's line); "" when
    the report gives no line."""
    return f" (line {f.line + snippet[:at].count(chr(10))})" if f.line else ""


def _blocks(snippet: str) -> list[tuple[str, int]] | None:
    """(text, offset in the snippet) of each ingress rule in the resource shown; None when it is not shown whole."""
    head = re.match(r'\s*resource\s+"(\w+)"\s+"[\w-]+"\s*\{', snippet)
    if not head or not snippet.rstrip().endswith("}"):
        return None
    if head.group(1) in _RULE_RESOURCES:
        if head.group(1) == "aws_security_group_rule" and not re.search(r'^\s*type\s*=\s*"ingress"', snippet, re.M):
            return []
        return [(snippet, 0)]
    if head.group(1) != "aws_security_group":
        return None
    out = []
    for m in re.finditer(r"^\s*ingress\s*\{[^{}]*\}", snippet, re.M):
        out.append((m.group(0), m.start()))
    if re.search(r"^\s*ingress\s*=", snippet, re.M) or re.search(r"dynamic\s+\"ingress\"", snippet):
        return None  # rules as a list expression or a dynamic block: not readable line by line
    return out


def icmp_only(f: Finding | dict) -> str | None:
    """Why the port check cannot hold when every internet-open ingress rule of the flagged resource is ICMP, else None."""
    f = as_finding(f)
    port = PORT_CHECKS.get(str(f.rule_id or "").upper())
    if str(f.tool or "").lower() != "checkov" or port is None:
        return None
    blocks = _blocks(f.snippet or "")
    if not blocks:
        return None
    open_blocks = [(b, at) for b, at in blocks if _OPEN.search(b)]
    if not open_blocks:
        return None
    quoted = []
    for block, at in open_blocks:
        m = re.search(r'^\s*(?:ip_)?protocol\s*=\s*"?([\w-]+)"?\s*$', block, re.M)
        if not m or m.group(1).lower() not in _NO_PORTS:
            return None  # a TCP, UDP or all-traffic rule open to the internet: the check can be right
        quoted.append(f"`{m.group(0).strip()}`" + at_line(f, f.snippet or "", at + m.start(1)))
    return (f"every ingress rule of the resource open to the internet is ICMP ({', '.join(quoted)}); ICMP has no ports "
            f"(from_port/to_port hold the ICMP type and code), so the rule opens no TCP or UDP port and {f.rule_id}'s "
            f"port {port} cannot be reached through it")


_FROM_VARIABLE = re.compile(r'^\s*(?:ipv6_)?cidr_blocks\s*=\s*(\[?\s*(?:var|local)\.[\w-]+(?:\[[^\]]*\])?\s*\]?)\s*$', re.M)


def range_from_variable(f: Finding | dict) -> str | None:
    """Why a port check's "open to the internet" is not in the code, when no ingress rule of the flagged resource
    names 0.0.0.0/0 or ::/0 and one takes its range from a variable (``cidr_blocks = var.cg_whitelist``): Checkov
    cannot see the value the variable gets where the configuration is applied; else None."""
    f = as_finding(f)
    if str(f.tool or "").lower() != "checkov" or str(f.rule_id or "").upper() not in PORT_CHECKS:
        return None
    blocks = _blocks(f.snippet or "")
    if not blocks or any(_OPEN.search(b) for b, _ in blocks):
        return None
    for block, at in blocks:
        m = _FROM_VARIABLE.search(block)
        if m:
            return (f"no ingress rule of the resource names 0.0.0.0/0: the allowed range is `{m.group(0).strip()}`"
                    + at_line(f, f.snippet or "", at + m.start(1)) + ", a value set where the configuration is applied, which "
                    f"{f.rule_id} cannot see; whether port {PORT_CHECKS[str(f.rule_id).upper()]} is open to the internet "
                    "depends on it")
    return None
