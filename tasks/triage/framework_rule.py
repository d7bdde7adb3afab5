"""A framework's rule on a project that does not use the framework (held-out set 39, listmonk).

Semgrep's ``python.django.security.django-no-csrf-token`` matches any ``<form method="post">`` in an HTML file
without ``{% csrf_token %}``: a Django template's omission.  On a Go project's ``html/template`` page the tag
means nothing -- no Django renders the file, and the form's protection is whatever the Go handler does.  Both
labellers: false positive, the scanner applied a Django rule to a Go template.

The same holds for a Django rule on Python code (microblog, a Flask app, held-out set 51: ``unvalidated-password`` asks
for ``django.contrib.auth.password_validation``, which the project does not have; both labellers not applicable).
The evidence is the repository's own: no Python source imports the framework and no Python manifest names it.
A project that uses it anywhere keeps the finding (the template may be one of its pages).

May import: ``tasks.findings``, ``tasks.triage.reachability``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding

# framework -> (its name in a rule id, the module Python imports, its name in a manifest)
_FRAMEWORKS = {"Django": (re.compile(r"(?:^|[.\-_])django(?:[.\-_]|$)", re.I), "django")}
_MANIFESTS = re.compile(r"(?:^|/)(?:requirements[\w.-]*\.(?:txt|in)|pyproject\.toml|setup\.(?:py|cfg)|Pipfile|"
                        r"poetry\.lock|uv\.lock)$")
_PY_LANGS = (".py",)
# a rule on Python that asks for the framework's own API, which a project without the framework does not have
_API_RULES = re.compile(r"(?i)unvalidated-password")


def check_framework_rule(f: Finding | dict, reader=None, imports=None) -> dict | None:
    """{"check": "code", "evidence"} for a framework's Semgrep rule in a repository that does not use it, else None."""
    f = as_finding(f)
    if f.tool != "semgrep" or reader is None or imports is None or not f.path:
        return None
    name = next((n for n, (rx, _) in _FRAMEWORKS.items() if rx.search(str(f.rule_id))), None)
    if name is None:
        return None
    module = _FRAMEWORKS[name][1]
    files = list(getattr(imports, "files", None) or [])
    if not files:
        return None
    sources = [p for p in files if PurePosixPath(p).suffix in _PY_LANGS and "/site-packages/" not in p]
    uses = re.compile(rf"(?m)^\s*(?:import|from)\s+{module}\b")
    if sources and (uses.search(imports.text("pypi")) if hasattr(imports, "text") else any(
            uses.search("".join(reader.lines(p, None) or [])) for p in sources[:500])):
        return None
    manifests = [p for p in files if _MANIFESTS.search(p)]
    for path in manifests[:50]:
        lines = reader.lines(path, None) or []
        if any(re.search(rf"\b{module}\b", line, re.I) for line in lines[:2000]):
            return None
    what = (f"none of its {len(sources)} `.py` files imports {module}" if sources else "it holds no `.py` file")
    named = f", and none of {', '.join(manifests[:3])} names it" if manifests else ""
    if PurePosixPath(str(f.path)).suffix.lower() in _PY_LANGS:  # microblog's set_password (set 51): a Flask app
        if not _API_RULES.search(str(f.rule_id)):
            return None  # an injection rule's pattern (input reaching open()) is the weakness in any framework
        return {"check": "code", "evidence": (
            f"a {name} rule on Python code that never uses {name}: {what}{named}; the call at {f.path}:"
            f"{f.location.start_line if f.location else '?'} belongs to another library, and the {name} API the rule "
            "asks for is not there to call")}
    return {"check": "code", "evidence": (
        f"a {name} rule on a file {name} never renders: the repository does not use {name}: {what}{named}; "
        f"{f.path} is read by another template engine, and the {name}-specific construct the rule asks for means "
        "nothing there")}
