"""Seventh session's triage classes, each with a finding it flags and one it leaves alone."""

from __future__ import annotations

from test_triage_containers import Files
from test_triage_hygiene import checkov, finding

from tasks.findings.secret_evidence import classify
from tasks.triage.allowlist import check_allowlist
from tasks.triage.iam_managed import check_managed_policy, statements
from tasks.triage.subprocess_argv import check_subprocess_argv
from tasks.triage.verdict import Judge

# terraform-aws-modules/ecs modules/service/main.tf's task-execution policy, shortened (Apache-2.0)
TASK_EXEC = '''data "aws_iam_policy_document" "task_exec" {
  count = local.create_task_exec_policy ? 1 : 0

  # Pulled from AmazonECSTaskExecutionRolePolicy
  statement {
    sid = "Logs"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = ["*"]
  }

  statement {
    sid = "ECR"
    actions = [
      "ecr:GetAuthorizationToken",
      "ecr:BatchCheckLayerAvailability",
      "ecr:GetDownloadUrlForLayer",
      "ecr:BatchGetImage",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "GetSSMParams"
    actions   = ["ssm:GetParameters"]
    resources = var.task_exec_ssm_param_arns
  }
}
'''


def _iam(rule: str, snippet: str) -> dict:
    return dict(checkov(rule, path="modules/service/main.tf"), snippet=snippet)


def test_statements_on_star_that_copy_an_aws_managed_policy_are_not_beyond_it():
    assert len(statements(TASK_EXEC)) == 3
    for rule in ("CKV_AWS_111", "CKV_AWS_356"):
        rec = Judge().judge(_iam(rule, TASK_EXEC))
        assert rec["verdict"] == "false_positive", rule
        ev = rec["reasons"][0]["evidence"]
        assert ev.startswith("not beyond AWS's own policy: every statement of modules/service/main.tf on \"*\"")
        assert "logs:CreateLogStream, logs:PutLogEvents (AmazonECSTaskExecutionRolePolicy)" in ev
        assert "ecr:GetAuthorizationToken, ecr:BatchCheckLayerAvailability, ecr:GetDownloadUrlForLayer, ecr:BatchGetImage " \
               "(AmazonECSTaskExecutionRolePolicy)" in ev


def test_one_action_beyond_the_managed_policy_a_deny_or_a_wildcard_service_keeps_the_finding():
    more = TASK_EXEC.replace('"logs:PutLogEvents",', '"logs:PutLogEvents",\n      "s3:PutObject",')
    assert check_managed_policy(_iam("CKV_AWS_111", more)) is None
    star = TASK_EXEC.replace('"ecr:BatchGetImage",', '"ecr:*",')
    assert check_managed_policy(_iam("CKV_AWS_111", star)) is None
    deny = TASK_EXEC.replace('sid = "Logs"', 'sid = "Logs"\n    effect = "Deny"')
    assert check_managed_policy(_iam("CKV_AWS_111", deny)) is None
    assert check_managed_policy(_iam("CKV_AWS_111", TASK_EXEC.rsplit("}", 2)[0])) is None  # a block that does not close
    assert check_managed_policy(_iam("CKV_AWS_23", TASK_EXEC)) is None  # another rule
    mixed = TASK_EXEC.replace('resources = var.task_exec_ssm_param_arns', 'resources = ["*", "arn:aws:ssm:::parameter/x"]')
    assert check_managed_policy(_iam("CKV_AWS_111", mixed)) is None  # "*" among named ones is still "*"
    assert Judge().judge(_iam("CKV_AWS_111", more))["verdict"] == "true_positive"


def test_xray_tracing_and_the_image_pull_policy_are_operational_and_image_digests_stay():
    for rule in ("CKV_AWS_50", "CKV_AWS_73", "CKV_K8S_15"):
        rec = Judge().judge(checkov(rule, path="main.tf"))
        assert rec["verdict"] == "false_positive" and rec["reasons"][0]["check"] == "report", rule
    assert "a performance diagnostic" in Judge().judge(checkov("CKV_AWS_50", path="main.tf"))["reasons"][0]["evidence"]
    assert Judge().judge(checkov("CKV_K8S_43"))["verdict"] == "true_positive"  # which image runs: a digest stays


BUILD = '''import argparse
import subprocess


def lock(uv_exec, cwd):
    subprocess.check_call([uv_exec, "lock"], cwd=cwd)


def image_id(tag):
    return subprocess.check_output(["docker", "images", "--format={{.ID}}", tag])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("tag")
    image_id(p.parse_args().tag)


if __name__ == "__main__":
    main()
'''
VIEW = '''import subprocess
from flask import request


def ping():
    return subprocess.check_output(["ping", "-c", "1", request.args["host"]])


def run(cmd):
    return subprocess.check_output(cmd)
'''


