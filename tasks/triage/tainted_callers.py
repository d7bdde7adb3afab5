"""Check 3j: request data that reaches a sink through a function's parameter, from the function's callers.

django.nV's ``run_cmd(cmd)`` runs ``os.system(cmd)``; nothing in ``helpers.py``
reads a request, so the finding stood "as reported", and a blind reviewer
found the row said nothing specific.  ``views.py`` calls it as
``run_cmd('curl --insecure {}'.format(url))`` with ``url =
request.POST.get('url')`` a few lines above.  Here (Python only): when the
flagged lines use a parameter of their enclosing module-level function, the
call sites of that function across the repository's Python files
(tasks.triage.callers' file list and parsed modules) are searched for an
argument that reads request data (tasks.triage.flow.USER_INPUT) directly, or
through a name assigned from request data in the calling function before
the call.  The first such call is the evidence; none leaves the finding as
it was (this check only ever adds a true positive's reason).

A module that defines a function of the same name itself calls its own, not
this one.  At most ``MAX_SITES`` call sites are read.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.flow import USER_INPUT, sink_rule
from tasks.triage.parsed_source import finding_source

MAX_SITES = 50


def _enclosing(tree: ast.Module, line: int):
    """The module-level function whose body holds ``line``, else None."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno < line <= (node.end_lineno or 0):
            return node
    return None


def _used_params(func, first: int, last: int) -> list[str]:
    params = [a.arg for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs if a.arg not in ("self", "cls")]
    used = {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and first <= n.lineno <= last}
    return [p for p in params if p in used]


def _argument(call: ast.Call, func, param: str):
    positional = [a.arg for a in func.args.posonlyargs + func.args.args]
    for k in call.keywords:
        if k.arg == param:
            return k.value
    if param in positional and positional.index(param) < len(call.args):
        arg = call.args[positional.index(param)]
        return None if isinstance(arg, ast.Starred) else arg
    return None


def _request_source(text: str, lines: list[str], caller, arg, call_line: int) -> str | None:
    """What request data the argument carries: in its own text, or a name assigned from a request above the call."""
    segment = ast.get_source_segment(text, arg) or ""
    hit = USER_INPUT.search(segment)
    if hit:
        return hit.group(0).strip().rstrip("([")
    names = {n.id for n in ast.walk(arg) if isinstance(n, ast.Name)}
    start = caller.lineno if caller is not None else max(1, call_line - 40)
    for n in range(call_line - 1, start - 1, -1):
        line = lines[n - 1] if n - 1 < len(lines) else ""
        m = re.match(r"^\s*([A-Za-z_]\w*)\s*(?::[^=]+)?=(?!=)", line)
        if m and m.group(1) in names:
            hit = USER_INPUT.search(line)
            if hit:
                said = line.strip() if len(line.strip()) <= 80 else f"{m.group(1)} = {hit.group(0).strip().rstrip('([')}..."
                return f"`{said}` on line {n}"
    return None


def check_tainted_callers(f: Finding | dict, reader, callers) -> dict | None:
    """{"check": "code", "status": "user_input", "evidence"} when a caller passes request data into the parameter
    the flagged lines use; None otherwise (or for anything but a Python sink finding with a repository)."""
    f = as_finding(f)
    loc = f.location
    if callers is None or reader is None or f.kind != "code" or not sink_rule(f) or loc is None or not loc.start_line \
            or not (f.path or "").endswith(".py"):
        return None
    from tasks.triage.constant_names import parse_module

    mod = parse_module(finding_source(reader, f), f.path)
    func = _enclosing(mod.tree, loc.start_line) if mod is not None else None
    if func is None or func.decorator_list:
        return None
    params = _used_params(func, loc.start_line, max(loc.start_line, loc.end_line or loc.start_line))
    if not params:
        return None
    for path, text, lines, other, node in _calls(callers, mod, f.path, func.name)[:MAX_SITES]:
        caller = _enclosing(other.tree, node.lineno)
        for param in params:
            arg = _argument(node, func, param)
            source = _request_source(text, lines, caller, arg, node.lineno) if arg is not None else None
            if source:
                return {"check": "code", "status": "user_input",
                        "evidence": f"{func.name}()'s `{param}` reaches the flagged line {loc.start_line}, and "
                                    f"{path}:{node.lineno} calls it with user input ({source}), so the {f.rule_id} "
                                    "sink is fed by a request"}
    return None


def _bindings(tree, path: str, name: str) -> tuple[set[str], set[str]]:
    """How a module refers to function ``name`` of the file ``path``: ({names bound to the function by
    ``from <module> import name [as x]``}, {names bound to the module by ``import <module> [as m]`` or
    ``from <package> import <module>``}).  ``libsession.create(...)`` is not a call of libuser's ``create``."""
    stem = path.rsplit("/", 1)[-1].removesuffix(".py")
    if stem == "__init__":
        stem = path.rsplit("/", 2)[-2] if path.count("/") else stem
    names, modules = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = (node.module or "").rsplit(".", 1)[-1]
            for alias in node.names:
                if source == stem and alias.name == name:
                    names.add(alias.asname or alias.name)
                elif alias.name == stem:
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.rsplit(".", 1)[-1] == stem:
                    modules.add(alias.asname or alias.name)
    return names, modules


def _calls(callers, mod, path: str, name: str) -> list:
    """(path, text, lines, module, call node) of every call of ``name`` that can be the function of ``path``;
    computed once per (path, name) for a run: many findings sit in the same few functions."""
    cache = callers.__dict__.setdefault("_tainted_calls", {})
    if (path, name) in cache:
        return cache[(path, name)]
    word, out = re.compile(rf"\b{re.escape(name)}\b"), []
    for where, text in callers.sources().items():
        if not word.search(text):
            continue
        other = mod if where == path else callers.module(where)
        if other is None or (other is not mod and any(
                isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == name
                for n in other.tree.body)):
            continue  # unreadable, or a module's own function of that name
        lines = text.splitlines()
        names, modules = _bindings(other.tree, path, name) if other is not mod else ({name}, set())
        for node in ast.walk(other.tree):
            if not isinstance(node, ast.Call):
                continue
            fn = node.func
            if (isinstance(fn, ast.Name) and fn.id in names) or (
                    isinstance(fn, ast.Attribute) and fn.attr == name and isinstance(fn.value, ast.Name)
                    and fn.value.id in modules):
                out.append((where, text, lines, other, node))
                if len(out) > MAX_SITES:
                    break
    cache[(path, name)] = out
    return out
