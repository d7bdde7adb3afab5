"""Semgrep's ``shared-url-struct-mutation`` on a URL the function made itself: a copy, not the shared one.

The rule (CWE-436, confidence LOW) flags ``u.Host = ...`` on a ``*url.URL`` it cannot see being created, because
writing through ``r.URL`` changes the request every later handler and log line reads.  It already leaves alone a URL
from ``url.Parse`` or a ``url.URL{...}`` literal in the same function, but not one made by a helper:
transfer.sh's ``u := cloneURL(r.URL)`` (``c := &url.URL{}; *c = *u``, the standard library's own clone) and
``u := getURL(r, port)``, which returns that clone (held-out set 48: nine findings, both labellers: a copy).

So the finding is a false positive when every binding of the mutated name in its function is a fresh URL: a
``&url.URL{...}`` literal, ``new(url.URL)``, ``url.Parse``/``ParseRequestURI``, ``ResolveReference``/``JoinPath``
(each returns a new URL), a dereferenced value copy (``u := *r.URL``), or a call of a function of the same package
whose every return is such a URL (through up to three helpers).  A parameter, a field, or any other binding is left
as reported.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.go_tree``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.go_tree import (MAX_PACKAGE_FILES, balanced, bindings, flagged_go, functions_around, node_text,
                                   parse_go, start_line, walk)

_RULE = re.compile(r"shared-url-struct-mutation", re.I)
_FIELD = re.compile(r"^\s*(\w+)\.(?:RawQuery|Path|RawPath|Fragment|RawFragment|Scheme|Opaque|Host|User)\s*=[^=]")
_FRESH = re.compile(r"&\s*url\.URL\s*\{.*\}|new\(\s*url\.URL\s*\)|\*[\w.]+"  # a literal, a value copy
                    r"|(?:url\.(?:Parse|ParseRequestURI)|[\w.]+\.(?:ResolveReference|JoinPath))\s*\((?P<args>.*)\)", re.S)
MAX_DEPTH = 3


def _returns_fresh(decl, funcs: dict, depth: int) -> bool:
    """Every ``return`` of ``decl`` gives one fresh URL: a fresh expression, or a name bound only to fresh ones."""
    body = decl.child_by_field_name("body")
    returns = [n for n in walk(body) if n.type == "return_statement"] if body is not None else []
    if not returns:
        return False
    for r in returns:
        values = r.named_children[0].named_children if r.named_children else []
        if len(values) != 1 or not _fresh(node_text(values[0]), decl, funcs, depth):
            return False
    return True


def _fresh(expr: str, scope, funcs: dict, depth: int) -> bool:
    expr = expr.strip()
    whole = _FRESH.fullmatch(expr)  # the whole expression: `cmp.Or(r.URL, x.JoinPath("/"))` is r.URL (the review)
    if whole and balanced(whole.group("args") or ""):
        return True
    if re.fullmatch(r"[A-Za-z_]\w*", expr):
        bound = bindings(scope, expr)
        return bool(bound) and _declaration(scope, expr) is not None and all(_fresh(b, scope, funcs, depth) for b in bound)
    call = re.fullmatch(r"([A-Za-z_]\w*)\(.*\)", expr, re.S)
    if call and depth < MAX_DEPTH and call.group(1) in funcs:
        return _returns_fresh(funcs[call.group(1)], funcs, depth + 1)
    return False


_FUNCS_SEEN: dict[tuple, tuple] = {}  # (reader, files, file) -> (reader, files, functions): a package is parsed once


def _declaration(scope, name: str):
    """The statement of ``scope`` that declares ``name`` (``x := ...``, ``var x = ...``), or None: a name only assigned
    here is declared outside the function, at package level, and shared by every request (the review of set 48)."""
    for n in walk(scope):
        if n.type == "short_var_declaration" and name in [node_text(x) for x in n.child_by_field_name("left").named_children]:
            return n
        if n.type == "var_spec" and name in {node_text(x) for x in n.children_by_field_name("name")}:
            return n
    return None


def _package_funcs(f: Finding, reader, files, root) -> dict:
    """name -> declaration of each function of the flagged file and its folder's other non-test .go files."""
    key = (id(reader), id(files), str(f.path), f.source.commit if f.source else None)
    held = _FUNCS_SEEN.get(key)
    if held is not None and held[0] is reader and held[1] is files:
        return held[2]
    folder = str(PurePosixPath(str(f.path)).parent)
    roots = [root] + [r for r in (parse_go("".join(finding_lines(reader, f, p))) for p in [
        p for p in files or [] if p.endswith(".go") and not p.endswith("_test.go") and p != f.path
        and str(PurePosixPath(p).parent) == folder][:MAX_PACKAGE_FILES]) if r is not None]
    found = {node_text(d.child_by_field_name("name")): d for r in roots for d in r.named_children
             if d.type == "function_declaration" and d.child_by_field_name("name") is not None}
    if len(_FUNCS_SEEN) >= 16:
        _FUNCS_SEEN.clear()
    _FUNCS_SEEN[key] = (reader, files, found)
    return found


def check_go_url_copy(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "code", "status": "own_copy", "evidence"} when the mutated URL is one the function made, else None."""
    f = as_finding(f)
    parsed = flagged_go(f, reader, _RULE) if reader is not None else None
    if parsed is None:
        return None
    root, source = parsed
    lines = source.splitlines()
    m = _FIELD.match(lines[f.line - 1]) if 0 < f.line <= len(lines) else None
    scopes = functions_around(root, f.line)
    if not m or not scopes:
        return None
    scope = scopes[0]
    name, funcs = m.group(1), _package_funcs(f, reader, files, root)
    bound, first = bindings(scope, name), _declaration(scope, name)
    if not bound or first is None or not all(_fresh(b, scope, funcs, 0) for b in bound):
        return None
    shown = " ".join(node_text(first).split())[:80]
    return {"check": "code", "status": "own_copy",
            "evidence": f"a URL this function made: {f.path}:{f.line} sets a field of `{name}`, bound on line "
                        f"{start_line(first)} by `{shown}`, which gives a new URL (a copy or a parse), not the request's "
                        "shared `r.URL`; no other handler or log line sees the change (the rule's concern)"}
