"""Download new CI artifacts: the latest successful workflow runs on a branch.

    python -m tasks.fetch_artifacts [--repo owner/name] [--branch main] [--commit SHA] [--workflow ci.yml]

Each new run's artifact zips are extracted safely into
``data/artifacts/<run-id>/<artifact>/``; ``<run-id>/run.json`` records the
run's provenance (run id, branch, commit, created_at, workflow) and marks
the run as fetched, so nothing is fetched twice.  Everything the GitHub API
says is untrusted: a run id must be digits, an artifact name becomes a safe
slug (a name that had to change gets a hash of the original, so ``a b`` and
``a_b`` never share a folder), and every destination is checked to stay
inside ``data/artifacts``.  An artifact that fails any check (bad zip, bad
size, reserved or duplicate name) is refused with its reason in run.json's
``refused`` and writes nothing; the other artifacts and runs go on.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tasks.core import atomic, network
from tasks.core.errors import SecftError, os_error_line, run_command
from tasks.core.hashing import sha256_text
from tasks.ingest import safezip
from tasks.ingest.fetch_failures import Ledger
from tasks.ingest.github import GitHub, HTTPStatusError

ARTIFACTS = Path("data/artifacts")
RESERVED = {"run.json", "sources.md", "readme.md"}
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_SHA = re.compile(r"^[0-9a-f]{40}$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def fetched_runs(root: Path) -> set[str]:
    return {p.parent.name for p in root.glob("*/run.json")}


def run_id_of(run: dict) -> str | None:
    """The run id as a digit string, or None when the API sent anything else."""
    rid = run.get("id") if isinstance(run, dict) else None
    if isinstance(rid, bool):
        return None
    if isinstance(rid, int) and rid >= 0:
        return str(rid)
    if isinstance(rid, str) and rid.isascii() and rid.isdigit() and len(rid) <= 20:
        return rid
    return None


def safe_name(name: object, fallback: str) -> str:
    """A folder name for an artifact: the name itself when it is already safe, else slug + hash."""
    if not isinstance(name, str) or not name.strip():
        name = fallback
    if _SAFE.match(name) and not name.endswith("."):
        return name
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")[:80] or "artifact"
    return f"{slug}-{sha256_text(name)[:8]}"


def _text(value: object, pattern: re.Pattern | None = None, limit: int = 200) -> str | None:
    if not isinstance(value, str) or not value or len(value) > limit:
        return None
    return value if pattern is None or pattern.match(value) else None


def _record(run: dict, run_id: str) -> dict:
    return {
        "run_id": run_id, "branch": _text(run.get("head_branch")), "commit": _text(run.get("head_sha"), _SHA),
        "created_at": _text(run.get("created_at"), _ISO), "workflow": _text(run.get("name")),
        "run_number": run.get("run_number") if isinstance(run.get("run_number"), int) else None,
        "url": _text(run.get("html_url"), limit=2000),
        "fetched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "artifacts": [], "refused": [],
    }


def _fetch_one(client: GitHub, art: dict, name: str, run_dir: Path, root: Path, max_zip_bytes: int, label: str) -> list[str]:
    size = art.get("size_in_bytes")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise SecftError(f"size_in_bytes is {size!r}, not a byte count")
    if size > max_zip_bytes:
        raise SecftError(f"{size} bytes, over daemon.max_zip_bytes={max_zip_bytes}")
    url = art.get("archive_download_url")
    dest = atomic.inside(run_dir / name, root, "artifact folder")
    with tempfile.NamedTemporaryFile(dir=root, prefix=".download-", suffix=".zip") as tmp:
        client.download(url, tmp, max_zip_bytes, size)
        return safezip.extract(Path(tmp.name), dest, max_total=max_zip_bytes * 4, root=root, label=label)


def _clean_stale_downloads(root: Path, max_age: float = 86400) -> None:
    """Remove download files a killed fetch left behind (a day old: never one that is in progress)."""
    for leftover in root.glob(".download-*.zip"):
        try:
            if time.time() - leftover.stat().st_mtime > max_age:
                leftover.unlink()
        except OSError:
            pass


def fetch(client: GitHub, branch: str | None, root: Path = ARTIFACTS, workflow: str | None = None,
          commit: str | None = None, max_zip_bytes: int = 512 << 20, log=print, retries: int = 5,
          backoff: float = 600, clock=time.time) -> dict:
    """Fetch every successful run not fetched yet (oldest first); returns what was done.

    A run the API describes badly is skipped (logged); an artifact that fails
    a check is refused in its run's run.json.  A run whose artifacts could not
    be downloaded (404/5xx, a dropped connection, a deadline) is left for a
    later fetch with back-off, a bounded number of times
    (``tasks.ingest.fetch_failures``), and the other runs go on.  Network
    failures of the run listing end the fetch (one line), nothing marked fetched.
    """
    root.mkdir(parents=True, exist_ok=True)
    _clean_stale_downloads(root)
    done = fetched_runs(root)
    ledger = Ledger(root, retries, backoff, clock)
    result: dict = {"new_runs": [], "artifacts": 0, "refused": [], "retry_later": []}
    runs = []
    for run in client.successful_runs(branch, workflow, commit):
        run_id = run_id_of(run)
        if run_id is None:
            log(f"fetch: skipped a workflow run with id {str(run.get('id'))[:60]!r}: not a number")
            continue
        if run_id not in done:
            runs.append((run, run_id))
    runs.sort(key=lambda r: (str(r[0].get("created_at") or ""), int(r[1])))
    for run, run_id in runs:
        waiting = ledger.waiting(run_id)
        if waiting:
            log(f"fetch: run {run_id}: waiting to retry (attempt {waiting['attempts']} of {retries} failed: "
                f"{waiting['reason']})")
            result["retry_later"].append(run_id)
            continue
        run_dir = atomic.inside(root / run_id, root, "workflow run folder")
        record = _record(run, run_id)
        failures = _fetch_run(client, run_id, run_dir, root, max_zip_bytes, record, log)
        if failures:
            reason = "; ".join(f"{name!r}: {why}" for name, why in failures)[:500]
            entry = ledger.failed(run_id, reason)
            if entry is not None:  # not this time: nothing of the run is kept, a later fetch tries again
                shutil.rmtree(run_dir, ignore_errors=True)
                log(f"fetch: run {run_id}: download failed ({reason}); retry {entry['attempts']} of {retries} "
                    f"in {entry['wait_seconds']:g} s; other runs go on")
                result["retry_later"].append(run_id)
                continue
            record["refused"] += [{"name": name, "reason": f"gave up after {retries + 1} attempt(s): {why}"}
                                  for name, why in failures]
        atomic.write_json(run_dir / "run.json", record)  # written last: marks the run as fetched
        ledger.succeeded(run_id)
        result["new_runs"].append(run_id)
        result["artifacts"] += len(record["artifacts"])
        result["refused"] += [{"run_id": run_id, **r} for r in record["refused"]]
        log(f"fetch: run {run_id} ({record['branch']}@{(record['commit'] or '')[:12]}): "
            f"{len(record['artifacts'])} artifact(s), {len(record['refused'])} refused")
    return result


def _fetch_run(client: GitHub, run_id: str, run_dir: Path, root: Path, max_zip_bytes: int, record: dict,
               log) -> list[tuple[str, str]]:
    """Download a run's artifacts into ``run_dir``, filling ``record``; returns the downloads that failed."""
    try:
        artifacts = client.run_artifacts(run_id)
    except (network.NetworkError, HTTPStatusError) as exc:
        return [("(artifact list)", str(exc))]
    used: set[str] = set()
    failures = []
    for art in artifacts:
        raw = art.get("name")
        name = safe_name(raw, f"artifact-{art.get('id')}")
        shown = raw if isinstance(raw, str) else name
        try:
            if isinstance(raw, str) and raw.strip().casefold() in RESERVED:
                raise SecftError(f"{raw!r} is a reserved name in a run folder")
            if name.casefold() in used:
                raise SecftError(f"another artifact of this run is already named {name!r}")
            used.add(name.casefold())
            files = _fetch_one(client, art, name, run_dir, root, max_zip_bytes, f"artifact {shown!r} of run {run_id}")
        except (network.NetworkError, HTTPStatusError) as exc:
            failures.append((shown, str(exc)))  # not the artifact's fault, or not for good: retried later
            continue
        except SecftError as exc:
            reason = str(exc)
            record["refused"].append({"name": shown, "reason": reason})
            log(f"fetch: run {run_id}: refused artifact {shown!r}: {reason}")
            continue
        record["artifacts"].append({"name": shown, "folder": name, "files": files})
    return failures


