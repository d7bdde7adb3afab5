"""A reusable Terraform module's resource that checkov fails only with one caller's input (held-out sets 19-23:
terraform-aws-modules' ec2-instance, s3-bucket, cloudfront): the parser keeps checkov's breadcrumbs, triage reads
the calls. Each case has the neighbour that stays a finding: the module's own default, a deployment's own call."""

from __future__ import annotations

from test_triage_containers import Files

from tasks.findings.parsers import checkov
from tasks.triage.module_inputs import check_module_input
from tasks.triage.verdict import Judge

ROOT = "/home/ci/work/ec2"
MODULE = """resource "aws_instance" "this" {
  ami                         = var.ami
  associate_public_ip_address = var.associate_public_ip_address
  monitoring                  = var.monitoring
}
"""
EXAMPLE = """module "ec2_default" {
  source = "../../"

  name = "default"
}

module "ec2_public" {
  source = "../../"

  name                        = "public"
  associate_public_ip_address = true
  tags = {
    Owner = "x"
  }
}

module "ec2_prod_input" {
  source = "../../"

  monitoring = var.monitoring
}
"""
WRAPPER = """module "wrapper" {
  source = "../"

  for_each = var.items

  monitoring = try(each.value.monitoring, var.defaults.monitoring, null)
  metadata_options = try(each.value.metadata_options, var.defaults.metadata_options, {
    http_tokens = "required"
  })
}
"""
FILES = {"main.tf": MODULE, "variables.tf": 'variable "monitoring" {\n  default = true\n}\n',
         "examples/complete/main.tf": EXAMPLE, "wrappers/main.tf": WRAPPER}


def _failed(check: str, key: str, call: str | None, call_file: str, variable: str) -> dict:
    trail = ([{"type": "module", "name": call, "path": f"{ROOT}/{call_file}", "module_connection": False}] if call else [])
    trail.append({"type": "variable", "name": variable, "path": f"{ROOT}/variables.tf", "module_connection": False})
    return {"check_id": check, "check_name": "n", "check_result": {"result": "FAILED", "evaluated_keys": [key]},
            "file_path": "/main.tf", "file_abs_path": f"{ROOT}/main.tf", "repo_file_path": "/main.tf",
            "file_line_range": [1, 5], "resource": f"module.{call or 'x'}.aws_instance.this", "guideline": "g",
            "caller_file_path": f"/{call_file}", "breadcrumbs": {key.replace("/[0]", "").replace("/", "."): trail}}


def _parse(*checks: dict) -> dict:
    doc = {"check_type": "terraform", "results": {"failed_checks": list(checks)},
           "summary": {"checkov_version": "3.3.30", "passed": 1, "failed": len(checks)}}
    return checkov.parse(doc)[0]


def test_the_parser_keeps_where_every_failing_call_got_the_value_and_nothing_outside_the_scanned_folder():
    f = _parse(_failed("CKV_AWS_88", "associate_public_ip_address", "ec2_public", "examples/complete/main.tf",
                       "associate_public_ip_address"))
    assert f["module_inputs"] == [{"key": "associate_public_ip_address", "module": "ec2_public",
                                   "module_path": "examples/complete/main.tf", "variable": "associate_public_ip_address",
                                   "variable_path": "variables.tf"}]
    untraced = _failed("CKV_AWS_88", "associate_public_ip_address", None, "examples/complete/main.tf", "x")
    assert "module_inputs" not in _parse(_failed("CKV_AWS_88", "associate_public_ip_address", "ec2_public",
                                                 "examples/complete/main.tf", "associate_public_ip_address"), untraced)
    outside = _failed("CKV_AWS_88", "associate_public_ip_address", "ec2_public", "examples/complete/main.tf", "a")
    outside["breadcrumbs"]["associate_public_ip_address"][0]["path"] = "/etc/passwd"
    assert "module_inputs" not in _parse(outside)


