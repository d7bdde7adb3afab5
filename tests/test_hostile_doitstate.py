"""Second attack, doit's own state: a findings.jsonl damaged after its task ran, a damaged .doit.db,
a config cache whose content was changed.  Each is noticed, named in one line, and rebuilt."""

from __future__ import annotations

import json

from conftest import make_workspace, run_doit

from tasks.core.config import load_config


def test_damaged_findings_jsonl_is_rebuilt_by_parse_findings(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    assert run_doit(ws, "profile=smoke", "parse_findings", timeout=300).returncode == 0
    findings = ws / "data" / "findings" / "findings.jsonl"
    good = findings.read_bytes()
    assert len(good) > 700
    findings.write_bytes(good[:700])
    again = run_doit(ws, "profile=smoke", "parse_findings", timeout=300)
    assert again.returncode == 0 and again.ran("parse_findings:merge")
    assert findings.read_bytes() == good
    noop = run_doit(ws, "profile=smoke", "parse_findings", timeout=300)
    assert not noop.ran("parse_findings:merge")


def test_damaged_doit_db_is_moved_aside(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    (ws / "fine-tuning").mkdir(exist_ok=True)
    db = ws / "fine-tuning" / ".doit.db"
    db.write_bytes(b"this is not a database" * 100)
    run = run_doit(ws, "profile=smoke", "list", timeout=120)
    assert run.returncode == 0, run.output[-2000:]
    assert "Traceback" not in run.output and "doit database" in run.output and ".doit.db" in run.output
    assert list((ws / "fine-tuning").glob(".doit.db.damaged-*"))


def test_config_cache_with_changed_content_is_rebuilt(tmp_path, monkeypatch, capsys):
    ws = make_workspace(tmp_path / "ws", artifacts=[])
    monkeypatch.chdir(ws)
    cache = ws / "cache.json"
    good = load_config(profile="smoke", environ={}, cache=cache)
    for bad in ({}, {**good, "triage": {"advisories": 5}}):
        doc = json.loads(cache.read_text())
        doc["config"] = bad
        cache.write_text(json.dumps(doc))
        assert load_config(profile="smoke", environ={}, cache=cache) == good
        assert "config cache" in capsys.readouterr().err
    assert load_config(profile="smoke", environ={}, cache=cache) == good
