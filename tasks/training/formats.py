"""The training-data formats mlx-lm accepts, detected per file.

mlx-lm's own loader picks a format from the first row only and fails later
(or silently trains on the wrong key) when a file mixes them.  Here every
row of a file must have the file's format, and anything else is one line
naming the file, the line and what was expected.
"""

from __future__ import annotations

from pathlib import Path

from tasks.core.errors import SecftError
from tasks.core.textio import jsonl_lines, read_utf8

FORMATS = {
    "chat": "an object with a 'messages' list of {'role', 'content'}",
    "completions": "an object with 'prompt' and 'completion' strings",
    "text": "an object with a 'text' string",
}
EXPECTED = "one of: " + "; ".join(f"{name} ({what})" for name, what in FORMATS.items())


def row_format(row: object) -> str | None:
    """The format of one row, or None when it is none of mlx-lm's three."""
    if not isinstance(row, dict):
        return None
    messages = row.get("messages")
    if isinstance(messages, list) and messages and all(
        isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str) for m in messages
    ):
        return "chat"
    if isinstance(row.get("prompt"), str) and isinstance(row.get("completion"), str):
        return "completions"
    if isinstance(row.get("text"), str) and row["text"]:
        return "text"
    return None


def _strip(row: dict, fmt: str) -> dict:
    """Only the keys training reads: metadata (``meta``) must not change the fingerprint of the data."""
    if fmt == "chat":
        return {"messages": [{"role": m["role"], "content": m["content"]} for m in row["messages"]]}
    if fmt == "completions":
        return {"prompt": row["prompt"], "completion": row["completion"]}
    return {"text": row["text"]}


def read_rows(path: Path) -> list[dict]:
    """Rows of a JSONL file in one of mlx-lm's formats (every row the same format)."""
    return read_rows_with_format(path)[0]


def read_rows_with_format(path: Path) -> tuple[list[dict], str | None]:
    path = Path(path)
    rows: list[dict] = []
    file_format = None
    for n, row in jsonl_lines(path, read_utf8(path, "dataset")):
        fmt = row_format(row)
        if fmt is None:
            raise SecftError(f"{path}: line {n}: not an mlx-lm training row; expected {EXPECTED}")
        if file_format is None:
            file_format = fmt
        elif fmt != file_format:
            raise SecftError(f"{path}: line {n}: {fmt} row in a {file_format} file; every row of a file must have the same format")
        rows.append(_strip(row, fmt))
    return rows, file_format


def dataset_for(rows: list[dict], tokenizer, mask_prompt: bool):
    """mlx-lm's dataset class for these rows (all of one format)."""
    from mlx_lm.tuner.datasets import ChatDataset, CompletionsDataset, TextDataset

    fmt = row_format(rows[0]) if rows else "chat"
    if fmt == "completions":
        return CompletionsDataset(rows, tokenizer, "prompt", "completion", mask_prompt)
    if fmt == "text":
        return TextDataset(rows, tokenizer)  # no prompt to mask
    return ChatDataset(rows, tokenizer, mask_prompt=mask_prompt)
