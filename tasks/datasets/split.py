"""Train / valid / test by group, stable as data is added.

A row's split is a function of its group key alone (sha256 -> 0..99), so
adding findings never moves a group between splits, every row of a group is
in the same split (no validation or test row has a sibling in train), and a
finding's stage-1 and stage-2 rows share a split (the keys are the same).
"""

from __future__ import annotations

from tasks.core.hashing import sha256_text

SPLITS = ("train", "valid", "test")


def bucket(group: str) -> int:
    return int(sha256_text(group)[:8], 16) % 100


def split_of(group: str, valid_percent: int, test_percent: int) -> str:
    b = bucket(group)
    if b < test_percent:
        return "test"
    if b < test_percent + valid_percent:
        return "valid"
    return "train"
