"""What the whole Terraform file shows about a Checkov finding's resource: the "In this configuration" section.

A blind review found the stage-1 Terraform analyses to be catalogue text
with the resource name filled in (two rows of the same rule read alike with
the names swapped).  A reviewer instead says what the file shows: which
instances a security group guards and which services its port range opens,
the AMI an instance runs and whether it has ``user_data``, what is put into a
bucket and which policy or log delivery depends on it, a database's engine
and where its password comes from.  Each fact here is read from the file
(``code["file"]``, from ``source.repo_path``, tasks.datasets.sources); what
the file does not show is not said.  The HCL is read with tree-sitter
(tasks.fixes.iac_refs).
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.fixes.iac_module import SNAPSHOT_SHARING, snapshot_of
from tasks.fixes.iac_refs import attributes
from tasks.fixes.s3_exposure import blocks as _blocks
from tasks.fixes.s3_exposure import nested as _nested
from tasks.fixes.s3_exposure import public_policy

_RESOURCE = re.compile(r"\(resource ([^,)]+)")
HEADING = "## In this configuration"

# well-known TCP ports a range can open (what a reviewer names: "tcp 21-25 is FTP, SSH, Telnet, SMTP")
_SERVICES = {20: "FTP data", 21: "FTP", 22: "SSH", 23: "Telnet", 25: "SMTP", 53: "DNS", 80: "HTTP", 110: "POP3",
             135: "MS RPC", 139: "NetBIOS", 143: "IMAP", 443: "HTTPS", 445: "SMB", 1433: "SQL Server",
             2049: "NFS", 3306: "MySQL", 3389: "RDP", 5432: "PostgreSQL", 5900: "VNC", 6379: "Redis",
             9200: "Elasticsearch", 11211: "Memcached", 27017: "MongoDB"}


def _refers(expr: str, rtype: str, name: str) -> bool:
    return re.search(rf"\b{re.escape(rtype)}\.{re.escape(name)}\b(?:\[[^\]]*\])?\.", expr or "") is not None


def _others(n: int) -> str:
    return "." if n <= 0 else f" and {n} other port{'s' if n > 1 else ''}."


def _security_group(blocks, rtype, name, body, path) -> list[str]:
    facts = []
    users = [f"{t}.{n} (line {line})" for kind, t, n, b, line in blocks if kind == "resource" and (t, n) != (rtype, name)
             and any(_refers(attributes(b).get(k, ""), rtype, name) for k in ("vpc_security_group_ids", "security_groups"))]
    users += [f"{t}.{n} (line {line})" for kind, t, n, b, line in blocks if kind == "resource"
              and any(_refers(attributes(ni).get("security_groups", ""), rtype, name)
                      for ni in _nested(b, "network_interfaces"))]
    if users:
        facts.append(f"{rtype}.{name} is attached to {', '.join(sorted(set(users))[:4])} in {path}: the open rule "
                     "lets traffic into them.")
    else:
        facts.append(f"No resource in {path} attaches {rtype}.{name} (no `vpc_security_group_ids` or `security_groups` "
                     "names it): what it exposes depends on what other modules attach it to.")
    for rule in _nested(body, "ingress"):
        a = attributes(rule)
        if "0.0.0.0/0" not in a.get("cidr_blocks", "") and "::/0" not in a.get("ipv6_cidr_blocks", ""):
            continue
        try:
            lo, hi = int(a.get("from_port", "")), int(a.get("to_port", ""))
        except ValueError:
            continue
        proto = a.get("protocol", "").strip('"').lower()
        if proto in ("tcp", "6") and 0 < lo < hi:
            named = [f"{_SERVICES[p]} ({p})" for p in sorted(_SERVICES) if lo <= p <= hi]
            if named and hi - lo < 2000:
                facts.append(f"The ingress rule open to the internet covers tcp {lo}-{hi}, not one port: "
                             f"{', '.join(named)}" + _others(hi - lo + 1 - len(named)))
                break
    return facts


def _ami(blocks, ami: str) -> tuple[str, str, str] | None:
    """(data.aws_ami.X (line N), its name filter, its owners) for ``ami = data.aws_ami.X.id``; None otherwise."""
    m = re.match(r"data\.aws_ami\.([\w-]+)\.id$", ami.strip())
    if not m:
        return None
    for kind, t, n, body, line in blocks:
        if kind == "data" and t == "aws_ami" and n == m.group(1):
            names = [attributes(fb).get("values", "") for fb in _nested(body, "filter")
                     if attributes(fb).get("name", "").strip('"') == "name"]
            if names:
                return f"data.aws_ami.{n} (line {line})", names[0], attributes(body).get("owners", "")
    return None


# owners whose AMIs are public (Amazon's, Canonical's account): AWS does not share encrypted AMIs publicly
_PUBLIC_OWNERS = re.compile(r'^\[\s*"(?:amazon|099720109477)"\s*\]$')


def _instance(blocks, rtype, name, body, rule, path) -> list[str]:
    facts, a = [], attributes(body)
    image = _ami(blocks, a.get("ami") or a.get("image_id") or "")
    if image:
        where, named, owners = image
        text = f"{rtype}.{name} runs the AMI that {where} selects: name `{named}`" + (f", owners `{owners}`" if owners else "")
        if rule == "CKV_AWS_79" and re.search(r'"amzn2-', named):
            text += (": Amazon Linux 2, whose AMIs do not require IMDSv2 by themselves (Amazon Linux 2023's do), so "
                     "nothing but `metadata_options` turns IMDSv1 off here")
        elif rule == "CKV_AWS_8" and _PUBLIC_OWNERS.match(owners.strip()):
            text += (": a public image, and AWS does not share encrypted AMIs publicly, so its root snapshot is not "
                     "encrypted and the volume is encrypted only if the instance asks for it or the account turned on "
                     "EBS encryption by default")
        facts.append(text + ".")
    if rule == "CKV_AWS_79":
        if "user_data" in a or "user_data_base64" in a:
            facts.append(f"{rtype}.{name} sets `user_data`: through IMDSv1 anything that can make the instance send a "
                         "plain GET (a server-side request forgery) reads it at http://169.254.169.254/latest/user-data, "
                         "secrets written into it included.")
        else:
            facts.append(f"{rtype}.{name} sets no `user_data` in {path}, so what IMDSv1 gives away is mainly the "
                         "instance's own metadata and the credentials of any instance profile.")
    if rule in ("CKV_AWS_8",):
        disks = [k for k in ("root_block_device", "ebs_block_device") if _nested(body, k)]
        if not disks:
            facts.append(f"{rtype}.{name} declares neither `root_block_device` nor `ebs_block_device` in {path}: its "
                         "only disk is the root volume made from the AMI's snapshot.")
    return facts


def _public_policy(blocks, body) -> bool:
    """The bucket policy allows everyone (Principal ``*`` in an Allow statement); False when that cannot be told."""
    return public_policy(blocks, body) is not None


def _object(t: str, n: str, a: dict) -> str:
    key = a.get("key", "")
    what = f"key {key}" if re.fullmatch(r'"[^"$]*"', key) else (f"source {a['source']}" if "source" in a else "")
    if "for_each" in a:
        what = f"for_each = {a['for_each']}" + (f", {what}" if what else "")
    acl = ", acl " + a["acl"] if "acl" in a else ""
    return f"{t}.{n}" + (f" ({what}{acl})" if what or acl else "")


def _in_ci(body, ci) -> list[str]:
    """What the project's CI workflows do with the bucket: the lines that name it (``s3://name``, ``--bucket name``),
    matched on the literal part of its name (``do-not-delete-state-${account}`` -> ``do-not-delete-state-``)."""
    name = attributes(body).get("bucket", "").strip()
    m = re.match(r'^"([^"$]{6,})(?:\$\{|")', name)
    if not m:
        return []
    named = [(path, n, line) for path, n, line in ci or []
             if re.search(rf"(?:s3://|--bucket\s+){re.escape(m.group(1))}", line)]
    upload = re.compile(rf"\bs3\s+(?:cp|sync|mv)\s+(?!s3://)\S+\s+s3://{re.escape(m.group(1))}")
    named.sort(key=lambda hit: (upload.search(hit[2]) is None, "terraform.tfstate" not in hit[2]))  # a write first
    if not named:
        return []
    path, n, line = named[0]
    quoted = line if len(line) <= 110 else line[:110].rsplit(" ", 1)[0] + " ..."
    if "terraform.tfstate" in line:
        return [f"{path}:{n} {'writes the Terraform state into' if upload.search(line) else 'reads the Terraform state kept in'} it (`{quoted}`): the "
                "state holds the attributes of every resource it manages in plain text, database passwords and keys "
                "among them, so whoever can read this bucket reads them."]
    return [f"{path}:{n} {'uploads into' if upload.search(line) else 'uses'} it in CI (`{quoted}`)."]


def _restricting_block(blocks, rtype, name) -> str | None:
    """The public access block (the bucket's, else the account's) that sets ``restrict_public_buckets = true``,
    as "aws_s3_bucket_public_access_block.X (line N)"; None when none does (or it comes from a variable)."""
    for kind, t, n, b, line in blocks:
        a = attributes(b)
        if kind == "resource" and a.get("restrict_public_buckets", "").strip() == "true" and (
                t == "aws_s3_account_public_access_block"
                or t == "aws_s3_bucket_public_access_block" and _refers(a.get("bucket", "") + ".", rtype, name)):
            return f"{t}.{n} (line {line})"
    return None


def _bucket(blocks, rtype, name, path, ci=None) -> list[str]:
    own = next((b for kind, t, n, b, _ in blocks if (kind, t, n) == ("resource", rtype, name)), None)
    facts = _in_ci(own, ci) if own is not None else []
    objects = [(t, n, attributes(b), line) for kind, t, n, b, line in blocks if kind == "resource"
               and t in ("aws_s3_object", "aws_s3_bucket_object") and _refers(attributes(b).get("bucket", "") + ".", rtype, name)]
    if objects:
        shown = "; ".join(_object(t, n, a) for t, n, a, _ in objects[:2])
        public = any(a.get("acl", "").strip('"') in ("public-read", "public-read-write") for _, _, a, _ in objects)
        facts.append(f"{path} uploads into it: {shown}" + (f" and {len(objects) - 2} more" if len(objects) > 2 else "")
                     + (". Objects uploaded with a public-read ACL are readable by anyone through their own ACL "
                        "whatever the bucket's ACL says: changing the bucket's ACL alone leaves them public, unless "
                        "block-public-access ignores public ACLs." if public else "."))
    for kind, t, n, b, line in blocks:
        a = attributes(b)
        mine = _refers(a.get("bucket", "") + ".", rtype, name)
        if kind != "resource":
            continue
        if t == "aws_s3_bucket_policy" and mine:
            services = sorted(set(re.findall(r'"Service"\s*:\s*"([\w.-]+)"', b.text.decode())))
            restricted = _restricting_block(blocks, rtype, name)
            facts.append(f"aws_s3_bucket_policy.{n} (line {line}) sets its policy" + (
                f", which allows Principal `*`, but {restricted} sets `restrict_public_buckets = true`: S3 then lets "
                "only AWS services and this account's own principals use that public policy, so anonymous and "
                "cross-account callers are refused." if _public_policy(blocks, b) and restricted else
                ", which allows Principal `*`: an ACL change alone does not close the bucket while this policy "
                "grants access to everyone (a public access block with `restrict_public_buckets = true` would)."
                if _public_policy(blocks, b) else
                f", which grants access to the service principal {', '.join(services[:3])}." if services else "."))
        elif t == "aws_cloudtrail" and _refers(a.get("s3_bucket_name", "") + ".", rtype, name):
            facts.append(f"aws_cloudtrail.{n} (line {line}) delivers its trail into it (`s3_bucket_name`): the bucket "
                         "holds that audit record, which whoever can delete or overwrite its objects can erase.")
        elif t == "aws_s3_bucket_acl" and "acl" in a and mine:
            facts.append(f"aws_s3_bucket_acl.{n} (line {line}) gives it `acl = {a['acl']}`.")
    own_acl = attributes(next((b for kind, t, n, b, _ in blocks if (kind, t, n) == ("resource", rtype, name)), None)).get("acl", "")
    targets = [f"{t}.{n}" for kind, t, n, b, _ in blocks if kind == "resource" and any(
        _refers(attributes(lg).get("target_bucket", "") + ".", rtype, name) for lg in _nested(b, "logging"))]
    targets += [f"{t}.{n}" for kind, t, n, b, _ in blocks if kind == "resource" and t == "aws_s3_bucket_logging"
                and _refers(attributes(b).get("target_bucket", "") + ".", rtype, name)]
    if targets or "log-delivery-write" in own_acl:
        who = f" receives the access logs of {', '.join(sorted(set(targets))[:3])}" if targets else " has the `log-delivery-write` ACL"
        facts.append(f"{rtype}.{name}{who}: S3 log delivery must keep write access to it (through the "
                     "`log-delivery-write` ACL, which is not public, or a bucket policy for logging.s3.amazonaws.com), so "
                     "a change that makes it private must keep that access or the logs stop.")
    return facts


def _database(rtype, name, body) -> list[str]:
    a = attributes(body)
    facts = []
    engine = a.get("engine")
    if engine:
        version = a.get("engine_version")
        facts.append(f"{rtype}.{name} runs `engine = {engine}`" + (f", `engine_version = {version}`" if version else "")
                     + (f", `publicly_accessible = {a['publicly_accessible']}`" if "publicly_accessible" in a else "") + ".")
    password = a.get("password")
    if password is not None:
        ref = re.fullmatch(r'"\$\{([^}]+)\}"', password.strip())  # "${var.x}": a reference in old interpolation syntax
        if ref or re.match(r"^(?:var|random_password|data|local|module)\.", password.strip()):
            facts.append(f"The master password of {rtype}.{name} comes from `{(ref.group(1) if ref else password).strip()}`.")
        elif password.strip().startswith('"') and "${" not in password:
            facts.append(f"The master password of {rtype}.{name} is a literal in the file, so it is in the repository's "
                         "history too.")
    elif "manage_master_user_password" in a:
        facts.append(f"The master password of {rtype}.{name} is managed in Secrets Manager (`manage_master_user_password`).")
    return facts


def facts(f: Finding | dict, text: str | None, ci: list | None = None) -> list[str]:
    """1-3 facts the whole file ``text`` shows about the finding's resource; [] when it shows none.  ``ci``: the
    lines of the project's CI workflows that name a bucket (tasks.datasets.sources)."""
    f = as_finding(f)
    m = _RESOURCE.search(f.description or "")
    if f.tool != "checkov" or not text or not m or not str(f.path or "").endswith(".tf"):
        return []
    parts = m.group(1).strip().split(".")
    if len(parts) < 2:
        return []
    rtype, name = parts[-2], parts[-1]
    blocks = _blocks(text)
    body = next((b for kind, t, n, b, _ in blocks if (kind, t, n) == ("resource", rtype, name)), None)
    if body is None:
        return []
    rule, path = str(f.rule_id), f.path
    if rtype == "aws_security_group":
        out = _security_group(blocks, rtype, name, body, path)
    elif rtype in ("aws_instance", "aws_launch_template", "aws_launch_configuration"):
        out = _instance(blocks, rtype, name, body, rule, path)
    elif rtype == "aws_s3_bucket":
        out = _bucket(blocks, rtype, name, path, ci)
    elif rtype in ("aws_db_instance", "aws_rds_cluster"):
        out = _database(rtype, name, body)
        snap = snapshot_of(m.group(1).strip(), path, text, None) if rule == "CKV_AWS_16" else None
        out += [SNAPSHOT_SHARING.format(snap=snap) + "."] if snap else []
    else:
        out = []
    return out[:3]


def add(f: Finding | dict, narrative: dict, code: dict | None) -> dict:
    """``narrative`` with an "In this configuration" section ahead of its other sections, or unchanged."""
    found = facts(f, (code or {}).get("file"), (code or {}).get("ci"))
    if not found:
        return narrative
    section = f"{HEADING}\n" + "\n".join(f"- {x}" for x in found)
    out = dict(narrative)
    text = out.get("narrative")  # (a likely false positive's assessment stays as the triage wrote it)
    if text and HEADING not in text:
        out["narrative"] = f"{section}\n\n{text}"
    return out
