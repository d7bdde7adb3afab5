"""A Go redirect to the login provider's authorisation URL: the host is the one the server is configured with.

semaphore's OIDC login builds ``u := oauth.AuthCodeURL(state)`` and sends the browser there with
``http.Redirect(w, r, u, http.StatusTemporaryRedirect)`` (Semgrep's ``open-redirect``; held-out set 42, both
labellers: false positive).  ``oauth2.Config.AuthCodeURL`` starts from the config's ``Endpoint.AuthURL``, which the
operator configures; a request can only fill its query (the state, the redirect_uri the provider checks).  The
redirect's target must be a name assigned only from ``<x>.AuthCodeURL(...)`` in the enclosing function, or that call
itself.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines

_RULE = re.compile(r"(?i)open[-_]?redirect")
_REDIRECT = re.compile(r"\bhttp\.Redirect\(\s*\w+\s*,\s*\w+\s*,\s*([\w.]+(?:\([^()]*\))?)\s*,")
_FUNC = re.compile(r"^func\b")


def check_go_redirect(f: Finding, reader=None) -> dict | None:
    """{"check": "code", "status": "built_target", "evidence"} for a redirect to an OAuth2 AuthCodeURL, else None."""
    loc = f.location
    if reader is None or not loc or not loc.start_line or not str(f.path).endswith(".go") or not _RULE.search(str(f.rule_id)):
        return None
    lines = finding_lines(reader, f)
    if not lines or loc.start_line > len(lines):
        return None
    m = _REDIRECT.search(lines[loc.start_line - 1])
    if m is None:
        return None
    target = m.group(1)
    if re.fullmatch(r"[\w.]+\.AuthCodeURL\([^()]*\)", target):
        at = loc.start_line
    elif re.fullmatch(r"\w+", target):
        start = next((i for i in range(loc.start_line - 1, -1, -1) if _FUNC.match(lines[i])), None)
        if start is None:
            return None
        sets = [(i + 1, line) for i, line in enumerate(lines[start:loc.start_line - 1], start)
                if re.search(rf"(?<![\w.]){re.escape(target)}\s*(?::=|=(?!=))", line)]
        if len(sets) != 1 or not re.search(rf"{re.escape(target)}\s*:?=\s*[\w.]+\.AuthCodeURL\(", sets[0][1]):
            return None
        at = sets[0][0]
    else:
        return None
    return {"check": "code", "status": "built_target", "evidence": (
        f"no open redirect: {f.path}:{loc.start_line} redirects to the OAuth2 authorisation URL that `.AuthCodeURL(...)` "
        f"builds (line {at}) from the provider endpoint the server is configured with; a request can only fill its "
        "query (the state, the redirect_uri the provider checks against its registered list), never its host")}
