"""Held-out set 54's misses and row defects (nitely/Spirit, gothinkster/flask-realworld-example-app,
terraform-aws-customer-gateway, terraform-aws-managed-service-prometheus, wagtail-nest/wagtail-bakery), each beside the
neighbour that stays as it was."""

from __future__ import annotations

import subprocess

from test_fixes_api_workflows import STALE
from test_library_reasons import PRE_COMMIT
from test_triage_constant_data import _repo
from test_triage_hygiene import finding


def test_a_no_min_script_is_the_projects_own_unminified_build():
    """Spirit's gulpfile renames its CoffeeScript output to *.no-min.js (not minified): it is no library copy (a
    stage-2 row suggested a .semgrepignore for the only copy Semgrep scans)."""
    from tasks.triage.paths import is_library

    assert not is_library("spirit/core/static/spirit/scripts/js/notification.no-min.js")
    assert is_library("spirit/core/static/spirit/scripts/vendors/marked.min.js")
    assert is_library("static/rest_framework/js/prettify-min.js")


def test_a_tag_pinned_action_on_pull_request_beside_a_workflow_that_writes_with_the_default_token(tmp_path):
    """terraform-aws-modules' pre-commit.yml (set 54: both labellers, a finding): stale-actions.yaml shows the default
    token can write, and a branch's pull request runs the tag-pinned action with it."""
    rule = "yaml.github-actions.security.third-party-action-not-pinned-to-commit-sha"
    for name, files, fp in (("alone", {".github/workflows/pre-commit.yml": PRE_COMMIT}, True),
                            ("beside", {".github/workflows/pre-commit.yml": PRE_COMMIT,
                                        ".github/workflows/stale-actions.yaml": STALE}, False),
                            ("read-only", {".github/workflows/pre-commit.yml": PRE_COMMIT.replace(
                                "jobs:", "permissions:\n  contents: read\njobs:"),
                                ".github/workflows/stale-actions.yaml": STALE}, True)):
        judge = _repo(tmp_path / name, files)
        subprocess.run(["git", "-C", str(tmp_path / name / "repo"), "-c", "user.name=t", "-c", "user.email=t@t", "commit",
                        "-qm", "t"], check=True)
        rec = judge.judge(finding(tool="semgrep", rule_id=rule, title=rule,
                                  location={"path": ".github/workflows/pre-commit.yml", "start_line": 10, "end_line": 10}))
        said = " | ".join(r["evidence"] for r in rec["reasons"])
        assert (rec["verdict"] == "false_positive") is fp, (name, said)
        if not fp:
            assert rec["verdict"] == "needs_review" and "stale-actions.yaml (actions/stale) writes with it" in said, said
