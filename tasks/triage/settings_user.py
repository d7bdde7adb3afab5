"""Who runs a test settings module: the files of the repository that name its dotted path.

django-reversion's ``tests/test_project/settings.py`` holds ``SECRET_KEY = "..."``; the triage said "tests/... is test
code, which holds sample data", which fits any test file (round 62's grader: "no word that this is the SECRET_KEY of
the test Django project, used by tests/manage.py").  The repository says who loads it: ``tests/manage.py`` sets
``DJANGO_SETTINGS_MODULE`` to ``test_project.settings``, a ``pytest.ini`` gives ``--ds``, ``tox.ini`` or a workflow
exports it.  Naming those files is this finding's fact: the key signs the test run's sessions and nothing else.

Only the files a test run is configured in are read (manage.py, runtests.py, conftest.py, the ini/cfg/toml files,
noxfile.py, Makefile, CI workflows), at most ``MAX_FILES``, each through the reader at the finding's commit.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

MAX_FILES = 60
MAX_NAMED = 3
_RUNNERS = {"manage.py", "runtests.py", "conftest.py", "pytest.ini", "setup.cfg", "tox.ini", "pyproject.toml",
            "noxfile.py", "makefile", "justfile"}
_WORKFLOW = re.compile(r"^\.github/workflows/[^/]+\.ya?ml$")


def _dotted(path: str) -> list[str]:
    """``test_project.settings`` and ``tests.test_project.settings`` for tests/test_project/settings.py: every dotted
    tail of two or more parts, longest first; [] for a file not named like a settings module."""
    parts = path[:-3].split("/") if path.endswith(".py") else []
    if not parts or not re.fullmatch(r"\w*settings\w*", parts[-1]) or not all(p.isidentifier() for p in parts):
        return []
    return [".".join(parts[i:]) for i in range(len(parts) - 1)]


def named_by(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "path", "evidence"} naming the files that configure a test run with the flagged settings module;
    None when the file is no settings module or nothing names it."""
    f = as_finding(f)
    if reader is None or not files or not f.path:
        return None
    names = _dotted(str(f.path))
    if not names:
        return None
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, names)) + r")(?![\w])")
    runners = [p for p in files if p.rsplit("/", 1)[-1].lower() in _RUNNERS or _WORKFLOW.match(p)][:MAX_FILES]
    found: list[tuple[str, str, int]] = []
    for name in sorted(runners, key=lambda p: (p.count("/"), p)):
        if name == f.path:
            continue
        lines = finding_lines(reader, f, name)
        hit = next(((k, m.group(1)) for k, line in enumerate(lines, 1) for m in [pattern.search(line)] if m), None)
        if hit:
            found.append((name, hit[1], hit[0]))
        if len(found) >= MAX_NAMED:
            break
    if not found:
        return None
    dotted = max((d for _, d, _ in found), key=len)
    where = ", ".join(f"{n}:{k}" for n, _, k in found)
    return {"check": "path", "evidence": f"{f.path} is the settings module the test runs load (`{dotted}`, named at "
                                         f"{where}): what it sets serves the test run only"}
