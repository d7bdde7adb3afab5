"""PEFT export of the smoke adapters: OLMo-2 key names, transposed shapes, and the same weights."""

from __future__ import annotations

import json
import re
import shutil

import pytest

PEFT_KEY = re.compile(r"^base_model\.model\.(model\.layers\.(\d+)\.(?:self_attn\.[qkvo]_proj|mlp\.(?:gate|up|down)_proj))\.lora_([AB])\.weight$")
TARGETS = ["down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj"]


def _export(ws):
    from tasks.publish.peft_export import export

    ft = ws / "fine-tuning"
    return export("tiny", ft / "adapters/stage1", ft / "adapters/stage2", ft / "peft", ft / "peft/export.json")


def _modules(tensors: dict, base: dict, rank: int) -> set:
    """Check every key against the base model's OLMo-2 layer and its shape; returns the module paths."""
    modules = set()
    for key, value in tensors.items():
        m = PEFT_KEY.match(key)
        assert m, key
        out_features, in_features = base[m.group(1) + ".weight"].shape  # the layer exists under that name
        assert tuple(value.shape) == ((rank, in_features) if m.group(3) == "A" else (out_features, rank)), key
        modules.add(m.group(1))
    assert len(tensors) == 2 * len(modules)
    return modules


def test_peft_export_of_the_smoke_adapters(workspace):
    import mlx.core as mx

    result = _export(workspace)
    ft = workspace / "fine-tuning"
    base = mx.load(str(ft / "models/tiny-base/model.safetensors"))
    mlx_cfg = json.loads((ft / "adapters/stage1/adapter_config.json").read_text())
    rank, scale = mlx_cfg["lora_parameters"]["rank"], mlx_cfg["lora_parameters"]["scale"]

    cfg1 = json.loads((ft / "peft/stage1/adapter_config.json").read_text())
    assert cfg1["peft_type"] == "LORA" and cfg1["task_type"] == "CAUSAL_LM"
    assert cfg1["r"] == rank and cfg1["lora_alpha"] == pytest.approx(scale * rank)
    assert cfg1["target_modules"] == TARGETS and cfg1["layers_to_transform"] == [0, 1]
    assert cfg1["base_model_name_or_path"] == "fine-tuning/models/tiny-base"
    t1 = mx.load(str(ft / "peft/stage1/adapter_model.safetensors"))
    modules = _modules(t1, base, rank)
    assert len(modules) == 2 * len(TARGETS)  # two layers of the tiny model

    # PEFT's delta (alpha / r) * B @ A equals mlx-lm's scale * (lora_a @ lora_b)^T
    mlx_w = mx.load(str(ft / "adapters/stage1/adapters.safetensors"))
    for module in modules:
        peft_delta = (cfg1["lora_alpha"] / cfg1["r"]) * (t1[f"base_model.model.{module}.lora_B.weight"] @ t1[f"base_model.model.{module}.lora_A.weight"])
        mlx_delta = scale * (mlx_w[f"{module}.lora_a"] @ mlx_w[f"{module}.lora_b"]).T
        assert mx.allclose(peft_delta, mlx_delta, atol=1e-6).item(), module

    # stage 2 "on top of the base": base weights + the combined adapter == the fused stage-2 model
    cfg2 = json.loads((ft / "peft/stage2/adapter_config.json").read_text())
    assert cfg2["r"] == 2 * rank and cfg2["lora_alpha"] == cfg2["r"]
    assert result["stages"]["stage2"]["combines"] == ["stage1", "stage2"]
    t2 = mx.load(str(ft / "peft/stage2/adapter_model.safetensors"))
    assert _modules(t2, base, 2 * rank) == modules
    fused = mx.load(str(ft / "models/stage2/model.safetensors"))
    moved = 0
    for module in modules:
        delta = t2[f"base_model.model.{module}.lora_B.weight"] @ t2[f"base_model.model.{module}.lora_A.weight"]
        target = fused[module + ".weight"]
        assert mx.allclose(base[module + ".weight"] + delta, target, atol=1e-5).item(), module
        moved += not mx.allclose(base[module + ".weight"], target, atol=1e-5).item()
    assert moved  # training changed the weights, so the comparison above is not vacuous
    assert json.loads((ft / "peft/export.json").read_text()) == result


def test_peft_export_removes_a_stage_that_is_no_longer_trained(workspace):
    _export(workspace)
    ft = workspace / "fine-tuning"
    metrics = ft / "adapters/stage2/metrics.json"
    metrics.write_text(json.dumps(json.loads(metrics.read_text()) | {"status": "skipped"}))
    result = _export(workspace)
    assert set(result["stages"]) == {"stage1"}
    assert (ft / "peft/stage1/adapter_config.json").is_file() and not (ft / "peft/stage2").exists()


def test_peft_export_refuses_dora(workspace, tmp_path):
    from tasks.core.errors import SecftError
    from tasks.publish.peft_export import load_mlx_adapter

    adapter = tmp_path / "dora"
    shutil.copytree(workspace / "fine-tuning/adapters/stage1", adapter)
    cfg = json.loads((adapter / "adapter_config.json").read_text())
    (adapter / "adapter_config.json").write_text(json.dumps(cfg | {"fine_tune_type": "dora"}))
    with pytest.raises(SecftError, match="only plain LoRA"):
        load_mlx_adapter(adapter)
