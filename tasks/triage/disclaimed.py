"""A configuration the project's own documentation calls a starting point, not its deployment.

Infrastructure code a project ships for its users to begin from (``terraform/gcp-cloud-run`` in babybuddy, whose
docs/setup/deployment.md says "The terraform code isn't production ready and is meant to be a good way of getting
started") is an example in all but its folder name: whoever applies it adapts it first, and the project deploys
nothing from it.  Both labellers of held-out set 26 called its ten Checkov findings false positives for that reason.

The evidence is a sentence of the repository's documentation (Markdown, reStructuredText, AsciiDoc, text) that
disclaims production use - "isn't production ready", "not meant for production", "for demonstration purposes only",
"neither officially supported" - and names the finding's folder within a few lines, or that sits in the folder's own
README.  Only infrastructure and container findings are judged (a secret committed there is leaked all the same), and
the folder must be more than the repository root: a project whose README calls the whole project unready for
production still deploys it somewhere.

May import: ``tasks.core``, ``tasks.findings``, ``tasks.triage.repo_cache``.
"""

from __future__ import annotations

import re
import weakref
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.findings.secrets import tool_marks_secret
from tasks.triage.repo_cache import once_per_files

DOC_SUFFIXES = (".md", ".rst", ".adoc", ".txt")
MAX_DOCS = 400          # documentation files read per repository
NEAR = 6                # lines around a disclaimer in which the folder must be named
_DISCLAIMER = re.compile(
    r"(?i)\b(?:is(?:n'?t| not)|are(?:n'?t| not)|not)\s+(?:yet\s+|really\s+|quite\s+)?production[- ]ready\b"
    r"|\bnot\s+(?:meant|intended|designed|suitable|recommended|supported)\s+for\s+(?:use\s+in\s+)?production\b"
    r"|\bnot\s+for\s+production(?:\s+use)?\b|\bfor\s+(?:demo|demonstration|testing|evaluation)\s+purposes\s+only\b"
    r"|\bneither\s+officially\s+supported\b|\bnot\s+officially\s+supported\b"
    r"|\bfor\s+(?:local\s+)?development(?:\s+purposes)?\s+only\b|\bdevelopment[- ]only\b")
_KINDS = ("config",)


def _disclaimers(reader, files: list[str]) -> list[tuple[str, int, str, str]]:
    """(doc, line, the disclaiming sentence, the text of the lines around it) over the repository's documentation,
    read once per file list."""
    return once_per_files(_CACHE, reader, files, lambda: _read_disclaimers(reader, files))


def _read_disclaimers(reader, files: list[str]) -> list[tuple[str, int, str, str]]:
    out = []
    docs = [p for p in files if p.lower().endswith(DOC_SUFFIXES) and "node_modules/" not in p][:MAX_DOCS]
    for doc in docs:
        lines = reader.lines(doc, None) or []
        for n, line in enumerate(lines[:5000]):
            if _DISCLAIMER.search(line):
                around = "".join(lines[max(0, n - NEAR):n + NEAR + 1])
                out.append((doc, n + 1, " ".join(line.split())[:200], around))
    return out


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # one read of the docs per repository reader


def _own_comment(reader, path: str) -> tuple[int, str] | None:
    """(line, comment) when one of the file's first 30 lines is a comment that disclaims production use."""
    for n, line in enumerate((reader.lines(path, None) or [])[:30], 1):
        text = line.strip()
        if text.startswith(("#", "//", "--")) and _DISCLAIMER.search(text):
            return n, " ".join(text.lstrip("#/- ").split())[:160]
    return None


def _named(folder: str) -> str:
    """The folder written as a path, not as a word of prose or a parent of a deeper path: `terraform/gcp-cloud-run`,
    ``deploy/``, ```k8s```, not "the terraform code" nor ``terraform/`` inside ``terraform/aws``."""
    own = re.escape(folder)
    if "/" in folder:
        return rf"(?<![\w./-]){own}/?(?![\w-])(?!/[\w.-])"
    return rf"`{own}/?`|(?<![\w./-])(?:\./)?{own}/(?![\w.-])"


def check_disclaimed(f: Finding | dict, reader=None, files: list[str] | None = None) -> dict | None:
    """{"check": "path", "status": "not_deployed", "class": "example", "evidence"} when the documentation disclaims
    production use of the finding's folder, else None."""
    f = as_finding(f)
    if reader is None or not files or not f.path or f.kind not in _KINDS or tool_marks_secret(
            str(f.tool or ""), str(f.rule_id or ""), f.title or ""):
        return None
    own = _own_comment(reader, f.path)
    if own:  # openwisp-controller's Dockerfile: "# NOTE: This Docker image is for development purposes only." (set 27)
        return {"check": "path", "status": "not_deployed", "class": "example",
                "evidence": f"not the project's deployment: {f.path}:{own[0]} says \"{own[1]}\"; the image or manifest is "
                            "built for working on the project, and what the project ships is configured elsewhere"}
    folders = [str(p) for p in PurePosixPath(f.path).parents if str(p) not in ("", ".")]
    if not folders:
        return None
    for doc, line, sentence, around in _disclaimers(reader, files):
        for folder in folders:
            named = re.search(_named(folder), around)
            own = str(PurePosixPath(doc).parent) == folder
            if named or own:
                return {"check": "path", "status": "not_deployed", "class": "example",
                        "evidence": f"a starting point, not the project's deployment: {doc}:{line} says of {folder}/ "
                                    f"\"{sentence}\"; whoever applies it adapts it first, and the project deploys "
                                    "nothing from it as it is"}
    return None
