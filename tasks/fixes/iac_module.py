"""What the rest of the Terraform module says about a fix that adds something: a resource or a variable.

A held-out review found two Terraform fixes that could not be merged.  One
added ``aws_s3_bucket_versioning.this`` to a module whose main.tf already
declares it (line 206, created only when ``var.versioning`` is set):
``terraform init`` stops on "Duplicate resource", and the real fix is the
module's input.  The other added a required ``variable "access_log_bucket"``
(no default) to a root module that no caller can give a value: every plan
stops.  So the fix is read against the whole file and the other ``.tf``
files of its folder (``code["module"]``, tasks.datasets.sources): a
resource of the same type and name, or one that already configures the
flagged bucket, turns the answer into "set the module's input" or into no
row; a variable is used when the module declares it, and a log bucket the
module already has is named instead of a new variable; otherwise no row.

May import: ``tasks.core``, ``tasks.findings``, ``tasks.fixes.iac_refs``.
"""

from __future__ import annotations

import re

from tasks.fixes.iac_refs import _resources, attributes


def _files(path: str | None, text: str | None, module: str | None) -> list[tuple[str, str]]:
    """(file name, text) of the flagged file and of the module's other files (``# file: NAME`` heads them)."""
    out = [(path or "this file", text)] if text else []
    for part in re.split(r"(?m)^# file: ", module or "")[1:]:
        name, _, body = part.partition("\n")
        out.append((name.strip(), body))
    return out


def _refers(expr: str, rtype: str, name: str) -> bool:
    return re.match(rf"^{re.escape(rtype)}\.{re.escape(name)}(?:\[[^\]]*\])?\.(?:id|bucket)$", expr.strip()) is not None


def existing_resource(rule: str, setting: str, resource: str | None, path: str | None, text: str | None,
                      module: str | None) -> tuple[str | None, str] | None:
    """None when the resource the fix adds is new to the module; else (answer or None, reason): the module already
    declares it (same type and name, or one of that type for the flagged bucket)."""
    added = re.match(r'\s*resource\s+"(\w+)"\s+"([\w-]+)"', setting or "")
    parts = (resource or "").split(".")
    if not added or len(parts) < 2:
        return None
    kind, new = added.groups()
    rtype, name = parts[-2], parts[-1]
    for fname, body_text in _files(path, text, module):
        for t, n, body, line, _ in _resources(body_text):
            a = attributes(body)
            if t != kind or not (n == new or _refers(a.get("bucket", ""), rtype, name)):
                continue
            where = f"{fname}:{line}"
            cond = a.get("count") or a.get("for_each") or ""
            inputs = sorted(set(re.findall(r"\bvar\.(\w+)", cond)))
            if not inputs:
                return None, (f"{where} already declares {kind}.{n}: a second one is a duplicate resource, and the check "
                              "fails for another reason than its absence")
            caller = f"module \"{parts[1]}\"" if parts[0] == "module" and len(parts) > 3 else None
            key = "count" if "count" in a else "for_each"
            named = ", ".join(f"`{v}`" for v in inputs)
            answer = (f"Do not add a second {kind}: {where} already declares {kind}.{n} for {rtype}.{name}, created only "
                      f"when its `{key} = {cond}` holds. Checkov reports the bucket because that condition is false in "
                      f"the configuration it evaluated" + (f" ({caller})" if caller else "") + ": set the module's "
                      f"inputs so that it holds (it reads {named})" + (f", in the {caller} block that calls this module" if caller
                                                            else " where the module is called") +
                      f" (read the variable's description for its shape). A second {kind} resource would stop "
                      f"`terraform init` with \"Duplicate resource\".\nThen re-run checkov to confirm {rule} passes.")
            return answer, f"the module already declares {kind}.{n}"
    return None


# a bucket the module already has for access logs: its ACL or policy lets S3 log delivery write to it
_LOG_TARGET = re.compile(r'log-delivery-write|logging\.s3\.amazonaws\.com')


def _log_bucket(files, rtype: str, name: str) -> str | None:
    """``aws_s3_bucket.X.id`` of the one other bucket of the module that receives access logs; None otherwise."""
    found = set()
    for _, body_text in files:
        for t, n, body, _, block in _resources(body_text):
            a = attributes(body)
            if t == "aws_s3_bucket" and n != name and _LOG_TARGET.search(a.get("acl", "")):
                found.add(n)
            elif t in ("aws_s3_bucket_acl", "aws_s3_bucket_policy") and _LOG_TARGET.search(block):
                m = re.match(r"^aws_s3_bucket\.([\w-]+)\.(?:id|bucket)$", a.get("bucket", "").strip())
                if m and m.group(1) != name:
                    found.add(m.group(1))
    if len(found) != 1:
        return None
    return f"aws_s3_bucket.{found.pop()}.id"


NO_DEFAULT = ("the setting needs a value this module does not have (the bucket that receives the logs, a private subnet), "
              "and a new variable without a default would stop every plan and every caller of the module: give the "
              "module that value first (an existing bucket or subnet it can reference, or a variable with a value every "
              "caller sets), then turn the setting on")
# checks whose new variable has no value a fix can give it (a bucket, a subnet): without one the row is not written
NO_SAFE_DEFAULT = ("CKV_AWS_18", "CKV2_AWS_17")


