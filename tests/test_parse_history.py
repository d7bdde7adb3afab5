"""The whole CI history as one parse task: its up-to-date walk, the folder cache, the state, the workers.

tasks/ingest/tree_scan.py must see every change list_runs would see (the cache only
saves listing folders), and tasks/incremental.py must give the same
findings files whether it parses in one process or several.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import types
from pathlib import Path

import pytest
from conftest import REPO, make_workspace, run_doit

from tasks.core.errors import SecftError
from tasks.findings import incremental
from tasks.findings.incremental import parser_code_key
from tasks.ingest import tree_scan
from tasks.ingest.artifacts import list_runs

SAMPLE = sorted(p for p in (REPO / "data/artifacts/sample").rglob("*") if p.is_file() and p.name != "SOURCES.md")
HOUR_AGO = time.time() - 3600


def _age(root: Path) -> None:
    """Every folder under root as if made an hour ago (the cache trusts only folders older than 2 s)."""
    for here, dirs, _ in os.walk(root):
        for d in dirs:
            p = Path(here) / d
            if not p.is_symlink():
                os.utime(p, (HOUR_AGO, HOUR_AGO))
        os.utime(here, (HOUR_AGO, HOUR_AGO))


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "artifacts"
    report = (REPO / "tests/fixtures/scanners/semgrep/one_finding.json").read_bytes()
    for rel in ("1/semgrep-json/a.json", "1/nested/deeper/b.json", "1/.hidden/c.json", "2/x.sarif/results.sarif",
                "only-notes/README.md", "1/SOURCES.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(report)
    (root / "1/run.json").write_text(json.dumps({"run_id": "1", "commit": "a" * 40}))
    (root / "2/linked.json").symlink_to(root / "1/semgrep-json/a.json")
    (root / "2/linked-dir").symlink_to(root / "1/nested", target_is_directory=True)  # not followed
    odd = os.fsdecode(b"bad\xff")
    (root / odd).mkdir()
    (root / odd / "r.json").write_bytes(report)
    (root / "loose.json").write_bytes(report)
    return root


def _counting_scandir(monkeypatch) -> list:
    calls, real = [], os.scandir
    monkeypatch.setattr(tree_scan, "_scandir", lambda p=".": calls.append(p) or real(p))
    return calls


def _plain(groups: list[dict]) -> list[dict]:
    return [{k: v for k, v in g.items() if k != "fingerprint"} for g in groups]


@pytest.fixture
def settled(monkeypatch):
    """Folders count as settled at once (the 2 s racy window is for the clock, tested on its own below)."""
    monkeypatch.setattr(tree_scan, "TRUST_AFTER_NS", 0)


def test_scan_sees_what_list_runs_sees_and_lists_only_changed_folders(tmp_path, monkeypatch, settled):
    root = _tree(tmp_path)
    _age(root)
    cache = tmp_path / "findings/tree_cache.json"
    cache.parent.mkdir()
    first = tree_scan.scan_runs(root, cache)
    assert _plain(first) == list_runs(root) and len(first) == 4  # 1, 2, the odd name and ~top; not only-notes
    assert cache.is_file()
    calls = _counting_scandir(monkeypatch)
    again = tree_scan.scan_runs(root, cache)
    # data/artifacts itself and folder 2 (it holds symlinks, whose targets change without it); the rest from the cache
    assert again == first and sorted(Path(c).name for c in calls) == ["2", "artifacts"]

    (root / "1/nested/deeper/new.json").write_text("{}")  # the folder's mtime moves: listed again
    expected = list_runs(root)
    calls.clear()
    changed = tree_scan.scan_runs(root, cache)
    assert _plain(changed) == expected and sorted(Path(c).name for c in calls) == ["2", "artifacts", "deeper"]
    assert changed[0]["fingerprint"] != first[0]["fingerprint"] and changed[1:] == first[1:]


def test_an_edit_in_place_changes_the_fingerprint(tmp_path):
    root = _tree(tmp_path)
    _age(root)
    cache = tmp_path / "tree_cache.json"
    before = tree_scan.scan_runs(root, cache)
    report = root / "2/x.sarif/results.sarif"
    data = bytearray(report.read_bytes())
    data[-2:-1] = b" "  # same size, other bytes, and a new mtime as any write gives
    report.write_bytes(bytes(data))
    after = tree_scan.scan_runs(root, cache)
    assert [g["fingerprint"] for g in after if g["folder"] == "2"] != [g["fingerprint"] for g in before if g["folder"] == "2"]
    os.utime(root / "1/run.json", ns=(time.time_ns(), time.time_ns() + 10**9))  # the provenance changed
    assert tree_scan.scan_runs(root, cache)[0]["fingerprint"] != after[0]["fingerprint"]


def test_a_change_in_the_same_clock_tick_as_the_listing_is_not_missed(tmp_path, monkeypatch):
    real = os.stat

    def coarse(path, *args, **kwargs):  # a file system that keeps whole seconds (FAT, HFS+, some network mounts)
        st = real(path, *args, **kwargs)
        return types.SimpleNamespace(st_ino=st.st_ino, st_size=st.st_size, st_mtime_ns=st.st_mtime_ns // 10**9 * 10**9,
                                     st_ctime_ns=st.st_ctime_ns // 10**9 * 10**9)

    monkeypatch.setattr(tree_scan, "_stat", coarse)
    root = tmp_path / "artifacts"
    (root / "7/tool").mkdir(parents=True)
    (root / "7/tool/a.json").write_text("{}")
    cache = tmp_path / "tree_cache.json"
    tree_scan.scan_runs(root, cache)
    (root / "7/tool/b.json").write_text("{}")  # most often in the same second: the folder's coarse ctime did not move
    (group,) = tree_scan.scan_runs(root, cache)
    assert [Path(f).name for f in group["files"]] == ["a.json", "b.json"]


def test_a_symlink_whose_target_appears_later_is_found(tmp_path, settled):
    root = tmp_path / "artifacts"
    (root / "1/tool").mkdir(parents=True)
    (root / "1/tool/a.json").write_text("{}")
    (root / "1/tool/later.json").symlink_to(tmp_path / "artifacts/1/stash.json")
    _age(root)
    cache = tmp_path / "tree_cache.json"
    # a dangling link is listed too (parsing names it under "rejected"), not skipped silently
    first = tree_scan.scan_runs(root, cache)[0]
    assert [Path(f).name for f in first["files"]] == ["a.json", "later.json"]
    (root / "1/stash.json").write_text("{}")  # the link now points at a file; its folder did not change
    second = tree_scan.scan_runs(root, cache)[0]
    assert {Path(f).name for f in second["files"]} == {"a.json", "later.json", "stash.json"}
    assert second["fingerprint"] != first["fingerprint"]  # the link's target appeared: the run is parsed again


@pytest.mark.parametrize("damage", ["{not json", "[]", '{"version": 1, "written_ns": "x", "dirs": {"a": 1}}',
                                    '{"version": 1, "written_ns": 99999999999999999999, "dirs": {"ARTIFACTS/1": [0, 0, [], [], false]}}'])
def test_a_damaged_folder_cache_costs_time_not_findings(tmp_path, damage, settled):
    root = _tree(tmp_path)
    _age(root)
    cache = tmp_path / "tree_cache.json"
    expected = tree_scan.scan_runs(root, None)
    cache.write_text(damage.replace("ARTIFACTS", os.fspath(root)))
    assert tree_scan.scan_runs(root, cache) == expected
    assert tree_scan.scan_runs(root, cache) == expected  # and from the rewritten cache


def test_a_cached_listing_that_climbs_out_is_not_used(tmp_path, settled):
    root = _tree(tmp_path)
    _age(root)
    cache = tmp_path / "tree_cache.json"
    expected = tree_scan.scan_runs(root, cache)
    data = json.loads(cache.read_text())
    folder = os.fspath(root / "1" / "semgrep-json")
    data["dirs"][folder][3] = ["../../../../../etc/passwd"]
    cache.write_text(json.dumps(data))
    assert tree_scan.scan_runs(root, cache) == expected


def test_a_runs_index_naming_a_file_elsewhere_is_refused(tmp_path):
    index = tmp_path / "findings/runs_index.json"
    index.parent.mkdir()
    index.write_text(json.dumps({"runs": [{"path": "/etc/passwd"}], "archived": []}))
    with pytest.raises(SecftError, match="outside"):
        incremental.index_paths(index)


def test_state_file_names_never_leave_the_findings_folder(tmp_path):
    state = tmp_path / "parse_state.json"
    state.write_text(json.dumps({"runs": {"../../etc/passwd": {}, "/abs": {}, "a/b": {}, "ok-1": {}, "~top": {},
                                          "~a_b-12345678": {}, "..": {}, "": {}}}))
    outs = incremental.state_outputs(state, tmp_path / "by_run")
    assert sorted(Path(o).name for o in outs) == ["ok-1.json", "~a_b-12345678.json", "~top.json"]
    assert all(Path(o).parent == tmp_path / "by_run" for o in outs)
    state.write_text('{"runs": [1, 2]}')
    assert incremental.state_outputs(state, tmp_path / "by_run") == []


def _history(ws: Path, runs: int) -> None:
    art = ws / "data/artifacts"
    for r in range(runs):
        for n, src in enumerate(SAMPLE):
            dest = art / str(100 + r) / f"{src.parent.name}-{n}" / src.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(src.read_bytes() + b"\n" * (r + 1))  # every run's bytes differ: all are parsed
        (art / str(100 + r) / "run.json").write_text(json.dumps({"run_id": str(100 + r), "commit": f"{r:040x}"}))


def _parse_all(ws: Path, monkeypatch, workers: int, on_error: str = "fail") -> None:
    monkeypatch.chdir(ws)
    f = Path("data/findings")
    incremental.parse_all(Path("data/artifacts"), f / "by_run", f / "archive", f / "parse_state.json", f / "runs_index.json",
                            None, on_error, 1 << 28, parser_code_key(REPO / "tasks"), {}, workers)


def test_parallel_parse_writes_exactly_what_one_process_writes(tmp_path, monkeypatch, capsys):
    one, two = tmp_path / "one", tmp_path / "two"
    _history(one, 3)
    shutil.copytree(one, two)
    _parse_all(one, monkeypatch, workers=1)
    monkeypatch.setattr(incremental, "PARALLEL_MIN_REPORTS", 1)
    _parse_all(two, monkeypatch, workers=2)
    out = capsys.readouterr().out
    assert out.count("parse_findings: 3 of 3 run(s) changed; parsed 33 of their 33 report(s)") == 2
    for path in sorted((one / "data/findings").rglob("*.json")):
        assert (two / path.relative_to(one)).read_bytes() == path.read_bytes(), path.name
    index = json.loads((two / "data/findings/runs_index.json").read_text())
    assert [e["run"] for e in index["runs"]] == ["100", "101", "102"] and index["archived"] == []


def test_a_report_that_fails_in_a_worker_is_one_line_and_the_finished_runs_are_kept(tmp_path, monkeypatch):
    ws = tmp_path / "ws"
    _history(ws, 4)
    bad = ws / "data/artifacts/102/broken/report.json"
    bad.parent.mkdir()
    bad.write_text('{"results": [')
    monkeypatch.setattr(incremental, "PARALLEL_MIN_REPORTS", 1)
    with pytest.raises(SecftError) as exc:
        _parse_all(ws, monkeypatch, workers=2)
    assert "data/artifacts/102/broken/report.json" in str(exc.value) and "\n" not in str(exc.value)
    state = json.loads((ws / "data/findings/parse_state.json").read_text())["runs"]
    assert "102" not in state
    assert all((ws / "data/findings/by_run" / f"{name}.json").stat().st_size == e["size"] for name, e in state.items())
    bad.unlink()
    monkeypatch.setattr(incremental, "PARALLEL_MIN_REPORTS", 10**9)
    _parse_all(ws, monkeypatch, workers=1)
    assert len(json.loads((ws / "data/findings/parse_state.json").read_text())["runs"]) == 4


def test_a_deleted_findings_file_is_rebuilt_and_the_merge_stops_at_its_checksum(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    assert run_doit(ws, "parse_findings").returncode == 0
    out = ws / "data/findings/by_run/sample.json"
    before = out.read_bytes()
    out.unlink()
    run = run_doit(ws, "parse_findings")
    assert run.returncode == 0, run.output
    assert run.executed == {"parse_findings:runs"} and out.read_bytes() == before
    (ws / "data/findings/parse_state.json").write_text("damaged")  # a cache: every run is checked by content
    (ws / "data/findings/tree_cache.json").write_text("damaged")
    os.utime(ws / "data/artifacts/sample/semgrep/one_finding.json")
    run = run_doit(ws, "parse_findings")
    assert run.executed == {"parse_findings:runs"} and "parse_findings: sample: parsed 0, reused 11 of 11" in run.output
    assert run_doit(ws, "parse_findings").executed == set()


def _summary(ws: Path) -> dict:
    return json.loads((ws / "data/findings/findings_summary.json").read_text())


def test_a_report_turned_into_a_link_out_is_refused_though_its_bytes_are_known(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    assert run_doit(ws, "parse_findings").returncode == 0
    report = ws / "data/artifacts/sample/bandit/bandit-report.json"
    outside = tmp_path / "outside.json"
    shutil.copy2(report, outside)
    report.unlink()
    report.symlink_to(outside)  # same bytes as before, now from outside the artifacts
    run = run_doit(ws, "parse_findings")
    assert run.returncode == 0, run.output
    rejected = {r["artifact"]: r["error"] for r in _summary(ws)["rejected"]}
    assert "symlink resolving outside" in rejected["data/artifacts/sample/bandit/bandit-report.json"]
    (ws / "data/artifacts/sample/copy").mkdir()
    (ws / "data/artifacts/sample/copy/again.json").symlink_to(outside)  # a new name for known bytes: refused too
    assert run_doit(ws, "parse_findings").returncode == 0
    assert "data/artifacts/sample/copy/again.json" in {r["artifact"] for r in _summary(ws)["rejected"]}


def test_a_link_whose_target_becomes_a_fifo_does_not_hang_the_parse(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    target = ws / "data/artifacts/sample/stash.json"
    shutil.copy2(ws / "data/artifacts/sample/bandit/bandit-report.json", target)
    (ws / "data/artifacts/sample/bandit/linked.json").symlink_to(target)
    assert run_doit(ws, "parse_findings").returncode == 0
    target.unlink()
    os.mkfifo(target)
    run = run_doit(ws, "parse_findings", timeout=120)
    assert run.returncode == 0, run.output
    statuses = {r["artifact"]: r["status"] for r in _summary(ws)["artifacts"]}
    assert statuses.get("data/artifacts/sample/bandit/linked.json") in (None, "rejected")  # skipped or refused, never read
    assert statuses["data/artifacts/sample/bandit/bandit-report.json"] == "ok"


def test_a_runs_index_damaged_by_hand_is_rewritten_by_the_next_run(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    assert run_doit(ws, "parse_findings").returncode == 0
    index = ws / "data/findings/runs_index.json"
    good, findings = index.read_bytes(), (ws / "data/findings/findings.jsonl").read_bytes()
    for damage in ('{"garbage', json.dumps({"version": 1, "runs": [], "archived": []})):
        index.write_text(damage)
        run = run_doit(ws, "parse_findings")
        assert run.returncode == 0, run.output
        assert index.read_bytes() == good and (ws / "data/findings/findings.jsonl").read_bytes() == findings


def test_a_write_error_in_a_worker_is_named_as_such(tmp_path, monkeypatch):
    ws = tmp_path / "ws"
    _history(ws, 3)
    (ws / "data/findings/by_run/101.json").mkdir(parents=True)  # a folder where the findings file goes
    monkeypatch.setattr(incremental, "PARALLEL_MIN_REPORTS", 1)
    with pytest.raises(SecftError, match=r"by_run/101.json: cannot write: "):
        _parse_all(ws, monkeypatch, workers=2)


def test_deeply_nested_bookkeeping_files_are_one_line_not_a_traceback(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    assert run_doit(ws, "parse_findings").returncode == 0
    for name in ("tree_cache.json", "parse_state.json", "runs_index.json"):
        (ws / "data/findings" / name).write_text("[" * 200_000)
    listed = run_doit(ws, "list", "--all", "--status")
    assert listed.returncode == 0 and "Traceback" not in listed.output, listed.output[-2000:]
    run = run_doit(ws, "parse_findings")
    assert run.returncode == 0 and "Traceback" not in run.output, run.output[-2000:]
    assert json.loads((ws / "data/findings/runs_index.json").read_text())["runs"]
