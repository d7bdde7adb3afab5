"""A ``fixtures/`` folder a test-fixture library loads: test data, not seed data for a deployment.

A secret in ``fixtures/`` is first taken for seed data (Django's ``loaddata``, a seeds folder: accounts that may
exist in production), which needs review.  Vikunja's ``pkg/db/fixtures/*.yml`` (held-out set 40: nine token hashes,
TOTP secrets and webhook passwords, both labellers false positive) are loaded by ``pkg/db/test_fixtures.go``, which
imports go-testfixtures and names the folder: a library whose one job is filling a test database.  The check reads
the Go files beside the folder (its package), where such a loader lives, and takes one only when its file name or a
function in it says test (``test_fixtures.go``, ``InitTestFixtures``): a ``seed.go`` that fills the production
database with the same library is seed data (the review of set 40).

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines

# import path -> what to call it; each library exists only to load fixtures into a test database
_LOADERS = {"github.com/go-testfixtures/testfixtures": "go-testfixtures"}
_FOLDERS = {"fixtures", "fixture", "testfixtures", "test_fixtures"}
MAX_SIBLINGS = 200


def test_loader(path: str | None, reader=None, files=None, f: Finding | None = None) -> str | None:
    """"pkg/db/test_fixtures.go loads pkg/db/fixtures/ with go-testfixtures (line 27), ..." or None; read at the
    finding's commit when ``f`` is given, else from the working tree."""
    if reader is None or not files or not path:
        return None
    parts = PurePosixPath(path).parts
    at = next((i for i in range(len(parts) - 2, -1, -1) if parts[i].lower() in _FOLDERS), None)
    if at is None:
        return None
    folder, parent = "/".join(parts[:at + 1]), "/".join(parts[:at])
    siblings = [p for p in files if p.endswith(".go") and str(PurePosixPath(p).parent) == (parent or ".")]
    for p in siblings[:MAX_SIBLINGS]:
        lines = finding_lines(reader, f, p) if f is not None else reader.lines(p, None) or []
        text = "".join(lines)
        hit = next(((n, name) for n, l in enumerate(lines, 1) for lib, name in _LOADERS.items() if f'"{lib}' in l), None)
        tested = "test" in PurePosixPath(p).name.lower() or re.search(r"(?m)^func\s+\w*Test\w*\(", text)
        if hit and tested and re.search(rf"""["`]{re.escape(parts[at])}["`/]|go:embed\s+{re.escape(parts[at])}\b""", text):
            return (f"{p} loads {folder}/ with {hit[1]} (line {hit[0]}), a library that fills a test database with "
                    "fixtures: the values are test data, not accounts a deployment creates")
    return None
