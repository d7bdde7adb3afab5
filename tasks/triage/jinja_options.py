"""Jinja2's ``Environment(...)`` flagged for a missing ``autoescape`` whose options arrive through ``**options``.

Semgrep's ``missing-autoescape-disabled`` (and Bandit's B701) look for the ``autoescape`` keyword in the call itself,
so ``Environment(loader=loader, **jinja_options)`` is flagged even when the dict it spreads turned autoescaping on
two lines above: JupyterHub's app.py sets ``jinja_options = dict(autoescape=True, enable_async=True)`` (held-out set
26, both labellers).  The check reads the enclosing function (else the module): one binding of the spread name to a
``dict(...)`` call or a ``{...}`` literal whose ``autoescape`` is ``True`` or ``select_autoescape(...)``, and no later
``name["autoescape"] = ...``.  A ``name.update(...)`` from configuration is named in the evidence, since a deployment
can turn it off there, but it is the operator's choice, not a default of the code.

May import: ``tasks.core``, ``tasks.findings``, ``tasks.repository``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.parsed_source import enclosing_function, python_tree

_RULE = re.compile(r"(?i)(?:^|\.)missing-autoescape-disabled$|^B701$")


def _autoescape(value: ast.AST) -> ast.AST | None:
    """The ``autoescape`` value a ``dict(...)`` call or ``{...}`` literal sets, else None."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict":
        return next((k.value for k in value.keywords if k.arg == "autoescape"), None)
    if isinstance(value, ast.Dict):
        return next((v for k, v in zip(value.keys, value.values)
                     if isinstance(k, ast.Constant) and k.value == "autoescape"), None)
    return None


def _on(value: ast.AST | None) -> bool:
    if isinstance(value, ast.Constant):
        return value.value is True
    return isinstance(value, ast.Call) and ast.unparse(value.func).rsplit(".", 1)[-1] == "select_autoescape"


def check_jinja_options(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "autoescape_on", "evidence"} when the spread options turn autoescaping on, else None."""
    f = as_finding(f)
    loc = f.location
    parsed = python_tree(reader, f) if _RULE.search(str(f.rule_id or "")) and loc and loc.start_line else None
    if parsed is None:
        return None
    tree = parsed[0]
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func).rsplit(".", 1)[-1] == "Environment"
             and n.lineno <= loc.start_line <= (n.end_lineno or n.lineno)]
    if len(calls) != 1 or any(k.arg == "autoescape" for k in calls[0].keywords):
        return None
    made = [k.value for k in calls[0].keywords if k.arg is None and isinstance(k.value, ast.Call) and not k.value.args]
    if made and len([k for k in calls[0].keywords if k.arg is None]) == 1:  # `**jinja_extensions.get_jinja_env_options()`
        return _returned_options(f, reader, tree, made[0], calls[0].lineno)
    spread = [k.value.id for k in calls[0].keywords if k.arg is None and isinstance(k.value, ast.Name)]
    if len(spread) != 1:
        return None
    name, scope = spread[0], enclosing_function(tree, calls[0].lineno) or tree
    binds = [n for n in ast.walk(scope) if isinstance(n, ast.Assign) and len(n.targets) == 1
             and isinstance(n.targets[0], ast.Name) and n.targets[0].id == name]
    if len(binds) != 1 or binds[0].lineno > calls[0].lineno or not _on(_autoescape(binds[0].value)):
        return None
    if any(isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id == name
           and isinstance(n.ctx, (ast.Store, ast.Del)) and not (isinstance(n.slice, ast.Constant) and n.slice.value != "autoescape")
           for n in ast.walk(scope)):
        return None  # autoescape itself, or a key the code computes, set or deleted later (`del o['enable_async']` is not)
    updates = [n for n in ast.walk(scope) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
               and isinstance(n.func.value, ast.Name) and n.func.value.id == name and n.func.attr in ("update", "setdefault")]
    note = (f"; `{ast.unparse(updates[0])[:80]}` at line {updates[0].lineno} lets a deployment's configuration change "
            "it, which is the operator's choice, not the code's default") if updates else ""
    return {"check": "code", "status": "autoescape_on",
            "evidence": f"autoescaping is on: {f.path}:{calls[0].lineno} passes `**{name}`, which line {binds[0].lineno} "
                        f"sets to `{ast.unparse(binds[0].value)[:80]}`; the rule looks for an autoescape keyword in the "
                        f"call itself and does not follow the dict{note}"}


def _returned_options(f: Finding, reader, tree: ast.Module, call: ast.Call, line: int) -> dict | None:
    """The options a project function returns (ckan's ``jinja_extensions.get_jinja_env_options()``, round 36), read
    from this file or from the project module an import names: one ``return dict(...)``/``{...}`` whose autoescape is on."""
    name = ast.unparse(call.func)
    func_name, module = name.rsplit(".", 1)[-1], name.rsplit(".", 1)[0] if "." in name else None
    path, source = f.path, tree
    if module is not None or not any(isinstance(n, ast.FunctionDef) and n.name == func_name for n in tree.body):
        bound = module or func_name  # `import ckan.lib.jinja_extensions as jinja_extensions`, or a from-import
        found = next((n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) and any(
            (a.asname or a.name) == bound for a in n.names)), None)
        if found is None or isinstance(found, ast.ImportFrom) and not found.module:
            return None
        alias = next(a for a in found.names if (a.asname or a.name) == bound)
        dotted = alias.name if isinstance(found, ast.Import) else f"{found.module}.{alias.name}" if module else found.module
        path = dotted.replace(".", "/") + ".py"
        lines = finding_lines(reader, f, path)
        try:
            source = ast.parse("".join(lines)) if lines else None
        except SyntaxError:
            return None
    defs = [n for n in (source.body if source else []) if isinstance(n, ast.FunctionDef) and n.name == func_name]
    returns = [n for n in ast.walk(defs[0]) if isinstance(n, ast.Return)] if len(defs) == 1 else []
    if len(returns) != 1 or not _on(_autoescape(returns[0].value)):
        return None
    return {"check": "code", "status": "autoescape_on",
            "evidence": f"autoescaping is on: {f.path}:{line} passes `**{name}()`, and {func_name}() returns "
                        f"`autoescape=True` ({path}:{returns[0].lineno}); the rule looks for an autoescape keyword in the "
                        "call itself and does not follow the function"}
