"""Phase 1 for the whole CI history as one doit task: parse only the runs that changed.

A year of five-minute polls is tens of thousands of report files.  doit pays
for every task and every file dependency on every run: with one task per
run folder and a dependency per report, a no-op at 10,000 reports took
0.7 s, most of it doit's own bookkeeping (docs/performance.md).  So
``parse_findings:runs`` is one task, and its up-to-date check is one walk:

- ``TreeUnchanged`` lists data/artifacts once (path, size and mtime of
  every report and run.json, plus the archive folder and the runs index;
  tasks/ingest/tree_scan.py) and compares the digest with the one doit stored
  after the last successful run (64 characters in doit's database).
- When it differs, ``parse_all`` compares each run's fingerprint with
  ``data/findings/parse_state.json`` and hands only the changed runs to
  ``parse_runs.parse_run``, which re-parses only the reports whose bytes
  changed.  A large batch (a first parse, a restored history) is spread over
  every usable core.
- It writes ``data/findings/runs_index.json``: each live run's findings file
  with its sha256, and the archived runs' files.  The index is the merge's
  input dependency, so a touched but unchanged report stops the cascade here.

The state file is a cache: deleted or damaged, every run is checked again by
content (sha256), nothing is lost.  Findings files are written atomically
and the state last, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from tasks.core.errors import SecftError
from tasks.core.hashing import sha256_file, sha256_json
from tasks.ingest.artifacts import display, run_output_name, set_local_provenance

STATE_VERSION = 1
PARALLEL_MIN_REPORTS = 1000  # below this, starting worker processes (about 1 s each) costs more than it saves


def _archived(archive: Path) -> list[tuple[str, str]]:
    """(path, stat signature) of every archived run's findings file (tasks/service/prune.py writes them)."""
    from tasks.ingest.tree_scan import signature

    if not archive.is_dir():
        return []
    return sorted((e.path, signature(e.path)) for e in os.scandir(archive) if e.name.endswith(".json") and e.is_file())


def scan(root: Path, archive: Path, cache: Path | None = None) -> dict:
    """The artifacts' run groups with fingerprints, the archived files, and one digest of them all."""
    from tasks.ingest.tree_scan import scan_runs

    groups = scan_runs(root, cache)
    archived = _archived(archive)
    h = hashlib.sha256(f"secft-tree-{STATE_VERSION}\n".encode())
    for g in groups:
        h.update(f"{g['name']}\0{g['fingerprint']}\n".encode())
    for path, sig in archived:
        h.update(os.fsencode(path) + f"\0{sig}\n".encode())
    return {"groups": groups, "archived": archived, "digest": h.hexdigest()}


class TreeUnchanged:
    """doit ``uptodate`` check: has nothing under the artifacts or the archive changed since the last run?

    Like doit's ``config_changed``: the digest goes to doit's database only
    when the task succeeds.  The scan is kept for the action of the same
    process, so the tree is walked once per doit run.
    """

    def __init__(self, root: Path, archive: Path, cache: Path | None = None, index: Path | None = None):
        self.root, self.archive, self.cache, self.index, self.last = Path(root), Path(archive), cache, index, None

    def _with_index(self, digest: str) -> str:
        """The digest with the runs index's own state: an index edited or damaged by hand is rewritten."""
        from tasks.ingest.tree_scan import signature

        if self.index is None:
            return digest
        return hashlib.sha256(f"{digest}\0{signature(self.index)}".encode()).hexdigest()

    def __call__(self, task, values) -> bool:
        self.last = scan(self.root, self.archive, self.cache)
        tree = self.last["digest"]
        task.value_savers.append(lambda: {"tree": self._with_index(tree)})  # after the action: the index it wrote
        return values.get("tree") == self._with_index(tree)

    def take(self) -> dict:
        """The scan made by the check (then forgotten), or a fresh one when the check did not run (doit -a)."""
        last, self.last = self.last, None
        return last or scan(self.root, self.archive, self.cache)


def _read_state(path: Path, key: str) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION or data.get("key") != key:
        return {}
    runs = data.get("runs")
    return runs if isinstance(runs, dict) else {}


def _fresh(entry, group: dict, out: Path) -> bool:
    """The run's files are as when it was last parsed, and its findings file is still the one written."""
    if not isinstance(entry, dict) or entry.get("fingerprint") != group["fingerprint"] or not isinstance(entry.get("sha256"), str):
        return False
    try:
        return out.stat().st_size == entry.get("size")
    except OSError:
        return False


def _parse_one(job: dict) -> dict:
    """Parse one run (in this process or a worker): the findings file's sha256 and size with the counts."""
    from tasks.findings.runs import parse_run

    out = Path(job["out"])
    try:
        result = parse_run(job["files"], job["folder"], job["run_json"], job["root"], out,
                           job["on_error"], job["max_bytes"], job["code_key"], log=None)
    except SecftError as exc:  # its subclasses (WriteError) need their own arguments to cross a process boundary
        raise SecftError(str(exc)) from None
    return {**result, "name": job["name"], "fingerprint": job["fingerprint"], "sha256": sha256_file(out),
            "size": out.stat().st_size}


