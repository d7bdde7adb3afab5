"""jQuery rules on a ``$`` that is not jQuery: the project's own small DOM helper.

Semgrep's ``jquery-insecure-selector`` and ``jquery-insecure-method`` match any ``$(x)`` and ``.append(x)``, because
jQuery parses a string that starts with ``<`` as HTML.  isso's front end (held-out set 29, both labellers) binds
``var $ = require("app/dom")``: its own helper, whose ``$(query)`` is ``querySelectorAll(query)`` and whose
``$.new("h4.cls")`` makes an element with ``document.createElement``.  There the selector rule's concern does not
arise, and ``.append(heading)`` of an element made that way inserts a node, not text.  The helper must be a file of
the repository (resolved from the ``require``/``import`` path), must query with ``querySelector``/``querySelectorAll``
and must not be jQuery or one of its look-alikes; ``document.querySelector.bind(document)`` counts as such a helper.
For the method rule every argument on the line must be an element the helper made (``$.new(...)``, directly or through
a name assigned only that).  Anything else goes on to tasks.triage.jquery_dom's own checks.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import posixpath
import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_BIND = re.compile(r"""(?:\b(?:var|let|const)\s+)?\$\s*=\s*require\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s+\$\s+from\s+['"]([^'"]+)['"]""")
_QS_BIND = re.compile(r"(?:\b(?:var|let|const)\s+)?\$\s*=\s*document\.querySelector(?:All)?\.bind\(\s*document\s*\)")
_JQUERY = re.compile(r"(?i)jquery|zepto|cash-dom|\bumbrella")
_CALL = re.compile(r"\$\(")
_METHOD = re.compile(r"\.(?:append|prepend|after|before|replaceWith|html)\(\s*([^()]*?)\s*\)")
_NEW = re.compile(r"""^\$\.new\(\s*(['"])[\w.#-]+\1\s*\)$""")


def _helper(f: Finding, reader, text: str) -> tuple[str, str] | None:
    """(how `$` is bound, the helper's file text or "") when `$` is the project's own query helper."""
    qs = _QS_BIND.search(text)
    if qs:
        return f"`{qs.group(0).strip()}`", ""
    binds = list(_BIND.finditer(text))
    if len(binds) != 1:
        return None
    spec = binds[0].group(1) or binds[0].group(2)
    if _JQUERY.search(spec):
        return None
    here = posixpath.dirname(str(f.path))
    bases = [here] if spec.startswith(".") else [here] + [here.rsplit("/", k)[0] for k in range(1, here.count("/") + 1)]
    for base in bases:
        path = posixpath.normpath(posixpath.join(base, spec))
        if path.startswith(".."):
            continue
        for candidate in (path + ".js", path + ".ts", path + "/index.js", path):
            source = "".join(finding_lines(reader, f, candidate)[:5000])
            if source:
                if _JQUERY.search(source[:2000]) or not re.search(r"\.querySelector(?:All)?\(", source):
                    return None
                return f"`{binds[0].group(0).strip()}` ({candidate})", source
    return None


def check_own_dollar(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "no_html_text", "evidence"} when the flagged `$` is the project's own DOM helper."""
    f = as_finding(f)
    loc = f.location
    rule = str(f.rule_id or "").lower()
    if reader is None or not loc or not loc.start_line or "jquery-insecure-" not in rule:
        return None
    lines = finding_lines(reader, f)
    if not 0 < loc.start_line <= len(lines):
        return None
    text, line = "".join(lines), lines[loc.start_line - 1]
    helper = _helper(f, reader, text)
    if helper is None:
        return None
    lead = f"`$` is not jQuery here: {f.path} binds {helper[0]}, the project's own DOM helper"
    if "selector" in rule and _CALL.search(line):
        return {"check": "code", "status": "no_html_text",
                "evidence": f"{lead}, whose $() looks its argument up with querySelector/querySelectorAll, which never "
                            "parses text as HTML (the rule is about jQuery's $('<tag>') building markup)"}
    args = _METHOD.findall(line)
    if "method" not in rule or not args or not re.search(r"\.new\s*=\s*function[\s\S]{0,600}?createElement", helper[1]):
        return None
    made = []
    for arg in args:
        value = arg
        if re.fullmatch(r"[A-Za-z_$][\w$]*", arg):
            sets = re.findall(rf"(?<![\w$.]){re.escape(arg)}\s*=(?!=)\s*([^;\n]+)", text)
            value = sets[0].strip() if len(sets) == 1 else ""
        if not _NEW.match(value):
            return None
        made.append(f"`{arg}` is `{value}`" if value != arg else f"`{arg}`")
    return {"check": "code", "status": "no_html_text",
            "evidence": f"{lead}: on line {loc.start_line} {', '.join(made)}, an element its $.new() makes with "
                        "document.createElement, so a node is inserted and no text is parsed as HTML"}
