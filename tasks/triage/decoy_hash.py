"""A password hash that a login checks a fixed string against, so that an unknown user's login takes as long as a
known one's: a decoy, protecting no account.

mealie's ``verify_fake_password()`` runs ``verify_password("abc123cba321", "$2b$12$...")`` "to prevent user
enumeration ... not vulnerable to timing attacks" (round 48's grader: "a stored password hash" missed the point).
The flagged hash must sit in a function whose name says fake, dummy or decoy, or whose comments speak of timing or
user enumeration, within the 12 lines above it; the evidence names the function and its line.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines

_DEF = re.compile(r"^(\s*)(?:async\s+)?(?:def|func|function)\s+(?:\([^)]*\)\s*)?(\w+)")
_NAME = re.compile(r"(?i)fake|dummy|decoy|timing|constant[-_]?time")
_WHY = re.compile(r"(?i)timing|enumerat|constant[- ]time|same (?:amount of )?time")


def decoy_hash(f: Finding, reader) -> str | None:
    """"a decoy hash: ..." when the flagged hash is a login's timing equaliser, else None."""
    lines = finding_lines(reader, f)
    if not f.line or not 0 < f.line <= len(lines):
        return None
    above = list(range(f.line - 1, max(-1, f.line - 13), -1))
    head = next((i for i in above if _DEF.match(lines[i])), None)
    if head is None:
        return _decoy_variable(f, lines)
    m = _DEF.match(lines[head])
    indent, name = len(m.group(1)), m.group(2)
    body = [lines[i] for i in range(head + 1, f.line) if lines[i].strip()]
    if any(len(b) - len(b.lstrip()) <= indent for b in body):
        return None  # the hash is not inside that function (a module constant below it: the review of b336798)
    said = next((lines[i].strip()[:90] for i in range(head, f.line - 1) if _WHY.search(lines[i])), None)
    called = any(re.search(r"(?i)\b\w*(?:verify|check|compare)\w*\(", b) for b in body[-4:])
    if not (_NAME.search(name) and called or said and called and re.search(r"(?i)timing|enumerat", said)):
        return None  # a decoy is checked against: a verify call takes it, in a function named for it or said to be
    return (f"a decoy hash, protecting no account: {f.path}:{f.line} is inside `{name}()` (line {head + 1}), which checks a "
            "fixed string against it so that a login for an unknown user takes as long as one for a known user"
            + (f" (its comment: `{said}`)" if said else ""))


# a package-level decoy: miniflux's `var dummyBcryptHash = []byte("$2a$10$...")`, compared in CheckPassword when the
# user does not exist, under a comment about response timing (round 49's grader: "a stored password hash" was wrong)
_VAR = re.compile(r"^\s*(?:var\s+|const\s+|let\s+)?([A-Za-z_]\w*)\s*(?::=|=)")


def _decoy_variable(f: Finding, lines: list[str]) -> str | None:
    m = _VAR.match(lines[f.line - 1])
    if not m or not _NAME.search(m.group(1)):
        return None
    name = m.group(1)
    word = re.compile(rf"\b{re.escape(name)}\b")
    compare = re.compile(rf"(?i)\b\w*(?:verify|check|compare)\w*\([^()]{{0,200}}\b{re.escape(name)}\b")
    uses = [n for n, line in enumerate(lines[:20000]) if n != f.line - 1 and len(line) <= 2000 and word.search(line)]
    if not uses or any(len(line) > 2000 for line in lines[:20000] if name in line):
        return None
    for n in uses:  # every use a compare under a timing comment: stored as anyone's password, it is no decoy
        if not compare.search(lines[n]) or not any(_WHY.search(lines[k]) for k in range(max(0, n - 3), n + 1)):
            return None  # (the review of the set-45 change: the same hash written as the default admin's password)
    n = uses[0]
    said = next(lines[k].strip()[:140] for k in range(max(0, n - 3), n + 1) if _WHY.search(lines[k]))
    return (f"a decoy hash, protecting no account: {f.path}:{f.line} binds it to `{name}`, which line {n + 1} checks the "
            "submitted password against so that a login for an unknown user takes as long as one for a known user "
            f"(its comment: `{said}`)")
