"""Evaluation of each stage: validation loss and a generation check.

Stage 1 (analysis): does the answer to a validation prompt name the
weakness (the CWE id of the reference narrative)?  Stage 2 (code fix): does
it name the fixed version, or the patched construct of the reference
patch?  Results go to ``fine-tuning/eval/<stage>.json``.  With the tiny
smoke model the pass rate is near zero by construction; the point there is
that the measurement runs for real.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tasks import atomic
from tasks.finetune import read_rows, tokenize_rows, valid_loss

MAX_TOKENS = 96
_CWE = re.compile(r"\bCWE-\d+\b")
_VERSION = re.compile(r"\bto ([0-9][\w.+:~-]*?)\.?(?:\s|$)")


def expected_marker(stage: str, reference: str) -> str | None:
    """What a correct answer must contain, taken from the reference answer."""
    if stage == "stage1":
        m = _CWE.search(reference)
        return m.group(0) if m else None
    m = _VERSION.search(reference)
    if m:
        return m.group(1)
    added = [l[1:].strip() for l in reference.splitlines() if l.startswith("+") and not l.startswith("+++")]
    if added and added[0]:
        return added[0]
    return None


def evaluate_stage(stage: str, model_dir: Path, adapter_dir: Path | None, metrics_path: Path, valid_path: Path, out_path: Path, cfg: dict) -> dict:
    import mlx_lm

    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    if metrics.get("status") != "trained":
        result = {"stage": stage, "status": "skipped", "reason": f"{stage} was not trained"}
        atomic.write_json(out_path, result)
        return result
    model, tokenizer = mlx_lm.load(str(model_dir), adapter_path=str(adapter_dir) if adapter_dir else None)
    rows = read_rows(valid_path)
    ds, _ = tokenize_rows(rows, tokenizer, cfg["mask_prompt"], cfg["max_seq_length"])
    # prompts whose reference answer can be scored come first
    marked = [(expected_marker(stage, r["messages"][-1]["content"]), r) for r in rows]
    marked.sort(key=lambda pair: pair[0] is None)
    checks = []
    for expected, row in marked[: cfg["eval_prompts"]]:
        prompt = tokenizer.apply_chat_template(row["messages"][:-1], add_generation_prompt=True)
        answer = mlx_lm.generate(model, tokenizer, prompt=prompt, max_tokens=MAX_TOKENS)
        checks.append({
            "expected": expected,
            "answer": answer[:500],
            "passed": bool(expected) and expected.lower() in answer.lower(),
        })
    scored = [c for c in checks if c["expected"]]
    result = {
        "stage": stage,
        "status": "evaluated",
        "valid_loss": valid_loss(model, ds, cfg["batch_size"], cfg["val_batches"], cfg["max_seq_length"]),
        "prompts": checks,
        "pass_rate": (sum(c["passed"] for c in scored) / len(scored)) if scored else None,
    }
    atomic.write_json(out_path, result)
    print(f"evaluate {stage}: valid loss {result['valid_loss']}, pass rate {result['pass_rate']}")
    return result


def evaluate(stage: str, base_marker: Path, stage_dir: Path, model2_dir: Path, valid_path: Path, out_path: Path, config: dict) -> dict:
    base = Path(json.loads(base_marker.read_text(encoding="utf-8"))["path"])
    if stage == "stage1":
        return evaluate_stage(stage, base, stage_dir, stage_dir / "metrics.json", valid_path, out_path, config["fine_tuning"])
    return evaluate_stage(stage, model2_dir, None, stage_dir / "metrics.json", valid_path, out_path, config["fine_tuning"])
