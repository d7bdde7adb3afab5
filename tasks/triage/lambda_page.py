"""Check 3g (second half): a GET method open at the API Gateway whose Lambda serves one bundled web page.

A front-end served through API Gateway (a Lambda that returns its own
``index.html`` as ``text/html``) must be reachable without a token: it is
the page where a user logs in.  Checkov's CKV_AWS_59 ("no open access to
back-end resources") fires on it like on any method.  The Lambda is a
public page, not a back-end resource, when its handler (JavaScript or
Python, from tasks.triage.gateway_auth's chain method -> integration ->
function -> archive) shows all of this:

* it never reads its event argument (the response is the same for every
  caller: nothing is looked up for a caller, so there is nothing to guard);
* it loads nothing but the file system and path helpers (no SDK, database,
  HTTP client or child process);
* it reads an ``.html`` file that is bundled beside it in the repository
  and answers ``text/html``.

Anything else is left to the other checks.
"""

from __future__ import annotations

import ast
import posixpath
import re

_JS_HANDLER = r"(?:exports|module\.exports)\.{func}\s*=\s*(?:async\s+)?(?:function\s*\w*\s*)?\(\s*([A-Za-z_$][\w$]*)"
_JS_REQUIRE = re.compile(r"""\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\b.*?from\s+['"]([^'"]+)['"]""", re.MULTILINE)
_JS_SAFE = {"fs", "util", "path", "fs/promises", "node:fs", "node:path", "node:util", "node:fs/promises"}
_PY_SAFE = {"os", "json", "pathlib", "base64", "os.path"}
_HTML = re.compile(r"""['"](?:\.?/)?([\w./-]+\.html?)['"]""")


def _page(text: str, code: str, files: list[str]) -> tuple[str, int] | None:
    """(bundled page, line) when the handler reads an .html file beside it and answers text/html."""
    if "text/html" not in text:
        return None
    for n, line in enumerate(text.splitlines(), 1):
        if re.search(r"readFile|open\s*\(|read_text", line):
            m = _HTML.search(line)
            page = posixpath.normpath(posixpath.join(posixpath.dirname(code), m.group(1))) if m else None
            if page and page in files:
                return page, n
    return None


def _js(text: str, func: str) -> bool:
    m = re.search(_JS_HANDLER.format(func=re.escape(func)), text)
    if not m:
        return False
    mods = {a or b for a, b in _JS_REQUIRE.findall(text)}
    rest = text[:m.start()] + text[m.end():]
    return mods <= _JS_SAFE and not re.search(rf"(?<![\w$.]){re.escape(m.group(1))}(?![\w$])", rest)


def _py(text: str, func: str) -> bool:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    fn = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == func), None)
    if fn is None or not fn.args.args:
        return False
    mods = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    mods |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    event = fn.args.args[0].arg
    used = any(isinstance(n, ast.Name) and n.id == event for n in ast.walk(fn))
    return mods <= _PY_SAFE and not used


def static_page(text: str, code: str, func: str, files: list[str]) -> dict | None:
    """{"page", "line"} when the handler ``func`` in ``code`` (its ``text``) only returns a bundled page, else None."""
    ok = _py(text, func) if code.endswith(".py") else _js(text, func)
    hit = _page(text, code, files) if ok else None
    return {"page": hit[0], "line": hit[1]} if hit else None
