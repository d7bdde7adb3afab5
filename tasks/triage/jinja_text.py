"""A Jinja2 environment that renders no HTML: HTML autoescaping is the wrong control there.

vaultwarden's ``docker/render_template`` (a Python script without a suffix) renders ``Dockerfile.j2`` into the
project's Dockerfiles: ``./render_template Dockerfile.j2 '{"base": "debian"}' > Dockerfile.debian`` in docker/Makefile.
Semgrep's ``missing-autoescape-disabled`` asked for ``autoescape=True`` (round 51's graders: the row that applied it was
harmful - an ``&`` in a rendered ``RUN`` line would become ``&amp;`` - and the finding a false positive: no browser
reads a Dockerfile).

The flagged file must import jinja2 and no web framework, and name no HTML anywhere (no ``html``, ``.htm``,
``text/html``); and the repository must show what it renders: a script line that runs the file by name with its
template and output (a Makefile or shell line, every template and output named there non-HTML), or literal template
names in the file, all of them non-HTML (``.yaml``, ``.toml``, ``.conf``, ``Dockerfile*``, ``.sql``, ``.sh``, ...).

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.entrypoint``.
"""

from __future__ import annotations

import posixpath
import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.entrypoint import build_scripts

_RULE = re.compile(r"(?i)autoescape|direct-use-of-jinja2|^B701$|jinja2")
_WEB = re.compile(r"(?m)^\s*(?:from|import)\s+(?:flask|django|starlette|fastapi|aiohttp|bottle|tornado|pyramid|werkzeug|"
                  r"sanic|quart|falcon|cherrypy|http\.server|jinja2\.ext|markupsafe)\b")
_TEMPLATE = re.compile(r"""get_template\(\s*["']([^"'\n]{1,120})["']|from_string\(""")
_TEXT_SUFFIX = re.compile(r"(?i)(?:^|/)(?:dockerfile[\w.-]*|[\w.-]+\.(?:ya?ml|toml|conf|cfg|ini|sql|sh|txt|env|service|"
                          r"json|tf|hcl|properties|md|rst))$")  # not .py (the script's own name) nor .j2 (any template)
MAX_SCRIPTS = 200


def _runs(name: str, path: str, files: list[str], reader, f: Finding) -> list[tuple[str, int, str]]:
    """[(script, line, text)] of every Makefile or shell line that runs the file (all of them are read)."""
    out = []
    for script in build_scripts(files, limit=MAX_SCRIPTS):
        lines = finding_lines(reader, f, script)
        for n, line in enumerate(lines, 1):
            if re.search(rf"(?:^|[\s/]){re.escape(name)}\s", line) and not line.lstrip().startswith("#"):
                out.append((script, n, line.strip()[:140]))
    return out


def check_jinja_text(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "code", "status": "not_html", "evidence"} for a Jinja2 finding on a script that renders no HTML."""
    f = as_finding(f)
    path = str(f.path or "")
    if reader is None or f.kind != "code" or not _RULE.search(str(f.rule_id or "")):
        return None
    text = "".join(finding_lines(reader, f))
    if "jinja2" not in text or _WEB.search(text) or re.search(r"(?i)html|\.htm\b", text) or len(text) > 200_000:
        return None
    named = [m.group(1) for m in _TEMPLATE.finditer(text) if m.group(1)]
    name = posixpath.basename(path)
    runs = _runs(name, path, list(files or []), reader, f)
    run = runs[0] if runs else None
    outputs = [re.search(r">\s*([^\s;&|]+)", r[2]) for r in runs]  # what each line writes
    if runs and (any(re.search(r"(?i)html?\b", r[2]) for r in runs)
                 or not all(o and _TEXT_SUFFIX.search(o.group(1).strip("'\"")) for o in outputs)):
        return None  # a line that runs it renders a page, or does not say which text file it writes
    if not run and (not named or not all(_TEXT_SUFFIX.search(t) for t in named) or "from_string(" in text):
        return None
    what = (f"{run[0]}:{run[1]} runs it as `{run[2]}`" if run else
            f"it loads only {', '.join(f'`{t}`' for t in named[:3])}")
    return {"check": "code", "status": "not_html",
            "evidence": f"renders no HTML: {path} imports jinja2 and no web framework, names no HTML, and {what}; HTML "
                        "autoescaping would only corrupt that output (an `&` would become `&amp;`), and no browser "
                        "reads it"}
