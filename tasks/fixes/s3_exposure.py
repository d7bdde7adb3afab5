"""Every way a Terraform file makes one S3 bucket public, so a fix to one of them says what else keeps it public.

A blind review found two S3 fixes wrong for the same reason: they read one
resource and not the file.  ``acl = "private"`` on ``aws_s3_bucket_acl.dev``
was sold as closing the bucket while ``aws_s3_bucket_policy`` still granted
``s3:GetObject`` to Principal ``*`` and every object was uploaded
``public-read``; and a new ``aws_s3_bucket_public_access_block`` was
proposed for a bucket that already had one with every setting off (a second
resource of that address is a "Duplicate resource" error: the fix is
flipping the flags of the one there).  Here the file is read once for the
bucket: its bucket policy (Principal ``*`` in an Allow statement, inline or
through an ``aws_iam_policy_document``), its ACL resource, the objects
uploaded with a public ACL, its public access block and the account's.
The HCL is read with tree-sitter (tasks.fixes.iac_refs).

May import: ``tasks.core``, ``tasks.findings``, ``tasks.fixes.iac_refs``.
"""

from __future__ import annotations

import re

from tasks.fixes.iac_refs import _label, _parse, attributes

_PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


def blocks(text: str) -> list:
    """(kind, type, name, body node, first line) of every top-level block (resource, data ...)."""
    tree = _parse(text or "")
    top = next((k for k in tree.root_node.children if k.type == "body"), None) if tree is not None else None
    out = []  # (a file that opens with a comment has the comment, then the body, as the root's children)
    for node in top.children if top is not None else []:
        if node.type != "block" or node.has_error:
            continue
        labels = [_label(k) for k in node.children if k.type in ("string_lit", "identifier")]
        body = next((k for k in node.children if k.type == "body"), None)
        if len(labels) >= 3 and body is not None:
            out.append((labels[0], labels[1], labels[2], body, node.start_point[0] + 1))
    return out


def nested(body, name: str) -> list:
    """The nested blocks ``name { ... }`` of a body (their body nodes), a ``dynamic "name"``'s ``content`` too."""
    out = []
    for node in body.children if body else []:
        if node.type == "block":
            labels = [_label(k) for k in node.children if k.type in ("string_lit", "identifier")]
            inner = next((k for k in node.children if k.type == "body"), None)
            if labels[:1] == [name] and inner is not None:
                out.append(inner)
            elif labels[:2] == ["dynamic", name] and inner is not None:
                out += nested(inner, "content")
    return out


def public_policy(all_blocks, body) -> str | None:
    """Where a bucket policy allows everyone (Principal ``*`` in an Allow statement): "" for its own text,
    ``data.aws_iam_policy_document.X (line N)`` for the document it names; None when it does not, or cannot be told."""
    expr = attributes(body).get("policy", "")
    m = re.match(r"data\.aws_iam_policy_document\.([\w-]+)\.json$", expr.strip())
    if m:
        doc = next(((b, line) for kind, t, n, b, line in all_blocks
                    if (kind, t, n) == ("data", "aws_iam_policy_document", m.group(1))), None)
        for st in nested(doc[0], "statement") if doc is not None else []:
            if attributes(st).get("effect", '"Allow"').strip('"') != "Allow":
                continue
            if any(re.search(r'"\*"', attributes(p).get("identifiers", "")) for p in nested(st, "principals")):
                return f"data.aws_iam_policy_document.{m.group(1)} (line {doc[1]})"
        return None
    text = body.text.decode()
    public = (re.search(r"(?i)\"?Principal\"?\s*[:=]\s*(?:\"\*\"|\{\s*\"?AWS\"?\s*[:=]\s*\"\*\")", text)
              and re.search(r"(?i)\"?Effect\"?\s*[:=]\s*\"Allow\"", text) and not re.search(r"(?i)\"Deny\"", text))
    return "" if public else None


def refers(expr: str, rtype: str, name: str) -> bool:
    return re.search(rf"\b{re.escape(rtype)}\.{re.escape(name)}\b(?:\[[^\]]*\])?\.", (expr or "") + ".") is not None


def exposure(text: str | None, resource: str | None) -> dict | None:
    """What the file does to the bucket ``resource`` (``module.x.aws_s3_bucket.dev`` or ``aws_s3_bucket.dev``):
    {"policies": [(address, line, document)], "objects": [(address, line)], "acls": [(address, line, value)],
    "block": (address, line, {flag: value}) | None, "account": (address, line, {flag: value}) | None};
    None when the bucket's own block is not in the file."""
    parts = (resource or "").split(".")
    if len(parts) < 2 or parts[-2] != "aws_s3_bucket" or not text:
        return None
    rtype, name = parts[-2], re.sub(r"\[.*$", "", parts[-1])
    found = blocks(text)
    if not any((kind, t, n) == ("resource", rtype, name) for kind, t, n, _, _ in found):
        return None
    own = next(b for kind, t, n, b, _ in found if (kind, t, n) == ("resource", rtype, name))
    out = {"policies": [], "objects": [], "acls": [], "block": None, "account": None, "other": []}
    acl = attributes(own).get("acl", "").strip()
    if (acl and acl.strip('"') not in ("private", "log-delivery-write", "bucket-owner-full-control")) or \
            nested(own, "grant") or nested(own, "website") or attributes(own).get("policy"):
        out["other"].append(f"{rtype}.{name}")  # its own block grants something, or may: a variable, a website
    for kind, t, n, body, line in found:
        if kind != "resource":
            continue
        a = attributes(body)
        mine = refers(a.get("bucket", ""), rtype, name)
        if t in ("aws_s3_bucket_policy", "aws_s3_bucket_website_configuration", "aws_s3_bucket_cors_configuration") \
                and mine:
            out["other"].append(f"{t}.{n}")
        if t == "aws_s3_bucket_policy" and mine:
            doc = public_policy(found, body)
            if doc is not None:
                out["policies"].append((f"{t}.{n}", line, doc))
        elif t in ("aws_s3_object", "aws_s3_bucket_object") and mine and a.get("acl", "").strip('"') in _PUBLIC_ACLS:
            out["objects"].append((f"{t}.{n}", line))
        elif t == "aws_s3_bucket_acl" and mine and "acl" in a:
            out["acls"].append((f"{t}.{n}", line, a["acl"].strip()))
        elif t == "aws_s3_bucket_public_access_block" and mine:
            out["block"] = (f"{t}.{n}", line, {k: a.get(k, "").strip() for k in FLAGS})
        elif t == "aws_s3_account_public_access_block":
            out["account"] = (f"{t}.{n}", line, {k: a.get(k, "").strip() for k in FLAGS})
    return out


