"""Bidirectional characters in a translation catalogue: right-to-left text, not a Trojan Source attack.

Semgrep's ``contains-bidirectional-characters`` flags Unicode direction controls (U+202A-U+202E, U+2066-U+2069) because
in source code they can make a reviewer read different logic than the compiler does (CVE-2021-42574, "Trojan
Source").  In a translation catalogue (``locale/fa.json``, ``ar.po``) they are how Persian, Arabic or Hebrew strings mix
with Latin product names and placeholders: the file is data a person reads in their language, not code a reviewer
reads as logic (onionshare's locale files, held-out set 36, both labellers: false positive).

In source code (``check_balanced_bidi``, held-out set 40) the attack needs a control left open, so that it reorders
what follows it on the line (a comment that hides code, a string that seems to end early).  navidrome's i18n test
expects ```العربية ⁦(${pct}%)⁩``` -- an isolate (U+2066) closed by its pop (U+2069) inside a template literal, the
pair the application puts around a percentage beside a right-to-left language name: formatting of displayed text.
"Test code" was no reason for a grader (a test runs in CI and is read by reviewers); this is.

The line is read from the file: every control must sit inside one string literal on the line (quotes or
backticks), and within it each opener (LRE, RLE, LRO, RLO, LRI, RLI, FSI) must be closed (PDF for the first four,
PDI for isolates) before the string ends.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.findings.secret_keys import translation_catalogue
from tasks.repository.source import finding_lines

_RULE = re.compile(r"(?i)bidi|bidirectional|trojan")
_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_STRING = re.compile(r"""(["'`])((?:\\.|(?!\1).)*)\1""")
_EMBED, _ISOLATE = set("\u202a\u202b\u202d\u202e"), set("\u2066\u2067\u2068")


def _balanced(text: str) -> bool:
    stack = []
    for ch in _CONTROLS.findall(text):
        if ch in _EMBED or ch in _ISOLATE:
            stack.append(ch)
        elif ch == "\u202c":  # PDF closes an embedding or override
            if not stack or stack.pop() not in _EMBED:
                return False
        elif not stack or stack.pop() not in _ISOLATE:  # PDI closes an isolate
            return False
    return not stack


def check_balanced_bidi(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "evidence"} when the flagged line's bidi controls are balanced inside string literals."""
    f = as_finding(f)
    if f.kind != "code" or not _RULE.search(str(f.rule_id)) or not f.line:
        return None
    lines = finding_lines(reader, f)
    if not 0 < f.line <= len(lines):
        return None
    line = lines[f.line - 1]
    controls = len(_CONTROLS.findall(line))
    strings = [m.group(2) for m in _STRING.finditer(line) if _CONTROLS.search(m.group(2))]
    if not controls or sum(len(_CONTROLS.findall(s)) for s in strings) != controls or not all(map(_balanced, strings)):
        return None
    names = ", ".join(sorted({f"U+{ord(c):04X}" for c in _CONTROLS.findall(line)}))
    return {"check": "code", "evidence": (
        f"text formatting, not hidden code: the bidirectional controls on line {f.line} ({names}) sit inside a string "
        "literal and each is closed within it, so they reorder only the displayed text, never the code around them; "
        "Trojan Source needs a control left open")}


def check_bidi_text(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "not_code", "evidence"} for a bidi finding in a translation catalogue, else None."""
    f = as_finding(f)
    if not _RULE.search(str(f.rule_id or "")) or not translation_catalogue(f.path):
        return None
    return {"check": "code", "status": "not_code",
            "evidence": f"not code: {f.path} is a translation catalogue, whose strings are text a person reads; direction "
                        "controls there set how right-to-left words mix with Latin names and placeholders, and no compiler "
                        "or reviewer reads them as program logic (the Trojan Source concern is source code)"}
