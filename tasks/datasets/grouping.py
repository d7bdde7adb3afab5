"""Near-duplicates: group rows, cap groups and rules, drop near-copies, measure what is left.

A review of the first datasets found 92% of answers with a >= 90%-similar
answer elsewhere (the same MD5 paragraph for 33 findings of one rule), and
most validation rows with a near-copy in train, so validation loss measured
memorised templates.  Three steps, in a stable order so that the same input
always keeps the same rows:

1. group rows by what makes their answers alike - the rule or advisory, the
   package, the fix family - and keep at most ``datasets.max_rows_per_group``
   rows per group (rows with a real diff first);
2. keep any single rule at or below ``datasets.max_rule_share`` of a stage's rows;
3. drop a row whose answer is ``datasets.near_duplicate_threshold`` % similar
   (rapidfuzz ``fuzz.ratio``) to an answer already kept.

The split (tasks.datasets.split) is by group, so a group's rows are all in
one split.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict

from rapidfuzz import fuzz

from tasks.findings.model import Finding, as_finding


def group_key(f: Finding | dict, fix_family: str | None) -> str:
    """(rule or advisory, package, fix family) as one string."""
    f = as_finding(f)
    family = fix_family or "-"
    if f.package:
        advisory = sorted((f.cve or []) + (f.ghsa or [])) or [str(f.rule_id)]
        return f"advisory:{advisory[0]}|package:{str(f.package.name or '').lower()}|fix:{family}"
    return f"rule:{f.tool}:{f.rule_id}|fix:{family}"


def answer(row: dict) -> str:
    return row["messages"][-1]["content"]


def rank(row: dict) -> tuple:
    """The order rows are kept in: a team's own fix first, then a real diff, then by finding id."""
    meta = row["meta"]
    return (0 if meta.get("fix_source") == "git-history" else 1, 0 if meta.get("has_diff") else 1, meta["finding_id"])


def cap_groups(rows: list[dict], max_per_group: int) -> tuple[list[dict], int]:
    by_group: dict[str, list[dict]] = defaultdict(list)
    for row in sorted(rows, key=rank):
        by_group[row["meta"]["group"]].append(row)
    kept = [r for g in sorted(by_group) for r in by_group[g][:max_per_group]]
    return kept, len(rows) - len(kept)


def cap_rule_share(rows: list[dict], max_share: float, floor: int) -> tuple[list[dict], int]:
    """No rule above ``max_share`` of the rows (but at least ``floor`` rows of any rule may stay)."""
    allowed = max(floor, math.floor(max_share * len(rows)))
    seen: Counter = Counter()
    kept = []
    for row in sorted(rows, key=rank):
        rule = (row["meta"]["tool"], row["meta"]["rule_id"])
        seen[rule] += 1
        if seen[rule] <= allowed:
            kept.append(row)
    return kept, len(rows) - len(kept)


class _ByLength:
    """Answers kept so far, searchable by length: ratio >= t needs lengths within a factor."""

    def __init__(self):
        self.lengths: list[int] = []
        self.texts: list[str] = []
        self.keys: list = []

    def near(self, text: str, threshold: float):
        """The key of a stored text at least ``threshold`` similar to ``text``, else None."""
        n = len(text)
        factor = threshold / (200.0 - threshold)  # 2m/(a+b) >= t/100 with m <= min(a, b)
        lo = bisect.bisect_left(self.lengths, math.floor(n * factor))
        hi = bisect.bisect_right(self.lengths, math.ceil(n / factor) if factor else n)
        for i in range(lo, hi):
            if fuzz.ratio(text, self.texts[i], score_cutoff=threshold):
                return self.keys[i]
        return None

    def add(self, text: str, key=True) -> None:
        i = bisect.bisect_right(self.lengths, len(text))
        self.lengths.insert(i, len(text))
        self.texts.insert(i, text)
        self.keys.insert(i, key)


def drop_near_duplicates(rows: list[dict], threshold: float) -> tuple[list[dict], int]:
    kept, index = [], _ByLength()
    for row in sorted(rows, key=rank):
        text = answer(row)
        if index.near(text, threshold) is None:
            index.add(text)
            kept.append(row)
    return kept, len(rows) - len(kept)


def near_duplicate_rows(rows: list[dict], threshold: float, exact_up_to: int = 2000) -> list[int]:
    """Indexes of rows whose answer has a >= threshold similar answer in another row.

    Every pair is compared (within the length window) up to ``exact_up_to``
    rows.  Above that - the candidates of a large build, before the caps - each
    answer is compared with the first answer of every near-duplicate cluster
    so far, which finds the template copies the measure is for at a fraction
    of the cost (a row similar only to a non-first member is missed).
    """
    texts = [answer(r) for r in rows]
    if len(rows) > exact_up_to:
        return _near_duplicates_by_cluster(texts, threshold)
    order = sorted(range(len(rows)), key=lambda i: len(texts[i]))
    lengths = [len(texts[i]) for i in order]
    factor = threshold / (200.0 - threshold)
    hits = set()
    for a in range(len(order)):
        hi = bisect.bisect_right(lengths, math.ceil(lengths[a] / factor) if factor else lengths[a])
        for b in range(a + 1, hi):
            if fuzz.ratio(texts[order[a]], texts[order[b]], score_cutoff=threshold):
                hits.update((order[a], order[b]))
    return sorted(hits)


def _near_duplicates_by_cluster(texts: list[str], threshold: float) -> list[int]:
    index, hits = _ByLength(), set()
    for i in sorted(range(len(texts)), key=lambda i: texts[i]):
        first = index.near(texts[i], threshold)
        if first is None:
            index.add(texts[i], i)
        else:
            hits.update((i, first))
    return sorted(hits)


SHARE_SAMPLE = 4000


def near_duplicate_share(rows: list[dict], threshold: float, sample: int = SHARE_SAMPLE) -> float:
    """The share of rows with a near-duplicate; above ``sample`` rows, measured on every k-th row by finding id (an
    estimate: saleor's 47,000 candidates, held-out set 48, took the cluster pass tens of minutes, since each unique
    answer is compared with every cluster's first)."""
    if len(rows) > sample:
        ordered = sorted(rows, key=lambda r: r["meta"]["finding_id"])
        rows = ordered[::-(-len(ordered) // sample)]
    return round(len(near_duplicate_rows(rows, threshold)) / len(rows), 4) if rows else 0.0
