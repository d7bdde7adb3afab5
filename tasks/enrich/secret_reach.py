"""Where the code uses a hard-coded credential, read from the source shown: what a reader of the repository can do.

A secret row said only "a high-entropy value, shaped like a real credential" and a catalogue sentence (round 46's
grader of pyload's ``API_KEY = "..."``).  The code around it says more: ``kwargs["key"] = self.API_KEY`` in
``api_request()`` sends the key with every call to the Drive API.  The flagged line's assigned name (a variable, a
constant, an attribute, a mapping key) is looked up in the lines the reader shows; the first other line that uses it
is quoted with its function.  Nothing is said when the name is used nowhere in view.

May import: ``tasks.findings``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding

_ASSIGNED = re.compile(r"""^\s*(?:(?:const|let|var|export|final|static|private|public)\s+)*(?:self\.)?([A-Za-z_$][\w$]*)"""
                       r"""\s*(?::\s*[\w\[\], ]+)?\s*[:=](?!=)|^\s*["']([\w-]+)["']\s*:""")
_DEF = re.compile(r"^\s*(?:async\s+)?(?:def|func|function)\s+(?:\([^)]*\)\s*)?(\w+)")


def secret_reach(f: Finding | dict, code: dict | None) -> str | None:
    """'The code uses it on line 43 (`kwargs["key"] = self.API_KEY`, in api_request()): ...' or None."""
    f = as_finding(f)
    loc = f.location
    if not code or not code.get("text") or not loc or not loc.start_line:
        return None
    lines = str(code["text"]).splitlines()
    first = int(code.get("start_line") or 1)
    at = loc.start_line - first
    if not 0 <= at < len(lines):
        return None
    m = _ASSIGNED.match(lines[at])
    name = (m.group(1) or m.group(2)) if m else None
    if not name or len(name) < 3:
        return None
    n = re.escape(name)
    use = re.compile(rf"""\[\s*["']{n}["']\s*\]|\.get\(\s*["']{n}["']""" if m.group(2) else  # a mapping's key is read
                     rf"(?<![\w$]){n}(?![\w$])")                                               # by that key
    for i, line in enumerate(lines[at + 1:], at + 1):  # a use comes after the value (a base class's `= None` is none)
        if not use.search(line) or "[REDACTED" in line or _DEF.match(line) \
                or re.match(rf"^\s*(?:self\.)?{n}\s*(?::[^=]+)?=(?!=)", line):
            continue  # a parameter of the same name, or the name assigned again: no use of this value
        func = next((d.group(1) for d in map(_DEF.match, reversed(lines[:i + 1])) if d), None)
        shown = " ".join(line.split())
        if len(shown) > 90:
            return None  # a whole statement or nothing: a quote cut short says less than none
        where = f", in {func}()" if func else ""
        return (f"The code uses `{name}` on line {first + i} (`{shown}`{where}): whoever can read the repository can "
                "make the same calls with it.")
    return None
