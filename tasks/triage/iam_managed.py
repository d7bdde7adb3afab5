"""Check 3f: an IAM policy whose statements on ``"*"`` grant only what one of AWS's own managed policies grants there.

Checkov's CKV_AWS_111 (write access without constraints), CKV_AWS_356 / 355 (``"*"`` as the resource of
restrictable actions) and CKV_AWS_289 / 290 (permissions management / write access without constraints) flag
every statement whose resource is ``"*"``.  A module that copies an AWS managed policy into its own role
(terraform-aws-modules/ecs "Pulled from AmazonECSTaskExecutionRolePolicy") grants nothing beyond what AWS itself
grants on ``"*"`` to every team that attaches that policy: pulling images from ECR and writing a task's logs, or
the ECS service role's load-balancer registration.  Such a statement is the documented shape of the role, so the
finding is a false positive; one action outside the table keeps it.

The table holds the managed policies' own statements (their ``Resource`` is ``"*"``), as published in the AWS
Managed Policy Reference.  Only HCL ``statement { ... }`` blocks of an ``aws_iam_policy_document`` are read, from
the report's code block: an ``Allow`` statement whose ``resources`` is ``["*"]`` must list only actions of one
table entry; statements on named resources (ARNs, a variable) are not what these checks are about; ``not_actions``, a ``Deny``, a
wildcard service (``ecr:*``), or a statement that cannot be read leaves the finding as it is.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding

_RULES = {"CKV_AWS_111", "CKV_AWS_356", "CKV_AWS_355", "CKV_AWS_289", "CKV_AWS_290"}
MANAGED: dict[str, frozenset[str]] = {
    "AmazonECSTaskExecutionRolePolicy": frozenset({
        "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
        "logs:CreateLogStream", "logs:PutLogEvents"}),
    "AmazonEC2ContainerServiceRole": frozenset({
        "ec2:AuthorizeSecurityGroupIngress", "ec2:Describe*", "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
        "elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:Describe*",
        "elasticloadbalancing:RegisterInstancesWithLoadBalancer", "elasticloadbalancing:RegisterTargets"}),
    "AmazonEC2ContainerServiceforEC2Role": frozenset({
        "ec2:DescribeTags", "ecs:CreateCluster", "ecs:DeregisterContainerInstance", "ecs:DiscoverPollEndpoint", "ecs:Poll",
        "ecs:RegisterContainerInstance", "ecs:StartTelemetrySession", "ecs:UpdateContainerInstancesState", "ecs:Submit*",
        "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
        "logs:CreateLogStream", "logs:PutLogEvents"}),
}
_LIST = r"\[([^\]]*)\]"


def statements(code: str, dynamic: bool = False) -> list[str] | None:
    """The bodies of the HCL ``statement { ... }`` blocks (braces matched), or None when one does not close; with
    ``dynamic``, also the ``content { }`` of each ``dynamic "statement" { }`` (None when one has no content)."""
    out = []
    opening = r'(?m)^\s*(?:statement|dynamic\s+"statement")\s*\{' if dynamic else r"(?m)^\s*statement\s*\{"
    for m in re.finditer(opening, code):
        depth, i = 1, m.end()
        while depth and i < len(code):
            depth += {"{": 1, "}": -1}.get(code[i], 0)
            i += 1
        if depth:
            return None
        body = code[m.end():i - 1]
        if m.group(0).lstrip().startswith("dynamic"):
            inner = re.search(r"(?m)^\s*content\s*\{", body)
            if inner is None:
                return None
            body = body[inner.end():]
        out.append(body)
    return out


def negated(body: str) -> bool:
    """A ``Deny``, ``not_actions`` or ``not_resources`` statement: neither check reads what it leaves allowed."""
    return bool(re.search(r"(?m)^\s*(?:not_actions|not_resources)\s*=", body) or re.search(r'(?m)^\s*effect\s*=\s*"Deny"', body))


def _strings(body: str, key: str) -> list[str] | None:
    m = re.search(rf"(?m)^\s*{key}\s*=\s*{_LIST}", body)
    return re.findall(r'"([^"]*)"', m.group(1)) if m else None


def check_managed_policy(f: Finding | dict) -> dict | None:
    f = as_finding(f)
    if f.tool != "checkov" or str(f.rule_id).upper() not in _RULES or not f.snippet:
        return None
    blocks = statements(f.snippet)
    if not blocks:
        return None
    matched = []
    for body in blocks:
        if negated(body):
            return None
        if not re.search(r"(?m)^\s*resources\s*=", body):
            return None
        resources, actions = _strings(body, "resources"), _strings(body, "actions")
        if resources is None or "*" not in resources:
            continue  # named resources (a list of ARNs, var.ssm_param_arns): not what these checks flag
        if actions is None:
            return None
        policy = next((name for name, allowed in MANAGED.items() if actions and set(actions) <= allowed), None)
        if policy is None:
            return None
        matched.append((policy, actions))
    if not matched:
        return None
    shown = "; ".join(f"{', '.join(a[:4])}{', …' if len(a) > 4 else ''} ({p})" for p, a in matched[:3])
    return {"check": "code", "status": "managed_policy_equivalent",
            "evidence": f"not beyond AWS's own policy: every statement of {f.path} on \"*\" grants only actions that the "
                        f"AWS managed policy grants on \"*\" itself: {shown}; the role is the documented shape for "
                        "what it runs"}
