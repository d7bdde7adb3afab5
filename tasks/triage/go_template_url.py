"""A template value in an ``href`` of a Go ``html/template`` page: the engine's own URL filter, or the project's
function that returns ``template.URL`` only for a checked scheme.

Semgrep's generic ``var-in-href`` flags ``href="{{ ... }}"`` in any template: a ``javascript:`` URL there runs script.
Go's ``html/template`` escapes by context: a value of type ``string`` in a URL attribute passes its URL filter, which
replaces any scheme but http, https and mailto with ``#ZgotmplZ``.  Only a ``template.URL`` value bypasses it.
miniflux's ``href="{{ routePath "/history/entry/%d" .ID }}"`` (``routePath`` returns a string) and
``href="{{ .entry.URL | untrustedURL }}"`` (``untrustedURL`` returns ``template.URL`` only after
``sanitizer.HasValidURIScheme``, else ``"#"``) are both safe (held-out set 45, both labellers: false positive).

The repository must be a Go module whose code imports ``html/template``; the ``href`` expression's last function must
be one the repository defines (a ``FuncMap`` literal or a named function) whose result is ``string``, or
``template.URL`` built behind a scheme check.  A bare field (it may hold a ``template.URL``), an unknown function, or a
``template.URL`` without a check keeps the finding.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.repo_cache``.
"""

from __future__ import annotations

import re
import weakref

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.repo_cache import once_per_files

_RULE = re.compile(r"(?i)var-in-href|template-href")
_HREF = re.compile(r"""\bhref\s*=\s*["']?\s*\{\{-?\s*([^{}]{1,200}?)\s*-?\}\}""")
_IDENT = re.compile(r"[A-Za-z_]\w*")
_SCHEME_CHECK = re.compile(r"(?i)HasValidURI|IsSafeURL|isSafe\w*URL|allowed\w*(?:scheme|protocol)|\.Scheme\s*(?:!=|==)\s*\"(?:https?|javascript)\"")
_INERT = re.compile(r"""template\.URL\(\s*"(?:#|about:blank)?"\s*\)""")  # what an unsafe URL becomes
MAX_GO_FILES = 400
_TEXTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _last_function(expr: str) -> str | None:
    """The function that makes the printed value: the last stage of a pipeline, called by name."""
    stage = expr.split("|")[-1].strip()
    name = _IDENT.match(stage)
    return name.group(0) if name and not stage.startswith((".", "$")) else None


def _body(text: str, brace: int) -> str:
    """The text inside the braces that open at ``brace`` (balanced; a literal's own body, never the next entry's)."""
    depth = 0
    for i in range(brace, min(len(text), brace + 20000)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[brace + 1:i]
    return text[brace + 1:brace + 20000]


def _definition(name: str, texts: dict[str, str], seen: frozenset = frozenset()) -> tuple[str, int, str, str] | None:
    """(path, line, return type, body) of the template function ``name``: its FuncMap entry in a file that imports
    html/template (a literal function, or a named one of the same folder), or None (the review of the set-45 change:
    a same-named function elsewhere, a text/template FuncMap, an alias cycle)."""
    if name in seen or len(seen) > 8:
        return None
    literal = re.compile(rf"""["']{re.escape(name)}["']\s*:\s*func\s*\([^)]*\)\s*([\w.]+)\s*\{{""")
    entry = re.compile(rf"""["']{re.escape(name)}["']\s*:\s*([A-Za-z_]\w*)\s*,""")
    for path, text in texts.items():
        if '"html/template"' not in text:
            continue  # a text/template FuncMap has no URL filter
        m = literal.search(text)
        if m:
            return path, text[:m.start()].count("\n") + 1, m.group(1), _body(text, m.end() - 1)
        alias = entry.search(text)
        if alias:
            folder = path.rsplit("/", 1)[0] if "/" in path else ""
            named = re.compile(rf"(?m)^func\s+{re.escape(alias.group(1))}\s*\([^)]*\)\s*([\w.]+)\s*\{{")
            for other, code in texts.items():
                if (other.rsplit("/", 1)[0] if "/" in other else "") == folder and (n := named.search(code)):
                    return other, code[:n.start()].count("\n") + 1, n.group(1), _body(code, n.end() - 1)
            return _definition(alias.group(1), texts, seen | {name})
    return None


def check_go_template_url(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "code", "status": "url_filtered", "evidence"} for a safe href of a Go html/template page, else None."""
    f = as_finding(f)
    if reader is None or not files or not f.line or not _RULE.search(str(f.rule_id)) or "go.mod" not in files:
        return None
    lines = finding_lines(reader, f)
    if not 0 < f.line <= len(lines) or "{%" in "".join(lines):
        return None  # Jinja, Django, Twig: not Go's engine
    hrefs = [m.group(1) for m in _HREF.finditer(lines[f.line - 1][:4000])]
    if not hrefs:
        return None
    texts = once_per_files(_TEXTS, reader, files, lambda: {  # read once per build, not once per finding
        p: "".join(finding_lines(reader, f, p)) for p in [p for p in files if p.endswith(".go")
                                                          and not p.endswith("_test.go")][:MAX_GO_FILES]})
    if not any('"html/template"' in t for t in texts.values()):
        return None
    said = []
    for expr in hrefs:
        name = _last_function(expr)
        found = _definition(name, texts) if name else None
        if found is None:
            return None
        path, line, returns, body = found
        if returns == "string":
            said.append(f"`{name}` ({path}:{line}) returns a string, which html/template's URL filter checks: any scheme "
                        "but http, https and mailto becomes `#ZgotmplZ`")
        elif returns == "template.URL" and _SCHEME_CHECK.search(body) and _INERT.search(body):
            said.append(f"`{name}` ({path}:{line}) returns `template.URL` only after checking the URL's scheme, and an "
                        "inert value otherwise")
        else:
            return None
    return {"check": "code", "status": "url_filtered",
            "evidence": f"no javascript: URL: {f.path}:{f.line} is a Go html/template page, and " + "; ".join(said)}
