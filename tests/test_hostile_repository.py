"""A hostile checkout (``source.repo_path``): its configuration and environment cannot make secft
read outside it or run anything of its own.  Each case was an escape or a program run before
tasks/repository/git.py (docs/reliability.md, "Reads outside the root")."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from test_source import git  # the same committer setup as the source tests

from tasks.core.errors import SecftError
from tasks.repository import git as safegit
from tasks.repository.source import SourceReader


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text("print('hello')\n")
    (root / "etc").mkdir()
    (root / "etc" / "passwd").write_text("inside the repository\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "one")
    return root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "etc" / "passwd"
    secret.parent.mkdir(parents=True)
    secret.write_text("root:x:0:0:OUTSIDE-THE-ROOT\n")
    return tmp_path / "outside"


def test_core_worktree_pointing_outside_is_refused_in_one_line(checkout, outside):
    git(checkout, "config", "core.worktree", str(outside))
    with pytest.raises(SecftError) as err:
        SourceReader(checkout)
    line = str(err.value)
    assert "core.worktree" in line and "\n" not in line and str(checkout) in line


def test_core_worktree_root_is_refused(checkout):
    git(checkout, "config", "core.worktree", "/")
    with pytest.raises(SecftError, match="core.worktree"):
        SourceReader(checkout)


def test_environment_cannot_redirect_git(checkout, outside, monkeypatch):
    """GIT_DIR / GIT_WORK_TREE / GIT_CONFIG_* in the caller's environment do not reach git."""
    monkeypatch.setenv("GIT_WORK_TREE", str(outside))
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.worktree")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", str(outside))
    monkeypatch.setenv("GIT_EXTERNAL_DIFF", "/bin/false")
    reader = SourceReader(checkout)
    assert reader.repo == checkout.resolve()
    assert reader.context("etc/passwd", None, 1, 0)["text"] == "inside the repository"
    env = safegit.safe_env()
    assert not [k for k in env if k.startswith("GIT_") and k not in (
        "GIT_CONFIG_NOSYSTEM", "GIT_ATTR_NOSYSTEM", "GIT_TERMINAL_PROMPT", "GIT_OPTIONAL_LOCKS", "GIT_PAGER",
        "GIT_NO_REPLACE_OBJECTS", "GIT_ASKPASS", "GIT_EDITOR")]
    assert env["GIT_CONFIG_NOSYSTEM"] == "1" and env["GIT_PAGER"] == "cat"


def test_repository_programs_never_run(checkout, tmp_path):
    """fsmonitor, hooks, external diff, textconv and pager set by the repository: none runs."""
    ran = tmp_path / "ran"
    prog = tmp_path / "prog.sh"
    prog.write_text(f"#!/bin/sh\necho ran >> {ran}\ncat /etc/hostname\n")
    prog.chmod(0o755)
    for key in ("core.fsmonitor", "core.pager", "diff.external", "diff.evil.textconv", "diff.evil.command"):
        git(checkout, "config", key, str(prog))
    git(checkout, "config", "core.hooksPath", str(tmp_path))
    (checkout / ".gitattributes").write_text("*.py diff=evil\n")
    (checkout / "app.py").write_text("print('changed')\n")
    git(checkout, "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "add", ".")
    git(checkout, "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", "two")
    reader = SourceReader(checkout)
    head = reader.resolve(git(checkout, "-c", "core.fsmonitor=false", "rev-parse", "HEAD"))
    assert reader.context("app.py", head, 1, 0)["text"] == "print('changed')"
    safegit.run_git(reader.repo, ["diff", "--no-ext-diff", "--no-textconv", "HEAD~1", "HEAD", "--", "app.py"])
    safegit.run_git(reader.repo, ["status", "--porcelain"])
    safegit.run_git(reader.repo, ["log", "-p", "-1"])
    assert not ran.exists()


def test_symlink_out_of_the_checkout_is_not_read(checkout, outside):
    (checkout / "leak.txt").symlink_to(outside / "etc" / "passwd")
    (checkout / "inner").symlink_to(checkout / ".git")
    reader = SourceReader(checkout)
    assert reader.context("leak.txt", None, 1, 0) is None
    assert reader.context("inner/config", None, 1, 0) is None
    assert safegit.inside(reader.repo, reader.repo / "leak.txt") is None


def test_a_subfolder_of_a_checkout_is_still_fine(checkout):
    assert SourceReader(checkout / "etc").repo == checkout.resolve()


def test_a_linked_worktree_is_accepted(checkout, tmp_path):
    git(checkout, "worktree", "add", "-q", str(tmp_path / "wt"), "-b", "side")
    reader = SourceReader(tmp_path / "wt")
    assert reader.repo == (tmp_path / "wt").resolve()
    assert reader.context("app.py", None, 1, 0)["text"] == "print('hello')"


# ----------------------------------------------------------------------------- second attack: .git naming another repository


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    root = tmp_path / "victim"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text("VICTIM-ONLY text\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "victim")
    return root


def _hostile(tmp_path: Path) -> Path:
    h = tmp_path / "hostile"
    h.mkdir()
    (h / "app.py").write_text("print('mine')\n")
    return h


def test_dot_git_file_naming_another_repository_is_refused(victim, tmp_path):
    h = _hostile(tmp_path)
    (h / ".git").write_text(f"gitdir: {victim / '.git'}\n")
    with pytest.raises(SecftError, match="another repository"):
        SourceReader(h)


def test_dot_git_symlink_to_another_repository_is_refused(victim, tmp_path):
    h = _hostile(tmp_path)
    (h / ".git").symlink_to(victim / ".git")
    with pytest.raises(SecftError, match="outside the checkout"):
        SourceReader(h)


def test_alternates_naming_another_repository_are_refused(victim, checkout):
    (checkout / ".git" / "objects" / "info").mkdir(parents=True, exist_ok=True)
    (checkout / ".git" / "objects" / "info" / "alternates").write_text(str(victim / ".git" / "objects") + "\n")
    with pytest.raises(SecftError, match="borrows objects"):
        SourceReader(checkout)


def test_a_submodule_is_accepted(checkout, victim):
    subprocess.run(["git", "-C", str(checkout), "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(victim), "sub"],
                   check=True, capture_output=True)
    assert SourceReader(checkout / "sub").repo == (checkout / "sub").resolve()
