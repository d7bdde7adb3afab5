"""A Dockerfile check that Checkov ran on a file that is not a Dockerfile, only named like one.

Checkov's Dockerfile framework takes every file whose name matches ``^(?:.+\\.)?[Dd]ockerfile(?:\\..+)?$``
(checkov/common/util/dockerfile.py, ``DOCKERFILE_MASK``), so highlight.js's language definition
``static/js/highlightjs/dockerfile.min.js`` gets CKV_DOCKER_2 (no HEALTHCHECK) and CKV_DOCKER_3 (no USER)
(round 47: both graders; the row blamed the vendored library and offered "a newer release").  No release and no
code change fixes a JavaScript file for lacking a ``USER`` line: the scanner misread the file by its name, and the
fix is to keep the file out of that framework (``--skip-path``).

The name's last suffix must be a source, markup or data format (``.js``, ``.py``, ``.json``, ``.md`` ...) and the
file must hold no Dockerfile instruction (``Dockerfile.go`` with ``FROM golang`` is a Dockerfile named for its
language); a template of a Dockerfile (``Dockerfile.j2``, ``.tmpl``, ``.in``) or a variant (``Dockerfile.dev``,
``api.Dockerfile``) stays a Dockerfile.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_RULE = re.compile(r"^CKV2?_DOCKER_\d+$", re.I)
_MASK = re.compile(r"^(?:.+\.)?[Dd]ockerfile(?:\..+)?$")  # checkov's DOCKERFILE_MASK
_FORMAT = {".js": "JavaScript", ".mjs": "JavaScript", ".cjs": "JavaScript", ".ts": "TypeScript", ".tsx": "TypeScript",
           ".jsx": "JavaScript", ".json": "JSON", ".map": "a source map", ".css": "CSS", ".scss": "Sass",
           ".html": "HTML", ".htm": "HTML", ".md": "Markdown", ".rst": "reStructuredText", ".py": "Python",
           ".rb": "Ruby", ".go": "Go", ".java": "Java", ".php": "PHP", ".xml": "XML", ".svg": "SVG", ".vim": "Vim script",
           ".el": "Emacs Lisp", ".lua": "Lua", ".png": "an image", ".gif": "an image", ".rs": "Rust", ".kt": "Kotlin"}


_INSTRUCTION = re.compile(r"(?i)^\s*(?:FROM|ARG|RUN|CMD|ENTRYPOINT|COPY|ADD|USER|WORKDIR|ENV)\s+\S")
# formats no Dockerfile is written in: judged from the name alone when the file cannot be read
_NEVER = {".js", ".mjs", ".cjs", ".json", ".map", ".css", ".scss", ".html", ".htm", ".md", ".rst", ".svg", ".png", ".gif"}


def check_misread_file(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "report", "status": "misread_file", "evidence"} for a Dockerfile check on a non-Dockerfile."""
    f = as_finding(f)
    if str(f.tool or "").lower() != "checkov" or not _RULE.match(str(f.rule_id or "")):
        return None
    name = PurePosixPath(str(f.path or "")).name
    suffix = PurePosixPath(name).suffix.lower()
    if not _MASK.match(name) or suffix not in _FORMAT or name.lower() == "dockerfile":
        return None
    head = finding_lines(reader, f)[:80] if reader is not None else []
    if any(_INSTRUCTION.match(line) for line in head) or not head and suffix not in _NEVER:
        return None  # `Dockerfile.go` holding `FROM golang`: a Dockerfile named for its language (the review of cc48935)
    return {"check": "report", "status": "misread_file",
            "evidence": f"the scanner misread the file: {f.path} is {_FORMAT[suffix]} ({suffix}), not a Dockerfile; "
                        "Checkov's Dockerfile framework takes every file named `[prefix.]Dockerfile[.suffix]` "
                        f"(either case of the D), so {f.rule_id} judged it as one. Nothing in the file can be fixed for this "
                        f"check: keep it out of that framework (`--skip-path {f.path}`)"}
