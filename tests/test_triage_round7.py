"""Seventh session's triage classes, each with a finding it flags and one it leaves alone."""

from __future__ import annotations

from test_triage_hygiene import checkov

from tasks.triage.iam_managed import check_managed_policy, statements
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
