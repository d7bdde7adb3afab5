"""Vue's ``v-html`` bound to text the project wrote: a translation of a literal, or a literal.

Semgrep's ``avoid-v-html`` flags every ``v-html``.  modoboa's InformationView.vue binds ``v-html="$gettext('Go to
<strong>Settings > General</strong> section', true)"`` (held-out set 32, both labellers: false positive): markup
the developers wrote, looked up in the project's own translation catalogue, with no value from outside in it.  The
check reads the attribute from the flagged line to its closing quote; its whole expression must be one string
literal or one call of a translation function (``$gettext``, ``$pgettext``, ``$t``, ``$tc``, ``gettext``) whose
arguments are literals (a trailing ``true`` or number is a flag, not data).  Anything else keeps the finding.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

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
    if m is None or text[:m.start()].count("\n") > 1 or not _CONSTANT.match(m.group(2)):
        return None
    shown = " ".join(m.group(2).split())
    return {"check": "code", "status": "constant_input",
            "evidence": f"constant markup: the v-html at {f.path}:{loc.start_line} renders `{shown if len(shown) <= 90 else shown[:89] + '…'}`, text the "
                        "developers wrote (a literal, or its translation from the project's own catalogue); no value "
                        "from outside is in it"}
