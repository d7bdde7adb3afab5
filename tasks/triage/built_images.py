"""The repository's own image: which Dockerfile builds the image a Kubernetes manifest runs, and on what.

A manifest that runs ``us-central1-docker.pkg.dev/bank-of-anthos-ci/bank-of-anthos/ledger-db:v0.6.9`` says
nothing about the image's user or entrypoint, but the repository builds it: ``src/ledger/ledger-db/Dockerfile``,
``FROM postgres:16.14-alpine``.  Hardening advice written without that (``runAsUser: 10001`` on a postgres
server, whose entrypoint starts as root, chowns PGDATA and drops to UID 70) stops the database; a grader of
held-out rows found four such rows in one project.

The image is matched to a Dockerfile by name only when that is unambiguous: the image's last path component
without its tag (``ledger-db``) is the name of exactly one tracked Dockerfile's folder.  Anything else (no such
folder, several) gives no answer, never a guess.  The final stage's ``FROM`` and ``USER`` are read with
tasks.triage.docker's instruction reader.
"""

from __future__ import annotations

import posixpath
import re

from tasks.triage.docker import instructions, words

_DOCKERFILE = re.compile(r"(?i)^(?:Dockerfile|Containerfile)$")
_IMAGE = re.compile(r"^\s*-?\s*image:\s*['\"]?(\S+?)['\"]?\s*$", re.M)


def image_name(ref: str) -> str:
    """``registry/path/ledger-db:v1@sha256:..`` -> ``ledger-db``."""
    last = ref.split("@", 1)[0].rsplit("/", 1)[-1]
    return last.split(":", 1)[0]


def built_by(ref: str, files: list[str], read) -> dict | None:
    """{"image", "dockerfile", "from", "from_line", "user"} for the tracked Dockerfile that builds ``ref``, or None.
    ``read(path)`` gives a file's lines."""
    name = image_name(ref or "")
    if not name or name in (".", ".."):
        return None
    found = [p for p in files if _DOCKERFILE.match(posixpath.basename(p)) and posixpath.basename(posixpath.dirname(p)) == name]
    if len(found) != 1:
        return None
    steps = instructions(read(found[0]) or [])
    froms = [(n, a) for n, k, a in steps if k == "FROM"]
    if not froms:
        return None
    line, arg = froms[-1]
    base = next((w for w in words(arg) if not w.startswith("--")), "")
    users = [a.strip() for n, k, a in steps if k == "USER" and n > line]
    return {"image": ref, "dockerfile": found[0], "from": base, "from_line": line, "user": users[-1] if users else None}


def manifest_images(text: str | None) -> list[str]:
    """The images a manifest's containers run, in order, once each."""
    return list(dict.fromkeys(_IMAGE.findall(text or "")))
