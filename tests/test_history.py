"""Fixes mined from git history, end to end with a real scanner (Bandit) on a real repository.

A repository with vulnerable Python is scanned at commit A, the team's fix is
committed, the code is scanned again at commit B; the two reports are laid
out as two CI runs with run.json, parsed and merged with the project's own
parser, and the mined record must hold exactly the real ``git diff A B``
hunk of each fixed finding, the code at A, and nothing for the finding left
unfixed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from unidiff import PatchSet

from tasks.core import atomic
from tasks.findings.merge import merge
from tasks.findings.parse import parse_artifact
from tasks.fixes.mined import mine_fixes, order_runs, runs_from_records
from tasks.repository.source import SourceReader

VULNERABLE = '''import hashlib
import subprocess

import yaml


def run(command):
    return subprocess.call(command, shell=True)


def load_settings(text):
    return yaml.load(text)


def unrelated_one():
    return 1


def unrelated_two():
    return 2


def unrelated_three():
    return 3


def password_digest(password):
    return hashlib.md5(password.encode()).hexdigest()
'''

FIXED = VULNERABLE.replace("yaml.load(text)", "yaml.safe_load(text)").replace(
    "def password_digest(password):\n    return hashlib.md5(password.encode()).hexdigest()\n",
    "def password_digest(password, salt):\n"
    "    # a slow, salted key derivation, not a fast hash\n"
    "    return hashlib.pbkdf2_hmac(\"sha256\", password.encode(), salt, 600_000).hex()\n",
)


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def commit(repo: Path, files: dict, message: str) -> str:
    for name, text in files.items():
        target = repo / name
        if text is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def bandit(repo: Path, out: Path) -> None:
    """Scan the checkout the way a CI job does (paths relative to the checkout)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([sys.executable, "-m", "bandit", "-q", "-f", "json", "-o", str(out), "-r", "."],
                          cwd=repo, capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr  # 1 = issues found
    assert json.loads(out.read_text())["results"] is not None


def pipeline(tmp: Path, runs: list[tuple[str, str, str | None]]) -> tuple[list[dict], list[dict]]:
    """Parse every run's artifacts and merge them as parse_findings does; (findings, runs index)."""
    root = tmp / "data" / "artifacts"
    outs = []
    records = []
    for run_id, sha, _ in runs:
        artifact = root / run_id / "bandit" / "bandit-report.json"
        out = tmp / "data" / "findings" / "by_artifact" / f"{run_id}.json"
        records.append(parse_artifact(artifact, root, out, "fail", 1 << 24))
        outs.append(out)
    merge(outs, tmp / "data" / "findings" / "findings.jsonl", tmp / "data" / "findings" / "summary.json")
    findings = [json.loads(line) for line in (tmp / "data" / "findings" / "findings.jsonl").read_text().splitlines()]
    return findings, runs_from_records(records, root)


def lay_out_run(tmp: Path, repo: Path, run_id: str, sha: str, created_at: str | None) -> None:
    run_dir = tmp / "data" / "artifacts" / run_id
    bandit(repo, run_dir / "bandit" / "bandit-report.json")
    meta = {"run_id": run_id, "branch": "main", "commit": sha, "workflow": "ci"}
    if created_at:
        meta["created_at"] = created_at
    atomic.write_json(run_dir / "run.json", meta)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> dict:
    """Scanned once per module (Bandit takes a second); tests that change the repository copy it."""
    tmp_path = tmp_path_factory.mktemp("history")
    repo = tmp_path / "checkout"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    sha_a = commit(repo, {"app.py": VULNERABLE}, "vulnerable")
    lay_out_run(tmp_path, repo, "1001", sha_a, "2026-11-01T10:00:00Z")
    sha_b = commit(repo, {"app.py": FIXED}, "safe YAML loading, salted password hashing")
    lay_out_run(tmp_path, repo, "1002", sha_b, "2026-11-02T10:00:00Z")
    findings, runs = pipeline(tmp_path, [("1001", sha_a, None), ("1002", sha_b, None)])
    return {"tmp": tmp_path, "repo": repo, "a": sha_a, "b": sha_b, "findings": findings, "runs": runs}


def rule(findings: list[dict], rule_id: str) -> dict:
    (found,) = [f for f in findings if f["rule_id"] == rule_id]
    return found


def test_runs_index_from_two_ci_runs(scanned):
    runs = scanned["runs"]
    assert [(r["run"], r["run_id"], r["commit"], r["created_at"], r["tools"]) for r in runs] == [
        ("1001", "1001", scanned["a"], "2026-11-01T10:00:00Z", ["bandit"]),
        ("1002", "1002", scanned["b"], "2026-11-02T10:00:00Z", ["bandit"]),
    ]
    ids = {f["rule_id"]: f["id"] for f in scanned["findings"]}
    assert {ids["B506"], ids["B324"], ids["B602"]} <= set(runs[0]["finding_ids"])
    assert ids["B602"] in runs[1]["finding_ids"]
    assert ids["B506"] not in runs[1]["finding_ids"] and ids["B324"] not in runs[1]["finding_ids"]
    assert all(r["finding_ids"] == sorted(r["finding_ids"]) for r in runs)


def test_mined_records_hold_exactly_the_real_diff(scanned):
    reader = SourceReader(scanned["repo"])
    mined = mine_fixes(scanned["findings"], scanned["runs"], reader, context_lines=2)
    by_rule = {next(f["rule_id"] for f in scanned["findings"] if f["id"] == m["finding_id"]): m for m in mined}
    assert sorted(by_rule) == ["B324", "B506"]  # B602 (shell=True) is still reported at B: no fix

    real = PatchSet(git(scanned["repo"], "diff", scanned["a"], scanned["b"], "--", "app.py"))
    real_hunks = [str(h) for h in real[0]]
    assert len(real_hunks) == 2
    yaml_fix, md5_fix = by_rule["B506"], by_rule["B324"]
    for record, hunk in ((yaml_fix, real_hunks[0]), (md5_fix, real_hunks[1])):
        assert record["commit_before"] == scanned["a"] and record["commit_after"] == scanned["b"]
        assert record["path"] == "app.py"
        assert record["diff"] == "--- a/app.py\n+++ b/app.py\n" + hunk
    assert "-    return yaml.load(text)\n+    return yaml.safe_load(text)\n" in yaml_fix["diff"]
    assert "+    return hashlib.pbkdf2_hmac(" in md5_fix["diff"] and "pbkdf2" not in yaml_fix["diff"]

    lines_a = VULNERABLE.splitlines()
    for record in (yaml_fix, md5_fix):
        start = record["before_start_line"]
        before = record["before"].splitlines()
        assert before == lines_a[start - 1:start - 1 + len(before)]  # the code at A, verbatim
        finding = next(f for f in scanned["findings"] if f["id"] == record["finding_id"])
        assert start <= finding["location"]["start_line"] - 2
        # the diff applies to the before text placed at its line numbers
        for hunk in PatchSet(record["diff"])[0]:
            source = [l.value.rstrip("\n") for l in hunk if l.line_type in " -"]
            offset = hunk.source_start - start
            assert before[offset:offset + len(source)] == source
    assert "yaml.load(text)" in yaml_fix["before"] and "safe_load" not in yaml_fix["before"]


def test_mined_diff_passes_git_apply_check_on_the_file_at_a(scanned, tmp_path):
    reader = SourceReader(scanned["repo"])
    mined = mine_fixes(scanned["findings"], scanned["runs"], reader, context_lines=2)
    work = tmp_path / "apply"
    work.mkdir()
    git(work, "init", "-q")
    for record in mined:
        (work / "app.py").write_text(VULNERABLE)
        (work / "fix.patch").write_text(record["diff"])
        git(work, "apply", "--check", "fix.patch")
        git(work, "apply", "fix.patch")
        assert (work / "app.py").read_text() != VULNERABLE


def test_without_created_at_commit_ancestry_orders_the_runs(scanned):
    reader = SourceReader(scanned["repo"])
    runs = [dict(r, created_at=None) for r in reversed(scanned["runs"])]
    assert [r["commit"] for r in order_runs(runs, reader)] == [scanned["a"], scanned["b"]]
    mined = mine_fixes(scanned["findings"], runs, reader, context_lines=2)
    assert len(mined) == 2


def test_no_record_unless_the_same_tool_scanned_again(scanned):
    reader = SourceReader(scanned["repo"])
    runs = [dict(r) for r in scanned["runs"]]
    runs[1]["tools"] = ["semgrep"]  # bandit did not run at B: its silence proves nothing
    assert mine_fixes(scanned["findings"], runs, reader, context_lines=2) == []
    later_first = [dict(scanned["runs"][0], created_at="2026-11-03T00:00:00Z"), scanned["runs"][1]]
    assert mine_fixes(scanned["findings"], later_first, reader, context_lines=2) == []  # A is the later scan


def later_run(sha: str, branch: str = "other") -> dict:
    return {"run": "1009", "run_id": "1009", "branch": branch, "commit": sha, "created_at": "2026-11-05T10:00:00Z",
            "tools": ["bandit"], "finding_ids": []}


def test_deleted_file_other_branch_and_moved_finding_are_skipped(scanned, tmp_path):
    tmp = tmp_path / "copy"
    shutil.copytree(scanned["tmp"], tmp, symlinks=True)
    repo = tmp / "checkout"
    findings = scanned["findings"]
    # a branch from A that deletes app.py: the findings are gone, but deleting a file is no fix
    git(repo, "checkout", "-q", "-b", "other", scanned["a"])
    sha_deleted = commit(repo, {"app.py": None, "other.py": "x = 1\n"}, "delete app.py")
    assert mine_fixes(findings, [scanned["runs"][0], later_run(sha_deleted)], SourceReader(repo), 2) == []
    # an unrelated history holding the fixed file: B does not descend from A, nothing was fixed there
    git(repo, "checkout", "-q", "--orphan", "unrelated")
    sha_orphan = commit(repo, {"app.py": FIXED}, "unrelated root")
    assert SourceReader(repo).lines("app.py", sha_orphan) is not None
    assert mine_fixes(findings, [scanned["runs"][0], later_run(sha_orphan)], SourceReader(repo), 2) == []
    assert len(mine_fixes(findings, [scanned["runs"][0], later_run(scanned["b"])], SourceReader(repo), 2)) == 2

    # a line inserted above the yaml call: Bandit reports B506 again, one line lower (a new id)
    reader = SourceReader(repo)
    git(repo, "checkout", "-q", "-f", "main")
    moved_text = VULNERABLE.replace("def load_settings(text):\n", "def load_settings(text):\n    text = text.strip()\n")
    sha_c = commit(repo, {"app.py": moved_text}, "strip input")
    lay_out_run(tmp, repo, "1003", sha_c, "2026-11-03T10:00:00Z")
    moved_findings, moved_runs = pipeline(tmp, [("1001", scanned["a"], None), ("1002", scanned["b"], None),
                                                ("1003", sha_c, None)])
    # the B506 of run 1003 is not the one of A, but mining 1001 -> 1003 must not happen: drop run 1002
    only = [r for r in moved_runs if r["run"] != "1002"]
    mined = mine_fixes(moved_findings, only, reader, context_lines=2)
    assert mined == []


def test_huge_or_distant_changes_are_skipped(scanned, monkeypatch):
    import tasks.fixes.mined as history

    reader = SourceReader(scanned["repo"])
    assert mine_fixes(scanned["findings"], scanned["runs"], reader, context_lines=2, max_changed_lines=1) == []
    monkeypatch.setattr(history, "MAX_DIFF_BYTES", 200)  # the whole-file diff is larger: not even read
    assert mine_fixes(scanned["findings"], scanned["runs"], SourceReader(scanned["repo"]), context_lines=2) == []
    monkeypatch.undo()
    far = [dict(f) for f in scanned["findings"]]
    for f in far:  # pretend Bandit pointed at the unrelated functions: no changed line near them
        if f["rule_id"] in ("B506", "B324"):
            f["location"] = dict(f["location"], start_line=17, end_line=17)
    assert mine_fixes(far, scanned["runs"], reader, context_lines=2) == []


def test_secret_removed_by_the_fix_is_redacted_in_before_and_diff(tmp_path):
    token = "ghp_" + "Zx9Qw2Er4Ty6Ui8Op0As1Df3Gh5Jk7Lz9Xc2V"  # made up: a GitHub token shape
    password = "plain-words-nobody-detects"  # as a passphrase, detect-secrets does not flag it
    repo = tmp_path / "checkout"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    leaky = f'import os\n\nGITHUB_TOKEN = "{token}"\nadmin_passphrase = "{password}"\n'
    sha_a = commit(repo, {"settings.py": leaky}, "settings")
    lay_out_run(tmp_path, repo, "2001", sha_a, "2026-11-01T10:00:00Z")
    sha_b = commit(repo, {"settings.py": 'import os\n\nGITHUB_TOKEN = os.environ["GITHUB_TOKEN"]\n'
                                         'admin_passphrase = os.environ["ADMIN_PASSPHRASE"]\n'}, "secrets from the environment")
    lay_out_run(tmp_path, repo, "2002", sha_b, "2026-11-02T10:00:00Z")
    findings, runs = pipeline(tmp_path, [("2001", sha_a, None), ("2002", sha_b, None)])
    assert {f["rule_id"] for f in findings} == {"B105"}
    reader = SourceReader(repo)
    mined = mine_fixes(findings, runs, reader, context_lines=1)
    assert len(mined) == 2
    for record in mined:
        for text in (record["before"], record["diff"]):
            assert token not in text and password not in text
            assert "[REDACTED secret sha256:" in text
        assert '+admin_passphrase = os.environ["ADMIN_PASSPHRASE"]' in record["diff"]
    # a fresh reader redacts the token (detect-secrets) and the passphrase (a literal given to a secret-named
    # key) before it has seen any finding
    fresh = SourceReader(repo)
    assert token not in fresh.context("settings.py", sha_a, 3, 0)["text"]
    assert password not in fresh.context("settings.py", sha_a, 3, 1)["text"]
    assert password not in fresh.context("settings.py", sha_a, 4, 0, mark_secret=True)["text"]
    assert fresh.learn_secrets(findings) == 2
    assert password not in fresh.context("settings.py", sha_a, 3, 1)["text"]  # another finding's line


def test_malformed_runs_index_entries_prove_nothing(scanned):
    reader = SourceReader(scanned["repo"])
    a, b = scanned["runs"]
    hostile = [a, dict(b, tools="bandit, semgrep"), dict(b, run="x", tools=["bandit"], finding_ids="not a list",
               commit="HEAD"), "not a run", dict(b, commit=None), dict(b, commit="../../etc")]
    assert mine_fixes(scanned["findings"] + [{"no": "id"}], hostile, reader, 2) == []
    assert len(mine_fixes(scanned["findings"], hostile + [b], reader, 2)) == 2


def test_fingerprint_id_that_moved_since_its_first_report_is_not_mined(tmp_path):
    """A SARIF line-hash id survives a line move; the merged location is its first report's."""
    repo = tmp_path / "checkout"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    first = commit(repo, {"app.py": VULNERABLE}, "vulnerable")
    line = VULNERABLE.splitlines().index("    return yaml.load(text)") + 1
    finding = {"id": "f" * 32, "tool": "codeql", "rule_id": "py/unsafe-deserialization", "kind": "code",
               "location": {"path": "app.py", "start_line": line, "end_line": line},
               "first_seen": {"commit": first}, "last_seen": {}}

    def history(at_a: str) -> list[dict]:
        sha_a = commit(repo, {"app.py": at_a}, "between")
        sha_b = commit(repo, {"app.py": at_a.replace("yaml.load(text)", "yaml.safe_load(text)")}, "fix")
        return [{"run": n, "commit": c, "created_at": f"2026-11-0{i + 1}T00:00:00Z", "tools": ["codeql"],
                 "finding_ids": ids} for i, (n, c, ids) in
                enumerate([("1", first, [finding["id"]]), ("2", sha_a, [finding["id"]]), ("3", sha_b, [])])]

    moved = history("# a header comment\n" + VULNERABLE)  # every line one lower at A
    assert mine_fixes([finding], moved, SourceReader(repo), 2) == []
    git(repo, "reset", "-q", "--hard", first)
    edited_below = history(VULNERABLE + "\n\ndef more():\n    return 4\n")
    (record,) = mine_fixes([finding], edited_below, SourceReader(repo), 2)
    assert "-    return yaml.load(text)\n+    return yaml.safe_load(text)\n" in record["diff"]
    git(repo, "reset", "-q", "--hard", first)
    edited_above = history(VULNERABLE.replace("import hashlib\n", "import hashlib as hashlib\n"))
    assert len(mine_fixes([finding], edited_above, SourceReader(repo), 2)) == 1  # in place: same line numbers
