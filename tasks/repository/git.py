"""Run git on a user's repository without letting the repository run or read anything.

A checkout is hostile input.  Its ``.git/config`` can name a work tree
anywhere (``core.worktree=/`` made secft read ``/etc/passwd`` into the
datasets), hooks, an fsmonitor program, external diff and textconv drivers,
a pager; git's environment variables can redirect it too.  Every git call on a
user's repository goes through ``run_git`` here, with:

* a fixed environment built from scratch (PATH, HOME for the user's own
  ``safe.directory``, ``GIT_CONFIG_NOSYSTEM``, ``GIT_PAGER=cat``, no replace
  objects, no prompts, C locale) - nothing inherited can point git elsewhere;
* ``-c`` overrides the repository cannot undo: fsmonitor off, hooks path
  ``/dev/null``, pager ``cat``, no protocol allowed (no fetch, no network),
  and ``--no-ext-diff --no-textconv`` added to every command that diffs
  (diff, log, show ...), so a repository's diff drivers never run;
* ``safe.directory`` left as git intends: a repository owned by someone
  else is refused by git itself, and that refusal is our one line;
* an argument list (no shell), a timeout and a byte cap on what is read.

``open_repository`` refuses, in one line, a repository whose configuration
moves its work tree (``core.worktree``) or whose top level is not the folder
holding its ``.git``.
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Iterable

from tasks.core.errors import SecftError

GIT_TIMEOUT = 30            # seconds for any one git command
MAX_OUTPUT_BYTES = 4 << 20  # default cap on what one command may write

SAFE_CONFIG = ["-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "core.pager=cat",
               "-c", "core.quotepath=off", "-c", "protocol.allow=never", "-c", "core.sshCommand=false",
               "-c", "diff.noprefix=false", "--literal-pathspecs", "--no-pager"]


_DIFFING = {"diff", "log", "show", "whatchanged", "diff-tree", "diff-index", "diff-files", "format-patch"}


class GitOutputTooLarge(SecftError):
    """git wrote more than the caller's cap (a huge file or diff): the caller skips it."""


