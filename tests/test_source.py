"""SourceReader against a real git repository built in a temporary folder."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tasks.core.config import load_config
from tasks.core.errors import SecftError
from tasks.repository.source import SourceReader, reader_from_config, safe_path

REPO = Path(__file__).resolve().parent.parent
# a GitHub token shape detect-secrets knows; made up for this test, never valid anywhere
TOKEN = "ghp_" + "Zx9Qw2Er4Ty6Ui8Op0As1Df3Gh5Jk7Lz9Xc2V"


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> dict:
    root = tmp_path / "checkout"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    lines = [f"line {i}\n" for i in range(1, 21)]
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("".join(lines))
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    first = git(root, "rev-parse", "HEAD")
    lines[9] = "line 10 changed\n"
    (root / "src" / "app.py").write_text("".join(lines))
    (root / "settings.py").write_text(f'import os\n\nGITHUB_TOKEN = "{TOKEN}"\nDEBUG = False\n')
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "second")
    second = git(root, "rev-parse", "HEAD")
    lines[9] = "line 10 in the working tree\n"
    (root / "src" / "app.py").write_text("".join(lines))
    return {"root": root, "first": first, "second": second}


def test_reads_the_file_at_the_commit_not_the_working_tree(repo):
    reader = SourceReader(repo["root"])
    at_first = reader.context("src/app.py", repo["first"], 10, 2)
    assert at_first == {"path": "src/app.py", "text": "line 8\nline 9\nline 10\nline 11\nline 12",
                        "start_line": 8, "end_line": 12, "commit": repo["first"], "note": None}
    short = reader.context("src/app.py", repo["second"][:12], 10, 0)
    assert short["text"] == "line 10 changed" and short["commit"] == repo["second"]
    tree = reader.context("src/app.py", None, 10, 0)
    assert tree["text"] == "line 10 in the working tree" and tree["commit"] is None
    assert "working tree" in tree["note"] and "unknown" in tree["note"]


def test_window_is_clamped_to_the_file_and_spans_end_line(repo):
    reader = SourceReader(repo["root"])
    top = reader.context("src/app.py", repo["first"], 1, 3)
    assert (top["start_line"], top["end_line"]) == (1, 4) and top["text"].splitlines()[0] == "line 1"
    bottom = reader.context("src/app.py", repo["first"], 19, 5, end_line=20)
    assert (bottom["start_line"], bottom["end_line"]) == (14, 20) and bottom["text"].endswith("line 20")
    assert reader.context("src/app.py", repo["first"], 21, 3) is None  # past the end: that is not this code


def test_unknown_commit_falls_back_to_the_working_tree_with_a_note(repo):
    reader = SourceReader(repo["root"])
    got = reader.context("src/app.py", "deadbeef" * 5, 10, 0)
    assert got["text"] == "line 10 in the working tree" and got["commit"] is None
    assert "deadbeefdeadbeef" in got["note"] and "not in the repository" in got["note"]
    not_hex = reader.context("src/app.py", "HEAD~1", 10, 0)  # refs are not commits from a run.json
    assert not_hex["commit"] is None and "working tree" in not_hex["note"]


@pytest.mark.parametrize("hostile", ["../../etc/passwd", "/etc/passwd", "src/../../etc/passwd", ".git/config",
                                     "src/../.git/HEAD", "C:/Windows/win.ini", "..\\..\\etc\\passwd", "a\x00b", ""])
def test_hostile_paths_are_refused(repo, hostile):
    reader = SourceReader(repo["root"])
    assert reader.context(hostile, repo["second"], 1, 3) is None
    assert reader.context(hostile, None, 1, 3) is None


def test_symlink_out_of_the_checkout_is_not_followed(repo, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("private\n")
    (repo["root"] / "leak.txt").symlink_to(outside)
    git(repo["root"], "add", "leak.txt")
    git(repo["root"], "commit", "-q", "-m", "link")
    reader = SourceReader(repo["root"])
    assert reader.context("leak.txt", None, 1, 0) is None
    assert reader.context("leak.txt", git(repo["root"], "rev-parse", "HEAD"), 1, 0) is None  # a link blob is no code


def test_missing_file_is_none(repo):
    reader = SourceReader(repo["root"])
    assert reader.context("settings.py", repo["first"], 1, 3) is None  # added only in the second commit
    assert reader.context("nope.py", repo["second"], 1, 3) is None
    assert reader.context("nope.py", None, 1, 3) is None
    assert reader.context("src", repo["second"], 1, 3) is None  # a folder


def test_secret_in_the_source_is_redacted(repo):
    reader = SourceReader(repo["root"])
    got = reader.context("settings.py", repo["second"], 3, 1)
    assert TOKEN not in got["text"]
    assert "[REDACTED secret sha256:" in got["text"] and "GITHUB_TOKEN = " in got["text"]
    assert got["text"].splitlines()[0] == "" and got["text"].splitlines()[2] == "DEBUG = False"
    tree = reader.context("settings.py", None, 3, 0)
    assert TOKEN not in tree["text"] and tree["text"].startswith("GITHUB_TOKEN = \"[REDACTED secret sha256:")


def test_not_a_git_checkout_is_one_line(tmp_path):
    with pytest.raises(SecftError) as err:
        SourceReader(tmp_path)
    assert "not a git checkout" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(SecftError, match="not a folder"):
        SourceReader(tmp_path / "missing")


def test_safe_path_normalises_harmless_forms():
    assert safe_path("./src//app.py") == "src/app.py"
    assert safe_path("src/./app.py") == "src/app.py"
    assert safe_path("src/.GIT/config") is None


def test_config_key_and_environment_variable(repo):
    assert load_config(REPO / "config/pipeline.yaml", environ={})["source"]["repo_path"] is None
    config = load_config(REPO / "config/pipeline.yaml", environ={"SECFT_SOURCE_REPO": str(repo["root"])})
    assert config["source"]["repo_path"] == str(repo["root"])
    reader = reader_from_config(config)
    assert reader.repo == repo["root"].resolve()
    assert reader_from_config(load_config(REPO / "config/pipeline.yaml", environ={})) is None


def test_binary_and_oversized_files_are_not_code(repo, monkeypatch):
    import tasks.repository.source as source

    (repo["root"] / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (repo["root"] / "latin1.py").write_bytes("caf\xe9 = 1\n".encode("latin-1"))
    git(repo["root"], "add", "logo.png", "latin1.py")
    git(repo["root"], "commit", "-q", "-m", "binary")
    head = git(repo["root"], "rev-parse", "HEAD")
    reader = SourceReader(repo["root"])
    for commit in (head, None):
        assert reader.context("logo.png", commit, 1, 1) is None
        assert reader.context("latin1.py", commit, 1, 1) is None  # not UTF-8: line numbers would be guesses
    monkeypatch.setattr(source, "MAX_FILE_BYTES", 120)  # src/app.py is about 170 bytes, settings.py 81
    small = SourceReader(repo["root"])
    assert small.context("src/app.py", repo["first"], 1, 1) is None
    assert small.context("src/app.py", None, 1, 1) is None
    assert small.context("settings.py", repo["second"], 1, 0)["text"] == "import os"
