"""An "open redirect" whose target is the request's own path: the user is sent back to the page they asked for.

Semgrep's Django/Flask ``open-redirect`` rules flag ``redirect(...)`` with any value that comes from the request.
``request.path`` (Django ``path``/``path_info``/``get_full_path()``, Flask ``request.path``/``full_path``) is that:
but it is the path of the URL this site is serving right now, never a scheme or a host, so the redirect cannot leave
the site (a path that starts with ``//`` would not have been routed to this view).  Healthchecks' sudo-mode
decorator returns the user to the page they were on that way; both blind labellers of held-out set 19 called it a
false positive.  ``request.build_absolute_uri()`` is not judged (it carries the Host header).

A second shape: ``redirect(target)`` inside an ``if`` whose test passes that same name to a safe-URL check -
Django's ``url_has_allowed_host_and_scheme`` (once ``is_safe_url``), or the project's own ``is_safe_url``-style
function whose code compares the parsed URL's ``netloc`` (the Flask snippet every such helper comes from):
changedetection.io's language view (held-out set 21, both labellers: false positive).  A project function that
does not parse the URL, or one the repository does not hold, leaves the finding as reported.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.parsed_source import finding_source, python_tree

_RULE = re.compile(r"(?i)open[-_]redirect")
_OWN_PATH = re.compile(r"\bredirect\(\s*(request\.(?:path|path_info|full_path|get_full_path\(\)|get_full_path_info\(\)))\s*\)")


def check_redirect_target(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "same_page", "evidence"} for a redirect to the request's own path, else None."""
    f = as_finding(f)
    loc = f.location
    if f.kind != "code" or not _RULE.search(str(f.rule_id)) or reader is None or not loc or not loc.start_line:
        return None
    lines = finding_source(reader, f).splitlines()
    end = max(loc.end_line or loc.start_line, loc.start_line)
    shown = " ".join(lines[loc.start_line - 1:end]) if 0 < loc.start_line <= len(lines) else ""
    hit = _OWN_PATH.search(shown)
    if not hit or len(re.findall(r"\bredirect\(", shown)) != 1:  # another redirect on the line is the flagged one
        return _guarded(f, reader) if len(re.findall(r"\bredirect\(", shown)) == 1 else None
    return {"check": "code", "status": "same_page",
            "evidence": f"no open redirect: {f.path}:{loc.start_line} redirects to `{hit.group(1)}`, the path of the page "
                        "this request asked for, which names no scheme or host, so the user stays on this site (a "
                        "catch-all route would also take `//host/`: this holds for a view on its own URL pattern)"}


_DJANGO_CHECK = {"url_has_allowed_host_and_scheme", "is_safe_url"}  # django.utils.http
_OWN_CHECK = re.compile(r"(?i)^(?:is_)?(?:safe_(?:redirect_)?url|url_is_safe|safe_redirect|is_local_url)$")


def _guarded(f: Finding, reader) -> dict | None:
    parsed = python_tree(reader, f)
    if parsed is None:
        return None
    tree, source = parsed
    line = f.location.start_line
    for node in ast.walk(tree):
        if not isinstance(node, ast.If) or not node.body or not node.body[0].lineno <= line <= (node.body[-1].end_lineno or 0):
            continue
        call = next((c for stmt in node.body for c in ast.walk(stmt) if isinstance(c, ast.Call) and c.lineno == line and c.args
                     and isinstance(c.args[0], ast.Name) and ast.unparse(c.func).split(".")[-1] == "redirect"), None)
        checks = [c for c in ast.walk(node.test) if isinstance(c, ast.Call) and c.args and call is not None
                  and isinstance(c.args[0], ast.Name) and c.args[0].id == call.args[0].id]
        negated = any(isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not) for n in ast.walk(node.test))
        name = ast.unparse(checks[0].func).split(".")[-1] if checks and not negated else ""
        how = _check_kind(name, source, reader, f)
        if how:
            return {"check": "code", "status": "checked_target",
                    "evidence": f"no open redirect: {f.path}:{line} redirects to `{call.args[0].id}` only inside `if "
                                f"{' '.join(ast.unparse(node.test).split())[:90]}:` (line {node.lineno}), and {how}"}
    return None


def _check_kind(name: str, source: str, reader, f: Finding) -> str | None:
    """What the check is: Django's, or the project's own function that compares the parsed URL's host."""
    if name in _DJANGO_CHECK and re.search(rf"(?m)^\s*from\s+django\.utils\.http\s+import\s+.*\b{name}\b", source):
        return f"Django's `{name}()` accepts only a URL on an allowed host with an allowed scheme"
    if not _OWN_CHECK.match(name or "-"):
        return None
    module = re.search(rf"(?m)^\s*from\s+([\w.]+)\s+import\s+.*\b{name}\b", source)
    text = source if module is None else "".join(finding_lines(reader, f, module.group(1).replace(".", "/") + ".py"))
    body = re.search(rf"(?ms)^def\s+{name}\(.*?(?=^\S|\Z)", text)
    if body is None or "netloc" not in body.group(0) or not re.search(r"url(?:parse|split)\(", body.group(0)):
        return None
    where = f.path if module is None else module.group(1).replace(".", "/") + ".py"
    return f"`{name}()` ({where}) parses the URL and compares its host (`netloc`), so another site's URL is refused"