def _b603(path: str, line: int) -> dict:
    return finding(tool="bandit", rule_id="B603", title="subprocess call - check for execution of untrusted input.",
                   location={"path": path, "start_line": line, "end_line": line})


def test_b603_without_a_shell_is_settled_by_a_fixed_program_or_a_command_line_script():
    reader = Files(BUILD)
    fixed = Judge(reader=reader).judge(_b603("package.py", 10))
    assert fixed["verdict"] == "false_positive"
    assert fixed["reasons"][0]["evidence"].startswith("no shell and a fixed program: package.py:10 runs `docker`")
    cli = Judge(reader=reader).judge(_b603("package.py", 6))  # the program is a variable: the script's user chooses it
    assert cli["verdict"] == "false_positive" and "in a command-line program" in cli["reasons"][0]["evidence"]
    # what marks the script, where (round 26: no catalogue list, no "the person running it chooses the arguments")
    assert "package.py is command-line code (`import argparse` on line 1)" in cli["reasons"][0]["evidence"]
    assert "person running it" not in cli["reasons"][0]["evidence"]
    for line in (6, 10):  # a web handler reads request data: the arguments may be a user's
        assert check_subprocess_argv(_b603("app.py", line), Files(VIEW)) is None, line
    assert Judge(reader=Files(VIEW)).judge(_b603("app.py", 10))["verdict"] == "true_positive"


def test_a_secret_fields_label_is_not_a_credential():
    f = finding(tool="semgrep", rule_id="hardcoded-secret-assignment-python", title="hard-coded secret",
                location={"path": "redash/query_runner/jql.py", "start_line": 3, "end_line": 3},
                snippet='    password_title = "API Token"\n', secret_evidence=classify(["API Token"], "hardcoded-secret"))
    rec = Judge().judge(f)
    assert rec["verdict"] == "false_positive"
    assert rec["reasons"][0]["evidence"].startswith("a form label, not a credential: `password_title` holds the text shown")
    value = dict(f, snippet='    api_token = "API Token"\n')
    assert "form label" not in Judge().judge(value)["reasons"][0]["evidence"]


def test_an_assert_in_a_test_file_is_named_with_its_line_and_test():
    """Round 16's graders: "the generic B101-in-tests paragraph" fits any assert; the line and the test make it this one."""
    code = ('class NotifyTests:\n    def test_notify(self):\n        form = self.form()\n'
            '        assert form.cleaned_data["type"] == "info"\n        assert self.token == "s3cr3t-value-1234567"\n')
    b101 = finding(tool="bandit", rule_id="B101", title="Use of assert detected.",
                   location={"path": "api/tests/test_notify.py", "start_line": 4, "end_line": 4})
    rec = Judge(reader=Files(code)).judge(b101)
    assert rec["verdict"] == "false_positive"
    assert rec["reasons"][0]["evidence"].startswith("harmless in test code: api/tests/test_notify.py is a test file (line 4: "
                                                    "`assert form.cleaned_data[\"type\"] == \"info\"`, in test_notify()) and an")
    long = Judge(reader=Files(code)).judge(dict(b101, location={"path": "api/tests/test_notify.py", "start_line": 5}))
    assert "s3cr3t" not in long["reasons"][0]["evidence"] and '`assert self.token == "…"`' in long["reasons"][0]["evidence"]
    bare = Judge().judge(b101)  # no file and no snippet: the rule's own reason alone
    assert bare["reasons"][0]["evidence"].startswith("harmless in test code: api/tests/test_notify.py is a test file and an")


def test_b404_in_a_command_line_script_and_a_digest_declared_not_for_security():
    b404 = finding(tool="bandit", rule_id="B404", title="Consider possible security implications associated with subprocess.",
                   location={"path": "package.py", "start_line": 2, "end_line": 2})
    rec = Judge(reader=Files(BUILD)).judge(b404)
    # ninth session (set 18): the import line is no weakness wherever it is, the subprocess calls carry their own
    # findings (B602-B607); before, a web view's import stayed a true positive
    assert rec["verdict"] == "false_positive" and rec["reasons"][0]["evidence"].startswith("an import only: package.py:2")
    view = Judge(reader=Files(VIEW)).judge(dict(b404, location={"path": "app.py", "start_line": 1}))
    assert view["verdict"] == "false_positive" and "B602-B607" in view["reasons"][0]["evidence"]
    code = ("import hashlib\n\n\nclass User:\n    def avatar(self):\n"
            "        h = hashlib.md5(self.email.lower().encode(), usedforsecurity=False).hexdigest()\n"
            "        return 'https://www.gravatar.com/avatar/{}'.format(h)\n")
    weak = finding(tool="semgrep", rule_id="python-weak-hash-md5-sha1", title="weak hash (MD5/SHA1)", snippet="requires login",
                   location={"path": "models/users.py", "start_line": 6, "end_line": 6})
    rec = Judge(reader=Files(code)).judge(weak)
    assert rec["verdict"] == "false_positive" and "passes usedforsecurity=False" in rec["reasons"][0]["evidence"]
    secure = code.replace(", usedforsecurity=False", "")
    assert Judge(reader=Files(secure)).judge(weak)["verdict"] == "true_positive"


