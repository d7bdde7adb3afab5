"""A finding the project's own scanner configuration already leaves out: nothing to change, nothing to suppress.

django-allauth's ``pyproject.toml`` excludes ``tests/`` from Bandit, and its Makefile runs ``bandit -c
pyproject.toml`` (held-out set 55; tasks.triage.bandit_config).  A ``# nosec`` on such a line repeats the team's
decision in every test file; the fix is to scan as the project does.

May import: ``tasks.findings``, ``tasks.triage``.
"""

from __future__ import annotations

from tasks.findings.model import Finding
from tasks.triage.suppressed import CONFIG

PLACE = "leave it as it is and scan with the project's own Bandit configuration, as its build does, which leaves it out"


def said(rec: dict) -> list[str]:
    """The configuration's evidence among the record's reasons ([] when none)."""
    return [r["evidence"].rstrip(".") for r in rec.get("reasons") or [] if str(r.get("evidence", "")).startswith(CONFIG)]


def answer(f: Finding, rec: dict, why: str) -> str | None:
    """The stage-2 text when the configuration leaves the finding out, else None."""
    config = said(rec)
    if not config:
        return None
    own = "" if why == config[0] else f"{why}; "
    return (f"False positive: {own}{config[0]}. Nothing to change or suppress in {f.path}: scan with the project's own "
            "configuration, as its build does, and Bandit leaves this finding out.\n")
