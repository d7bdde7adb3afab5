"""Turning off HTML escaping in a template that renders no HTML: a plain-text e-mail body, a ``.txt`` template.

Semgrep's template rules (``template-unescaped-with-safe``, ``template-autoescape-off``) flag ``|safe`` and
``{% autoescape off %}`` wherever they appear, because in an HTML page they let markup through.  A template whose
file name says it is text (``alert-body-text.html``, ``nag-body-text.html``, ``message.txt``) is the text/plain
part of an e-mail or a message body: nothing parses it as HTML, and escaping would only print ``&amp;`` where the
reader expects ``&``.  Healthchecks' e-mail bodies are the case: both blind labellers of held-out set 19 called
them false positives.  An ``.html`` template named for anything else stays as reported.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding

_RULE = re.compile(r"(?i)unescaped[-_]with[-_]safe|autoescape[-_](?:off|false|disabled)|mark[-_]?safe[-_]in[-_]template")
_TEXT_NAME = re.compile(r"(?i)(?:^|[-_.])(?:text|txt|plain)(?:\.(?:html?|j2|jinja2?|tmpl|tpl))?$|\.(?:txt|text)(?:\.(?:j2|jinja2?))?$")


def check_plain_text(f: Finding | dict) -> dict | None:
    """{"check": "path", "status": "plain_text", "evidence"} for an escaping rule in a template named as text, else None."""
    f = as_finding(f)
    path = str(f.path or "")
    if f.kind != "code" or not path or not _RULE.search(str(f.rule_id)):
        return None
    if not _TEXT_NAME.search(PurePosixPath(path).name):
        return None
    return {"check": "path", "status": "plain_text",
            "evidence": f"no HTML is rendered: {path} is a plain-text template (its name says text), the text part of a "
                        "message; turning escaping off there prints characters as written instead of as HTML entities"}
