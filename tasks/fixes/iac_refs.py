"""References between Terraform resources in a fix: ``count`` and ``for_each`` instances are indexed.

A fix that adds a companion resource (``aws_s3_bucket_versioning``,
``aws_s3_bucket_public_access_block``...) names the flagged bucket as
``aws_s3_bucket.logging.id``.  When that bucket has ``count`` or
``for_each`` the bare reference is an error ("Missing resource instance
key") and ``terraform validate`` rejects the fix; a held-out review found it
on every counted bucket of a project.  So the flagged resource's own block
(Checkov's ``code_block``) is read: with ``count`` the companion gets the
same count and ``[count.index]``, with ``for_each`` it iterates the
resource's instances (``each.value``); when the block is not shown, no
reference to it is written at all.  The HCL is read with tree-sitter.

May import: ``tasks.core``, ``tasks.findings``.
"""

from __future__ import annotations

import re


def _parse(text: str):
    try:
        from tree_sitter_language_pack import get_parser
    except ImportError:  # pragma: no cover - a dependency of the project
        return None
    return get_parser("hcl").parse(text.encode())


def _label(node) -> str:
    return node.text.decode().strip('"')


def resource_body(text: str, rtype: str, name: str):
    """The tree-sitter body node of ``resource "rtype" "name"`` in ``text``, or None when it is not there whole."""
    tree = _parse(text or "")
    if tree is None:
        return None
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "block":
            kids = node.children
            labels = [_label(k) for k in kids if k.type in ("string_lit", "identifier")]
            if labels[:3] == ["resource", rtype, name]:
                if node.has_error or not any(k.type == "block_end" for k in kids):
                    return None
                return next((k for k in kids if k.type == "body"), False)
        stack.extend(reversed(node.children))
    return None


def attributes(body) -> dict[str, str]:
    """The block's own attributes (not those of nested blocks): name -> expression text."""
    out = {}
    for node in body.children if body else []:
        if node.type == "attribute":
            ident = next((k for k in node.children if k.type == "identifier"), None)
            expr = next((k for k in node.children if k.type == "expression"), None)
            if ident is not None and expr is not None:
                out[ident.text.decode()] = expr.text.decode()
    return out


def repetition(text: str, rtype: str, name: str) -> tuple[str, str] | None | str:
    """("count"|"for_each", expression) when the resource repeats, None when it does not, or a string saying why it
    cannot be told (its block is not in ``text``)."""
    body = resource_body(text, rtype, name)
    if body is None:
        return f"the block of {rtype}.{name} is not in the finding: whether it has count or for_each is unknown"
    attrs = attributes(body) if body else {}
    for key in ("count", "for_each"):
        if key in attrs:
            return key, attrs[key]
    return None


def index_references(block: str, rtype: str, name: str, text: str) -> str | tuple[str, str]:
    """(block with every reference to ``rtype.name`` indexed, note) or why no reference can be written."""
    ref = re.compile(rf"\b{re.escape(rtype)}\.{re.escape(name)}\.")
    if not ref.search(block):
        return block, ""
    rep = repetition(text, rtype, name)
    if isinstance(rep, str):
        return rep
    if rep is None:
        return block, ""
    key, expr = rep
    head = re.match(r'(\s*resource\s+"\w+"\s+"[\w-]+"\s*\{\n)', block)
    if not head:  # a reference inside the flagged resource itself, or an attribute: no instance to name
        return f"{rtype}.{name} has {key}: which instance the setting refers to is not in the finding"
    if key == "count":
        line = f"count = {expr}" if "\n" not in expr else f"count = length({rtype}.{name})"
        body = ref.sub(f"{rtype}.{name}[count.index].", block[head.end():])
        note = (f"{rtype}.{name} has `count`, so the new resource takes the same count and names the instance with "
                "`[count.index]` (a bare reference is an error).")
    else:
        line = f"for_each = {rtype}.{name}"
        body = ref.sub("each.value.", block[head.end():])
        note = (f"{rtype}.{name} has `for_each`, so the new resource iterates its instances (`each.value`; a bare "
                "reference is an error).")
    return head.group(1) + f"  {line}\n\n" + body, note


