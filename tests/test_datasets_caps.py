"""Near-duplicate hygiene: rows per group, a rule's share, near-copies dropped, the share measured."""

from __future__ import annotations

from pathlib import Path

from datasets_rows import finding, narrative, row, run_build
from test_datasets_split import corpus, words

from tasks.core.config import load_config
from tasks.datasets import grouping

CFG = load_config(Path(__file__).resolve().parent.parent / "config/pipeline.yaml", environ={})["datasets"]


def distinct_rows(rule: str, n: int, family: str | None = None) -> list[dict]:
    out = []
    for i in range(n):
        f = finding(f"{rule}-{family}-{i}", rule_id=rule)
        out.append(row(f, f"CWE-89 in app/db.py. {words(f['id'])}", fix_family=family or f"family{i}"))
    return out


def test_group_cap_keeps_the_first_rows_of_each_group_by_finding_id():
    rows = distinct_rows("rule.a", 7, family="same") + distinct_rows("rule.b", 2, family="same")
    kept, dropped = grouping.cap_groups(rows, 3)
    assert dropped == 4 and len(kept) == 5
    a = sorted(r["meta"]["finding_id"] for r in rows if r["meta"]["rule_id"] == "rule.a")[:3]
    assert sorted(r["meta"]["finding_id"] for r in kept if r["meta"]["rule_id"] == "rule.a") == a


def test_rule_share_cap_bounds_any_rule_across_its_groups():
    rows = distinct_rows("rule.big", 12) + [r for i in range(8) for r in distinct_rows(f"rule.{i}", 1)]
    kept, dropped = grouping.cap_rule_share(rows, 0.25, 2)
    assert sum(1 for r in kept if r["meta"]["rule_id"] == "rule.big") == 5  # floor(0.25 * 20)
    assert dropped == 7 and len(kept) == 13
    few, _ = grouping.cap_rule_share(rows[:3], 0.1, 2)
    assert len(few) == 2  # a small dataset still keeps max_rows_per_group rows of a rule


def test_near_copies_are_dropped_and_the_share_is_measured():
    f1, f2, f3 = finding("n1"), finding("n2", rule_id="other.rule"), finding("n3", rule_id="third.rule")
    base = "CWE-89 in app/db.py. " + words("shared", 30)
    rows = [row(f1, base), row(f2, base.replace("app/db.py", "app/dba.py")), row(f3, "CWE-89 in app/db.py. " + words("own", 30))]
    assert grouping.near_duplicate_rows(rows, 90) == [0, 1]
    assert grouping.near_duplicate_share(rows, 90) == round(2 / 3, 4)
    kept, dropped = grouping.drop_near_duplicates(rows, 90)
    assert dropped == 1 and grouping.near_duplicate_share(kept, 90) == 0.0


def test_build_applies_the_caps_and_reports_the_share_before_and_after(tmp_path):
    findings, narratives = corpus(4, 6)  # 4 rules x 6 distinct findings
    template = [finding(f"t{i}", rule_id="md5", location={"path": f"tools/p{i}.py", "start_line": 5, "end_line": 5}) for i in range(20)]
    findings += template
    narratives += [narrative(f, f"## What the weakness is\nCWE-327 MD5 in {f['location']['path']}. " + words("md5 paragraph", 40)) for f in template]
    info = run_build(tmp_path, findings, narratives, CFG | {"max_rows_per_group": 4, "max_rule_share": 0.5})
    s1 = info["hygiene"]["stage1"]
    assert s1["candidates"] == 44 and s1["dropped"]["max_rows_per_group"] == 2 * 4 + 16
    assert s1["near_duplicate_share_before"] == round(20 / 44, 4) and s1["dropped"]["near_duplicate"] == 3  # 4 md5 rows left, 1 kept
    assert s1["rows"] == 17 and info["lint"]["near_duplicate_share"]["stage1"]["share"] == 0.0
    assert sum(info["counts"]["stage1"][s] for s in ("train", "valid", "test")) == 17
