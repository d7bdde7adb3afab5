"""Check 4d: ``innerHTML = data.numbers.wins`` where the field is a number the application's own server computes.

A DOM-XSS rule fires on any ``innerHTML`` assignment of a non-constant.
When the value is a field of the JSON that one ``fetch`` of the same page
returns, and the repository's server route for that path builds the field
from a counter that is only ever set to numbers, no markup can reach the
page: a number renders as digits.  With ``source.repo_path`` the finding
is a false positive when all of this is in the code, each with its
``file:line``:

* the flagged line is ``EL.innerHTML = P.a.b`` (or ``outerHTML``), ``P``
  the parameter of the ``.then`` callback, or of a function called once from
  it, after the file's only ``fetch`` of a literal path (host and query
  dropped);
* exactly one server route of the project (``app.get('/path'``,
  ``router.post(...)``) answers that path, and the object it sends has
  ``a: { b: X.b }`` (or a number);
* every write of the property ``b`` in the project's server code is a
  number (``b: 0``, ``X.b++``, ``X.b += 1``) or a copy of ``X.b``, at least
  one such number is there, and no line naming ``b`` reads request data.

Anything else (a string field, a second fetch, a route answering data a user
sent) is left alone.
"""

from __future__ import annotations

import posixpath
import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_RULE = re.compile(r"(?i)inner[-_]?html|outer[-_]?html|dom[-_]?xss|\bxss\b|insecure[-_]?document[-_]?method")
_SINK = re.compile(r"\.(?:innerHTML|outerHTML)\s*=\s*([A-Za-z_$][\w$]*)((?:\.[A-Za-z_$][\w$]*)+)\s*;?\s*$")
_FETCH = re.compile(r"""\bfetch\s*\(\s*([`'"])(.*?)\1""")
_CLIENT_DIRS = {"assets", "public", "static", "js", "www", "dist", "build", "node_modules", "vendor"}
_ROUTE = r"""\.(?:get|post|put|patch|all)\s*\(\s*['"]{path}['"]"""
_ANY_ROUTE = re.compile(r"""^\s*[\w$]+\.(?:get|post|put|patch|delete|all|use)\s*\(""")
_REQUEST = re.compile(r"\breq(?:uest)?\.|\bctx\.(?:request|query|params)|\bevent\.(?:body|queryString|pathParameters)|\$_(?:GET|POST|REQUEST)")
SCOPE_UP = 3
MAX_FILES = 400


def _client_source(lines: list[str], n: int, root: str) -> tuple[str, int] | None:
    """(fetched path, fetch line) when ``root`` on line ``n`` is the JSON of the file's only literal fetch."""
    fetches = [(i, m) for i, line in enumerate(lines, 1) for m in _FETCH.finditer(line)]
    if len(fetches) != 1:
        return None
    at, m = fetches[0]
    url = re.sub(r"^[a-z]+://[^/]+", "", m.group(2)).split("?", 1)[0]
    if not url.startswith("/") or "${" in url or "+" in url:
        return None
    chain = "".join(lines[at - 1:at + 9])
    if ".json()" not in chain:
        return None
    if re.search(rf"\.then\s*\(\s*\(?\s*{re.escape(root)}\s*\)?\s*=>", chain):
        return url, at
    text = "".join(lines)
    head = next((re.match(rf"\s*function\s+([\w$]+)\s*\(\s*{re.escape(root)}\s*\)", lines[i])
                 for i in range(n - 1, -1, -1) if re.match(r"\s*function\b", lines[i])), None)
    if head is None:
        return None
    calls = re.findall(rf"(?<![\w$.]){re.escape(head.group(1))}\s*\(([^)]*)\)", text)
    callbacks = re.findall(rf"\.then\s*\(\s*\(?\s*([\w$]+)\s*\)?\s*=>\s*\{{?\s*{re.escape(head.group(1))}\s*\(\s*\1\s*\)", chain)
    return (url, at) if len(calls) == 2 and callbacks else None  # the definition and the one call from the fetch's callback


