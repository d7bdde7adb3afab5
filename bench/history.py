"""Cost of reading source and mining fixes from git history, on a synthetic repository.

    python bench/history.py [--files 100] [--runs 10]

Builds a repository of ``--files`` Python files, each with one ``yaml.load``
call, and ``--runs`` later commits each fixing an equal share of them; every
commit is one CI run (runs index as ``data/findings/runs.jsonl`` has it).
Times ``SourceReader.context`` for every finding at the first commit and
``mine_fixes`` over all runs (a fresh reader each, so nothing is cached from
before), and checks every fix was mined.  Prints a Markdown table for
docs/datasets.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tasks.fixes.mined import mine_fixes  # noqa: E402
from tasks.repository.source import SourceReader  # noqa: E402

BODY = "import yaml\n\n\n" + "".join(f"def helper_{i}():\n    return {i}\n\n\n" for i in range(20))


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.invalid",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.invalid"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout.strip()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--files", type=int, default=100)
    p.add_argument("--runs", type=int, default=10)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        git(repo, "init", "-q", "-b", "main")
        line = BODY.count("\n") + 2  # the yaml.load line
        for n in range(args.files):
            (repo / f"mod_{n}.py").write_text(BODY + f"def load_{n}(text):\n    return yaml.load(text)\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "vulnerable")
        findings = [{"id": f"{n:032x}", "tool": "bandit", "rule_id": "B506", "kind": "code",
                     "location": {"path": f"mod_{n}.py", "start_line": line, "end_line": line}}
                    for n in range(args.files)]
        open_ids = {f["id"] for f in findings}
        runs = [{"run": "0", "commit": git(repo, "rev-parse", "HEAD"), "created_at": "2026-01-01T00:00:00Z",
                 "tools": ["bandit"], "finding_ids": sorted(open_ids)}]
        share = -(-args.files // args.runs)
        for r in range(1, args.runs + 1):
            for n in range((r - 1) * share, min(r * share, args.files)):
                path = repo / f"mod_{n}.py"
                path.write_text(path.read_text().replace("yaml.load(text)", "yaml.safe_load(text)"))
                open_ids.discard(f"{n:032x}")
            git(repo, "commit", "-q", "-am", f"fix {r}")
            runs.append({"run": str(r), "commit": git(repo, "rev-parse", "HEAD"),
                         "created_at": f"2026-01-{r + 1:02d}T00:00:00Z", "tools": ["bandit"],
                         "finding_ids": sorted(open_ids)})

        reader = SourceReader(repo)
        t0 = time.perf_counter()
        got = [reader.context(f["location"]["path"], runs[0]["commit"], line, 5) for f in findings]
        t_context = time.perf_counter() - t0
        assert all(g and "yaml.load" in g["text"] for g in got)

        t0 = time.perf_counter()
        mined = mine_fixes(findings, runs, SourceReader(repo), 5)
        t_mine = time.perf_counter() - t0
        assert len(mined) == args.files, len(mined)
        assert all("+    return yaml.safe_load(text)" in m["diff"] for m in mined)

        no_dates = [dict(r, created_at=None) for r in reversed(runs)]
        t0 = time.perf_counter()
        assert len(mine_fixes(findings, no_dates, SourceReader(repo), 5)) == args.files
        t_ancestry = time.perf_counter() - t0

    print(f"| {args.files} findings, {args.files} files, {args.runs + 1} runs | "
          f"context: {t_context:.2f} s ({1000 * t_context / args.files:.1f} ms/finding) | "
          f"mine_fixes: {t_mine:.2f} s ({len(mined)} mined) | without created_at: {t_ancestry:.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
