"""Checks from held-out set 18 (Kinto, LibrePhotos, ghostfolio, terraform-aws-ecs): each flags its case and leaves
the neighbour that is a finding alone."""

from __future__ import annotations

from tasks.triage.iac_applicable import check_not_applicable
from tasks.triage.unused_import import check_unused_import


def _checkov(snippet: str) -> dict:
    return {"id": "8" * 32, "tool": "checkov", "rule_id": "CKV_TF_1", "kind": "config", "severity": "low",
            "title": "Ensure Terraform module sources use a commit hash", "description": "d", "snippet": snippet,
            "location": {"path": "examples/fargate/main.tf", "start_line": 279, "end_line": 290}}


def test_a_registry_module_pinned_by_version_has_no_commit_to_pin():
    hit = check_not_applicable(_checkov('module "alb" {\n  source  = "terraform-aws-modules/alb/aws"\n  version = "~> 10.0"\n}'))
    assert hit and "terraform-aws-modules/alb/aws" in hit["evidence"] and "(line 280)" in hit["evidence"]
    assert check_not_applicable(_checkov('module "alb" {\n  source = "terraform-aws-modules/alb/aws"\n}')) is None  # no version
    git = 'module "x" {\n  source  = "git::https://github.com/org/mod.git?ref=main"\n  version = "1.0"\n}'
    assert check_not_applicable(_checkov(git)) is None  # a git source: a commit hash is exactly what it lacks
    assert check_not_applicable(_checkov('module "x" {\n  source = "github.com/org/mod/aws"\n  version = "1"\n}')) is None


def test_a_blacklisted_import_is_no_weakness_where_bandit_judges_the_calls_themselves():
    def bandit(rule):
        return {"id": "9" * 32, "tool": "bandit", "rule_id": rule, "kind": "code", "severity": "low", "title": rule,
                "description": "d", "location": {"path": "api/services.py", "start_line": 1, "end_line": 1}}

    hit = check_unused_import(bandit("B404"))  # no source at all: the import line alone runs nothing
    assert hit and "an import only" in hit["evidence"] and "B602-B607" in hit["evidence"]
    assert "B301" in check_unused_import(bandit("B403"))["evidence"]
    assert check_unused_import(bandit("B413")) is None  # pycrypto: the library is the risk, the import shows its use


def test_an_xmlrpc_import_stays_as_reported():
    """B411 has no call test of its own: xmlrpc's client and server parse XML inside the library."""
    f = {"id": "9" * 32, "tool": "bandit", "rule_id": "B411", "kind": "code", "severity": "high", "title": "B411",
         "description": "d", "location": {"path": "api/rpc.py", "start_line": 1, "end_line": 1}}
    assert check_unused_import(f) is None
    assert "B313-B320" in check_unused_import(dict(f, rule_id="B410"))["evidence"]
