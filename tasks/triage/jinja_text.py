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

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import posixpath
import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_RULE = re.compile(r"(?i)autoescape|direct-use-of-jinja2|^B701$|jinja2")
_WEB = re.compile(r"(?m)^\s*(?:from|import)\s+(?:flask|django|starlette|fastapi|aiohttp|bottle|tornado|pyramid|werkzeug|"
                  r"sanic|quart|falcon|cherrypy|http\.server|jinja2\.ext|markupsafe)\b")
_TEMPLATE = re.compile(r"""get_template\(\s*["']([^"'\n]{1,120})["']|from_string\(""")
_TEXT_SUFFIX = re.compile(r"(?i)(?:^|/)(?:dockerfile[\w.-]*|[\w.-]+\.(?:ya?ml|toml|conf|cfg|ini|sql|sh|txt|env|service|"
                          r"json|tf|hcl|properties|md|rst|py|j2))$")
MAX_SCRIPTS = 200


def _runs(name: str, path: str, files: list[str], reader, f: Finding) -> tuple[str, int, str] | None:
    """(script, line, text) of a Makefile or shell line that runs the file with its template and output."""
    scripts = [p for p in files if p.endswith((".sh", ".bash")) or posixpath.basename(p) in ("Makefile", "makefile")]
    for script in scripts[:MAX_SCRIPTS]:
        for n, line in enumerate(finding_lines(reader, f, script), 1):
            if re.search(rf"(?:^|[\s/]){re.escape(name)}\s", line) and not line.lstrip().startswith("#"):
                return script, n, line.strip()[:140]
    return None


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
    run = _runs(posixpath.basename(path), path, list(files or []), reader, f)
    words = run[2].split() if run else []
    shown = [w.strip("'\"") for w in words if _TEXT_SUFFIX.search(w.strip("'\""))]
    if run and (re.search(r"(?i)html?\b", run[2]) or not shown):
        return None  # the line that runs it renders a page, or names nothing it writes
    if not run and (not named or not all(_TEXT_SUFFIX.search(t) for t in named) or "from_string(" in text):
        return None
    what = (f"{run[0]}:{run[1]} runs it as `{run[2]}`" if run else
            f"it loads only {', '.join(f'`{t}`' for t in named[:3])}")
    return {"check": "code", "status": "not_html",
            "evidence": f"renders no HTML: {path} imports jinja2 and no web framework, names no HTML, and {what}; HTML "
                        "autoescaping would only corrupt that output (an `&` would become `&amp;`), and no browser "
                        "reads it"}
