"""Semgrep's ``missing-user`` on an earlier stage of a multi-stage Dockerfile whose final stage sets a non-root USER.

wallabag's ``docker/php/Dockerfile`` ends its ``rootless`` stage with ``CMD ["php", "bin/console", ...]`` (line 101),
and the stage the image is built as, ``FROM rootless AS default``, sets ``USER www-data`` (line 117); its compose file
builds ``target: default`` (held-out set 45, both labellers: false positive).  Semgrep reads each stage's CMD on its
own; what ships is the final stage, unless a build file targets another stage by name (``target: rootless``,
``target = "dev"``, ``${PHP_TARGET:-rootless}``, ``--target rootless``), which keeps the finding.

May import: ``tasks.findings``, ``tasks.triage.entrypoint``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding
from tasks.triage.entrypoint import words

_BUILD_FILE = re.compile(r"(?i)(?:^|/)(?:[^/]*compose[^/]*\.ya?ml|\.github/workflows/[^/]+\.ya?ml|Makefile|[^/]+\.sh"
                         r"|\.gitlab-ci\.yml|docker-bake\.hcl)$")
MAX_BUILD_FILES = 60
# a stage a build file names: compose `target: x`, bake `target = "x"`, a variable's default `${T:-x}`, `--target x`
_TARGET = re.compile(r"""(?m)^[^#\n]*?(?:\btarget\s*[:=]\s*["']?(?:\$\{\w+:?-)?|--target[= ]["']?)([A-Za-z_][\w.-]*)""")


def _alias(args: str) -> str | None:
    w = [x for x in words(args) if not x.startswith("--")]
    return w[2] if len(w) >= 3 and w[1].lower() == "as" else None


def earlier_stage(f: Finding, steps: list[tuple[int, str, str]], files: list[str] | None, read) -> dict | None:
    """{"check": "container", "status": "earlier_stage", "evidence"} for a Semgrep missing-user finding on a stage that
    is not the image, else None.  ``read(path)``: a build file's lines."""
    froms = [(n, a) for n, k, a in steps if k == "FROM"]
    if f.tool != "semgrep" or not f.line or len(froms) < 2 or f.line >= froms[-1][0] or files is None:
        return None
    start, args = max((n, a) for n, a in froms if n <= f.line) if any(n <= f.line for n, _ in froms) else (None, "")
    name = _alias(args)
    users = [(n, a.split(":")[0].strip()) for n, k, a in steps if k == "USER" and n > froms[-1][0]]
    if start is None or name is None or not users or users[-1][1] in ("root", "0"):
        return None
    final = _alias(froms[-1][1])
    for p in [p for p in files if _BUILD_FILE.search(p)][:MAX_BUILD_FILES]:
        if any(t != final for t in _TARGET.findall("".join(read(p) or []))):
            return None  # a build of another stage ships it (compose, bake's `target = "x"`, `${VAR:-x}`, --target)
    return {"check": "container", "status": "earlier_stage",
            "evidence": f"an earlier build stage, not the image: {f.path}:{f.line} is in the stage `{name}` (line "
                        f"{start}); the image is the final stage (line {froms[-1][0]}: `FROM {froms[-1][1][:60]}`), "
                        f"which sets `USER {users[-1][1]}` (line {users[-1][0]}), and no build file targets another stage"}