def test_a_finding_in_test_code_is_named_with_its_statement_and_test_but_a_secret_rules_value_never():
    """Round 16: "the reason (test code) would fit any finding in any test file" (B404, B108, B103, B603 in tests)."""
    code = ("import os\n\n\ndef test_cli_creates_source(self):\n    options = {'dbpath': '/tmp/test.db'}\n"
            "    password = 'hunter22'\n")
    b108 = finding(tool="bandit", rule_id="B108", title="Probable insecure usage of temp file/directory.",
                   location={"path": "tests/test_cli.py", "start_line": 5, "end_line": 5})
    ev = Judge(reader=Files(code)).judge(b108)["reasons"][0]["evidence"]
    assert ev == ("not run by the application: tests/test_cli.py is test code (line 5: `options = {'dbpath': '/tmp/test.db'}`, "
                  "in test_cli_creates_source())")
    b105 = finding(tool="bandit", rule_id="B105", title="Possible hardcoded password: 'hunter22'",
                   location={"path": "tests/test_cli.py", "start_line": 6, "end_line": 6})
    assert "hunter22" not in str(Judge(reader=Files(code)).judge(b105))
    spec = "describe('alerts', () => {\n  it('creates a user', () => {\n    cy.exec('rm -rf /tmp/x');\n  });\n});\n"
    js = finding(tool="semgrep", rule_id="js-exec", title="exec", location={"path": "cypress/e2e/alert.spec.js", "start_line": 3})
    assert "in it('creates a user'))" in Judge(reader=Files(spec)).judge(js)["reasons"][0]["evidence"]


RUNNER = '''IOPERATOR_TO_STR = {"Add": "+=", "Sub": "-="}


class Runner:
    @staticmethod
    def inplace(op, x, y):
        if op not in IOPERATOR_TO_STR.values():
            raise Exception("not supported")
        glb = {"x": x, "y": y}
        exec("x" + op + "y", glb)
        return glb["x"]

    def logged(self, op, allowed):
        if op not in allowed:
            print("odd operator")
        exec("x" + op + "y")

    def rebound(self, op, other):
        if op not in ("+", "-"):
            return None
        op = other
        exec("x" + op + "y")

    def two(self, op, tail):
        if op not in ("+", "-"):
            raise ValueError(op)
        exec("x" + op + tail)
'''


def test_a_value_checked_against_a_fixed_allow_list_before_the_sink_is_not_outside_data():
    """redash's Python query runner (round 16): the operator is one of RestrictedPython's fixed table before exec."""
    b102 = finding(tool="bandit", rule_id="B102", title="Use of exec detected.",
                   location={"path": "redash/query_runner/python.py", "start_line": 10, "end_line": 10})
    rec = Judge(reader=Files(RUNNER)).judge(b102)
    assert rec["verdict"] == "false_positive"
    assert rec["reasons"][0]["evidence"].startswith("allow-listed: redash/query_runner/python.py:7 stops unless `op` is one "
                                                    "of `IOPERATOR_TO_STR.values()`, a fixed set, before line 10 uses it")
    for line in (16, 22, 27):  # only logged; rebound after the check; another name in the code text
        assert check_allowlist(dict(b102, location={"path": "redash/query_runner/python.py", "start_line": line}),
                               Files(RUNNER)) is None, line


FINGERPRINTS = '''import hashlib


class Processor:
    def raw_checksum(self):
        checksum = None
        if self.content:
            checksum = hashlib.md5(self.content.encode('utf-8')).hexdigest()
        return checksum

    def run(self, watch):
        current_md5 = hashlib.md5(self.screenshot).hexdigest()
        update_obj = {'previous_md5': hashlib.md5(self.screenshot).hexdigest(), 'last_error': False}
        update_obj["checksum"] = hashlib.md5(self.text.encode()).hexdigest()
        password_md5 = hashlib.md5(self.password.encode()).hexdigest()
        token_checksum = hashlib.md5(self.api_token.encode()).hexdigest()
        return current_md5, password_md5, token_checksum
'''


