"""Blind metrics (tasks/evaluation/blind.py): copying the prompt cannot pass them; bootstrap intervals."""

from __future__ import annotations

import copy

from evaluation_rows import DEP_FIXED_S2, NOCWE_S1, SQL_DIFF, SQLI_S1, SQLI_S2

from tasks.evaluation import blind
from tasks.evaluation.metrics import prompt_text


def _parts(row):
    return row["meta"], prompt_text(row)


def test_cwe_scored_only_where_the_prompt_names_none():
    meta, prompt = _parts(SQLI_S1)  # the prompt says CWE-89
    assert blind.cwe_unprompted("This is CWE-89.", meta, prompt) is None
    hidden = copy.deepcopy(SQLI_S1)
    hidden["messages"][1]["content"] = hidden["messages"][1]["content"].replace("CWE: CWE-89\n", "")
    meta, prompt = _parts(hidden)
    assert blind.cwe_unprompted("This is CWE-89, SQL injection.", meta, prompt) is True
    assert blind.cwe_unprompted("This is CWE-79.", meta, prompt) is False
    meta, prompt = _parts(NOCWE_S1)  # no CWE in prompt, none expected: must say so
    assert blind.cwe_unprompted("The report names no CWE.", meta, prompt) is True
    assert blind.cwe_unprompted("CWE-693 applies.", meta, prompt) is False


def test_triage_verdict():
    row = copy.deepcopy(NOCWE_S1)
    meta, prompt = _parts(row)
    assert blind.triage_verdict("Probably acceptable", meta, prompt) is None  # no verdict in the row
    meta["triage"] = {"verdict": "false_positive", "reasons": ["test file"]}
    assert blind.triage_verdict("## Assessment\nProbably acceptable: a test file.", meta, prompt) is True
    assert blind.triage_verdict("This is a false positive.", meta, prompt) is True
    assert blind.triage_verdict("This is a true positive; fix it.", meta, prompt) is False
    assert blind.triage_verdict("Missing header.", meta, prompt) is False
    assert blind.triage_verdict("It needs manual review.", {"triage": {"verdict": "needs_review"}}, prompt) is True
    # a verdict the prompt states is not scored
    assert blind.triage_verdict("false positive", meta, prompt + "\nVerdict: false positive") is None
    assert blind.triage_verdict("x", {"triage": {"verdict": "maybe"}}, prompt) is None


def test_fixed_version_only_where_the_prompt_states_none():
    meta, prompt = _parts(DEP_FIXED_S2)  # expects 1.26.5
    assert "1.26.5" not in prompt
    assert blind.fixed_version_unprompted("Upgrade to 1.26.5.", meta, prompt) is True
    assert blind.fixed_version_unprompted("Upgrade to 1.27.0.", meta, prompt) is False
    given = prompt + "\nDescription: affects <1.26.5"
    assert blind.fixed_version_unprompted("Upgrade to 1.26.5.", meta, given) is None


def test_patch_must_apply_and_change_the_code():
    meta, _ = _parts(SQLI_S2)
    assert blind.patch_changes(f"```diff\n{SQL_DIFF}```", meta) is True
    context_only = "--- a/app/db.py\n+++ b/app/db.py\n@@ -11,1 +11,1 @@\n     query = \"SELECT * FROM users WHERE id = '%s'\" % uid\n"
    assert blind.patch_changes(f"```diff\n{context_only}```", meta) is False
    assert blind.patch_changes("Use parameters.", meta) is False
    assert blind.patch_changes("x", {"has_diff": False}) is None


def test_bootstrap_paired_difference():
    base = [False] * 10 + [None]
    better = [True] * 8 + [False] * 2 + [True]
    d = blind.bootstrap(better, base)
    assert d["n"] == 10 and d["value"] == 0.8 and d["low"] > 0  # a clear gain excludes zero
    same = blind.bootstrap([True, False] * 5, [False, True] * 5)
    assert same["value"] == 0 and same["low"] < 0 < same["high"]
    share = blind.bootstrap([True, True, False, False])
    assert share["value"] == 0.5 and 0 <= share["low"] <= 0.5 <= share["high"] <= 1
    assert blind.bootstrap([None, None]) is None
    assert blind.bootstrap(better, base) == d  # seeded: the same report every time


def test_intervals_and_markdown():
    per_row = {"stage1": [{"cwe_unprompted": v, "triage_verdict": None} for v in [True] * 6], "stage2": []}
    base_rows = {"stage1": [{"cwe_unprompted": False, "triage_verdict": None} for _ in range(6)], "stage2": []}
    models = {m: {"status": "evaluated", "per_row": {k: blind.row_values(r, k) for k in blind.BLIND}}
              for m, r in (("base", base_rows), ("stage1", per_row), ("stage2", per_row))}
    iv = blind.intervals(models)
    assert iv["differences"]["cwe_unprompted"]["stage2 - base"]["low"] == 1.0
    assert iv["differences"]["cwe_unprompted"]["stage2 - stage1"]["value"] == 0.0
    assert iv["models"]["triage_verdict"]["base"] is None
    md = blind.markdown(iv)
    assert "| cwe_unprompted |" in md and "+1.00 [+1.00, +1.00] (n=6) *" in md


