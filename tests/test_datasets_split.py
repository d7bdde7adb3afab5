"""Split by group: no valid or test group in train, stable as data is added, byte-identical rebuilds."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from datasets_rows import finding, narrative, run_build

from tasks.core.config import load_config
from tasks.datasets.split import split_of

CFG = load_config(Path(__file__).resolve().parent.parent / "config/pipeline.yaml", environ={})["datasets"]
OPEN = CFG | {"max_rows_per_group": 3, "max_rule_share": 1.0}
SPLITS = ("train", "valid", "test")


def words(seed: str, n: int = 40) -> str:
    """A text no other seed's text resembles (so the near-duplicate filter keeps it)."""
    return " ".join(hashlib.sha256(f"{seed}{i}".encode()).hexdigest()[:7] for i in range(n))


def corpus(rules: int, per_rule: int, tag: str = "") -> tuple[list[dict], list[dict]]:
    findings, narratives = [], []
    for r in range(rules):
        for i in range(per_rule):
            name = f"{tag}r{r}-{i}"
            line = f"cur.execute(QUERY_{r}_{i} % uid)"
            fixed = f"cur.execute(QUERY_{r}_{i}, (uid,))  # {words(name, 12)}"
            f = finding(name, rule_id=f"rule.{r}", location={"path": f"src/m{r}_{i}.py", "start_line": i + 1, "end_line": i + 1},
                        snippet=line, scanner_fix={"kind": "semgrep-fix", "start_line": i + 1, "start_col": 1, "end_line": i + 1,
                                                   "end_col": len(line) + 1, "text": fixed})
            findings.append(f)
            narratives.append(narrative(f, f"## What the weakness is\nCWE-89 in src/m{r}_{i}.py. {words(f['id'])}"))
    return findings, narratives


def read(td: Path, name: str) -> list[dict]:
    return [json.loads(l) for l in (td / name).read_text().splitlines()]


def test_no_valid_or_test_group_appears_in_train(tmp_path):
    run_build(tmp_path, *corpus(60, 3), OPEN)
    for stage in ("stage1", "stage2"):
        groups = {s: {r["meta"]["group"] for r in read(tmp_path / "td", f"{stage}_{s}.jsonl")} for s in SPLITS}
        assert groups["train"] and groups["valid"] and groups["test"], stage
        assert not groups["train"] & (groups["valid"] | groups["test"]) and not groups["valid"] & groups["test"]
    s1 = read(tmp_path / "td", "stage1_train.jsonl")
    assert max(sum(1 for r in s1 if r["meta"]["group"] == g) for g in {r["meta"]["group"] for r in s1}) == 3  # groups do hold several rows
    # a finding's two stages are in the same split (stage 2 trains on top of stage 1)
    split_by_id = {r["meta"]["finding_id"]: s for s in SPLITS for r in read(tmp_path / "td", f"stage1_{s}.jsonl")}
    for s in SPLITS:
        assert all(split_by_id.get(r["meta"]["finding_id"], s) == s for r in read(tmp_path / "td", f"stage2_{s}.jsonl"))


def test_split_shares_follow_the_config_and_depend_on_the_group_only():
    groups = [f"rule:semgrep:r{i}|fix:-" for i in range(4000)]
    counts = {s: sum(1 for g in groups if split_of(g, 15, 15) == s) for s in SPLITS}
    assert 0.12 < counts["test"] / 4000 < 0.18 and 0.12 < counts["valid"] / 4000 < 0.18
    assert all(split_of(g, 15, 15) == split_of(g, 15, 15) for g in groups[:50])
    assert {split_of(g, 15, 0) for g in groups} == {"train", "valid"}


def test_adding_findings_never_moves_a_row_between_splits(tmp_path):
    base_f, base_n = corpus(30, 2)
    new_f, new_n = corpus(30, 1, tag="new")  # new findings, partly in the old groups
    run_build(tmp_path / "a", base_f, base_n, OPEN)
    run_build(tmp_path / "b", base_f + new_f, base_n + new_n, OPEN)
    for stage in ("stage1", "stage2"):
        before = {r["meta"]["finding_id"]: s for s in SPLITS for r in read(tmp_path / "a/td", f"{stage}_{s}.jsonl")}
        after = {r["meta"]["finding_id"]: s for s in SPLITS for r in read(tmp_path / "b/td", f"{stage}_{s}.jsonl")}
        common = set(before) & set(after)
        assert len(common) > 20 and all(before[i] == after[i] for i in common)


def test_same_input_gives_byte_identical_files(tmp_path):
    f, n = corpus(20, 3)
    run_build(tmp_path / "a", f, n, CFG)
    run_build(tmp_path / "b", list(reversed(f)), n, CFG)  # input order does not matter either
    names = sorted(p.name for p in (tmp_path / "a/td").iterdir())
    assert {"stage1_test.jsonl", "stage2_test.jsonl", "lint.json", "dataset_info.json"} <= set(names)
    for name in names:
        if name != "dataset_info.json":  # its input hashes differ: the findings file is reversed
            assert (tmp_path / "a/td" / name).read_bytes() == (tmp_path / "b/td" / name).read_bytes(), name
    run_build(tmp_path / "c", f, n, CFG)
    for name in names:
        assert (tmp_path / "a/td" / name).read_bytes() == (tmp_path / "c/td" / name).read_bytes(), name
