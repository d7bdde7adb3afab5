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
