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

from tasks.enrich.stance import Evidence
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
    where = f" on port {' to '.join(ports)}" if ports and ports != ["0"] else ""
    if re.search(r"protocol\s*=\s*\"?(?:-1|all)\"?\s*$", block.group(0), re.M):  # ports 0-0 with -1: all traffic
        where = " on every port and protocol (`protocol = -1`)"
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


_HCL_KEY = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*(=|\{)", re.M)


# the resource an S3 fix adds -> the bucket's own block that did the same before AWS provider 4.0
_INLINE = {"aws_s3_bucket_versioning": "versioning", "aws_s3_bucket_logging": "logging",
           "aws_s3_bucket_server_side_encryption_configuration": "server_side_encryption_configuration"}


# bucket settings that AWS provider 3.75+/4.0 also takes from a resource of their own (aws_s3_bucket_acl ...), which
# Checkov reads with the bucket: a bucket block without them does not mean the provider's default applies
BUCKET_COMPANIONS = {"acl", "grant", "policy", "versioning", "logging", "server_side_encryption_configuration", "website",
                     "cors_rule", "lifecycle_rule", "replication_configuration", "object_lock_configuration",
                     "acceleration_status", "request_payer"}


# what AWS does when a Terraform resource leaves the attribute out (provider and service defaults)
_DEFAULTS = {
    "storage_encrypted": "the storage is not encrypted (the default is false)",
    "iam_database_authentication_enabled": "only database passwords log in (the default is false)",
    "enabled_cloudwatch_logs_exports": "no database log is exported to CloudWatch",
    "metadata_options": "IMDSv1 answers without a session token unless the AMI (Amazon Linux 2023 AMIs do) or the "
                        "account's instance-metadata defaults require IMDSv2",
    "root_block_device": "the root volume is encrypted only if the account turned on EBS encryption by default or the "
                         "AMI's snapshot is encrypted",
    "publicly_accessible": "the database gets no public address (the default is false)",
    "multi_az": "the database runs in one availability zone",
}


# what a container gets when its securityContext leaves the key out (Kubernetes and runtime defaults)
_K8S_DEFAULT = {
    "allowPrivilegeEscalation": "defaults to true, so a setuid binary in the image can raise the process's privileges",
    "readOnlyRootFilesystem": "defaults to false, so whoever gets code running in it can drop tools and change the files its user owns",
    "drop": "keeps the runtime's default capabilities (NET_RAW among them with Docker and containerd)",
    "runAsNonRoot": "is unset, so the container runs as the image's user, root unless the image names another",
}


def manifest_setting(f: Finding, remediation: str):
    """What the flagged Kubernetes workload leaves out for the setting the fix adds (from the whole manifest)."""
    block = re.search(r"```yaml\n(.*?)```", remediation or "", re.S)
    snippet = f.snippet or ""
    whole = f.tool == "checkov" and re.search(r"^kind:", snippet, re.M) and re.search(r"^spec:", snippet, re.M)
    container = f.tool == "trivy" and re.search(r"^\s*-?\s*image:", snippet, re.M) and re.search(r"^\s*-?\s*name:", snippet, re.M)
    if not block or not (whole or container):
        return None  # not the whole manifest (Checkov) or the container's own lines (Trivy): absence cannot be claimed
    key = next((k for k in _K8S_DEFAULT if re.search(rf"^\s*{k}:", block.group(1), re.M)), None)
    if key is None or re.search(rf"^\s*{key}:", snippet, re.M):
        return None
    name = re.search(r"^\s*-\s*name:\s*(\S+)", block.group(1), re.M) or (
        container and re.search(r"^\s*-?\s*name:\s*['\"]?([\w.-]+)", snippet, re.M))  # Trivy: the container's own lines
    if not name and whole:  # a pod-level block: the manifest's only container, when it has one
        from tasks.fixes.checkov_facts import containers

        only = containers(snippet)
        name = re.match(r"(.+)", only[0]) if len(only) == 1 else None
    from tasks.triage.built_images import container_image, main_image

    image = (container_image(snippet, name.group(1)) if name else None) or (main_image(snippet) if not name or container else None)
    who = (f"container `{name.group(1)}`" if name else "the pod") + (f" (image {image})" if image else "")
    where = "sets no securityContext" if "securityContext" not in snippet else "has no `" + key + "` in its securityContext"
    if key == "runAsNonRoot" and re.search(r"(?m)^\s*runAsUser:\s*['\"]?0['\"]?\s*$", snippet):
        return Evidence("config", f"{who} has no `runAsNonRoot` and the manifest sets `runAsUser: 0`, so it runs as root "
                                  "whatever user the image names")
    setting = "capabilities.drop" if key == "drop" else key
    return Evidence("config", f"{who} {where}: {setting} {_K8S_DEFAULT[key]}")


def dockerfile_setting(f: Finding):
    """CKV_DOCKER_4: the ADD line and what ADD does that COPY does not; CKV_DOCKER_3: a whole Dockerfile without USER."""
    snippet, rule, line = f.snippet or "", str(f.rule_id), f.line
    add = re.search(r"^\s*ADD\s+(\S+)\s+\S+.*$", snippet, re.M)
    if rule == "CKV_DOCKER_4" and add and not re.search(r"https?://|\.(?:tar|tgz|gz|bz2|xz)\b", add.group(0)):
        return Evidence("config", f"line {line} ADDs the local file {add.group(1)} (`{add.group(0).strip()[:70]}`), where "
                                  "COPY does the same without ADD's URL fetching and archive unpacking")
    lines = snippet.rstrip().splitlines()
    instructions = [l for l in lines if l.strip() and not l.lstrip().startswith("#")]  # a licence header comes first
    if rule == "CKV_DOCKER_3" and (f.line or 1) == 1 and instructions and re.match(r"(?i)FROM\s", instructions[0]) \
            and not re.search(r"(?im)^\s*USER\s", snippet):
        first = f.line or 1
        return Evidence("config", f"no line of the Dockerfile (lines {first}-{first + len(lines) - 1}) sets USER, so the container runs as "
                                  "the base image's user, root unless that image names another")
    return None


def config_setting(f: Finding | dict, remediation: str) -> Evidence | None:
    """What the flagged Terraform resource sets for the attribute the fix changes (from its own code)."""
    f = as_finding(f)
    if "```yaml" in (remediation or ""):
        return manifest_setting(f, remediation)
    if "```dockerfile" in (remediation or ""):
        return dockerfile_setting(f)
    held = re.search(r"\(resource ([\w.-]+), which sets `([^`]+)` for ([\w.-]+)\)", remediation or "")
    if held:  # the fix changes the resource that holds the setting (tasks.fixes.iac_file): that is the evidence
        return Evidence("config", f"{held.group(3)} takes `{held.group(2)}` from {held.group(1)}")
    own = re.search(r"(\S+) already has a public access block, (\S+) \(([^)]+)\), but it leaves blocking off \(([^)]+)\)",
                    remediation or "")
    if own:  # the block is there with its flags off (tasks.fixes.s3_exposure): those values are the evidence
        return Evidence("config", f"{own.group(1)} has a public access block, {own.group(2)} ({own.group(3)}), that sets "
                                  f"{own.group(4)}")
    every = re.search(r"The ingress rule at (line \d+ of \S+) lets every protocol and port in from the internet", remediation or "")
    resource = re.search(r"\(resource ([^,)]+)", f.description or "")
    if every and resource:  # tasks.fixes.iac_file.all_ports: the rule, not one port, is the evidence
        return Evidence("config", f"{resource.group(1)} lets every protocol and port in from 0.0.0.0/0 (the ingress "
                                  f"rule at {every.group(1)}, `protocol = -1`)")
    public = re.search(r"^(\S+) is the security group of the internet-facing load balancer (\S+) \(([^)]+)\)", remediation or "")
    if public:  # the open port is the public's way in: the row decides with the load balancer, not the setting
        return Evidence("config", f"{public.group(1)} guards the internet-facing load balancer {public.group(2)} "
                                  f"({public.group(3)}): port 80 is how the public reaches the site, so the fix is HTTPS, not a closed port")
    block = re.search(r"```hcl\n(.*?)```", remediation or "", re.S)
    snippet = f.snippet or ""
    resource = re.search(r"\(resource ([^,)]+)", f.description or "")
    if not block or not snippet.strip() or not resource:
        return None
    keys = [k for k, _ in _HCL_KEY.findall(block.group(1))]
    if not keys:
        return None
    key = keys[0]
    wanted = re.search(rf"^\s*{re.escape(key)}\s*=\s*(.+?)\s*$", block.group(1), re.M)
    lines = snippet.splitlines()
    added = re.match(r'\s*resource\s+"(\w+)"', block.group(1))
    if added:  # the fix adds a resource of its own: no line of this one is the evidence (its name is not)
        whole = lines and lines[-1].rstrip().endswith("}") and lines[0].lstrip().startswith("resource ")
        inline = _INLINE.get(added.group(1))
        if not whole or (inline and re.search(rf"^\s*{inline}\s*\{{", snippet, re.M)):
            return None
        return Evidence("config", f"Checkov found no `{added.group(1)}` resource attached to {resource.group(1)} with the "
                        "setting on"
                        + (f", and the bucket has no inline `{inline}` block" if inline else ""))
    start = (f.location.start_line if f.location else None) or None
    first = 0
    if f.tool == "checkov":
        from tasks.enrich.iac_reach import open_ingress

        ingress = open_ingress(snippet, str(f.rule_id))
        first = snippet[:ingress.start()].count("\n") if ingress else 0  # the rule for the check's own port
    for i, line in enumerate(lines[first:], first):
        m = re.match(rf"^\s*{re.escape(key)}\s*(=\s*(.+)|\{{)\s*$", line)
        if m:
            at = f" (line {start + i})" if start else ""
            value = (m.group(2) or "").strip()
            if value in ("[", "{"):  # a list or map over several lines: quote it whole, not its opening bracket
                rest = "".join(l.strip() for l in lines[i + 1:i + 6])
                value = value + rest[:rest.find("]" if value == "[" else "}") + 1] if ("]" if value == "[" else "}") in rest else ""
            if not value:
                return None  # a nested block is there: which of its settings fails is not shown by one line
            if wanted and value == wanted.group(1):
                return Evidence("benign", f"{resource.group(1)} already sets `{key}`{at}, so the check fails for "
                                          "another reason than this attribute")
            return Evidence("config", f"{resource.group(1)} sets `{key} = {value}`{at}")
    if lines and lines[-1].rstrip().endswith("}") and lines[0].lstrip().startswith("resource "):  # the whole resource is shown
        if re.match(r'\s*resource\s+"aws_s3_bucket"', lines[0]) and key in BUCKET_COMPANIONS:
            return None  # a separate aws_s3_bucket_* resource may set it (aws_s3_bucket_acl): absence here proves nothing
        return Evidence("config", f"{resource.group(1)} sets no `{key}`, so " + _DEFAULTS.get(key, "the provider's default applies"))
    return None
