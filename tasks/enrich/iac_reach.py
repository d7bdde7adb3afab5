"""Who reaches a misconfigured Terraform resource, read from the resource's own code.

A Checkov finding says which setting is missing; a reviewer says what that
exposes in *this* resource: the instance role IMDSv1 hands out, the
security groups that still guard a "publicly accessible" database, the
whole internet behind ``0.0.0.0/0``, the public bucket's address.  Each
sentence rests on an attribute quoted from the snippet; a resource that
does not show it gets nothing (the analysis says less).
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding

_RESOURCE = re.compile(r"\(resource ([^,)]+)")


def _attr(snippet: str, name: str) -> str | None:
    m = re.search(rf"^\s*{re.escape(name)}\s*=\s*(.+?)\s*$", snippet, re.M)
    return m.group(1) if m else None


def _imds(f: Finding, snippet: str, resource: str) -> str | None:
    profile = _attr(snippet, "iam_instance_profile")
    if not profile or re.search(r"http_tokens\s*=\s*\"required\"", snippet):
        return None
    return (f"{resource} runs with the instance profile `{profile}`: while IMDSv1 answers without a session token, one "
            "server-side request forgery in anything on the instance (a GET to "
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/) returns that role's temporary keys.")


def _public_db(f: Finding, snippet: str, resource: str) -> str | None:
    if (_attr(snippet, "publicly_accessible") or "").strip('"') != "true":
        return None
    groups = _attr(snippet, "vpc_security_group_ids")
    guard = f" the security groups in `vpc_security_group_ids = {groups}`" if groups else " its security groups"
    return (f"With `publicly_accessible = true`, {resource}'s endpoint resolves to a public IP address; who can connect "
            f"is then decided only by{guard} and whether its subnets route to an internet gateway.")


# the port each Checkov security-group check is about (CKV_AWS_277: any port)
CHECK_PORT = {"CKV_AWS_24": 22, "CKV_AWS_25": 3389, "CKV_AWS_260": 80}


def open_ingress(snippet: str, rule: str):
    """The ingress block open to the internet that the check is about (its port within from_port..to_port, or
    all ports), as a regex match on the snippet; None when the snippet shows no such block."""
    port = CHECK_PORT.get(rule)
    for block in re.finditer(r"ingress\s*\{[^{}]*\"(?:0\.0\.0\.0/0|::/0)\"[^{}]*\}", snippet):  # egress to anywhere is normal
        lo = re.search(r"from_port\s*=\s*(\d+)", block.group(0))
        hi = re.search(r"to_port\s*=\s*(\d+)", block.group(0))
        every = re.search(r"protocol\s*=\s*\"(?:-1|all)\"", block.group(0))
        if port is None or every or (lo and hi and int(lo.group(1)) <= port <= int(hi.group(1))) \
                or (lo and hi and int(lo.group(1)) == int(hi.group(1)) == 0):
            return block
    return None


def _open_cidr(f: Finding, snippet: str, resource: str) -> str | None:
    block = open_ingress(snippet, str(f.rule_id))
    if not block:
        return None
    ports = sorted(set(re.findall(r"(?:from|to)_port\s*=\s*(\d+)", block.group(0))), key=int)
    where = f" on port {' to '.join(ports)}" if ports else ""
    return (f"{resource} lets in `0.0.0.0/0`{where}: every address on the internet, including the scanners that probe "
            "cloud ranges within minutes of a port opening.")


def _public_bucket(f: Finding, snippet: str, resource: str) -> str | None:
    acl = (_attr(snippet, "acl") or "").strip('"')
    if acl not in ("public-read", "public-read-write", "website"):
        return None
    write = " and write" if acl == "public-read-write" else ""
    return (f"{resource} has `acl = \"{acl}\"`: anyone on the internet can list and read{write} its objects without "
            "credentials.")


_CHECKS = (
    (re.compile(r"^CKV_AWS_79$"), _imds),
    (re.compile(r"^CKV_AWS_17$"), _public_db),
    (re.compile(r"^CKV_AWS_(?:24|25|260|277)$"), _open_cidr),
    (re.compile(r"^CKV_AWS_(?:20|57)$"), _public_bucket),
)


def terraform_reach(f: Finding | dict) -> str | None:
    """One sentence on who reaches this resource, from its own attributes; None when the code does not say."""
    f = as_finding(f)
    resource = _RESOURCE.search(f.description or "")
    snippet = f.snippet or ""
    if f.tool != "checkov" or not resource or not snippet.lstrip().startswith("resource "):
        return None
    for rule, check in _CHECKS:
        if rule.match(str(f.rule_id)):
            return check(f, snippet, resource.group(1))
    return None
