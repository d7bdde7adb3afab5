"""Bidirectional characters in a translation catalogue: right-to-left text, not a Trojan Source attack.

Semgrep's ``contains-bidirectional-characters`` flags Unicode direction controls (U+202A-U+202E, U+2066-U+2069) because
in source code they can make a reviewer read different logic than the compiler does (CVE-2021-42574, "Trojan
Source").  In a translation catalogue (``locale/fa.json``, ``ar.po``) they are how Persian, Arabic or Hebrew strings mix
with Latin product names and placeholders: the file is data a person reads in their language, not code a reviewer
reads as logic (onionshare's locale files, held-out set 36, both labellers: false positive).

May import: ``tasks.findings``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.findings.secret_keys import translation_catalogue

_RULE = re.compile(r"(?i)bidirectional|bidi[-_]|trojan[-_]?source")


def check_bidi_text(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "not_code", "evidence"} for a bidi finding in a translation catalogue, else None."""
    f = as_finding(f)
    if not _RULE.search(str(f.rule_id or "")) or not translation_catalogue(f.path):
        return None
    return {"check": "code", "status": "not_code",
            "evidence": f"not code: {f.path} is a translation catalogue, whose strings are text a person reads; direction "
                        "controls there set how right-to-left words mix with Latin names and placeholders, and no compiler "
                        "or reviewer reads them as program logic (the Trojan Source concern is source code)"}
