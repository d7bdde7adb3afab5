"""The pipeline's two stages and the single-adapter trainer they share.

Stage 1 trains a vulnerability-analysis adapter on the base model.  Stage 2
fuses stage 1 into the base, trains a code-fix adapter on stage-2 rows
mixed with a share of stage-1 rows (to limit forgetting), measures the
stage-1 validation loss before and after (forgetting, measured), and writes
the fused stage-2 model.  ``sequential: false`` trains one adapter on both
datasets instead.

With ``fine_tuning.quantization`` both stages train on a quantised base
(QLoRA, ``model_io``) and the fused model is written dequantised.  Under
``mlx.launch`` every rank trains and only rank 0 writes (``distributed``).

Every stage checks what it can before training (``preflight``, the base
model's integrity), decides whether training is worth it (``policy``), and
ends as "trained", "kept", "skipped" or "failed" (a NaN loss: the doit
task fails, the stage is never uploaded).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from tasks.core import atomic
from tasks.core.hashing import sha256_file, sha256_json
from tasks.core.settings import FineTuning, Settings
from tasks.training import base_model as models
from tasks.training import distributed, model_history, policy, preflight
from tasks.training.checkpoints import Checkpoints
from tasks.training.formats import read_rows
from tasks.training.loop import NonFiniteLoss, train_adapter
from tasks.training.model_io import fuse, load_model, save_adapter, save_fused
from tasks.training.outputs import (
    DAEMON_SKIP,
    describe_outputs,
    is_daemon_run,
    outputs_intact,
    write_failed,
    write_skipped,
)

TRAINING_KEYS = (
    "batch_size", "learning_rate", "max_epochs", "max_iters", "lora_rank", "lora_scale", "lora_dropout",
    "lora_layers", "max_seq_length", "mask_prompt", "grad_checkpoint", "seed", "steps_per_eval", "val_batches",
    "quantization", "quantization_group_size", "lr_schedule", "warmup_steps", "long_rows",
)
# settings that do not change what an adapter learns: changing them alone never forces retraining
POLICY_NEUTRAL = ("min_new_rows", "min_new_percent", "skip_fine_tuning", "skip_in_daemon", "eval_prompts", "checkpoint_every",
                  "keep_builds")


def hyper(cfg: FineTuning | dict) -> dict:
    cfg = FineTuning.of(cfg)
    return {k: cfg[k] for k in TRAINING_KEYS if k in cfg}


def logger(log_path: Path) -> logging.Logger:
    if not distributed.writer():  # under mlx.launch only rank 0 keeps the log
        return distributed.null_logger(log_path.stem)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = logging.getLogger(f"secft.{log_path.stem}")
    log.setLevel(logging.INFO)
    for handler in list(log.handlers):
        handler.close()
        log.removeHandler(handler)
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.addHandler(handler)
    log.propagate = False
    return log


def _skip(cfg: FineTuning | dict) -> tuple[str, str] | None:
    cfg = FineTuning.of(cfg)
    if cfg.skip_fine_tuning:
        return "fine_tuning.skip_fine_tuning is true", "config"
    if is_daemon_run() and cfg.skip_in_daemon:
        return "fine_tuning.skip_in_daemon is true and this run was started by the daemon", DAEMON_SKIP
    return None


def _skipped(out_dir: Path, stage: str, reason: str, skipped_by: str) -> dict:
    """A skipped stage; a daemon skip keeps an earlier adapter (status "kept") instead of removing it."""
    prev = policy.previous_metrics(out_dir)
    if skipped_by == DAEMON_SKIP and prev.get("status") in ("trained", "kept") and outputs_intact(out_dir / "metrics.json"):
        record = {**(prev.get("policy") or {}), "decision": f"keep: {reason}"}
        return policy.kept_metrics(out_dir, record, skipped_by=skipped_by)
    return write_skipped(out_dir, stage, reason, skipped_by)


def _preflight(folders: list[Path], need_bytes: int = 0) -> None:
    preflight.require_mlx()
    if not distributed.writer():  # the other ranks of an mlx.launch run write nothing
        return
    preflight.check_writable(folders)
    preflight.check_free_space(folders[0], need_bytes)


def setup_sha(base_model: str, base: Path, cfg: FineTuning | dict, extra=None) -> str:
    """What an adapter depends on besides its rows (the policy keeps an adapter only when this is unchanged)."""
    cfg = FineTuning.of(cfg)
    settings = {k: v for k, v in cfg.items() if k not in POLICY_NEUTRAL}
    return sha256_json({"base_model": base_model, "base": models.signature(base), "settings": settings, "extra": extra})


def train_single(
    base_model: str, train_rows: list[dict], valid_rows: list[dict], out_dir: Path, cfg: FineTuning | dict,
    checkpoint_dir: Path, log_path: Path, stage: str, extra_metrics: dict | None = None, on_step=None,
) -> dict:
    """Train one adapter on the base model and write it with its metrics."""
    cfg = FineTuning.of(cfg)
    tic = time.perf_counter()
    _preflight([out_dir.parent, checkpoint_dir.parent, log_path.parent])
    base = models.resolve_verified(base_model)
    log = logger(log_path)
    model, tokenizer, _, quantized = load_model(base, cfg=cfg)
    fingerprint = sha256_json({"setup": setup_sha(base_model, base, cfg, stage), "rows": sha256_json(train_rows + valid_rows)})
    ckpt = Checkpoints(checkpoint_dir, fingerprint)
    try:
        metrics = train_adapter(model, tokenizer, train_rows, valid_rows, cfg, ckpt, log, on_step=on_step)
    except NonFiniteLoss as exc:
        if distributed.writer():
            write_failed(out_dir, stage, str(exc), {"train_loss": exc.history["train"], "valid_loss": exc.history["valid"],
                                                    "base_model": base_model, "hyperparameters": hyper(cfg)})
        log.info("%s failed: %s", stage, exc)
        raise
    metrics.update(
        stage=stage, status="trained", base_model=base_model, hyperparameters=hyper(cfg), quantization=quantized,
        wall_time_s=time.perf_counter() - tic, **(extra_metrics or {}),
    )
    if not distributed.writer():  # under mlx.launch rank 0 writes the adapter, once
        return metrics
    with atomic.directory(out_dir) as tmp:
        save_adapter(model, tmp, cfg, base_model)
        policy.write_row_hashes(tmp, train_rows + valid_rows)
    metrics["outputs"] = describe_outputs([out_dir])
    atomic.write_json(out_dir / "metrics.json", metrics)
    ckpt.clear()
    print(f"{stage}: wrote the adapter to {out_dir}", flush=True)
    log.info("%s done: valid loss %s -> %s", stage, metrics["valid_loss_before"], metrics["valid_loss_after"])
    return metrics


def _os_errors(func):
    """Disk full or permission denied met mid-stage: one line naming the file."""
    import functools

    @functools.wraps(func)
    def wrapper(config, data_dir, *args, **kwargs):
        try:
            metrics = func(config, data_dir, *args, **kwargs)
            model_history.record(config, metrics)  # model history (tasks/model_history.py): keep a copy of a trained stage
            return metrics
        except OSError as exc:
            raise preflight.os_error(exc, data_dir) from None

    return wrapper


@_os_errors
def stage1(config: dict, data_dir: Path, out_dir: Path, checkpoint_dir: Path, log_path: Path,
           force: bool = False, on_step=None) -> dict:
    cfg = Settings.of(config).fine_tuning
    skip = _skip(cfg)
    if skip:
        return _skipped(out_dir, "stage1", *skip)
    train_rows = read_rows(data_dir / "stage1_train.jsonl")
    valid_rows = read_rows(data_dir / "stage1_valid.jsonl")
    mode = "sequential"
    if not cfg.sequential:
        mode = "single-stage"
        train_rows += read_rows(data_dir / "stage2_train.jsonl")
        valid_rows += read_rows(data_dir / "stage2_valid.jsonl")
    if not train_rows:
        return write_skipped(out_dir, "stage1", "no training data")
    _preflight([out_dir.parent, checkpoint_dir.parent, log_path.parent])
    base_model = config["base_model"]
    setup = setup_sha(base_model, models.resolve_verified(base_model), cfg, mode)
    decision = policy.decide(cfg, out_dir, train_rows + valid_rows, setup, force, outputs_intact(out_dir / "metrics.json"))
    if decision["decision"].startswith("keep"):
        return policy.kept_metrics(out_dir, decision)
    return train_single(
        base_model, train_rows, valid_rows, out_dir, cfg, checkpoint_dir, log_path, "stage1",
        {"mode": mode, "data_sha256": sha256_json(train_rows + valid_rows), "setup_sha256": setup, "policy": decision},
        on_step=on_step,
    )


def _mix(stage1_rows: list[dict], n_stage2: int, percent: int) -> list[dict]:
    """The first ``percent``% (of the stage-2 count) stage-1 rows, in their stable order."""
    return stage1_rows[: round(n_stage2 * percent / 100)]


@_os_errors
def stage2(config: dict, data_dir: Path, stage1_dir: Path, out_dir: Path, model_dir: Path, checkpoint_dir: Path,
           log_path: Path, force: bool = False, on_step=None) -> dict:
    cfg = Settings.of(config).fine_tuning
    skip = _skip(cfg)
    if skip:
        return _skipped(out_dir, "stage2", *skip)
    s1 = policy.previous_metrics(stage1_dir)
    if s1.get("status") not in ("trained", "kept"):
        return write_skipped(out_dir, "stage2", f"stage 1 was not trained ({s1.get('reason', s1.get('status'))})")
    base_model = config["base_model"]
    _preflight([out_dir.parent, model_dir.parent, checkpoint_dir.parent, log_path.parent])
    base = models.resolve_verified(base_model)
    preflight.check_free_space(model_dir.parent, int(preflight.folder_size(base) * 1.1))
    s1_sha = sha256_file(stage1_dir / "adapters.safetensors")
    sequential = cfg.sequential
    rows: list[dict] = []
    if sequential:
        train_rows = read_rows(data_dir / "stage2_train.jsonl")
        valid_rows = read_rows(data_dir / "stage2_valid.jsonl")
        if not train_rows:
            return write_skipped(out_dir, "stage2", "no stage-2 training data (no finding had a fix source)")
        mixed = _mix(read_rows(data_dir / "stage1_train.jsonl"), len(train_rows), cfg.stage1_mix_percent)
        rows = train_rows + mixed + valid_rows
    setup = setup_sha(base_model, base, cfg, {"mode": "sequential" if sequential else "single-stage", "stage1": s1_sha})
    decision = policy.decide(cfg, out_dir, rows, setup, force, outputs_intact(out_dir / "metrics.json"))
    if decision["decision"].startswith("keep"):
        return policy.kept_metrics(out_dir, decision)
    return _train_stage2(config, data_dir, stage1_dir, out_dir, model_dir, checkpoint_dir, log_path, base, s1_sha,
                         rows, setup, decision, on_step)


def _train_stage2(config, data_dir, stage1_dir, out_dir, model_dir, checkpoint_dir, log_path, base, s1_sha, rows,
                  setup, decision, on_step) -> dict:
    from tasks.training.batches import tokenize_rows
    from tasks.training.loop import valid_loss

    settings = Settings.of(config)
    cfg, base_model = settings.fine_tuning, settings.base_model
    tic = time.perf_counter()
    log = logger(log_path)
    model, tokenizer, model_config, quantized = load_model(base, stage1_dir, cfg)
    fuse(model, dequantize=not cfg.sequential)  # QLoRA: stage 2 trains on the quantised stage-1 model
    metrics: dict = {"stage": "stage2", "base_model": base_model, "stage1_adapter_sha256": s1_sha, "quantization": quantized,
                     "setup_sha256": setup, "policy": decision, "data_sha256": sha256_json(rows)}
    writer = distributed.writer()
    if cfg.sequential:
        train_rows = read_rows(data_dir / "stage2_train.jsonl")
        valid_rows = read_rows(data_dir / "stage2_valid.jsonl")
        mixed = _mix(read_rows(data_dir / "stage1_train.jsonl"), len(train_rows), cfg.stage1_mix_percent)
        s1_valid_ds, _ = tokenize_rows(read_rows(data_dir / "stage1_valid.jsonl"), tokenizer, cfg.mask_prompt, cfg.max_seq_length,
                                     cfg.long_rows)
        vb = lambda ds: valid_loss(model, ds, cfg.batch_size, cfg.val_batches, cfg.max_seq_length)  # noqa: E731
        s1_before = vb(s1_valid_ds)
        ckpt = Checkpoints(checkpoint_dir, sha256_json({"setup": setup, "rows": sha256_json(rows)}))
        try:
            metrics.update(train_adapter(model, tokenizer, train_rows + mixed, valid_rows, cfg, ckpt, log, on_step=on_step))
        except NonFiniteLoss as exc:
            if writer:
                write_failed(out_dir, "stage2", str(exc), {"train_loss": exc.history["train"], "valid_loss": exc.history["valid"],
                                                           "base_model": base_model, "hyperparameters": hyper(cfg)})
            raise
        metrics.update(
            mode="sequential", stage1_rows_mixed=len(mixed),
            forgetting={"stage1_valid_loss_before": s1_before, "stage1_valid_loss_after": vb(s1_valid_ds)},
        )
        if writer:
            with atomic.directory(out_dir) as tmp:
                save_adapter(model, tmp, cfg, f"{base_model} + stage1")
                policy.write_row_hashes(tmp, rows)
            ckpt.clear()
    else:
        metrics.update(mode="single-stage", note="one adapter trained on both datasets in stage 1; fused here")
        if writer:
            with atomic.directory(out_dir) as tmp:
                policy.write_row_hashes(tmp, rows)
    metrics.update(status="trained", hyperparameters=hyper(cfg), wall_time_s=time.perf_counter() - tic)
    if not writer:
        return metrics
    with atomic.directory(model_dir) as tmp:
        save_fused(tmp, base, model, tokenizer, model_config)
    metrics["outputs"] = describe_outputs([out_dir, model_dir])
    atomic.write_json(out_dir / "metrics.json", metrics)
    log.info("stage2 done: %s", {k: metrics.get(k) for k in ("valid_loss_before", "valid_loss_after", "forgetting")})
    return metrics

