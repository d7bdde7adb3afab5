"""Is the scanned code a deliberately vulnerable training application?

OWASP Juice Shop, PyGoat, WebGoat, TerraGoat, DVWA and their kin ship their
weaknesses on purpose: a private key or a Django ``SECRET_KEY`` in them is
part of the exercise, known to everyone who cloned the repository.  A fix
that tells the reader to "treat it as compromised" and revoke it presents
a lesson as an incident (a held-out review counted it harmful).  Such a
finding still gets a row, but one that says what a demo needs: move the
value to the environment if the app is deployed anywhere shared, and keep
the repository marked as intentionally vulnerable.

The evidence is only what the finding carries: its path (also as the report
wrote it), the report's artifact name, and the snippet or description (TerraGoat
tags every resource with ``git_repo = "terragoat"``).
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding

# names of well-known intentionally vulnerable applications (and the *goat family)
_DEMO = re.compile(
    r"(?i)(?:^|[^a-z0-9])(?:juice[-_ ]?shop|[a-z]*goat|dvwa|dvna|dvga|vulpy|bodgeit|mutillidae|hackazon|vampi|vulnado|"
    r"wrongsecrets|damn[-_ ]?vulnerable[\w-]*|security[-_]?shepherd|xvwa|bwapp|hackable|vulnerable[-_](?:app|api|web\w*))"
    r"(?:$|[^a-z0-9])")


# files only one of them has (Juice Shop's lib/insecurity.ts holds its keys on purpose)
_FINGERPRINT = re.compile(r"(?:^|/)lib/insecurity\.[jt]s$")


_TAGGED = re.compile(r'\bgit_repo\s*=\s*"([\w.-]+)"')  # TerraGoat tags every resource with its repository
_KNOWN: dict[str, str] = {}  # report -> the demo project it scanned (learn)


def _direct(f: Finding) -> str | None:
    """The demo project this one finding shows: a path that starts in it (its first two folders), the report's
    own folder or file name, Juice Shop's insecurity file, or a TerraGoat-style git_repo tag in the snippet."""
    if _FINGERPRINT.search(f.path or ""):
        return "juice-shop"
    loc = f.location
    for path in (f.path or "", (loc.original_path if loc else None) or ""):
        for part in [p for p in path.split("/") if p][:2]:
            if _DEMO.fullmatch("/" + part):
                return part.lower()
    artifact = (f.source.artifact if f.source else "") or ""
    m = _DEMO.search(artifact.replace("data/artifacts/", "/"))
    if m:
        return m.group(0).strip(" /\\_-.").lower()
    tag = _TAGGED.search(f.snippet or "")
    if tag and _DEMO.fullmatch("/" + tag.group(1)):
        return tag.group(1).lower()
    return None


def learn(findings) -> None:
    """Remember which reports scanned a demo project: every finding of a report that shows one is the demo's
    too (PyGoat's views are in introduction/, only its settings in pygoat/)."""
    _KNOWN.clear()
    for f in map(as_finding, findings):
        name = _direct(f)
        if name and f.source and f.source.artifact:
            _KNOWN.setdefault(f.source.artifact, name)


def demo_project(f: Finding | dict) -> str | None:
    """The name of the deliberately vulnerable project the finding is in, or None."""
    f = as_finding(f)
    return _direct(f) or (_KNOWN.get(f.source.artifact) if f.source and f.source.artifact else None)