def _server_files(f: Finding, files: list[str]) -> list[str]:
    """The project's server code: the JS/TS files under the folder above the client's asset folders, none of them in one."""
    base, up = posixpath.dirname(f.path), 0
    while base and posixpath.basename(base).lower() in _CLIENT_DIRS and up < SCOPE_UP:
        base, up = posixpath.dirname(base), up + 1
    if not up:
        return []  # the flagged file is not in a client asset folder: no client/server split to follow
    inside = [p for p in files if (not base or p.startswith(base + "/")) and p.endswith((".js", ".ts", ".mjs", ".cjs"))
              and not set(p.lower().split("/")[:-1]) & _CLIENT_DIRS and not p.endswith(".min.js")]
    return inside[:MAX_FILES]


def _field(handler: list[str], props: list[str]) -> tuple[int, str] | None:
    """(offset in the handler, expression) of ``a: { b: EXPR }`` for props [a, b]."""
    text, pos = "".join(handler), 0
    for p in props[:-1]:
        m = re.compile(rf"(?<![\w$.]){re.escape(p)}\s*:\s*\{{").search(text, pos)
        if not m:
            return None
        pos = m.end()
    m = re.compile(rf"(?<![\w$.]){re.escape(props[-1])}\s*:\s*([^,\n}}]+)").search(text, pos)
    return (text[:m.start()].count("\n"), m.group(1).strip()) if m else None


def _numeric_writes(prop: str, server: dict[str, list[str]]) -> list[str] | None:
    """``file:line`` of the numbers ``prop`` is set to, None when any write is not a number or a copy of ``X.prop``."""
    p = re.escape(prop)
    write = re.compile(rf"(?:\.{p}\s*(?:[-+*/]?=)(?!=)|(?<![\w$.'\"]){p}\s*:)\s*([^,;\n}}]+)")
    number = re.compile(rf"^(?:\d+(?:\.\d+)?|[\w$]+\.{p})$")
    shown = []
    for path, lines in server.items():
        for n, line in enumerate(lines, 1):
            if not re.search(rf"(?<![\w$]){p}(?![\w$])", line):
                continue
            if _REQUEST.search(line):
                return None
            for m in write.finditer(line):
                if not number.match(m.group(1).strip()):
                    return None
                if re.match(r"\d", m.group(1).strip()):
                    shown.append(f"{path}:{n}")
            if re.search(rf"\.{p}\s*(?:\+\+|--)|(?:\+\+|--)\s*[\w$]+\.{p}", line):
                shown.append(f"{path}:{n}")
    return shown or None


def check_served_number(f: Finding | dict, reader=None, index=None) -> dict | None:
    f = as_finding(f)
    files = getattr(index, "files", None) if index is not None else None
    if reader is None or not files or f.kind != "code" or not f.path or not f.location or not f.location.start_line \
            or not f.path.endswith((".js", ".ts")) or not _RULE.search(f"{f.rule_id} {f.title}"):
        return None
    lines, n = finding_lines(reader, f), f.location.start_line
    sink = _SINK.search(lines[n - 1].rstrip()) if 0 < n <= len(lines) else None
    src = _client_source(lines, n, sink.group(1)) if sink else None
    if not src:
        return None
    props = sink.group(2).strip(".").split(".")
    server = {p: finding_lines(reader, f, p)[:5000] for p in _server_files(f, files)}
    route = re.compile(_ROUTE.format(path=re.escape(src[0])))
    routes = [(p, i) for p, ls in server.items() for i, line in enumerate(ls, 1) if route.search(line)]
    if len(routes) != 1:
        return None
    where, at = routes[0]
    rest = server[where][at:]
    end = next((i for i, line in enumerate(rest) if _ANY_ROUTE.match(line)), len(rest))
    field = _field(server[where][at - 1:at + end], props)
    if not field or not re.fullmatch(rf"\d+|[\w$]+\.{re.escape(props[-1])}", field[1]):
        return None
    numbers = _numeric_writes(props[-1], server)
    if not numbers:
        return None
    return {"check": "code", "status": "server_number",
            "evidence": f"a number the server computes, not markup: {f.path}:{n} writes {sink.group(1)}{sink.group(2)} from the "
                        f"JSON of fetch('{src[0]}') ({f.path}:{src[1]}); {where}:{at} answers {src[0]} with "
                        f"{'.'.join(props)} = {field[1]} ({where}:{at + field[0]}), and every write of `{props[-1]}` in the "
                        f"server code is a number ({', '.join(numbers[:3])}): digits carry no HTML"}
