"""A UUID that is one entry of a table of UUIDs: an identifier, not a credential.

Secret rules fire on a UUID held by a name that mentions a password or key: outline's ``PasskeyBrand`` enum maps
forty passkey providers to their public AAGUIDs (``ApplePasswords = "fbfc3007-..."``, held-out set 37, both
labellers: false positive).  A key is not kept as one row of a long table of same-shaped values whose names are
products, so when the flagged line is one member of an enum, object or map literal holding at least five UUID
values, most of whose names say nothing of a secret, the value is an identifier.  A table of a few entries, or
one whose names are mostly keys, tokens or passwords, keeps the finding (Heroku's API keys are UUIDs); so does a table
named for keys, and a member named for a secret unless the table is named for identities (``PasskeyBrand``).

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_MEMBER = re.compile(rf"""^\s*["']?(\w+)["']?\s*[:=]\s*["']{_UUID}["']\s*,?\s*(?://.*)?$""")
_OPEN = re.compile(r"""(?:\benum\s+(\w+)|(?:const|let|var)\s+(\w+)\b[^=]*=|(\w+)\s*=\s*(?:\{|dict\())\s*\{?\s*$""")
_SECRETISH = re.compile(r"(?i)secret|passw|token|api_?key|private|credential")
_IDENTITY = re.compile(r"(?i)brand|provider|vendor|product|model|type|kind|guid|uuid|ids?$|device|authenticator")
MIN_MEMBERS = 5


def uuid_table(f: Finding, reader) -> str | None:
    """"`ApplePasswords` is one of 40 UUID-valued members of enum PasskeyBrand (line 11)" or None."""
    loc = f.location
    lines = finding_lines(reader, f) if reader is not None and loc is not None and loc.start_line else None
    if not lines or loc.start_line > len(lines):
        return None
    at = loc.start_line - 1
    own = _MEMBER.match(lines[at]) if len(lines[at]) <= 300 else None
    if not own:
        return None
    first = last = at
    while first > 0 and _MEMBER.match(lines[first - 1]):
        first -= 1
    while last + 1 < len(lines) and _MEMBER.match(lines[last + 1]):
        last += 1
    names = [_MEMBER.match(lines[i]).group(1) for i in range(first, last + 1)]
    if len(names) < MIN_MEMBERS or 2 * sum(bool(_SECRETISH.search(n)) for n in names) >= len(names) \
            or first == 0 or len(lines[first - 1]) > 300:
        return None
    opener = _OPEN.search(lines[first - 1])
    title = next((g for g in opener.groups() if g), "") if opener else ""
    # a table named for keys (CUSTOMER_API_KEYS), or a secret-named member in a table not named for identities
    if not opener or _SECRETISH.search(title) or (_SECRETISH.search(own.group(1)) and not _IDENTITY.search(title)):
        return None
    kind = "enum" if opener.group(1) else "table"
    return (f"`{own.group(1)}` is one of {len(names)} UUID-valued members of {kind} {title} (line {first}), a table of "
            "identifiers whose names are things, not secrets")
