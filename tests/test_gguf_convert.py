"""GGUF -> HF conversion (tasks/training/gguf_convert.py) on a small GGUF of SmolLM2's layout.

The GGUF is written here with the ``gguf`` package the way llama.cpp's
converter writes one: Q4_1 blocks (embeddings Q8_0), tied output, the Q and
K projections permuted for llama.cpp's rotary layout, the tokenizer as
metadata.  The converted folder, loaded by ``mlx_lm.load``, must give the
logits that mlx-lm's own llama model computes from the un-permuted weights.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

gguf = pytest.importorskip("gguf")

from tasks.core.errors import SecftError  # noqa: E402
from tasks.training import gguf_convert  # noqa: E402

HIDDEN, HEADS, KV_HEADS, LAYERS, FFN = 64, 4, 2, 2, 96
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
TEMPLATE = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"


def _vocab():
    from tokenizers import pre_tokenizers

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    merges = ["h e", "l l", "he ll", "Ġ w", "o r"]
    tokens = SPECIALS + alphabet + [m.replace(" ", "") for m in merges]
    return tokens, merges


def _weights(rng, config):
    head_dim = HIDDEN // HEADS
    shapes = {"model.embed_tokens.weight": (config["vocab_size"], HIDDEN), "model.norm.weight": (HIDDEN,)}
    for i in range(LAYERS):
        p = f"model.layers.{i}."
        shapes.update({
            p + "input_layernorm.weight": (HIDDEN,), p + "post_attention_layernorm.weight": (HIDDEN,),
            p + "self_attn.q_proj.weight": (HEADS * head_dim, HIDDEN), p + "self_attn.k_proj.weight": (KV_HEADS * head_dim, HIDDEN),
            p + "self_attn.v_proj.weight": (KV_HEADS * head_dim, HIDDEN), p + "self_attn.o_proj.weight": (HIDDEN, HEADS * head_dim),
            p + "mlp.gate_proj.weight": (FFN, HIDDEN), p + "mlp.up_proj.weight": (FFN, HIDDEN), p + "mlp.down_proj.weight": (HIDDEN, FFN),
        })
    return {k: (1.0 + 0.1 * rng.standard_normal(s) if len(s) == 1 else 0.2 * rng.standard_normal(s)).astype(np.float32)
            for k, s in shapes.items()}


def write_gguf(path, weights, tokens, merges):
    """A GGUF as llama.cpp writes it; returns the weights as the GGUF holds them (quantised, then decoded)."""
    from gguf.quants import dequantize, quantize

    Q = gguf.GGMLQuantizationType
    back = {v: k for k, v in gguf_convert._TOP.items()}
    for i in range(LAYERS):
        for short, long in gguf_convert._LAYER.items():
            back[f"model.layers.{i}.{long}.weight"] = f"blk.{i}.{short}.weight"
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_block_count(LAYERS)
    w.add_context_length(256)
    w.add_embedding_length(HIDDEN)
    w.add_feed_forward_length(FFN)
    w.add_head_count(HEADS)
    w.add_head_count_kv(KV_HEADS)
    w.add_rope_freq_base(100000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(HIDDEN // HEADS)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("smollm")
    w.add_token_list(tokens)
    w.add_token_types([3 if t in SPECIALS else 1 for t in tokens])
    w.add_token_merges(merges)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_pad_token_id(2)
    w.add_unk_token_id(0)
    w.add_chat_template(TEMPLATE)
    decoded = {}
    for name, arr in weights.items():
        gname = back[name]
        data = arr
        if gname.endswith("attn_q.weight"):
            data = gguf_convert.permute(arr, HEADS)
        elif gname.endswith("attn_k.weight"):
            data = gguf_convert.permute(arr, KV_HEADS)
        qtype = Q.F32 if arr.ndim == 1 else Q.Q8_0 if gname == "token_embd.weight" else Q.Q4_1
        if qtype == Q.F32:
            w.add_tensor(gname, data)
            decoded[name] = arr
        else:
            q = quantize(data, qtype)
            w.add_tensor(gname, q, raw_dtype=qtype)
            # what the file holds, back in HF order (the permutation moves whole rows, quantisation works within rows)
            plain = dequantize(quantize(arr, qtype), qtype)
            decoded[name] = plain.astype(np.float32)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return decoded


def _logits(model, ids):
    import mlx.core as mx

    return np.array(model(mx.array([ids]))[0].astype(mx.float32))


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gguf")
    tokens, merges = _vocab()
    rng = np.random.default_rng(0)
    config = {"vocab_size": len(tokens)}
    weights = _weights(rng, config)
    decoded = write_gguf(tmp / "small.gguf", weights, tokens, merges)
    out = tmp / "hf"
    gguf_convert.convert(tmp / "small.gguf", out)
    return out, decoded, tokens


def test_converted_model_reproduces_reference_logits(converted):
    import mlx.core as mx
    import mlx_lm
    from mlx_lm.models import llama

    out, decoded, tokens = converted
    config = json.loads((out / "config.json").read_text())
    assert config["tie_word_embeddings"] is True and config["num_key_value_heads"] == KV_HEADS
    reference = llama.Model(llama.ModelArgs.from_dict(config))
    reference.load_weights([(k, mx.array(v)) for k, v in decoded.items()])
    model, tokenizer = mlx_lm.load(str(out))
    ids = tokenizer.encode("hello world 42")
    expected = _logits(reference, ids)
    got = _logits(model, ids)
    assert np.abs(got - expected).max() < 1e-4

    # the check can fail: the same weights left in llama.cpp's permuted order give other logits
    permuted = dict(decoded)
    for i in range(LAYERS):
        q, k = f"model.layers.{i}.self_attn.q_proj.weight", f"model.layers.{i}.self_attn.k_proj.weight"
        permuted[q], permuted[k] = gguf_convert.permute(decoded[q], HEADS), gguf_convert.permute(decoded[k], KV_HEADS)
    wrong = llama.Model(llama.ModelArgs.from_dict(config))
    wrong.load_weights([(k, mx.array(v)) for k, v in permuted.items()])
    assert np.abs(_logits(wrong, ids) - expected).max() > 1e-2


def test_unpermute_inverts_permute():
    w = np.arange(8 * 16 * 3, dtype=np.float32).reshape(8 * 16, 3)
    assert not np.array_equal(gguf_convert.permute(w, 8), w)
    assert np.array_equal(gguf_convert.unpermute(gguf_convert.permute(w, 8), 8), w)


def test_tokenizer_from_metadata(converted):
    from transformers import AutoTokenizer

    out, _, tokens = converted
    tok = AutoTokenizer.from_pretrained(str(out))
    ids = tok.encode("hello world 42", add_special_tokens=False)
    # merges applied (hell, Ġw), digits one by one, and decoding gives the text back
    assert [tokens[i] for i in ids] == ["hell", "o", "Ġw", "or", "l", "d", "Ġ", "4", "2"]
    assert tok.decode(ids) == "hello world 42"
    assert tok.encode("<|im_start|>", add_special_tokens=False) == [1]
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|im_end|>"
    chat = tok.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False)
    assert chat == "<|im_start|>user\nhi<|im_end|>\n"


def test_not_a_gguf_is_one_line(tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 12)
    with pytest.raises(SecftError) as err:
        gguf_convert.convert(bad, tmp_path / "out")
    assert str(err.value).startswith(f"{bad}: ") and "\n" not in str(err.value)
    assert not (tmp_path / "out").exists()


def test_names():
    assert gguf_convert.hf_name("blk.12.attn_k.weight") == "model.layers.12.self_attn.k_proj.weight"
    assert gguf_convert.hf_name("token_embd.weight") == "model.embed_tokens.weight"
    assert gguf_convert.hf_name("rope_freqs.weight") is None
    assert gguf_convert.hf_name("blk.x.attn_k.weight") is None
