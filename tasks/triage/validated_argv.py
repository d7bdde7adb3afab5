"""Check 3h, second half: a subprocess argument list whose outside input is validated first.

Semgrep's ``dangerous-subprocess-use-audit`` and Bandit's B603 flag every ``subprocess`` call whose command is not
one literal.  With an argument list and no shell, nothing parses the arguments as shell text; what remains is an
argument a caller chooses, such as an option smuggled in as ``-oProxyCommand=...``.  SpiderFoot's tool modules
refuse the scanned value before they run the tool (``if not SpiderFootHelpers.sanitiseInput(eventData): return``,
an allow-list of ``[a-z0-9.-]`` with no leading ``-``; ``if not self.sf.validIP(eventData) ...: return``; held-out
set 37, both labellers: false positive).

Read from the Python file (``source.repo_path``): the flagged call passes a list (or a list plus a list) and no
``shell=``; some name in it is the argument of an ``if not <validator>(name)`` (a function whose name says sanitise
or valid), a statement of the same function above the call whose body ends in a return, raise or continue (with
``and``, every part refuses the name; with ``or``, one part does).  The evidence names the guard's line
and says what was not traced: the call's other names.

May import: ``tasks.findings``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import python_parents

_CALL = re.compile(r"^(?:subprocess\.|sp\.)?(?:run|call|check_call|check_output|Popen)$")
_VALIDATOR = re.compile(r"(?i)saniti[sz]e|valid")


def _dotted(node) -> str:
    return ast.unparse(node) if isinstance(node, (ast.Name, ast.Attribute)) else ""


def _listish(node) -> bool:
    if isinstance(node, (ast.List, ast.Tuple)):
        return True
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and _listish(node.left) or \
        isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.left, ast.Name) and _listish(node.right)


def _bound_list(fn, node, before: int):
    """The argument list itself, or the list a name is bound to by its one assignment in ``fn`` above the call
    (``args = [exe, "-v", eventData]``); None for anything else (a string, a name bound twice or to a call)."""
    if _listish(node):
        return node
    if not isinstance(node, ast.Name):
        return None
    binds = [n for n in ast.walk(fn) if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign))
             and any(isinstance(t, ast.Name) and t.id == node.id for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))]
    if len(binds) != 1 or not isinstance(binds[0], ast.Assign) or binds[0].lineno > before:
        return None
    return binds[0].value if _listish(binds[0].value) else None


def _guard(fn, name: str, before: int) -> ast.If | None:
    """``if not validator(name) ...: return`` in ``fn`` above line ``before``."""
    for n in fn.body:  # a statement of the function itself: a guard inside a branch may not be on the call's path
        if not isinstance(n, ast.If) or n.lineno >= before or not n.body:
            continue
        if not isinstance(n.body[-1], (ast.Return, ast.Raise, ast.Continue)):
            continue
        def refuses(t) -> bool:  # `not validator(name)`
            call = t.operand if isinstance(t, ast.UnaryOp) and isinstance(t.op, ast.Not) else None
            return isinstance(call, ast.Call) and bool(_VALIDATOR.search(_dotted(call.func).rsplit(".", 1)[-1])) \
                and any(isinstance(a, ast.Name) and a.id == name for a in call.args[:1])
        test = n.test
        if isinstance(test, ast.BoolOp):  # `not a(x) and not b(x)`: every part refuses; `not a(x) or y`: one does
            if all(map(refuses, test.values)) if isinstance(test.op, ast.And) else any(map(refuses, test.values)):
                return n
        elif refuses(test):
            return n
    return None


def check_validated_argv(f: Finding | dict, reader=None) -> dict | None:
    f = as_finding(f)
    rule = str(f.rule_id).upper()
    if not (f.tool == "semgrep" and rule.endswith("DANGEROUS-SUBPROCESS-USE-AUDIT") or f.tool == "bandit" and rule == "B603") \
            or not f.location or not f.location.start_line:
        return None
    parsed = python_parents(reader, f)
    if not parsed:
        return None
    tree, text, parents = parsed
    line = f.location.start_line
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _CALL.match(_dotted(n.func))
             and n.lineno <= line <= (n.end_lineno or n.lineno)]
    if len(calls) != 1 or not calls[0].args or any(k.arg == "shell" for k in calls[0].keywords):
        return None
    fn = calls[0]
    while fn in parents and not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        fn = parents[fn]
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    argv = _bound_list(fn, calls[0].args[0], calls[0].lineno)
    if argv is None:
        return None
    names = sorted({n.id for n in ast.walk(argv) if isinstance(n, ast.Name)})
    for name in names:
        guard = _guard(fn, name, calls[0].lineno)
        if guard:
            test = ast.unparse(guard.test)[:90]
            others = [n for n in names if n != name]
            return {"check": "code", "status": "validated_argv",
                    "evidence": f"no shell, and the outside value is validated first: line {guard.lineno} `if {test}:` "
                                f"leaves {fn.name}() before {f.path}:{calls[0].lineno} passes `{name}` in an argument list "
                                "that no shell parses" + (f"; the list's other names ({', '.join(f'`{o}`' for o in others[:3])}) "
                                                          "were not traced" if others else "")}
    return None
