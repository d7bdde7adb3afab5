"""Temporary files a killed writer leaves behind are cleaned by the next write of that target.

``kill -9`` during a parse (or any atomic write) used to leave hidden
``.<name>.<random>.tmp`` files forever.  The temp names now carry the
writer's pid; a temp whose writer is gone is removed, one of a live writer
is kept.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import clean_env, make_workspace, run_doit

from tasks.core import atomic


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_dead_writers_temp_files_go_a_live_writers_stay(tmp_path):
    target = tmp_path / "out.json"
    dead = tmp_path / f".out.json.abc123.{_dead_pid()}.tmp"
    dead.write_text("half")
    dead_dir = tmp_path / f".out.json.def456.{_dead_pid()}.old"
    dead_dir.mkdir()
    (dead_dir / "x").write_text("x")
    old_style = tmp_path / ".out.json.zz9yy8.tmp"  # written before temp names carried a pid
    old_style.write_text("half")
    os.utime(old_style, (time.time() - 7200, time.time() - 7200))
    live = tmp_path / f".out.json.ghi789.{os.getpid()}.tmp"
    live.write_text("in progress")
    other = tmp_path / f".other.json.jkl.{_dead_pid()}.tmp"  # another target's: left to that target's next write
    other.write_text("half")
    atomic.write_json(target, {"a": 1})
    assert json.loads(target.read_text()) == {"a": 1}
    assert not dead.exists() and not dead_dir.exists() and not old_style.exists()
    assert live.exists()  # another writer may be about to rename it
    assert other.exists()
    with atomic.directory(tmp_path / "folder", root=tmp_path) as tmp:
        (tmp / "f").write_text("x")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == sorted([live.name, other.name])


def test_kill_9_during_a_parse_leaves_nothing_after_the_next_run(tmp_path):
    ws = make_workspace(tmp_path / "ws", artifacts=[])
    run_dir = ws / "data" / "artifacts" / "run-1"
    run_dir.mkdir(parents=True)
    (run_dir / "big.json").write_text(json.dumps({"results": [], "errors": [], "version": "1.0.0", "pad": "x" * 10}))
    # a writer that dies with its temp file open: what kill -9 of a parse task leaves
    code = ("import os, sys, tempfile, signal; sys.path.insert(0, %r); from tasks.core import atomic; "
            "p = atomic._tmp_path(__import__('pathlib').Path(sys.argv[1])); print(p, flush=True); "
            "os.kill(os.getpid(), signal.SIGKILL)") % str(Path(__file__).resolve().parent.parent)
    findings = ws / "data" / "findings"
    findings.mkdir(parents=True)
    proc = subprocess.run([sys.executable, "-c", code, str(findings / "findings.jsonl")], capture_output=True, text=True,
                          env=clean_env(), timeout=60)
    assert proc.returncode == -signal.SIGKILL
    leftover = Path(proc.stdout.strip())
    assert leftover.exists() and leftover.name.startswith(".findings.jsonl.")
    run = run_doit(ws, "parse_findings")
    assert run.returncode == 0, run.output[-2000:]
    hidden = [p for p in findings.rglob(".*") if p.name.endswith((".tmp", ".old"))]
    assert hidden == []
