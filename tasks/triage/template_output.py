"""An HTML rule on a template that renders source code or data, not a page (held-out set 40, navidrome).

Semgrep's ``no-interpolation-in-tag`` and its kin read ``{{ .X }}`` inside ``<...>`` as a value written into an
HTML tag.  navidrome's ``plugins/cmd/ndpgen/internal/templates/client.rs.tmpl`` is a Go ``text/template`` its code
generator runs to write Rust: ``Json<{{ .Type }}>`` is a generic type, and no browser ever reads the output.  The
file's own name says what it renders -- the extension before the template suffix (``.rs.tmpl``, ``.go.tmpl``,
``.py.j2``, ``.yaml.tpl``) -- and an output that is source code, configuration or plain text has no HTML context for
a value to break out of.  Both labellers: false positive, three findings.

May import: ``tasks.findings``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding

_TEMPLATE_SUFFIXES = {".tmpl", ".tpl", ".j2", ".jinja", ".jinja2", ".gotmpl", ".mustache", ".hbs", ".ejs", ".erb", ".liquid"}
# the output language a template's inner extension names; HTML-like ones are left to the rule
_OUTPUTS = {".rs": "Rust source", ".go": "Go source", ".py": "Python source", ".ts": "TypeScript source",
            ".java": "Java source", ".kt": "Kotlin source", ".c": "C source", ".h": "C source", ".cpp": "C++ source",
            ".cs": "C# source", ".rb": "Ruby source", ".swift": "Swift source", ".proto": "Protocol Buffers",
            ".sh": "a shell script", ".yaml": "YAML", ".yml": "YAML", ".json": "JSON", ".toml": "TOML",
            ".ini": "an INI file", ".conf": "a configuration file", ".txt": "plain text",
            ".sql": "SQL", ".tf": "Terraform", ".hcl": "HCL", ".dockerfile": "a Dockerfile", ".env": "an env file"}
_HTML_RULE = re.compile(r"(?i)xss|html|interpolation-in-tag|unquoted-attribute|template-href|var-in-href|"
                        r"var-in-script|unescaped|autoescape|attr")


_PAGES = re.compile(r"\.(?:html?|xhtml|twig|j2|jinja2?|tmpl|tpl|gohtml|vue|svelte|erb|ejs|hbs|njk|liquid|cshtml|jsx|tsx)$", re.I)
MAX_PAGES = 2000


def _included(path: str, reader, files) -> str | None:
    """A page template that names the file (``{% include "partials/config.json.j2" %}`` inside ``<script>``): then
    its output lands in HTML after all (the review of set 40)."""
    name = PurePosixPath(path).name
    pages = [p for p in files or [] if _PAGES.search(p) and p != path and not (  # a Rust template including another
        len(PurePosixPath(p).suffixes) >= 2 and PurePosixPath(p).suffixes[-2].lower() in _OUTPUTS)]
    for p in pages[:MAX_PAGES]:
        if name in "".join(reader.lines(p, None) or []):
            return p
    return None


def check_template_output(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "code", "evidence"} for an HTML/XSS rule on a template whose name says it renders no HTML."""
    f = as_finding(f)
    if f.kind != "code" or not f.path:
        return None
    if not (_HTML_RULE.search(str(f.rule_id)) or "CWE-79" in (f.cwe or [])):
        return None
    suffixes = [s.lower() for s in PurePosixPath(str(f.path)).suffixes]
    if len(suffixes) < 2 or suffixes[-1] not in _TEMPLATE_SUFFIXES or suffixes[-2] not in _OUTPUTS:
        return None
    if reader is not None and _included(str(f.path), reader, files):
        return None
    output = _OUTPUTS[suffixes[-2]]
    where = f"the value on line {f.line} lands" if f.line else "its values land"
    return {"check": "code", "evidence": (
        f"no HTML is written: {f.path} is a template that renders {output} (its name ends {suffixes[-2]}{suffixes[-1]}, "
        f"and no page template of the repository includes it), so {where} in {output}, not in an HTML tag a "
        "browser parses; the rule's cross-site scripting premise does not apply")}
