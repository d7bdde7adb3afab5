"""Metrics that copying the prompt cannot pass, and bootstrap intervals for them.

Why: a first run with a real model "learned" the CWE by repeating the one the
prompt states (38/53 right, 0/10 where the prompt names none).  These checks
score a row only on what its prompt does not give away:

- ``cwe_unprompted``: the CWE (``metrics.cwe_correct``) on stage-1 rows whose
  prompt names no CWE id;
- ``triage_verdict``: the verdict (``meta.triage.verdict``: true_positive,
  false_positive, needs_review, from the triage phase) the answer states
  first, on rows whose prompt does not state it;
- ``fixed_version_unprompted``: ``metrics.fixed_version_correct`` on
  dependency rows whose prompt contains no expected fixed version (an
  advisory range "affects <7.5.2" gives 7.5.2 away);
- ``patch_changes``: ``patch_applies`` (the diff applies with exact context
  and the result parses) and the patched code differs from the original,
  so an empty or context-only diff fails.

``bootstrap`` gives percentile 95% intervals, paired by row, for a model's
share and for the difference between two models on the same rows.
"""

from __future__ import annotations

import re

from tasks.evaluation.metrics import (
    cwe_correct,
    cwe_ids,
    fixed_version_correct,
    same_version,
    versions_in,
)
from tasks.fixes.patch_check import apply_patch, extract_diff, patch_applies

BLIND = ("cwe_unprompted", "triage_verdict", "fixed_version_unprompted", "patch_changes")
VERDICTS = ("true_positive", "false_positive", "needs_review")
_VERDICT_WORDS = [
    ("false_positive", r"false[\s_-]+positive|probably acceptable|not a (?:real |security )?(?:issue|vulnerability|weakness|rule)"),
    ("needs_review", r"needs?[\s_-]+(?:manual\s+|human\s+)?review|cannot (?:be )?(?:tell|decided?)|undecided"),
    ("true_positive", r"true[\s_-]+positive|real (?:issue|vulnerability|weakness|finding)|confirmed (?:issue|vulnerability)"),
]
_VERDICT_RE = re.compile("|".join(f"(?P<{name}>{words})" for name, words in _VERDICT_WORDS), re.I)


def stated_verdict(text: str) -> str | None:
    """The first triage verdict the text states (true_positive, false_positive or needs_review)."""
    m = _VERDICT_RE.search(text)
    return m.lastgroup if m else None


def cwe_unprompted(answer: str, meta: dict, prompt: str, reference: str | None = None) -> bool | None:
    """``reference``: the row's own answer.  A row whose answer does not name its CWE (a dependency row with
    only the catch-all CWE-1395, a config check with none) does not teach it, so the model is not scored on it."""
    if cwe_ids(prompt) or (reference is not None and cwe_correct(reference, meta) is not True):
        return None
    return cwe_correct(answer, meta)


def triage_verdict(answer: str, meta: dict, prompt: str) -> bool | None:
    triage = meta.get("triage")
    expected = triage.get("verdict") if isinstance(triage, dict) else None
    if expected not in VERDICTS or stated_verdict(prompt) == expected:
        return None
    return stated_verdict(answer) == expected


def fixed_version_unprompted(answer: str, meta: dict, prompt: str) -> bool | None:
    expected = meta.get("fixed_version")
    if isinstance(expected, str) and expected.strip():
        seen = versions_in(prompt)
        if any(same_version(e.strip(), s) for e in expected.split(",") if e.strip() for s in seen):
            return None
    return fixed_version_correct(answer, meta, prompt)


def patch_changes(answer: str, meta: dict) -> bool | None:
    ok = patch_applies(answer, meta)
    if not ok:
        return ok
    patched = apply_patch(extract_diff(answer), meta["code"])
    return patched is not None and patched.rstrip() != meta["code"]["text"].rstrip()


def scores(test_set: str, answer: str, meta: dict, prompt: str, user: str | None = None,
           reference: str | None = None) -> dict:
    """The blind metrics that apply to ``test_set`` (stage 1: CWE and verdict; stage 2: version and patch).

    ``user``: the user turn alone, for the verdict (the stage-1 system prompt asks the model to "say so when
    the finding is probably a false positive", which is not a verdict given away).  The verdict is scored on
    stage-1 rows only: a stage-2 answer is a fix, whose reference states no verdict.
    """
    if test_set == "stage1":
        return {"cwe_unprompted": cwe_unprompted(answer, meta, prompt, reference),
                "triage_verdict": triage_verdict(answer, meta, prompt if user is None else user)}
    return {"fixed_version_unprompted": fixed_version_unprompted(answer, meta, prompt), "patch_changes": patch_changes(answer, meta)}


