"""Size before work: a report's size is checked (fstat) before a byte of it is hashed or parsed,
and no more than parse.max_bytes is ever read.  A sparse 1 TB file (truncate: no disk used) used
to be hashed in full before the check (docs/reliability.md, "Size before work")."""

from __future__ import annotations

import hashlib
import json
import os
import types

import pytest

from conftest import make_workspace, run_doit
from tasks.core import hashing
from tasks.core.hashing import TooLarge, sha256_file
from tasks.findings.parse import parse_file
from tasks.findings.runs import parse_run

TB = 1 << 40


@pytest.fixture
def counted(monkeypatch):
    """Every byte hashed through tasks.core.hashing is counted."""
    seen = {"bytes": 0}
    real = hashlib.sha256

    class Counting:
        def __init__(self, data=b""):
            self._h = real()
            self.update(data)

        def update(self, data):
            seen["bytes"] += len(data)
            if seen["bytes"] > 64 << 20:
                raise AssertionError("hashed far past max_bytes")
            self._h.update(data)

        def hexdigest(self):
            return self._h.hexdigest()

    monkeypatch.setattr(hashing, "hashlib", types.SimpleNamespace(sha256=Counting))
    return seen


def _sparse(path, size):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.truncate(size)
    return path


def test_hash_checks_the_size_first(tmp_path, counted):
    big = _sparse(tmp_path / "big.json", TB)
    with pytest.raises(TooLarge, match="1099511627776 bytes, over the parse.max_bytes limit of 1024"):
        sha256_file(big, 1024)
    assert counted["bytes"] == 0
    small = tmp_path / "small.json"
    small.write_bytes(b"[]")
    assert sha256_file(small, 1024) == hashlib.new("sha256", b"[]").hexdigest()


def test_parse_file_rejects_a_sparse_terabyte_without_reading_it(tmp_path, counted):
    root = tmp_path / "artifacts"
    big = _sparse(root / "run-1" / "semgrep.json", TB)
    record = parse_file(big, root, "skip", 1 << 20)
    assert record["status"] == "rejected" and "over the parse.max_bytes limit" in record["error"]
    assert counted["bytes"] == 0


def test_parse_run_of_a_folder_with_a_sparse_terabyte(tmp_path, counted):
    root = tmp_path / "artifacts"
    big = _sparse(root / "run-1" / "trivy.json", TB)
    ok = root / "run-1" / "gitleaks.json"
    ok.write_text("[]")
    out = tmp_path / "state" / "run-1.json"
    out.parent.mkdir()
    parse_run([big, ok], "run-1", None, root, out, "skip", 1 << 20, "code")
    records = {r["artifact"].rsplit("/", 1)[-1]: r for r in json.loads(out.read_text())["records"]}
    assert records["trivy.json"]["status"] == "rejected" and records["gitleaks.json"]["status"] != "rejected"
    assert counted["bytes"] < 1 << 20


def test_doit_parse_with_a_sparse_terabyte_report_is_one_line(tmp_path):
    """The default parse.on_error (fail) stops in one line naming the file and its size, at once."""
    ws = make_workspace(tmp_path / "ws", artifacts=[])
    big = _sparse(ws / "data" / "artifacts" / "run-1" / "semgrep" / "semgrep.json", TB)
    run = run_doit(ws, "parse_findings", timeout=120)
    assert run.returncode != 0 and "Traceback" not in run.output, run.output[-2000:]
    assert "semgrep/semgrep.json: report is 1099511627776 bytes, over the parse.max_bytes limit" in run.output
    assert os.stat(big).st_blocks == 0
