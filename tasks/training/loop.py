"""The training loop: ``train_adapter`` (model -> LoRA -> optimizer -> batches -> steps).

Our own loop rather than ``mlx_lm.tuner.trainer.train`` because a resumable,
reproducible run needs three things that function keeps private: the
optimizer state (saved and restored with each checkpoint), the RNG key of each step,
and the batch order (here a function of seed and step, ``batches``).  The
pieces are mlx-lm's: its LoRA conversion, loss, padding and progress UI,
and the step is compiled as in mlx-lm.

Reproducibility: the seed is set *before* the LoRA layers are created
(their initial weights are random), so the same inputs and seed give
byte-identical adapters whatever ran earlier in the process.
"""

from __future__ import annotations

import logging
import math
import time

from tasks.errors import SecftError
from tasks.training.batches import batch_for_step, batch_index, collate, tokenize_rows, validation_batches
from tasks.training.checkpoints import Checkpoints


class NonFiniteLoss(SecftError):
    """The loss became NaN or infinite: the stage failed (``history`` has the losses so far)."""

    def __init__(self, message: str, history: dict):
        super().__init__(message)
        self.history = history


def iterations(n_train: int, batch_size: int, epochs: float, max_iters: int | None) -> int:
    """Epochs to optimiser steps: ceil(epochs * rows / batch), at least 1, capped by max_iters."""
    iters = max(1, math.ceil(epochs * n_train / max(1, min(batch_size, n_train))))
    return min(iters, max_iters) if max_iters else iters


def evaluate_loss(model, dataset: list, batches: list[list[int]], max_seq_length: int) -> float | None:
    """Token-weighted mean loss over fixed batches (None without validation data)."""
    import mlx.core as mx
    from mlx_lm.tuner.trainer import default_loss

    if not batches:
        return None
    model.eval()
    total, tokens = mx.array(0.0), mx.array(0)
    for indices in batches:
        loss, toks = default_loss(model, *collate(dataset, indices, max_seq_length))
        total, tokens = total + loss * toks, tokens + toks
        mx.eval(total, tokens)
    return (total / tokens).item()


def valid_loss(model, dataset: list, batch_size: int, num_batches: int, max_seq_length: int) -> float | None:
    """Validation loss on a fixed subset of ``dataset`` (tokenised rows); used by evaluation too."""
    if not dataset:
        return None
    batches = validation_batches(dataset, min(batch_size, len(dataset)), num_batches)
    return evaluate_loss(model, dataset, batches, max_seq_length)


def step_seed(seed: int, step: int) -> int:
    return (seed * 1_000_003 + step) % 2**63


def add_lora(model, cfg: dict) -> None:
    import mlx.core as mx
    from mlx_lm.tuner.utils import linear_to_lora_layers

    mx.random.seed(cfg["seed"])  # LoRA's initial weights are random: seed first
    model.freeze()
    linear_to_lora_layers(
        model, cfg["lora_layers"], {"rank": cfg["lora_rank"], "scale": cfg["lora_scale"], "dropout": cfg["lora_dropout"]}
    )


