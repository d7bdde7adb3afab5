"""``python -m tasks.finetune``: train a LoRA adapter on your own JSONL (the usage guide's entry point).

    python -m tasks.finetune --dataset data.jsonl --output-name mine \\
        --batch-size 2 --learning-rate 1e-5 --max-epochs 3 --base-model PATH_OR_HUB_ID [--upload]

Every setting goes through the pipeline's config schema (a flag is an
override of its ``fine_tuning`` key), so ``--batch-size 0`` or
``--learning-rate nan`` is refused in one line before anything loads.
The dataset may be in any of mlx-lm's formats (chat ``messages``,
``prompt``/``completion``, ``text``), detected per file.  Under
``mlx.launch -n N`` (or ``--hostfile``) the N processes train one adapter
data-parallel and rank 0 writes it (``tasks.training.distributed``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from tasks.core.errors import SecftError
from tasks.core.hashing import sha256_json
from tasks.training import distributed

ADAPTERS = Path("fine-tuning/adapters")
CHECKPOINTS = Path("fine-tuning/checkpoints")
LOGS = Path("fine-tuning/logs")
# a plain name that is also a valid Hub repo name: no separators, no '..', no leading/trailing '.' or '-'
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$")
RESERVED = {"stage1", "stage2"}  # the pipeline's own adapters

FLAGS = {  # flag -> (config key, type)
    "batch_size": ("fine_tuning.batch_size", int),
    "learning_rate": ("fine_tuning.learning_rate", float),
    "max_epochs": ("fine_tuning.max_epochs", float),
    "max_iters": ("fine_tuning.max_iters", int),
    "max_seq_length": ("fine_tuning.max_seq_length", int),
    "seed": ("fine_tuning.seed", int),
    "base_model": ("base_model", str),
    "quantization": ("fine_tuning.quantization", str),
    "lr_schedule": ("fine_tuning.lr_schedule", str),
    "warmup_steps": ("fine_tuning.warmup_steps", int),
    "long_rows": ("fine_tuning.long_rows", str),
}


def output_name(name: str) -> str:
    """``--output-name`` as a plain folder name that stays inside fine-tuning/adapters/."""
    if not _NAME.match(name or "") or ".." in name or "--" in name:
        raise SecftError(
            f"--output-name {name!r}: use a plain name of letters, digits, '.', '_' and '-' (at most 64, no path separators, "
            "no '..', starting and ending with a letter or digit)"
        )
    if name in RESERVED:
        raise SecftError(f"--output-name {name!r}: reserved for the pipeline's own stage; choose another name")
    for root in (ADAPTERS, CHECKPOINTS, LOGS):
        target = (root / name).resolve()
        if target.parent != root.resolve():
            raise SecftError(f"--output-name {name!r}: {root / name} resolves outside {root}")
    return name


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tasks.finetune",
                                description="Train a LoRA adapter on your own mlx-lm JSONL (chat, prompt/completion or text).")
    p.add_argument("--dataset", required=True, type=Path, help="JSONL: {'messages': [...]}, {'prompt', 'completion'} or {'text'} rows")
    p.add_argument("--valid-dataset", type=Path, help="validation JSONL (default: 20%% of --dataset by row hash)")
    p.add_argument("--output-name", required=True, help="adapter folder name under fine-tuning/adapters/ (a plain name)")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--max-epochs", type=float)
    p.add_argument("--max-iters", type=int)
    p.add_argument("--max-seq-length", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--base-model", help="Hub id, local folder, or 'tiny'")
    p.add_argument("--quantization", help="none | 4bit | 8bit: quantise the base before LoRA (QLoRA)")
    p.add_argument("--lr-schedule", help="constant | cosine")
    p.add_argument("--warmup-steps", type=int)
    p.add_argument("--long-rows", help="rows longer than --max-seq-length: truncate | drop")
    p.add_argument("--upload", action="store_true", help="publish the adapter and its data like the pipeline (upload.destination)")
    p.add_argument("--profile", help="config profile (default: $SECFT_PROFILE)")
    p.add_argument("--config", type=Path, default=Path("config/pipeline.yaml"))
    return p


def run(args: argparse.Namespace, publish=None) -> dict:
    """Train one adapter; ``publish(config, name, adapter_dir, train_rows, valid_rows)`` uploads it (``--upload``).

    The publisher is passed in by the command (``tasks.finetune``) because publishing is a later phase
    than training: training code never imports it.
    """
    from tasks.core.config import load_config
    from tasks.datasets import split_of
    from tasks.training.stages import train_single

    name = output_name(args.output_name)
    overrides = {key: getattr(args, flag) for flag, (key, _) in FLAGS.items() if getattr(args, flag) is not None}
    if args.upload:
        overrides["upload.enabled"] = True
    config = load_config(args.config, args.profile, overrides=overrides, overrides_label="command line")
    cfg = dict(config["fine_tuning"])
    from tasks.training.formats import read_rows

    rows = read_rows(args.dataset)
    if args.valid_dataset:
        train_rows, valid_rows = rows, read_rows(args.valid_dataset)
    else:
        train_rows = [r for r in rows if split_of(sha256_json(r), 20, 0) == "train"]
        valid_rows = [r for r in rows if split_of(sha256_json(r), 20, 0) == "valid"]
    if not train_rows:
        raise SecftError(f"{args.dataset}: no training rows")
    out_dir = ADAPTERS / name
    metrics = train_single(
        config["base_model"], train_rows, valid_rows, out_dir, cfg, CHECKPOINTS / name, LOGS / f"{name}.log", name,
        {"mode": "standalone", "dataset": str(args.dataset), "data_sha256": sha256_json(train_rows + valid_rows)},
    )
    if not distributed.writer():  # under mlx.launch: rank 0 writes, uploads and reports
        return metrics
    from tasks.training.model_history import record

    metrics["history"] = record(config, metrics, kind="standalone")  # fine-tuning/history/<name>, listed by tasks.service.status
    if args.upload and publish is not None:
        metrics["upload"] = publish(config, name, out_dir, train_rows, valid_rows)
    return metrics


def main(argv: list[str] | None = None, publish=None) -> int:
    from tasks.training import blas

    blas.preload()  # before mlx is imported (tasks/training/blas.py)
    args = _parser().parse_args(argv)
    try:
        metrics = run(args, publish)
    except SecftError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # disk full, permission denied met mid-run
        from tasks.training.preflight import os_error

        print(f"error: {os_error(exc, ADAPTERS)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: run the same command again to resume from the last checkpoint", file=sys.stderr)
        return 130
    if not distributed.writer():
        return 0
    keys = ("iterations", "resumed_from_step", "valid_loss_before", "valid_loss_after", "tokens_per_second", "history", "upload")
    print(json.dumps({k: metrics[k] for k in keys if k in metrics}))
    return 0
