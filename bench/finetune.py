"""Stage-1 training speed: secft's trainer against the mlx-lm CLI, same data and model, one run.

    python bench/finetune.py [--iters 30]

Builds the smoke workspace's datasets and tiny model in a temporary folder,
then trains the same LoRA (rank 4, 2 layers, batch 2, max length 384,
prompt masking) twice: ``python -m tasks.finetune`` and
``python -m mlx_lm lora``.  Both report tokens/s per step from mlx-lm's
trainer; the figure is the median over steps 2..N (step 1 includes
compilation).  Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workspace  # noqa: E402

ANSI = re.compile(r"\x1b\[[0-9;]*m")
ROW = re.compile(r"^\s*(\d+)\s+(nan|[\d.]+) [▼▲]\s+(\d+)\s+", re.M)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--iters", type=int, default=30)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = workspace.make(Path(tmp))
        workspace.doit(ws, "profile=smoke", "build_datasets", "tiny_base_model", capture_output=True)
        data = ws / "fine-tuning/training_data"

        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tasks.finetune", "--dataset", str(data / "stage1_train.jsonl"),
                        "--valid-dataset", str(data / "stage1_valid.jsonl"), "--output-name", "bench",
                        "--max-iters", str(args.iters), "--max-epochs", "100", "--profile", "smoke"],
                       cwd=ws, check=True, env=workspace.clean_env(), capture_output=True)
        ours_wall = time.perf_counter() - t
        ours = json.loads((ws / "fine-tuning/adapters/bench/metrics.json").read_text())
        ours_tps = [h["tokens_per_second"] for h in ours["train_loss"] if h["step"] > 1]
        ours_nan = sum(1 for h in ours["train_loss"] if h["loss"] != h["loss"])

        cli_data = ws / "cli-data"
        cli_data.mkdir()
        shutil.copy(data / "stage1_train.jsonl", cli_data / "train.jsonl")
        shutil.copy(data / "stage1_valid.jsonl", cli_data / "valid.jsonl")
        (ws / "lora.yaml").write_text("lora_parameters:\n  rank: 4\n  scale: 20.0\n  dropout: 0.0\n")
        t = time.perf_counter()
        cli = subprocess.run([sys.executable, "-m", "mlx_lm", "lora", "--model", str(ws / "fine-tuning/models/tiny-base"),
                              "--train", "--data", str(cli_data), "--iters", str(args.iters), "--batch-size", "2",
                              "--num-layers", "2", "--max-seq-length", "384", "--learning-rate", "1e-3",
                              "--steps-per-report", "1", "--steps-per-eval", "100000", "--val-batches", "2",
                              "--mask-prompt", "--adapter-path", str(ws / "cli-adapter"), "-c", str(ws / "lora.yaml")],
                             cwd=ws, check=True, env=workspace.clean_env(), capture_output=True, text=True)
        cli_wall = time.perf_counter() - t
        rows = [(int(s), float(l), int(tps)) for s, l, tps in ROW.findall(ANSI.sub("", cli.stdout + cli.stderr))]
        cli_tps = [tps for s, _, tps in rows if s > 1]
        cli_nan = sum(1 for _, l, _ in rows if l != l)

    o, c = statistics.median(ours_tps), statistics.median(cli_tps)
    print(f"| trainer | iterations | median tokens/s (steps 2..{args.iters}) | steps with NaN loss | wall time incl. load (s) |")
    print("|---|---:|---:|---:|---:|")
    print(f"| secft `python -m tasks.finetune` | {args.iters} | {o:.0f} | {ours_nan} | {ours_wall:.1f} |")
    print(f"| mlx-lm CLI `python -m mlx_lm lora` | {args.iters} | {c:.0f} | {cli_nan} | {cli_wall:.1f} |")
    print(f"\nratio secft / CLI tokens/s: {o / c:.2f}")


if __name__ == "__main__":
    main()
