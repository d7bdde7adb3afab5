"""A Terraform setting as a diff of the flagged resource block.

Why: "set this in main.tf:1-41" with a loose ``storage_encrypted = true``
leaves the reader to find where the line goes and whether the resource
already has it (then it is a changed value, not a new line).  Where the
report or the source reader gives the resource block itself, the setting is
placed in it: an argument the block already has gets the new value on its
own line, a missing argument or nested block goes in as the first lines of
the block, at the block's indentation.  The result is a diff ``git apply``
takes against the file.

Only what can be placed without guessing is placed: a setting that is a
whole new resource, a nested block the resource already has (merging two
blocks), or an argument whose value spans several lines keep the loose block.
"""

from __future__ import annotations

import re

from tasks.findings.model import NO_LOCATION, Finding, as_finding
from tasks.fixes import patches

RESOURCE_HEAD = re.compile(r'^(\s*)resource\s+"[^"]+"\s+"[^"]+"\s*\{\s*$')
_ARG = re.compile(r"^([A-Za-z_][\w-]*)\s*=\s*(\S.*)$")
_BLOCK = re.compile(r"^([A-Za-z_][\w-]*)\s*\{\s*$")
_OPENS = re.compile(r"(?:[\[{(]|<<-?\s*\w+)\s*$")


def _items(setting: str) -> list[tuple[str, str, list[str]]] | None:
    """The setting's top-level items: ("arg", name, [line]) or ("block", name, lines); None when unplaceable."""
    lines = [l.rstrip() for l in setting.strip("\n").splitlines()]
    items: list[tuple[str, str, list[str]]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        if line != line.lstrip():
            return None  # an indented line outside a block: not a setting this module reads
        arg, block = _ARG.match(line), _BLOCK.match(line)
        if arg and not _OPENS.search(arg.group(2)):
            items.append(("arg", arg.group(1), [line]))
            i += 1
        elif block:
            depth, j = 0, i
            while j < len(lines):
                depth += lines[j].count("{") - lines[j].count("}")
                if depth == 0:
                    break
                j += 1
            if j >= len(lines):
                return None
            items.append(("block", block.group(1), lines[i:j + 1]))
            i = j + 1
        else:
            return None  # a new resource, a multi-line value, anything else
    return items or None


def _value_and_comment(text: str) -> tuple[str, str]:
    """``"false  # why"`` -> ("false", "  # why"): a trailing comment outside any string."""
    m = re.match(r'^((?:[^"#/]|"(?:[^"\\]|\\.)*"|/(?!/))*?)(\s*(?:#|//).*)?$', text)
    return (m.group(1).strip(), m.group(2) or "") if m else (text.strip(), "")


def _top_level(lines: list[str], inner: str) -> dict[str, int]:
    """{name: index} of the block's own arguments and nested blocks (at ``inner`` indentation)."""
    out: dict[str, int] = {}
    for i, line in enumerate(lines[1:], start=1):
        if not line.startswith(inner) or line[len(inner):len(inner) + 1] in (" ", "\t", "}"):
            continue
        m = re.match(r"([A-Za-z_][\w-]*)\s*(=|\{)", line[len(inner):])
        if m:
            out.setdefault(m.group(1), i)
    return out


def inner_indent(lines: list[str], head: re.Match) -> str:
    """The indentation of a block's own lines (its first body line's), else two spaces more than its head."""
    body = [l for l in lines[1:] if l.strip() and not l.strip().startswith("}")]
    return (body[0][:len(body[0]) - len(body[0].lstrip())] if body else "") or head.group(1) + "  "


def placed(lines: list[str], setting: str) -> list[str] | None:
    """``lines`` (a resource block from its ``resource "t" "n" {`` line) with ``setting`` placed in it, or None."""
    head = RESOURCE_HEAD.match(lines[0]) if lines else None
    ends = [l for l in lines if l.strip()]
    if not head or ends[-1] != head.group(1) + "}":
        return None  # not the whole block: an argument may sit below the cut
    items = _items(setting)
    if items is None:
        return None
    inner = inner_indent(lines, head)
    have = _top_level(lines, inner)
    new = list(lines)
    insert: list[str] = []
    for kind, name, item in items:
        at = have.get(name)
        if kind == "block":
            if at is not None:
                return None  # the resource has that block: merging is a judgement, not a placement
            insert += [inner + l for l in item]
            continue
        if at is None:
            insert.append(inner + item[0])
            continue
        old = new[at]
        value = _ARG.match(item[0]).group(2)
        m = re.match(r"^(\s*[A-Za-z_][\w-]*\s*=\s*)(.*)$", old)
        if not m or _OPENS.search(m.group(2)):
            return None  # a value over several lines
        current, comment = _value_and_comment(m.group(2))
        if current == value.strip():
            return None  # already so: the check fails for another reason
        new[at] = m.group(1) + value + comment  # the team's own comment on the line stays
    new[1:1] = insert
    return new if new != lines else None


def resource_code(f: Finding | dict, code: dict | None = None) -> patches.Code | None:
    """The flagged block's lines: from the whole file when the source reader has it (``code["file"]``; its
    context window around the line rarely starts at the block's first line), else the report's snippet."""
    f = as_finding(f)
    loc = f.location or NO_LOCATION
    whole = (code or {}).get("file")
    if isinstance(whole, str) and loc.start_line and loc.end_line and loc.end_line >= loc.start_line:
        lines = whole.splitlines()[loc.start_line - 1:loc.end_line]
        if len(lines) == loc.end_line - loc.start_line + 1 and not any("[REDACTED" in l for l in lines):
            return patches.Code(str(code.get("path") or loc.path), lines, loc.start_line, (loc.start_line, loc.end_line), True)
        return None
    return patches.code_of(f, None)


def setting_diff(f: Finding | dict, setting: str, code: dict | None = None) -> tuple[str, patches.Code] | None:
    """(unified diff, the code it applies to) placing a Terraform ``setting`` in the flagged resource, or None."""
    f = as_finding(f)
    path = str((f.location or NO_LOCATION).path or "")
    if f.redacted or not path or path.startswith("/") or ".." in path.split("/") or not path.endswith(".tf"):
        return None
    c = resource_code(f, code)
    if c is None or not c.exact or not c.lines:
        return None
    new = placed(c.lines, setting)
    diff = patches.unified_diff(c, new) if new else None
    return (diff, c) if diff else None
