"""Second attack, damaged state: Infinity/NaN/huge numbers in the daemon's state are damaged state
(moved aside, one line, rebuilt), never a traceback per poll or a retry that never comes."""

from __future__ import annotations

import pytest
from conftest import make_workspace

from tasks.core import state as state_files
from tasks.core.config import load_config
from tasks.service import daemon


class NoRuns:
    def successful_runs(self, *a):
        return []


@pytest.mark.parametrize("text", ['{"build": {"failures": Infinity}}', '{"build": {"failures": NaN}}',
                                  '{"build": {"next_retry_epoch": Infinity, "failures": 1}}',
                                  '{"build": {"next_retry_epoch": 1e300, "failures": 1}}',
                                  '{"build": {"failures": 1e308}}', '{"build": {"failures": 1e999}}'])
def test_non_finite_or_huge_numbers_are_damaged_state(tmp_path, monkeypatch, capsys, text):
    ws = make_workspace(tmp_path / "ws", artifacts=[])
    monkeypatch.chdir(ws)
    config = load_config(profile="smoke", environ={})
    monkeypatch.setattr(daemon, "stale_tasks", lambda profile: [])
    (ws / "fine-tuning").mkdir(exist_ok=True)
    (ws / daemon.STATE).write_text(text)
    state = daemon.poll_once(config, "smoke", client=NoRuns())
    assert state["last_result"] != "waiting to retry the failed build"
    aside = list((ws / "fine-tuning").glob("daemon_state.json.damaged-*"))
    assert len(aside) == 1 and aside[0].read_text() == text
    err = capsys.readouterr().err
    assert "daemon state" in err and "moved aside" in err
    assert "Infinity" not in (ws / daemon.STATE).read_text() and "NaN" not in (ws / daemon.STATE).read_text()


def test_state_load_refuses_non_finite(tmp_path, capsys):
    p = tmp_path / "s.json"
    p.write_text('{"a": -Infinity}')
    assert state_files.load(p) is None and "-Infinity" in capsys.readouterr().err
