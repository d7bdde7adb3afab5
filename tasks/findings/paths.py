"""Repository-relative POSIX paths out of whatever the CI runner wrote.

Scanners run inside a checkout and print absolute paths of that runner:
``/home/runner/work/<repo>/<repo>/src/app.py`` on GitHub, ``D:\\a\\<repo>\\<repo>\\``
on its Windows runners, ``/github/workspace/`` in Docker actions, ``/__w/...``
in container jobs, ``/builds/<group>/<project>/`` on GitLab,
``/var/lib/jenkins/workspace/<job>/`` on Jenkins, ``/workspace/`` on Cloud
Build / Tekton.  Those prefixes say nothing about the code and would teach a
model paths that exist on no developer's machine, so they are stripped from
locations and scrubbed from every text.  So is the local checkout's own
absolute path (``source.repo_path``) when a report was made on this machine
(``local_roots``, ``rebase_local``; applied when the runs are merged).

``/src/`` is *not* stripped: Semgrep's Docker image mounts the checkout there,
but ``/src/...`` is just as often a real path inside a scanned container image
(Trivy, Grype), and stripping it would change what the finding points at.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from typing import Any
from urllib.parse import unquote

_PREFIXES = [
    "/home/{s}/(?:_)?work/{s}/{s}/",          # GitHub-hosted and self-hosted Linux runners
    "/Users/{s}/(?:_)?work/{s}/{s}/",         # macOS runners
    "(?:[A-Za-z]:)?(?:/{s})*/actions-runner/_work/{s}/{s}/",  # self-hosted runner installs (also C:\\actions-runner)
    "/__w/{s}/{s}/",                          # GitHub container jobs
    "/github/workspace/",                     # Docker container actions
    "/builds/{s}/{s}/",                       # GitLab runners
    "/var/lib/jenkins/workspace/{s}/",        # Jenkins
    "/workspace/",                            # Cloud Build, Tekton, generic containers
    "[A-Za-z]:/a/{s}/{s}/",                   # GitHub Windows runners (D:\\a\\repo\\repo\\)
]


def _alternatives(sep: str, seg: str, end: str) -> str:
    """The prefixes as one alternation; each ends in a separator or, for the workspace itself, ``end``."""
    return "|".join(p[:-1].replace("/", sep).replace("{s}", seg) + f"(?:{sep}|{end})" for p in _PREFIXES)


_ANCHORED = re.compile(r"^(?:" + _alternatives("/", r"[^/]+", "$") + ")")
# in free text: not inside a longer path or word; an optional file:// scheme goes too.  The
# workspace itself ("Scanned /github/workspace in 3s") becomes ".", the repository root.
_IN_TEXT = re.compile(
    r"(?:file://(?:localhost)?(?=/)|file:///(?=[A-Za-z]:)|(?<![\w.\-/\\]))(?:"
    + _alternatives(r"[/\\]", r"[^/\\\s\"'<>(),;:]+", r"(?=[\s\"'<>(),;:]|$)")
    + ")"
)
_FILE_URI = re.compile(r"^file://(?:localhost)?(?=/)|^file:(?=/)", re.I)
_WIN_DRIVE_URI = re.compile(r"^/([A-Za-z]:/)")


def has_ci_prefix(text: Any) -> bool:
    return isinstance(text, str) and bool(_IN_TEXT.search(text))


def scrub_text(text: Any) -> Any:
    """Remove CI workspace prefixes (and their file:// scheme) wherever they appear in a text."""
    if not isinstance(text, str) or not text:
        return text
    return _scrub_text(text)


@functools.lru_cache(maxsize=65536)
def _scrub_text(text: str) -> str:
    return _IN_TEXT.sub(lambda m: "" if m.group(0)[-1:] in ("/", "\\") else ".", text)


def local_roots(repo_path: Any) -> tuple[str, ...]:
    """The local checkout's absolute path as configured and as resolved (symbolic links), longest first.

    A scanner run on this machine against the checkout by its absolute path (``bandit -r "$PWD"``,
    ``semgrep scan /home/me/app``) writes that path into every location and message; it is as
    meaningless to a reader as a CI runner's workspace.  Empty when ``source.repo_path`` is unset, and
    never the file-system root itself.
    """
    if not isinstance(repo_path, str) or not repo_path.strip():
        return ()
    configured = os.path.normpath(os.path.abspath(os.path.expanduser(repo_path.strip())))
    roots = {configured, os.path.realpath(configured)}
    return tuple(sorted((r.replace("\\", "/") for r in roots if r.strip("/\\")), key=len, reverse=True))


def rebase_local(finding: dict, roots: tuple[str, ...]) -> dict:
    """``finding`` with the local checkout's absolute path made repository-relative in every text (in place).

    Only a whole path component matches: ``/src/app`` never strips ``/src/app2/x``.  Identity fields
    (``id``, ``secret_hash``) are digests, never paths, and are left alone.
    """
    if not roots:
        return finding
    pattern = _local_pattern(roots)
    for key, value in list(finding.items()):
        if key not in ("id", "secret_hash"):
            finding[key] = _rebase(value, pattern)
    return finding


@functools.lru_cache(maxsize=8)
def _local_pattern(roots: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(r) for r in roots)
    return re.compile(r"(?:file://(?:localhost)?(?=/)|(?<![\w.\-/\\]))(?:" + alternatives + r")(?:/|(?=[\s\"'<>(),;:]|$))")


def map_strings(value: Any, fn) -> Any:
    """``value`` with ``fn`` applied to every string in it, through nested dicts and lists."""
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {k: map_strings(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [map_strings(v, fn) for v in value]
    return value


def _rebase(value: Any, pattern: re.Pattern) -> Any:
    return map_strings(value, lambda t: pattern.sub(lambda m: "" if m.group(0).endswith("/") else ".", t) if "/" in t else t)


def normalise(path: Any) -> tuple[str | None, bool]:
    """(repository-relative POSIX path, whether it differs from what the report wrote)."""
    if path in (None, ""):
        return None, False
    original = str(path)
    p = original.strip()
    if _FILE_URI.match(p):
        p = unquote(_FILE_URI.sub("", p, count=1))
        p = _WIN_DRIVE_URI.sub(r"\1", p)
    p = p.replace("\\", "/")
    stripped = _ANCHORED.sub("", p, count=1)
    p = stripped if stripped != p and stripped else "." if stripped != p else p  # the workspace itself: "."
    if p.startswith("./"):
        p = p[2:]
    if p and not re.match(r"^[a-z][a-z0-9+.\-]*://", p, re.I):
        p = posixpath.normpath(p)
        p = "/" + p.lstrip("/") if p.startswith("//") else p
    p = p or original
    return p, p != original


def sarif_uri(artifact_location: Any, base_ids: Any) -> tuple[str | None, str | None]:
    """(path as written in full, path) of a SARIF artifactLocation, resolving ``uriBaseId``.

    When the base is known (``run.originalUriBaseIds``) the full path is base +
    uri; the uri itself is then relative to the source root, which is what we
    want, unless the uri is absolute.
    """
    if not isinstance(artifact_location, dict):
        return None, None
    uri = artifact_location.get("uri")
    if not isinstance(uri, str) or not uri:
        return None, None
    base_id = artifact_location.get("uriBaseId")
    full = uri
    if isinstance(base_id, str) and not re.match(r"^[a-z][a-z0-9+.\-]*:", uri, re.I) and not uri.startswith("/"):
        base = _resolve_base(base_id, base_ids if isinstance(base_ids, dict) else {}, 0)
        if base:
            full = base.rstrip("/") + "/" + uri
    return full, uri


def _resolve_base(base_id: str, base_ids: dict, depth: int) -> str | None:
    entry = base_ids.get(base_id)
    if depth > 8 or not isinstance(entry, dict):
        return None
    uri = entry.get("uri") if isinstance(entry.get("uri"), str) else ""
    parent = entry.get("uriBaseId")
    if isinstance(parent, str) and not re.match(r"^[a-z][a-z0-9+.\-]*:", uri, re.I):
        above = _resolve_base(parent, base_ids, depth + 1)
        if above:
            return above.rstrip("/") + "/" + uri
    return uri or None
