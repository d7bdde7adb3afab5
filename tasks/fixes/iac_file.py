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

May import: ``tasks.core``, ``tasks.findings``, ``tasks.fixes.iac_refs``, ``tasks.fixes.s3_exposure``,
``tasks.fixes.checkov`` (the catalogue's port settings).
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding
from tasks.fixes.iac_refs import _resources, attributes, aws_pin, companion, split_note
from tasks.fixes.s3_exposure import closed, existing_block, exposure, other_grants

# check -> the companion resource that holds its setting for a bucket, and the values that fail it
_HELD_BY = {"CKV_AWS_20": ("aws_s3_bucket_acl", "acl", ('"public-read"', '"public-read-write"'))}
# checks whose fix makes the bucket's ACL private
_ACL_CHECKS = ("CKV_AWS_20",)
# check -> the bucket's inline block that does the same before AWS provider 3.75.0
_INLINE = {"CKV_AWS_18": "a `logging` block", "CKV_AWS_19": "a `server_side_encryption_configuration` block",
           "CKV_AWS_21": "`versioning { enabled = true }`"}


def from_file(rule: str, resource: str | None, text: str | None, f: Finding) -> dict | None:
    """{"resource", "snippet", "where", "res"} of the companion resource that sets the failing value, {"answer"} for
    port 80 of a public load balancer, or None."""
    public = load_balancer(rule, resource, text, f)
    if public:
        return {"answer": public}
    if rule == "CKV2_AWS_6":  # the bucket has a block already: its flags are the fix, not a second resource
        return existing_block(text, resource, f.path, rule)
    every = all_ports(rule, resource, f)
    if every and not _serves_port(f.snippet or "", rule, resource):  # a VPC endpoint's group: port 22 alone breaks it
        return {"answer": None, "why": "the group guards a VPC endpoint, which serves HTTPS (443) to the VPC: a rule for "
                                      "this check's port alone would cut it off; narrow the rule to 443 from the VPC's CIDR"}
    if every:
        return {"answer": every}
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


def caveat(rule: str, text: str | None, file_text: str | None, resource: str | None = None) -> str:
    """The check's caveat line ("" for none), its provider sentence fitted to the file's AWS provider pin; for a
    bucket ACL fix, what else in the file keeps the bucket public (tasks.fixes.s3_exposure)."""
    text = text or ""
    grants = other_grants(file_text, resource) if rule in _ACL_CHECKS else ""
    if grants:  # the bucket stays public through its policy or its objects: "goes offline" would be false
        text = grants + (" Once nothing grants public access, " + text[0].lower() + text[1:] if text else "")
    if rule == "CKV2_AWS_6" and closed(file_text, resource):  # "stops serving public objects" would be about nothing
        text = (f"Nothing in this file makes {resource} public (no public ACL, bucket policy, website or object uploaded "
                "with a public ACL), so the block changes nothing that works today and keeps a later grant from opening "
                "it; a grant made outside this file (another module, the console) would stop working.")
    account = (exposure(file_text, resource) or {}).get("account") if rule == "CKV2_AWS_6" else None
    if account and all(account[2].get(k) == "true" for k in ("block_public_acls", "block_public_policy",
                                                               "ignore_public_acls", "restrict_public_buckets")):
        text = (f"{account[0]} (line {account[1]}) already blocks public access for every bucket of the account this "
                "configuration is applied to; the bucket's own block keeps it closed should that setting change. " + text)
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


def ingress_rule(rule: str, f: Finding, at: str, fitted: tuple[str, str] | str) -> tuple[str, str, str] | str:
    """(setting, note, place) of a fitted fix, for a port check on a security group the place naming the ingress rule
    open to the internet whose source the fix narrows (its line); a reason when no fix can be written."""
    if isinstance(fitted, str):
        return fitted
    named = _ingress_rule(rule, f)
    if isinstance(named, str) or named is None:
        return named if named else (fitted[0], fitted[1], at)
    note = " ".join(n for n in (named[1], fitted[1]) if n)
    return fitted[0], note, " in" + (named[0] + at[3:] if at.startswith(" in ") else named[0].rsplit(" ", 1)[0])


def _ingress_rule(rule: str, f: Finding) -> tuple[str, str] | str | None:
    """(" the ingress rule at line N of", note), a reason when the fix cannot be written, or None (not a port check)."""
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


_SERVICE = {22: "SSH", 3389: "RDP", 80: "HTTP"}


def _serves_port(snippet: str, rule: str, resource: str | None) -> bool:
    """False for a group that guards a VPC endpoint (its name, description or resource says so): an interface
    endpoint serves HTTPS to the VPC, so a rule for the check's port (22, 3389, 80) alone would cut it off."""
    said = " ".join(re.findall(r'^\s*(?:name|description)\s*=\s*"([^"]*)"', snippet, re.M)) + " " + (resource or "")
    return not re.search(r"(?i)endpoint", said)


def all_ports(rule: str, resource: str | None, f: Finding) -> str | None:
    """A port check on a security group whose one rule open to the internet lets every protocol and port in
    (``protocol = -1``): narrowing that rule's source still opens every port to the new range, and a web server's
    "keep port 80" does not apply, so the answer replaces the rule with one per port, this check's port first."""
    snippet = f.snippet or ""
    if rule not in _PORT_CHECKS or not snippet.lstrip().startswith('resource "aws_security_group"'):
        return None
    port = _PORT_CHECKS[rule]
    opened = [m for m in re.finditer(r"^[ \t]*ingress\s*\{[^{}]*\}", snippet, re.M)
              if re.search(r'"(?:0\.0\.0\.0/0|::/0)"', m.group(0)) and _covers(m.group(0), port)]
    if len(opened) != 1 or not re.search(r'^\s*protocol\s*=\s*"?(?:-1|all)"?\s*$', opened[0].group(0), re.M | re.I):
        return None
    from tasks.fixes.checkov import CHECKS, EXTRA

    var = re.search(r"var\.(\w+)", CHECKS[rule][2])
    if not var or rule not in EXTRA:
        return None
    at = f"line {(f.line or 0) + snippet[:opened[0].start()].count(chr(10))} of {f.path}" if f.line else f.path
    block = (f'ingress {{\n  from_port   = {port}\n  to_port     = {port}\n  protocol    = "tcp"\n'
             f"  cidr_blocks = [var.{var.group(1)}]\n}}")
    return (f"The ingress rule at {at} lets every protocol and port in from the internet (`protocol = -1`): port {port} "
            f"({_SERVICE[port]}) is one of them, and a narrower source for that rule would still open every port to it. "
            f"Replace the rule with one ingress rule per port the instances behind {resource or 'the group'} serve, each "
            f"from the networks that need it; for port {port}:\n```hcl\n{block}\n```\n{EXTRA[rule][0]}\n```hcl\n"
            f"{EXTRA[rule][1]}\n```\n" + ("A public web server keeps ports 80 and 443 open to 0.0.0.0/0 instead and "
                                           "answers plain HTTP only with a redirect to HTTPS.\n" if port == 80 else "")
            + f"Then re-run {f.tool} to confirm {rule} passes.")


_LB_TYPES = ("aws_lb", "aws_alb")
_LISTENERS = ("aws_lb_listener", "aws_alb_listener")


def load_balancer(rule: str, resource: str | None, text: str | None, f: Finding) -> str | None:
    """CKV_AWS_260 on the security group of an internet-facing load balancer whose port-80 listener the file shows:
    the port is how the public reaches the site, so the answer keeps it and makes the listener redirect to HTTPS."""
    if rule != "CKV_AWS_260" or not text or not resource or ".aws_security_group." not in f".{resource}":
        return None
    name = resource.split(".")[-1]
    group = re.compile(rf"\baws_security_group\.{re.escape(name)}\.id\b")
    lbs = [(t, n, line) for t, n, body, line, _ in _resources(text) if t in _LB_TYPES
           and group.search(attributes(body).get("security_groups", ""))
           and attributes(body).get("internal", "false").strip('"') == "false"
           and attributes(body).get("load_balancer_type", '"application"').strip('"') == "application"]
    if len(lbs) != 1:
        return None
    lb_type, lb, lb_line = lbs[0]
    arn = re.compile(rf"^{lb_type}\.{re.escape(lb)}\.(?:arn|id)$")
    listeners = [(t, n, line) for t, n, body, line, _ in _resources(text) if t in _LISTENERS
                 and arn.match(attributes(body).get("load_balancer_arn", "").strip())
                 and attributes(body).get("port", "").strip('"') == "80"
                 and attributes(body).get("protocol", '"HTTP"').strip('"') == "HTTP"]
    if len(listeners) != 1:
        return None
    l_type, listener, l_line = listeners[0]
    return (f"{resource} is the security group of the internet-facing load balancer {lb_type}.{lb} ({f.path}:{lb_line}): "
            "port 80 open to 0.0.0.0/0 is how the public reaches the site, so closing it takes the site offline. Keep "
            f"the rule and stop serving plain HTTP on it: once an HTTPS listener on 443 (with an ACM certificate, and an "
            f"ingress rule for 443 in this group) forwards to the targets, replace the default_action of the port-80 "
            f"listener {l_type}.{listener} ({f.path}:{l_line}) with a redirect:\n```hcl\ndefault_action {{\n"
            '  type = "redirect"\n  redirect {\n    port        = "443"\n    protocol    = "HTTPS"\n'
            '    status_code = "HTTP_301"\n  }\n}\n```\n'
            f"Checkov still reports {rule} for the open port: record it as accepted in the security group "
            f"(`#checkov:skip={rule}:public load balancer, port 80 redirects to HTTPS`).")


_BUILD_STEP = re.compile(r"^\s*(?:RUN|COPY|ADD)\b", re.I)
_START = re.compile(r"^\s*(?:CMD|ENTRYPOINT)\b", re.I)


def _instruction_end(lines: list[str], i: int) -> int:
    """Index of the last line of the instruction starting at ``lines[i]``: its backslash continuations (comment and
    blank lines inside them included) and a heredoc's body (set 24: a USER "after line 391" split `RUN chmod ... \\`
    from its `&& gosu ...` line and broke the build)."""
    heredoc = re.search(r"<<-?\s*['\"]?(\w+)['\"]?", lines[i])
    if heredoc:
        return next((k for k in range(i + 1, len(lines)) if lines[k].strip() == heredoc.group(1)), len(lines) - 1)
    k = i
    while k + 1 < len(lines) and (lines[k].rstrip().endswith("\\") or (k > i and not lines[k].strip()) or (
            k > i and lines[k].lstrip().startswith("#"))):
        k += 1
    return k


def after_build_steps(text: str | None, line: int | None, path: str | None) -> str | None:
    """Where a non-root USER goes when the flagged `USER root` (CKV_DOCKER_8, the last USER is root) is followed by
    build steps of the same stage: after the last of them, so they still run as root (a `pip install` under USER
    10001 fails the build), and before CMD/ENTRYPOINT.  None when nothing follows the flagged line."""
    if not text or not line:
        return None
    lines = text.splitlines()
    stage_end = next((i for i in range(line, len(lines)) if re.match(r"^\s*FROM\s", lines[i], re.I)), len(lines))
    steps = [i for i in range(line, stage_end) if _BUILD_STEP.match(lines[i])]
    if not steps:
        return None
    end = _instruction_end(lines, steps[-1])
    return (f" in {path} after line {end + 1}, the end of the stage's last build step (the `USER root` at line {line} stays, so "
            "the steps after it still run as root; the new USER must be the stage's last one, before CMD/ENTRYPOINT)")


def wider_than(snippet: str | None, port: int) -> str | None:
    """"0-65535" when the one port range a rule's code shows (``from_port``/``to_port``) spans more than ``port``,
    or it allows every protocol (``protocol = -1``); None for exactly that port, or when the range is not shown once."""
    text = snippet or ""
    lows, highs = re.findall(r"(?m)^\s*from_port\s*=\s*(\d+)\s*$", text), re.findall(r"(?m)^\s*to_port\s*=\s*(\d+)\s*$", text)
    if re.search(r'(?m)^\s*protocol\s*=\s*"?(?:-1|all)"?\s*$', text):
        return "of every protocol (protocol -1)"
    if len(lows) != 1 or len(highs) != 1:
        return None
    lo, hi = int(lows[0]), int(highs[0])
    return None if lo == hi == port or not lo <= port <= hi else f"{lo}-{hi}"
