"""Checkov's CKV_DOCKER_7 ("a base image uses a non-latest tag") on a FROM that names an earlier build stage.

``FROM build_${BUILD_ENV} AS development`` has no tag because it is no image: with ``ARG BUILD_ENV=git`` it is the
stage ``build_git`` defined above it, and any value the variable takes names one of the file's own stages
(``build_git``, ``build_copy``).  Checkov reads the text after FROM as an image name and reports the missing tag;
the tag that matters is on the FROM of the stage it resolves to, which Checkov checks on its own line.  Etherpad's
Dockerfile is the case two independent reviewers called a scanner misread.  The evidence names the stage, its line
and the argument's default.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import finding_source

_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?\s*$", re.I)
_ARG = re.compile(r"^\s*ARG\s+([A-Za-z_]\w*)(?:=(\S*))?\s*$", re.I)
_VAR = re.compile(r"\$\{?([A-Za-z_]\w*)\}?")


def check_stage_base(f: Finding | dict, reader=None) -> dict | None:
    f = as_finding(f)
    loc = f.location
    if f.tool != "checkov" or str(f.rule_id).upper() != "CKV_DOCKER_7" or reader is None or not loc or not loc.start_line:
        return None
    lines = finding_source(reader, f).splitlines()
    if not 0 < loc.start_line <= len(lines):
        return None
    at = _FROM.match(lines[loc.start_line - 1])
    if not at or "$" not in at.group(1):
        return None
    defaults: dict[str, str] = {}
    stages: dict[str, int] = {}
    for n, line in enumerate(lines[:loc.start_line - 1], start=1):
        arg, base = _ARG.match(line), _FROM.match(line)
        if arg and not stages and arg.group(2):  # a global ARG (before the first FROM) sets what FROM lines read
            defaults[arg.group(1)] = arg.group(2).strip("'\"")
        if base and base.group(2):
            stages[base.group(2).lower()] = n
    image = at.group(1)
    names = [m.group(1) for m in _VAR.finditer(image)]
    if not names or any(v not in defaults for v in names):
        return None
    resolved = _VAR.sub(lambda m: defaults[m.group(1)], image).lower()
    shape = re.compile("^" + r"[\w.-]+".join(re.escape(part) for part in _VAR.split(image)[::2]) + "$", re.I)
    if resolved not in stages:
        return None
    others = sorted(s for s in stages if shape.match(s))
    return {"check": "config", "status": "earlier_stage",
            "evidence": f"not an image: {f.path}:{loc.start_line} `FROM {image}` names a stage of this Dockerfile "
                        f"({resolved}, line {stages[resolved]}, with {', '.join(f'{v}={defaults[v]}' for v in names)} as the "
                        f"file's ARG default; the stages it can name: {', '.join(others)}), so there is no tag to pin here: "
                        "Checkov reads the stage name as an image; each stage's own FROM carries the base image's tag"}
