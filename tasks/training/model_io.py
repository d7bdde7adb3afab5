"""Loading, quantising, fusing and saving models: the one place a stage touches model files.

``fine_tuning.quantization`` (``none`` | ``4bit`` | ``8bit``) quantises the
base model in memory with mlx-lm's ``quantize_model`` before LoRA is added
(QLoRA: the frozen base weights take a quarter or half the memory, the LoRA
weights stay in full precision).  A layer whose input width is not a
multiple of ``fine_tuning.quantization_group_size`` stays in full precision
and is counted; when no layer fits, the stage fails in one line.

The fused stage-2 model is written *dequantised* (as ``mlx_lm.fuse
--dequantize`` does): the trained deltas are added to the dequantised base
weights, so the saved model is exactly the one that was trained, carries no
quantisation config, and loads with ``mlx_lm.load`` and converts to other
tools like the base model itself.  Stage 1's adapter is applied to a base
quantised the same way before stage 2 trains on top of it.
"""

from __future__ import annotations

from pathlib import Path

from tasks.core import atomic
from tasks.core.errors import SecftError
from tasks.core.settings import FineTuning

BITS = {"none": None, "4bit": 4, "8bit": 8}


def quantization(cfg: FineTuning | dict) -> dict | None:
    """``{"bits", "group_size"}`` for ``fine_tuning.quantization``, None for ``none``."""
    cfg = FineTuning.of(cfg)
    name = cfg.quantization or "none"
    if name not in BITS:
        raise SecftError(f"fine_tuning.quantization {name!r}: expected one of {', '.join(BITS)}")
    if BITS[name] is None:
        return None
    return {"bits": BITS[name], "group_size": int(cfg.quantization_group_size)}


def quantize(model, model_config: dict, q: dict) -> dict:
    """Quantise ``model`` in place; returns what was done (for the metrics)."""
    from mlx_lm.utils import quantize_model

    gs = q["group_size"]
    candidates = [(n, m) for n, m in model.named_modules() if hasattr(m, "to_quantized") and hasattr(m, "weight")]
    skipped = sorted(n for n, m in candidates if m.weight.shape[-1] % gs)
    if len(skipped) == len(candidates):
        widths = sorted({int(m.weight.shape[-1]) for _, m in candidates})
        raise SecftError(f"fine_tuning.quantization_group_size {gs} divides none of the model's layer widths {widths}; "
                         "choose a group size that divides them (32, 64 or 128)")
    quantize_model(model, model_config, gs, q["bits"])
    return {**q, "quantized_layers": len(candidates) - len(skipped), "full_precision_layers": skipped}


def load_model(base: Path, adapter_path: Path | None = None, cfg: FineTuning | dict | None = None):
    """(model, tokenizer, config, quantization record) from a verified folder, quantised per ``cfg``.

    With an adapter, the adapter is applied after quantisation (it was trained that way).
    """
    cfg = FineTuning.of(cfg) if cfg is not None else None
    import mlx_lm
    from mlx_lm.utils import load_adapters

    q = quantization(cfg or {})
    if q is None:
        model, tokenizer, config = mlx_lm.load(str(base), adapter_path=str(adapter_path) if adapter_path else None,
                                               return_config=True)
        return model, tokenizer, config, None
    model, tokenizer, config = mlx_lm.load(str(base), return_config=True)
    if config.get("quantization"):
        raise SecftError(f"{base}: the base model is already quantised; set fine_tuning.quantization: none")
    record = quantize(model, config, q)
    if adapter_path:
        load_adapters(model, str(adapter_path))
        model.eval()
    return model, tokenizer, config, record


def fuse(model, dequantize: bool = False) -> None:
    """Fold LoRA layers into their base layers (re-quantised unless ``dequantize``)."""
    from mlx.utils import tree_unflatten

    fused = [(n, m.fuse(dequantize=dequantize)) for n, m in model.named_modules() if hasattr(m, "fuse")]
    if fused:
        model.update_modules(tree_unflatten(fused))


def save_fused(directory: Path, base: Path, model, tokenizer, model_config: dict) -> None:
    """The fused model in full precision (no quantisation config): loadable with ``mlx_lm.load``."""
    from mlx_lm.utils import dequantize_model, save

    fuse(model, dequantize=True)
    dequantize_model(model)
    config = {k: v for k, v in model_config.items() if k not in ("quantization", "quantization_config")}
    save(directory, str(base), model, tokenizer, config, donate_model=False)


def save_adapter(model, directory: Path, cfg: FineTuning | dict, base_ref: str) -> None:
    cfg = FineTuning.of(cfg)
    import mlx.core as mx
    from mlx.utils import tree_flatten

    mx.save_safetensors(str(directory / "adapters.safetensors"), dict(tree_flatten(model.trainable_parameters())))
    config = {
        "fine_tune_type": "lora",
        "model": base_ref,
        "num_layers": cfg.lora_layers,
        "lora_parameters": {"rank": cfg.lora_rank, "scale": cfg.lora_scale, "dropout": cfg.lora_dropout},
        "max_seq_length": cfg.max_seq_length,
        "mask_prompt": cfg.mask_prompt,
    }
    q = quantization(cfg)
    if q:  # informational: mlx-lm ignores it; load with tasks.training.model_io.load_model to quantise the base first
        config["base_quantization"] = q
    atomic.write_json(directory / "adapter_config.json", config)
