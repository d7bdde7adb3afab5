"""A jQuery ``.html()`` finding on a Lit template: ``html`...``` is a tagged template that escapes, not jQuery.

linkding's components write ``return html`<li>${suggestion.label}</li>``` with ``import { html } from "lit"``, and
Semgrep's ``prohibit-jquery-html`` (``$X.html(...)``) matched the tagged template (held-out set 45, both labellers:
false positive).  Lit renders each ``${...}`` of such a template as a text node, an attribute value or a property
binding; it parses no value as HTML unless the ``unsafeHTML``/``unsafeSVG`` directive (or ``.innerHTML=``) is used.
The same holds for htm, uhtml and lighterhtml's ``html`` tags.

The flagged lines must hold a tagged template ``html``` and no ``.html(`` call; the file must import ``html`` from
one of those libraries; and nothing from the flagged line to the end of the file may use an unsafe directive or an
``innerHTML`` binding.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_RULE = re.compile(r"(?i)jquery-insecure-method|prohibit-jquery-html|jquery.*html")
_SCRIPT = (".js", ".mjs", ".ts", ".jsx", ".tsx")
_TAG = re.compile(r"(?<![\w.$])html\s*`")
_CALL = re.compile(r"\.\s*html\s*\(")
# an `import { ... } from "..."` statement, bounded so that an unclosed brace fails fast (the review of the set-45 change)
_IMPORT = re.compile(r"""(?m)^[ \t]*import\s*\{([^}]{0,600})\}\s*from\s*["']([^"'\n]{1,120})["']""")
_LIBRARY = re.compile(r"(?:lit|lit-html|lit-element|htm|uhtml|lighterhtml)(?:/[\w./-]*)?|@lit/[\w./-]+")
# what parses a value as HTML after all: Lit's unsafe* directives (unsafeHTML, unsafeSVG, unsafeMathML, unsafeStatic),
# an innerHTML/outerHTML property binding, an iframe's srcdoc, htm/preact's dangerouslySetInnerHTML, DOM writes
_UNSAFE = re.compile(r"\bunsafe[A-Z]\w*|\.(?:inner|outer)HTML\s*=|\bsrcdoc\s*=|dangerouslySetInnerHTML|insertAdjacentHTML"
                     r"|document\.write")
MAX_LINES = 5000


def check_lit_template(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "escaped", "evidence"} for a Lit tagged template taken for jQuery, else None."""
    f = as_finding(f)
    loc = f.location
    if reader is None or f.kind != "code" or not loc or not loc.start_line or not _RULE.search(str(f.rule_id)) \
            or not str(f.path or "").lower().endswith(_SCRIPT):
        return None
    lines = finding_lines(reader, f)
    if not lines or len(lines) > MAX_LINES or loc.start_line > len(lines):
        return None
    last = min(max(loc.end_line or loc.start_line, loc.start_line), len(lines))
    flagged = "".join(lines[loc.start_line - 1:last])
    whole = "".join(lines)
    if not _TAG.search(flagged) or _CALL.search(flagged) or _UNSAFE.search(whole):
        return None
    m = next((i for i in _IMPORT.finditer(whole) if re.search(r"\bhtml\b", i.group(1)) and _LIBRARY.fullmatch(i.group(2))), None)
    if m is None:
        return None
    at = whole[:m.start()].count("\n") + 1
    return {"check": "code", "status": "escaped",
            "evidence": f"not jQuery: at {f.path}:{loc.start_line} `html`...`` is the tagged template imported from "
                        f"'{m.group(2)}' (line {at}), which renders each ${{...}} value as text, an attribute value or a "
                        "property and parses none as HTML; the file uses no unsafeHTML directive or innerHTML binding"}
