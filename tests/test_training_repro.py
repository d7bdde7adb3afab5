"""Reproducible training: same inputs and seed give byte-identical adapters; resume continues the same run."""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import run_doit


def _cfg(ws, **over):
    from tasks.core.config import load_config

    cfg = dict(load_config(ws / "config/pipeline.yaml", "smoke", environ={})["fine_tuning"])
    cfg.update({"max_iters": 8, "max_epochs": 10, "checkpoint_every": 2, "steps_per_eval": 4, **over})
    return cfg


def _rows(ws):
    from tasks.training.formats import read_rows

    return (read_rows(ws / "fine-tuning/training_data/stage1_train.jsonl")[:24],
            read_rows(ws / "fine-tuning/training_data/stage1_valid.jsonl")[:6])


def _train(ws, tmp_path, name, cfg, on_step=None):
    """Outputs inside the (private) workspace: writes never leave it."""
    from tasks.training.stages import train_single

    train, valid = _rows(ws)
    out = ws / "fine-tuning/adapters" / name
    metrics = train_single("tiny", train, valid, out, cfg, ws / "fine-tuning/checkpoints" / name,
                           ws / f"fine-tuning/logs/{name}.log", name, on_step=on_step)
    return (out / "adapters.safetensors").read_bytes(), metrics


@pytest.fixture
def in_ws(workspace, monkeypatch):
    monkeypatch.chdir(workspace)  # "tiny" resolves to fine-tuning/models/tiny-base
    return workspace


def test_same_inputs_and_seed_give_byte_identical_adapters_whatever_ran_before(in_ws, tmp_path):
    import mlx.core as mx
    import numpy as np

    first, _ = _train(in_ws, tmp_path, "a", _cfg(in_ws, max_iters=4))
    # disturb every random state the process has, and train something else in between
    mx.random.seed(12345)
    mx.random.normal((64,))
    np.random.seed(7)
    np.random.rand(10)
    other, _ = _train(in_ws, tmp_path, "other", _cfg(in_ws, max_iters=4, seed=43))
    second, _ = _train(in_ws, tmp_path, "b", _cfg(in_ws, max_iters=4))
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    assert other != first  # the seed matters: the comparison above can fail


def test_interrupted_and_resumed_run_ends_with_the_same_weights(in_ws, tmp_path):
    """Dropout on, so the RNG matters too; the interrupted run is stopped after step 5 (checkpoint at 4)."""
    cfg = _cfg(in_ws, lora_dropout=0.1)
    whole, whole_metrics = _train(in_ws, tmp_path, "whole", cfg)

    class Interrupt(Exception):
        pass

    def stop(step):
        if step == 5:
            raise Interrupt

    with pytest.raises(Interrupt):
        _train(in_ws, tmp_path, "resumed", cfg, on_step=stop)
    state = json.loads((in_ws / "fine-tuning/checkpoints/resumed/state.json").read_text())
    assert state["step"] == 4 and not (in_ws / "fine-tuning/adapters/resumed").exists()
    resumed, metrics = _train(in_ws, tmp_path, "resumed", cfg)
    assert metrics["resumed_from_step"] == 4
    assert [h["step"] for h in metrics["train_loss"]] == list(range(1, 9))
    assert [h["loss"] for h in metrics["train_loss"]] == [h["loss"] for h in whole_metrics["train_loss"]]
    assert resumed == whole  # byte-identical: optimizer state, data order and dropout RNG all restored
    assert not (in_ws / "fine-tuning/checkpoints/resumed").exists()


def test_doit_forget_and_retrain_gives_the_same_adapter(workspace):
    adapter = workspace / "fine-tuning/adapters/stage1/adapters.safetensors"
    digests = [hashlib.sha256(adapter.read_bytes()).hexdigest()]  # from the first full pipeline run
    for _ in range(1):
        assert run_doit(workspace, "profile=smoke", "forget", "stage1_analysis").returncode == 0
        run = run_doit(workspace, "profile=smoke", "stage1_analysis")
        assert run.returncode == 0 and "stage1_analysis" in run.executed, run.output[-2000:]
        digests.append(hashlib.sha256(adapter.read_bytes()).hexdigest())
    assert digests[0] == digests[1]
