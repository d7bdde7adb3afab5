"""Phase 3 training: LoRA adapters with mlx-lm's Python API.

Stage 1 trains a vulnerability-analysis adapter on the base model.  Stage 2
fuses stage 1 into the base, trains a code-fix adapter on stage-2 rows
mixed with a share of stage-1 rows (to limit forgetting), measures the
stage-1 validation loss before and after (forgetting, measured), and writes
the fused stage-2 model.  ``sequential: false`` trains one adapter on both
datasets instead.

mlx-lm's trainer does the optimisation and shows the progress bar (loss,
tokens/s); a callback records metrics and writes a resumable checkpoint
every ``checkpoint_every`` steps, so an interrupted stage continues from
its last checkpoint instead of starting over.

Run standalone on your own JSONL (the usage guide's entry point)::

    python -m tasks.finetune --dataset data.jsonl --output-name mine \
        --batch-size 2 --learning-rate 1e-5 --max-epochs 3 --base-model PATH_OR_HUB_ID
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

from tasks import atomic, models
from tasks.outputs import describe_outputs
from tasks.errors import SecftError
from tasks.hashing import sha256_file, sha256_json

TRAINING_KEYS = (
    "batch_size", "learning_rate", "max_epochs", "max_iters", "lora_rank", "lora_scale", "lora_dropout",
    "lora_layers", "max_seq_length", "mask_prompt", "grad_checkpoint", "seed", "steps_per_eval", "val_batches",
)


# ----------------------------------------------------------------------------- data


def read_rows(path: Path) -> list[dict]:
    if not path.exists():
        raise SecftError(f"{path}: dataset not found")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SecftError(f"{path}: line {n}: malformed JSON: {exc.msg}") from None
        if not isinstance(row, dict) or not isinstance(row.get("messages"), list):
            raise SecftError(f"{path}: line {n}: expected an object with a 'messages' list (mlx-lm chat format)")
        rows.append({"messages": row["messages"]})
    return rows


def iterations(n_train: int, batch_size: int, epochs: float, max_iters: int | None) -> int:
    """Epochs to optimiser steps: ceil(epochs * rows / batch), at least 1, capped by max_iters."""
    iters = max(1, math.ceil(epochs * n_train / max(1, min(batch_size, n_train))))
    return min(iters, max_iters) if max_iters else iters


def tokenize_rows(rows: list[dict], tokenizer, mask_prompt: bool, max_seq_length: int) -> tuple[list, int]:
    """Tokenise rows into (tokens, prompt_offset) pairs, as mlx-lm's batcher expects.

    A row whose prompt alone fills ``max_seq_length`` would be truncated to
    no answer tokens at all (a 0/0 loss); such rows are left out and counted.
    """
    from mlx_lm.tuner.datasets import ChatDataset

    chat = ChatDataset(rows, tokenizer, mask_prompt=mask_prompt)
    items, too_long = [], 0
    for i in range(len(chat)):
        tokens, offset = chat.process(chat[i])
        if offset >= min(len(tokens), max_seq_length) - 1:
            too_long += 1
            continue
        items.append((tokens, offset))
    return items, too_long


def valid_loss(model, dataset, batch_size: int, num_batches: int, max_seq_length: int) -> float | None:
    import numpy as np
    from mlx_lm.tuner.trainer import evaluate

    if not dataset:
        return None
    # mlx-lm picks the batches in a random order; with num_batches < all, a fixed
    # seed makes 'before' and 'after' losses measure the same rows
    state = np.random.get_state()
    np.random.seed(0)
    try:
        return float(evaluate(model, dataset, min(batch_size, len(dataset)), num_batches, max_seq_length))
    finally:
        np.random.set_state(state)


# ----------------------------------------------------------------------------- outputs


def write_skipped(out_dir: Path, stage: str, reason: str) -> dict:
    metrics = {"stage": stage, "status": "skipped", "reason": reason, "outputs": {}}
    with atomic.directory(out_dir) as tmp:
        atomic.write_json(tmp / "metrics.json", metrics)
    print(f"{stage}: skipped: {reason}")
    return metrics


def _save_adapter(model, directory: Path, cfg: dict, base_ref: str) -> None:
    import mlx.core as mx
    from mlx.utils import tree_flatten

    mx.save_safetensors(str(directory / "adapters.safetensors"), dict(tree_flatten(model.trainable_parameters())))
    adapter_config = {
        "fine_tune_type": "lora",
        "model": base_ref,
        "num_layers": cfg["lora_layers"],
        "lora_parameters": {"rank": cfg["lora_rank"], "scale": cfg["lora_scale"], "dropout": cfg["lora_dropout"]},
        "max_seq_length": cfg["max_seq_length"],
        "mask_prompt": cfg["mask_prompt"],
    }
    atomic.write_json(directory / "adapter_config.json", adapter_config)


def _fuse(model) -> None:
    from mlx.utils import tree_unflatten

    fused = [(n, m.fuse()) for n, m in model.named_modules() if hasattr(m, "fuse")]
    if fused:
        model.update_modules(tree_unflatten(fused))


def _logger(log_path: Path) -> logging.Logger:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(f"secft.{log_path.stem}")
    logger.setLevel(logging.INFO)
    logger.handlers.clear()
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    return logger


# ----------------------------------------------------------------------------- training


class Checkpoints:
    """A resumable checkpoint: the LoRA weights and the global step, keyed by a fingerprint.

    The fingerprint covers data, base model and hyperparameters: a checkpoint
    of a different run is ignored rather than resumed.
    """

    def __init__(self, directory: Path, fingerprint: str):
        self.dir = directory
        self.fingerprint = fingerprint

    def load(self) -> tuple[int, Path | None]:
        state_path = self.dir / "state.json"
        try:
            state = json.loads(state_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return 0, None
        weights = self.dir / "adapters.safetensors"
        if state.get("fingerprint") != self.fingerprint or not weights.is_file():
            return 0, None
        return int(state["step"]), weights

    def save(self, model, step: int, extra: dict) -> None:
        import mlx.core as mx
        from mlx.utils import tree_flatten

        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / ".adapters.safetensors.tmp.safetensors"
        mx.save_safetensors(str(tmp), dict(tree_flatten(model.trainable_parameters())))
        os.replace(tmp, self.dir / "adapters.safetensors")
        atomic.write_json(self.dir / "state.json", {"fingerprint": self.fingerprint, "step": step, **extra})

    def clear(self) -> None:
        import shutil

        shutil.rmtree(self.dir, ignore_errors=True)


def train_adapter(
    model,
    tokenizer,
    train_rows: list[dict],
    valid_rows: list[dict],
    cfg: dict,
    checkpoints: Checkpoints,
    log: logging.Logger,
) -> dict:
    """Add LoRA layers to ``model`` and train them; returns the metrics."""
    import mlx.core as mx
    import mlx.optimizers as optim
    import numpy as np
    from mlx_lm.tuner.callbacks import TrainingCallback
    from mlx_lm.tuner.trainer import TrainingArgs, train
    from mlx_lm.tuner.utils import linear_to_lora_layers

    model.freeze()
    linear_to_lora_layers(
        model, cfg["lora_layers"], {"rank": cfg["lora_rank"], "scale": cfg["lora_scale"], "dropout": cfg["lora_dropout"]}
    )
    train_ds, long_train = tokenize_rows(train_rows, tokenizer, cfg["mask_prompt"], cfg["max_seq_length"])
    valid_ds, long_valid = tokenize_rows(valid_rows, tokenizer, cfg["mask_prompt"], cfg["max_seq_length"])
    if not train_ds:
        raise SecftError(f"every training row's prompt is longer than fine_tuning.max_seq_length={cfg['max_seq_length']} tokens")
    batch = min(cfg["batch_size"], len(train_ds))
    total = iterations(len(train_ds), batch, cfg["max_epochs"], cfg["max_iters"])

    start, weights = checkpoints.load()
    history: dict[str, list] = {"train": [], "valid": []}
    if weights is not None and start < total:
        model.load_weights(str(weights), strict=False)
        state = json.loads((checkpoints.dir / "state.json").read_text())
        history = state.get("history", history)
        valid_before = state.get("valid_loss_before")
        log.info("resuming from checkpoint at step %d of %d", start, total)
        print(f"resuming from checkpoint at step {start} of {total}")
    else:
        start = 0
        mx.random.seed(cfg["seed"])
        valid_before = valid_loss(model, valid_ds, batch, cfg["val_batches"], cfg["max_seq_length"])
    every = cfg.get("checkpoint_every", 100)

    class Recorder(TrainingCallback):
        def on_train_loss_report(self, info: dict[str, Any]) -> None:
            step = start + info["iteration"]
            history["train"].append({
                "step": step, "loss": info["train_loss"], "tokens_per_second": info["tokens_per_second"],
                "trained_tokens": info["trained_tokens"], "peak_memory_gb": info["peak_memory"],
            })
            log.info("step %d train_loss %.4f tok/s %.1f", step, info["train_loss"], info["tokens_per_second"])
            if step % every == 0 and step < total:
                checkpoints.save(model, step, {"history": history, "valid_loss_before": valid_before})

        def on_val_loss_report(self, info: dict[str, Any]) -> None:
            step = start + info["iteration"]
            history["valid"].append({"step": step, "loss": info["val_loss"]})
            log.info("step %d valid_loss %.4f", step, info["val_loss"])

    tic = time.perf_counter()
    remaining = total - start
    if remaining > 0:
        np.random.seed(cfg["seed"] + start)
        optimizer = optim.Adam(learning_rate=cfg["learning_rate"])
        args = TrainingArgs(
            batch_size=batch,
            iters=remaining,
            val_batches=cfg["val_batches"],
            steps_per_report=1,
            steps_per_eval=cfg["steps_per_eval"],
            steps_per_save=10**9,  # checkpoints are ours (Recorder), with the global step
            max_seq_length=cfg["max_seq_length"],
            adapter_file=str(checkpoints.dir / "last_adapters.safetensors"),
            grad_checkpoint=cfg["grad_checkpoint"],
        )
        checkpoints.dir.mkdir(parents=True, exist_ok=True)
        use_valid = valid_ds if len(valid_ds) >= batch else None
        train(model, optimizer, train_ds, use_valid, args=args, training_callback=Recorder())
    wall = time.perf_counter() - tic
    valid_after = valid_loss(model, valid_ds, batch, cfg["val_batches"], cfg["max_seq_length"])
    tps = [h["tokens_per_second"] for h in history["train"] if h["step"] > start]
    return {
        "iterations": total,
        "resumed_from_step": start,
        "train_rows": len(train_ds),
        "valid_rows": len(valid_ds),
        "rows_dropped_too_long": {"train": long_train, "valid": long_valid},
        "batch_size": batch,
        "train_loss": history["train"],
        "valid_loss": history["valid"],
        "valid_loss_before": valid_before,
        "valid_loss_after": valid_after,
        "tokens_per_second": sum(tps) / len(tps) if tps else None,
        "trained_tokens": history["train"][-1]["trained_tokens"] if history["train"] else 0,
        "peak_memory_gb": mx.get_peak_memory() / 1e9,
        "train_wall_time_s": wall,
    }


def _fingerprint(base: Path, rows: list[dict], cfg: dict, extra: Any = None) -> str:
    base_sig = sha256_file(base / "config.json")
    return sha256_json({"base": base_sig, "rows": sha256_json(rows), "cfg": {k: cfg[k] for k in TRAINING_KEYS}, "extra": extra})


def _hyper(cfg: dict) -> dict:
    return {k: cfg[k] for k in TRAINING_KEYS}


def train_single(
    base_model: str,
    train_rows: list[dict],
    valid_rows: list[dict],
    out_dir: Path,
    cfg: dict,
    checkpoint_dir: Path,
    log_path: Path,
    stage: str,
    extra_metrics: dict | None = None,
) -> dict:
    """Train one adapter on the base model and write it with its metrics."""
    import mlx_lm

    tic = time.perf_counter()
    base = models.resolve(base_model)
    log = _logger(log_path)
    model, tokenizer = mlx_lm.load(str(base))
    ckpt = Checkpoints(checkpoint_dir, _fingerprint(base, train_rows + valid_rows, cfg, stage))
    metrics = train_adapter(model, tokenizer, train_rows, valid_rows, cfg, ckpt, log)
    with atomic.directory(out_dir) as tmp:
        _save_adapter(model, tmp, cfg, base_model)
    metrics.update(
        stage=stage, status="trained", base_model=base_model, hyperparameters=_hyper(cfg),
        wall_time_s=time.perf_counter() - tic, **(extra_metrics or {}),
    )
    metrics["outputs"] = describe_outputs([out_dir])
    atomic.write_json(out_dir / "metrics.json", metrics)
    ckpt.clear()
    log.info("%s done: valid loss %s -> %s", stage, metrics["valid_loss_before"], metrics["valid_loss_after"])
    return metrics


# ----------------------------------------------------------------------------- the two stages


def _skip_reason(cfg: dict, daemon: bool) -> str | None:
    if cfg["skip_fine_tuning"]:
        return "fine_tuning.skip_fine_tuning is true"
    if daemon and cfg["skip_in_daemon"]:
        return "fine_tuning.skip_in_daemon is true and this run was started by the daemon"
    return None


def is_daemon_run() -> bool:
    return os.environ.get("SECFT_DAEMON") == "1"


def stage1(config: dict, data_dir: Path, out_dir: Path, checkpoint_dir: Path, log_path: Path) -> dict:
    cfg = config["fine_tuning"]
    reason = _skip_reason(cfg, is_daemon_run())
    if reason:
        return write_skipped(out_dir, "stage1", reason)
    train_rows = read_rows(data_dir / "stage1_train.jsonl")
    valid_rows = read_rows(data_dir / "stage1_valid.jsonl")
    mode = "sequential"
    if not cfg["sequential"]:
        mode = "single-stage"
        train_rows += read_rows(data_dir / "stage2_train.jsonl")
        valid_rows += read_rows(data_dir / "stage2_valid.jsonl")
    if not train_rows:
        return write_skipped(out_dir, "stage1", "no training data")
    return train_single(
        config["base_model"], train_rows, valid_rows, out_dir, cfg, checkpoint_dir, log_path, "stage1",
        {"mode": mode, "data_sha256": sha256_json(train_rows + valid_rows)},
    )


def _mix(stage1_rows: list[dict], n_stage2: int, percent: int) -> list[dict]:
    """The first ``percent``% (of the stage-2 count) stage-1 rows, in their stable order."""
    return stage1_rows[: round(n_stage2 * percent / 100)]


def stage2(config: dict, data_dir: Path, stage1_dir: Path, out_dir: Path, model_dir: Path, checkpoint_dir: Path, log_path: Path) -> dict:
    import mlx_lm
    from mlx_lm.utils import save

    cfg = config["fine_tuning"]
    reason = _skip_reason(cfg, is_daemon_run())
    if reason:
        return write_skipped(out_dir, "stage2", reason)
    s1 = json.loads((stage1_dir / "metrics.json").read_text(encoding="utf-8"))
    if s1.get("status") != "trained":
        return write_skipped(out_dir, "stage2", f"stage 1 was not trained ({s1.get('reason', s1.get('status'))})")
    tic = time.perf_counter()
    base_model = config["base_model"]
    base = models.resolve(base_model)
    log = _logger(log_path)
    model, tokenizer, model_config = mlx_lm.load(str(base), adapter_path=str(stage1_dir), return_config=True)
    _fuse(model)
    s1_valid = read_rows(data_dir / "stage1_valid.jsonl")
    s1_valid_ds, _ = tokenize_rows(s1_valid, tokenizer, cfg["mask_prompt"], cfg["max_seq_length"])
    vb = lambda ds: valid_loss(model, ds, cfg["batch_size"], cfg["val_batches"], cfg["max_seq_length"])  # noqa: E731
    metrics: dict = {"stage": "stage2", "base_model": base_model, "stage1_adapter_sha256": sha256_file(stage1_dir / "adapters.safetensors")}
    if cfg["sequential"]:
        train_rows = read_rows(data_dir / "stage2_train.jsonl")
        valid_rows = read_rows(data_dir / "stage2_valid.jsonl")
        if not train_rows:
            return write_skipped(out_dir, "stage2", "no stage-2 training data (no finding had a fix source)")
        mixed = _mix(read_rows(data_dir / "stage1_train.jsonl"), len(train_rows), cfg["stage1_mix_percent"])
        s1_before = vb(s1_valid_ds)
        ckpt = Checkpoints(checkpoint_dir, _fingerprint(base, train_rows + mixed + valid_rows, cfg, metrics["stage1_adapter_sha256"]))
        metrics.update(train_adapter(model, tokenizer, train_rows + mixed, valid_rows, cfg, ckpt, log))
        metrics.update(
            mode="sequential", stage1_rows_mixed=len(mixed),
            forgetting={"stage1_valid_loss_before": s1_before, "stage1_valid_loss_after": vb(s1_valid_ds)},
        )
        with atomic.directory(out_dir) as tmp:
            _save_adapter(model, tmp, cfg, f"{base_model} + stage1")
        _fuse(model)
        ckpt.clear()
    else:
        metrics.update(mode="single-stage", note="one adapter trained on both datasets in stage 1; fused here")
        with atomic.directory(out_dir):
            pass
    with atomic.directory(model_dir) as tmp:
        save(tmp, str(base), model, tokenizer, model_config, donate_model=False)
    metrics.update(status="trained", hyperparameters=_hyper(cfg), wall_time_s=time.perf_counter() - tic)
    metrics["outputs"] = describe_outputs([out_dir, model_dir])
    atomic.write_json(out_dir / "metrics.json", metrics)
    log.info("stage2 done: %s", {k: metrics.get(k) for k in ("valid_loss_before", "valid_loss_after", "forgetting")})
    return metrics


# ----------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    from tasks.config import load_config
    from tasks.datasets import split_of

    p = argparse.ArgumentParser(prog="python -m tasks.finetune", description="Train a LoRA adapter on your own mlx-lm chat JSONL.")
    p.add_argument("--dataset", required=True, type=Path, help="JSONL with {'messages': [...]} rows")
    p.add_argument("--valid-dataset", type=Path, help="validation JSONL (default: 20%% of --dataset by row hash)")
    p.add_argument("--output-name", required=True, help="adapter folder name under fine-tuning/adapters/")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--max-epochs", type=float)
    p.add_argument("--max-iters", type=int)
    p.add_argument("--base-model", help="Hub id, local folder, or 'tiny'")
    p.add_argument("--profile", help="config profile (default: $SECFT_PROFILE)")
    p.add_argument("--config", type=Path, default=Path("config/pipeline.yaml"))
    args = p.parse_args(argv)
    try:
        config = load_config(args.config, args.profile)
        cfg = dict(config["fine_tuning"])
        for key in ("batch_size", "learning_rate", "max_epochs", "max_iters"):
            if getattr(args, key) is not None:
                cfg[key] = getattr(args, key)
        rows = read_rows(args.dataset)
        if args.valid_dataset:
            train_rows, valid_rows = rows, read_rows(args.valid_dataset)
        else:
            train_rows = [r for r in rows if split_of(sha256_json(r), 20) == "train"]
            valid_rows = [r for r in rows if split_of(sha256_json(r), 20) == "valid"]
        if not train_rows:
            raise SecftError(f"{args.dataset}: no training rows")
        name = args.output_name
        metrics = train_single(
            args.base_model or config["base_model"], train_rows, valid_rows, Path("fine-tuning/adapters") / name, cfg,
            Path("fine-tuning/checkpoints") / name, Path("fine-tuning/logs") / f"{name}.log", name,
        )
    except SecftError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({k: metrics[k] for k in ("iterations", "resumed_from_step", "valid_loss_before", "valid_loss_after", "tokens_per_second")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
