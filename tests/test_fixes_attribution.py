"""Per-finding attribution of a mined fix: one commit fixing two findings in one hunk gives each its own change,
and each diff still applies to the file before the commit (git apply --check)."""

from __future__ import annotations

import difflib
import subprocess

from unidiff import PatchSet

from tasks.fixes.attribution import attributed_hunks, manifest_lines

BEFORE = """import hashlib
import yaml


def load_settings(text):
    return yaml.load(text)


def cache_key(data):
    return hashlib.md5(data).hexdigest()
"""
AFTER = BEFORE.replace("yaml.load(text)", "yaml.safe_load(text)").replace("hashlib.md5(data)", "hashlib.sha256(data)")


def _hunks():
    diff = "".join(difflib.unified_diff(BEFORE.splitlines(True), AFTER.splitlines(True), "a/app.py", "b/app.py", n=3))
    hunks = list(PatchSet(diff)[0])
    assert len(hunks) == 1  # git merges the two changes, 4 lines apart, into one hunk
    return hunks


def _applies(tmp_path, diff: str) -> bool:
    (tmp_path / "app.py").write_text(BEFORE)
    (tmp_path / "fix.diff").write_text(diff)
    return subprocess.run(["git", "apply", "--check", "fix.diff"], cwd=tmp_path, capture_output=True).returncode == 0


def test_each_finding_gets_only_its_own_change(tmp_path):
    yaml_body, yaml_changed = attributed_hunks(_hunks(), 4, 8)   # B506 at line 6, slack 2
    md5_body, md5_changed = attributed_hunks(_hunks(), 8, 12)    # B324 at line 10
    assert (yaml_changed, md5_changed) == (2, 2)
    assert "+    return yaml.safe_load(text)" in yaml_body and "sha256" not in yaml_body
    assert "     return hashlib.md5(data).hexdigest()" in yaml_body  # the other fix's old line is context
    assert "+    return hashlib.sha256(data).hexdigest()" in md5_body and "safe_load" not in md5_body
    for body in (yaml_body, md5_body):
        assert _applies(tmp_path, "--- a/app.py\n+++ b/app.py\n" + body)


def test_a_change_elsewhere_gives_no_diff():
    body, changed = attributed_hunks(_hunks(), 1, 2)
    assert (body, changed) == ("", 0)


def test_the_manifest_entry_of_a_package():
    lines = ["flask==2.0.1", "Flask-Login==0.5.0", "pyyaml==5.3.1", "types-PyYAML==6.0"]
    assert manifest_lines(lines, "flask") == [1]
    assert manifest_lines(lines, "PyYAML") == [3]
