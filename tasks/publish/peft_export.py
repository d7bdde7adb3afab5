"""The LoRA adapters in the Hugging Face PEFT layout, for transformers users.

mlx-lm stores a LoRA layer as ``lora_a`` (in, r) and ``lora_b`` (r, out) and
adds ``scale * (x @ lora_a) @ lora_b``; PEFT stores ``lora_A.weight`` (r, in)
and ``lora_B.weight`` (out, r) and adds ``(lora_alpha / r) * B(A(x))``.  So
A = lora_a^T, B = lora_b^T and lora_alpha = scale * r, under PEFT key names
``base_model.model.<module path>.lora_{A,B}.weight``.

Stage 2 is trained on the base model with stage 1 fused in, so its adapter
alone means nothing on the base.  ``peft/stage2`` is therefore the exact
sum of both: one LoRA of rank r1 + r2 against the base model whose A stacks
both stages' A and whose B stacks both B with each stage's scale folded in
(lora_alpha = rank, scaling 1).  Loaded on the base model it computes the
fused stage-2 model (up to float rounding), and ``peft/stage2/README.md``
says so.  Exported with mlx itself (``mx.save_safetensors``), so neither
torch nor peft is a dependency.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from tasks.core import atomic
from tasks.core.errors import SecftError
from tasks.training import base_model as models

_KEY = re.compile(r"^(?P<module>(?:[\w]+\.)*layers\.(?P<layer>\d+)\.(?:[\w]+\.)*(?P<leaf>\w+))\.lora_(?P<ab>[ab])$")


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SecftError(f"{path}: cannot read: {exc}") from None


def load_mlx_adapter(adapter_dir: Path) -> tuple[dict, dict]:
    """({module path: (lora_a, lora_b)}, adapter_config) of an mlx-lm LoRA adapter folder."""
    import mlx.core as mx

    config = _read_json(adapter_dir / "adapter_config.json")
    if config.get("fine_tune_type", "lora") != "lora" or config.get("use_dora"):
        raise SecftError(f"{adapter_dir}: only plain LoRA adapters can be exported to PEFT (fine_tune_type {config.get('fine_tune_type')})")
    weights = mx.load(str(adapter_dir / "adapters.safetensors"))
    pairs: dict[str, dict] = {}
    for key, value in weights.items():
        m = _KEY.match(key)
        if not m:
            raise SecftError(f"{adapter_dir / 'adapters.safetensors'}: {key}: not a LoRA weight of a transformer layer")
        pairs.setdefault(m.group("module"), {})[m.group("ab")] = value
    broken = sorted(k for k, v in pairs.items() if set(v) != {"a", "b"})
    if broken:
        raise SecftError(f"{adapter_dir / 'adapters.safetensors'}: {broken[0]}: lora_a or lora_b missing")
    return {k: (v["a"], v["b"]) for k, v in pairs.items()}, config


def _base_ref(base_model: str) -> str:
    return str(models.local_path(base_model)) if models.is_local(base_model) else base_model


def peft_config(modules: list[str], rank: int, alpha: float, dropout: float, base_model: str) -> dict:
    """adapter_config.json for PEFT's LoraConfig (only keys LoraConfig knows)."""
    layers = sorted({int(_KEY.match(m + ".lora_a").group("layer")) for m in modules})
    return {
        "peft_type": "LORA",
        "task_type": "CAUSAL_LM",
        "base_model_name_or_path": _base_ref(base_model),
        "r": rank,
        "lora_alpha": alpha,
        "lora_dropout": dropout,
        "target_modules": sorted({m.rsplit(".", 1)[-1] for m in modules}),
        "layers_to_transform": layers,
        "layers_pattern": "layers",
        "bias": "none",
        "fan_in_fan_out": False,
        "use_rslora": False,
        "use_dora": False,
        "inference_mode": True,
        "modules_to_save": None,
        "init_lora_weights": True,
        "revision": None,
    }


def peft_tensors(pairs: dict, scale: float = 1.0) -> dict:
    """PEFT-named, transposed tensors; ``scale`` is folded into B."""
    out = {}
    for module, (a, b) in sorted(pairs.items()):
        out[f"base_model.model.{module}.lora_A.weight"] = a.T
        out[f"base_model.model.{module}.lora_B.weight"] = b.T * scale if scale != 1.0 else b.T
    return out