def variable(rule: str, setting: str, extra: tuple[str, str] | None, resource: str | None, path: str | None,
             text: str | None, module: str | None) -> tuple[str, tuple[str, str] | None] | str:
    """(setting, extra declaration or None) with the variable the fix names resolved against the module, or why no row
    is written: a required input with no default breaks every caller of the module (and a root module's plan)."""
    if not extra:
        return setting, extra
    declared = re.match(r'variable "(\w+)"', extra[1])
    if not declared:
        return setting, extra
    var = declared.group(1)
    files = _files(path, text, module)
    pattern = re.escape(var).replace(re.escape("{name}"), r"[\w-]+")
    if any(re.search(rf'(?m)^\s*variable\s+"{pattern}"', t) for _, t in files):
        return setting, None  # the module declares it already: the fix uses it as it is
    if rule not in NO_SAFE_DEFAULT:
        return setting, extra
    parts = (resource or "").split(".")
    target = _log_bucket(files, *parts[-2:]) if rule == "CKV_AWS_18" and len(parts) >= 2 else None
    if target:
        return setting.replace(f"var.{var}", target), None
    return NO_DEFAULT


_SNAPSHOTS = {"aws_db_snapshot": "db_instance_identifier", "aws_db_cluster_snapshot": "db_cluster_identifier"}


def snapshot_of(resource: str | None, path: str | None, text: str | None, module: str | None) -> str | None:
    """"aws_db_snapshot.X (file:line)" when the module snapshots the flagged database, else None: a snapshot encrypted
    with the default aws/rds key cannot be shared with another account or made public (only a customer-managed key
    can be granted to another account), so ``storage_encrypted = true`` alone breaks a configuration that shares it."""
    parts = (resource or "").split(".")
    if len(parts) < 2:
        return None
    rtype, name = parts[-2:]
    ref = re.compile(rf"^{re.escape(rtype)}\.{re.escape(name)}(?:\[[^\]]*\])?\.(?:id|identifier|cluster_identifier)$")
    for fname, body_text in _files(path, text, module):
        for t, n, body, line, _ in _resources(body_text):
            if t in _SNAPSHOTS and ref.match(attributes(body).get(_SNAPSHOTS[t], "").strip()):
                return f"`{t}.{n}` ({fname}:{line})"
    return None


SNAPSHOT_SHARING = ("{snap} snapshots this database. A snapshot encrypted with the default `aws/rds` key cannot be shared "
                    "with another AWS account or made public (`modify-db-snapshot-attribute --attribute-name restore` "
                    "fails)")
SNAPSHOT_KEY = ("If the snapshot of this database that {snap} takes is shared with another account, the default "
                "`aws/rds` key cannot be used (a snapshot under it cannot be shared): set `storage_encrypted = true` with "
                "`kms_key_id` naming a customer-managed key whose key policy lets each receiving account use it "
                "(kms:Decrypt, kms:DescribeKey, kms:CreateGrant). If it stays in this account, `storage_encrypted = true` "
                "alone is enough. Either way the change re-creates the database")

# reasons for no setting that say something true about this configuration (the stage-1 analysis keeps them)
SAID_REASONS = (NO_DEFAULT[:40], "is shared with another account, the default")


_ASSIGN = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*=\s*(.+?)\s*$")


def passthrough(setting: str, snippet: str | None, path: str | None, module: str | None) -> str | None:
    """The answer when the flagged block takes the setting from the module's input (``x = var.x``), else None.

    Writing the literal over ``var.x`` in a reusable module silently ignores every caller's value (an example that
    sets ``storage_encrypted = false`` because SQL Server Express cannot encrypt) and, for attributes that force a
    new resource, replaces every caller's instance on upgrade; the value the check saw is a caller's, so the fix is
    the caller's input, and the module's default says whether the module itself is safe."""
    first = next((l for l in setting.splitlines() if l.strip() and not l.strip().startswith("#")), "")
    m = _ASSIGN.match(first)
    if not m or not snippet:
        return None
    attr, value = m.group(1), m.group(2)
    held = re.search(rf"(?m)^\s*{re.escape(attr)}\s*=\s*(var|local)\.([\w-]+)\s*$", snippet)
    if not held:
        return None
    kind, name = held.group(1), held.group(2)
    if kind == "local":
        return (f"{path or 'This file'} sets `{attr} = local.{name}`: the value comes from the module's locals, so change "
                f"what `local.{name}` is built from rather than writing `{attr} = {value}` over it.")
    default = None
    for _, body in _files(path, None, module):
        d = re.search(rf'(?s)variable\s+"{re.escape(name)}"\s*\{{(.*?)\n\}}', body)
        if d:
            dv = re.search(r"(?m)^\s*default\s*=\s*(.+?)\s*$", d.group(1))
            default = dv.group(1) if dv else "none (the caller must set it)"
            break
    safe = default is not None and default.strip().lower() == value.strip().lower()
    return (f"{path or 'This module'} sets `{attr} = var.{name}`: the module passes the value through from its caller"
            + (f", and the variable's default is already `{default}`" if safe else
               f" (default: `{default}`)" if default else "")
            + f". The check saw a caller's value. Set it where the module is called:\n```hcl\n{name} = {value}\n```\n"
            + ("Keep the module as it is: writing the literal over the variable would override every caller's choice "
               "(and, for a setting that forces a new resource, replace their instances on upgrade)."
               if safe else f"Consider making `{value}` the variable's default in the module's variables.tf."))
