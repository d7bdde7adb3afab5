"""Download new CI artifacts: the latest successful workflow runs on a branch.

    python -m tasks.fetch_artifacts [--repo owner/name] [--branch main] [--commit SHA] [--workflow ci.yml]

Each new run's artifact zips are extracted safely into
``data/artifacts/<run-id>/<artifact>/``; ``<run-id>/run.json`` records the
run's branch and commit (they reach every finding's provenance) and marks
the run as fetched, so nothing is fetched twice.  An artifact that fails
the safety checks is skipped, listed in run.json, and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

from tasks import atomic, safezip
from tasks.errors import SecftError
from tasks.github import GitHub

ARTIFACTS = Path("data/artifacts")


def fetched_runs(root: Path) -> set[str]:
    return {p.parent.name for p in root.glob("*/run.json")}


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "artifact"


def fetch(client: GitHub, branch: str | None, root: Path = ARTIFACTS, workflow: str | None = None,
          commit: str | None = None, max_zip_bytes: int = 512 << 20, log=print) -> dict:
    """Fetch every successful run not fetched yet (oldest first); returns what was done."""
    root.mkdir(parents=True, exist_ok=True)
    done = fetched_runs(root)
    runs = [r for r in client.successful_runs(branch, workflow, commit) if str(r["id"]) not in done]
    result: dict = {"new_runs": [], "artifacts": 0, "rejected": []}
    for run in sorted(runs, key=lambda r: (r.get("created_at") or "", r["id"])):
        run_dir = root / str(run["id"])
        record = {
            "run_id": run["id"], "branch": run.get("head_branch"), "commit": run.get("head_sha"),
            "workflow": run.get("name"), "run_number": run.get("run_number"), "url": run.get("html_url"),
            "fetched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "artifacts": [], "rejected": [],
        }
        for art in client.run_artifacts(run["id"]):
            name = _safe_name(art.get("name", str(art.get("id"))))
            if art.get("size_in_bytes", 0) > max_zip_bytes:
                record["rejected"].append({"artifact": name, "error": f"{art['size_in_bytes']} bytes, over daemon.max_zip_bytes"})
                continue
            with tempfile.NamedTemporaryFile(dir=root, prefix=".download-", suffix=".zip") as tmp:
                try:
                    for chunk in client.download(art["archive_download_url"], max_zip_bytes):
                        tmp.write(chunk)
                    tmp.flush()
                    files = safezip.extract(Path(tmp.name), run_dir / name, max_total=max_zip_bytes * 4)
                except SecftError as exc:
                    message = str(exc).replace(tmp.name, f"artifact {name} of run {run['id']}")
                    record["rejected"].append({"artifact": name, "error": message})
                    log(f"fetch: {message}")
                    continue
            record["artifacts"].append({"name": name, "files": files})
            result["artifacts"] += 1
        atomic.write_json(run_dir / "run.json", record)  # written last: marks the run as fetched
        result["new_runs"].append(run["id"])
        result["rejected"] += record["rejected"]
        log(f"fetch: run {run['id']} ({record['branch']}@{(record['commit'] or '')[:12]}): {len(record['artifacts'])} artifact(s)")
    return result


def fetch_configured(daemon_cfg: dict, client: GitHub | None = None, repo: str | None = None, branch: str | None = None,
                     workflow: str | None = None, commit: str | None = None, log=print) -> dict:
    """``fetch`` with the ``daemon`` config section's settings (arguments override them)."""
    if client is None:
        repo = repo or daemon_cfg["github_repo"]
        if not repo:
            raise SecftError("no repository: pass --repo owner/name or set daemon.github_repo in config/pipeline.yaml")
        client = GitHub(repo)
    return fetch(client, branch or daemon_cfg["branch"], ARTIFACTS, workflow or daemon_cfg["workflow"], commit,
                 daemon_cfg["max_zip_bytes"], log=log)


def main(argv: list[str] | None = None) -> int:
    from tasks.config import load_config

    p = argparse.ArgumentParser(prog="python -m tasks.fetch_artifacts", description=__doc__.splitlines()[0])
    p.add_argument("--repo", help="owner/name (default: daemon.github_repo)")
    p.add_argument("--branch", help="branch (default: daemon.branch)")
    p.add_argument("--commit", help="only runs of this commit")
    p.add_argument("--workflow", help="workflow file name (default: daemon.workflow)")
    p.add_argument("--profile")
    args = p.parse_args(argv)
    try:
        cfg = load_config(profile=args.profile)["daemon"]
        result = fetch_configured(cfg, repo=args.repo, branch=args.branch, workflow=args.workflow, commit=args.commit)
    except SecftError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
