"""A workspace that cannot be written: every doit command that needs the run lock fails in one line.

Tests run as root, for whom permission bits prove nothing, so the lock file
is made impossible to open another way (a folder where it should be, a file
where its folder should be); a real read-only mount gives the same
``OSError`` and the same one line (measured, docs/reliability.md).
"""

from __future__ import annotations

import pytest
from conftest import make_workspace, run_doit

from tasks.core.errors import SecftError
from tasks.core.runlock import RunLock


def test_a_lock_that_cannot_be_opened_is_one_line(tmp_path):
    lock = tmp_path / "fine-tuning" / ".secft.lock"
    lock.mkdir(parents=True)  # open() fails with IsADirectoryError, as it fails with EROFS on a read-only mount
    with pytest.raises(SecftError, match=r"\.secft\.lock: cannot take the lock"):
        RunLock(lock).acquire()
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(SecftError, match=r"blocked/\.secft\.lock: cannot take the lock"):
        RunLock(blocked / ".secft.lock").acquire()


def test_doit_in_a_workspace_whose_lock_cannot_be_written_fails_in_one_line(tmp_path):
    ws = make_workspace(tmp_path / "ws", artifacts=[])
    (ws / "fine-tuning").mkdir()
    (ws / "fine-tuning" / ".secft.lock").mkdir()
    run = run_doit(ws, "parse_findings")
    assert run.returncode != 0 and "Traceback" not in run.output
    errors = [line for line in run.output.splitlines() if line.strip()]
    assert len(errors) == 1 and "fine-tuning/.secft.lock: cannot take the lock" in errors[0], run.output
    listed = run_doit(ws, "list")  # listing needs no lock
    assert listed.returncode == 0 and "parse_findings" in listed.output


def test_a_held_lock_still_says_another_run_is_in_progress(tmp_path):
    lock = tmp_path / ".secft.lock"
    with RunLock(lock, timeout=0):
        with pytest.raises(SecftError, match="another secft run"):
            RunLock(lock, timeout=0).acquire()


def test_a_daemon_that_cannot_write_its_lock_says_so_not_that_another_runs(tmp_path):
    import subprocess
    import sys

    from conftest import clean_env

    ws = make_workspace(tmp_path / "ws", artifacts=[])
    (ws / "fine-tuning" / ".secft-daemon.lock").mkdir(parents=True)
    proc = subprocess.run([sys.executable, "-m", "tasks.daemon", "--once"], cwd=ws, env=clean_env(),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
    assert "cannot take the lock" in proc.stderr and "already running" not in proc.stderr


def test_a_target_the_filesystem_refuses_is_one_line_and_still_an_oserror(tmp_path):
    from tasks.core import atomic

    (tmp_path / "findings").write_text("a file where the folder should be")
    for write in (lambda t: atomic.write_json(t, {"a": 1}), lambda t: atomic.directory(t).__enter__()):
        with pytest.raises(atomic.WriteError) as exc:
            write(tmp_path / "findings" / "out.json")
        assert "findings/out.json: cannot write: " in str(exc.value)
        assert isinstance(exc.value, SecftError) and isinstance(exc.value, OSError) and exc.value.errno
        assert "\n" not in str(exc.value)


def test_doit_with_an_unwritable_findings_folder_fails_in_one_line(tmp_path):
    from conftest import FIXTURES

    ws = make_workspace(tmp_path / "ws", artifacts=[FIXTURES / "bandit/one_vuln.json"])
    (ws / "data" / "findings").mkdir(parents=True)
    (ws / "data" / "findings" / "by_run").write_text("in the way")  # EROFS on a read-only mount: same path
    run = run_doit(ws, "parse_findings")
    assert run.returncode != 0 and "Traceback" not in run.output
    assert "data/findings/by_run/bandit.json" in run.output and "cannot write: " in run.output
