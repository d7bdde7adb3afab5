"""Scoring one generated answer against its test row, and averaging the scores.

Every check returns True / False, or None when it does not apply to the row
(a stage-1 row has no fixed version to name; a finding without code has no
patch to apply).  A metric is the share of True among the rows it applies
to, reported with that count, so "0.0 on 0 rows" never looks like a result.

The checks read the row's ``meta`` fields of the training-rows contract
(``cwe``, ``severity``, ``kind``, ``fixed_version``, ``fix_status``,
``fix_source``, ``has_diff``, ``code``, ``language``, ``path``) defensively:
a row without them is simply not scored on that metric.
"""

from __future__ import annotations

import re

from tasks.findings.versions import proposed_versions, same_version, versions_in  # noqa: F401 (versions_in: the metrics' API)
from tasks.fixes.patch_check import no_foreign_language, patch_applies

# which metrics a test set is scored on: stage 1 is analysis, stage 2 is fixing
METRICS = {
    "stage1": ("cwe_accuracy", "severity_agreement", "no_foreign_language"),
    "stage2": ("fixed_version_exact", "patch_applies", "no_foreign_language"),
}
ALL_METRICS = ("cwe_accuracy", "severity_agreement", "fixed_version_exact", "patch_applies", "no_foreign_language")

# ----------------------------------------------------------------------------- CWE

_CWE = re.compile(r"\bCWE[-_ ]?(\d{1,5})\b", re.I)
_NO_CWE = re.compile(
    r"\bno\s+(?:\w+\s+){0,2}CWE\b|\bnot\s+(?:\w+\s+){0,3}(?:a|any)\s+(?:\w+\s+)?CWE\b|\bCWE\s*:\s*(?:none|n/?a)\b", re.I
)


def cwe_ids(text: str) -> list[str]:
    """CWE ids in the order the text names them, normalised to ``CWE-<n>``."""
    return [f"CWE-{int(n)}" for n in _CWE.findall(text)]


def cwe_correct(answer: str, meta: dict) -> bool | None:
    """The first CWE the answer names is one of the row's; for a row with none, it says so and names none."""
    if not isinstance(meta.get("cwe"), list):
        return None
    expected = {c for raw in meta["cwe"] for c in cwe_ids(str(raw))}
    named = cwe_ids(answer)
    if expected:
        return bool(named) and named[0] in expected
    return not named and bool(_NO_CWE.search(answer))


# ----------------------------------------------------------------------------- severity

_SEV = r"(critical|high|medium|moderate|low|informational|info|negligible)"
_SEVERITY = re.compile(
    rf"\b{_SEV}\W{{0,3}}\s*(?:-\s*)?severity\b|\bseverity\b\W{{0,3}}\s*(?:(?:is|of|level|rating|rated|=)\W{{0,3}}\s*)*{_SEV}\b", re.I
)
_SEV_NORMAL = {"moderate": "medium", "informational": "info", "negligible": "info"}


def stated_severity(text: str) -> str | None:
    """The first severity the text states ("high severity", "Severity: HIGH")."""
    m = _SEVERITY.search(text)
    if not m:
        return None
    word = (m.group(1) or m.group(2)).lower()
    return _SEV_NORMAL.get(word, word)


def severity_agrees(answer: str, meta: dict) -> bool | None:
    expected = meta.get("severity")
    if not isinstance(expected, str) or not expected:
        return None
    return stated_severity(answer) == _SEV_NORMAL.get(expected.lower(), expected.lower())


# ----------------------------------------------------------------------------- fixed version

def fixed_version_correct(answer: str, meta: dict, prompt: str = "") -> bool | None:
    """Dependency rows: every version the answer proposes is the expected fix; with no fix published, none."""
    if meta.get("kind") != "dependency" or meta.get("fix_family") == "upgrade-parent":
        return None  # a parent's upgrade fixes it: the versions named are another package's
    expected = meta.get("fixed_version")
    if isinstance(expected, str) and expected.strip():
        choices = [e.strip() for e in expected.split(",") if e.strip()]
        proposed = proposed_versions(answer, prompt, choices[0])
        return bool(proposed) and all(any(same_version(v, e) for e in choices) for v in proposed)
    if meta.get("fix_source") == "no-fix-published" or meta.get("fix_status") == "none published":
        return not proposed_versions(answer, prompt)
    return None


# ----------------------------------------------------------------------------- rows and aggregates


def prompt_text(row: dict) -> str:
    return "\n".join(str(m.get("content", "")) for m in row.get("messages", [])[:-1] if isinstance(m, dict))


def score(test_set: str, row: dict, answer: str) -> dict:
    """The metric -> True/False/None scores of one answer to one row of ``test_set``."""
    meta = row.get("meta") if isinstance(row.get("meta"), dict) else {}
    checks = {
        "cwe_accuracy": lambda: cwe_correct(answer, meta),
        "severity_agreement": lambda: severity_agrees(answer, meta),
        "fixed_version_exact": lambda: fixed_version_correct(answer, meta, prompt_text(row)),
        "patch_applies": lambda: patch_applies(answer, meta),
        "no_foreign_language": lambda: no_foreign_language(answer, meta),
    }
    return {name: checks[name]() for name in METRICS[test_set]}


def aggregate(scores: list[dict], names=ALL_METRICS) -> dict:
    """{metric: share of True or None, "counts": {metric: rows it applied to}}."""
    out: dict = {"counts": {}}
    for name in names:
        applied = [s[name] for s in scores if s.get(name) is not None]
        out[name] = (sum(applied) / len(applied)) if applied else None
        out["counts"][name] = len(applied)
    return out
