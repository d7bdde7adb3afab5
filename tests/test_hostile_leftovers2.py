"""Second attack, minor cases: a FIFO or a link to a device among the reports is listed under
findings_summary.json's "rejected" with its reason (it was skipped with no word); fine-tuning/history
as a link is refused by restore."""

from __future__ import annotations

import json
import os

from conftest import make_workspace, run_doit


def test_fifo_and_device_link_reports_are_listed_as_rejected(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    run = ws / "data" / "artifacts" / "hostile-run"
    run.mkdir(parents=True)
    os.mkfifo(run / "pipe.json")
    (run / "zero.json").symlink_to("/dev/zero")
    os.mkfifo(ws / "data" / "artifacts" / "loose.sarif")
    out = run_doit(ws, "profile=smoke", "parse_findings", timeout=120)
    assert out.returncode == 0, out.output[-2000:]
    summary = json.loads((ws / "data" / "findings" / "findings_summary.json").read_text())
    rejected = {r["artifact"]: r["error"] for r in summary["rejected"]}
    assert any(a.endswith("hostile-run/pipe.json") and "not a regular file" in e for a, e in rejected.items()), rejected
    assert any(a.endswith("hostile-run/zero.json") and "symlink resolving outside" in e for a, e in rejected.items()), rejected
    assert any(a.endswith("loose.sarif") and "not a regular file" in e for a, e in rejected.items()), rejected


def test_restore_refuses_a_history_folder_that_is_a_link(tmp_path):
    import shutil

    from test_hostile_history import _fake_stage, _restore

    from tasks.training import model_history as builds

    root = tmp_path / "ws" / "fine-tuning"
    names = [builds.record({"fine_tuning": {"keep_builds": 5}}, _fake_stage(root, "stage1", bytes([i]))) for i in range(2)]
    outside = tmp_path / "outside-history"
    shutil.move(root / "history", outside)
    (outside / names[0] / "adapters/stage1/adapters.safetensors").write_bytes(b"OUTSIDE")
    (root / "history").symlink_to(outside)
    live_before = (root / "adapters/stage1/adapters.safetensors").read_bytes()
    done = _restore(root, names[0])
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "symbolic link" in done.stderr
    assert (root / "adapters/stage1/adapters.safetensors").read_bytes() == live_before
