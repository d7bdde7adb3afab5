"""SmolLM2-135M on this CPU: trained and generated tokens/s, secft against the mlx-lm CLI, same rows, one run.

    python bench/smollm2.py [--workspace .] [--iters 8] [--rows 6] [--max-tokens 64] [--profile cpu]

Needs a workspace where ``doit profile=cpu base_model build_datasets`` has
run (the converted model and the stage-1 rows).  Training: the same LoRA
(the profile's rank, layers, batch, max length, prompt masking) with
``python -m tasks.finetune`` and with ``python -m mlx_lm lora``, median
tokens/s over steps 2..N.  Generation: the first ``--rows`` stage-1 test
(else valid) prompts, greedy, ``--max-tokens`` each, with secft's batched
``generate.answers`` and with ``python -m mlx_lm generate`` one prompt at
a time.  Both sides get the same BLAS: the system OpenBLAS is preloaded
into secft (tasks/training/blas.py) and LD_PRELOADed into the CLI, or
neither with SECFT_OPENBLAS=0.  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;]*m")
ROW = re.compile(r"^\s*(\d+)\s+(nan|[\d.]+) [▼▲]\s+(\d+)\s+", re.M)
GEN = re.compile(r"Generation:\s+(\d+) tokens,\s+([\d.]+) tokens-per-sec")


def _env(openblas: str | None) -> dict:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent), HF_HUB_OFFLINE="1")
    if openblas:
        env["LD_PRELOAD"] = openblas
    return env


def _openblas() -> str | None:
    """The library secft would preload (by its own lookup), for the CLI's LD_PRELOAD."""
    code = "from tasks.training import blas; print(blas.preload()['openblas'] or '')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(None)).stdout.strip().splitlines()
    name = out[-1] if out else ""
    if not name or name.startswith("BLAS:"):
        return None
    import ctypes.util

    return name if "/" in name else (ctypes.util.find_library("openblas") and name)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workspace", type=Path, default=Path("."))
    ap.add_argument("--iters", type=int, default=8)
    ap.add_argument("--rows", type=int, default=6)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--profile", default="cpu")
    args = ap.parse_args()
    ws = args.workspace.resolve()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tasks.core.config import load_config

    cfg = load_config(Path(__file__).resolve().parent.parent / "config/pipeline.yaml", profile=args.profile, environ={})
    ft = cfg["fine_tuning"]
    marker = json.loads((ws / "fine-tuning/models/base_model.json").read_text())
    model = marker["path"] if Path(marker["path"]).is_absolute() else str(ws / marker["path"])
    data = ws / "fine-tuning/training_data"
    ob = _openblas()
    env = _env(ob)
    common = ["--batch-size", str(ft["batch_size"]), "--max-seq-length", str(ft["max_seq_length"]),
              "--learning-rate", str(ft["learning_rate"])]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tasks.finetune", "--dataset", str(data / "stage1_train.jsonl"),
                        "--valid-dataset", str(data / "stage1_valid.jsonl"), "--output-name", "bench-smollm2",
                        "--max-iters", str(args.iters), "--max-epochs", "100", "--base-model", model, "--profile", args.profile,
                        *common], cwd=ws, check=True, env=env, capture_output=True)
        ours_wall = time.perf_counter() - t
        ours = json.loads((ws / "fine-tuning/adapters/bench-smollm2/metrics.json").read_text())
        ours_tps = statistics.median(h["tokens_per_second"] for h in ours["train_loss"] if h["step"] > 1)

        cli_data = tmp / "data"
        cli_data.mkdir()
        shutil.copy(data / "stage1_train.jsonl", cli_data / "train.jsonl")
        shutil.copy(data / "stage1_valid.jsonl", cli_data / "valid.jsonl")
        (tmp / "lora.yaml").write_text(f"lora_parameters:\n  rank: {ft['lora_rank']}\n  scale: {ft['lora_scale']}\n  dropout: 0.0\n")
        t = time.perf_counter()
        cli = subprocess.run([sys.executable, "-m", "mlx_lm", "lora", "--model", model, "--train", "--data", str(cli_data),
                              "--iters", str(args.iters), "--num-layers", str(ft["lora_layers"]), "--steps-per-report", "1",
                              "--steps-per-eval", "100000", "--val-batches", "1", "--mask-prompt",
                              "--adapter-path", str(tmp / "adapter"), "-c", str(tmp / "lora.yaml"), *common],
                             cwd=ws, check=True, env=env, capture_output=True, text=True)
        cli_wall = time.perf_counter() - t
        cli_tps = statistics.median(int(tps) for s, _, tps in ROW.findall(ANSI.sub("", cli.stdout + cli.stderr)) if int(s) > 1)

        test = data / "stage1_test.jsonl"
        rows = [json.loads(line) for line in (test if test.stat().st_size else data / "stage1_valid.jsonl").read_text().splitlines()]
        rows = rows[: args.rows]
        (tmp / "rows.json").write_text(json.dumps(rows))
        code = ("import json,sys,time; from tasks.training import blas; blas.preload(); from tasks.evaluation import generate;"
                f"m,t=generate.load({model!r}); rows=json.load(open({str(tmp / 'rows.json')!r}));"
                "tic=time.perf_counter(); out=generate.answers(m,t,rows,%d,8); dt=time.perf_counter()-tic;"
                "print('RESULT', sum(len(t.encode(o)) for o in out), dt)" % args.max_tokens)
        ours_gen = subprocess.run([sys.executable, "-c", code], cwd=ws, env=env, capture_output=True, text=True, check=True).stdout
        n, dt = ours_gen.split("RESULT")[-1].split()
        ours_gen_tps = int(n) / float(dt)
        cli_tokens, cli_time = 0, 0.0
        for row in rows:
            prompt = row["messages"][1]["content"]
            out = subprocess.run([sys.executable, "-m", "mlx_lm", "generate", "--model", model, "--prompt", prompt,
                                  "--system-prompt", row["messages"][0]["content"], "--max-tokens", str(args.max_tokens),
                                  "--temp", "0"], cwd=ws, env=env, capture_output=True, text=True, check=True).stdout
            m = GEN.search(out)
            if m:
                cli_tokens += int(m.group(1))
                cli_time += int(m.group(1)) / float(m.group(2))
    print(f"OpenBLAS: {ob or 'none (mlx bundled BLAS)'}; model {model}\n")
    print("| what | secft | mlx-lm CLI | secft / CLI |\n|---|---:|---:|---:|")
    print(f"| LoRA training, median tokens/s (steps 2..{args.iters}) | {ours_tps:.0f} | {cli_tps:.0f} | {ours_tps / cli_tps:.2f} |")
    print(f"| training wall time incl. load (s) | {ours_wall:.0f} | {cli_wall:.0f} | |")
    print(f"| generation, tokens/s ({len(rows)} rows x {args.max_tokens} tokens; secft batched, CLI one prompt per call) "
          f"| {ours_gen_tps:.1f} | {cli_tokens / cli_time if cli_time else float('nan'):.1f} | "
          f"{ours_gen_tps / (cli_tokens / cli_time) if cli_time else float('nan'):.2f} |")
    shutil.rmtree(ws / "fine-tuning/adapters/bench-smollm2", ignore_errors=True)


if __name__ == "__main__":
    main()