def combine(stages: list[tuple[dict, float]]) -> dict:
    """One LoRA equal to the sum of several: stacked A, stacked B with each stage's scale folded in.

    A module missing from a stage gets zero rows/columns for it, so the
    combined rank is the sum of the ranks everywhere.
    """
    import mlx.core as mx

    modules = sorted({m for pairs, _ in stages for m in pairs})
    out = {}
    for module in modules:
        a_parts, b_parts = [], []
        ref_a, ref_b = next((p[module] for p, _ in stages if module in p))
        for pairs, scale in stages:
            rank = next(iter(pairs.values()))[0].shape[1]
            if module in pairs:
                a, b = pairs[module]
                a_parts.append(a.astype(mx.float32))
                b_parts.append(b.astype(mx.float32) * scale)
            else:
                a_parts.append(mx.zeros((ref_a.shape[0], rank), dtype=mx.float32))
                b_parts.append(mx.zeros((rank, ref_b.shape[1]), dtype=mx.float32))
        out[module] = (mx.concatenate(a_parts, axis=1).astype(ref_a.dtype), mx.concatenate(b_parts, axis=0).astype(ref_b.dtype))
    return out


def _write(out_dir: Path, tensors: dict, config: dict, readme: str) -> None:
    import mlx.core as mx

    with atomic.directory(out_dir) as tmp:
        mx.save_safetensors(str(tmp / "adapter_model.safetensors"), tensors, metadata={"format": "pt"})
        atomic.write_json(tmp / "adapter_config.json", config)
        atomic.write_text(tmp / "README.md", readme)


def _scale_rank(config: dict) -> tuple[float, int, float]:
    lp = config.get("lora_parameters") or {}
    return float(lp.get("scale", 20.0)), int(lp.get("rank", 8)), float(lp.get("dropout", 0.0))


def export(base_model: str, stage1_dir: Path, stage2_dir: Path, out_root: Path, marker: Path) -> dict:
    """Write ``out_root/stage1`` and ``out_root/stage2`` for the trained stages; remove stale ones."""
    result: dict = {"base_model_name_or_path": _base_ref(base_model), "stages": {}}
    s1 = _read_json(stage1_dir / "metrics.json") if (stage1_dir / "metrics.json").is_file() else {}
    s2 = _read_json(stage2_dir / "metrics.json") if (stage2_dir / "metrics.json").is_file() else {}
    trained1 = s1.get("status") in ("trained", "kept") and (stage1_dir / "adapters.safetensors").is_file()
    trained2 = trained1 and s2.get("status") in ("trained", "kept") and (stage2_dir / "adapters.safetensors").is_file()
    if trained1:
        pairs1, cfg1 = load_mlx_adapter(stage1_dir)
        scale1, rank1, drop1 = _scale_rank(cfg1)
        _write(out_root / "stage1", peft_tensors(pairs1), peft_config(list(pairs1), rank1, scale1 * rank1, drop1, base_model),
               f"# secft stage 1 (PEFT)\n\nThe stage-1 analysis LoRA adapter in the Hugging Face PEFT layout, for `{_base_ref(base_model)}`.\n"
               f"Converted from the mlx-lm adapter: A = lora_a^T, B = lora_b^T, lora_alpha = scale x r = {scale1} x {rank1}.\n")
        result["stages"]["stage1"] = {"r": rank1, "lora_alpha": scale1 * rank1, "modules": len(pairs1)}
    if trained2:
        pairs2, cfg2 = load_mlx_adapter(stage2_dir)
        scale2, rank2, drop2 = _scale_rank(cfg2)
        both = combine([(pairs1, scale1), (pairs2, scale2)])
        rank = rank1 + rank2
        _write(out_root / "stage2", peft_tensors(both), peft_config(list(both), rank, float(rank), max(drop1, drop2), base_model),
               f"# secft stage 2 (PEFT)\n\nStage 2 was trained on the base model with stage 1 fused in, so this adapter is both stages in one: "
               f"a LoRA of rank {rank1} + {rank2} = {rank} for `{_base_ref(base_model)}` whose first {rank1} ranks are stage 1 and last {rank2} "
               f"stage 2, each stage's scale ({scale1}, {scale2}) folded into B (lora_alpha = r, scaling 1).\n"
               "Loaded with `PeftModel.from_pretrained(base, path)` it computes the fused stage-2 model (up to float rounding).\n")
        result["stages"]["stage2"] = {"r": rank, "lora_alpha": float(rank), "modules": len(both), "combines": ["stage1", "stage2"]}
    for stage, done in (("stage1", trained1), ("stage2", trained2)):
        if not done and (out_root / stage).exists():
            shutil.rmtree(out_root / stage)
    atomic.write_json(marker, result)
    return result
