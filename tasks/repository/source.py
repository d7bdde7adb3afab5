"""Read a finding's code from a local checkout of the scanned repository.

A scanner's snippet is a line or two, sometimes none.  When the team runs secft next to a checkout
(``source.repo_path``), the code around a finding is read *at the commit its CI run scanned* (``git show
COMMIT:path``), so the prompt shows the code the scanner saw, not whatever the branch holds today.
When the commit is unknown or not in the checkout, the working tree is read
instead and the result says so in ``note``.  Everything here treats its inputs as hostile: a path from a report must be
repository-relative without ``..`` or ``.git`` parts (a symbolic link in the
working tree may not lead outside), a commit must be hex, git runs with an
argument list, a timeout and a byte cap, with a fixed environment and the
repository's own hooks for running programs switched off, and a repository
that moves its work tree is refused (``tasks.repository.git``).
What is returned has been through the project's secret redaction: a
credential in the source never reaches a prompt.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from typing import Iterable

from tasks.core.errors import SecftError
from tasks.findings import secret_literals, secrets
from tasks.findings.model import NO_LOCATION, Finding, as_finding
from tasks.findings.secret_keys import key_block_lines, private_key_rule, translation_catalogue, ui_words
from tasks.repository.git import (  # noqa: F401
    GIT_TIMEOUT,
    GitOutputTooLarge,
    inside,
    open_repository,
    run_git,
)

MAX_FILE_BYTES = 4 << 20    # a source file larger than this is not read (None)
REDACT_MARGIN = 200         # lines around the window also scanned for secrets (a key block split by the window)
_HEX = re.compile(r"^[0-9a-fA-F]{7,64}$")  # abbreviated or full SHA-1 / SHA-256 ids


def safe_path(path: object) -> str | None:
    """``path`` as a clean repository-relative POSIX path, or None when it could leave the repository."""
    if not isinstance(path, str) or not path or "\x00" in path or "\\" in path or len(path) > 4096:
        return None
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return None
    parts = [p for p in PurePosixPath(path).parts if p != "."]
    if not parts or any(p in ("..", "") or p.lower() == ".git" for p in parts):
        return None
    return "/".join(parts)


def finding_lines(reader, f: Finding, path: str | None = None) -> list[str]:
    """The lines of ``path`` (the finding's own file by default) at the commit the finding's run scanned, or []
    when there is no reader or the file cannot be read: an unreadable file gives no evidence, never a failure.
    ``reader`` is anything with ``resolve`` and ``lines`` (a SourceReader, a test's stand-in)."""
    path = path or (f.location.path if f.location else None)
    if reader is None or not path:
        return []
    try:
        return reader.lines(path, reader.resolve(f.source.commit if f.source else None)) or []
    except Exception:  # noqa: BLE001 - no evidence, never a failure
        return []


def find_secrets(text: str, path: str | None = None) -> list[str]:
    """Secrets in source text, found the way the parsers find them (detect-secrets + key blocks)."""
    return secrets.detect(text, path)


def redact(text: str, found: Iterable[str]) -> str:
    return secrets.scrub(text, list(found))


class SourceReader:
    """Code of a repository at a commit, or in its working tree; cached per (commit, path)."""

    def __init__(self, repo_path: str | os.PathLike):
        repo = Path(repo_path).expanduser()
        if not repo.is_dir():
            raise SecftError(f"source.repo_path {os.fspath(repo_path)!r}: not a folder")
        self.repo = open_repository(repo, f"source.repo_path {os.fspath(repo_path)!r}")
        self._files: dict[tuple[str | None, str], list[str] | None] = {}
        self._commits: dict[str, str | None] = {}
        self._secrets: dict[tuple[str | None, str, int, int], list[str]] = {}
        self._known: dict[str, set[str]] = {}
        self._ancestry: dict[tuple[str, str], bool] = {}

    # -- commits -------------------------------------------------------------------------------
    def resolve(self, commit: object) -> str | None:
        """The full id of ``commit`` when it is hex and a commit of this repository, else None."""
        if not isinstance(commit, str) or not _HEX.match(commit):
            return None
        if commit not in self._commits:
            code, out = run_git(self.repo, ["rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"],
                                max_bytes=4096, ok_codes=(0, 1, 128))
            self._commits[commit] = out.decode().strip() if code == 0 and out.strip() else None
        return self._commits[commit]

    def is_ancestor(self, older: str, newer: str) -> bool:
        """True when commit ``older`` is an ancestor of (or equal to) ``newer``."""
        a, b = self.resolve(older), self.resolve(newer)
        if not a or not b:
            return False
        if (a, b) not in self._ancestry:
            code, _ = run_git(self.repo, ["merge-base", "--is-ancestor", a, b], max_bytes=4096, ok_codes=(0, 1))
            self._ancestry[(a, b)] = code == 0
        return self._ancestry[(a, b)]

    # -- files ---------------------------------------------------------------------------------
    def lines(self, path: str, commit: str | None) -> list[str] | None:
        """Lines of ``path`` at resolved ``commit`` (None = working tree); None when absent, binary or too large."""
        clean = safe_path(path)
        if clean is None:
            return None
        key = (commit, clean)
        if key not in self._files:
            data = self._read_commit(commit, clean) if commit else self._read_worktree(clean)
            self._files[key] = _decode(data)
        return self._files[key]

    def tracked(self, commit: str | None, folder: str, limit: int = 200) -> list[str]:
        """The files under ``folder`` at resolved ``commit`` (None: HEAD), at most ``limit``; [] when unreadable."""
        clean = safe_path(folder)
        if clean is None:
            return []
        try:
            code, out = run_git(self.repo, ["ls-tree", "-r", "-z", "--name-only", commit or "HEAD", "--", clean],
                                max_bytes=1 << 20, ok_codes=(0, 128))
        except GitOutputTooLarge:
            return []
        names = [n for n in out.decode("utf-8", "replace").split("\x00") if n] if code == 0 else []
        return [n for n in names if safe_path(n) == n][:limit]

    def _read_commit(self, commit: str, path: str) -> bytes | None:
        code, listing = run_git(self.repo, ["ls-tree", "-z", commit, "--", path],
                                max_bytes=65536, ok_codes=(0, 128))
        entry = listing.split(b"\x00", 1)[0].decode("utf-8", "replace")
        meta, _, name = entry.partition("\t")
        fields = meta.split()
        if code != 0 or name != path or len(fields) != 3 or fields[1] != "blob" or fields[0] not in ("100644", "100755"):
            return None  # absent, a folder, a symbolic link or a submodule
        try:
            _, data = run_git(self.repo, ["show", "--no-textconv", f"{commit}:{path}"], max_bytes=MAX_FILE_BYTES)
        except GitOutputTooLarge:
            return None
        return data

    def _read_worktree(self, path: str) -> bytes | None:
        resolved = inside(self.repo, self.repo / path)
        if resolved is None:
            return None  # a symbolic link out of the checkout, or into its .git folder
        try:
            if not resolved.is_file() or resolved.stat().st_size > MAX_FILE_BYTES:
                return None
            return resolved.read_bytes()
        except OSError:
            return None

    # -- secrets the scanners pointed at --------------------------------------------------------
    def learn_secrets(self, findings: Iterable[dict]) -> int:
        """Remember the values on the lines of every secret finding (Bandit B105, gitleaks, ...).

        detect-secrets does not recognise every password, and a window around one
        finding may hold another finding's secret; once learnt, those values are
        redacted wherever they appear in that file.  Values are read at the commits
        the finding was reported at (the working tree only when none is known), so a
        line that has changed since is not mistaken for a secret.  Returns how many.
        """
        count = 0
        for finding in map(as_finding, findings):
            loc = finding.location or NO_LOCATION
            path, start = safe_path(loc.path), loc.start_line
            if not path or not isinstance(start, int) or not secret_finding(finding):
                continue
            end = loc.end_line if isinstance(loc.end_line, int) else start
            seen = [s.commit if s else None for s in (finding.first_seen, finding.last_seen, finding.source)]
            commits = {c for c in (self.resolve(x) for x in seen) if c} or {None}
            for commit in commits:
                values = secret_literals.kept_literals(finding, self.lines(path, commit), start, end, {v for v in self.literals(
                    path, commit, start, end, private_key_rule(finding.rule_id, finding.title)) if not _FIELD.search(v)}) - self._names(path, commit)
                if translation_catalogue(path):  # words of a locale file are text a person reads (set 26)
                    values = {v for v in values if not ui_words(v)}
                count += len(values - self._known.get(path, set()))
                self._known.setdefault(path, set()).update(values)
        return count

    def _names(self, path: str, commit: str | None) -> set[str]:
        """The names the file defines (functions, classes, parameters, variables, keyword arguments): a flagged literal
        equal to one is the program's own name used as a dummy value - jupyterhub's fixture `def user_password():
        return "user_password"` (set 26) - and redacting it wherever it stands would eat the code around it."""
        key = ("names", commit, path)
        if key not in self._secrets:
            text = "".join(self.lines(path, commit) or [])
            self._secrets[key] = {next(g for g in m.groups() if g) for m in _DEFINED.finditer(text)} if text else set()
        return self._secrets[key]

    def known_secrets(self, path: str) -> set[str]:
        return set(self._known.get(path, ()))

    def context(self, path: str, commit: str | None, line: int | None, context_lines: int,
                end_line: int | None = None, mark_secret: bool = False, key_rule: bool = False) -> dict | None:
        """The code around ``line`` (to ``end_line``) of ``path`` at ``commit``, redacted.

        ``{"path", "text", "start_line", "end_line", "commit", "note"}``; ``commit`` is the
        full id read (None for the working tree) and ``note`` says why the working tree was
        read.  None when the path is unsafe, the file does not exist there (or is binary,
        not UTF-8, or too large), or the line lies past its end: wrong code is worse than none.
        ``mark_secret`` (a finding that *is* a secret: ``secret_finding(finding)``) also
        redacts the literal values on the reported lines, as the parsers do for its snippet,
        since detect-secrets does not recognise every password; ``learn_secrets(findings)``
        once beforehand does that for every secret finding of the file.
        """
        clean = safe_path(path)
        if clean is None:
            return None
        resolved = self.resolve(commit)
        note = None
        if resolved is None:
            note = ("commit unknown: code read from the working tree" if not commit
                    else f"commit {str(commit)[:40]!r} not in the repository: code read from the working tree")
        text_lines = self.lines(clean, resolved)
        if text_lines is None:
            return None
        first_wanted = line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else 1
        last_wanted = end_line if isinstance(end_line, int) and end_line and end_line >= first_wanted else first_wanted
        if first_wanted > max(len(text_lines), 1):
            return None
        ctx = max(0, int(context_lines))
        window = self.window(clean, resolved, first_wanted - ctx, last_wanted + ctx)
        if window is None:
            return None
        start, end, text = window
        if mark_secret:  # a locale file's words stay, as learn_secrets keeps them (set 39: "Postmark-passord"); a
            text = redact(text, [v for v in self.literals(clean, resolved, first_wanted, last_wanted, key_rule, code=True)
                                 if not (translation_catalogue(clean) and ui_words(v))])  # private variable too (set 44)
        return {"path": clean, "text": text, "start_line": start, "end_line": end, "commit": resolved, "note": note}

    def window(self, path: str, commit: str | None, first: int, last: int) -> tuple[int, int, str] | None:
        """(start, end, redacted text) of lines ``first``..``last`` (clamped to the file)."""
        text_lines = self.lines(path, commit)
        if text_lines is None:
            return None
        start = max(1, first)
        end = max(start, min(last, len(text_lines)))
        text = "".join(text_lines[start - 1:end]).rstrip("\n")
        return start, end, redact(text, set(self.secrets_near(path, commit, start, end)) | self.known_secrets(path))

    def literals(self, path: str, commit: str | None, start: int, end: int, key_rule: bool = False, code: bool = False) -> list[str]:
        """Quoted and assigned values on lines ``start``..``end`` (a secret finding's); a private-key rule's: key lines only."""
        text_lines = self.lines(path, commit) or []
        keep = key_block_lines(text_lines, start, end) if key_rule else None
        return secrets.literal_values("".join(t for n, t in enumerate(text_lines[max(start, 1) - 1:end], max(start, 1))
                                              if keep is None or n in keep), path=path if code else None)

    def secrets_near(self, path: str, commit: str | None, start: int, end: int) -> list[str]:
        """Secrets detected in lines ``start``..``end`` and a margin around them (cached)."""
        text_lines = self.lines(path, commit) or []
        lo, hi = max(1, start - REDACT_MARGIN), min(len(text_lines), end + REDACT_MARGIN)
        key = (commit, path, lo, hi)
        if key not in self._secrets:
            names = self._names(path, commit)
            words = translation_catalogue(path)  # a locale file's words are text a person reads (set 26)
            self._secrets[key] = [v for v in find_secrets("".join(text_lines[lo - 1:hi]), path)
                                  if v not in names and not (words and ui_words(v))]
        return self._secrets[key]


# a format field: f"{username}@example.com" is a template the code fills, not a secret's value (set 27: Bandit's B107
# reports a function default over the whole signature, and every literal of it was learnt)
_FIELD = re.compile(r"\{[A-Za-z_][\w.]*(?:![rsa])?(?::[^{}]*)?\}")
# a name the file defines: def/class/function, a parameter or keyword argument, a variable assigned at a line's start
_DEFINED = re.compile(r"(?m)\b(?:def|class|function)\s+([A-Za-z_]\w*)|[(,]\s*([A-Za-z_]\w*)\s*(?=[,)=:])(?!==)"
                      r"|^\s*(?:(?:const|let|var)\s+)?([A-Za-z_]\w*)\s*=(?!=)")


def secret_finding(finding: Finding | dict) -> bool:
    """Is this finding's reported line a secret itself (gitleaks, Bandit B105, Checkov secrets...)?"""
    finding = as_finding(finding)
    return finding.kind == "secret" or secrets.tool_marks_secret(
        str(finding.tool or ""), str(finding.rule_id or ""), str(finding.title or ""))


def _decode(data: bytes | None) -> list[str] | None:
    if data is None or b"\x00" in data[:8192]:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # split on "\n" only: str.splitlines also breaks at \f, \x1c, U+2028..., and git's line numbers do not
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def reader_from_config(config: dict) -> SourceReader | None:
    """The reader for ``source.repo_path`` (None when unset)."""
    repo = ((config.get("source") or {}).get("repo_path")) if isinstance(config, dict) else None
    return SourceReader(Path(repo)) if repo else None
