"""A Checkov finding on a Terraform module's setting that a ``dynamic`` block sets safely by default.

terraform-aws-modules write nested blocks as ``dynamic "domain_endpoint_options" { for_each =
length(var.domain_endpoint_options) > 0 ? [var.domain_endpoint_options] : []; content { enforce_https =
try(domain_endpoint_options.value.enforce_https, true) } }`` with the variable defaulting to ``{enforce_https =
true, ...}``.  Checkov does not evaluate ``try()`` over a dynamic block's iterator, so CKV_AWS_83 (HTTPS),
CKV_AWS_228 (TLS 1.2) and CKV2_AWS_52 (fine-grained access control) fail on the resource although the module,
called with its defaults, sets each safely; both blind labellers of held-out set 31 called all three false
positives.  The check reads the resource's own block: the setting's ``try()`` fallback must be the safe value,
and the variable that feeds ``for_each`` must default to a non-empty map whose own value for the setting, if
it has one, is safe too.  A caller can still pass an unsafe value; the evidence says so.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import as_finding
from tasks.repository.source import finding_lines

# rule -> (block, attribute, safe value as written in HCL, what it means)
_RULES = {
    "CKV_AWS_83": ("domain_endpoint_options", "enforce_https", r"true", "HTTPS is enforced"),
    "CKV_AWS_228": ("domain_endpoint_options", "tls_security_policy", r'"Policy-Min-TLS-1-2-[\w-]+"', "TLS 1.2 is the minimum"),
    "CKV2_AWS_52": ("advanced_security_options", "enabled", r"true", "fine-grained access control is on"),
    "CKV_AWS_5": ("encrypt_at_rest", "enabled", r"true", "data at rest is encrypted"),
    "CKV_AWS_6": ("node_to_node_encryption", "enabled", r"true", "node-to-node traffic is encrypted"),
}


def _block_end(lines: list[str], start: int) -> int:
    depth = 0
    for i in range(start, len(lines)):
        depth += lines[i].count("{") - lines[i].count("}")
        if depth <= 0 and i > start:
            return i
    return len(lines) - 1


def _variable_default(lines: list[str], name: str) -> tuple[int, str] | None:
    """(line, text of the ``default = {...}`` map) of ``variable "name"`` in a variables file's lines."""
    for i, line in enumerate(lines):
        if re.match(rf'\s*variable\s+"{re.escape(name)}"\s*\{{', line):
            end = _block_end(lines, i)
            for j in range(i, end + 1):
                if re.match(r"\s*default\s*=", lines[j]):
                    text = "".join(lines[j:_block_end(lines, j) + 1]) if "{" in lines[j] else lines[j]
                    return j + 1, text
            return None
    return None


def check_dynamic_default(f, reader) -> dict | None:
    f = as_finding(f)
    rule = _RULES.get(str(f.rule_id).upper())
    loc = f.location
    if rule is None or f.tool != "checkov" or loc is None or not loc.start_line or not str(loc.path).endswith(".tf"):
        return None
    block, attr, safe, meaning = rule
    lines = finding_lines(reader, f)
    start = loc.start_line - 1
    if not lines or start >= len(lines) or not re.match(r'\s*resource\s+"', lines[start]):
        return None
    end = _block_end(lines, start)
    head = next((i for i in range(start, end) if re.match(rf'\s*dynamic\s+"{block}"\s*\{{', lines[i])), None)
    if head is None:
        return None
    stop = _block_end(lines, head)
    feed = next((re.search(r"var\.(\w+)", lines[i]) for i in range(head, stop) if "for_each" in lines[i]), None)
    setting = next(((i, m) for i in range(head, stop) for m in [re.match(
        rf"\s*{attr}\s*=\s*try\(\s*{block}\.value\.{attr}\s*,\s*(.+?)\s*\)\s*$", lines[i])] if m), None)
    if feed is None or setting is None or not re.fullmatch(safe, setting[1].group(1)):
        return None
    folder = str(loc.path).rpartition("/")[0]
    found = None
    for name in ("variables.tf", loc.path.rpartition("/")[2]):
        path = f"{folder}/{name}" if folder else name
        found = _variable_default(finding_lines(reader, f, path), feed.group(1))
        if found:
            break
    if not found or not re.search(r"=\s*\{\s*[^\s}]", found[1]):  # no default, or an empty map: no block at all
        return None
    own = re.search(rf"(?m)^\s*{attr}\s*=\s*(.+?)\s*$", found[1])
    if own and not re.fullmatch(safe, own.group(1)):
        return None
    return {"check": "code", "status": "safe_default",
            "evidence": (f"the module sets {block}.{attr} in a dynamic block as `try({block}.value.{attr}, "
                         f"{setting[1].group(1)})` ({loc.path}:{setting[0] + 1}), and var.{feed.group(1)} defaults to a "
                         f"map {'that sets it the same way' if own else 'that leaves it to that fallback'} ({path}:{found[0]}): "
                         f"called with its defaults, {meaning}; Checkov does not evaluate try() in a dynamic block. A "
                         "caller that passes another value turns it off")}
