"""The automated mode: poll for new CI artifacts, then rebuild with doit.

    python -m tasks.daemon                 # poll forever (daemon.poll_interval_seconds)
    python -m tasks.daemon --once          # one poll (what the launchd/systemd timer runs)
    python -m tasks.daemon --install | --uninstall | --status

Each poll fetches new successful workflow runs (``tasks.ingest.fetch``)
and runs ``doit`` when new artifacts arrived, when targets of the default
build are stale (``doit list --status``), or when the last build failed and
its backoff (``daemon.retry_failed_build_seconds``, doubling, at most a day)
has passed; the failure count and next retry time are kept in the state
file.  With ``artifacts.keep_runs`` set, ``doit prune`` runs before each
build, so the oldest runs' files go while their findings stay.  Nothing a
poll meets ends the daemon: a failed fetch, a refused artifact or a failed
build is one line in ``fine-tuning/logs/daemon.log``.
Only one daemon runs per workspace (a second exits at once with a clear
message); the doit run takes the workspace's run lock itself, so a person's
run and the daemon's never overlap.  ``SECFT_DAEMON=1`` is set for the
build, which is what ``fine_tuning.skip_in_daemon`` looks at.  Tokens for
timer runs come from the 0600 environment file (``tasks.service.units``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tasks.core import atomic
from tasks.core.errors import SecftError, os_error_line
from tasks.core.runlock import RunLock

DAEMON_LOCK = Path("fine-tuning/.secft-daemon.lock")
STATE = Path("fine-tuning/daemon_state.json")
LOG = Path("fine-tuning/logs/daemon.log")
DODO = Path(__file__).resolve().parents[2] / "dodo.py"


def log(message: str) -> None:
    line = f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {message}"
    print(line, flush=True)
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with open(LOG, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


# the tasks of a default `doit` run; others (evaluate, fetch_artifacts, the tiny model of other profiles) never count as stale
DEFAULT_CHAIN = {"parse_findings", "knowledge_base", "enrich_narratives", "build_datasets", "base_model",
                 "stage1_analysis", "stage2_codefix", "upload"}
MAX_BACKOFF = 24 * 3600


def _doit(profile: str | None, *command: str, tasks: tuple[str, ...] = ()) -> list[str]:
    """A doit command line: a doit command (``list ...``) goes before the options, task names after them."""
    cmd = [sys.executable, "-m", "doit", *command, "-f", str(DODO), "-d", ".", *tasks]
    return cmd + ([f"profile={profile}"] if profile else [])


def _build_env() -> dict:
    env = dict(os.environ, SECFT_DAEMON="1")
    env.setdefault("SECFT_LOCK_TIMEOUT", "600")  # wait for a person's run to finish
    return env


def run_doit(profile: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(_doit(profile), capture_output=True, text=True, env=_build_env())


def prune(profile: str | None, keep: int) -> None:
    """``doit prune`` before the build (artifacts.keep_runs): the build then sees the archive in the same pass.

    A failed prune is logged and the build goes on: the runs keep their files.
    """
    try:
        proc = subprocess.run(_doit(profile, tasks=("prune",)), capture_output=True, text=True, env=_build_env(), timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log(f"prune (keep_runs {keep}) did not run: {type(exc).__name__}")
        return
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip() and not line.startswith(".")]
    if proc.returncode != 0:
        log(f"prune (keep_runs {keep}) failed (exit {proc.returncode}); every run keeps its files: {' | '.join(lines[-3:])}")
    else:
        log(next((line for line in reversed(lines) if "run(s) pruned" in line), f"prune (keep_runs {keep}) done"))


def stale_tasks(profile: str | None) -> list[str]:
    """Tasks of the default build that doit would run now (``doit list --status``, no lock)."""
    try:
        proc = subprocess.run(_doit(profile, "list", "--all", "--status"), capture_output=True, text=True,
                              env=dict(os.environ, SECFT_DAEMON="1"), timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log(f"poll: cannot tell which targets are stale: {type(exc).__name__}")
        return []
    if proc.returncode != 0:
        return ["(doit list failed)"]
    listed = [line.split()[:2] for line in proc.stdout.splitlines() if len(line.split()) >= 2]
    groups = {name.split(":")[0] for _, name in listed if ":" in name}  # a group task has no actions of its own
    return [name for mark, name in listed
            if mark == "R" and name.split(":")[0] in DEFAULT_CHAIN and name not in groups]


def _read_state() -> dict:
    from tasks.core import state as state_files

    return state_files.load(STATE, dict, "daemon state") or {}  # a damaged one is moved aside, never stops the daemon


def poll_once(config: dict, profile: str | None, client=None, clock=time.time) -> dict:
    """One poll: fetch, and build when needed. Never raises for a failed fetch or build."""
    now = clock()
    state = {"last_poll": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}
    previous = _read_state()
    build = previous.get("build") if isinstance(previous.get("build"), dict) else {}
    try:
        build = {"failures": int(build.get("failures") or 0), "next_retry_epoch": float(build.get("next_retry_epoch") or 0),
                 "next_retry": build.get("next_retry")}
        if not (0 <= build["failures"] <= 10_000 and 0 <= build["next_retry_epoch"] <= now + 366 * 86400):
            raise ValueError("a retry count or time out of range")
    except (TypeError, ValueError, OverflowError) as exc:  # damaged: never a traceback per poll, never "never retried"
        from tasks.core import state as state_files

        if build:
            state_files.set_aside(STATE, f"build: {' '.join(str(exc).split())[:80]}", "daemon state")
            previous = {}
        build = {}
    state.update(_poll(config, profile, client, state["last_poll"], now, build))
    atomic.write_json(STATE, {**previous, **state})
    return state


def _fetch(config: dict, client) -> tuple[dict | None, str | None]:
    from tasks.ingest.fetch import fetch_configured

    try:
        return fetch_configured(config["daemon"], client=client, log=log, net=config.get("network")), None
    except SecftError as exc:
        return None, str(exc)
    except OSError as exc:
        return None, os_error_line(exc, 'data/artifacts')
    except Exception as exc:  # noqa: BLE001 - a bug or a hostile answer must not end every later poll
        return None, f"unexpected {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"


def _poll(config: dict, profile: str | None, client, stamp: str, now: float, build: dict) -> dict:
    fetched, error = _fetch(config, client)
    result: dict = {"fetched": fetched} if fetched is not None else {"error": error}
    if error:
        log(f"poll: fetch failed: {error}")
    failures = int(build.get("failures") or 0)
    why = None
    if fetched and fetched["new_runs"]:
        why = f"{fetched['artifacts']} new artifact(s) from run(s) {fetched['new_runs']}"
    elif failures and now < float(build.get("next_retry_epoch") or 0):
        log(f"poll: the last build failed ({failures} time(s)); next retry at {build.get('next_retry')}")
        return {**result, "last_result": "fetch failed" if error else "waiting to retry the failed build"}
    elif failures:
        why = f"retrying the failed build (failed {failures} time(s))"
    else:
        stale = stale_tasks(profile)
        if stale:
            why = f"stale targets: {', '.join(stale[:3])}{' ...' if len(stale) > 3 else ''}"
    if why is None:
        log("poll: no new artifacts" + ("" if not error else " (fetch failed)"))
        return {**result, "last_result": "fetch failed" if error else "no new artifacts"}
    log(f"poll: {why}; running doit")
    tic = time.time()
    keep = (config.get("artifacts") or {}).get("keep_runs")
    if keep is not None:
        prune(profile, keep)
    proc = run_doit(profile)
    result.update(last_run=stamp, last_run_seconds=round(time.time() - tic, 1), returncode=proc.returncode)
    if proc.returncode == 0:
        log(f"doit finished in {result['last_run_seconds']} s")
        return {**result, "last_result": "built", "build": {"failures": 0}}
    tail = " | ".join([l for l in (proc.stdout + proc.stderr).splitlines() if l.strip()][-5:])
    base = int(config["daemon"].get("retry_failed_build_seconds", 600))
    wait = min(MAX_BACKOFF, base * 2 ** min(failures, 20))
    retry = {"failures": failures + 1, "next_retry_epoch": now + wait,
             "next_retry": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + wait))}
    log(f"doit failed (exit {proc.returncode}); the daemon goes on, next retry at {retry['next_retry']}: {tail}")
    return {**result, "last_result": "build failed", "error": tail, "build": retry}


def main(argv: list[str] | None = None) -> int:
    from tasks.core.config import load_config
    from tasks.service import units

    p = argparse.ArgumentParser(prog="python -m tasks.daemon", description="Poll for CI artifacts and rebuild.")
    p.add_argument("--once", action="store_true", help="poll once and exit")
    p.add_argument("--interval", type=int, help="seconds between polls (default: daemon.poll_interval_seconds)")
    p.add_argument("--profile", help="config profile for the builds")
    p.add_argument("--install", action="store_true", help="install the launchd agent / systemd user timer")
    p.add_argument("--uninstall", action="store_true", help="remove it")
    p.add_argument("--status", action="store_true", help="print the service and pipeline status as JSON")
    p.add_argument("--no-activate", action="store_true", help="with --install/--uninstall/--status: files only, no launchctl/systemctl")
    args = p.parse_args(argv)
    try:
        config = load_config(profile=args.profile)
        if args.interval is not None and args.interval <= 0:  # `or` took 0 for "not given": the default, silently
            raise SecftError(f"--interval {args.interval}: a poll interval is a positive whole number of seconds")
        interval = config["daemon"]["poll_interval_seconds"] if args.interval is None else args.interval
        if args.install:
            env_file = units.env_file_path(config["daemon"].get("env_file"))
            for path in units.install(Path.cwd(), interval, args.profile, activate=not args.no_activate, env_file=env_file):
                print(f"installed {path}")
            print(units.env_file_note(env_file))
            return 0
        if args.uninstall:
            for path in units.uninstall(activate=not args.no_activate):
                print(f"removed {path}")
            return 0
        if args.status:
            from tasks.service.status import status

            print(json.dumps({"service": units.installed_state(not args.no_activate), **status(args.profile)}, indent=2, sort_keys=True))
            return 0
        env_file = units.env_file_path(config["daemon"].get("env_file"))
        loaded = units.load_env_file(env_file)
        if loaded:
            log(f"daemon: read {', '.join(sorted(loaded))} from {env_file}")
        with RunLock(DAEMON_LOCK, timeout=0):
            while True:
                poll_once(config, args.profile)
                if args.once:
                    return 0
                time.sleep(interval)
    except SecftError as exc:
        if str(DAEMON_LOCK) in str(exc) and "in progress" in str(exc):  # not "cannot take the run lock"
            exc = SecftError(f"another secft daemon is already running in this workspace ({DAEMON_LOCK})")
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # read-only or full workspace: one line, no traceback
        print(f"error: {os_error_line(exc, 'fine-tuning')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
