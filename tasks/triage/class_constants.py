"""Class attributes a Python file fixes once: a constant for the sink checks (tasks.triage.constant_names).

``text(f"DELETE FROM {Label.__tablename__} WHERE id = :id")`` builds SQL from the
table name the model class declares, and ``text(f"set pg_trgm.similarity_threshold
= {cls._fuzzy_similarity_threshold}")`` from a class attribute bound to a literal
in the class body (``_fuzzy_similarity_threshold: ClassVar[float] = 0.5``); no
request chooses either.  An attribute is constant when some class of the file
binds it in its body to a literal (or, for ``__tablename__``, the class is
SQLAlchemy's declarative name) and no statement of the file assigns it
elsewhere (``obj.attr = ...``).
"""

from __future__ import annotations

import ast
import functools

_TABLE_NAMES = {"__tablename__", "__table_name__"}


@functools.lru_cache(maxsize=32)
def _class_literals(tree: ast.AST) -> tuple[frozenset, frozenset]:
    """(attributes bound to literals in a class body, attributes assigned anywhere else) of the module."""
    bound, reassigned = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
                value = getattr(stmt, "value", None)
                literal = value is not None and isinstance(value, ast.Constant)
                for t in targets:
                    if isinstance(t, ast.Name):
                        (bound if literal else reassigned).add(t.id)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for t in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(t, ast.Attribute):
                    reassigned.add(t.attr)
    return frozenset(bound - reassigned), frozenset(reassigned)


def class_constant(tree: ast.AST | None, node: ast.Attribute, used: list | None = None) -> bool:
    """Whether ``node`` (``Model.__tablename__``, ``cls.THRESHOLD``) reads a class attribute the file fixes once;
    ``used`` gets (name, what binds it) for the evidence."""
    if tree is None or not isinstance(node, ast.Attribute) or not isinstance(node.value, ast.Name):
        return False
    table = node.attr in _TABLE_NAMES
    ok = node.attr not in _class_literals(tree)[1] if table else node.attr in _class_literals(tree)[0]
    if ok and used is not None:
        used.append((f"{node.value.id}.{node.attr}", "the model's table name" if table else "bound once to a literal in its class"))
    return ok


def wrapped_text(node: ast.AST) -> bool:
    """``text("...")`` or ``sa.text("...").bindparams(...)``: SQLAlchemy's statement, checked as a sink of its own."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "bindparams":
        node = node.func.value
    return isinstance(node, ast.Call) and (isinstance(node.func, ast.Name) and node.func.id == "text"
                                           or isinstance(node.func, ast.Attribute) and node.func.attr == "text")


def returns_constant(mod, call: ast.Call, depth: int, seen: set) -> bool:
    """A call without arguments of a function the file defines once (``_column()``, ``self._column()``) whose every
    ``return`` gives a constant (``'"abort_on_error"' if is_postgres() else "abort_on_error"``: privacyidea's migration
    tests, set 29), with no function nested in it; ``mod`` is the caller's constant_names.Module."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) and isinstance(
        func.value, ast.Name) and func.value.id in ("self", "cls") else None
    if call.args or call.keywords or not name:
        return False
    defs = [n for n in ast.walk(mod.tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name]
    if len(defs) != 1 or any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and n is not defs[0]
                             for n in ast.walk(defs[0])):
        return False
    returns = [n for n in ast.walk(defs[0]) if isinstance(n, ast.Return)]
    if not returns or not all(r.value is not None and mod.constant(r.value, depth + 1, seen) for r in returns):
        return False
    mod.used.append((f"{name}(), which returns literals only", f"{mod.path}:{defs[0].lineno}"))
    return True