def test_a_value_an_example_sets_is_the_examples_choice_not_the_modules():
    f = _parse(_failed("CKV_AWS_88", "associate_public_ip_address", "ec2_public", "examples/complete/main.tf",
                       "associate_public_ip_address"))
    files = Files(FILES)
    hit = check_module_input(f, files, files.files)
    assert hit and hit["verdict"] == "false_positive"
    assert 'module "ec2_public" sets associate_public_ip_address = true (examples/complete/main.tf:11)' in hit["evidence"]
    assert Judge(reader=files, imports=files).judge(f)["verdict"] == "false_positive"


def test_a_wrapper_passing_its_callers_value_through_while_the_default_passes():
    f = _parse(_failed("CKV_AWS_79", "metadata_options/[0]/http_tokens", "wrapper", "wrappers/main.tf", "metadata_options"))
    files = Files(FILES)
    hit = check_module_input(f, files, files.files)
    assert hit and "wrappers/main.tf:7 passes its own caller's metadata_options through" in hit["evidence"]
    assert 'module "ec2_default" (examples/complete/main.tf:1)' in hit["evidence"]


def test_the_modules_own_default_a_project_call_or_an_unset_argument_stays_a_finding():
    files = Files(FILES)
    # every example call sets the wrapper's argument: nothing shows the module's default passing
    only = Files({**FILES, "examples/complete/main.tf": 'module "ec2_public" {\n  source = "../../"\n  metadata_options = {}\n}\n'})
    wrap = _parse(_failed("CKV_AWS_79", "metadata_options/[0]/http_tokens", "wrapper", "wrappers/main.tf", "metadata_options"))
    assert check_module_input(wrap, only, only.files) is None
    # the example passes its own variable: not a literal choice of the example
    prod = _parse(_failed("CKV_AWS_126", "monitoring", "ec2_prod_input", "examples/complete/main.tf", "monitoring"))
    assert check_module_input(prod, files, files.files) is None
    # the call does not set the argument: the module's default is what fails
    unset = _parse(_failed("CKV_AWS_88", "associate_public_ip_address", "ec2_default", "examples/complete/main.tf",
                           "associate_public_ip_address"))
    assert check_module_input(unset, files, files.files) is None
    # the same call in the project's own configuration is the project's choice
    live = Files({**FILES, "live/main.tf": EXAMPLE.replace("../../", "../")})
    deployed = _parse(_failed("CKV_AWS_88", "associate_public_ip_address", "ec2_public", "live/main.tf",
                              "associate_public_ip_address"))
    assert check_module_input(deployed, live, live.files) is None
    assert Judge(reader=live, imports=live).judge(deployed)["verdict"] == "true_positive"


def _rec(f: dict, files: Files) -> dict:
    return Judge(reader=files, imports=files).judge(f)


def test_the_suppression_goes_in_the_examples_call_or_leaves_the_wrappers_out_never_in_the_module():
    from tasks.fixes.patch_check import no_foreign_language
    from tasks.fixes.suppression import refused, suppression_answer, suppression_place
    from tasks.fixes.suppression_diff import suppression_diff

    files = Files(FILES)
    f = _parse(_failed("CKV_AWS_88", "associate_public_ip_address", "ec2_public", "examples/complete/main.tf",
                       "associate_public_ip_address"))
    rec = _rec(f, files)
    code = {"path": "main.tf", "text": MODULE, "start_line": 1, "file": MODULE}
    assert refused(f, rec) is None and suppression_diff(f, rec, code) is None  # no skip inside the module's resource
    assert '(module "ec2_public" (examples/complete/main.tf:11)), not in the module' in suppression_place(f, rec)
    answer = suppression_answer(f, rec)
    assert "examples/complete/main.tf, module \"ec2_public\"" in answer
    assert "#checkov:skip=CKV_AWS_88:an example's own associate_public_ip_address" in answer
    wrap = _parse(_failed("CKV_AWS_79", "metadata_options/[0]/http_tokens", "wrapper", "wrappers/main.tf", "metadata_options"))
    rec = _rec(wrap, files)
    answer = suppression_answer(wrap, rec)
    assert "skip-path:\n  - wrappers" in answer and "#checkov:skip" not in answer
    assert no_foreign_language(answer, {"path": "main.tf"}) is True  # the scanner's settings file is not foreign code
    assert no_foreign_language("```yaml\nresources:\n  - a\n```", {"path": "main.tf"}) is False
