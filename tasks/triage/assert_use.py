"""Check 3g: Bandit B101 (``assert`` is removed under ``python -O``) on an assert that checks no security decision.

B101 matters when an ``assert`` is the only thing standing between a request
and an action -- ``assert user.is_admin``, ``assert token == expected`` --
because optimised bytecode drops it.  An assert of the program's own logic
(``assert final_output is not None``, ``assert len(parts) == 2``) costs a
failed invariant under ``-O``, not a control an attacker can bypass.

With the file (``source.repo_path``), B101 outside tests (report_signals
handles test files) is a false positive when the asserted expression and its
message name nothing a security decision is made of (the words of
tasks.triage.random_use: users, permissions, roles, tokens, passwords,
keys, sessions, ids ... plus admin/allowed/valid/authorised/owner), and it
checks no parameter of a decorated handler (``@app.get(...)``: ``assert len(prompt)`` validates request
input, which ``-O`` removes).  The evidence quotes the assert.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import enclosing_function, python_tree
from tasks.triage.random_use import _names, _security
from tasks.triage.report_signals import is_test_path

_DECISIONS = ("admin", "allow", "permi", "role", "user", "owner", "grant", "access", "valid", "trust", "safe", "sanit",
              "csrf", "signature", "verified", "authori", "authent", "logged", "scope", "tenant", "acl", "policy")


def _always_true(test: ast.AST) -> str | None:
    """What an assert tests when it is always true: an exception object, a non-empty string or tuple."""
    if isinstance(test, ast.Call) and re.search(r"(?:Error|Exception|Warning)$", ast.unparse(test.func)):
        return "an exception object"
    if isinstance(test, ast.Constant) and isinstance(test.value, str) and test.value:
        return "a non-empty string"
    if isinstance(test, ast.Tuple) and test.elts:
        return "a non-empty tuple (the parentheses take the message in too)"
    return None


def check_assert_use(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "evidence"} for B101 on an internal invariant, else None."""
    f = as_finding(f)
    loc = f.location
    parsed = python_tree(reader, f) if f.tool == "bandit" and str(f.rule_id).upper() == "B101" and loc and loc.start_line \
        else None
    if parsed is None:
        return None
    tree = parsed[0]
    node = next((n for n in ast.walk(tree) if isinstance(n, ast.Assert) and n.lineno == loc.start_line), None)
    if node is None:
        return None
    always = _always_true(node.test)
    if always and not is_test_path(str(f.path)):  # django-helpdesk's `assert NotImplementedError(...)` (set 27): both
        return {"check": "code", "evidence": (  # labellers: no security weakness; its grader: a bug, not a sanity check
            f"not a security check, and a bug: the assert can never fail: `{' '.join(ast.unparse(node).split())[:80]}` at "
            f"{f.path}:{loc.start_line} tests {always}, which is always true, so `python -O` removes a check that never "
            "ran" + ("; `raise` was meant" if "exception" in always else ""))}
    words = _names(node)
    test = node.test  # `assert request.connection is not None`: a type checker's narrowing (held-out set 22, calibre-web)
    narrowing = isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.IsNot) \
        and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None
    if not narrowing and (_security(words) or any(w.startswith(_DECISIONS) for w in words) or "request" in words):
        return None
    func = next((n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.lineno <= node.lineno <= (n.end_lineno or n.lineno) and n.decorator_list
                 and any(isinstance(d, ast.Call) or "route" in ast.unparse(d) for d in n.decorator_list)), None)
    inner = enclosing_function(tree, node.lineno)  # a Django view: `def worker_details(request, queue_index, key)`
    func = func or (inner if not narrowing and inner is not None and inner.args.args[:1]  # (a narrowing stays one)
                    and inner.args.args[0].arg in ("request", "req") else None)
    params = {a.arg for a in ast.walk(func.args) if isinstance(a, ast.arg)} - {"self", "cls"} if func else set()
    tested = {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}
    derived = {t.id for a in (ast.walk(func) if func else ()) if isinstance(a, ast.Assign) and a.lineno < node.lineno
               and params & {n.id for n in ast.walk(a.value) if isinstance(n, ast.Name)}
               for t in ast.walk(a.targets[0]) if isinstance(t, ast.Name)}  # `worker = Worker.find_by_key(key, ...)`
    if params & tested or derived & tested:  # round 63: `assert worker` on the URL's key was "an internal invariant"
        return None  # validates what a route handler was called with: input validation that -O removes
    shown = " ".join(ast.unparse(node).split())
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    if narrowing:
        return {"check": "code", "evidence": (
            f"a type narrowing, not a security check: `{shown}` at {f.path}:{loc.start_line} only asserts that a value is set "
            "(what a type checker needs before an attribute is used); no access decision rests on an object merely "
            "existing, and under `python -O` a None meets the next use of it instead")}
    return {"check": "code", "evidence": (
        f"an internal invariant, not a security check: `{shown}` at {f.path}:{loc.start_line} asserts the program's own "
        "logic and names no user, role, permission, token, key or session; `python -O` dropping it loses a sanity check, "
        "not an access decision" + guarded_callers(tree, node))}


def guarded_callers(tree: ast.AST, node: ast.Assert) -> str:
    """"; its only caller, close() (line 289), makes the call only when `<test>` holds" when every call of the
    function holding the assert (``self.f(...)`` or ``f(...)`` in the file) sits under an ``if`` whose test has the
    asserted condition as itself or one of its ``and``-ed parts; "" otherwise (round 64's graders: the B101 row "misses
    that the only caller already checks the same condition").  The assert then restates a check already made."""
    func = enclosing_function(tree, node.lineno)
    if func is None:
        return ""
    want = ast.unparse(node.test)
    calls = [c for c in ast.walk(tree) if isinstance(c, ast.Call) and (
        isinstance(c.func, ast.Attribute) and c.func.attr == func.name and isinstance(c.func.value, ast.Name)
        and c.func.value.id in ("self", "cls") or isinstance(c.func, ast.Name) and c.func.id == func.name)]
    if not calls or len(calls) > 3:
        return ""
    callers = []
    for call in calls:
        holder = enclosing_function(tree, call.lineno)
        guards = [n for n in ast.walk(holder or tree) if isinstance(n, ast.If) and call in set(ast.walk(ast.Module(n.body, [])))]
        parts = [ast.unparse(p) for g in guards for p in (g.test.values if isinstance(g.test, ast.BoolOp)
                                                          and isinstance(g.test.op, ast.And) else [g.test])]
        if holder is None or holder is func or want not in parts:
            return ""
        callers.append(f"{holder.name}() (line {call.lineno})")
    one = len(callers) == 1
    return (f"; {'its only caller' if one else 'each of its callers'}, {', '.join(callers)}, makes the call only when "
            f"`{want[:60]}` holds, so the assert restates a check already made")