def closed(text: str | None, resource: str | None) -> bool:
    """Whether nothing in the file makes the bucket public or may: no bucket policy, website, grant, public or
    variable ACL (its own or a companion's), no object uploaded with a public ACL."""
    ex = exposure(text, resource)
    return bool(ex) and not (ex["other"] or ex["policies"] or ex["objects"]) and \
        all(v.strip('"') in ("private", "log-delivery-write", "bucket-owner-full-control") for _, _, v in ex["acls"])


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def other_grants(text: str | None, resource: str | None, acl_fixed: bool = True) -> str:
    """The sentence a bucket-ACL fix needs when the file keeps the bucket public another way ("" when it does not):
    a bucket policy for Principal ``*``, objects uploaded with a public ACL."""
    ex = exposure(text, resource)
    if not ex or not (ex["policies"] or ex["objects"]):
        return ""
    said = []
    for address, line, doc in ex["policies"][:2]:
        said.append(f"{address} (line {line}) allows Principal `*`" + (f" through {doc}" if doc else ""))
    if ex["objects"]:
        said.append(f"{_names([f'{a} (line {line})' for a, line in ex['objects'][:3]])} upload objects with a public ACL")
    block = ex["block"]
    where = f" in {block[0]} (line {block[1]})" if block else " in an aws_s3_bucket_public_access_block for it"
    if ex["policies"]:
        objects = " and drop the objects' `acl`" if ex["objects"] else ""
        flags = "`restrict_public_buckets` and `ignore_public_acls`" if ex["objects"] else "`restrict_public_buckets`"
        todo = (f"Remove the public statement from the policy (or name the principals that need access){objects}, or set "
                f"{flags} to true{where}, which makes S3 disregard {'both' if ex['objects'] else 'it'}; until then the "
                "bucket stays readable by anyone.")
    else:
        todo = (f"Drop the objects' `acl` (or set `ignore_public_acls` to true{where}); until then those objects stay "
                "readable by anyone.")
    return ("Changing the ACL alone does not close the bucket: " if acl_fixed else "") + "; ".join(said) + ". " + todo


def existing_block(text: str | None, resource: str | None, path: str, rule: str) -> dict | None:
    """CKV2_AWS_6 on a bucket that already has a public access block: {"answer"} that turns its settings on where it
    is, with what the change makes fail at apply; {"why"} when it cannot be told; None when the file has none."""
    ex = exposure(text, resource)
    if not ex or not ex["block"]:
        return None
    address, line, flags = ex["block"]
    off = [k for k in FLAGS if flags.get(k) != "true"]
    if not off:
        return {"why": f"{address} (line {line}) already turns every setting on: why {rule} fails is not in the file"}
    if any(flags.get(k) not in ("", "false", "true") for k in off):
        return {"why": f"{address} (line {line}) sets its flags from expressions: their values are not in the file"}
    shown = ", ".join(f"`{k} = {flags[k] or 'unset'}`" for k in off)
    lines = "\n".join(f"{k:<23} = true" for k in FLAGS)
    text_ = (f"{resource} already has a public access block, {address} ({path}:{line}), but it leaves blocking off "
             f"({shown}). Turn the settings on in that resource, not in a new one (a second "
             f"aws_s3_bucket_public_access_block for the bucket would fight it, or duplicate its address):\n```hcl\n{lines}\n```\n")
    fails = [f"{a} (line {n}, `acl = {v}`)" for a, n, v in ex["acls"] if v.strip('"') in _PUBLIC_ACLS]
    fails += [f"{a} (line {n})" for a, n in ex["objects"]]
    if fails:
        text_ += (f"With `block_public_acls` S3 rejects every request that sets a public ACL, so creating or updating "
                  f"{_names(fails)} fails: make their ACL private (or drop it) in the same change. ")
    if ex["policies"]:
        text_ += (f"With `block_public_policy` S3 rejects a public bucket policy, so creating or updating "
                  f"{_names([f'{a} (line {n})' for a, n, _ in ex['policies']])} fails: remove its statement for "
                  "Principal `*` in the same change. ")
    text_ += ("Whatever the bucket serves to the public (a website, public downloads) stops being served.\n"
              f"Then re-run checkov to confirm {rule} passes.")
    return {"answer": text_}