def _resources(text: str):
    """(type, name, body node, first line 1-based) of every resource block in ``text``."""
    tree = _parse(text or "")
    if tree is None:
        return
    bodies = [c for c in tree.root_node.children if c.type == "body"]  # a leading comment is a sibling of the body
    for node in (child for body in bodies for child in body.children):
        if node.type != "block" or node.has_error:
            continue
        labels = [_label(k) for k in node.children if k.type in ("string_lit", "identifier")]
        body = next((k for k in node.children if k.type == "body"), None)
        if len(labels) >= 3 and labels[0] == "resource" and body is not None:
            yield labels[1], labels[2], body, node.start_point[0] + 1, node.text.decode()


def companion(text: str, kind: str, rtype: str, name: str) -> tuple[str, int, str, dict] | None:
    """The one ``kind`` resource (aws_s3_bucket_acl ...) whose ``bucket`` names ``rtype.name`` in the file:
    (its name, first line, its block, its attributes); None when there is none or more than one."""
    ref = re.compile(rf"^{re.escape(rtype)}\.{re.escape(name)}(?:\[[^\]]*\])?\.(?:id|bucket)$")
    found = [(n, line, block, attributes(body)) for t, n, body, line, block in _resources(text)
             if t == kind and ref.match(attributes(body).get("bucket", "").strip())]
    return found[0] if len(found) == 1 else None


# the first AWS provider release with the standalone S3 resources (4.0.0, backported to 3.75.0)
S3_SPLIT = "3.75.0"


def aws_pin(text: str) -> str | None:
    """The AWS provider version constraint a file's ``required_providers`` sets, or None."""
    block = re.search(r"required_providers\s*\{(.*?)\n\s*\}\s*\n", text or "", re.S)
    m = re.search(r'\baws\s*=\s*\{[^}]*?\bversion\s*=\s*"([^"]+)"', block.group(1), re.S) if block else None
    return m.group(1).strip() if m else None


def _specifier(constraint: str):
    """A Terraform version constraint as a packaging SpecifierSet (``~> 3.27`` is PEP 440's ``~=3.27``)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    parts = []
    for part in constraint.split(","):
        m = re.match(r"^\s*(~>|>=|<=|!=|>|<|=)?\s*v?(\d+(?:\.\d+)*)\s*$", part)
        if not m:
            return None
        op, version = m.group(1) or "=", m.group(2)
        if op == "~>":
            parts.append(f"~={version}" if "." in version else f">={version}")
        else:
            parts.append(("==" if op == "=" else op) + version)
    try:
        return SpecifierSet(",".join(parts))
    except InvalidSpecifier:
        return None


def split_note(constraint: str | None, inline: str) -> str | None:
    """What the file's AWS provider pin means for a standalone S3 resource: None when it cannot be read; "" when every
    allowed version has it; else the sentence to say (raise the pin, or make sure the lock file has 3.75.0+)."""
    spec = _specifier(constraint) if constraint else None
    if spec is None:
        return None
    from packaging.version import Version

    named = re.findall(r"\d+(?:\.\d+)*", constraint)  # the versions the pin names, and the ones just after them
    candidates = {"3.74.0", "3.0.0", "2.70.0", S3_SPLIT, "4.0.0", "5.0.0", "6.0.0"} | set(named) | {f"{v}.1" for v in named}
    admitted = [v for v in candidates if Version(v) in spec]
    newer = [v for v in admitted if Version(v) >= Version(S3_SPLIT)]
    older = [v for v in admitted if Version(v) < Version(S3_SPLIT)]
    if not newer:
        return (f"The file pins the AWS provider to `{constraint}`, which has no release with this resource (it needs "
                f"{S3_SPLIT} or later): raise the pin, or put {inline} inside the bucket instead.")
    if older:
        return (f"The file pins the AWS provider to `{constraint}`, which also allows releases before {S3_SPLIT} that lack "
                f"this resource: make sure .terraform.lock.hcl holds {S3_SPLIT} or later (`terraform init -upgrade`), or "
                f"put {inline} inside the bucket instead.")
    return ""