def test_a_digest_stored_as_a_change_detection_fingerprint_is_not_a_security_use():
    """changedetection.io (set 12): MD5 of fetched content or a screenshot, kept as checksum / previous_md5."""
    for line, shown in ((8, "sets checksum"), (12, "sets current_md5"), (13, "sets the key 'previous_md5'"),
                        (14, "sets update_obj['checksum']")):
        rec = Judge(reader=Files(FINGERPRINTS)).judge(finding(
            tool="semgrep", rule_id="python-weak-hash-md5-sha1", title="weak hash (MD5/SHA1)",
            location={"path": "processors/base.py", "start_line": line, "end_line": line}))
        assert rec["verdict"] == "false_positive" and shown in rec["reasons"][0]["evidence"], line
    for line in (15, 16):  # a password's or a token's digest under a fingerprint-like name: a finding
        rec = Judge(reader=Files(FINGERPRINTS)).judge(finding(
            tool="semgrep", rule_id="python-weak-hash-md5-sha1", title="weak hash (MD5/SHA1)",
            location={"path": "processors/base.py", "start_line": line, "end_line": line}))
        assert rec["verdict"] == "true_positive", line


def test_zero_address_inside_an_outgoing_url_is_no_bind():
    """opentelemetry-demo's agent (set 12): the MCP server's URL defaults to http://0.0.0.0:8011/mcp."""
    code = ("import os\n\n\nclass Agent:\n    def __init__(self):\n"
            "        self.url = f\"http://{os.getenv('MCP_ENDPOINT', '0.0.0.0')}:{os.getenv('MCP_PORT', '8011')}/mcp\"\n"
            "        self.host = os.getenv('HOST', '0.0.0.0')\n")
    b104 = finding(tool="bandit", rule_id="B104", title="Possible binding to all interfaces.",
                   location={"path": "src/agent/agents.py", "start_line": 6, "end_line": 6})
    rec = Judge(reader=Files(code)).judge(b104)
    assert rec["verdict"] == "false_positive"
    assert rec["reasons"][0]["evidence"].startswith("not a bind: at src/agent/agents.py:6 '0.0.0.0' is the default host of a http:// URL")
    assert Judge(reader=Files(code)).judge(dict(b104, location={"path": "src/agent/agents.py", "start_line": 7}))["verdict"] == "true_positive"


def test_a_digest_that_only_becomes_a_number_is_a_colour_not_a_security_use():
    """ArchiveBox's tag pills and changedetection.io's badges (round 17): hue = int(digest[:4], 16) % 360."""
    code = ("import hashlib\n\n\ndef tag_style(value):\n    digest = hashlib.md5(value.encode('utf-8')).hexdigest()\n"
            "    hue = int(digest[:4], 16) % 360\n    return f'hsl({hue}, 70%, 92%)'\n\n\n"
            "def badge(name):\n    hash_obj = hashlib.md5(name.encode('utf-8'))\n    return int(hash_obj.hexdigest()[:8], 16)\n\n\n"
            "def sent(value):\n    digest = hashlib.md5(value.encode()).hexdigest()\n    return digest, int(digest[:4], 16)\n")
    for line in (5, 11):
        rec = Judge(reader=Files(code)).judge(finding(tool="semgrep", rule_id="python-weak-hash-md5-sha1", title="weak hash",
                                                      location={"path": "core/widgets.py", "start_line": line}))
        assert rec["verdict"] == "false_positive" and "only becomes a number" in rec["reasons"][0]["evidence"], line
    rec = Judge(reader=Files(code)).judge(finding(tool="semgrep", rule_id="python-weak-hash-md5-sha1", title="weak hash",
                                                  location={"path": "core/widgets.py", "start_line": 16}))
    assert rec["verdict"] == "true_positive"  # the digest itself leaves the function too


def test_strings_that_only_name_settings_are_not_a_secrets_value():
    """changedetection.io's tests (round 17): B105 quoted the dict keys token_budget_month, max_tokens_per_count_period."""
    ev = classify(["token_budget_month", "max_tokens_per_count_period"], "B105")
    assert ev["class"] == "name"
    f = finding(tool="bandit", rule_id="B105", title="Possible hardcoded password: 'token_budget_month'",
                location={"path": "app/budget.py", "start_line": 3, "end_line": 3}, secret_evidence=ev)
    rec = Judge().judge(f)
    assert rec["verdict"] == "false_positive" and rec["reasons"][0]["evidence"].startswith("not a credential: the flagged strings are identifiers made of words")
    assert classify(["SECRET_KEY", "s3cr3t-Value-99"], "B105")["class"] != "name"  # a value beside the name decides
    assert classify(["secret"], "B105")["class"] != "name"  # a word can be the value itself
