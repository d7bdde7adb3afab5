"""The usage guide's modes from the command line: doit variables, workspace=, provenance, model history."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, clean_env, make_workspace, run_doit

SAMPLE_PARSE = 11  # parse tasks of the bundled sample (one per report)


def _metrics(ws, stage):
    return json.loads((ws / f"fine-tuning/adapters/{stage}/metrics.json").read_text())


def _parsed(run):
    return {t for t in run.executed if t.startswith("parse_findings:")}


def test_bad_variables_fail_in_one_line(tmp_path):
    ws = make_workspace(tmp_path / "ws", artifacts=[])
    (ws / "a-file").write_text("x")
    cases = {
        "sequential=maybe": "doit variable sequential=maybe: expected 1 or 0",
        "upload=2": "doit variable upload=2: expected 1 or 0",
        "commit=xyz": "doit variable commit=xyz: provenance.commit: 'xyz' is not a git commit id",
        "commit=abc123": "is not a git commit id",  # 6 digits: too short
        "branch=../main": "doit variable branch=../main: provenance.branch: '../main' is not a safe git branch name",
        "branch=-x": "is not a safe git branch name",
        f"workspace={tmp_path / 'missing'}": "does not exist",
        "workspace=a-file": "is not a folder",
        "artifacts_dir=nowhere": f"doit variable artifacts_dir=nowhere: {ws / 'nowhere'} does not exist",
        "base_model=": "doit variable base_model=: base_model:",
    }
    for arg, message in cases.items():
        run = run_doit(ws, "profile=smoke", arg, "list")
        errors = [line for line in run.output.splitlines() if line.strip()]
        assert run.returncode == 2, (arg, run.output)
        assert len(errors) == 1 and message in errors[0] and "Traceback" not in run.output, (arg, run.output)
    typo = run_doit(ws, "profile=smoke", "sequental=0", "list")
    assert typo.returncode == 0 and "doit variable sequental= is not one secft reads" in typo.output


def test_variables_become_typed_overrides(tmp_path):
    from tasks.core import variables

    (tmp_path / "m").mkdir()
    given = {"upload": "yes", "sequential": "0", "skip_fine_tuning": "off", "base_model": "./m", "commit": "abc1234"}
    over, labels = variables.overrides(given.get, tmp_path)
    assert over == {"upload.enabled": True, "fine_tuning.sequential": False, "fine_tuning.skip_fine_tuning": False,
                    "base_model": "./m", "provenance.commit": "abc1234"}
    assert labels["fine_tuning.sequential"] == "doit variable sequential=0"
    # with workspace= the run leaves the project folder: a local model path typed there is made absolute
    moved, _ = variables.overrides({"base_model": "./m"}.get, tmp_path, moved=True)
    assert moved == {"base_model": str((tmp_path / "m").resolve())}
    hub, _ = variables.overrides({"base_model": "allenai/OLMo-2-0425-1B-Instruct"}.get, tmp_path, moved=True)
    assert hub == {"base_model": "allenai/OLMo-2-0425-1B-Instruct"}
    assert variables.directory({"workspace": "."}.get, "workspace", tmp_path) == tmp_path.resolve()


def test_readme_lists_every_variable_beside_its_guide_flag():
    from conftest import REPO

    from tasks.core.variables import table

    assert table() in (REPO / "README.md").read_text()
    for flag in ("--upload-model", "--skip-fine-tuning", "--disable-sequential-fine-tuning", "--model-name", "--branch",
                 "--commit", "--artifacts-dir", "--output-dir"):
        assert f"| `{flag}` |" in table()


def test_each_variable_rebuilds_what_it_must_and_nothing_else(workspace):
    ws = workspace
    same = run_doit(ws, "profile=smoke", "upload=1")  # the smoke profile's own value: nothing changes
    assert same.returncode == 0 and same.executed == set(), same.output[-2000:]
    off = run_doit(ws, "profile=smoke", "upload=0")
    assert off.executed == {"upload"}, off.output[-2000:]
    on = run_doit(ws, "profile=smoke")
    assert on.executed == {"upload"}

    skip = run_doit(ws, "profile=smoke", "skip_fine_tuning=1")
    assert skip.returncode == 0, skip.output[-2000:]
    assert {"base_model", "stage1_analysis", "stage2_codefix", "upload"} <= skip.executed
    assert not _parsed(skip) and not skip.ran("build_datasets") and not skip.ran("enrich_narratives")
    assert _metrics(ws, "stage1")["status"] == "skipped" and _metrics(ws, "stage2")["status"] == "skipped"
    assert run_doit(ws, "profile=smoke", "skip_fine_tuning=1").executed == set()

    model = ws.parent / "my-model"  # a local model given relative to where doit runs
    shutil.copytree(ws / "fine-tuning/models/tiny-base", model)
    local = run_doit(ws, "profile=smoke", "base_model=../my-model")
    assert local.returncode == 0, local.output[-3000:]
    assert {"base_model", "stage1_analysis", "stage2_codefix"} <= local.executed and not _parsed(local)
    assert json.loads((ws / "fine-tuning/models/base_model.json").read_text())["base_model"] == "../my-model"
    assert _metrics(ws, "stage1")["status"] == "trained" and _metrics(ws, "stage1")["base_model"] == "../my-model"

    prov = run_doit(ws, "profile=smoke", "base_model=../my-model", "branch=release/1.2", "commit=0123abcd")
    assert prov.returncode == 0, prov.output[-2000:]
    # every sample report has no run.json: all of them are parsed again (none reused), then the merge
    assert _parsed(prov) == {"parse_findings:settings", "parse_findings:runs", "parse_findings:merge"}
    assert f"parsed {SAMPLE_PARSE}, reused 0 of {SAMPLE_PARSE}" in prov.output, prov.output[-2000:]
    assert not prov.ran("knowledge_base") and not prov.ran("base_model") and not prov.ran("tiny_base_model")
    findings = [json.loads(line) for line in (ws / "data/findings/findings.jsonl").read_text().splitlines()]
    assert findings and all(f["source"]["branch"] == "release/1.2" and f["source"]["commit"] == "0123abcd" for f in findings)
    again = run_doit(ws, "profile=smoke", "base_model=../my-model", "branch=release/1.2", "commit=0123abcd")
    assert again.executed == set()


def test_provenance_applies_only_to_reports_without_run_json(tmp_path):
    from tasks.ingest import artifacts

    root = tmp_path / "artifacts"
    (root / "run-1").mkdir(parents=True)
    (root / "run-1" / "run.json").write_text(json.dumps({"branch": "main", "commit": "f" * 40}))
    (root / "run-1" / "r.json").write_text("{}")
    (root / "copied").mkdir()
    (root / "copied" / "r.json").write_text("{}")
    (root / "top.json").write_text("{}")
    try:
        artifacts.set_local_provenance({"branch": "dev", "commit": "abcdef1"})
        assert artifacts.provenance(root / "run-1/r.json", root) == {"branch": "main", "commit": "f" * 40}
        assert artifacts.local_provenance(root / "run-1/r.json", root) == {}
        for path in (root / "copied/r.json", root / "top.json"):
            assert artifacts.provenance(path, root) == artifacts.local_provenance(path, root) == {"branch": "dev", "commit": "abcdef1"}
        artifacts.set_local_provenance({"branch": None, "commit": None})
        assert artifacts.provenance(root / "top.json", root) == {}
    finally:
        artifacts.set_local_provenance(None)


def test_workspace_and_artifacts_dir_move_outputs_db_and_lock(workspace, tmp_path):
    from tasks.core.runlock import RunLock

    out = tmp_path / "out"
    reports = tmp_path / "reports" / "copied"
    out.mkdir()
    reports.mkdir(parents=True)
    shutil.copy2(FIXTURES / "bandit" / "bandit-report.json", reports / "bandit.json")
    before = sorted(p.name for p in (workspace / "data/findings/by_run").iterdir())
    args = ("profile=smoke", f"workspace={out}", f"artifacts_dir={reports.parent}", "parse_findings")
    run = run_doit(workspace, *args)
    assert run.returncode == 0, run.output[-2000:]
    assert _parsed(run) == {"parse_findings:runs", "parse_findings:settings", "parse_findings:merge"}
    assert len(list((out / "data/findings/by_run").iterdir())) == 1
    assert (out / "data/findings/findings.jsonl").stat().st_size > 0
    assert (out / "fine-tuning/.doit.db").is_file()  # doit's own dependency file moved too
    assert sorted(p.name for p in (workspace / "data/findings/by_run").iterdir()) == before
    again = run_doit(workspace, *args)
    assert again.executed == set(), again.output[-3000:]
    assert run_doit(workspace, "profile=smoke", "parse_findings").executed == set()  # the project's state is untouched
    with RunLock(out / "fine-tuning/.secft.lock"):  # the lock is the workspace's
        busy = run_doit(workspace, *args)
        assert busy.returncode != 0 and "another secft run" in busy.output
        assert run_doit(workspace, "profile=smoke", "parse_findings").returncode == 0


def _models(ws, *args):
    cmd = [sys.executable, "-m", "tasks.models", *args]
    return subprocess.run(cmd, cwd=ws, env=clean_env(), capture_output=True, text=True, timeout=120)


def _history(ws):
    done = _models(ws, "list", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_sequential_off_history_and_restore(workspace, monkeypatch):
    ws = workspace
    first = {h["adapter"]: h for h in _history(ws)}  # the session's smoke run trained both stages
    assert set(first) == {"stage1", "stage2"} and all(h["current"] for h in first.values())
    old_adapter = (ws / "fine-tuning/adapters/stage1/adapters.safetensors").read_bytes()

    single = run_doit(ws, "profile=smoke", "sequential=0")
    assert single.returncode == 0, single.output[-2000:]
    assert {"stage1_analysis", "stage2_codefix", "evaluate", "export_peft", "upload"} <= single.executed
    assert not _parsed(single) and not single.ran("build_datasets") and not single.ran("base_model")
    assert _metrics(ws, "stage1")["mode"] == "single-stage"
    assert run_doit(ws, "profile=smoke", "sequential=0").executed == set()
    history = _history(ws)
    assert [h["adapter"] for h in history].count("stage1") == 2 and history[0]["current"]

    # stage 2 of the first build was trained on the first stage 1: refused until that one is back
    refused = _models(ws, "restore", first["stage2"]["name"])
    assert refused.returncode == 2 and f"restore {first['stage1']['name']} first" in refused.stderr
    for bad in ("../../data", "20260101T000000Z_00000000", ""):
        done = _models(ws, "restore", bad)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert _models(ws, "restore", first["stage1"]["name"]).returncode == 0
    assert (ws / "fine-tuning/adapters/stage1/adapters.safetensors").read_bytes() == old_adapter
    assert _metrics(ws, "stage1")["restored_from"] == first["stage1"]["name"]
    rebuilt = run_doit(ws, "profile=smoke", "sequential=0")
    assert "stage1_analysis" in rebuilt.uptodate  # the restored adapter is taken as built ...
    assert {"stage2_codefix", "upload"} <= rebuilt.executed  # ... and what depends on it is rebuilt
    assert (ws / "fine-tuning/adapters/stage1/adapters.safetensors").read_bytes() == old_adapter

    # an adapter trained standalone (chat rows) is kept in the history and listed by status
    cmd = [sys.executable, "-m", "tasks.finetune", "--dataset", "fine-tuning/training_data/stage1_train.jsonl",
           "--output-name", "mine", "--max-iters", "2", "--profile", "smoke"]
    done = subprocess.run(cmd, cwd=ws, env=clean_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    from tasks.service.status import status

    monkeypatch.chdir(ws)
    report = status("smoke")
    mine = [h for h in report["history"] if h["adapter"] == "mine"]
    assert len(mine) == 1 and mine[0]["kind"] == "standalone" and mine[0]["current"]
    assert report["models"]["standalone"]["mine"]["status"] == "trained"
    assert json.loads(done.stdout.strip().splitlines()[-1])["history"] == mine[0]["name"]


def _fake_stage(root, adapter, content):
    folder = root / "adapters" / adapter
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "adapters.safetensors").write_bytes(content)
    (folder / "trained_rows.txt").write_text("abc\n")
    outputs = {(folder / n).as_posix(): {"size": 1} for n in ("adapters.safetensors", "trained_rows.txt")}
    metrics = {"stage": adapter, "status": "trained", "data_sha256": "ab" * 32, "outputs": outputs}
    (folder / "metrics.json").write_text(json.dumps(metrics))
    return metrics


def test_history_keeps_the_last_keep_builds_per_adapter(tmp_path):
    from tasks.core.errors import SecftError
    from tasks.training import model_history

    root = tmp_path / "fine-tuning"
    config = {"fine_tuning": {"keep_builds": 2}}
    names = [model_history.record(config, _fake_stage(root, "stage1", bytes([i]))) for i in range(4)]
    other = model_history.record(config, _fake_stage(root, "mine", b"x"))
    kept = model_history.entries(root / "history")
    assert [p.name for p, b in kept if b["adapter"] == "stage1"] == names[2:]
    assert other in [p.name for p, _ in kept]  # rotation is per adapter
    assert model_history.record(config, {**_fake_stage(root, "stage1", b"k"), "status": "kept"}) is None
    assert (root / f"history/{names[3]}/adapters/stage1/adapters.safetensors").read_bytes() == bytes([3])
    model_history.restore(names[2], root)
    assert (root / "adapters/stage1/adapters.safetensors").read_bytes() == bytes([2])
    # a hostile build.json never writes outside adapters/ or models/
    build_file = root / f"history/{names[3]}/build.json"
    build = json.loads(build_file.read_text())
    build["folders"].append("models/../../../outside")
    build_file.write_text(json.dumps(build))
    with pytest.raises(SecftError, match="refused: folder 'models/../../../outside'"):
        model_history.restore(names[3], root)
    assert (root / "adapters/stage1/adapters.safetensors").read_bytes() == bytes([2])  # refused before any change
    assert model_history.record({"fine_tuning": {"keep_builds": 0}}, _fake_stage(root, "stage1", b"z")) is None
    assert [b["adapter"] for _, b in model_history.entries(root / "history")] == ["mine"]


def test_history_that_cannot_be_written_does_not_fail_the_training(tmp_path, capsys):
    from tasks.training import model_history

    root = tmp_path / "fine-tuning"
    root.mkdir()
    (root / "history").write_text("a file in the way")
    assert model_history.record({"fine_tuning": {}}, _fake_stage(root, "stage1", b"a")) is None
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("history: no copy kept of this stage1:")
