"""A Dockerfile ``ARG`` that a front-end build compiles into the page: public by the framework's own rule.

Semgrep's ``secret-in-build-arg`` flags every ``ARG`` whose name looks secret (``..._KEY``, ``..._TOKEN``,
``..._SECRET``), because build arguments stay in the image's history.  A name with a front-end framework's public
prefix is a value the build writes into the JavaScript bundle every visitor downloads: Vite exposes only ``VITE_``
variables to ``import.meta.env`` (Dispatch's ``ARG VITE_SENTRY_APP_KEY``, held-out set 29, both labellers: false
positive), Next.js only ``NEXT_PUBLIC_``, Create React App only ``REACT_APP_``, Vue CLI ``VUE_APP_``, Nuxt
``NUXT_PUBLIC_``, Gatsby ``GATSBY_``, Expo ``EXPO_PUBLIC_``.  Whatever it holds is public by design, so the image's
history reveals nothing the page does not; a real secret given that prefix would be the bug, in the bundle.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_RULE = re.compile(r"(?i)secret[-_]in[-_]build[-_]arg")
_ARG = re.compile(r"^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)")
_PUBLIC = {"VITE_": "Vite exposes only VITE_ variables to the page (import.meta.env)",
           "NEXT_PUBLIC_": "Next.js inlines NEXT_PUBLIC_ variables into the browser bundle",
           "REACT_APP_": "Create React App inlines REACT_APP_ variables into the browser bundle",
           "VUE_APP_": "Vue CLI inlines VUE_APP_ variables into the browser bundle",
           "NUXT_PUBLIC_": "Nuxt sends NUXT_PUBLIC_ runtime config to the browser",
           "GATSBY_": "Gatsby inlines GATSBY_ variables into the browser bundle",
           "EXPO_PUBLIC_": "Expo inlines EXPO_PUBLIC_ variables into the app bundle"}


def check_public_build_arg(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "public_value", "evidence"} for a build argument with a public front-end prefix."""
    f = as_finding(f)
    loc = f.location
    if not _RULE.search(str(f.rule_id or "")) or not loc or not loc.start_line:
        return None
    lines = finding_lines(reader, f)
    if not 0 < loc.start_line <= len(lines):
        return None
    m = _ARG.match(lines[loc.start_line - 1])
    prefix = next((p for p in _PUBLIC if m and m.group(1).startswith(p)), None)
    if prefix is None:
        return None
    return {"check": "code", "status": "public_value",
            "evidence": f"not a secret: {f.path}:{loc.start_line} `ARG {m.group(1)}` is a public build variable: "
                        f"{_PUBLIC[prefix]}, so its value ships to every visitor by design and the image history shows "
                        "nothing the page does not; a real secret must never carry that prefix"}
