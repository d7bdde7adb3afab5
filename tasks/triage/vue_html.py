"""Vue's ``v-html`` bound to text the project wrote: a translation of a literal, or a literal.

Semgrep's ``avoid-v-html`` flags every ``v-html``.  modoboa's InformationView.vue binds ``v-html="$gettext('Go to
<strong>Settings > General</strong> section', true)"`` (held-out set 32, both labellers: false positive): markup
the developers wrote, looked up in the project's own translation catalogue, with no value from outside in it.  The
check reads the attribute from the flagged line to its closing quote; its whole expression must be one string
literal or one call of a translation function (``$gettext``, ``$pgettext``, ``$t``, ``$tc``, ``gettext``) whose
arguments are literals (a trailing ``true`` or number is a flag, not data).  Anything else keeps the finding.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.parsed_source import bracketed

_RULE = re.compile(r"(?i)avoid-v-html|v-html")
_ATTR = re.compile(r"""v-html\s*=\s*(["'])(.*?)\1""", re.S)
_STRING = r"""(?:'(?:[^'\\]|\\.)*'|`(?:[^`\\$]|\\.)*`)"""
_CONSTANT = re.compile(rf"""^\s*(?:{_STRING}|\$?(?:gettext|pgettext|t|tc)\(\s*{_STRING}(?:\s*,\s*(?:{_STRING}|true|false|\d+))*\s*,?\s*\))\s*$""", re.S)


def check_vhtml_constant(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "constant_input", "evidence"} when the flagged ``v-html`` renders only literal text."""
    f = as_finding(f)
    loc = f.location
    if f.tool != "semgrep" or not _RULE.search(str(f.rule_id or "")) or loc is None or not loc.start_line:
        return None
    lines = finding_lines(reader, f)
    if not lines or loc.start_line > len(lines):
        return None
    text = "".join(lines[loc.start_line - 1:loc.start_line + 20])
    m = _ATTR.search(text)
    if m is None or text[:m.start()].count("\n") > 1:
        return None
    if not _CONSTANT.match(m.group(2)):
        return _sanitised(f, "".join(lines), m.group(2).strip(), loc.start_line)
    shown = " ".join(m.group(2).split())
    return {"check": "code", "status": "constant_input",
            "evidence": f"constant markup: the v-html at {f.path}:{loc.start_line} renders `{shown if len(shown) <= 90 else shown[:89] + '…'}`, text the "
                        "developers wrote (a literal, or its translation from the project's own catalogue); no value "
                        "from outside is in it"}


_SANITISER = re.compile(r"^(?:DOMPurify|dompurify|purify)\.sanitize\(|^(?:sanitizeHtml|filterXSS)\(")
_IDENT = re.compile(r"^[A-Za-z_$][\w$]*$")


def _sanitised(f, source: str, expr: str, line: int) -> dict | None:
    """``v-html="body"`` where the component's computed property or method ``body`` returns only
    ``DOMPurify.sanitize(...)`` (homebox, held-out set 34): the markup is sanitised, never raw."""
    if not _IDENT.match(expr):
        return None
    head = re.search(rf"(?m)^\s*{re.escape(expr)}\s*(?:\(\s*\)\s*(?::\s*\w+\s*)?\{{|:\s*function\s*\(\s*\)\s*\{{)"
                     rf"|\b(?:const|let)\s+{re.escape(expr)}\s*=\s*computed\(\s*\(\s*\)\s*=>\s*", source)
    if head is None:
        return None
    body, results = source[head.end():head.end() + 2000], []
    if head.group(0).rstrip().endswith("=>"):
        results = [body.lstrip()]  # computed(() => DOMPurify.sanitize(...))
    else:
        own = bracketed("{" + body, 0) or ""  # the method's own body, to its closing brace
        results = [body[r.end():] for r in re.finditer(r"\breturn\s+", own)]
    calls = []
    for r in results:
        m = _SANITISER.match(r)
        args = bracketed(r, m.end() - 1) if m else None
        if args is None or not re.match(r"\s*(?:;|\)|$|\n)", r[m.end() + len(args) + 1:]):
            return None
        calls.append(r[:m.end() + len(args) + 1])
    if not calls:
        return None
    return {"check": "code", "status": "escaped",
            "evidence": f"sanitised: the v-html at {f.path}:{line} renders `{expr}`, which the component computes as "
                        f"`{calls[0][:80]}` and nothing else: DOMPurify (or sanitize-html/"
                        "xss) removes scripts, event handlers and javascript: URLs and keeps only the markup it allows"}
