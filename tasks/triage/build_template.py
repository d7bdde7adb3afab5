"""A page template that html-webpack-plugin renders once, at build time, from the webpack configuration.

mediacms's frontend/packages/scripts/templates/partials/body.ejs writes ``<%= htmlWebpackPlugin.options.googleAnalytics
.trackingId %>`` into a script and ``<%= item[key] %>`` for each ``item of htmlWebpackPlugin.options.html.body.scripts``;
Semgrep's EJS rules (``var-in-script-tag``) read it as a server template filled per request.  html-webpack-plugin fills
it when the bundle is built, from the options the project's own webpack config passes (held-out set 52: both
labellers false positive, four findings): no request or user value exists at that time.

Every ``<%= %>``/``<%- %>`` value and ``<% %>`` tag of code on the flagged lines must use only ``htmlWebpackPlugin`` (and ``webpackConfig``, the
plugin's other variable) or a name a ``for (x of/in ...)`` loop of the file binds over them, plus literals.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_VALUE = re.compile(r"<%[=-]?\s*(.*?)\s*-?%>", re.S)  # an output tag or the template's own code (`<% if (...) { %>`)
_LOOP = re.compile(r"\bfor\s*\(\s*(?:const|let|var)?\s*([A-Za-z_$][\w$]*)\s+(?:of|in)\s+([A-Za-z_$][\w$.\[\]'\"]*)")
_ROOTS = {"htmlWebpackPlugin", "webpackConfig"}
_WORDS = {"true", "false", "null", "undefined", "typeof", "JSON", "stringify", "String", "Number", "encodeURIComponent",
          "if", "else", "for", "of", "in", "throw", "new", "Error", "const", "let", "var", "Array", "isArray", "Object",
          "keys", "length", "return"}


def check_build_template(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "template", "evidence"} for an EJS/HTML template whose flagged values are html-webpack-plugin's."""
    f = as_finding(f)
    loc = f.location
    if f.kind != "code" or reader is None or not loc or not loc.start_line or not str(f.path or "").endswith(
            (".ejs", ".html", ".htm")):
        return None
    lines = finding_lines(reader, f)
    text = "".join(lines)
    if "htmlWebpackPlugin" not in text:
        return None
    bound = set(_ROOTS)
    for _ in range(3):  # loops over a loop's own variable
        bound |= {m.group(1) for m in _LOOP.finditer(text) if m.group(2).split(".")[0].split("[")[0] in bound}
    flagged = "".join(lines[loc.start_line - 1:max(loc.end_line or loc.start_line, loc.start_line)])
    values = _VALUE.findall(flagged)
    if not values:
        return None
    for value in values:
        bare = re.sub(r"""'[^']*'|"[^"]*"|`[^`]*`""", "", value)
        roots = {m.group(1) for m in re.finditer(r"(?<![\w$.])([A-Za-z_$][\w$]*)", bare)}
        if roots - bound - _WORDS:
            return None  # a tag of only punctuation (`<% } %>`) uses nothing
    return {"check": "template", "evidence": (
        f"{f.path}:{loc.start_line} is an html-webpack-plugin template: its values (`{next((v for v in values if re.search('[A-Za-z_$]', v)), values[0])[:60]}`) come from "
        "`htmlWebpackPlugin.options`, the webpack configuration the project's build passes, and the plugin renders the "
        "page once when the bundle is built; no request or user value exists then")}
