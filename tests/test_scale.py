"""Phase 1 at scale, at a small size: only changed runs are parsed, the runs index, pruning, doit's database.

Figures (time, memory, database size at 10,000 reports) come from
bench/scale.py and live in docs/performance.md; nothing here is timed.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import REPO, make_workspace, run_doit

from tasks.core.errors import SecftError
from tasks.ingest.artifacts import display, group_name, list_runs

SAMPLE = sorted(p for p in (REPO / "data/artifacts/sample").rglob("*") if p.is_file() and p.name != "SOURCES.md")
RUNS_KEYS = {"run", "run_id", "branch", "commit", "created_at", "tools", "finding_ids"}


def add_run(ws: Path, run_id: int, files: list[Path], created: str) -> Path:
    run = ws / "data/artifacts" / str(run_id)
    for n, src in enumerate(files):
        dest = run / f"{src.parent.name}-{n}" / src.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    (run / "run.json").write_text(json.dumps({"run_id": str(run_id), "branch": "main", "commit": f"{run_id:040x}",
                                              "created_at": created, "artifacts": [], "refused": []}))
    return run


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """50 reports in 5 CI runs (created out of folder order), parsed once."""
    ws = make_workspace(tmp_path_factory.mktemp("scale") / "ws", artifacts=[])
    for r in range(5):
        add_run(ws, 100 + r, [SAMPLE[(r + i) % len(SAMPLE)] for i in range(10)], f"2026-01-0{5 - r}T00:00:00Z")
    run = run_doit(ws, "parse_findings")
    assert run.returncode == 0, run.output[-3000:]
    assert run.executed == {"parse_findings:settings", "parse_findings:runs", "parse_findings:merge"}
    assert "parse_findings: 5 of 5 run(s) changed; parsed " in run.output
    return ws


@pytest.fixture
def ws(built, tmp_path):
    copy = tmp_path / "ws"
    shutil.copytree(built, copy, symlinks=True)
    return copy


def test_a_new_run_of_ten_reports_parses_only_those_ten(ws):
    add_run(ws, 200, SAMPLE[:10], "2026-02-01T00:00:00Z")
    run = run_doit(ws, "parse_findings")
    assert run.returncode == 0, run.output
    assert run.executed == {"parse_findings:runs", "parse_findings:merge"}
    assert "parse_findings: 200: parsed 10, reused 0 of 10 report(s)" in run.output
    assert "parse_findings: 1 of 6 run(s) changed; parsed 10 of their 10 report(s)" in run.output
    assert run.output.count(", reused ") == 1  # no line for any of the five older runs
    assert [e["run"] for e in jsonl(ws / "data/findings/runs.jsonl")][-1] == "200"


def test_a_changed_report_reparses_only_itself(ws):
    report = next((ws / "data/artifacts/102").glob("semgrep-*/one_finding.json"))
    data = json.loads(report.read_text())
    data["results"][0]["extra"]["severity"] = "ERROR"
    report.write_text(json.dumps(data))
    run = run_doit(ws, "parse_findings")
    assert run.returncode == 0, run.output
    assert run.executed == {"parse_findings:runs", "parse_findings:merge"}
    assert "parse_findings: 102: parsed 1, reused 9 of 10 report(s)" in run.output
    assert "parse_findings: 1 of 5 run(s) changed; parsed 1 of their 10 report(s)" in run.output
    mine = [r for r in json.loads((ws / "data/findings/by_run/102.json").read_text())["records"] if r["artifact"].endswith(report.name)]
    assert mine[0]["findings"][0]["severity"] == "high"


def test_no_op_runs_nothing_and_the_database_holds_no_large_values(built):
    run = run_doit(built, "parse_findings")
    assert run.returncode == 0 and run.executed == set(), run.output
    with sqlite3.connect(built / "fine-tuning/.doit.db") as db:
        rows = db.execute("SELECT task_id, task_data FROM doit").fetchall()
    assert len(rows) >= 4  # settings, runs, merge: nothing per run or per report
    sizes = {task: len(data) for task, data in rows}
    assert max(sizes.values()) < 4096, sizes  # file states and a hash per task; no records, no summary
    assert not any('"rule_id"' in data or '"unique_findings"' in data for _, data in rows)


def test_runs_index_follows_the_interface(built):
    runs = jsonl(built / "data/findings/runs.jsonl")
    findings = jsonl(built / "data/findings/findings.jsonl")
    assert [e["run"] for e in runs] == ["104", "103", "102", "101", "100"]  # by created_at, not by name
    assert all(set(e) == RUNS_KEYS for e in runs)
    first = runs[-1]  # the newest run
    assert first["run_id"] == "100" and first["commit"] == f"{100:040x}" and first["branch"] == "main"
    assert first["created_at"] == "2026-01-05T00:00:00Z" and first["tools"] == sorted(first["tools"])
    assert {"semgrep", "bandit", "grype"} <= set(first["tools"]) and "zap" not in first["tools"]  # no zap report in run 100
    ids = {f["id"] for f in findings}
    seen = {i for e in runs for i in e["finding_ids"]}
    assert seen == ids  # merged ids, exactly those of findings.jsonl, and every finding is in some run
    assert all(e["finding_ids"] == sorted(e["finding_ids"]) for e in runs)
    by_id = {f["id"]: f for f in findings}
    one = next(f for f in findings if f["seen_count"] > 1)
    assert one["first_seen"]["created_at"] <= one["last_seen"]["created_at"]
    assert sum(one["id"] in e["finding_ids"] for e in runs) >= 2 and by_id[one["id"]] is one


def test_folders_without_run_json_are_runs_with_null_provenance(tmp_path):
    ws = make_workspace(tmp_path / "ws")  # the bundled sample: one folder, no run.json
    run = run_doit(ws, "parse_findings")
    assert run.returncode == 0, run.output
    (entry,) = jsonl(ws / "data/findings/runs.jsonl")
    assert entry["run"] == "sample" and entry["commit"] is None and entry["run_id"] is None and entry["created_at"] is None
    assert len(entry["finding_ids"]) == len(jsonl(ws / "data/findings/findings.jsonl"))


def test_prune_keeps_every_finding_and_the_history(ws):
    unique = ws / "data/artifacts/104/only-here/one_vuln.json"
    unique.parent.mkdir()
    shutil.copyfile(REPO / "tests/fixtures/scanners/bandit/one_vuln.json", unique)
    assert run_doit(ws, "parse_findings").returncode == 0
    before = {f["id"]: f for f in jsonl(ws / "data/findings/findings.jsonl")}
    runs_before = jsonl(ws / "data/findings/runs.jsonl")
    cfg = ws / "config/pipeline.yaml"
    cfg.write_text(cfg.read_text().replace("keep_runs: null", "keep_runs: 2"))
    run = run_doit(ws, "prune")
    assert run.returncode == 0, run.output
    art = ws / "data/artifacts"
    for old in ("104", "103", "102"):  # the oldest by created_at
        assert sorted(p.name for p in (art / old).iterdir()) == ["run.json"]  # still marked as fetched
        assert (ws / "data/findings/archive" / f"{old}.json").is_file()
    assert len([p for p in (art / "100").rglob("*") if p.is_file() and p.name != "run.json"]) == 10
    run = run_doit(ws, "parse_findings")
    assert run.returncode == 0, run.output
    assert run.executed == {"parse_findings:runs", "parse_findings:merge"}  # the archive changed: a new index
    assert "run(s) changed" not in run.output  # and nothing was parsed again
    after = {f["id"]: f for f in jsonl(ws / "data/findings/findings.jsonl")}
    assert after.keys() == before.keys()
    only = [i for i, f in before.items() if f["first_seen"]["artifact"].endswith("only-here/one_vuln.json")]
    assert only and after[only[0]]["last_seen"]["commit"] == f"{104:040x}"
    assert jsonl(ws / "data/findings/runs.jsonl") == runs_before
    again = run_doit(ws, "prune")
    assert again.returncode == 0 and "0 run(s) pruned" in again.output


def test_prune_deletes_only_inside_the_artifacts_folder(tmp_path):
    from tasks.service.prune import _remove_reports

    root, outside = tmp_path / "artifacts", tmp_path / "precious"
    (outside / "x").mkdir(parents=True)
    (outside / "x/report.json").write_text("{}")
    root.mkdir()
    (root / "7").symlink_to(outside)
    with pytest.raises(SecftError, match="not a run folder inside"):
        _remove_reports(root / "7", root)
    with pytest.raises(SecftError):
        _remove_reports(root / ".." / "precious", root)
    assert (outside / "x/report.json").is_file()


def test_hostile_folder_names_give_safe_distinct_task_names(tmp_path):
    ws = make_workspace(tmp_path / "ws", artifacts=[])
    art = ws / "data/artifacts"
    report = (REPO / "tests/fixtures/scanners/semgrep/one_finding.json").read_bytes()
    names = ["a=b", "new\nline", os.fsdecode(b"bad\xff\xfe"), "~top", "plain"]
    for n, name in enumerate(names):
        (art / name / f"x{n}=y").mkdir(parents=True)
        (art / name / f"x{n}=y" / "semgrep.json").write_bytes(report)
    (art / "loose.json").write_bytes(report)
    groups = list_runs(art)
    tasks = [g["name"] for g in groups]
    assert len(set(tasks)) == len(names) + 1 and "plain" in tasks and "~top" in tasks
    assert all("=" not in t and "\n" not in t and t.isprintable() and t.encode("ascii") for t in tasks)
    assert group_name("~top") != "~top" and "\n" not in display("new\nline")
    run = run_doit(ws, "parse_findings")
    assert run.returncode == 0, run.output
    assert sorted(p.name for p in (ws / "data/findings/by_run").iterdir()) == sorted(f"{t}.json" for t in tasks)
    assert run.output.count(", reused ") == len(tasks) and "parse_findings: a=b: parsed " in run.output
    assert "parse_findings: new?line: parsed " in run.output  # one printable line per run
    runs = jsonl(ws / "data/findings/runs.jsonl")
    assert sorted(e["run"] for e in runs) == sorted([".", *map(display, names)])


def test_a_finding_seen_again_keeps_its_narrative_cache_key():
    from tasks.enrich import cache_key
    from tasks.findings.parsers import parse_report

    f = parse_report(REPO / "tests/fixtures/scanners/semgrep/one_finding.json").findings[0]
    seen = {"run_id": "1", "commit": None, "created_at": "2026-01-01T00:00:00Z", "artifact": "a"}
    again = dict(f, first_seen=seen, last_seen=dict(seen, run_id="9"), seen_count=9, source=dict(f["source"], run_id="9"))
    assert cache_key(dict(f, first_seen=seen, last_seen=seen, seen_count=1), "kb") == cache_key(again, "kb")
    assert cache_key(dict(again, severity="critical"), "kb") != cache_key(again, "kb")


def test_status_shows_the_retrain_policy(tmp_path, monkeypatch):
    from tasks.service import status

    stage = tmp_path / "fine-tuning/adapters/stage1"
    stage.mkdir(parents=True)
    policy = {"decision": "keep: 3 new rows, below min_new_rows 10", "min_new_rows": 10, "min_new_percent": 0,
              "pending_rows": 3, "trained_on_dataset_sha256": "ab" * 32}
    (stage / "metrics.json").write_text(json.dumps({"status": "kept", "policy": policy, "huge": list(range(100))}))
    monkeypatch.chdir(tmp_path)
    shown = status._stage(Path("fine-tuning/adapters/stage1/metrics.json"))
    assert shown["status"] == "kept" and shown["policy"] == policy and "huge" not in shown


def test_validation_checks_every_source_and_field():
    from tasks.findings.parse import _validate
    from tasks.findings.parsers import parse_report

    (f,) = parse_report(REPO / "tests/fixtures/scanners/semgrep/one_finding.json").findings
    _validate([f], "a.json")
    _validate([dict(f, source=dict(f["source"], artifact="run-2/a.json", run_id="2"))], "b.json")
    with pytest.raises(SecftError, match=r"c.json record 1: invalid finding: source/sha256"):
        _validate([dict(f, source=dict(f["source"], sha256="not-a-hash"))], "c.json")
    with pytest.raises(SecftError, match=r"d.json record 1: invalid finding: source: Additional"):
        _validate([dict(f, source=dict(f["source"], extra="x"))], "d.json")
    with pytest.raises(SecftError, match=r"e.json record 1: invalid finding: severity"):
        _validate([dict(f, severity="apocalyptic")], "e.json")
