"""A docs site's browser script that reads its own URL: the page runs it for every reader (held-out set 39).

mitmproxy's ``docs/src/assets/search.js`` is loaded on every page of the public docs site and reads ``?search=``
from its URL into ``innerHTML``; "documentation, not run" was a wrong fact (set 39's stage-1 grader).  Such a script
is judged as code (escaping, constants), never dismissed by its folder; so is a site template whose inline script
reads the URL (a Hugo layout writing ``location.search`` into ``innerHTML``: the review).

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding

_URL_INPUT = re.compile(r"\b(?:location\.(?:search|hash|href)|URLSearchParams|searchParams|document\.(?:URL|documentURI|"
                        r"referrer)|window\.name)\b|\bnew URL\(\s*(?:window\.|document\.)?location\b")


def reads_the_url(f: Finding, reader) -> bool:
    """A browser script of a docs site that reads its own URL: attacker-set input on a published page."""
    if PurePosixPath(str(f.path)).suffix.lower() not in (".js", ".mjs", ".ts", ".html", ".htm") or reader is None:
        return False
    from tasks.repository.source import finding_lines

    return bool(_URL_INPUT.search("".join(finding_lines(reader, f))))
