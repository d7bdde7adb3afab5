"""datasets.public_corpus: stage-1 rows from vulnerable/fixed code pairs (tasks/datasets/public_corpus.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from datasets_rows import finding, narrative, run_build

from tasks.core.config import load_config
from tasks.datasets import public_corpus
from tasks.datasets.split import split_of
from tasks.core.errors import SecftError
from tasks.evaluation.metrics import cwe_ids

FIXTURE = Path(__file__).parent / "fixtures/public_corpus/cvefixes_style.jsonl"
CFG = load_config(Path(__file__).resolve().parent.parent / "config/pipeline.yaml", environ={})["datasets"]


def test_rows_name_the_cwe_in_the_answer_only():
    rows, info = public_corpus.rows({"path": str(FIXTURE)}, [], 1500)
    by_cve = {r["meta"]["rule_id"]: r for r in rows}
    # kept: the two files of FIXTURE-0001, 0002, 0006 and CVE-2021-33503 (no scanner finding names it here)
    assert sorted(by_cve) == ["CVE-2021-33503", "FIXTURE-0001", "FIXTURE-0002", "FIXTURE-0006"] and len(rows) == 5
    # left out, each for its reason: an uncatalogued CWE, no severity, no change between the versions
    assert info["left_out"] == {"no catalogued CWE": 1, "no severity": 1, "no change": 1}
    for row in rows:
        prompt, answer = row["messages"][1]["content"], row["messages"][2]["content"]
        assert not cwe_ids(prompt) and cwe_ids(answer)[0] == row["meta"]["cwe"][0]
        assert "```diff\n--- a/" in answer
    sqli = by_cve["FIXTURE-0001"]
    assert sqli["meta"]["cwe"] == ["CWE-89"] and sqli["meta"]["severity"] == "high" and sqli["meta"]["language"] == "python"
    assert "SQL Injection" in sqli["messages"][2]["content"]
    assert by_cve["FIXTURE-0006"]["meta"]["cwe"] == ["CWE-798"] and by_cve["FIXTURE-0006"]["meta"]["severity"] == "medium"


def test_cap_group_and_no_leak_into_scanner_findings():
    scanner = [finding("dep", cve=["CVE-2021-33503"])]
    rows, info = public_corpus.rows({"path": str(FIXTURE), "max_rows": 3}, scanner, 1500)
    assert len(rows) == 3 and info["capped"] == 1 and info["left_out"]["CVE also in a scanner finding"] == 1
    assert all(r["meta"]["rule_id"] != "CVE-2021-33503" for r in rows)
    # the same input gives the same rows (stable order by group hash)
    assert rows == public_corpus.rows({"path": str(FIXTURE), "max_rows": 3}, scanner, 1500)[0]


def test_build_puts_a_whole_cve_in_one_split(tmp_path):
    f = [finding("a")]
    cfg = CFG | {"public_corpus": {"path": str(FIXTURE)}, "valid_percent": 30, "test_percent": 30}
    info = run_build(tmp_path, f, [narrative(f[0], "## What the weakness is\nCWE-89 in app/db.py.")], cfg)
    assert info["public_corpus"]["rows"] == 5
    where = {}
    for split in ("train", "valid", "test"):
        for line in (tmp_path / "td" / f"stage1_{split}.jsonl").read_text().splitlines():
            row = json.loads(line)
            if row["meta"]["tool"] == "public-corpus":
                where.setdefault(row["meta"]["group"], set()).add(split)
    assert len(where["public:fixture-0001"]) == 1  # both files of one CVE in one split
    for group, splits in where.items():
        assert splits == {split_of(group, 30, 30)}


def test_bad_corpus_files_are_one_line(tmp_path):
    with pytest.raises(SecftError, match="not found"):
        public_corpus.rows({"path": str(tmp_path / "none.jsonl")}, [], 1500)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"cve_id": 1}\nnot json\n')
    with pytest.raises(SecftError) as err:
        public_corpus.rows({"path": str(bad)}, [], 1500)
    assert str(err.value) == f"{bad}: line 2: malformed JSON: Expecting value"
    assert public_corpus.rows(None, [], 1500) == ([], {})
