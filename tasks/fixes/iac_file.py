"""What the whole Terraform file says about a Checkov finding's fix (``code["file"]``, from ``source.repo_path``).

Checkov reads a bucket together with the resources that configure it: a
public ACL it reports on ``aws_s3_bucket.dev`` may be set by
``aws_s3_bucket_acl.dev`` elsewhere in the file.  The fix then belongs in
that resource (``acl = "public-read"`` -> ``"private"``); an inline ``acl``
on the bucket would fight it on every apply.  And the standalone S3
resources a fix adds exist only from AWS provider 3.75.0 (4.0, backported):
where the file pins the provider, the caveat says what that pin allows
instead of a general sentence.  Without the file nothing here applies and
the fix says less (tasks.fixes.checkov_facts refuses what it cannot tell).

May import: ``tasks.core``, ``tasks.findings``, ``tasks.fixes.iac_refs``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding
from tasks.fixes.iac_refs import aws_pin, companion, split_note

# check -> the companion resource that holds its setting for a bucket, and the values that fail it
_HELD_BY = {"CKV_AWS_20": ("aws_s3_bucket_acl", "acl", ('"public-read"', '"public-read-write"'))}
# check -> the bucket's inline block that does the same before AWS provider 3.75.0
_INLINE = {"CKV_AWS_18": "a `logging` block", "CKV_AWS_19": "a `server_side_encryption_configuration` block",
           "CKV_AWS_21": "`versioning { enabled = true }`"}


def from_file(rule: str, resource: str | None, text: str | None, f: Finding) -> dict | None:
    """{"resource", "snippet", "where", "res"} of the companion resource that sets the failing value, or None."""
    held = _HELD_BY.get(rule)
    if not held or not text or not resource or resource.count(".") < 1:
        return None
    rtype, name = resource.split(".")[-2:]
    found = companion(text, held[0], rtype, name)
    if not found:
        return None
    cname, line, block, attrs = found
    value = attrs.get(held[1], "").strip()
    if value not in held[2]:
        return None  # the companion sets something else (grants, a variable): which part fails is not shown
    end = line + block.count("\n")
    return {"resource": f"{held[0]}.{cname}", "snippet": block, "where": f"{f.path}:{line}-{end}",
            "res": f" (resource {held[0]}.{cname}, which sets `{held[1]} = {value}` for {resource})"}


def caveat(rule: str, text: str | None, file_text: str | None) -> str:
    """The check's caveat line ("" for none), its provider sentence fitted to the file's AWS provider pin."""
    text = text or ""
    inline = _INLINE.get(rule)
    note = split_note(aws_pin(file_text), inline) if inline and file_text and "instead." in text else None
    if note is not None:
        text = " ".join(p for p in (note, text.split("instead.", 1)[1].strip()) if p)
    return text + "\n" if text else ""


# Checkov's port checks whose fix narrows the ingress rule's source range
_PORT_CHECKS = {"CKV_AWS_24": 22, "CKV_AWS_25": 3389, "CKV_AWS_260": 80}


def _covers(block: str, port: int) -> bool:
    """Whether an ingress block lets ``port`` in: all traffic, or a TCP/UDP range holding it (0-0 counts as all,
    as Checkov reads it); an ICMP rule has no ports."""
    proto = re.search(r'^\s*protocol\s*=\s*"?([\w-]+)"?\s*$', block, re.M)
    if proto and proto.group(1).lower() in ("-1", "all"):
        return True
    if proto and proto.group(1).lower() in ("icmp", "icmpv6", "1", "58"):
        return False
    lo, hi = (re.search(rf"{k}_port\s*=\s*(\d+)", block) for k in ("from", "to"))
    return bool(lo and hi) and (int(lo.group(1)) <= port <= int(hi.group(1)) or int(lo.group(1)) == int(hi.group(1)) == 0)


def ingress_rule(rule: str, f: Finding) -> tuple[str, str] | str | None:
    """For a port check on a security group with several rules: (" the ingress rule at line N of", note) naming the rule
    open to the internet whose source the fix narrows, a reason when the fix cannot be written, or None."""
    snippet = f.snippet or ""
    if rule not in _PORT_CHECKS or not snippet.lstrip().startswith('resource "aws_security_group"'):
        return None
    opened = [m for m in re.finditer(r"^[ \t]*ingress\s*\{[^{}]*\}", snippet, re.M)
              if re.search(r'"(?:0\.0\.0\.0/0|::/0)"', m.group(0)) and _covers(m.group(0), _PORT_CHECKS[rule])]
    if not opened and snippet.rstrip().endswith("}") and not re.search(r'^\s*ingress\s*=|dynamic\s+"ingress"', snippet, re.M):
        return f"no ingress rule shown lets port {_PORT_CHECKS[rule]} in from the internet (an ICMP rule has no ports)"
    if len(opened) != 1:
        return None if not opened else "several ingress rules are open to the internet: which one the check means is not told"
    block = opened[0].group(0)
    if not re.search(r'^\s*cidr_blocks\s*=.*"0\.0\.0\.0/0"', block, re.M):
        return "the rule is open to ::/0 (ipv6_cidr_blocks): the fix is an IPv6 range of its own"
    line = (f.line or 0) + snippet[:opened[0].start()].count("\n") if f.line else None
    note = ("The rule allows every protocol and port (`protocol = -1`): a narrower source still reaches all of them, so "
            "replace it with rules for the ports the instance serves." if re.search(r'^\s*protocol\s*=\s*"?-1"?\s*$',
                                                                                    block, re.M) else "")
    return (f" the ingress rule at line {line} of" if line else " the ingress rule open to 0.0.0.0/0 in"), note
