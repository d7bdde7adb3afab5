"""QLoRA (fine_tuning.quantization): the base is quantised before LoRA, both stages train, and the fused
stage-2 model is the dequantised trained model, loadable with mlx_lm.load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasks.core.errors import SecftError


def _config(ws: Path, **ft):
    from tasks.core.config import load_config

    overrides = {"fine_tuning.max_iters": 2, "fine_tuning.steps_per_eval": 2, "fine_tuning.val_batches": 1,
                 **{f"fine_tuning.{k}": v for k, v in ft.items()}}
    return load_config(ws / "config/pipeline.yaml", "smoke", environ={}, overrides=overrides, overrides_label="test")


@pytest.fixture
def in_ws(workspace, monkeypatch):
    monkeypatch.chdir(workspace)  # "tiny" resolves to fine-tuning/models/tiny-base
    return workspace


def test_4bit_stages_train_and_the_fused_model_is_the_dequantised_trained_one(in_ws):
    import mlx.core as mx
    import mlx.nn as nn
    import mlx_lm

    from tasks.training.stages import stage1, stage2

    config = _config(in_ws, quantization="4bit")
    data, out = in_ws / "fine-tuning/training_data", in_ws / "q"
    s1 = stage1(config, data, out / "s1", out / "ck1", out / "s1.log", force=True)
    assert s1["status"] == "trained"
    assert s1["quantization"]["bits"] == 4 and s1["quantization"]["group_size"] == 64
    assert s1["quantization"]["quantized_layers"] > 0 and s1["quantization"]["full_precision_layers"] == []
    adapter_cfg = json.loads((out / "s1/adapter_config.json").read_text())
    assert adapter_cfg["base_quantization"] == {"bits": 4, "group_size": 64}

    s2 = stage2(config, data, out / "s1", out / "s2", out / "model", out / "ck2", out / "s2.log", force=True)
    assert s2["status"] == "trained" and s2["quantization"]["bits"] == 4
    saved = json.loads((out / "model/config.json").read_text())
    assert "quantization" not in saved and "quantization_config" not in saved

    model, tokenizer = mlx_lm.load(str(out / "model"))
    assert not any(isinstance(m, (nn.QuantizedLinear, nn.QuantizedEmbedding)) for _, m in model.named_modules())
    assert isinstance(mlx_lm.generate(model, tokenizer, "hello", max_tokens=3), str)
    # the embedding (no LoRA) is the base embedding as the trainer saw it: quantised to 4 bits, then dequantised
    base = mx.load(str(in_ws / "fine-tuning/models/tiny-base/model.safetensors"))["model.embed_tokens.weight"]
    seen = mx.dequantize(*mx.quantize(base, 64, 4), 64, 4)
    fused = model.model.embed_tokens.weight
    assert mx.allclose(fused, seen, atol=1e-6).item()
    assert not mx.allclose(fused, base, atol=1e-4).item()


def test_layers_the_group_size_does_not_divide_stay_in_full_precision(in_ws):
    from tasks.training import base_model
    from tasks.training.model_io import load_model

    cfg = _config(in_ws, quantization="8bit", quantization_group_size=128)["fine_tuning"]
    model, _, _, record = load_model(base_model.resolve_verified("tiny"), cfg=cfg)
    # tiny model: only the MLP down projections take 128-wide inputs; everything else is 64 wide
    assert record["bits"] == 8 and record["quantized_layers"] == 2
    assert "model.layers.0.self_attn.q_proj" in record["full_precision_layers"]
    assert type(model.model.layers[0].mlp.down_proj).__name__ == "QuantizedLinear"
    assert type(model.model.layers[0].self_attn.q_proj).__name__ == "Linear"


def test_a_group_size_that_fits_no_layer_is_one_line():
    import mlx.nn as nn

    from tasks.training.model_io import quantize

    class Odd(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(48, 8)

    with pytest.raises(SecftError) as err:
        quantize(Odd(), {}, {"bits": 4, "group_size": 32})
    assert "divides none" in str(err.value) and "[48]" in str(err.value) and "\n" not in str(err.value)


def test_quantization_values_are_checked_by_the_schema(tmp_path):
    from conftest import REPO

    with pytest.raises(SecftError, match="quantization"):
        _config(REPO, quantization="3bit")
    with pytest.raises(SecftError, match="quantization_group_size"):
        _config(REPO, quantization_group_size=48)
