"""Running a model on test rows: greedy answers and the test loss.

Greedy decoding (temperature 0 through mlx-lm's sampler) makes the answers,
and so the metrics, a function of the model and the rows alone: the same
build evaluates to the same report.  ``max_tokens`` bounds each answer so
that an evaluation costs rows x tokens, whatever the model rambles on.
"""

from __future__ import annotations

from pathlib import Path

from tasks.core.settings import FineTuning


def load(model_dir: Path, adapter_dir: Path | None = None):
    """(model, tokenizer) for a model folder, with an mlx-lm adapter on top when given."""
    import mlx_lm

    return mlx_lm.load(str(model_dir), adapter_path=str(adapter_dir) if adapter_dir else None)


def answer(model, tokenizer, row: dict, max_tokens: int) -> str:
    """The model's greedy answer to the row's prompt (system + user messages)."""
    from mlx_lm import generate
    from mlx_lm.sample_utils import make_sampler

    prompt = tokenizer.apply_chat_template(row["messages"][:-1], add_generation_prompt=True)
    return generate(model, tokenizer, prompt=prompt, max_tokens=max_tokens, sampler=make_sampler(temp=0.0))


def by_budget(todo: list[int], rows: list[dict], max_tokens: int, patch_tokens: int | None) -> list[tuple[int, list[int]]]:
    """``todo`` (indices of ``rows``) split by token cap: a row whose answer is a diff to apply
    (``meta.has_diff``) gets ``patch_tokens`` (``evaluation.patch_tokens``), the rest ``max_tokens``.

    Why: the cap that lets a verdict and its CWE through cuts a diff before its
    hunk ends, which would score every model zero on ``patch_applies`` whatever
    it learned; raising the cap for every row would multiply the cost.  Each
    part keeps ``todo``'s order, and the parts are decoded in batches of their own.
    """
    def cap(i: int) -> int:
        meta = rows[i].get("meta") if isinstance(rows[i].get("meta"), dict) else {}
        return patch_tokens if patch_tokens and meta.get("has_diff") else max_tokens

    return [(c, [i for i in todo if cap(i) == c]) for c in sorted({cap(i) for i in todo})]


def answers(model, tokenizer, rows: list[dict], max_tokens: int, batch_size: int = 8, label: str = "",
            on_batch=None) -> list[str]:
    """Greedy answers to many rows, ``batch_size`` prompts at a time (mlx-lm's ``batch_generate``).

    Batching is what makes 50 rows x 3 models fit a few minutes on a CPU:
    the weights are read once per step for the whole batch.  A tqdm bar
    (rows, rate, ETA) goes to stderr.  ``on_batch(start, texts)`` is called
    after every batch, so an interrupted evaluation keeps what it generated.
    """
    from mlx_lm import batch_generate
    from tqdm import tqdm

    prompts = [tokenizer.apply_chat_template(r["messages"][:-1], add_generation_prompt=True) for r in rows]
    out: list[str] = []
    with tqdm(total=len(prompts), desc=f"evaluate {label}".strip(), unit="row", disable=not prompts) as bar:
        for i in range(0, len(prompts), max(1, batch_size)):
            chunk = prompts[i:i + batch_size]
            texts = batch_generate(model, tokenizer, chunk, max_tokens=max_tokens).texts
            if on_batch is not None:
                on_batch(i, texts)
            out += texts
            bar.update(len(chunk))
    return out


def test_loss(model, tokenizer, rows: list[dict], cfg: FineTuning | dict) -> tuple[float | None, int, int]:
    """(mean loss over every answer token of ``rows``, rows it was computed on, answer tokens).

    The same tokenisation and masking as training (``tasks.training``), over
    all batches, so it is the test-split counterpart of the validation loss.
    The token count lets the losses of the two test splits be combined
    exactly (``combined_loss``) instead of running the model over both again.
    """
    cfg = FineTuning.of(cfg)
    from tasks.training.batches import tokenize_rows, validation_batches
    from tasks.training.loop import loss_sums

    dataset, _too_long = tokenize_rows([{"messages": r["messages"]} for r in rows], tokenizer, cfg.mask_prompt, cfg.max_seq_length)
    if not dataset:
        return None, 0, 0
    batches = validation_batches(dataset, min(cfg.batch_size, len(dataset)), -1)
    sums = loss_sums(model, dataset, batches, cfg.max_seq_length)
    if sums is None or not sums[1]:
        return None, 0, 0
    return sums[0] / sums[1], len(dataset), sums[1]


def combined_loss(parts: list[tuple]) -> tuple[float | None, int]:
    """The token-weighted mean of per-split ``test_loss`` results, and their rows."""
    parts = [p for p in parts if p and p[0] is not None and len(p) > 2 and p[2]]
    tokens = sum(p[2] for p in parts)
    if not tokens:
        return None, 0
    return sum(p[0] * p[2] for p in parts) / tokens, sum(p[1] for p in parts)