def train_adapter(
    model,
    tokenizer,
    train_rows: list[dict],
    valid_rows: list[dict],
    cfg: dict,
    checkpoints: Checkpoints,
    log: logging.Logger,
    on_step=None,
) -> dict:
    """Add LoRA layers to ``model`` and train them (resuming a matching checkpoint); returns the metrics.

    ``on_step(step)`` is called after each optimiser step (tests interrupt
    training with it).  A NaN or infinite loss raises ``NonFiniteLoss``.
    """
    import mlx.core as mx
    import mlx.nn as nn
    import mlx.optimizers as optim
    from functools import partial
    from mlx_lm.cli_ui import TrainUI
    from mlx_lm.tuner.trainer import default_loss, grad_checkpoint

    seed, max_len = cfg["seed"], cfg["max_seq_length"]
    add_lora(model, cfg)

    # data: tokenised rows, fixed batches, an order that is a function of (seed, step)
    train_ds, long_train = tokenize_rows(train_rows, tokenizer, cfg["mask_prompt"], max_len)
    valid_ds, long_valid = tokenize_rows(valid_rows, tokenizer, cfg["mask_prompt"], max_len)
    if not train_ds:
        raise SecftError(f"every training row's prompt is longer than fine_tuning.max_seq_length={max_len} tokens")
    batch = min(cfg["batch_size"], len(train_ds))
    total = iterations(len(train_ds), batch, cfg["max_epochs"], cfg["max_iters"])
    batches = batch_index(train_ds, batch)
    val_batches = validation_batches(valid_ds, min(batch, len(valid_ds)), cfg["val_batches"]) if valid_ds else []

    # optimizer (its state is part of every checkpoint)
    optimizer = optim.Adam(learning_rate=cfg["learning_rate"])
    optimizer.init(model.trainable_parameters())

    resume = checkpoints.load()
    if resume is not None and resume.step < total:
        checkpoints.restore(resume, model, optimizer)
        start, history = resume.step, resume.state.get("history") or {"train": [], "valid": []}
        valid_before = resume.state.get("valid_loss_before")
        log.info("resuming from checkpoint at step %d of %d", start, total)
        print(f"resuming from checkpoint at step {start} of {total}")
    else:
        start = 0
        valid_before = evaluate_loss(model, valid_ds, val_batches, max_len)
        history = {"train": [], "valid": [] if valid_before is None else [{"step": 0, "loss": valid_before}]}

    if cfg["grad_checkpoint"]:
        grad_checkpoint(model.layers[0])
    loss_and_grad = nn.value_and_grad(model, default_loss)
    state = [model.state, optimizer.state, mx.random.state]

    @partial(mx.compile, inputs=state, outputs=state)
    def step_fn(inputs, lengths):
        (loss, toks), grads = loss_and_grad(model, inputs, lengths)
        optimizer.update(model, grads)
        return loss, toks

    every = cfg.get("checkpoint_every", 100)
    trained_tokens = history["train"][-1]["trained_tokens"] if history["train"] else 0
    tic_all = time.perf_counter()
    model.train()
    with TrainUI(total - start) as ui:
        for step in range(start + 1, total + 1):
            tic = time.perf_counter()
            mx.random.seed(step_seed(seed, step))  # dropout's randomness: a function of (seed, step), so resumable
            inputs, lengths = collate(train_ds, batch_for_step(batches, seed, step), max_len)
            loss, toks = step_fn(inputs, lengths)
            mx.eval(state, loss, toks)
            loss, toks = loss.item(), toks.item()
            elapsed = time.perf_counter() - tic
            trained_tokens += toks
            history["train"].append({
                "step": step, "loss": loss, "tokens_per_second": toks / elapsed if elapsed > 0 else None,
                "trained_tokens": trained_tokens, "peak_memory_gb": mx.get_peak_memory() / 1e9,
                "learning_rate": optimizer.learning_rate.item(),
            })
            ui.advance()
            ui.report_train(step, loss, toks / elapsed if elapsed > 0 else 0.0, trained_tokens)
            log.info("step %d train_loss %.4f tok/s %.1f", step, loss, toks / elapsed if elapsed > 0 else 0.0)
            if not math.isfinite(loss):
                checkpoints.clear()
                raise NonFiniteLoss(
                    f"training loss became {loss} at step {step} (learning_rate={cfg['learning_rate']}); "
                    "lower fine_tuning.learning_rate", history,
                )
            if val_batches and (step % cfg["steps_per_eval"] == 0 or step == total):
                vtic = time.perf_counter()
                vloss = evaluate_loss(model, valid_ds, val_batches, max_len)
                model.train()
                history["valid"].append({"step": step, "loss": vloss})
                ui.report_val(step, vloss, time.perf_counter() - vtic)
                log.info("step %d valid_loss %.4f", step, vloss)
            if step % every == 0 and step < total:
                checkpoints.save(model, optimizer, step, {"history": history, "valid_loss_before": valid_before})
            if on_step is not None:
                on_step(step)
    wall = time.perf_counter() - tic_all
    valid_after = evaluate_loss(model, valid_ds, val_batches, max_len)
    if valid_after is not None and not math.isfinite(valid_after):
        raise NonFiniteLoss(f"validation loss became {valid_after} after training", history)
    tps = [h["tokens_per_second"] for h in history["train"] if h["step"] > start and h["tokens_per_second"]]
    return {
        "iterations": total,
        "resumed_from_step": start,
        "train_rows": len(train_ds),
        "valid_rows": len(valid_ds),
        "rows_dropped_too_long": {"train": long_train, "valid": long_valid},
        "batch_size": batch,
        "seed": seed,
        "train_loss": history["train"],
        "valid_loss": history["valid"],
        "valid_loss_before": valid_before,
        "valid_loss_after": valid_after,
        "tokens_per_second": sum(tps) / len(tps) if tps else None,
        "trained_tokens": trained_tokens,
        "peak_memory_gb": mx.get_peak_memory() / 1e9,
        "train_wall_time_s": wall,
    }
