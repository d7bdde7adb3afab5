"""Data-parallel LoRA with MLX's own launcher: two local processes (ring backend on 127.0.0.1) train one
adapter, both ranks take part, rank 0 writes it once, and it is the single-process adapter."""

from __future__ import annotations

import json
import random
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env

LAUNCH = Path(sys.executable).parent / "mlx.launch"
ARGS = ["-m", "tasks.finetune", "--base-model", "tiny", "--profile", "smoke", "--max-iters", "4", "--batch-size", "2"]


def _free_ports(n: int = 2) -> int:
    """A first port of ``n`` consecutive free ones (the ring backend listens on port, port + 1, ...)."""
    for _ in range(50):
        first = random.randint(20000, 60000)
        try:
            socks = []
            for p in range(first, first + n):
                s = socket.socket()
                s.bind(("127.0.0.1", p))
                socks.append(s)
            return first
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    pytest.skip("no free local ports for the ring backend")


@pytest.fixture
def data(workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    rows = (workspace / "fine-tuning/training_data/stage1_train.jsonl").read_text().splitlines()[:16]
    path = workspace / "d16.jsonl"
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.skipif(not LAUNCH.exists(), reason="mlx.launch is not installed beside this Python")
def test_two_ranks_train_one_adapter_written_once_by_rank_0(workspace, data):
    import mlx.core as mx

    from tasks.training.cli import main

    cmd = [str(LAUNCH), "-n", "2", "--backend", "ring", "-p", str(_free_ports()), sys.executable, *ARGS,
           "--dataset", str(data), "--output-name", "dist"]
    proc = subprocess.run(cmd, cwd=workspace, capture_output=True, text=True, env=clean_env(), timeout=180)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    # both ranks took part, each on its share of every batch
    assert "rank 0 of 2 trains rows 0::2" in out and "rank 1 of 2 trains rows 1::2" in out
    m = json.loads((workspace / "fine-tuning/adapters/dist/metrics.json").read_text())
    assert m["distributed"]["world_size"] == 2 and m["distributed"]["ranks_in_sync"] is True
    per_rank = m["distributed"]["trained_tokens_per_rank"]
    assert len(per_rank) == 2 and all(t > 0 for t in per_rank) and sum(per_rank) == m["trained_tokens"]
    # rank 0 wrote the adapter, its log and its final report once; nothing else was left behind
    assert out.count("dist: wrote the adapter") == 1 and out.count('"iterations": 4') == 1
    assert (workspace / "fine-tuning/logs/dist.log").read_text().count("dist done") == 1
    assert sorted(p.name for p in (workspace / "fine-tuning/adapters").iterdir() if p.name.startswith(("dist", ".dist")))  \
        == ["dist"]
    assert not (workspace / "fine-tuning/checkpoints/dist").exists()

    # the same run in one process: the same losses and (up to float summation order) the same adapter
    assert main([*ARGS[2:], "--dataset", str(data), "--output-name", "single"]) == 0
    single = json.loads((workspace / "fine-tuning/adapters/single/metrics.json").read_text())
    assert single["distributed"]["world_size"] == 1
    assert [h["loss"] for h in m["train_loss"]] == pytest.approx([h["loss"] for h in single["train_loss"]], abs=1e-4)
    a = mx.load(str(workspace / "fine-tuning/adapters/dist/adapters.safetensors"))
    b = mx.load(str(workspace / "fine-tuning/adapters/single/adapters.safetensors"))
    assert a.keys() == b.keys()
    assert all(mx.allclose(a[k], b[k], atol=1e-4).item() for k in a)
    assert any(not mx.array_equal(a[k], mx.zeros_like(a[k])).item() for k in a if "lora_b" in k)  # it trained


def test_batch_size_must_split_evenly_across_ranks():
    from tasks.core.errors import SecftError
    from tasks.training.distributed import World, check_batch, share

    check_batch(4, World(0, 2))
    check_batch(3, World(0, 1))
    with pytest.raises(SecftError, match="batch_size 3 is not a multiple of the 2 processes"):
        check_batch(3, World(1, 2))
    assert share([5, 6, 7, 8], World(0, 2)) == [5, 7] and share([5, 6, 7, 8], World(1, 2)) == [6, 8]


@pytest.mark.skipif(not LAUNCH.exists(), reason="mlx.launch is not installed beside this Python")
def test_two_ranks_resume_a_one_process_checkpoint(workspace, data, monkeypatch):
    """A one-process run stopped after step 3 (checkpoint at 2) is finished by two ranks: rank 0 restores the
    checkpoint and broadcasts weights and optimizer state, and the result is the uninterrupted run's adapter."""
    import mlx.core as mx

    from tasks.training import stages
    from tasks.training.cli import main

    args = [*ARGS[2:], "--max-iters", "3", "--dataset", str(data)]
    profile = workspace / "config/profiles/smoke.yaml"
    profile.write_text(profile.read_text().replace("checkpoint_every: 4", "checkpoint_every: 2"))
    assert main([*args, "--output-name", "whole"]) == 0

    class Stop(Exception):
        pass

    def stop(step):
        if step == 3:
            raise Stop

    original = stages.train_single
    monkeypatch.setattr(stages, "train_single", lambda *a, **k: original(*a, **{**k, "on_step": stop}))
    with pytest.raises(Stop):
        main([*args, "--output-name", "resumed"])
    monkeypatch.setattr(stages, "train_single", original)
    assert json.loads((workspace / "fine-tuning/checkpoints/resumed/state.json").read_text())["step"] == 2

    cmd = [str(LAUNCH), "-n", "2", "--backend", "ring", "-p", str(_free_ports()), sys.executable, "-m", "tasks.finetune",
           *args, "--output-name", "resumed"]
    proc = subprocess.run(cmd, cwd=workspace, capture_output=True, text=True, env=clean_env(), timeout=180)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert out.count("resuming from checkpoint at step 2 of 3") == 1  # rank 0 only
    m = json.loads((workspace / "fine-tuning/adapters/resumed/metrics.json").read_text())
    assert m["resumed_from_step"] == 2 and m["distributed"]["world_size"] == 2 and m["distributed"]["ranks_in_sync"]
    whole = json.loads((workspace / "fine-tuning/adapters/whole/metrics.json").read_text())
    assert [h["step"] for h in m["train_loss"]] == [1, 2, 3]
    assert [h["loss"] for h in m["train_loss"]] == pytest.approx([h["loss"] for h in whole["train_loss"]], abs=1e-4)
    a = mx.load(str(workspace / "fine-tuning/adapters/resumed/adapters.safetensors"))
    b = mx.load(str(workspace / "fine-tuning/adapters/whole/adapters.safetensors"))
    assert all(mx.allclose(a[k], b[k], atol=1e-4).item() for k in a)