def _worker_init(local_provenance: dict) -> None:
    set_local_provenance(local_provenance)  # what dodo.py set from branch=/commit= in the parent


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _run_jobs(jobs: list[dict], workers: int, local_provenance: dict, done) -> None:
    """Parse ``jobs``, calling ``done(result)`` for each as it finishes; the first error is raised after the rest stop."""
    reports = sum(len(j["files"]) for j in jobs)
    if workers <= 1 or len(jobs) < 2 or reports < PARALLEL_MIN_REPORTS:
        for job in jobs:
            done(_parse_one(job))
        return
    import multiprocessing
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    # spawn: the same on Linux and macOS, and nothing of doit's process (its database, the run lock) is inherited
    context = multiprocessing.get_context("spawn")
    error = None
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context,
                             initializer=_worker_init, initargs=(local_provenance,)) as pool:
        pending = {pool.submit(_parse_one, job): job for job in jobs}
        while pending and error is None:
            finished, _ = wait(pending, return_when=FIRST_EXCEPTION)
            for future in finished:
                job = pending.pop(future)
                try:
                    done(future.result())
                except SecftError as exc:
                    error = error or exc
                except BrokenProcessPool:
                    error = error or SecftError(f"{display(job['folder']) or '.'}: a parse worker process died "
                                                "(out of memory?); run doit again, or set parse.workers: 1")
        for future in pending:
            future.cancel()
    if error is not None:
        raise error


def parse_all(root: Path, by_run: Path, archive: Path, state_path: Path, index_path: Path, check: TreeUnchanged | None,
              on_error: str, max_bytes: int, code_key: str, local_provenance: dict, workers: int | None = None) -> None:
    """Bring every run's findings file up to date with its reports; write the runs index and the state."""
    from tasks.core.atomic import write_json
    from tasks.findings.parse import write_if_changed

    tree = check.take() if check is not None else scan(root, archive)
    key = sha256_json({"code": code_key, "on_error": on_error, "max_bytes": max_bytes, "local": local_provenance,
                       "version": STATE_VERSION})
    before = _read_state(state_path, key)
    state: dict = {}
    jobs = []
    for group in tree["groups"]:
        out = by_run / run_output_name(group)
        entry = before.get(group["name"])
        if _fresh(entry, group, out):
            state[group["name"]] = entry
            continue
        jobs.append({"name": group["name"], "files": group["files"], "folder": group["folder"], "run_json": group["run_json"],
                     "root": root, "out": str(out), "on_error": on_error, "max_bytes": max_bytes, "code_key": code_key,
                     "fingerprint": group["fingerprint"]})
    counts = {"parsed": 0, "reports": 0}

    def done(result: dict) -> None:
        print(result["line"], flush=True)
        counts["parsed"] += result["parsed"]
        counts["reports"] += result["reports"]
        state[result["name"]] = {k: result[k] for k in ("fingerprint", "sha256", "size")}

    try:
        _run_jobs(jobs, workers or usable_cores(), local_provenance, done)
    finally:  # what was parsed is kept, even when one run failed: the next run starts from there
        write_json(state_path, {"version": STATE_VERSION, "key": key, "runs": dict(sorted(state.items()))})
    live = [{"run": g["name"], "path": (by_run / run_output_name(g)).as_posix(), "sha256": state[g["name"]]["sha256"]}
            for g in tree["groups"]]
    names = {Path(e["path"]).name for e in live}
    archived = [{"path": Path(p).as_posix(), "stat": sig} for p, sig in tree["archived"] if Path(p).name not in names]
    write_if_changed(index_path, json.dumps({"version": STATE_VERSION, "runs": live, "archived": archived},
                                            indent=1, sort_keys=True) + "\n")
    if jobs:
        print(f"parse_findings: {len(jobs)} of {len(tree['groups'])} run(s) changed; "
              f"parsed {counts['parsed']} of their {counts['reports']} report(s)")


def index_paths(index_path: Path) -> list[Path]:
    """The findings files the runs index names, live runs first (the merge's input), all inside its folder."""
    try:
        data = json.loads(Path(index_path).read_text(encoding="utf-8"))
        paths = [Path(e["path"]) for e in data["runs"]] + [Path(e["path"]) for e in data["archived"]]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        raise SecftError(f"{index_path}: unreadable runs index; run doit parse_findings again") from None
    home = Path(index_path).parent.resolve()
    for path in paths:
        if not path.resolve().is_relative_to(home):
            raise SecftError(f"{index_path}: names {display(str(path))}, outside {Path(index_path).parent}; "
                             "delete the index and run doit parse_findings again")
    return paths


def state_outputs(state_path: Path, by_run: Path) -> list[str]:
    """The findings files the last successful parse wrote (doit targets: a deleted one re-runs the parse)."""
    try:
        runs = json.loads(Path(state_path).read_text(encoding="utf-8")).get("runs") or {}
    except (OSError, ValueError, AttributeError, RecursionError):
        return []
    if not isinstance(runs, dict):
        return []
    return [str(by_run / f"{name}.json") for name in runs if isinstance(name, str) and _OUTPUT_NAME.fullmatch(name)]


# the names tasks.ingest.artifacts.group_name gives: a damaged state file never makes doit clean delete elsewhere
_OUTPUT_NAME = re.compile(r"~?[A-Za-z0-9][A-Za-z0-9._-]{0,120}")


def parser_code_key(code: Path) -> str:
    """sha256 of the parsing code's bytes (every module of tasks/findings but this bookkeeping one).

    Part of every run's cache key and of its doit ``uptodate`` value: changed
    parsing code re-parses every run, unchanged code never does.  About 25
    small files, read once per doit process (a millisecond).
    """
    h = hashlib.sha256()
    folder = code / "findings"
    for path in sorted(folder.rglob("*.py")):
        if path.name not in ("incremental.py", "merge.py"):
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()
