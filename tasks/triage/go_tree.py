"""Go source read with tree-sitter's Go grammar: the parse, a node's text and lines, and the package's helpers that
only format integers.  Shared by the Go checks that need real syntax (``go_sql``, ``go_listener``): bindings paired
across multi-assignments (``set, args = append(...), append(...)``) and a handler's statements cannot be read with a
regular expression.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import re

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines
from tasks.triage.parsed_source import MAX_SOURCE, finding_source

_INTS = {"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64"}
_PURE = {"fmt", "strings", "strconv", "append", "len", "make", "string", "int", "int64", "Sprint", "Sprintf",
         "Itoa", "FormatInt", "Join", "Repeat", "TrimSuffix", "nil", "true", "false"}
MAX_PACKAGE_FILES = 60
MAX_PACKAGES = 64
_PACKAGES: dict[tuple, tuple] = {}  # (reader, file list, folder) -> helpers: a package is read once per run


def parse_go(source: str):
    """The root node of Go ``source``, or None when too large, without a grammar, or with a syntax error."""
    data = source.encode("utf-8")
    if len(data) > MAX_SOURCE:
        return None
    try:
        from tree_sitter_language_pack import get_parser

        root = get_parser("go").parse(data).root_node
    except Exception:  # noqa: BLE001 - no grammar: no evidence
        return None
    return None if root.has_error else root


def flagged_go(f: Finding, reader, rule: re.Pattern, needs: re.Pattern | None = None) -> tuple[object, str] | None:
    """(root, source) of a code finding on a Go file whose rule id or title matches ``rule`` (and whose source matches
    ``needs``), parsed; None for anything else.  The opening of every tree-sitter Go check."""
    if f.kind != "code" or not str(f.path or "").endswith(".go") or not f.line or not rule.search(f"{f.rule_id} {f.title or ''}"):
        return None
    source = finding_source(reader, f)
    root = parse_go(source) if source and (needs is None or needs.search(source)) else None
    return (root, source) if root is not None else None


def node_text(node) -> str:
    return node.text.decode("utf-8", "replace")


def walk(node):
    todo = [node]
    while todo:
        n = todo.pop()
        yield n
        todo.extend(reversed(n.named_children))


def start_line(node) -> int:
    return node.start_point[0] + 1


FUNCS = ("function_declaration", "method_declaration", "func_literal")


def balanced(args: str) -> bool:
    """The call's parentheses close only at its end: `url.Parse(a).Query()` is no URL, `f(a)(b)` no single call."""
    depth = 0
    for ch in args:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def functions_around(root, line: int) -> list:
    """The functions (declarations, methods, closures) whose lines hold ``line``, innermost first."""
    return sorted((n for n in walk(root) if n.type in FUNCS and start_line(n) <= line <= n.end_point[0] + 1),
                  key=lambda n: n.end_byte - n.start_byte)


def integer_helpers(f: Finding, reader, files, root) -> dict[str, int]:
    """name -> line of each function of the package (this file and its folder's non-test .go files) that takes only
    integers, returns a string and uses nothing but its own names and the pure standard helpers."""
    folder = str(PurePosixPath(str(f.path)).parent)
    key = (id(reader), id(files), folder)
    held = _PACKAGES.get(key)
    if held is not None and held[0] is reader and held[1] is files:  # the same objects, kept alive by the cache
        return held[2]
    roots = [root]
    others = [p for p in files or [] if p.endswith(".go") and not p.endswith("_test.go") and p != f.path
              and str(PurePosixPath(p).parent) == folder]
    for p in others[:MAX_PACKAGE_FILES]:
        other = parse_go("".join(finding_lines(reader, f, p)))
        if other is not None:
            roots.append(other)
    if len(_PACKAGES) >= MAX_PACKAGES:
        _PACKAGES.clear()
    found = _pure(n for r in roots for n in r.named_children if n.type == "function_declaration")
    _PACKAGES[key] = (reader, files, found)
    return found


def _pure(decls) -> dict[str, int]:
    candidates = {}
    for d in decls:
        params, result, body = (d.child_by_field_name(k) for k in ("parameters", "result", "body"))
        if result is None or node_text(result) != "string" or body is None or params is None:
            continue
        kinds = [p.child_by_field_name("type") for p in params.named_children if p.type == "parameter_declaration"]
        if not kinds or any(k is None or node_text(k) not in _INTS for k in kinds):
            continue
        candidates[node_text(d.child_by_field_name("name"))] = d
    pure: dict[str, int] = {}
    changed = True
    while changed:  # a helper may call another (placeholders -> placeholder)
        changed = False
        for name, d in candidates.items():
            if name in pure:
                continue
            own = {node_text(c) for n in walk(d) for side in _declared(n) for c in walk(side) if c.type == "identifier"}
            names = {node_text(n) for n in walk(d.child_by_field_name("body")) if n.type in ("identifier", "field_identifier")}
            if names <= own | _PURE | set(pure) | {name}:
                pure[name] = start_line(d)
                changed = True
    return pure


def _declared(n) -> list:
    """The parts of ``n`` that declare names: a parameter's names, the left side of ``:=``, a var's names, the left
    side of a range (what a right-hand side reads is no name of the helper's own)."""
    if n.type == "parameter_declaration":
        return n.children_by_field_name("name")
    if n.type in ("short_var_declaration", "range_clause"):
        return [x for x in [n.child_by_field_name("left")] if x is not None]
    if n.type == "var_spec":
        return n.children_by_field_name("name")
    return []


def bindings(scope, name: str) -> list[str] | None:
    """The right-hand sides bound to ``name`` in ``scope`` (``x := e``, ``x = e``, ``var x = e``), or None when the name is
    a parameter or bound another way (a range, a multi-value call)."""
    out: list[str] = []
    for n in walk(scope):
        if n.type == "parameter_declaration" and name in {node_text(x) for x in n.children_by_field_name("name")}:
            return None
        if n.type == "range_clause" and name in {node_text(x) for x in walk(n.child_by_field_name("left") or n)
                                                  if x.type == "identifier"}:
            return None
        if n.type in ("short_var_declaration", "assignment_statement"):
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            names = [node_text(x) for x in left.named_children] if left is not None else []
            if name in names:
                values = right.named_children if right is not None else []
                if len(values) != len(names) or n.type == "assignment_statement" and node_text(n).split("=")[0].rstrip()[-1:] in "+-*/|&":
                    return None
                out.append(node_text(values[names.index(name)]))
        if n.type == "var_spec" and name in {node_text(x) for x in n.children_by_field_name("name")}:
            value = n.child_by_field_name("value")
            if value is None or len(value.named_children) != 1:
                return None
            out.append(node_text(value.named_children[0]))
    return out
