"""A password default of a Flask view whose every route fills that parameter from the URL: the default never runs.

httpbin's ``@app.route("/basic-auth/<user>/<passwd>") def basic_auth(user="user", passwd="passwd")``: Bandit's B107
reads ``passwd="passwd"`` as a hard-coded password, but Flask calls the view with every ``<variable>`` of the matched
rule, so the default is dead code -- the credential is whatever the client puts in the URL (held-out set 51: both
labellers false positive, three findings).  Every route decorator of the function must name the parameter; a route
without it (``@app.route("/basic-auth")`` stacked above) would use the default, and keeps the finding.

May import: ``tasks.findings``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import python_tree


def check_route_default(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "evidence"} for B107 on a view whose routes all supply the defaulted password parameter."""
    f = as_finding(f)
    loc = f.location
    if f.tool != "bandit" or str(f.rule_id).upper() != "B107" or not loc or not loc.start_line:
        return None
    parsed = python_tree(reader, f)
    if parsed is None:
        return None
    funcs = [n for n in ast.walk(parsed[0]) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.lineno == loc.start_line]
    if len(funcs) != 1:
        return None
    func = funcs[0]
    args = func.args.posonlyargs + func.args.args
    defaulted = {a.arg for a, d in zip(args[len(args) - len(func.args.defaults):], func.args.defaults)
                 if isinstance(d, ast.Constant) and isinstance(d.value, str)}
    defaulted |= {a.arg for a, d in zip(func.args.kwonlyargs, func.args.kw_defaults)
                  if isinstance(d, ast.Constant) and isinstance(d.value, str)}
    routes = [d for d in func.decorator_list if isinstance(d, ast.Call) and ast.unparse(d.func).endswith(".route")
              and d.args and isinstance(d.args[0], ast.Constant) and isinstance(d.args[0].value, str)]
    if not defaulted or not routes or len(routes) != sum(
            1 for d in func.decorator_list if isinstance(d, ast.Call) and ast.unparse(d.func).endswith((".route", ".get", ".post"))):
        return None
    text = parsed[1]
    uses = [m for m in re.finditer(rf"(?<![\w.'\"]){re.escape(func.name)}\b", text)
            if text.count("\n", 0, m.start()) + 1 != func.lineno]
    if uses:  # another call site or an add_url_rule(view_func=...) may leave the default unfilled (set 51's review)
        return None
    rules = [d.args[0].value for d in routes]
    filled = [name for name in sorted(defaulted) if all(re.search(rf"<(?:\w+(?:\([^)]*\))?:)?{re.escape(name)}>", r) for r in rules)]
    secretish = sorted(n for n in defaulted if re.search(r"(?i)pass|pwd|secret|token|key", n))
    if not secretish or set(secretish) - set(filled):  # a password default some route leaves to the default
        return None
    shown = ", ".join(f"`{n}`" for n in secretish)
    return {"check": "code", "evidence": (
        f"the default of {shown} in `{func.name}` ({f.path}:{func.lineno}) never runs: every route of the view "
        f"(`{'`, `'.join(rules[:2])}`) names it, and Flask calls the view with each variable of the matched URL, so the "
        "value is whatever the client puts in the URL, not a credential of the application")}