def safe_env() -> dict:
    """The whole environment git runs with: nothing of the caller's GIT_* survives."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_ATTR_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
           "GIT_OPTIONAL_LOCKS": "0", "GIT_PAGER": "cat", "PAGER": "cat", "GIT_NO_REPLACE_OBJECTS": "1",
           "GIT_ASKPASS": "false", "SSH_ASKPASS": "false", "GIT_EDITOR": "false"}
    if os.environ.get("HOME"):  # the user's own ~/.gitconfig: where git wants safe.directory
        env["HOME"] = os.environ["HOME"]
    return env


def run_git(repo: Path, args: list[str], max_bytes: int | None = None, ok_codes: Iterable[int] = (0,)) -> tuple[int, bytes]:
    """(exit code, stdout) of ``git -C repo ARGS``: no shell, a timeout, at most ``max_bytes`` read."""
    max_bytes = MAX_OUTPUT_BYTES if max_bytes is None else max_bytes
    if args and args[0] in _DIFFING:  # never a repository's diff drivers, whatever the caller forgot
        args = [args[0], "--no-ext-diff", "--no-textconv", *args[1:]]
    cmd = ["git", "-C", str(repo), *SAFE_CONFIG, *args]
    shown = " ".join(["git", *args])[:200]
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=safe_env())
    except OSError as exc:
        raise SecftError(f"{repo}: cannot run git: {exc.strerror or exc}") from None
    timer = threading.Timer(GIT_TIMEOUT, proc.kill)
    timer.start()
    try:
        err_box: list[bytes] = []

        def drain() -> None:  # read all of stderr (git must never block on it), keep the start
            while chunk := proc.stderr.read(65536):
                if not err_box:
                    err_box.append(chunk)

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        out = proc.stdout.read(max_bytes + 1)
        if len(out) > max_bytes:
            proc.kill()
            proc.wait()
            raise GitOutputTooLarge(f"{repo}: {shown}: output over {max_bytes} bytes")
        code = proc.wait()
        reader.join(5)
    finally:
        timer.cancel()
        for stream in (proc.stdout, proc.stderr):
            stream.close()
    if code < 0:
        raise SecftError(f"{repo}: {shown}: no answer within {GIT_TIMEOUT} s")
    if code not in tuple(ok_codes):
        err = (err_box[0] if err_box else b"").decode("utf-8", "replace").strip().splitlines()
        raise SecftError(f"{repo}: {shown}: {err[-1] if err else f'exit status {code}'}")
    return code, out


def open_repository(path: Path, what: str) -> Path:
    """The resolved top level of the checkout at ``path``; one line when it is not a plain, local one.

    Refused: not a git checkout, a configured ``core.worktree`` (the work tree
    would be wherever the repository says), a top level that is not the folder
    its git directory belongs to, a bare repository.
    """
    try:
        _, out = run_git(path, ["rev-parse", "--path-format=absolute", "--show-toplevel", "--git-dir",
                                "--git-common-dir", "--is-bare-repository"], max_bytes=65536)
    except SecftError as exc:
        why = str(exc).split(": ", 2)[-1]
        raise SecftError(f"{what}: not a git checkout (git rev-parse: {why})") from None
    fields = out.decode("utf-8", "replace").splitlines()
    if len(fields) != 4 or fields[3] != "false":
        raise SecftError(f"{what}: not a git checkout with a work tree")
    top, git_dir, common = (Path(f).resolve() for f in fields[:3])
    code, worktree = run_git(path, ["config", "--get-all", "core.worktree"], max_bytes=65536, ok_codes=(0, 1))
    dot_git = top / ".git"
    if code == 0 and worktree.strip() and not (dot_git.is_file() and not dot_git.is_symlink()):  # submodules set it
        raise SecftError(f"{what}: refused: the repository's config sets core.worktree "
                         f"({worktree.decode('utf-8', 'replace').strip().splitlines()[0][:200]!r}); "
                         "secft reads only the folder that holds .git")
    if dot_git.is_symlink() and not dot_git.resolve().is_relative_to(top):
        raise SecftError(f"{what}: refused: its .git is a link to {str(dot_git.resolve())!r}, outside the checkout")
    if git_dir != dot_git.resolve() and not (dot_git.is_file() and not dot_git.is_symlink()):
        raise SecftError(f"{what}: refused: its top level {str(top)!r} does not hold its git directory {str(git_dir)!r}")
    if dot_git.is_file() and not dot_git.is_symlink() and not git_dir.is_relative_to(top) \
            and not _belongs_here(git_dir, common, top, dot_git):
        raise SecftError(f"{what}: refused: its .git file names {str(git_dir)!r}, the git directory of another "
                         "repository (not a linked worktree or submodule of this checkout)")
    alternates = common / "objects" / "info" / "alternates"
    if alternates.is_symlink() or alternates.exists() and alternates.stat().st_size > 0:
        raise SecftError(f"{what}: refused: {alternates} borrows objects from another repository; "
                         "secft reads only this checkout's own objects")
    if common != git_dir and not dot_git.is_file():
        raise SecftError(f"{what}: refused: unexpected git directory layout")
    start = Path(path).resolve()
    if start != top and top not in start.parents:
        raise SecftError(f"{what}: refused: the work tree {str(top)!r} is not around {str(start)!r}")
    return top


def _belongs_here(git_dir: Path, common: Path, top: Path, dot_git: Path) -> bool:
    """Whether a git directory outside the checkout is its own: a linked worktree's (git writes the
    back-link ``<git_dir>/gitdir`` naming this ``.git`` file) or a submodule's (under the superproject's
    ``.git/modules/`` and its ``core.worktree`` naming this checkout)."""
    try:
        if git_dir != common and git_dir.parent.name == "worktrees":
            back = (git_dir / "gitdir").read_text(encoding="utf-8", errors="replace").strip()
            return Path(back).resolve() == dot_git.resolve()
        if "modules" in git_dir.parts:
            code, out = run_git(top, ["config", "--file", str(git_dir / "config"), "--get", "core.worktree"],
                                max_bytes=4096, ok_codes=(0, 1))
            tree = out.decode("utf-8", "replace").strip()
            return code == 0 and bool(tree) and (git_dir / tree).resolve() == top
    except (OSError, SecftError):
        return False
    return False


def inside(root: Path, candidate: Path) -> Path | None:
    """``candidate`` resolved, when it stays under ``root`` and out of its .git folder, else None."""
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError):
        return None
    if root not in resolved.parents:
        return None
    if ".git" in resolved.relative_to(root).parts:
        return None
    return resolved
