"""Training only when worth it (fine_tuning.min_new_rows), forcing it, and skip_in_daemon then a manual run."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from conftest import REPO, clean_env, run_doit


def _metrics(ws, stage):
    return json.loads((ws / f"fine-tuning/adapters/{stage}/metrics.json").read_text())


def _sha(ws, stage):
    return hashlib.sha256((ws / f"fine-tuning/adapters/{stage}/adapters.safetensors").read_bytes()).hexdigest()


def _set(ws, old, new):
    path = ws / "config/profiles/smoke.yaml"
    path.write_text(path.read_text().replace(old, new))


def test_few_new_rows_keep_the_adapter_until_forced(workspace):
    trained = _metrics(workspace, "stage1")
    sha1, sha2 = _sha(workspace, "stage1"), _sha(workspace, "stage2")
    _set(workspace, "min_new_rows: 0", "min_new_rows: 1000")
    # a new CI run with a few new findings
    extra = workspace / "data/artifacts/run-2/bandit"
    extra.mkdir(parents=True)
    # (reports of rules the sample lacks: a report of an already-seen rule adds no row past the group cap)
    for name in ("trivy/kubernetes.json", "grype/many_vulns.json"):
        shutil.copy2(REPO / "tests/fixtures/scanners" / name, extra / Path(name).name)
    run = run_doit(workspace, "profile=smoke")
    assert run.returncode == 0, run.output[-3000:]
    assert run.ran("build_datasets") and run.ran("stage1_analysis")
    s1 = _metrics(workspace, "stage1")
    assert s1["status"] == "kept" and s1["policy"]["decision"].startswith("keep")
    assert s1["policy"]["pending_rows"] >= 1 and s1["policy"]["min_new_rows"] == 1000
    assert s1["policy"]["trained_on_dataset_sha256"] == trained["policy"]["trained_on_dataset_sha256"]
    assert _metrics(workspace, "stage2")["status"] == "kept"
    assert (_sha(workspace, "stage1"), _sha(workspace, "stage2")) == (sha1, sha2)
    # nothing changed since: up to date
    again = run_doit(workspace, "profile=smoke", "stage1_analysis")
    assert "stage1_analysis" in again.uptodate
    # force=1 trains anyway
    forced = run_doit(workspace, "profile=smoke", "force=1", "stage1_analysis")
    assert forced.returncode == 0 and forced.ran("stage1_analysis"), forced.output[-3000:]
    s1 = _metrics(workspace, "stage1")
    assert s1["status"] == "trained" and s1["policy"]["decision"].startswith("train: forced")
    assert _sha(workspace, "stage1") != sha1


def test_doit_always_execute_forces_training(workspace):
    _set(workspace, "min_new_rows: 0", "min_new_rows: 1000")
    run = run_doit(workspace, "-a", "profile=smoke", "stage1_analysis")  # doit takes options before task names
    assert run.returncode == 0 and run.ran("stage1_analysis"), run.output[-3000:]
    assert _metrics(workspace, "stage1")["policy"]["decision"].startswith("train: forced")


def test_after_a_daemon_skip_a_manual_doit_trains(workspace):
    sha1 = _sha(workspace, "stage1")
    _set(workspace, "fine_tuning:\n", "fine_tuning:\n  skip_in_daemon: true\n")
    daemon = run_doit(workspace, "profile=smoke", "stage2_codefix", env=clean_env(SECFT_DAEMON="1"))
    assert daemon.returncode == 0, daemon.output[-3000:]
    s1 = _metrics(workspace, "stage1")
    # the daemon did not train, and did not throw the earlier adapter away either
    assert s1["status"] == "kept" and s1["skipped_by"] == "daemon" and s1["policy"]["decision"].startswith("keep: fine_tuning.skip_in_daemon")
    assert _sha(workspace, "stage1") == sha1
    again = run_doit(workspace, "profile=smoke", "stage2_codefix", env=clean_env(SECFT_DAEMON="1"))
    assert {"stage1_analysis", "stage2_codefix"} <= again.uptodate  # the daemon does not retry its own skip
    manual = run_doit(workspace, "profile=smoke", "stage2_codefix")
    assert manual.returncode == 0 and {"stage1_analysis", "stage2_codefix"} <= manual.executed, manual.output[-3000:]
    for stage in ("stage1", "stage2"):
        assert _metrics(workspace, stage)["status"] == "trained" and "skipped_by" not in _metrics(workspace, stage)


def test_policy_decisions(tmp_path):
    from tasks.training import policy

    rows = [{"text": f"row {i}"} for i in range(10)]
    policy.write_row_hashes(tmp_path, rows)
    (tmp_path / "metrics.json").write_text(json.dumps({"status": "trained", "setup_sha256": "A", "data_sha256": "D"}))
    grown = rows + [{"text": "new 1"}, {"text": "new 2"}]

    def decide(setup="A", force=False, intact=True, **cfg):
        return policy.decide({"min_new_rows": 5, "min_new_percent": 0, **cfg}, tmp_path, grown, setup, force, intact)

    kept = decide()
    assert kept["decision"].startswith("keep") and kept["pending_rows"] == 2 and kept["trained_on_dataset_sha256"] == "D"
    assert decide(min_new_rows=2)["decision"].startswith("train: 2 new rows")
    assert decide(min_new_percent=20)["decision"].startswith("train")  # 2 of 10 = 20%
    assert decide(min_new_percent=25)["decision"].startswith("keep")
    assert decide(setup="B")["decision"].startswith("train: base model, hyperparameters")
    assert decide(force=True)["decision"].startswith("train: forced")
    assert decide(intact=False)["decision"].startswith("train: no earlier adapter")
    assert decide(min_new_rows=0)["decision"].startswith("train: policy off")
    # rows removed only: nothing new to learn
    assert policy.decide({"min_new_rows": 1, "min_new_percent": 0}, tmp_path, rows[:5], "A", False, True)["decision"].startswith("keep")
