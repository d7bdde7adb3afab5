"""The automated mode: poll for new CI artifacts, then rebuild with doit.

    python -m tasks.daemon                 # poll forever (daemon.poll_interval_seconds)
    python -m tasks.daemon --once          # one poll (what the launchd/systemd timer runs)
    python -m tasks.daemon --install | --uninstall | --status

Each poll fetches new successful workflow runs (``tasks.fetch_artifacts``)
and runs ``doit`` only when new artifacts arrived.  Only one daemon runs
per workspace (a second exits at once with a clear message); the doit run
takes the workspace's run lock itself, so a person's run and the daemon's
never overlap.  A failed build (fine-tuning included) is logged and the
daemon goes on polling.  ``SECFT_DAEMON=1`` is set for the build, which is
what ``fine_tuning.skip_in_daemon`` looks at.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tasks import atomic
from tasks.errors import SecftError
from tasks.runlock import RunLock

DAEMON_LOCK = Path("fine-tuning/.secft-daemon.lock")
STATE = Path("fine-tuning/daemon_state.json")
LOG = Path("fine-tuning/logs/daemon.log")
DODO = Path(__file__).resolve().parent.parent / "dodo.py"


def log(message: str) -> None:
    line = f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {message}"
    print(line, flush=True)
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with open(LOG, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def run_doit(profile: str | None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "doit", "-f", str(DODO), "-d", "."]
    if profile:
        cmd.append(f"profile={profile}")
    env = dict(os.environ, SECFT_DAEMON="1")
    env.setdefault("SECFT_LOCK_TIMEOUT", "600")  # wait for a person's run to finish
    return subprocess.run(cmd, capture_output=True, text=True, env=env)


def poll_once(config: dict, profile: str | None, client=None) -> dict:
    """One poll: fetch, and build if anything new arrived. Never raises for a failed build."""
    state = {"last_poll": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    previous = json.loads(STATE.read_text()) if STATE.exists() else {}
    state.update(_poll(config, profile, client, state["last_poll"]))
    atomic.write_json(STATE, {**previous, **state})
    return state


def _poll(config: dict, profile: str | None, client, now: str) -> dict:
    from tasks.fetch_artifacts import fetch_configured

    try:
        fetched = fetch_configured(config["daemon"], client=client, log=log)
    except SecftError as exc:
        log(f"poll failed: {exc}")
        return {"last_result": "fetch failed", "error": str(exc)}
    if not fetched["new_runs"]:
        log("poll: no new artifacts")
        return {"fetched": fetched, "last_result": "no new artifacts"}
    log(f"poll: {fetched['artifacts']} new artifact(s) from run(s) {fetched['new_runs']}; running doit")
    tic = time.time()
    proc = run_doit(profile)
    result = {"fetched": fetched, "last_run": now, "last_run_seconds": round(time.time() - tic, 1), "returncode": proc.returncode}
    if proc.returncode == 0:
        log(f"doit finished in {result['last_run_seconds']} s")
        return {**result, "last_result": "built"}
    tail = " | ".join([l for l in (proc.stdout + proc.stderr).splitlines() if l.strip()][-5:])
    log(f"doit failed (exit {proc.returncode}); the daemon goes on: {tail}")
    return {**result, "last_result": "build failed", "error": tail}


def main(argv: list[str] | None = None) -> int:
    from tasks import service
    from tasks.config import load_config

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
        interval = args.interval or config["daemon"]["poll_interval_seconds"]
        if args.install:
            for path in service.install(Path.cwd(), interval, args.profile, activate=not args.no_activate):
                print(f"installed {path}")
            return 0
        if args.uninstall:
            for path in service.uninstall(activate=not args.no_activate):
                print(f"removed {path}")
            return 0
        if args.status:
            from tasks.status import status

            print(json.dumps({"service": service.installed_state(not args.no_activate), **status(args.profile)}, indent=2, sort_keys=True))
            return 0
        with RunLock(DAEMON_LOCK, timeout=0):
            while True:
                poll_once(config, args.profile)
                if args.once:
                    return 0
                time.sleep(interval)
    except SecftError as exc:
        if str(DAEMON_LOCK) in str(exc):
            exc = SecftError(f"another secft daemon is already running in this workspace ({DAEMON_LOCK})")
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
