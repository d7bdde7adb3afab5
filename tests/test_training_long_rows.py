"""Over-long rows (fine_tuning.long_rows) are handled once, before batching: truncated or dropped, counted in
metrics.json, and the training log shows progress instead of mlx-lm's per-batch length warning."""

from __future__ import annotations

import json

import pytest

WARNING = "Some sequences are longer than"


@pytest.fixture(scope="module")
def tokenizer(smoke_workspace):
    from mlx_lm.utils import load_tokenizer

    return load_tokenizer(smoke_workspace / "fine-tuning/models/tiny-base")


@pytest.fixture(scope="module")
def rows(smoke_workspace):
    from tasks.training.formats import read_rows

    return read_rows(smoke_workspace / "fine-tuning/training_data/stage1_train.jsonl")[:20]


def test_smoke_run_log_has_no_length_warning_and_counts_the_long_rows(smoke_workspace):
    """The smoke rows are longer than its max_seq_length, so mlx-lm's batcher would have warned for most batches."""
    output = (smoke_workspace / "first_run.log").read_text()
    log = (smoke_workspace / "fine-tuning/logs/stage1.log").read_text()
    assert WARNING not in output and WARNING not in log
    m = json.loads((smoke_workspace / "fine-tuning/adapters/stage1/metrics.json").read_text())
    long_rows = m["long_rows"]
    assert long_rows["policy"] == "truncate" and long_rows["max_seq_length"] == 384
    assert long_rows["train"]["truncated"] > 0
    assert m["rows_dropped_too_long"]["train"] == long_rows["train"]["dropped"]
    assert f"training rows longer than max_seq_length=384: {long_rows['train']['truncated']} truncated" in log
    assert "step 8 train_loss" in log  # the log shows progress


@pytest.mark.parametrize("share", [0.3, 0.8])
def test_truncate_cuts_and_drop_removes_exactly_the_long_rows(tokenizer, rows, share):
    from tasks.training.batches import prepare_rows

    full, full_counts = prepare_rows(rows, tokenizer, True, 10**6)
    assert full_counts == {"dropped": 0, "truncated": 0, "prompt_too_long": 0}
    lengths = [len(t) for t, _ in full]
    # a limit inside the rows' own length range (answers got shorter when catalogue paragraphs went, issue 22)
    max_len = sorted(lengths)[int(share * (len(lengths) - 1))]
    offsets = [o for _, o in full]
    no_room = sum(1 for n, o in zip(lengths, offsets) if o >= min(n, max_len) - 1)
    long = sum(1 for n, o in zip(lengths, offsets) if n > max_len and o < max_len - 1)
    assert long > 0  # the parameters exercise the code

    cut, counts = prepare_rows(rows, tokenizer, True, max_len, "truncate")
    assert counts == {"dropped": no_room, "truncated": long, "prompt_too_long": no_room}
    assert len(cut) == len(rows) - no_room and max(len(t) for t, _ in cut) == max_len

    kept, counts = prepare_rows(rows, tokenizer, True, max_len, "drop")
    assert counts == {"dropped": no_room + long, "truncated": 0, "prompt_too_long": no_room}
    assert len(kept) == len(rows) - no_room - long and all(len(t) <= max_len for t, _ in kept)
    assert sorted(len(t) for t, _ in kept) == sorted(n for n, o in zip(lengths, offsets) if n <= max_len and o < n - 1)


def test_unknown_policy_is_one_line(tokenizer, rows):
    from tasks.core.errors import SecftError
    from tasks.training.batches import prepare_rows

    with pytest.raises(SecftError, match="fine_tuning.long_rows 'cut'"):
        prepare_rows(rows, tokenizer, True, 128, "cut")
