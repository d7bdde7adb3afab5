"""Tokenisation and a batch order that depends only on (seed, step).

mlx-lm's ``iterate_batches`` shuffles with NumPy's global random state, so
a resumed run cannot see the batches the interrupted one would have seen,
and anything else that used NumPy's RNG earlier in the process changes the
order.  Here the order of epoch ``e`` is a permutation drawn from its own
generator seeded with ``(seed, e)``: step ``k``'s batch is a pure function
of the data, the seed and ``k``.  Padding is mlx-lm's; over-long rows are
truncated or dropped once, before batching (``prepare_rows``).
"""

from __future__ import annotations

from tasks.training.formats import dataset_for, row_format

PAD_TO = 32


LONG_ROWS = ("truncate", "drop")


def prepare_rows(rows: list[dict], tokenizer, mask_prompt: bool, max_seq_length: int,
                 long_rows: str = "truncate") -> tuple[list, dict]:
    """Tokenise rows into (tokens, prompt_offset) pairs, handling over-long rows *before* batching.

    mlx-lm's batcher truncates silently and prints a warning for every batch
    that holds a row longer than ``max_seq_length``; here each row is dealt
    with once, by ``fine_tuning.long_rows``: ``truncate`` cuts its tokens to
    ``max_seq_length`` (the end of the answer is lost), ``drop`` leaves it out.
    A row whose prompt alone fills ``max_seq_length`` would keep no answer
    tokens at all (a 0/0 loss) and is left out either way.  Returns the
    items and the counts ``{"dropped", "truncated", "prompt_too_long"}``.
    """
    if long_rows not in LONG_ROWS:
        from tasks.core.errors import SecftError

        raise SecftError(f"fine_tuning.long_rows {long_rows!r}: expected one of {', '.join(LONG_ROWS)}")
    items, counts = [], {"dropped": 0, "truncated": 0, "prompt_too_long": 0}
    groups: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(row_format(row) or "chat", []).append(i)
    processed: dict[int, tuple] = {}
    for indices in groups.values():
        ds = dataset_for([rows[i] for i in indices], tokenizer, mask_prompt)
        for j, i in enumerate(indices):
            processed[i] = ds.process(ds[j])
    for i in range(len(rows)):
        tokens, offset = processed[i]
        if offset >= min(len(tokens), max_seq_length) - 1:
            counts["prompt_too_long"] += 1
            counts["dropped"] += 1
            continue
        if len(tokens) > max_seq_length:
            if long_rows == "drop":
                counts["dropped"] += 1
                continue
            counts["truncated"] += 1
            tokens = tokens[:max_seq_length]
        items.append((list(tokens), offset))
    return items, counts


def tokenize_rows(rows: list[dict], tokenizer, mask_prompt: bool, max_seq_length: int,
                  long_rows: str = "truncate") -> tuple[list, int]:
    """``prepare_rows`` for callers that only need the number of rows left out."""
    items, counts = prepare_rows(rows, tokenizer, mask_prompt, max_seq_length, long_rows)
    return items, counts["dropped"]


def batch_index(dataset: list, batch_size: int) -> list[list[int]]:
    """Row indices of each batch: rows sorted by length (less padding), as mlx-lm does."""
    order = sorted(range(len(dataset)), key=lambda i: (len(dataset[i][0]), i))
    return [order[i : i + batch_size] for i in range(0, len(order) - batch_size + 1, batch_size)]


def epoch_order(n_batches: int, seed: int, epoch: int) -> list[int]:
    import numpy as np

    return [int(i) for i in np.random.default_rng([seed & 0xFFFFFFFF, epoch]).permutation(n_batches)]


def batch_for_step(batches: list[list[int]], seed: int, step: int) -> list[int]:
    """The rows of the batch trained at ``step`` (1-based)."""
    epoch, within = divmod(step - 1, len(batches))
    return batches[epoch_order(len(batches), seed, epoch)[within]]


def collate(dataset: list, indices: list[int], max_seq_length: int):
    """(tokens, lengths) arrays for one batch, padded and truncated exactly like mlx-lm."""
    import mlx.core as mx
    import numpy as np

    items = [dataset[i] for i in indices]
    lengths = [len(tokens) for tokens, _ in items]
    width = min(1 + PAD_TO * ((max(lengths) + PAD_TO - 1) // PAD_TO), max_seq_length)
    arr = np.zeros((len(items), width), np.int32)
    spans = []
    for j, (tokens, offset) in enumerate(items):
        n = min(len(tokens), max_seq_length)
        arr[j, :n] = tokens[:n]
        spans.append((offset, n))
    return mx.array(arr), mx.array(spans)


def validation_batches(dataset: list, batch_size: int, num_batches: int) -> list[list[int]]:
    """A fixed set of validation batches: 'before' and 'after' losses measure the same rows."""
    batches = batch_index(dataset, batch_size)
    order = epoch_order(len(batches), 0, 0) if batches else []
    chosen = order if num_batches == -1 else order[:num_batches]
    return [batches[i] for i in chosen]
