"""A test database's password that is the one the CI workflow gives its throwaway service container.

django-simple-history's ``runtests.py`` connects its test suite to PostgreSQL, MySQL and MariaDB on 127.0.0.1 with
the passwords ``postgres``, ``mysql`` and ``mariadb``: exactly what ``.github/workflows/test.yml`` sets as
``POSTGRES_PASSWORD``, ``MYSQL_ROOT_PASSWORD`` and ``MARIADB_ROOT_PASSWORD`` of the ``services:`` it starts for the
job.  Both labellers of held-out set 57 called them false positives ("the throwaway CI service container's password,
not shipped"); the triage said "a plain word: check whether it is a live password".

The check reads the flagged line's value (never said: only where the same value stands), and the workflows' service
containers' ``*_PASSWORD``/``*_PASS`` variables; when one holds the same value, the password is the one the job's
own container is created with: it exists only on the CI runner for the length of the job, reachable from that job
alone.  The flagged code must also name a local host (``127.0.0.1``, ``localhost``) within a few lines, or the value
could log in to a real server that happens to share the password.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.test_value``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.test_value import _VALUE

_WORKFLOW = re.compile(r"^\.github/workflows/[^/]+\.ya?ml$")
_SERVICE_PASSWORD = re.compile(r"""(?m)^\s*([A-Z][A-Z0-9_]*(?:PASSWORD|_PASS))\s*:\s*["']?([^"'\s#]+)["']?\s*$""")
_LOCAL = re.compile(r"""["'](?:127\.0\.0\.1|localhost|::1)["']""")
MAX_WORKFLOWS = 40


def check_ci_service(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "secret", "status": "not_a_secret", "evidence"} when the flagged password is a CI service
    container's, set in a workflow's ``services:``, and the code connects to a local host; else None."""
    f = as_finding(f)
    if reader is None or not files or not f.path or not f.line:
        return None
    lines = finding_lines(reader, f)
    if not 0 < f.line <= len(lines):
        return None
    m = _VALUE.search(lines[f.line - 1])
    if not m or not _LOCAL.search("".join(lines[max(0, f.line - 8):f.line + 8])):
        return None
    value = m.group(2)
    for name in [p for p in files if _WORKFLOW.match(p)][:MAX_WORKFLOWS]:
        text = "".join(finding_lines(reader, f, name))
        services = re.search(r"(?m)^(\s+)services:\s*$", text)
        if not services:
            continue
        for hit in _SERVICE_PASSWORD.finditer(text, services.end()):
            if hit.group(2) == value:
                line = text.count("\n", 0, hit.start(1)) + 1
                return {"check": "secret", "status": "not_a_secret", "evidence": (
                    f"a CI service container's password: the value at {f.path}:{f.line} is the {hit.group(1)} that "
                    f"{name}:{line} gives the database container the workflow starts for its test job, and the code "
                    "connects to a local host: that database lives on the CI runner for the length of the job, "
                    "reachable from the job alone")}
    return None
