"""Whether a swallowed exception in a security check fails closed: the statement after the handler refuses.

Bandit's B110 (``try/except/pass``) around a password check fails open only when the code after the handler goes on
as if the check had passed.  glances' REST API (held-out set 24) decodes the Basic header and checks the password in
a ``try`` whose ``except Exception: pass`` falls through to ``return False``: any error denies access.

May import: ``tasks.findings``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding

_DENIES = re.compile(r"^\s*(?:return(?:\s+(?:False|None|0|\[\]|\{\}|''|\"\"))?\s*$|raise\b|abort\(\s*40[134]"
                     r"|return\s+[\w.]*(?:Forbidden|Unauthori[sz]ed|NotFound)\w*\()")


def flagged_handler(f: Finding, reader) -> tuple[list[str], int] | None:
    """(the file's lines, index of the ``except`` at or above the flagged line), read at the finding's commit; None
    without a file or a handler (tasks.triage.report_signals.try_body reads the body above the same line)."""
    loc = f.location
    if reader is None or loc is None or not loc.path or not loc.start_line:
        return None
    try:
        lines = reader.lines(loc.path, reader.resolve(f.source.commit if f.source else None)) or []
    except Exception:  # noqa: BLE001 - an unreadable file: no evidence
        return None
    first = next((n for n in range(min(loc.start_line, len(lines)) - 1, -1, -1) if re.match(r"^\s*except\b", lines[n])), None)
    return (lines, first) if first is not None else None


def fails_closed(f: Finding | dict, reader) -> str | None:
    """``line N: `return False``` when the statement after the flagged handler denies (set 24: glances' auth check)."""
    found = flagged_handler(as_finding(f), reader)
    if found is None:
        return None
    lines, first = found
    indent = len(lines[first]) - len(lines[first].lstrip())
    for n in range(first + 1, min(len(lines), first + 60)):
        text = lines[n]
        if not text.strip() or text.lstrip().startswith("#") or len(text) - len(text.lstrip()) > indent:
            continue
        if re.match(r"^\s*(?:except\b|else\s*:|finally\s*:)", text):
            return None  # another handler or a finally: what runs next is not one statement
        return f"line {n + 1}: `{text.strip()[:60]}`" if _DENIES.match(text) else None
    return None
