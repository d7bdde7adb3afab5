"""A secret the tool masked in part (Checkov's ``T2kV**********``) is never judged by its stars: only the
real value, read from the file (``source.repo_path``), is; without the file the finding is kept."""

from __future__ import annotations

import json
import subprocess

from test_triage_verdicts import finding

from tasks.findings.parsers.finalise import finalise
from tasks.findings.secret_evidence import classify_one, masked
from tasks.repository.source import SourceReader
from tasks.triage.verdict import Judge

REAL = "Xk9vQ2mZr7LpW4tB"  # a generated-looking password (made up for this test)


def _checkov(shown: str) -> dict:
    f = finding(tool="checkov", kind="secret", rule_id="CKV_SECRET_6", title="Base64 High Entropy String",
                location={"path": "main.tf", "start_line": 2, "end_line": 2},
                snippet=f'1 resource "aws_db_instance" "db" {{\n2   password = "{shown}"\n3 }}\n')
    return finalise(f)


def _repo(tmp_path, value: str):
    repo = tmp_path / "repo"
    repo.mkdir(parents=True)
    (repo / "main.tf").write_text(f'resource "aws_db_instance" "db" {{\n  password = "{value}"\n}}\n')
    subprocess.run(["git", "-C", str(repo), "init", "-q"], check=True)
    return SourceReader(repo)


def test_masked_values_are_not_judged_by_their_stars():
    assert masked("T2kV**********") and not masked("T2kVq9Zr")
    assert classify_one("T2kV**********", from_code=True)["class"] == "redacted-by-tool"
    assert classify_one("aaaaaaaaaaaaaa", from_code=True)["class"] != "redacted-by-tool"  # a real repeated value still is


def test_masked_checkov_secret_is_kept_without_the_file():
    f = _checkov("T2kV**********")
    assert f["secret_evidence"]["class"] == "redacted-by-tool"
    rec = Judge(None).judge(f)
    assert rec["verdict"] == "true_positive"
    assert "one character repeated" not in json.dumps(rec)


def test_masked_checkov_secret_is_judged_on_the_real_value_from_the_file(tmp_path):
    f = _checkov(REAL[:4] + "*" * 12)
    rec = Judge(None, reader=_repo(tmp_path, REAL)).judge(f)
    assert rec["verdict"] == "true_positive" and "high-entropy" in json.dumps(rec)
    assert REAL not in json.dumps(rec) and REAL[:4] + "*" not in json.dumps(rec)
    placeholder = Judge(None, reader=_repo(tmp_path / "b", "changeme")).judge(_checkov("chan****"))
    assert placeholder["verdict"] == "false_positive" and "changeme" not in json.dumps(placeholder)
