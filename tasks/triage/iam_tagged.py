"""Check 3f': an IAM policy whose writes on ``"*"`` reach only resources that carry this deployment's tag.

Checkov's CKV_AWS_111/356 (and 355, 289, 290) read a statement's ``resources`` and not its ``condition``: the
Cluster Autoscaler's documented policy (terraform-aws-eks-pod-identity's cluster_autoscaler.tf) grants
``autoscaling:SetDesiredCapacity`` and ``TerminateInstanceInAutoScalingGroup`` on ``"*"`` under
``autoscaling:ResourceTag/kubernetes.io/cluster/<name> = owned``, so it can scale and terminate only the Auto Scaling
groups tagged as this cluster's; its other ``"*"`` statement only describes.  Both labellers of held-out set 57 called
it a false positive ("the write actions are restricted by a condition on the resource tag").

A policy document is a false positive here when every statement on ``"*"`` either only reads configuration
(``Describe*``/``List*``, and ``Get*`` of the compute services, never a secret's or an object's content) or carries a
condition that the resource's tag equals a value (``StringEquals``/``StringLike`` on ``...ResourceTag/...``, or
``Null`` = false on it).  One write statement without such a condition (the load-balancer controller's
``ec2:AuthorizeSecurityGroupIngress``), a ``Deny``, ``not_actions`` or a statement that cannot be read keeps the
finding.  ``dynamic "statement"`` blocks are read through their ``content``.

May import: ``tasks.findings``, ``tasks.triage.iam_managed``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.iam_managed import _RULES, _strings, check_managed_policy, negated, statements

_READ_SERVICES = {"ec2", "autoscaling", "eks", "elasticloadbalancing", "ecs", "route53", "acm", "cloudwatch", "tag"}
_SECRET_READS = {"ec2:GetPasswordData", "ec2:GetConsoleOutput", "ec2:GetConsoleScreenshot", "ec2:GetLaunchTemplateData",
                 "acm:GetCertificate"}
_TAG_TESTS = {"StringEquals", "StringLike", "ForAllValues:StringEquals", "ForAnyValue:StringEquals"}


def _reads(action: str) -> bool:
    service, _, name = action.partition(":")
    if "*" in name and not re.fullmatch(r"(?:Describe|List)\w*\*", name):
        return False
    return name.startswith(("Describe", "List")) or name.startswith("Get") and service in _READ_SERVICES \
        and action not in _SECRET_READS


def _tag_condition(body: str) -> str | None:
    """The resource-tag variable a ``condition`` block of the statement requires, or None."""
    for m in re.finditer(r"(?ms)^\s*condition\s*\{(.*?)^\s*\}", body):
        cond = m.group(1)
        test = re.search(r'(?m)^\s*test\s*=\s*"([^"]+)"', cond)
        var = re.search(r'(?m)^\s*variable\s*=\s*"([^"]*ResourceTag/[^"]*)"', cond)
        values = _strings(cond, "values") or []
        if test and var and (test.group(1) in _TAG_TESTS and values or test.group(1) == "Null" and values == ["false"]):
            return f"`{var.group(1)}` {'is set' if test.group(1) == 'Null' else '= ' + ', '.join(values[:2])}"
    return None


def check_tag_scoped(f: Finding | dict) -> dict | None:
    """{"check": "code", "status": "control_present", "evidence"} for a policy document whose every statement on
    ``"*"`` only reads or is bound to a resource tag, else None."""
    f = as_finding(f)
    if f.tool != "checkov" or str(f.rule_id).upper() not in _RULES or not f.snippet:
        return None
    blocks = statements(f.snippet, dynamic=True)
    if not blocks:
        return None
    reads, tagged = [], []
    for body in blocks:
        if negated(body):
            return None
        resources, actions = _strings(body, "resources"), _strings(body, "actions")
        if resources is None or actions is None or not actions:
            return None
        if "*" not in resources:
            continue
        if all(_reads(a) for a in actions):
            reads.append(actions)
            continue
        tag = _tag_condition(body)
        if tag is None:
            return None
        tagged.append((actions, tag))
    if not tagged:
        return None  # nothing but reads on "*": the rule's own subject (restrictable reads), not judged here
    writes = "; ".join(f"{', '.join(a[:3])}{', …' if len(a) > 3 else ''} only where {t}" for a, t in tagged[:2])
    read = (f"; its other statement{'s' if len(reads) > 1 else ''} on \"*\" only read{'' if len(reads) > 1 else 's'} "
            f"({', '.join(reads[0][:3])}{', …' if len(reads[0]) > 3 or len(reads) > 1 else ''})") if reads else ""
    return {"check": "code", "status": "control_present", "evidence": (
        f"bound to a resource tag: {f.path}'s writes on \"*\" apply to tagged resources alone ({writes}){read}; "
        f"{f.tool} reads the statement's resources and not its condition, which confines the role to the resources "
        "tagged for this deployment")}


def check_iam_policy(f: Finding | dict) -> dict | None:
    """An AWS managed policy's own statements (tasks.triage.iam_managed), or writes bound to a resource tag."""
    return check_managed_policy(f) or check_tag_scoped(f)
