"""Check 3i: the value a Python sink uses was checked against a fixed allow-list first.

``if op not in ALLOWED_OPERATORS: raise ValueError(...)`` before ``exec(f"x {op} y")`` (redash's Python query
runner checks the operator against RestrictedPython's fixed table) leaves the sink only values the program lists
itself: the finding is a false positive.  The check reads the function that holds the flagged line (the file,
``source.repo_path``) for an ``if <name> not in <collection>:`` whose body ends in ``raise`` or ``return`` before the
line, where ``<name>`` is the only variable part of the code, query or command text a call on the flagged line
takes (and is not rebound in between), and ``<collection>`` is fixed: a literal list, tuple, set or dict,
or an UPPER_CASE constant (``.keys()``/``.values()`` of one too).  A check after the line, one whose failure only
logs, or a collection the function builds from its arguments leaves the finding as it is.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import enclosing_function, python_tree

_CONSTANT = re.compile(r"^(?:[\w.]*\.)?[A-Z][A-Z0-9_]{2,}$")


def _fixed(node) -> bool:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(isinstance(e, ast.Constant) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(isinstance(k, ast.Constant) for k in node.keys)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("keys", "values") \
            and not node.args:
        return _fixed(node.func.value)
    return bool(_CONSTANT.match(ast.unparse(node))) if isinstance(node, (ast.Name, ast.Attribute)) else False


def _sole_input(func, line: int) -> set[str]:
    """Names that are the only variable part of the first argument of a call on ``line`` (the code, query or
    command text): ``exec("x" + op + "y", glb)`` gives {"op"}; a text that also holds another name gives nothing."""
    out = set()
    for call in ast.walk(func):
        if isinstance(call, ast.Call) and call.lineno == line and call.args:
            names = {n.id for n in ast.walk(call.args[0]) if isinstance(n, ast.Name)}
            called = {n.func.id for n in ast.walk(call.args[0]) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
            if len(names - called) == 1:
                out |= names - called
    return out


def _rebound(func, name: str, after: int, before: int) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store) and after < n.lineno < before
               for n in ast.walk(func))


def check_allowlist(f: Finding | dict, reader=None) -> dict | None:
    f = as_finding(f)
    line = f.location.start_line if f.location else None
    if f.kind != "code" or not line or reader is None:
        return None
    parsed = python_tree(reader, f)
    func = enclosing_function(parsed[0], line) if parsed else None
    if func is None:
        return None
    used = _sole_input(func, line)
    for node in ast.walk(func):
        if not isinstance(node, ast.If) or node.lineno >= line or not node.body:
            continue
        test = node.test
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.NotIn)
                and isinstance(test.left, ast.Name) and test.left.id in used and _fixed(test.comparators[0])):
            continue
        if not isinstance(node.body[-1], (ast.Raise, ast.Return)) or _rebound(func, test.left.id, node.lineno, line):
            continue
        return {"check": "code", "status": "allow_listed",
                "evidence": f"allow-listed: {f.path}:{node.lineno} stops unless `{test.left.id}` is one of "
                            f"`{ast.unparse(test.comparators[0])[:60]}`, a fixed set, before line {line} uses it; only "
                            "values the program lists itself reach the sink"}
    return None
