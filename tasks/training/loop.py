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

from tasks.core.errors import SecftError
from tasks.core.settings import FineTuning
from tasks.training import distributed, schedule
from tasks.training.batches import (
    batch_for_step,
    batch_index,
    collate,
    prepare_rows,
    validation_batches,
)
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


def evaluate_loss(model, dataset: list, batches: list[list[int]], max_seq_length: int, world=None) -> float | None:
    """Token-weighted mean loss over fixed batches (None without validation data)."""
    sums = loss_sums(model, dataset, batches, max_seq_length, world)
    return None if sums is None or not sums[1] else sums[0] / sums[1]


def loss_sums(model, dataset: list, batches: list[list[int]], max_seq_length: int, world=None) -> tuple[float, int] | None:
    """(summed token loss, tokens) over fixed batches, so losses of parts can be added exactly.

    Under ``mlx.launch`` each rank computes its share of every batch and the
    sums are added across ranks: every rank gets the same numbers.
    """
    import mlx.core as mx
    from mlx_lm.tuner.trainer import default_loss

    if not batches:
        return None
    w = world or distributed.World(0, 1)
    model.eval()
    total, tokens = mx.array(0.0), mx.array(0)
    for indices in batches:
        mine = distributed.share(indices, w)
        if not mine:
            continue
        loss, toks = default_loss(model, *collate(dataset, mine, max_seq_length))
        total, tokens = total + loss * toks, tokens + toks
        mx.eval(total, tokens)
    if w.size > 1:
        total, tokens = distributed.all_sum(total, w), distributed.all_sum(tokens, w)
    return total.item(), int(tokens.item())


def valid_loss(model, dataset: list, batch_size: int, num_batches: int, max_seq_length: int) -> float | None:
    """Validation loss on a fixed subset of ``dataset`` (tokenised rows); used by evaluation too."""
    if not dataset:
        return None
    batches = validation_batches(dataset, min(batch_size, len(dataset)), num_batches)
    return evaluate_loss(model, dataset, batches, max_seq_length)


def step_seed(seed: int, step: int) -> int:
    return (seed * 1_000_003 + step) % 2**63


def add_lora(model, cfg: FineTuning | dict) -> None:
    cfg = FineTuning.of(cfg)
    import mlx.core as mx
    from mlx_lm.tuner.utils import linear_to_lora_layers

    mx.random.seed(cfg.seed)  # LoRA's initial weights are random: seed first
    model.freeze()
    linear_to_lora_layers(
        model, cfg.lora_layers, {"rank": cfg.lora_rank, "scale": cfg.lora_scale, "dropout": cfg.lora_dropout}
    )


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}m{s:02d}s"


def _add_eta(ui) -> None:
    """mlx-lm's TrainUI bar shows steps done; add rich's time-remaining column (best effort: a private attribute)."""
    try:
        from rich.progress import TextColumn, TimeRemainingColumn

        ui._progress.columns = (*ui._progress.columns, TextColumn("[ui.muted]· ETA[/ui.muted]"), TimeRemainingColumn())
    except (AttributeError, ImportError, TypeError):
        pass


