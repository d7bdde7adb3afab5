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


def demo_project(f: Finding | dict) -> str | None:
    """The name of the deliberately vulnerable project the finding is in, or None."""
    f = as_finding(f)
    loc = f.location
    texts = [f.path or "", (loc.original_path if loc else None) or "", (f.source.artifact if f.source else "") or "",
             f.snippet or "", f.description or "", f.title or ""]
    if _FINGERPRINT.search(f.path or ""):
        return "juice-shop"
    for text in texts:
        m = _DEMO.search(text)
        if m:
            return m.group(0).strip(" /\\_-.\"'=()[]:,").lower()
    return None
