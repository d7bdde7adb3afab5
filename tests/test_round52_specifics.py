"""Round 52's stage-2 defects, mended after the review: an example's false positive names the block and what it leaves
unset, a test's fixed /tmp path says what the rule's race needs, a library copy quotes what the rule flagged.
Each with the neighbour that keeps the old wording."""

from __future__ import annotations

import json

from test_round45_rows import _reasons
from test_triage_hygiene import finding

MAIN_TF = """resource "aws_kms_key" "this" {
  description = "example"
}

resource "aws_sns_topic" "example" {
  name = local.name

  tags = local.tags
}

resource "aws_db_instance" "db" {
  engine            = "postgres"
  storage_encrypted = false
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"
}
"""


def _block(first: int, last: int) -> str:
    return "".join(MAIN_TF.splitlines(True)[first - 1:last])


def _ckv(rule, resource, first, last, keys=None, path="examples/complete/main.tf"):
    f = finding(tool="checkov", kind="config", rule_id=rule, title="t", snippet=_block(first, last),
                description=f"t (resource {resource}, framework terraform)",
                location={"path": path, "start_line": first, "end_line": last})
    return f | ({"checked_keys": keys} if keys is not None else {})


def test_checkov_keeps_the_attributes_each_check_read():
    from tasks.findings.parsers.checkov import parse

    report = {"check_type": "terraform", "results": {"failed_checks": [
        {"check_id": "CKV_AWS_26", "check_name": "Ensure all data stored in the SNS topic is encrypted", "resource": "aws_sns_topic.example",
         "file_path": "/examples/complete/main.tf", "file_line_range": [5, 9], "code_block": [[5, 'resource "aws_sns_topic" "example" {\n']],
         "check_result": {"result": "FAILED", "evaluated_keys": ["resource_type", "kms_master_key_id"]}},
        {"check_id": "CKV_TF_1", "check_name": "Ensure Terraform module sources use a commit hash", "resource": "vpc",
         "file_path": "/examples/complete/main.tf", "file_line_range": [16, 19], "code_block": [[16, 'module "vpc" {\n']],
         "check_result": {"result": "FAILED", "evaluated_keys": []}}]}, "summary": {"checkov_version": "3.3.30"}}
    found = {f["rule_id"]: f for f in parse(report)}
    assert found["CKV_AWS_26"]["checked_keys"] == ["kms_master_key_id"]  # resource_type is no attribute
    assert "checked_keys" not in found["CKV_TF_1"]


def test_an_examples_unset_attribute_is_named_with_what_passes_and_the_key_at_hand(tmp_path):
    """terraform-aws-dms: "it never names this resource; the example already defines aws_kms_key.this"."""
    rec, said = _reasons(tmp_path, {"examples/complete/main.tf": MAIN_TF},
                         _ckv("CKV_AWS_26", "aws_sns_topic.example", 5, 9, ["kms_master_key_id"]))
    assert rec["verdict"] == "false_positive"
    assert "its `aws_sns_topic.example` sets no `kms_master_key_id`; CKV_AWS_26 passes with any value there" in said, said
    assert "`kms_master_key_id = aws_kms_key.this.arn` would do here" in said
    assert "whoever applies it" not in said


def test_a_set_attribute_is_quoted_with_the_value_that_passes(tmp_path):
    rec, said = _reasons(tmp_path, {"examples/complete/main.tf": MAIN_TF},
                         _ckv("CKV_AWS_16", "aws_db_instance.db", 11, 14, ["storage_encrypted"]))
    assert "sets `storage_encrypted = false`, where CKV_AWS_16 passes only with `true`" in said, said
    assert "aws_kms_key" not in said  # not a key attribute: no key offered


def test_without_the_checked_attribute_the_reason_stays_general(tmp_path):
    for keys in (None, [], ["a", "b", "c", "d"]):  # an old report, a graph check, four attributes: nothing to name
        rec, said = _reasons(tmp_path / str(keys), {"examples/complete/main.tf": MAIN_TF},
                             _ckv("CKV2_AWS_57", "aws_sns_topic.example", 5, 9, keys))
        assert rec["verdict"] == "false_positive"
        assert "whoever applies it in a real deployment should set this there" in said and "sets no" not in said, keys


def test_two_kms_keys_in_the_example_name_none(tmp_path):
    two = MAIN_TF + 'resource "aws_kms_key" "other" {\n}\n'
    rec, said = _reasons(tmp_path, {"examples/complete/main.tf": two},
                         _ckv("CKV_AWS_26", "aws_sns_topic.example", 5, 9, ["kms_master_key_id"]))
    assert "sets no `kms_master_key_id`" in said and "would do here" not in said


