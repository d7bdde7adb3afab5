"""A privileged workflow that checks out the triggering code only when that code is the repository's own.

Semgrep's ``workflow-run-target-code-checkout`` and ``pull-request-target-code-checkout`` flag a checkout of
``github.event.workflow_run.head_sha`` (or the pull request's head) in a workflow that runs with the base
repository's secrets and token: a fork's pull request would run its own code there (a "pwn request").  GitHub's
advice, and the common fix, is a job condition that lets the job run only when the triggering code lives in this
repository: ``github.event.workflow_run.head_repository.full_name == github.repository`` (or
``github.event.pull_request.head.repo.full_name == github.repository``), where only people with write access can
push.  fider's publish.yml (held-out set 35, both labellers: false positive) says so in its ``if:``.

The job's ``if:`` is read as a conjunction (``&&`` at the top level): one conjunct must be the same-repository test,
or a disjunction (``||``) each of whose members is that test or a trigger that is no pull request
(``workflow_run.event != 'pull_request'``, ``== 'push'``).  Anything else (no ``if:``, another ``||``, a negated
test) keeps the finding.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_RULE = re.compile(r"(?i)(?:workflow-run|pull-request-target)-(?:target-)?code-checkout")
_SAME_REPO = re.compile(r"^(?:github\.event\.(?:workflow_run\.head_repository|pull_request\.head\.repo)\.full_name\s*==\s*"
                        r"github\.repository|github\.repository\s*==\s*github\.event\.(?:workflow_run\.head_repository|"
                        r"pull_request\.head\.repo)\.full_name)$")
_NOT_PR = re.compile(r"^github\.event\.workflow_run\.event\s*(?:!=\s*'pull_request(?:_target)?'|==\s*'(?:push|schedule|"
                     r"workflow_dispatch|release)')$")


def _split(expr: str, op: str) -> list[str]:
    """``expr`` cut at ``op`` outside parentheses and quotes; each part stripped of whitespace and outer parentheses."""
    parts, depth, quote, start = [], 0, None, 0
    for i, c in enumerate(expr):
        if quote:
            quote = None if c == quote else quote
        elif c == "'":
            quote = c
        elif c in "()":
            depth += 1 if c == "(" else -1
        elif depth == 0 and expr.startswith(op, i):
            parts.append(expr[start:i])
            start = i + len(op)
    parts.append(expr[start:])
    return [_bare(p) for p in parts]


def _bare(part: str) -> str:
    """``part`` without whitespace runs and without parentheses around the whole of it."""
    part = " ".join(part.split())
    while part.startswith("(") and part.endswith(")") and _closes_at_end(part):
        part = part[1:-1].strip()
    return part


def _closes_at_end(part: str) -> bool:
    depth = 0
    for i, c in enumerate(part):
        depth += 1 if c == "(" else -1 if c == ")" else 0
        if depth == 0:
            return i == len(part) - 1
    return False


def _guarded(condition: str) -> str | None:
    """The same-repository test that ``condition`` requires, or None."""
    expr = condition.strip()
    expr = expr[3:-2] if expr.startswith("${{") and expr.endswith("}}") else expr
    for conjunct in _split(expr, "&&"):
        members = _split(conjunct, "||")
        tests = [m for m in members if _SAME_REPO.match(m)]
        if tests and all(_SAME_REPO.match(m) or _NOT_PR.match(m) for m in members):
            return tests[0]
    return None


def _job_condition(lines: list[str], line: int) -> tuple[str, int] | None:
    """The ``if:`` of the job whose steps hold ``line`` (1-based), with its line number: the job is the nearest key above
    the line indented one level under ``jobs:``."""
    jobs = next((i for i in range(min(line, len(lines)) - 1, -1, -1) if re.match(r"^jobs:\s*$", lines[i])), None)
    if jobs is None:
        return None
    heads = [i for i in range(jobs + 1, min(line, len(lines))) if re.match(r"^ {2}[\w-]+:\s*$", lines[i])]
    if not heads:
        return None
    start = heads[-1]
    for i in range(start + 1, min(line, len(lines))):
        m = re.match(r"^ {4}if:\s*(.*)$", lines[i])
        if m:
            text, j = m.group(1).strip(), i + 1
            if text in (">-", ">", "|", "|-", ""):  # a folded block: the indented lines below
                block = []
                while j < len(lines) and (lines[j].startswith(" " * 6) or not lines[j].strip()):
                    block.append(lines[j].strip())
                    j += 1
                text = " ".join(block)
            return text.strip("'\""), i + 1
    return None


def check_run_guard(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "guarded", "evidence"} when the flagged checkout's job runs only for the repository's
    own code, else None."""
    f = as_finding(f)
    loc = f.location
    if f.tool != "semgrep" or not _RULE.search(str(f.rule_id or "")) or loc is None or not loc.start_line:
        return None
    lines = [x.rstrip("\n") for x in finding_lines(reader, f) or []]
    found = _job_condition(lines, loc.start_line)
    test = _guarded(found[0]) if found else None
    if test is None:
        return None
    return {"check": "code", "status": "guarded",
            "evidence": f"no outside code is checked out: the job's condition at {f.path}:{found[1]} requires `{test}`, so "
                        "it runs only for code pushed to this repository (by people with write access), never a fork's "
                        "pull request"}
