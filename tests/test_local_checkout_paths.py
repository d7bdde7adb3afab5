"""A report made on this machine against the checkout's absolute path: every later phase sees repo-relative paths."""

from __future__ import annotations

import json
import os

from tasks.findings import paths
from tasks.findings.merge import merge


def _finding(path: str, text: str) -> dict:
    return {"id": "a" * 16, "tool": "bandit", "rule_id": "B311", "kind": "code", "severity": "low", "title": "t",
            "description": text, "location": {"path": path, "start_line": 3}, "suppressed": False,
            "instances": [{"path": path}], "secret_hash": "b" * 16, "package": None}


def test_local_root_stripped_as_whole_component_only(tmp_path):
    repo = tmp_path / "app"
    repo.mkdir()
    roots = paths.local_roots(str(repo))
    f = paths.rebase_local(_finding(f"{repo}/pkg/mod.py", f"see {repo}/pkg/mod.py:3 and {repo}2/other.py, file://{repo}/x.py"), roots)
    assert f["location"]["path"] == "pkg/mod.py"
    assert f["instances"] == [{"path": "pkg/mod.py"}]
    assert f["description"] == f"see pkg/mod.py:3 and {repo}2/other.py, x.py"   # a sibling folder is not the checkout
    assert f["id"] == "a" * 16 and f["secret_hash"] == "b" * 16


def test_symlinked_checkout_and_unset_or_root(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    os.symlink(real, link)
    roots = paths.local_roots(str(link))
    assert paths.rebase_local(_finding(f"{real}/a.py", ""), roots)["location"]["path"] == "a.py"
    assert paths.rebase_local(_finding(f"{link}/a.py", ""), roots)["location"]["path"] == "a.py"
    assert paths.local_roots(None) == () and paths.local_roots("") == () and paths.local_roots("/") == ()
    untouched = _finding("/usr/lib/python3/site.py", "/usr/lib/python3/site.py")
    assert paths.rebase_local(dict(untouched), paths.local_roots(str(real))) == untouched


def test_merge_writes_relative_paths_when_repo_path_is_set(tmp_path):
    repo = tmp_path / "checkout"
    repo.mkdir()
    record = {"artifact": "run1/bandit.json", "status": "ok", "tools": ["bandit"], "raw_count": 1,
              "findings": [_finding(f"{repo}/wger/tasks.py", f"{repo}/wger/tasks.py:101 uses random")]}
    per = tmp_path / "by_run.json"
    per.write_text(json.dumps({"records": [record]}))
    out, summary = tmp_path / "findings.jsonl", tmp_path / "summary.json"
    merge([per], out, summary, None, str(repo))
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert written[0]["location"]["path"] == "wger/tasks.py"
    assert str(repo) not in out.read_text()
