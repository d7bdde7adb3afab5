"""The learning-rate schedule (fine_tuning.lr_schedule, warmup_steps): its values, the trainer follows it, and
changing it retrains a stage even when the retrain policy would keep the adapter for a data-only change."""

from __future__ import annotations

import json
import math

import pytest
from conftest import run_doit


def _values(**cfg):
    from tasks.training import schedule

    return schedule.values({"learning_rate": 1e-3, **cfg}, 8)


def test_constant_without_warmup_is_the_plain_learning_rate():
    from tasks.training import schedule

    assert schedule.build({"learning_rate": 1e-3}, 8) == 1e-3
    assert _values() == [1e-3] * 8


def test_warmup_rises_linearly_then_cosine_decays_towards_zero():
    lr = _values(lr_schedule="cosine", warmup_steps=3)
    assert lr[:3] == pytest.approx([1e-3 / 3, 2e-3 / 3, 1e-3], rel=1e-5)
    # cosine over the 5 remaining updates, starting at the peak
    assert lr[3:] == pytest.approx([1e-3 * 0.5 * (1 + math.cos(math.pi * k / 5)) for k in range(5)], rel=1e-5)
    assert all(a > b for a, b in zip(lr[3:], lr[4:]))


def test_constant_with_warmup_holds_after_the_ramp():
    lr = _values(lr_schedule="constant", warmup_steps=2)
    assert lr == pytest.approx([5e-4] + [1e-3] * 7, rel=1e-5)


def test_warmup_longer_than_the_run_still_ends_at_the_peak():
    lr = _values(lr_schedule="cosine", warmup_steps=50)
    assert lr[-1] == pytest.approx(1e-3, rel=1e-5) and lr[0] < lr[-1]


def test_a_schedule_change_retrains_and_the_trainer_follows_the_schedule(workspace):
    profile = workspace / "config/profiles/smoke.yaml"
    text = profile.read_text().replace("min_new_rows: 0", "min_new_rows: 1000")  # a data-only change would keep
    profile.write_text(text.replace("fine_tuning:\n", "fine_tuning:\n  lr_schedule: cosine\n  warmup_steps: 3\n", 1))
    run = run_doit(workspace, "profile=smoke", "stage1_analysis")
    assert run.returncode == 0, run.output[-3000:]
    assert run.ran("stage1_analysis")
    m = json.loads((workspace / "fine-tuning/adapters/stage1/metrics.json").read_text())
    assert m["status"] == "trained"
    assert m["policy"]["decision"].startswith("train: base model, hyperparameters")
    assert m["schedule"] == {"lr_schedule": "cosine", "warmup_steps": 3, "learning_rate": 5e-4}  # the smoke profile's
    assert m["hyperparameters"]["lr_schedule"] == "cosine" and m["hyperparameters"]["warmup_steps"] == 3
    recorded = [h["learning_rate"] for h in m["train_loss"]]
    from tasks.training import schedule

    expected = schedule.values({"learning_rate": 5e-4, "lr_schedule": "cosine", "warmup_steps": 3}, 8)[: m["iterations"]]
    assert m["iterations"] == 8 and recorded == pytest.approx(expected, rel=1e-5)