def test_verdict_from_the_user_turn_and_stage1_only():
    row = copy.deepcopy(NOCWE_S1)
    row["messages"][0]["content"] += " Say so when the finding is probably a false positive."
    row["meta"]["triage"] = {"verdict": "false_positive", "reasons": []}
    answer = "## Verdict\nFalse positive: a test file."
    # the system prompt's instruction is not a verdict given away; the user turn decides
    got = blind.scores("stage1", answer, row["meta"], prompt_text(row), blind.user_text(row))
    assert got["triage_verdict"] is True
    assert "triage_verdict" not in blind.scores("stage2", answer, row["meta"], prompt_text(row), blind.user_text(row))


def test_cwe_unprompted_scores_only_what_the_rows_answer_teaches():
    meta, prompt = {"cwe": ["CWE-1395"]}, "Package: linux-libc-dev 4.19.160-2 (deb)\nAdvisories: CVE-2020-36158"
    taught = "## Verdict\nTrue positive.\n\nWeakness: CWE-1395, a dependency on a vulnerable component."
    untaught = "## Verdict\nTrue positive: the report says linux-libc-dev 4.19.160-2 is affected."
    assert blind.cwe_unprompted("CWE-1395.", meta, prompt, reference=taught) is True
    assert blind.cwe_unprompted("CWE-79.", meta, prompt, reference=taught) is False
    assert blind.cwe_unprompted("CWE-1395.", meta, prompt, reference=untaught) is None  # nothing taught: not scored
    assert blind.cwe_unprompted("CWE-1395.", meta, prompt) is True  # no reference given: scored as before


def _answer_row(answer: str, verdict: str, cwe: list[str], title: str = "Possible issue") -> dict:
    row = copy.deepcopy(NOCWE_S1)
    row["messages"][1]["content"] = f"Tool: semgrep\nRule: r\nTitle: {title}\nSeverity: medium"
    row["messages"][2]["content"] = answer
    row["meta"].update(cwe=cwe, triage={"verdict": verdict, "reasons": []})
    return row


def test_the_majority_baseline_is_the_class_prior_from_the_training_split(tmp_path):
    """A constant answer from the training labels is scored like a model: a stage 2 that only learned the prior
    beats the base model but not this baseline."""
    import json

    from tasks.evaluation import baseline
    from tasks.evaluation.metrics import prompt_text
    from tasks.evaluation.report import reference_answer

    train = tmp_path / "stage1_train.jsonl"
    rows = [_answer_row("## Verdict\nTrue positive (Uncontrolled Resource Consumption, CWE-400): x.", "true_positive", ["CWE-400"])] * 3
    rows += [_answer_row("## Verdict\nNeeds review (Cross-site Scripting, CWE-79): y.", "needs_review", ["CWE-79"])] * 2
    train.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n")
    answer = baseline.majority_answer(train)
    assert answer == "## Verdict\nTrue positive (CWE-400)."
    assert baseline.majority_answer(tmp_path / "missing.jsonl") is None

    test = {"stage1": [_answer_row("## Verdict\nTrue positive (Uncontrolled Resource Consumption, CWE-400): a.", "true_positive", ["CWE-400"]),
                       _answer_row("## Verdict\nTrue positive (SQL Injection, CWE-89): b.", "true_positive", ["CWE-89"]),
                       _answer_row("## Verdict\nNeeds review (Cross-site Scripting, CWE-79): c.", "needs_review", ["CWE-79"])],
            "stage2": [copy.deepcopy(DEP_FIXED_S2)]}
    majority = baseline.evaluate(answer, test, prompt_text, reference_answer)
    assert majority["blind"]["cwe_unprompted"] == {"value": 1 / 3, "n": 3}
    assert majority["blind"]["triage_verdict"] == {"value": 2 / 3, "n": 3}
    assert majority["blind"]["fixed_version_unprompted"] == {"value": None, "n": 0}  # a constant has no fix to offer
    # a stage 2 that says the prior to every row: above the base model, level with the majority
    prior = {"stage1": [{"cwe_unprompted": v, "triage_verdict": w} for v, w in ((True, True), (False, True), (False, False))],
             "stage2": [{m: None for m in blind.BLIND}]}
    none = {"stage1": [{"cwe_unprompted": False, "triage_verdict": False}] * 3, "stage2": [{m: None for m in blind.BLIND}]}
    models = {m: {"status": "evaluated", "per_row": {k: blind.row_values(r, k) for k in blind.BLIND}}
              for m, r in (("base", none), ("stage1", prior), ("stage2", prior))}
    iv = blind.intervals({**models, "majority": majority})
    assert iv["differences"]["triage_verdict"]["stage2 - base"]["value"] > 0
    assert iv["differences"]["triage_verdict"]["stage2 - majority"]["value"] == 0
    assert iv["differences"]["cwe_unprompted"]["stage2 - majority"] == {"value": 0.0, "low": 0.0, "high": 0.0, "n": 3}
    md = blind.markdown(iv)
    header = [c.strip() for c in md.splitlines()[2].split("|")[1:-1]]
    assert header == ["metric", "base", "stage1", "stage2", "majority", "stage1 - base", "stage2 - base", "stage2 - stage1",
                      "stage2 - majority"]
