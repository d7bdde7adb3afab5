"""Install the daemon as a launchd agent (macOS) or a systemd user timer (Linux).

The unit files are rendered from the templates in ``config/service/``; the
service runs ``python -m tasks.daemon --once`` in this workspace every
``daemon.poll_interval_seconds``.  ``SECFT_SERVICE_DIR`` overrides where
the files go and ``activate=False`` skips launchctl/systemctl (packaging,
tests).

Neither launchd nor a systemd user timer passes the login shell's
environment, so ``GITHUB_TOKEN`` and ``HF_TOKEN`` come from an environment
file (``daemon.env_file``, default ``~/.config/secft/env``: ``KEY=VALUE``
lines) that the daemon reads itself on every run - the same on both
platforms, and checked the same way: it must belong to the user and be
readable by nobody else (mode 0600), or the daemon and ``--install`` refuse
it.  Variables already set in the environment win over the file.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from string import Template

from tasks.core.errors import SecftError

TEMPLATES = Path(__file__).resolve().parents[2] / "config" / "service"
LABEL = "com.secft.daemon"


_ENV_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


def env_file_path(configured: str | None) -> Path:
    if configured:
        return Path(configured).expanduser()
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "secft" / "env"


def check_env_file(path: Path) -> bool:
    """True when ``path`` exists and is private (0600, ours); refuses one others can read."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise SecftError(f"{path}: cannot read the environment file: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise SecftError(f"{path}: the environment file is not a regular file")
    if st.st_mode & 0o077:
        raise SecftError(f"{path}: refused: the environment file holds tokens but is readable by group or others "
                         f"(mode {stat.S_IMODE(st.st_mode):04o}); run: chmod 600 {path}")
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise SecftError(f"{path}: refused: the environment file belongs to another user")
    return True


def load_env_file(path: Path, environ: dict | None = None) -> list[str]:
    """Set the file's ``KEY=VALUE`` lines that are not already set; returns the names set (never values)."""
    environ = os.environ if environ is None else environ
    if not check_env_file(path):
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SecftError(f"{path}: cannot read the environment file: {getattr(exc, 'strerror', None) or 'not UTF-8'}") from None
    names = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _ENV_LINE.match(line)
        if not m:
            raise SecftError(f"{path}:{number}: expected KEY=VALUE")
        key, value = m.group(1), m.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if key not in environ:
            environ[key] = value
            names.append(key)
    return names


def env_file_note(path: Path) -> str:
    if check_env_file(path):
        return f"tokens for timer runs: {path} (private, checked)"
    return (f"tokens for timer runs: create {path} with lines GITHUB_TOKEN=... and HF_TOKEN=..., "
            f"then chmod 600 {path} (launchd and systemd pass no environment)")


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


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_SYSTEMD_PLAIN = re.compile(r"^[A-Za-z0-9/_.:+@=,-]+$")


def _checked(name: str, value: str) -> str:
    """``value`` unchanged, or one line refusing it: a newline would start a new unit directive."""
    if _CONTROL.search(value):
        raise SecftError(f"daemon --install: {name} {value!r} holds a control character (newline, tab ...); refused")
    return value


def systemd_word(value: str) -> str:
    """One argument of an ``ExecStart=`` line, per systemd.service(5) "Command lines".

    ``%`` starts a specifier and ``$`` a variable there, so both are doubled; a word
    with anything but plain path characters is double-quoted with ``\\`` and ``"`` escaped.
    """
    text = value.replace("%", "%%").replace("$", "$$")
    if _SYSTEMD_PLAIN.match(value):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_path(value: str, name: str = "workdir") -> str:
    """A path for ``WorkingDirectory=`` / ``StandardOutput=append:`` (taken whole; only specifiers expand).

    systemd.syntax(7) joins a line ending in ``\\`` with the next one and strips surrounding
    whitespace, and these settings take no quoting, so such a path cannot be written safely: refused.
    """
    if value.endswith("\\") or value != value.strip() or not value.startswith("/"):
        raise SecftError(f"daemon --install: {name} {value!r} cannot be written in a systemd unit (a trailing "
                         "backslash joins the next line; surrounding spaces are dropped); refused: use another folder")
    return value.replace("%", "%%")


def render(kind: str, workdir: Path, interval: int, profile: str | None, env_file: Path | None = None) -> dict[str, str]:
    """The unit files' text.  Every value is checked for control characters; systemd values are quoted per
    its syntax (``systemd_word``/``systemd_path``), the plist is written by plistlib (XML escaping)."""
    python = _checked("python", sys.executable)
    work = _checked("workdir", str(workdir.resolve()))
    env = _checked("daemon.env_file", str(env_file or env_file_path(None)))
    if profile is not None:
        _checked("profile", profile)
    if not isinstance(interval, int) or isinstance(interval, bool) or interval <= 0:
        raise SecftError(f"daemon --install: poll interval {interval!r} is not a positive whole number of seconds")
    if kind == "launchd":
        return {f"{LABEL}.plist": _plist(python, work, interval, profile)}
    profile_args = f" --profile {systemd_word(profile)}" if profile else ""
    values = {"label": LABEL, "python": systemd_word(python), "workdir": systemd_path(work), "interval": str(interval),
              "profile_args": profile_args, "env_file": systemd_path(env, "daemon.env_file")}
    return {name: Template((TEMPLATES / name).read_text(encoding="utf-8")).substitute(values) for name in files_for(kind)}


def _plist(python: str, work: str, interval: int, profile: str | None) -> str:
    import plistlib

    log = f"{work}/fine-tuning/logs/daemon.log"
    doc = {"Label": LABEL, "ProgramArguments": [python, "-m", "tasks.daemon", "--once"] + (["--profile", profile] if profile else []),
           "WorkingDirectory": work, "StartInterval": interval, "RunAtLoad": True,
           "StandardOutPath": log, "StandardErrorPath": log}
    text = plistlib.dumps(doc, sort_keys=False).decode("utf-8")
    note = ("<!-- secft daemon: polls for new CI artifacts and runs doit when some arrived. Installed by "
            "the install option of python -m tasks.daemon. launchd passes no login environment: the daemon reads GITHUB_TOKEN / "
            "HF_TOKEN from its daemon.env_file (KEY=VALUE lines, chmod 600). -->\n")
    head, _, rest = text.partition("<plist")
    return head + note + "<plist" + rest


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    if not shutil.which(cmd[0]):
        raise SecftError(f"{cmd[0]} not found: install the unit files by hand or pass --no-activate")
    return subprocess.run(cmd, capture_output=True, text=True)


def install(workdir: Path, interval: int, profile: str | None, activate: bool = True, env_file: Path | None = None) -> list[Path]:
    env_file = env_file or env_file_path(None)
    check_env_file(env_file)  # refuse a token file others can read before installing anything
    kind = platform_kind()
    target = service_dir(kind)
    target.mkdir(parents=True, exist_ok=True)
    (workdir / "fine-tuning" / "logs").mkdir(parents=True, exist_ok=True)
    written = []
    from tasks.core import atomic

    for name, text in render(kind, workdir, interval, profile, env_file).items():
        if (target / name).is_symlink() or ((target / name).exists() and not (target / name).is_file()):
            raise SecftError(f"daemon --install: {target / name} is a link or not a regular file; refused "
                             "(remove it to install): secft never writes through a link")
        atomic.write_text(target / name, text)  # a new file renamed into place: never writes through a link
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