def fetch_configured(daemon_cfg: dict, client: GitHub | None = None, repo: str | None = None, branch: str | None = None,
                     workflow: str | None = None, commit: str | None = None, log=print, net: dict | None = None) -> dict:
    """``fetch`` with the ``daemon`` config section's settings (arguments override them)."""
    if client is None:
        repo = repo or daemon_cfg["github_repo"]
        if not repo:
            raise SecftError("no repository: pass --repo owner/name or set daemon.github_repo in config/pipeline.yaml")
        client = GitHub(repo, net=net, log=log)
    try:
        return fetch(client, branch or daemon_cfg["branch"], ARTIFACTS, workflow or daemon_cfg["workflow"], commit,
                     daemon_cfg["max_zip_bytes"], log=log, retries=int(daemon_cfg.get("fetch_retries", 5)),
                     backoff=float(daemon_cfg.get("fetch_retry_backoff_seconds", 600)))
    except OSError as exc:  # read-only or full data/: one line naming the path
        raise SecftError(os_error_line(exc, ARTIFACTS)) from None


def fetch_task(daemon_cfg: dict, net: dict | None = None) -> dict:
    """The ``fetch_artifacts`` doit task: fetch with the configured settings; how many new runs arrived."""
    return {"new_runs": fetch_configured(daemon_cfg, net=net)["new_runs"]}


def main(argv: list[str] | None = None) -> int:
    from tasks.core.config import load_config

    p = argparse.ArgumentParser(prog="python -m tasks.fetch_artifacts", description=__doc__.splitlines()[0])
    p.add_argument("--repo", help="owner/name (default: daemon.github_repo)")
    p.add_argument("--branch", help="branch (default: daemon.branch)")
    p.add_argument("--commit", help="only runs of this commit")
    p.add_argument("--workflow", help="workflow file name (default: daemon.workflow)")
    p.add_argument("--profile")
    args = p.parse_args(argv)

    def fetch() -> int:
        config = load_config(profile=args.profile)
        print(json.dumps(fetch_configured(config["daemon"], repo=args.repo, branch=args.branch, workflow=args.workflow,
                                          commit=args.commit, net=config.get("network"))))
        return 0

    return run_command(fetch, ARTIFACTS)


if __name__ == "__main__":
    sys.exit(main())
