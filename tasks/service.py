"""Install the daemon as a launchd agent (macOS) or a systemd user timer (Linux).

The unit files are rendered from the templates in ``config/service/``; the
service runs ``python -m tasks.daemon --once`` in this workspace every
``daemon.poll_interval_seconds``.  ``SECFT_SERVICE_DIR`` overrides where
the files go and ``activate=False`` skips launchctl/systemctl (packaging,
tests).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from string import Template

from tasks.errors import SecftError

TEMPLATES = Path(__file__).resolve().parent.parent / "config" / "service"
LABEL = "com.secft.daemon"


def platform_kind() -> str:
    return "launchd" if sys.platform == "darwin" else "systemd"


def service_dir(kind: str) -> Path:
    if os.environ.get("SECFT_SERVICE_DIR"):
        return Path(os.environ["SECFT_SERVICE_DIR"])
    if kind == "launchd":
        return Path.home() / "Library" / "LaunchAgents"
    return Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "systemd" / "user"


def files_for(kind: str) -> list[str]:
    return [f"{LABEL}.plist"] if kind == "launchd" else ["secft-daemon.service", "secft-daemon.timer"]


def render(kind: str, workdir: Path, interval: int, profile: str | None) -> dict[str, str]:
    if kind == "launchd":
        profile_args = f"\n    <string>--profile</string>\n    <string>{profile}</string>" if profile else ""
    else:
        profile_args = f" --profile {profile}" if profile else ""
    values = {"label": LABEL, "python": sys.executable, "workdir": str(workdir.resolve()), "interval": str(interval), "profile_args": profile_args}
    return {name: Template((TEMPLATES / name).read_text(encoding="utf-8")).substitute(values) for name in files_for(kind)}


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    if not shutil.which(cmd[0]):
        raise SecftError(f"{cmd[0]} not found: install the unit files by hand or pass --no-activate")
    return subprocess.run(cmd, capture_output=True, text=True)


def install(workdir: Path, interval: int, profile: str | None, activate: bool = True) -> list[Path]:
    kind = platform_kind()
    target = service_dir(kind)
    target.mkdir(parents=True, exist_ok=True)
    (workdir / "fine-tuning" / "logs").mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render(kind, workdir, interval, profile).items():
        (target / name).write_text(text, encoding="utf-8")
        written.append(target / name)
    if activate:
        if kind == "launchd":
            _run(["launchctl", "bootstrap", f"gui/{os.getuid()}", str(written[0])])
        else:
            _run(["systemctl", "--user", "daemon-reload"])
            proc = _run(["systemctl", "--user", "enable", "--now", "secft-daemon.timer"])
            if proc.returncode != 0:
                raise SecftError(f"systemctl --user enable failed: {proc.stderr.strip().splitlines()[-1:] or proc.returncode}")
    return written


def uninstall(activate: bool = True) -> list[Path]:
    kind = platform_kind()
    target = service_dir(kind)
    if activate:
        if kind == "launchd":
            _run(["launchctl", "bootout", f"gui/{os.getuid()}/{LABEL}"])
        else:
            _run(["systemctl", "--user", "disable", "--now", "secft-daemon.timer"])
    removed = []
    for name in files_for(kind):
        if (target / name).exists():
            (target / name).unlink()
            removed.append(target / name)
    return removed


def installed_state(activate: bool = True) -> dict:
    kind = platform_kind()
    target = service_dir(kind)
    state = {"kind": kind, "files": {n: (target / n).exists() for n in files_for(kind)}}
    if activate and all(state["files"].values()):
        try:
            if kind == "launchd":
                state["loaded"] = _run(["launchctl", "print", f"gui/{os.getuid()}/{LABEL}"]).returncode == 0
            else:
                state["active"] = _run(["systemctl", "--user", "is-active", "secft-daemon.timer"]).stdout.strip()
        except SecftError as exc:
            state["error"] = str(exc)
    return state
