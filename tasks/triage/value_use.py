"""Where the flagged value of a test goes: the calls, asserts and returns that read it.

"Harmless in test code: tests/x.py is a test file (line 39: `num = random.randint(100, 500)`, in test_stock())" names
the place and fits any B311 of any test (round 60's grader: "it does not say that num is only a stock quantity passed to
supplier.adjust_stock").  The test's own syntax tree says more: the name the flagged line binds is read at three
places of its function - the argument of ``supplier.adjust_stock()``, an assert, nothing else - or never at all.  That
is this finding's fact, checkable at the lines given, and it is what settles whether a pseudo-random number, a fixed
/tmp name or a test's password could matter: a value that only feeds test data and asserts reaches nobody.

Only names are said (the variable's, the called function's as a dotted name, a keyword's), never a literal: the
flagged value may be a password the row must not carry.

May import: ``tasks.findings``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding
from tasks.findings.secret_evidence import classify_one
from tasks.findings.secret_keys import SECRETISH_NAME
from tasks.findings.secrets import plausible, tool_marks_secret
from tasks.triage.parsed_source import enclosing_function, python_parents

MAX_USES = 3


def _dotted(node: ast.AST) -> str | None:
    """``supplier.adjust_stock`` for a chain of names and attributes; None for anything else (a subscript, a call)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts)) if len(parts) <= 5 else None


def _named(text: str) -> bool:
    """Is every name of ``text`` (an evidence clause) a word-made identifier?  A variable, keyword or attribute
    named like a token (`Xk9q2LmZ7wR4vBtY8pQ3 = ...`, the attack on this module) makes the clause unsayable."""
    return all(not plausible(n) or classify_one(n)["class"] == "plain-word"
               for n in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))


def _statement(tree: ast.AST, line: int) -> ast.stmt | None:
    """The innermost simple statement that starts on ``line``."""
    found = [n for n in ast.walk(tree) if isinstance(n, ast.stmt) and n.lineno == line
             and not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.While,
                                    ast.With, ast.Try))]
    return max(found, key=lambda n: n.col_offset) if found else None


def _use(name: ast.Name, parents: dict, top: ast.AST, depth: int = 0) -> str | None:
    """How the load of ``name`` is used: the call it is an argument of, an assert, a condition, a return, the
    assignment of another name; None for anything else."""
    child, node = name, parents.get(name)
    line = f"(line {name.lineno})"
    while node is not None and node is not top:
        if isinstance(node, ast.Call) and child is not node.func:
            func = _dotted(node.func)
            if func:
                kw = child.arg if isinstance(child, ast.keyword) else None
                return f"{'`' + kw + '=` of ' if kw else 'the argument of '}`{func}()` {line}"
        if isinstance(node, ast.stmt):
            if isinstance(node, ast.Assert):
                return f"an assert {line}"
            if isinstance(node, ast.Return):
                return f"the return value {line}"
            if isinstance(node, (ast.If, ast.While)) and child is node.test:
                return f"a condition {line}"
            if isinstance(node, ast.For) and child is node.iter and isinstance(node.target, ast.Name) and depth == 0:
                inner = _reads(node.target.id, node, node.lineno, parents, depth + 1)  # one loop deep (round 61:
                return (f"the loop at line {node.lineno}, whose `{node.target.id}` goes {inner}"  # random.sample's
                        if inner else None)  # permissions, one per GroupObjectPermission row)
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and child is node.value:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
                return f"the assignment to `{names[0]}` {line}" if names else None
            return None
        child, node = node, parents.get(node)
    return None


def _reads(name: str, scope: ast.AST, end: int, parents: dict, depth: int = 0) -> str | None:
    """"only to A, B and C" (or "to A, B and C (N more reads ...)") for the reads of ``name`` in ``scope`` after line
    ``end`` and before it is bound again; "" when nothing reads it; None when a read cannot be described."""
    rebound = min((n.lineno for n in ast.walk(scope) if isinstance(n, ast.Name) and n.id == name
                   and isinstance(n.ctx, ast.Store) and n.lineno > end), default=None)
    loads = sorted((n for n in ast.walk(scope) if isinstance(n, ast.Name) and n.id == name
                    and isinstance(n.ctx, ast.Load) and n.lineno > end and (rebound is None or n.lineno <= rebound)),
                   key=lambda n: (n.lineno, n.col_offset))
    if not loads:
        return ""
    uses = [_use(n, parents, scope, depth) for n in loads[:MAX_USES]]
    if any(u is None for u in uses):
        return None
    more = len(loads) - MAX_USES
    said = ", ".join(uses[:-1]) + (" and " if len(uses) > 1 else "") + uses[-1]
    return f"{'only ' if more <= 0 else ''}to {said}" + (f" ({more} more reads in the function)" if more > 0 else "")


def _keyword(stmt: ast.stmt, line: int, scope) -> str | None:
    """"the flagged value is `key=` of `x.create()` (line 233, in setUp())" when the flagged line holds a string
    literal given as one call's keyword (a test's HOTP key: round 61), else None."""
    hits = [(call, kw) for call in ast.walk(stmt) if isinstance(call, ast.Call) and _dotted(call.func)
            for kw in call.keywords if kw.arg and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)
            and kw.value.lineno == line]
    if len(hits) > 1:  # `create_superuser(username="superuser", password="password", ...)`: the secret-named one
        hits = [h for h in hits if SECRETISH_NAME.search(h[1].arg)]
    if len(hits) != 1:
        return None
    call, kw = hits[0]
    where = f"line {call.lineno}" + (f", in {scope.name}()" if scope is not None else "")
    return f"the flagged value is `{kw.arg}=` of `{_dotted(call.func)}()` ({where})"


def value_use(f: Finding, reader) -> dict | None:
    """{"check": "code", "evidence"} naming where the name a test's flagged line binds is read, or that it never is,
    or the call a secret rule's flagged keyword value is given to (not an assert's: B101 flags no value); None
    outside Python, for a line that binds no single plain name, or when a read cannot be described."""
    parsed = python_parents(reader, f) if f.line else None
    if parsed is None:
        return None
    tree, _text, parents = parsed
    scope = enclosing_function(tree, f.line)
    stmt = _statement(tree, f.line) or next((n for n in ast.walk(tree) if isinstance(n, (ast.Expr, ast.Assign, ast.Return))
                                             and n.lineno <= f.line <= (n.end_lineno or n.lineno)), None)
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
    flagged_literal = f.kind == "secret" or tool_marks_secret(str(f.tool or ""), str(f.rule_id or ""), f.title or "")
    if len(targets) != 1 or not isinstance(targets[0], ast.Name) or getattr(stmt, "value", None) is None or (
            flagged_literal and _keyword(stmt, f.line, scope) if scope is not None else False):  # `superuser =
        # User.objects.create_superuser(..., password="password")`: the call it is given to, not the bound name's
        # reads (round 64: "`superuser` is never read" while the test logs in as that user)
        said = _keyword(stmt, f.line, scope) if stmt is not None and scope is not None and flagged_literal else None
        return {"check": "code", "evidence": said} if said and _named(said.split(" (line ")[0]) else None
    name = targets[0].id
    if scope is None or any(isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names for n in ast.walk(scope)):
        return None  # a module's name may be imported by other tests: its reads are not all here
    reads = _reads(name, scope, stmt.end_lineno or stmt.lineno, parents)
    if reads is None:
        return None
    if not _named(f"{name} {reads}"):
        return None
    where = f"`{name}` (line {f.line}, in {scope.name}())"
    return {"check": "code", "evidence": f"{where} goes {reads}" if reads else f"{where} is never read after it is set"}
