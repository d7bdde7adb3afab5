"""Stage-1 training with fine_tuning.quantization none / 8bit / 4bit: tokens/s and peak memory, one run each.

    python bench/quantization.py [--iters 30] [--shape tiny|medium]

Builds the smoke workspace's datasets and tiny model in a temporary folder,
then trains the same LoRA (smoke profile: rank 4, 2 layers, batch 2, max
length 384) with ``python -m tasks.finetune --quantization ...``, one fresh
process per setting.  tokens/s is the median over steps 2..N (step 1
includes compilation); peak memory is mlx's own figure at the end of
training (``metrics.json`` ``peak_memory_gb``) and the process's peak RSS.
``--shape medium`` builds a bigger random-weights OLMo-2-shaped model
(hidden 512, 4 layers, MLP 1408: ~15M parameters, 60 MB in float32)
instead of the tiny one, where the weights are too small a share of the
memory for quantisation to show.  Prints a Markdown table for
docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workspace  # noqa: E402

SHAPES = {
    "tiny": None,
    "medium": "tiny_model:\n  hidden_size: 512\n  num_hidden_layers: 4\n  num_attention_heads: 8\n"
              "  intermediate_size: 1408\n",
}


def _run(ws: Path, quantization: str, iters: int) -> dict:
    data = ws / "fine-tuning/training_data"
    name = f"q-{quantization}"
    cmd = [sys.executable, "-c",
           "import resource, sys; from tasks.training.cli import main; rc = main(sys.argv[1:]); "
           "print('maxrss_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(rc)",
           "--dataset", str(data / "stage1_train.jsonl"), "--valid-dataset", str(data / "stage1_valid.jsonl"),
           "--output-name", name, "--max-iters", str(iters), "--max-epochs", "100", "--profile", "smoke",
           "--quantization", quantization]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ws, check=True, env=workspace.clean_env(), capture_output=True, text=True)
    wall = time.perf_counter() - t
    m = json.loads((ws / f"fine-tuning/adapters/{name}/metrics.json").read_text())
    rss = int(proc.stdout.rsplit("maxrss_kb", 1)[1].split()[0]) / 1024
    tps = [h["tokens_per_second"] for h in m["train_loss"] if h["step"] > 1 and h["tokens_per_second"]]
    return {"tps": statistics.median(tps), "peak_gb": m["peak_memory_gb"], "rss_mb": rss, "wall": wall,
            "loss": (m["valid_loss_before"], m["valid_loss_after"]), "q": m.get("quantization")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--iters", type=int, default=30)
    ap.add_argument("--shape", choices=sorted(SHAPES), default="tiny")
    args = ap.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        ws = workspace.make(Path(tmp))
        if SHAPES[args.shape]:
            profile = ws / "config/profiles/smoke.yaml"
            profile.write_text(profile.read_text() + SHAPES[args.shape])
        workspace.doit(ws, "profile=smoke", "build_datasets", "tiny_base_model", capture_output=True)
        for q in ("none", "8bit", "4bit"):
            results[q] = _run(ws, q, args.iters)
    print(f"model shape: {args.shape}\n")
    print(f"| quantization | median tokens/s (steps 2..{args.iters}) | mlx peak memory (MB) | peak RSS (MB) "
          "| valid loss before -> after | wall time incl. load (s) |")
    print("|---|---:|---:|---:|---:|---:|")
    for q, r in results.items():
        print(f"| {q} | {r['tps']:.0f} | {r['peak_gb'] * 1000:.1f} | {r['rss_mb']:.0f} "
              f"| {r['loss'][0]:.3f} -> {r['loss'][1]:.3f} | {r['wall']:.1f} |")


if __name__ == "__main__":
    main()