def train_adapter(
    model,
    tokenizer,
    train_rows: list[dict],
    valid_rows: list[dict],
    cfg: FineTuning | dict,
    checkpoints: Checkpoints,
    log: logging.Logger,
    on_step=None,
) -> dict:
    """Add LoRA layers to ``model`` and train them (resuming a matching checkpoint); returns the metrics.

    ``on_step(step)`` is called after each optimiser step (tests interrupt
    training with it).  A NaN or infinite loss raises ``NonFiniteLoss``.
    Under ``mlx.launch`` every rank runs this with the same arguments
    (``distributed``); only rank 0 saves checkpoints.
    """
    cfg = FineTuning.of(cfg)
    from functools import partial

    import mlx.core as mx
    import mlx.nn as nn
    import mlx.optimizers as optim
    from mlx_lm.cli_ui import TrainUI
    from mlx_lm.tuner.trainer import default_loss, grad_checkpoint

    seed, max_len = cfg.seed, cfg.max_seq_length
    w = distributed.world()
    add_lora(model, cfg)

    # data: tokenised rows (over-long ones handled once, here), fixed batches, an order that is a function of (seed, step)
    long_rows = cfg.long_rows
    train_ds, long_train = prepare_rows(train_rows, tokenizer, cfg.mask_prompt, max_len, long_rows)
    valid_ds, long_valid = prepare_rows(valid_rows, tokenizer, cfg.mask_prompt, max_len, long_rows)
    if not train_ds:
        raise SecftError(f"every training row is longer than fine_tuning.max_seq_length={max_len} tokens "
                         f"(fine_tuning.long_rows: {long_rows})")
    for name, counts, n in (("training", long_train, len(train_rows)), ("validation", long_valid, len(valid_rows))):
        if counts["dropped"] or counts["truncated"]:
            log.info("%s rows longer than max_seq_length=%d: %d truncated, %d dropped (%d with no room for the answer) of %d",
                     name, max_len, counts["truncated"], counts["dropped"], counts["prompt_too_long"], n)
    batch = min(cfg.batch_size, len(train_ds))
    distributed.check_batch(batch, w)
    total = iterations(len(train_ds), batch, cfg.max_epochs, cfg.max_iters)
    batches = batch_index(train_ds, batch)
    val_batches = validation_batches(valid_ds, min(batch, len(valid_ds)), cfg.val_batches) if valid_ds else []
    if w.size > 1:
        print(f"distributed: rank {w.rank} of {w.size} trains rows {w.rank}::{w.size} of each batch of {batch}", flush=True)

    # optimizer (its state, with the schedule's step counter, is part of every checkpoint)
    optimizer = optim.Adam(learning_rate=schedule.build(cfg, total))
    optimizer.init(model.trainable_parameters())

    resume = checkpoints.load() if w.writer else None
    start = distributed.broadcast_int(resume.step if resume is not None and resume.step < total else 0, w)
    if start:
        if w.writer:
            checkpoints.restore(resume, model, optimizer)
        if w.size > 1:  # the other ranks take rank 0's restored weights and moments
            optimizer.init(model.trainable_parameters())
            model.update(distributed.broadcast(model.trainable_parameters(), w))
            restored = distributed.broadcast(optimizer.state, w)
            for key in list(optimizer.state):
                optimizer.state[key] = restored[key]
        history = (resume.state.get("history") if resume else None) or {"train": [], "valid": []}
        valid_before = resume.state.get("valid_loss_before") if resume else None
        log.info("resuming from checkpoint at step %d of %d", start, total)
        if w.writer:
            print(f"resuming from checkpoint at step {start} of {total}")
    else:
        valid_before = evaluate_loss(model, valid_ds, val_batches, max_len, w)
        history = {"train": [], "valid": [] if valid_before is None else [{"step": 0, "loss": valid_before}]}

    if cfg.grad_checkpoint:
        grad_checkpoint(model.layers[0])
    loss_and_grad = nn.value_and_grad(model, default_loss)
    state = [model.state, optimizer.state, mx.random.state]

    @partial(mx.compile, inputs=state, outputs=state)
    def step_fn(inputs, lengths):
        (loss, toks), grads = loss_and_grad(model, inputs, lengths)
        optimizer.update(model, distributed.average_gradients(grads, toks, w))
        return loss, toks

    every = cfg.checkpoint_every
    trained_tokens = history["train"][-1]["trained_tokens"] if history["train"] else 0
    rank_tokens = 0
    tic_all = time.perf_counter()
    model.train()
    with TrainUI(total - start, rank=w.rank) as ui:
        _add_eta(ui)
        for step in range(start + 1, total + 1):
            tic = time.perf_counter()
            mx.random.seed(step_seed(seed, step))  # dropout's randomness: a function of (seed, step), so resumable
            inputs, lengths = collate(train_ds, distributed.share(batch_for_step(batches, seed, step), w), max_len)
            loss, toks = step_fn(inputs, lengths)
            mx.eval(state, loss, toks)
            rank_tokens += toks.item()
            if w.size > 1:  # the loss of the whole batch, the same on every rank
                loss, toks = distributed.all_sum(loss * toks, w), distributed.all_sum(toks, w)
                loss = loss / toks
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
            eta = (time.perf_counter() - tic_all) / (step - start) * (total - step)
            log.info("step %d train_loss %.4f lr %.3g tok/s %.1f (of %d, eta %s)", step, loss, history["train"][-1]["learning_rate"],
                     toks / elapsed if elapsed > 0 else 0.0, total, _clock(eta))
            if w.writer and (step % max(1, cfg.steps_per_eval) == 0 or step == start + 1) and step < total:
                print(f"step {step}/{total}: elapsed {_clock(time.perf_counter() - tic_all)}, ETA {_clock(eta)}", flush=True)
            if not math.isfinite(loss):
                if w.writer:
                    checkpoints.clear()
                raise NonFiniteLoss(
                    f"training loss became {loss} at step {step} (learning_rate={cfg['learning_rate']}); "
                    "lower fine_tuning.learning_rate", history,
                )
            if val_batches and (step % cfg.steps_per_eval == 0 or step == total):
                vtic = time.perf_counter()
                vloss = evaluate_loss(model, valid_ds, val_batches, max_len, w)
                model.train()
                history["valid"].append({"step": step, "loss": vloss})
                ui.report_val(step, vloss, time.perf_counter() - vtic)
                log.info("step %d valid_loss %.4f", step, vloss)
            if step % every == 0 and step < total and w.writer:
                checkpoints.save(model, optimizer, step, {"history": history, "valid_loss_before": valid_before})
            if on_step is not None:
                on_step(step)
    wall = time.perf_counter() - tic_all
    valid_after = evaluate_loss(model, valid_ds, val_batches, max_len, w)
    if valid_after is not None and not math.isfinite(valid_after):
        raise NonFiniteLoss(f"validation loss became {valid_after} after training", history)
    tps = [h["tokens_per_second"] for h in history["train"] if h["step"] > start and h["tokens_per_second"]]
    return {
        "iterations": total,
        "resumed_from_step": start,
        "train_rows": len(train_ds),
        "valid_rows": len(valid_ds),
        "rows_dropped_too_long": {"train": long_train["dropped"], "valid": long_valid["dropped"]},
        "long_rows": {"policy": long_rows, "max_seq_length": max_len, "train": long_train, "valid": long_valid},
        "batch_size": batch,
        "seed": seed,
        "schedule": schedule.describe(cfg),
        "distributed": {"world_size": w.size, "trained_tokens_per_rank": distributed.per_rank(rank_tokens, w),
                        "ranks_in_sync": distributed.in_sync(model.trainable_parameters(), w)},
        "train_loss": history["train"],
        "valid_loss": history["valid"],
        "valid_loss_before": valid_before,
        "valid_loss_after": valid_after,
        "tokens_per_second": sum(tps) / len(tps) if tps else None,
        "trained_tokens": trained_tokens,
        "peak_memory_gb": mx.get_peak_memory() / 1e9,
        "train_wall_time_s": wall,
    }
