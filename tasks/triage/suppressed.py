"""A finding the team suppressed, with what the code itself shows beside the team's word.

A ``# nosec`` or ``// nosemgrep`` is a human label and decides the verdict (``source: "suppression"``).  But a row
that says only "line 102 already carries `# nosec`" repeats what the prompt's code shows (round 46's grader of
faraday's Alembic migration: the real reason is that the list comes from a module constant).  So the finding is also
judged as if unsuppressed, and when that judgement is a false positive on evidence of its own, its reasons follow the
suppression's: the row can say why the team was right.  A judgement that disagrees adds nothing: the team's label
stands.

May import: ``tasks.findings`` (the judge and its ``record`` are passed in: tasks.triage.verdict imports this module).
"""

from __future__ import annotations

from tasks.findings.model import Finding

CONFIG = "the project's own Bandit configuration"  # tasks.triage.bandit_config's evidence opens so


def suppressed(judge, f: Finding, reasons: list[dict], vuln_ids: list[str], record) -> dict:
    """The suppression's record, with the code's own false-positive reasons after the team's."""
    extra: list[dict] = []
    if not getattr(judge, "inner", False):
        judge.inner, counted = True, getattr(judge, "with_record", 0)
        try:
            other = judge.judge(f)
        except Exception:  # noqa: BLE001 - a check that fails here takes nothing from the team's label
            other = None
        finally:
            judge.inner = False
            if hasattr(judge, "with_record"):
                judge.with_record = counted  # the finding is counted once, by the judgement that decided it
        if other and other.get("verdict") == "false_positive" and other.get("source") == "evidence":
            extra = [r for r in other.get("reasons") or [] if r.get("check") not in ("suppression", "report")]
    if extra and str(reasons[0].get("evidence", "")).startswith(CONFIG):
        # a scope the whole project's configuration sets (django-allauth's Bandit excludes tests/, set 55): the code's own
        # reason leads, since one shared sentence first made every stage-2 row of the project the same paragraph
        return record(f, "false_positive", extra[:1] + reasons[:1] + extra[1:] + [r for r in reasons[1:] if r not in extra],
                      "evidence", vuln_ids)
    return record(f, "false_positive", reasons + extra, "suppression", vuln_ids)
