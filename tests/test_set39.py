"""Checks written after held-out set 38 (Flask-AppBuilder, shiori, cowrie, terraform-aws-memory-db), each with the
neighbour that stays a finding."""

from __future__ import annotations

import pytest

from test_triage_round6 import Files, Judge, checkov

CI = """name: ci
on:
  push:
    branches: [master]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
"""


def _gha1(text: str, path: str = ".github/workflows/ci.yml") -> dict:
    return Judge(reader=Files({path: text})).judge(checkov("CKV2_GHA_1", path=path))


def test_a_missing_permissions_block_is_hardening_when_no_outsider_runs_anything_with_the_token():
    """Set 38's largest miss: 11 CKV2_GHA_1 findings (Flask-AppBuilder's ci.yml, shiori's reusable workflows,
    terraform-aws-memory-db's release, stale, lock and pr-title workflows) that both labellers called least-privilege
    hardening: no write-all anywhere, triggers the team fires or GitHub confines, no PR code or event text run."""
    rec = _gha1(CI)
    assert rec["verdict"] == "false_positive"
    evidence = rec["reasons"][0]["evidence"]
    assert evidence.startswith("least-privilege hardening, not an exposed token: .github/workflows/ci.yml")
    assert "its triggers are push, pull_request" in evidence and "a fork's pull_request runs with a read-only token" in evidence
    called = _gha1(CI.replace("  push:\n    branches: [master]\n  pull_request:\n", "  workflow_call:\n"))
    assert called["verdict"] == "false_positive" and "capped by its caller's permissions" in called["reasons"][0]["evidence"]
    title = CI.replace("on:\n  push:\n    branches: [master]\n  pull_request:\n", "on:\n  pull_request_target:\n    types: [opened, edited]\n")
    title = title.replace("      - uses: actions/checkout@v4\n      - run: make test\n", "      - uses: amannn/action-semantic-pull-request@v5\n")
    rec = _gha1(title)  # pr-title.yml: pull_request_target that never checks out the pull request's code
    assert rec["verdict"] == "false_positive" and "pull_request_target never checks out" in rec["reasons"][0]["evidence"]


@pytest.mark.parametrize("change", [
    # a privileged trigger that checks out the pull request's head: the fork's code runs with a write token
    lambda t: t.replace("  pull_request:\n", "  pull_request_target:\n").replace(
        "      - uses: actions/checkout@v4\n", "      - uses: actions/checkout@v4\n        with:\n"
        "          ref: ${{ github.event.pull_request.head.sha }}\n"),
    lambda t: t.replace("  pull_request:\n", "  workflow_run:\n    workflows: [ci]\n").replace(
        "      - run: make test\n", "      - run: gh pr checkout ${{ github.event.workflow_run.pull_requests[0].number }}\n"),
    # event text an outsider writes, expanded into a shell script
    lambda t: t.replace("  pull_request:\n", "  issues:\n").replace(
        "      - run: make test\n", "      - run: echo \"${{ github.event.issue.title }}\"\n"),
    lambda t: t.replace("      - run: make test\n", "      - run: git push origin ${{ github.head_ref }}\n"),
    # write-all named anywhere
    lambda t: t.replace("    runs-on: ubuntu-latest\n", "    runs-on: ubuntu-latest\n    permissions: write-all\n"),
    lambda t: t.replace("jobs:\n", "permissions: write-all\njobs:\n"),
])
def test_a_token_outsiders_code_or_text_can_reach_stays_a_finding(change):
    assert _gha1(change(CI))["verdict"] != "false_positive"


def test_the_stage2_row_of_hardening_is_the_least_privilege_block_never_an_empty_one():
    """Checkov ignores a skip comment for CKV2_GHA_1 and an empty top-level block would take the jobs' read access
    away; the row records least privilege from the steps, or there is no row."""
    from tasks.fixes import api_workflows
    from tasks.fixes.suppression import suppression_answer, suppression_place
    from tasks.findings.model import as_finding

    f = as_finding(checkov("CKV2_GHA_1", path=".github/workflows/ci.yml", title="Ensure top-level permissions are not set to write-all"))
    rec = _gha1(CI)
    fix, _, _ = api_workflows.fix(f, "yaml", CI)
    answer = suppression_answer(f, rec, None, fix)
    assert answer.startswith("False positive: least-privilege hardening")
    assert "```yaml\npermissions:\n  contents: read\n```" in answer and "permissions: {}" not in answer
    assert "checkov:skip" not in answer
    assert suppression_answer(f, rec, None, None) is None
    assert "Checkov ignores a skip comment" in suppression_place(f, rec)
