"""The tiny OLMo-2-architecture model used by tests and the smoke profile.

Built entirely offline: a byte-level BPE tokenizer trained with the
``tokenizers`` library on the bundled corpus, and randomly initialised
weights of mlx-lm's own ``olmo2`` model class saved as safetensors.  The
result is an ordinary model folder that ``mlx_lm.load`` opens exactly like
the real OLMo-2 1B Instruct, so every later step runs the same code path.
"""

from __future__ import annotations

import json
from pathlib import Path

from tasks.core import atomic
from tasks.core.settings import TinyModel

# OLMo-2 Instruct's chat format (the same special tokens and layout)
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ '<|system|>\n' + message['content'] + '\n' }}"
    "{% elif message['role'] == 'user' %}{{ '<|user|>\n' + message['content'] + '\n' }}"
    "{% elif message['role'] == 'assistant' %}"
    "{% if not loop.last %}{{ '<|assistant|>\n' + message['content'] + eos_token + '\n' }}"
    "{% else %}{{ '<|assistant|>\n' + message['content'] + eos_token }}{% endif %}"
    "{% endif %}"
    "{% if loop.last and add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}"
    "{% endfor %}"
)
SPECIAL_TOKENS = ["<|endoftext|>", "<|pad|>", "<|system|>", "<|user|>", "<|assistant|>"]


def train_tokenizer(corpus: Path, vocab_size: int):
    from tokenizers import (
        Tokenizer,
        decoders,
        models,
        pre_tokenizers,
        processors,
        trainers,
    )

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train([str(corpus)], trainer)
    return tok


def build(corpus: Path, out_dir: Path, cfg: TinyModel | dict) -> dict:
    """Write a loadable model folder to ``out_dir`` (atomically); returns its config."""
    cfg = TinyModel.of(cfg)
    import mlx.core as mx
    from mlx.utils import tree_flatten
    from mlx_lm.models import olmo2

    if not corpus.is_file():
        from tasks.core.errors import SecftError

        raise SecftError(f"{corpus}: tokenizer corpus not found")
    tok = train_tokenizer(corpus, cfg.vocab_size)
    eos = tok.token_to_id("<|endoftext|>")
    pad = tok.token_to_id("<|pad|>")
    config = {
        "architectures": ["Olmo2ForCausalLM"],
        "model_type": "olmo2",
        "vocab_size": tok.get_vocab_size(),
        "hidden_size": cfg.hidden_size,
        "intermediate_size": cfg.intermediate_size,
        "num_hidden_layers": cfg.num_hidden_layers,
        "num_attention_heads": cfg.num_attention_heads,
        "num_key_value_heads": cfg.num_attention_heads,
        "rms_norm_eps": 1e-6,
        "max_position_embeddings": 4096,
        "rope_theta": 500000.0,
        "attention_bias": False,
        "tie_word_embeddings": False,
        "bos_token_id": eos,
        "eos_token_id": eos,
        "pad_token_id": pad,
        "torch_dtype": "float32",
    }
    mx.random.seed(cfg.seed)
    model = olmo2.Model(olmo2.ModelArgs.from_dict(config))
    mx.eval(model.parameters())
    weights = dict(tree_flatten(model.parameters()))
    tokenizer_config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": "<|endoftext|>",
        "eos_token": "<|endoftext|>",
        "pad_token": "<|pad|>",
        "unk_token": None,
        "model_max_length": 4096,
        "clean_up_tokenization_spaces": False,
        "chat_template": CHAT_TEMPLATE,
    }
    with atomic.directory(out_dir) as tmp:
        mx.save_safetensors(str(tmp / "model.safetensors"), weights, metadata={"format": "mlx"})
        (tmp / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
        tok.save(str(tmp / "tokenizer.json"))
        (tmp / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2) + "\n")
        (tmp / "special_tokens_map.json").write_text(
            json.dumps({"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "pad_token": "<|pad|>"}, indent=2) + "\n"
        )
        (tmp / "README.md").write_text(
            "# secft tiny OLMo-2 test model\n\nRandom weights, OLMo-2 architecture, BPE tokenizer trained on "
            "data/corpus. For tests and the offline smoke profile only; it knows nothing.\n"
        )
    return config
