"""The majority baseline: one constant answer, the training split's most common verdict and CWE, scored like a model.

Why: the base model states no verdict and no CWE, so any adapter that has learned the answer's form beats it,
with an interval that excludes zero, even one that answers "true positive" to every finding and names the same
CWE for every weakness.  That is the class prior, not the job.  Scoring the constant answer a model could learn
from the label counts alone, on the same rows and with the same checks, says whether stage 2 learned more than
that: ``stage2 - majority`` in the interval table.

The constant is built from ``stage1_train.jsonl`` only (never from the test rows): the verdict the most training
answers state first and the CWE the most of them name first.  It answers stage-1 rows; it has nothing to say to
a stage-2 row (a fix), so those are not scored.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tasks.evaluation import blind
from tasks.evaluation.metrics import cwe_ids

# how the constant answer words each verdict (the words blind.stated_verdict reads)
_WORDS = {"true_positive": "True positive", "false_positive": "False positive", "needs_review": "Needs review"}


def majority_answer(train: Path) -> str | None:
    """The constant stage-1 answer, or None when the training split states no verdict (or is missing)."""
    verdicts: Counter = Counter()
    cwes: Counter = Counter()
    try:
        lines = train.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for line in lines:
        try:
            row = json.loads(line)
            answer = str(row["messages"][-1]["content"])
        except (ValueError, KeyError, IndexError, TypeError):
            continue
        verdict = blind.stated_verdict(answer)
        if verdict:
            verdicts[verdict] += 1
        named = cwe_ids(answer)
        if named:
            cwes[named[0]] += 1
    if not verdicts:
        return None
    verdict = min(verdicts, key=lambda v: (-verdicts[v], v))  # ties: the same answer on every build
    cwe = min(cwes, key=lambda c: (-cwes[c], c)) if cwes else None
    return "## Verdict\n" + _WORDS[verdict] + (f" ({cwe})" if cwe else "") + "."


def evaluate(answer: str | None, rows: dict[str, list[dict]], prompt_text, reference_answer) -> dict | None:
    """The constant answer's blind scores on the test rows, in the shape ``blind.intervals`` pairs with the models'."""
    if answer is None:
        return None
    per_row: dict = {"stage1": [], "stage2": [{m: None for m in blind.BLIND} for _ in rows.get("stage2", [])]}
    for row in rows.get("stage1", []):
        meta = row.get("meta") if isinstance(row.get("meta"), dict) else {}
        per_row["stage1"].append(blind.scores("stage1", answer, meta, prompt_text(row), blind.user_text(row),
                                              reference_answer(row)))
    return {"status": "evaluated", "answer": answer, "blind": blind.aggregate(per_row), "per_row":
            {m: blind.row_values(per_row, m) for m in blind.BLIND}}