def user_text(row: dict) -> str:
    return "\n".join(str(m.get("content", "")) for m in row.get("messages", [])[:-1] if isinstance(m, dict) and m.get("role") == "user")


def bootstrap(values: list, base: list | None = None, samples: int = 2000, seed: int = 0) -> dict | None:
    """Share (or, with ``base``, the paired difference) with a percentile 95% interval; None without rows.

    ``values`` and ``base`` hold True/False/None per row, in the same row
    order; only rows scored for both count.  Resampling rows (not answers)
    keeps the pairing, so the interval is that of the difference itself.
    """
    import numpy as np

    pairs = [(v, b) for v, b in zip(values, base if base is not None else [0] * len(values)) if v is not None and b is not None]
    if not pairs:
        return None
    diff = np.array([float(v) - float(b) for v, b in pairs])
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), size=(samples, len(diff)))].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return {"value": float(diff.mean()), "low": float(lo), "high": float(hi), "n": len(pairs)}


SAMPLES = 2000
COMPARISONS = (("stage1", "base"), ("stage2", "base"), ("stage2", "stage1"), ("stage2", "majority"))
ORDER = ("base", "stage1", "stage2", "majority")  # majority: tasks.evaluation.baseline's constant answer


def row_values(per_row: dict, metric: str) -> list:
    """One metric's True/False/None for every test row (stage 1 rows, then stage 2), the same order for every model."""
    return [s.get(metric) for test_set in ("stage1", "stage2") for s in per_row.get(test_set, [])]


def aggregate(per_row: dict) -> dict:
    """{metric: {"value": share, "n": rows scored}} for each blind metric."""
    out = {}
    for metric in BLIND:
        vals = [v for v in row_values(per_row, metric) if v is not None]
        out[metric] = {"value": sum(vals) / len(vals) if vals else None, "n": len(vals)}
    return out


def intervals(models: dict) -> dict:
    """Bootstrap intervals: each evaluated model's share, and stage1-base, stage2-base, stage2-stage1 differences.

    stage2 - stage1 on the stage-1 metrics (CWE, verdict) is the skill kept
    after stage 2: an interval below zero is forgetting.
    """
    rows = {m: r["per_row"] for m, r in models.items() if r.get("status") == "evaluated" and "per_row" in r}
    out: dict = {"models": {}, "differences": {}}
    for metric in BLIND:
        out["models"][metric] = {m: bootstrap(v[metric], samples=SAMPLES) for m, v in rows.items()}
        out["differences"][metric] = {f"{a} - {b}": bootstrap(rows[a][metric], rows[b][metric], samples=SAMPLES)
                                      for a, b in COMPARISONS if a in rows and b in rows}
    return out


def _ci(c: dict | None, signed: bool = False) -> str:
    if not c:
        return "n/a"
    fmt = "{:+.2f}" if signed else "{:.2f}"
    mark = " *" if signed and (c["low"] > 0 or c["high"] < 0) else ""
    return f"{fmt.format(c['value'])} [{fmt.format(c['low'])}, {fmt.format(c['high'])}] (n={c['n']}){mark}"


def markdown(iv: dict) -> str:
    """The blind-metric table: shares and differences with 95% intervals (* = interval excludes zero)."""
    models = sorted({m for per in iv.get("models", {}).values() for m in per}, key=ORDER.index)
    comps = [f"{a} - {b}" for a, b in COMPARISONS]
    text = ("## Blind metrics (what the prompt does not give away), bootstrap 95% intervals\n\n"
            "| metric | " + " | ".join(models + comps) + " |\n|---|" + "---:|" * (len(models) + len(comps)) + "\n")
    for metric in BLIND:
        cells = [_ci(iv["models"][metric].get(m)) for m in models]
        cells += [_ci(iv["differences"][metric].get(c), signed=True) for c in comps]
        text += f"| {metric} | " + " | ".join(cells) + " |\n"
    return text + ("\n`*`: the interval excludes zero. stage2 - stage1 on cwe_unprompted and triage_verdict is the stage-1 skill kept "
                   "after stage 2. majority: one constant answer, the training split's most common verdict and CWE (class prior); "
                   "stage2 - majority above zero is more than the prior.\n")
