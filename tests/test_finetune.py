"""mlx-lm training with the tiny model on the CPU: both stages learn, resume, fallback, skip."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from conftest import clean_env, run_doit


def _metrics(ws, stage):
    return json.loads((ws / f"fine-tuning/adapters/{stage}/metrics.json").read_text())


def test_both_stages_train_and_validation_loss_falls(smoke_workspace):
    s1, s2 = _metrics(smoke_workspace, "stage1"), _metrics(smoke_workspace, "stage2")
    for m in (s1, s2):
        assert m["status"] == "trained" and m["iterations"] == 8
        assert m["valid_loss_after"] < m["valid_loss_before"]
        assert [h["step"] for h in m["train_loss"]] == list(range(1, 9))
        assert m["tokens_per_second"] > 0 and m["peak_memory_gb"] > 0
    assert s2["mode"] == "sequential" and s2["stage1_rows_mixed"] > 0
    assert set(s2["forgetting"]) == {"stage1_valid_loss_before", "stage1_valid_loss_after"}
    config = json.loads((smoke_workspace / "fine-tuning/adapters/stage1/adapter_config.json").read_text())
    assert config["fine_tune_type"] == "lora" and config["lora_parameters"]["rank"] == 4
    log = (smoke_workspace / "fine-tuning/logs/stage1.log").read_text()
    assert "step 8 train_loss" in log


def test_fused_stage2_model_loads_and_generates(smoke_workspace):
    import mlx_lm

    model, tokenizer = mlx_lm.load(str(smoke_workspace / "fine-tuning/models/stage2"))
    prompt = tokenizer.apply_chat_template([{"role": "user", "content": "SQL injection in app.py"}], add_generation_prompt=True)
    text = mlx_lm.generate(model, tokenizer, prompt=prompt, max_tokens=12)
    assert isinstance(text, str) and len(tokenizer.encode(text, add_special_tokens=False)) >= 1
    # the fused weights differ from the base: training changed the model
    import mlx.core as mx

    base = mx.load(str(smoke_workspace / "fine-tuning/models/tiny-base/model.safetensors"))
    fused = mx.load(str(smoke_workspace / "fine-tuning/models/stage2/model.safetensors"))
    key = "model.layers.1.self_attn.q_proj.weight"
    assert not mx.array_equal(base[key], fused[key]).item()


def test_interrupted_training_resumes_from_its_checkpoint(workspace):
    cmd = [sys.executable, "-m", "tasks.finetune", "--dataset", "fine-tuning/training_data/stage1_train.jsonl",
           "--output-name", "resumable", "--max-iters", "16", "--max-epochs", "3", "--profile", "smoke"]
    state = workspace / "fine-tuning/checkpoints/resumable/state.json"
    proc = subprocess.Popen(cmd, cwd=workspace, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        if state.exists() and json.loads(state.read_text())["step"] >= 8:
            proc.send_signal(signal.SIGKILL)  # a real, abrupt interruption
            break
        time.sleep(0.02)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "training finished before it could be interrupted"
    step = json.loads(state.read_text())["step"]
    assert step in (8, 12)
    assert not (workspace / "fine-tuning/adapters/resumable").exists()  # nothing half-written
    done = subprocess.run(cmd, cwd=workspace, env=clean_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    m = json.loads((workspace / "fine-tuning/adapters/resumable/metrics.json").read_text())
    assert m["resumed_from_step"] == step and m["iterations"] == 16
    steps = [h["step"] for h in m["train_loss"]]
    assert steps[-1] == 16 and steps.count(step + 1) == 1
    assert not state.exists()  # checkpoint removed after success


def _set(ws, old, new):
    path = ws / "config/profiles/smoke.yaml"
    path.write_text(path.read_text().replace(old, new))


def test_single_stage_fallback(workspace):
    _set(workspace, "fine_tuning:\n", "fine_tuning:\n  sequential: false\n")
    run = run_doit(workspace, "profile=smoke")
    assert run.returncode == 0, run.output
    assert {"stage1_analysis", "stage2_codefix", "upload"} <= run.executed
    s1, s2 = _metrics(workspace, "stage1"), _metrics(workspace, "stage2")
    info = json.loads((workspace / "fine-tuning/training_data/dataset_info.json").read_text())
    both = sum(info["counts"][s]["train"] for s in ("stage1", "stage2"))
    assert s1["mode"] == "single-stage" and s1["train_rows"] + sum(s1["rows_dropped_too_long"].values()) >= both - 1
    assert s2["mode"] == "single-stage" and "iterations" not in s2
    assert (workspace / "fine-tuning/models/stage2/model.safetensors").is_file()


@pytest.mark.parametrize("setting, daemon, status", [("skip_fine_tuning: true", "0", "skipped"), ("skip_in_daemon: true", "1", "kept")])
def test_skip_paths(workspace, setting, daemon, status):
    """skip_fine_tuning removes the stages' outputs; a daemon skip keeps the earlier adapters ("kept")."""
    _set(workspace, "fine_tuning:\n", f"fine_tuning:\n  {setting}\n")
    run = run_doit(workspace, "profile=smoke", env=clean_env(SECFT_DAEMON=daemon))
    assert run.returncode == 0, run.output
    assert _metrics(workspace, "stage1")["status"] == status
    assert _metrics(workspace, "stage2")["status"] == status
    marker = json.loads((workspace / "fine-tuning/uploaded.json").read_text())
    # datasets are still published; kept adapters are published like trained ones, skipped ones are not
    assert set(marker["repos"]) == ({"dataset"} if status == "skipped" else {"dataset", "stage1", "stage2"})




def test_uncached_hub_model_offline_is_one_clear_error(tmp_path, monkeypatch):
    from tasks.core.errors import SecftError
    from tasks.training import base_model

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(SecftError) as exc:
        base_model.fetch("allenai/OLMo-2-0425-1B-Instruct", cache_dir=tmp_path / "empty-cache")
    msg = str(exc.value)
    assert msg.startswith("base_model allenai/OLMo-2-0425-1B-Instruct: not in the Hugging Face cache")
    assert "local model folder" in msg and "doit profile=smoke" in msg and "\n" not in msg


def test_base_model_task_reports_the_offline_error(tmp_path):
    from conftest import make_workspace

    ws = make_workspace(tmp_path / "ws")
    run = run_doit(ws, "base_model", env=clean_env(HF_HUB_CACHE=str(tmp_path / "empty-cache")))
    assert run.returncode != 0
    assert "base_model allenai/OLMo-2-0425-1B-Instruct: not in the Hugging Face cache" in run.output
    assert "Traceback" not in run.output
