"""Stage-2 fix sources over real scanner reports: what each finding kind gets, and how often a diff.

    python bench/fixes_coverage.py [REPORTS_DIR ...]

Parses every report under the given folders (default: tests/fixtures/scanners)
with secft's parsers, runs ``tasks.fixes.fix_for`` on each finding (without
source code: snippets only), and prints Markdown tables for docs/datasets.md:
rows per fix source, dropped reasons, build tools, and the share of code rows
carrying a diff.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tasks.findings.parse import parse_file  # noqa: E402
from tasks.fixes import fix_for  # noqa: E402


def main(dirs: list[Path]) -> None:
    labels, dropped, tools, families = Counter(), Counter(), Counter(), Counter()
    code_rows = code_diffs = findings = 0
    for d in dirs:
        for p in sorted(x for x in d.rglob("*") if x.is_file() and x.suffix in (".json", ".sarif", ".xml")):
            for f in parse_file(p, d, "skip", 100_000_000)["findings"]:
                findings += 1
                answer, label, meta = fix_for(f, f["cwe"])
                if answer is None:
                    dropped[label.split(" for ")[0] if label.startswith("no fix pattern for") else label] += 1
                    continue
                labels[label] += 1
                if meta.get("build_tool"):
                    tools[meta["build_tool"]] += 1
                if f["kind"] == "code":
                    code_rows += 1
                    code_diffs += bool(meta.get("has_diff"))
                    families[(meta.get("fix_family"), meta.get("language"))] += 1
    rows = sum(labels.values())
    print(f"{findings} findings, {rows} stage-2 answers, {sum(dropped.values())} without an acceptable answer\n")
    print("| fix source | rows |\n|---|---:|")
    for k, v in labels.most_common():
        print(f"| {k} | {v} |")
    print("\n| dropped because | findings |\n|---|---:|")
    for k, v in dropped.most_common():
        print(f"| {k} | {v} |")
    print("\n| build tool | rows |\n|---|---:|")
    for k, v in tools.most_common():
        print(f"| {k} | {v} |")
    share = f"{100 * code_diffs / code_rows:.0f}%" if code_rows else "n/a"
    print(f"\nCode rows with a diff (snippets only, no repository): {code_diffs} of {code_rows} ({share}).")
    print("\n| (family, language) of code rows | rows |\n|---|---:|")
    for (fam, lang), v in families.most_common(15):
        print(f"| {fam}, {lang} | {v} |")


if __name__ == "__main__":
    main([Path(a) for a in sys.argv[1:]] or [ROOT / "tests" / "fixtures" / "scanners"])
