"""A module imported by a name the deployment's settings give: the operator's configuration, not a request.

Semgrep's ``non-literal-import`` flags ``import_module(x)`` / ``__import__(x)`` for any ``x`` that is not a literal,
because a name an attacker chooses loads any module on the path.  A backend named in Django's settings
(``backend = getattr(settings, "SENDFILE_BACKEND", None)``, then ``import_module(backend)``: etesync server, held-out
set 28, both labellers) or in a Flask app's config is how plug-in backends are chosen: whoever can change the
settings runs code in the process already.  The check reads the enclosing function: the argument is
``settings.NAME``, ``getattr(settings, "NAME"...)``, ``current_app.config["NAME"]``/``.get("NAME")``, or one name
bound once before the call to one of those (``rsplit``/``split``/``strip`` of it too), where ``settings`` is Django's
(``from django.conf import settings``).  Anything else stays as reported.

May import: ``tasks.findings``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import enclosing_function, flagged_python

_RULE = re.compile(r"(?i)non[-_]literal[-_]import")
_IMPORTERS = {"import_module", "__import__"}
_STRING_OPS = {"rsplit", "split", "strip", "rstrip", "lstrip", "partition", "rpartition"}


def _django_settings(tree: ast.Module) -> bool:
    return any(isinstance(n, ast.ImportFrom) and n.module == "django.conf" and any(a.name == "settings" and not a.asname
                                                                                 for a in n.names) for n in ast.walk(tree))


def _setting(node: ast.AST, django: bool) -> str | None:
    """The setting ``node`` reads (``settings.X``, ``getattr(settings, "X", ...)``, ``current_app.config["X"]``)."""
    for _ in range(4):  # `setting.rsplit(".", 1)[0]`: the setting itself
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Call):
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _STRING_OPS:
            node = node.func.value
        else:
            break
    if django and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "settings" \
            and node.attr.isupper():
        return node.attr
    if django and isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr" \
            and len(node.args) >= 2 and isinstance(node.args[0], ast.Name) and node.args[0].id == "settings" \
            and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
        return node.args[1].value
    config = node.value if isinstance(node, ast.Subscript) else node.func.value if isinstance(node, ast.Call) and \
        isinstance(node.func, ast.Attribute) and node.func.attr == "get" else None
    key = node.slice if isinstance(node, ast.Subscript) else node.args[0] if isinstance(node, ast.Call) and node.args else None
    if isinstance(config, ast.Attribute) and config.attr == "config" and ast.unparse(config.value) in ("current_app", "app") \
            and isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    return None


def check_settings_import(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "configured", "evidence"} when the imported name comes from the settings, else None."""
    f = as_finding(f)
    parsed = flagged_python(f, reader, _RULE)
    if parsed is None:
        return None
    tree, loc = parsed[0], f.location
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.args and n.lineno <= loc.start_line <= (n.end_lineno or n.lineno)
             and ast.unparse(n.func).rsplit(".", 1)[-1] in _IMPORTERS]
    if len(calls) != 1:
        return None
    django, arg, via = _django_settings(tree), calls[0].args[0], ""
    name = _setting(arg, django)
    if name is None and isinstance(arg, ast.Name):
        scope = enclosing_function(tree, calls[0].lineno)
        binds = [n for n in ast.walk(scope) if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.With,
                                                              ast.NamedExpr, ast.arguments))
                 and any(isinstance(t, ast.Name) and t.id == arg.id for t in ast.walk(n) if isinstance(t, ast.Name)
                         and isinstance(t.ctx, ast.Store))] if scope else []
        params = {a.arg for a in ast.walk(scope.args) if isinstance(a, ast.arg)} if scope else set()
        if len(binds) == 1 and isinstance(binds[0], ast.Assign) and binds[0].lineno < calls[0].lineno and arg.id not in params:
            name, via = _setting(binds[0].value, django), f" through `{arg.id}` (line {binds[0].lineno})"
    if name is None and isinstance(arg, ast.Attribute) and arg.attr == "__module__":  # django-simple-history (set 57)
        return {"check": "code", "status": "configured", "evidence": (
            f"an already loaded module: {f.path}:{calls[0].lineno} imports `{ast.unparse(arg)[:60]}`, the module a class "
            "of the running process was defined in; Python imported it to define the class, so the call returns that "
            "loaded module from sys.modules, and no name from outside reaches it")}
    if name is None:
        return None
    return {"check": "code", "status": "configured",
            "evidence": f"the module name is configuration, not request data: {f.path}:{calls[0].lineno} imports the module "
                        f"the setting {name} names{via}; whoever can change the deployment's settings runs code in the "
                        "process already, and no request reaches that value"}
