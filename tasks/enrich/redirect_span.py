"""The redirect call inside a Semgrep open-redirect match that spans lines, and the names its target is made of.

Semgrep's Django ``open-redirect`` match runs from the assignment to the redirect (``url = request.path`` ...
``redirect(url)``), so every name of the span looks like the target's source.  django-sesame's middleware appends the
other query parameters after ``?`` (``url += "?" + urlencode(params)``): round 67's row said ``params`` reached the
target, which only the path decides.  Both the verdict's trace (``tasks.enrich.evidence``) and the "what is wrong
here" section (``tasks.enrich.specifics``) read the redirect's own argument instead, unless a name of it is extended
by anything but a query string, where the whole span is read as before.

May import: ``tasks.findings``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding

_CALL = re.compile(r"\b(?:redirect|HttpResponse(?:Permanent)?Redirect)\(")
_NAME = re.compile(r"\b[A-Za-z_]\w*\b")
_QUERY = re.compile(r"""^\s*[rRuU]?[fF]?[rR]?(['"])\?""")  # "?" + ..., f"?{...}": text after the path's `?`


def redirect_line(f: Finding, lines: list[str], first: int) -> tuple[int, str | None]:
    """(the line index to trace names from, the redirect's argument text) for an open-redirect match over several
    ``lines`` (the flagged lines, the first at index ``first``); (first, None) for any other finding, for a span with no
    single redirect call outside comments, or when a name of the target is extended by more than a query string."""
    if len(lines) < 2 or not re.search(r"(?i)open[-_]redirect", str(f.rule_id)):
        return first, None
    hits = [i for i, line in enumerate(lines) if not line.lstrip().startswith("#") and _CALL.search(line)]
    if len(hits) != 1:
        return first, None
    at = hits[0]
    start = _CALL.search(lines[at]).end()
    argument = " ".join([lines[at][start:].strip()] + [line.strip() for line in lines[at + 1:]])  # `redirect(\n  url)`
    names = set(_NAME.findall(re.sub(r"\b(?:redirect|HttpResponse(?:Permanent)?Redirect)\b", " ", argument)))
    for line in lines[:at]:
        m = re.match(r"^\s*([A-Za-z_]\w*)\s*\+=\s*(.*)$", line)
        if m and m.group(1) in names and not _QUERY.match(m.group(2)):
            return first, None  # `target += params["next"]`: the appended part may choose the host
    return first + at, re.sub(r"\b(?:redirect|HttpResponse(?:Permanent)?Redirect)\b", " ", argument)
