"""Rows from a real checkout: code read at the run's commit in the prompt, fixes mined from git history as answers."""

from __future__ import annotations

import json
from pathlib import Path

from test_enrich_datasets import kb_path  # noqa: F401  (module-scoped KB fixture)
from test_history import scanned  # noqa: F401  (a repository scanned by Bandit at two commits)

from tasks.core import atomic
from tasks.core.config import load_config
from tasks.datasets.build import build
from tasks.enrich import enrich
from tasks.fixes.mined import mine_fixes
from tasks.repository.source import SourceReader

CFG = load_config(Path(__file__).resolve().parent.parent / "config/pipeline.yaml", environ={})["datasets"]


def test_prompts_show_code_at_the_commit_and_mined_fixes_are_the_answers(tmp_path, scanned, kb_path):  # noqa: F811
    findings = tmp_path / "findings.jsonl"
    atomic.write_jsonl(findings, scanned["findings"])
    runs = tmp_path / "runs.jsonl"
    atomic.write_jsonl(runs, scanned["runs"])
    enrich(findings, kb_path, tmp_path / "narratives.jsonl", tmp_path / "cache.jsonl", 3)
    cfg = CFG | {"context_lines": 2, "max_rule_share": 1.0}
    info = build(findings, tmp_path / "narratives.jsonl", tmp_path / "td", cfg, {"repo_path": str(scanned["repo"]), "runs": str(runs)})
    rows = {s: {r["meta"]["rule_id"]: r for n in ("train", "valid", "test")
                for r in map(json.loads, (tmp_path / f"td/stage{s}_{n}.jsonl").read_text().splitlines())} for s in (1, 2)}
    mined = {m["finding_id"]: m for m in mine_fixes(scanned["findings"], scanned["runs"], SourceReader(scanned["repo"]), 2)}
    by_rule = {f["rule_id"]: f for f in scanned["findings"]}
    for rule in ("B506", "B324"):  # fixed between A and B: the team's own diff is the answer
        row, m = rows[2][rule], mined[by_rule[rule]["id"]]
        assert row["meta"]["fix_source"] == "git-history" and row["meta"]["has_diff"]
        assert row["messages"][-1]["content"].startswith(f"```diff\n{m['diff']}")
        assert row["meta"]["expected_diff"] == m["diff"] and row["meta"]["code"]["text"] == m["before"]
        assert f"commit {scanned['a'][:12]}" in row["messages"][1]["content"] and m["before"] in row["messages"][1]["content"]
    # B602 is still reported at B: its prompt shows the code at B, two lines around the finding
    b602 = rows[1]["B602"]["messages"][1]["content"]
    assert f"commit {scanned['b'][:12]}" in b602 and "return subprocess.call(command, shell=True)" in b602
    assert "def run(command):" in b602 and "import yaml" not in b602  # context_lines, not the whole file
    # no mined fix and no change to this code (only the generic no-shell pattern): no stage-2 row rather than a template
    from tasks.datasets.rows import GENERIC_PATTERN

    assert "B602" not in rows[2] and info["stage2_dropped"].get(GENERIC_PATTERN) == 1
    assert info["stage2_fix_sources"]["git-history"] == 2


def test_a_stage2_diff_must_apply_to_the_file_at_the_runs_commit(scanned):  # noqa: F811
    """With source.repo_path set every stage-2 diff goes through `git apply --check` against the file at its commit."""
    from tasks.datasets.sources import Source

    source = Source(str(scanned["repo"]), None, 2)
    (m,) = [m for m in mine_fixes(scanned["findings"], scanned["runs"], SourceReader(scanned["repo"]), 2)
            if "yaml" in m["diff"]]
    row = {"meta": {"has_diff": True, "expected_diff": m["diff"], "code": {"path": m["path"]}}}
    assert source.applies(row, None, scanned["a"]) is True
    assert source.applies(row, None, scanned["b"]) is False  # already applied at B: the context no longer matches
    moved = {"meta": dict(row["meta"], code={"path": "/" + m["path"]})}
    assert source.applies(moved, None, scanned["a"]) is False  # an absolute path is never applied
    assert Source(None, None, 2).applies(row, None, scanned["a"]) is None  # no checkout: not judged
