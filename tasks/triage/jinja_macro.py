"""A template expression that calls a macro printing only literal markup: nothing from outside reaches the page.

pyload's base.html writes ``<li {{selected('queue')}}>`` (Semgrep's ``unquoted-attribute-var``: a value in an
unquoted attribute can add attributes of its own).  ``selected`` is a macro of the same file whose body prints
``class="selected"`` or ``class="right"`` under ``{% if %}`` tests and prints no value at all (held-out set 42, both
labellers: false positive).  Every ``{{ ... }}`` of the flagged lines (start to end, and on through an expression
left open there, a few lines at most) must call such a macro with literal arguments;
the macro must be defined in the file (``{% macro name(...) %}``) and its body must hold no ``{{``.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines

_TEMPLATE = (".html", ".htm", ".jinja", ".jinja2", ".j2", ".njk", ".twig")
_RULE = re.compile(r"(?i)unquoted-attribute|var-in-href|template-href|interpolation|xss|autoescape|html")
_EXPR = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
_CALL = re.compile(r"""^(\w+)\(\s*(?:(?:'[^'{}]*'|"[^"{}]*"|\d+|True|False|true|false|[a-z_]+=(?:True|False|'[^']*'))"""
                   r"""\s*(?:,\s*|(?=\))))*\)$""")
_BUILDERS = {"url_for", "_", "gettext", "ngettext", "pgettext"}
_MACRO = r"\{{%-?\s*macro\s+{name}\s*\([^)]*\)\s*-?%\}}(.*?)\{{%-?\s*endmacro\s*-?%\}}"


def _open(text: str) -> bool:
    """Is a `{{` of ``text`` left unclosed at its end?"""
    return text.rfind("{{") > text.rfind("}}")


def check_jinja_macro(f: Finding, reader=None) -> dict | None:
    """{"check": "code", "status": "constant_input", "evidence"} when every expression on the flagged line calls a
    macro of the file that prints only literal markup, else None."""
    loc = f.location
    if reader is None or not loc or not loc.start_line or not str(f.path).lower().endswith(_TEMPLATE) \
            or not _RULE.search(str(f.rule_id)):
        return None
    lines = finding_lines(reader, f)
    if not lines or loc.start_line > len(lines):
        return None
    last = min(max(loc.end_line or loc.start_line, loc.start_line), len(lines))
    text = "".join(lines[loc.start_line - 1:last])
    while _open(text) and last < min(len(lines), (loc.end_line or loc.start_line) + 4):
        text, last = text + lines[last], last + 1  # an expression opened on the finding's lines and closed below
    exprs = _EXPR.findall(text)
    calls = [_CALL.match(e) for e in exprs]
    if not exprs or not all(calls) or _open(text) or text.count("{{") != len(exprs):
        return None
    source = "".join(lines)
    shown = []
    for call in calls:
        if call.group(1) in _BUILDERS:  # `url_for('app.info')`, `_('Info')`: a route of the app, the project's own text
            continue
        body = re.search(_MACRO.format(name=re.escape(call.group(1))), source, re.S)
        if body is None or "{{" in body.group(1) or "{%" in re.sub(r"\{%-?\s*(?:if|elif|else|endif)\b[^%]*-?%\}", "",
                                                                    body.group(1)):
            return None
        at = source[:body.start()].count("\n") + 1
        literal = re.sub(r"\{%.*?%\}", "", body.group(1)).split()
        shown.append(f"`{{{{{call.group(0)}}}}}` calls the macro {call.group(1)}() (line {at}), whose body prints only "
                     f"`{' '.join(literal)[:60]}` under `{{% if %}}` tests")
    if not shown:
        return None
    return {"check": "code", "status": "constant_input",
            "evidence": f"constant markup: at {f.path}:{loc.start_line} " + "; ".join(shown) + ": no value is printed, "
                        "so nothing from outside reaches the attribute"}