def test_a_registry_module_in_an_example_says_ckv_tf_1_cannot_pass_on_it(tmp_path):
    """Round 52: 'nothing about this finding (a registry module with version = "~> 5.0", which CKV_TF_1 fails because
    only a git source with ?ref=<sha> can satisfy it)'."""
    rec, said = _reasons(tmp_path, {"examples/complete/main.tf": MAIN_TF}, _ckv("CKV_TF_1", "vpc", 16, 19))
    assert rec["verdict"] == "false_positive"
    assert ('its module "vpc" takes `terraform-aws-modules/vpc/aws` from the Terraform registry with `version = "~> 5.0"`'
            in said), said
    assert "passes only for a git source pinned to a commit" in said


def test_a_git_shorthand_source_is_no_registry_module():
    from tasks.findings.model import Finding
    from tasks.triage.example_config import example_detail

    f = Finding.from_dict(_ckv("CKV_TF_1", "vpc", 16, 19) | {
        "snippet": 'module "vpc" {\n  source = "github.com/org/vpc"\n  version = "~> 5.0"\n}\n'})
    assert example_detail(f) is None


def test_a_module_call_is_suppressed_inside_the_module_block():
    from tasks.fixes.suppression import suppression_place

    rec = {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": "x"}]}
    assert suppression_place(_ckv("CKV_TF_1", "vpc", 16, 19), rec) == "inside the flagged module block"
    assert suppression_place(_ckv("CKV_AWS_26", "aws_sns_topic.example", 5, 9), rec) == "inside the flagged resource"


def test_the_secrets_scan_skip_is_read_around_the_line():
    """Checkov 3.3.30 secrets/runner.py reads a skip on the secret's line, the line before and the line after."""
    from tasks.fixes.suppression import suppression_place

    f = finding(tool="checkov", kind="secret", rule_id="CKV_SECRET_6", title="Base64 High Entropy String",
                description="t (resource x, framework secrets)", location={"path": "examples/ontap/main.tf", "start_line": 39})
    place = suppression_place(f, {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": "x"}]})
    assert "line just before or after it" in place and "only there" not in place


def test_a_value_that_names_itself_a_password_is_called_so():
    """terraform-aws-fsx's `avoidPlaintextPasswords1` was "a word followed by digits"."""
    from tasks.findings.secret_evidence import WEAK

    def label(v):
        return next((k for k, rx in WEAK.items() if rx.search(v)), None)

    assert label("avoidPlaintextPasswords1") == "a phrase naming itself a password"
    for value in ("CorrectHorseBatteryStaple", "valid_jwt_token", "resetPasswordToken", "summer2024", "Password1"):
        assert label(value) != "a phrase naming itself a password", value
    assert label("valid_jwt_token") is None and label("resetPasswordToken") is None  # a program's names stay unjudged


TEST_EXPORT = '''from pathlib import Path


def test_umap_export(page):
    path = Path("/tmp/") / "umap_backup.umap"
    path.write_text("x")


def test_with_fixture(page, tmp_path):
    path = Path("/tmp/") / "other.umap"
'''
UNITTEST = '''import unittest


class T(unittest.TestCase):
    def test_save(self):
        open("/tmp/out.txt", "w").write("x")
'''


def _b108(path, line):
    return finding(tool="bandit", rule_id="B108", title="Probable insecure usage of temp file/directory.", cwe=["CWE-377"],
                   location={"path": path, "start_line": line, "end_line": line})


def test_a_fixed_tmp_path_in_a_test_says_what_the_race_needs_and_the_fixture(tmp_path):
    """umap's test_export_map.py: 'does not explain why a fixed /tmp path is harmless ... nor offer tmp_path'."""
    rec, said = _reasons(tmp_path, {"umap/tests/test_export.py": TEST_EXPORT}, _b108("umap/tests/test_export.py", 5))
    assert rec["verdict"] == "false_positive"
    assert "create that file, or a link under its name, before the program does (CWE-377)" in said, said
    assert "test_umap_export() (line 4)" in said and "pytest's `tmp_path` fixture would give it" in said
    _, said = _reasons(tmp_path / "b", {"umap/tests/test_export.py": TEST_EXPORT}, _b108("umap/tests/test_export.py", 10))
    assert "it already takes pytest's `tmp_path`" in said
    _, said = _reasons(tmp_path / "c", {"tests/test_save.py": UNITTEST}, _b108("tests/test_save.py", 6))
    assert "`tempfile.TemporaryDirectory()`" in said and "pytest" not in said


def test_a_fixed_tmp_path_outside_a_function_gets_no_fixture_advice(tmp_path):
    code = 'from pathlib import Path\nOUT = Path("/tmp/x")\n'
    rec, said = _reasons(tmp_path, {"tests/conftest.py": code}, _b108("tests/conftest.py", 2))
    assert rec["verdict"] == "false_positive" and "tmp_path" not in said


MINIFIED = "var a=1;" + "x" * 400 + ";console.warn(`loop ${i}`);" + "y" * 50 + "\n"


def test_a_library_copy_quotes_the_code_the_rule_matched_not_a_minified_lines_head(tmp_path):
    """pocketbase's shablon.iife.js: 'never says what was flagged'."""
    files = {"ui/public/libs/shablon/shablon.iife.js": MINIFIED}
    col = MINIFIED.index("console.warn") + 1
    f = finding(rule_id="javascript.lang.security.audit.unsafe-formatstring", title="t",
                location={"path": "ui/public/libs/shablon/shablon.iife.js", "start_line": 1, "end_line": 1},
                span={"line": 1, "start_col": col, "end_col": col + len("console.warn(`loop ${i}`)")})
    rec, said = _reasons(tmp_path, files, f)
    assert rec["verdict"] == "false_positive"
    # the code's own reason now (a console line's format, read at Semgrep's column), which names the call itself
    assert "interpolates `i` into the format string of console.warn()" in said and "var a=1" not in said, said
    rec, said = _reasons(tmp_path / "b", files, f | {"span": None})
    assert "the rule flags" not in said and "var a=1" not in said, said


def test_the_checkov_table_is_checkovs_own_comparison():
    from pathlib import Path

    table = json.loads((Path(__file__).resolve().parents[1] / "tasks/triage/checkov_values.json").read_text())
    assert table["checks"]["CKV_AWS_26"] == ["kms_master_key_id", "=", ["*"]]
    assert table["checks"]["CKV_AWS_16"] == ["storage_encrypted", "=", [True]]
    assert "CKV_AWS_149" not in table["checks"]  # its own scan_resource_conf: no table value claimed


SETTINGS = '''import os
import types

path = os.environ.get("UMAP_SETTINGS")
if not path:
    path = os.path.join("/etc", "umap", "umap.conf")
    if not os.path.exists(path):
        path = os.path.join(os.path.dirname(os.path.realpath(__file__)), "local.py")
        if not os.path.exists(path):
            path = None

if path:
    d = types.ModuleType("config")
    with open(path) as config_file:
        exec(compile(config_file.read(), path, "exec"), d.__dict__)
'''


def _b102(path, line):
    return finding(tool="bandit", rule_id="B102", title="Use of exec detected.", cwe=["CWE-78"],
                   location={"path": path, "start_line": line, "end_line": line})


def test_an_exec_of_the_operators_settings_file_is_no_injection(tmp_path):
    """umap/settings/__init__.py:37 (round 52): the file named by UMAP_SETTINGS, else /etc/umap/umap.conf or local.py."""
    rec, said = _reasons(tmp_path, {"umap/settings/__init__.py": SETTINGS}, _b102("umap/settings/__init__.py", 15))
    assert rec["verdict"] == "false_positive", said
    assert ("comes only from the `UMAP_SETTINGS` environment variable or `/etc/umap/umap.conf` or `local.py` beside the "
            "module") in said, said


def test_an_exec_of_a_file_a_caller_or_a_request_names_stays(tmp_path):
    for n, code in enumerate((
            SETTINGS.replace('path = None', 'path = request.args["p"]'),  # one binding from a request
            "def load(path):\n    with open(path) as fh:\n        exec(fh.read())\n",  # a parameter
            'import os\nfor path in os.listdir("plugins"):\n    with open(path) as fh:\n        exec(fh.read())\n',  # a loop
            'import os\npath = os.environ.get("X")\nexec(path)\n')):  # the variable's text itself, not a file
        line = next(i for i, l in enumerate(code.splitlines(), 1) if "exec(" in l)
        rec, said = _reasons(tmp_path / str(n), {"app/run.py": code}, _b102("app/run.py", line))
        assert "settings file" not in said, (n, said)


def test_two_checked_attributes_are_both_named_and_a_registry_subdirectory_is_a_registry_module(tmp_path):
    """Round 53: CKV_AWS_27 reads sqs_managed_sse_enabled and kms_master_key_id; route53's `.../aws//modules/records`."""
    queue = 'resource "aws_sqs_queue" "dlq" {\n  name = "dlq"\n  sqs_managed_sse_enabled = false\n}\n'
    rec, said = _reasons(tmp_path, {"examples/complete/main.tf": queue}, finding(
        tool="checkov", kind="config", rule_id="CKV_AWS_27", title="t", snippet=queue, checked_keys=[
            "sqs_managed_sse_enabled", "kms_master_key_id"], description="t (resource aws_sqs_queue.dlq, framework terraform)",
        location={"path": "examples/complete/main.tf", "start_line": 1, "end_line": 4}))
    assert ("its `aws_sqs_queue.dlq` sets `sqs_managed_sse_enabled = false` and no `kms_master_key_id`, the attributes "
            "CKV_AWS_27 checks") in said, said
    module = 'module "records" {\n  source  = "terraform-aws-modules/route53/aws//modules/records"\n  version = "~> 2.0"\n}\n'
    rec, said = _reasons(tmp_path / "b", {"examples/complete/main.tf": module}, finding(
        tool="checkov", kind="config", rule_id="CKV_TF_1", title="t", snippet=module, description="t (resource records, "
        "framework terraform)", location={"path": "examples/complete/main.tf", "start_line": 1, "end_line": 4}))
    assert "takes `terraform-aws-modules/route53/aws//modules/records` from the Terraform registry" in said, said
