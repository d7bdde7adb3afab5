"""Damaged or interrupted state (docs/reliability.md, "Damaged state"): a kill -9 late in a run never
makes the next run redo a finished task (doit's database is written after every task), evaluation
resumes from its own partial answers, and a state file that does not parse is moved aside and rebuilt."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from conftest import REPO, clean_env

DODO = textwrap.dedent("""
    import os, signal
    from pathlib import Path
    {install}
    DOIT_CONFIG = {{"backend": "sqlite3", "dep_file": "db.sqlite", "verbosity": 2}}

    def _train():
        n = Path("trained.count")
        n.write_text(str(int(n.read_text()) + 1 if n.exists() else 1))
        Path("adapter.bin").write_text("weights")

    def task_train():
        return {{"actions": [_train], "file_dep": ["data.txt"], "targets": ["adapter.bin"]}}

    def task_evaluate():
        def killed():
            if os.environ.get("KILL"):
                os.kill(os.getpid(), signal.SIGKILL)
        return {{"actions": [killed], "file_dep": ["adapter.bin"], "targets": ["report.json"]}}
""")


def _doit(folder, *args, kill=False):
    env = clean_env(**({"KILL": "1"} if kill else {}))
    return subprocess.run([sys.executable, "-m", "doit", *args], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=60)


def test_a_kill_during_a_later_task_keeps_the_finished_ones(tmp_path):
    (tmp_path / "dodo.py").write_text(DODO.format(install=f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
                                                           "from tasks.core import doitdb; doitdb.install()"))
    (tmp_path / "data.txt").write_text("rows")
    killed = _doit(tmp_path, kill=True)
    assert killed.returncode == -9
    assert (tmp_path / "trained.count").read_text() == "1"
    again = _doit(tmp_path, "train")
    assert again.returncode == 0 and "-- train" in again.stdout, again.stdout
    assert (tmp_path / "trained.count").read_text() == "1"  # not trained again


def test_the_pipeline_installs_it():
    text = (REPO / "dodo.py").read_text()
    assert "doitdb.install()" in text


class Killed(BaseException):
    """Stands for the SIGKILL: nothing after it runs, what was flushed to disk stays."""


def _eval_setup(tmp_path, monkeypatch, kill_after=None):
    from evaluation_rows import STAGE1_ROWS, STAGE2_ROWS
    from tasks.evaluation import generate

    training, out = tmp_path / "training_data", tmp_path / "eval"
    training.mkdir(exist_ok=True)
    for name, rows in (("stage1_test.jsonl", STAGE1_ROWS), ("stage2_test.jsonl", STAGE2_ROWS)):
        (training / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    base = tmp_path / "base"
    paths = {"base_marker": tmp_path / "base_model.json", "stage1": tmp_path / "stage1", "stage2": tmp_path / "stage2",
             "model2": tmp_path / "model2", "training": training, "out": out}
    for folder in (base, paths["model2"], paths["stage1"], paths["stage2"]):
        folder.mkdir(exist_ok=True)
        (folder / "config.json").write_text("{}")
    for stage in ("stage1", "stage2"):
        (paths[stage] / "metrics.json").write_text(json.dumps({"status": "trained", "stage": stage}))
    paths["base_marker"].write_text(json.dumps({"path": str(base)}))
    calls = {"answers": 0, "loads": 0}

    def answers(model, tokenizer, rows, max_tokens, batch_size=8, label="", on_batch=None):
        out = []
        for start, row in enumerate(rows):  # batches of one: a kill after N answers keeps exactly N
            if kill_after is not None and calls["answers"] >= kill_after:
                raise Killed()
            calls["answers"] += 1
            out.append(row["messages"][-1]["content"])
            if on_batch is not None:
                on_batch(start, out[-1:])
        return out

    def load(model_dir, adapter=None):
        calls["loads"] += 1
        return object(), object()

    monkeypatch.setattr(generate, "answers", answers)
    monkeypatch.setattr(generate, "load", load)
    monkeypatch.setattr(generate, "test_loss", lambda m, t, rows, cfg: (1.0, len(rows), 10 * len(rows)))
    config = {"evaluation": {"max_rows": 20, "max_tokens": 8},
              "fine_tuning": {"batch_size": 1, "mask_prompt": True, "max_seq_length": 512}}
    return config, paths, calls


def test_evaluation_resumes_from_its_own_partial_answers(tmp_path, monkeypatch, capsys):
    from tasks.evaluation.report import evaluate

    config, paths, calls = _eval_setup(tmp_path, monkeypatch, kill_after=10)
    try:
        evaluate(config, paths)
    except Killed:
        pass
    assert calls["answers"] == 10 and not (paths["out"] / "report.json").exists()
    with open(paths["out"] / ".partial.jsonl", "a") as fh:
        fh.write('{"model": "cut short by the ki')  # the line being written when the kill came
    config, paths, calls = _eval_setup(tmp_path, monkeypatch)
    evaluate(config, paths)
    assert calls["answers"] == 3 * 6 - 10  # 3 models x 6 rows, 10 already there
    captured = capsys.readouterr()
    assert "1 damaged line(s) dropped" in captured.err and "resuming" in captured.out
    report = json.loads((paths["out"] / "report.json").read_text())
    assert report["models"]["stage2"]["status"] == "evaluated"
    assert len((paths["out"] / "answers.jsonl").read_text().splitlines()) == 18
    assert not (paths["out"] / ".partial.jsonl").exists()  # a complete evaluation leaves no partial file


def test_a_retrained_stage_never_reuses_old_partial_answers(tmp_path, monkeypatch):
    from tasks.evaluation.report import evaluate

    config, paths, calls = _eval_setup(tmp_path, monkeypatch, kill_after=17)
    try:
        evaluate(config, paths)
    except Killed:
        pass
    config, paths, calls = _eval_setup(tmp_path, monkeypatch)
    (paths["stage2"] / "metrics.json").write_text(json.dumps({"status": "trained", "stage": "stage2", "iters": 2}))
    evaluate(config, paths)
    assert calls["answers"] == 6  # stage 2's six rows again: its metrics changed


DAMAGE = ["{not json", "[" * 100000, "\xff\xfe", "[1, 2]", "null"]


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_state_file_is_moved_aside_named_and_rebuilt(tmp_path, damage, capsys):
    from tasks.core import state

    path = tmp_path / "daemon_state.json"
    path.write_bytes(damage.encode("latin-1"))
    assert state.load(path, dict, "daemon state") is None
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and "moved aside to daemon_state.json.damaged-" in err[0]
    assert not path.exists() and len(list(tmp_path.glob("daemon_state.json.damaged-*"))) == 1
    assert state.load(path) is None  # missing: nothing to say


@pytest.mark.parametrize("damage", DAMAGE)
def test_the_config_cache_and_outputs_check_survive_damage(tmp_path, damage, monkeypatch):
    from tasks.core.config import load_config
    from tasks.training.outputs import outputs_intact, skipped_for_daemon

    monkeypatch.chdir(REPO)
    cache = tmp_path / "cache.json"
    cache.write_bytes(damage.encode("latin-1"))
    assert load_config("config/pipeline.yaml", cache=str(cache))["fine_tuning"]
    metrics = tmp_path / "metrics.json"
    metrics.write_bytes(damage.encode("latin-1"))
    assert outputs_intact(metrics) is False and skipped_for_daemon(metrics) is False
    metrics.write_text(json.dumps({"outputs": {"x": 3}}))
    assert outputs_intact(metrics) is False


def test_evaluation_loss_rows_bounds_the_loss_pass(tmp_path, monkeypatch):
    """evaluation.loss_rows: the test loss runs over at most that many rows of each split; answers over all."""
    from tasks.evaluation import generate
    from tasks.evaluation.report import evaluate

    config, paths, calls = _eval_setup(tmp_path, monkeypatch)
    seen = []
    monkeypatch.setattr(generate, "test_loss", lambda m, t, rows, cfg: (seen.append(len(rows)), (2.0, len(rows), 7 * len(rows)))[1])
    config["evaluation"]["loss_rows"] = 1
    assert evaluate(config, paths)["test_rows"]["stage2"] > 1
    report = json.loads((paths["out"] / "report.json").read_text())
    assert seen and max(seen) == 1  # every loss call saw one row per split
    assert report["models"]["base"]["counts"]["valid_loss"] == 2
    assert report["settings"]["loss_rows"] == 1
