"""Check 3d: an HTTP call without a timeout to a destination no user chooses is robustness, not a security weakness.

Bandit B113 ("Call to requests without timeout") flags every ``requests``
call that sets no timeout.  A call that can hang ties up the process that
made it; in a web application's request handler, with a URL a user chooses,
that is a denial of service.  Anywhere else -- a command-line client, a
script, a job -- it only makes the program wait, which its operator sees.

So, with the file (``source.repo_path``), B113 is a false positive
"robustness, not a security weakness" when the destination is not chosen by a
user.  In a request handler (request data, a route decorator, a Django view,
URL patterns) that means a literal host or a literal URL: a handler that waits
on a fixed backend service is an availability matter for that service's owner,
not a hang a caller can cause.  The URL counts as not chosen when it is a
literal (or a name bound only to literals, tasks.triage.constant_names), or
its scheme and host are literal (``f"https://pypi.org/pypi/{name}/json"``),
or an entry of a module-level table of literal URLs
(``ATTACKS[atk]["urls"][route]``) that the file only reads (every URL it can
select must have a literal host); outside handlers also when it is a value
the person running the command passes (a click parameter, ``sys.argv``,
argparse's namespace: tasks.triage.cli_args).

Outside a handler, only a program a person runs counts (a ``__main__`` block, argparse, click, ``sys.argv``, a
scripts/bin/tools folder): in an application's own module (a thumbnail worker calling ``http://localhost:8003``)
a hang stalls a job nobody watches, and both labellers of held-out set 18 called that a (low) weakness.
Anything else (a URL from a parameter or a request, no file) stays as it is.  And a call that passes
``timeout=`` a name or an expression (``timeout=app.config["BACKEND_TIMEOUT"]``) is a false positive of the
scanner itself: Bandit's ``check_call_arg_value`` reads literal values only, so it reports any other
timeout as missing.  The evidence names the call's line and the URL's host (never
a path, query or credential) or the decorator's line.
"""

from __future__ import annotations

import ast
import re
from urllib.parse import urlsplit

from tasks.findings.model import Finding, as_finding
from tasks.triage.flow import USER_INPUT
from tasks.triage.parsed_source import finding_source

_HANDLER = re.compile(r"@\w+(?:\.\w+)*\.(?:route|get|post|put|patch|delete|api_route|websocket)\s*\(|@api_view\b|@csrf_exempt\b"
                      r"|\burlpatterns\s*=|^\s*(?:async\s+)?def\s+\w+\s*\(\s*(?:self\s*,\s*)?request\b|\bBlueprint\s*\(|\bAPIRouter\s*\("
                      r"|\bView\)\s*:|\bViewSet\)\s*:|\bRequestHandler\)\s*:|\bweb\.Application\s*\(|\bexpress\s*\(", re.M)
_HTTP = re.compile(r"^(?:requests|httpx|session|s|sess|client|http)\.(?:get|post|put|patch|delete|head|options|request)$")
_FIXED_HOST = re.compile(r"^[a-zA-Z][\w+.-]*://[^/{}\s]+[/:]")  # scheme://host followed by a path or port
_LOCAL = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def _is_b113(f: Finding) -> bool:
    return (f.tool == "bandit" and str(f.rule_id).upper() == "B113") or bool(
        re.search(r"(?i)request\w* without (?:a )?timeout", f.title or ""))


def _fixed_host(mod, node, depth: int = 0, whole: bool = True) -> str | None:
    """The literal host of a URL expression whose scheme and host are literal, else None.

    ``whole``: ``node`` is the entire URL, so a literal without a path still ends at its host; a literal
    that something is appended to must show the end of its host itself (``'https://h/' + p``, not
    ``'https://h' + p``, which ``p = '.evil.example/'`` would extend)."""
    text = None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value + ("/" if whole else "")
    elif isinstance(node, ast.JoinedStr) and node.values:
        text, complete = _lead(mod, node, depth)
        text = None if not text else text + ("/" if whole and complete else "")
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _literal(mod, node.left, depth)  # a module constant BASE = 'https://h' + '/path': the sum shows the host's end
        if left is not None:
            text = left + (_lead(mod, node.right, depth)[0] or "")
        else:
            return _fixed_host(mod, node.left, depth, False)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):  # 'https://h/%s' % x: the text is the template
        return _fixed_host(mod, node.left, depth, False)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _fixed_host(mod, node.func.value, depth, False)
    elif isinstance(node, ast.Name) and depth < 4:
        return _one_binding(mod, node, lambda expr: _fixed_host(mod, expr, depth + 1, whole))
    elif isinstance(node, ast.Subscript) and depth < 4:  # ATTACKS[atk]["urls"][route]: every URL the table holds there
        hosts = {_fixed_host(mod, expr, depth + 1, whole) for expr in _table_entries(mod, node) or [None]}
        return ", ".join(sorted(hosts)) if None not in hosts else None
    if text is None or not _FIXED_HOST.match(text):
        return None
    return urlsplit(text).hostname


def _table_entries(mod, node, depth: int = 0, check: bool = True) -> list | None:
    """The expressions ``node`` (a subscript) can select in a module-level table (``_frozen_table``): a literal
    key selects its entry, any other key every entry; a string entry indexed further gives no URL.  None when
    the base is no such table or an entry is not a literal container."""
    base = node.value
    if isinstance(base, ast.Subscript) and depth < 6:
        tables = _table_entries(mod, base, depth + 1, check)
    elif isinstance(base, ast.Name) and (_frozen_table(mod, base) if check else _table_literal(mod, base) is not None):
        tables = [_table_literal(mod, base)]
    else:
        return None
    if tables is None:
        return None
    key = node.slice.value if isinstance(node.slice, ast.Constant) else None
    out = []
    for table in tables:
        if isinstance(table, ast.Dict) and None not in table.keys:
            out += [v for k, v in zip(table.keys, table.values) if key is None or isinstance(k, ast.Constant) and k.value == key]
        elif isinstance(table, (ast.List, ast.Tuple)) and not any(isinstance(e, ast.Starred) for e in table.elts):
            out += table.elts if not isinstance(key, int) else table.elts[key:key + 1] if -len(table.elts) <= key < len(table.elts) else []
        elif not (isinstance(table, ast.Constant) and isinstance(table.value, str)):
            return None
    return out


def _table_literal(mod, name: ast.Name):
    """The dict/list/tuple literal a name is bound to, once, at module level (not rebound where it is read), else None."""
    scope = mod.scope_of(name)
    if scope is not mod.tree and (mod.bindings(scope, name.id) != [] or
                                  name.id in {a.arg for a in ast.walk(scope.args) if isinstance(a, ast.arg)}):
        return None
    found = mod.bindings(mod.tree, name.id)
    if not found or len(found) != 1 or not isinstance(found[0][1], (ast.Dict, ast.List, ast.Tuple)):
        return None
    if any(isinstance(n, (ast.Global, ast.Nonlocal)) and name.id in n.names for n in ast.walk(mod.tree)):
        return None
    return found[0][1]


_BINDS = (ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.For, ast.withitem, ast.Return, ast.Yield, ast.Lambda)


def _frozen_table(mod, name: ast.Name) -> bool:
    """Whether ``name`` is a module-level table (``_table_literal``) the file only reads through subscripts: never
    assigned or deleted into, used whole, a method called on a part (``.update``), or a part that holds a
    container given a second name (which could then be changed)."""
    table = _table_literal(mod, name)
    if table is None:
        return False
    for use in ast.walk(mod.tree):
        if not isinstance(use, ast.Name) or use.id != name.id:
            continue
        if isinstance(use.ctx, ast.Store) and isinstance(mod.parent.get(use), (ast.Assign, ast.AnnAssign)) and mod.parent[use].value is table:
            continue  # the binding itself
        top = use
        while isinstance(mod.parent.get(top), ast.Subscript) and mod.parent[top].value is top:
            top = mod.parent[top]
        parent = mod.parent.get(top)
        if top is use or not isinstance(top.ctx, ast.Load) or isinstance(parent, (ast.Attribute, ast.Delete)):
            return False
        if isinstance(parent, _BINDS):
            entries = _table_entries(mod, top, check=False)
            if entries is None or any(not isinstance(e, ast.Constant) for e in entries):
                return False
    return True


def _literal(mod, node, depth: int) -> str | None:
    """The whole text of a string expression made only of literals and names bound to one literal, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and depth < 4:
        left, right = _literal(mod, node.left, depth + 1), _literal(mod, node.right, depth + 1)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr) and depth < 4:
        text, complete = _lead(mod, node, depth + 1)
        return text if complete else None
    if isinstance(node, ast.Name) and depth < 4:
        return _one_binding(mod, node, lambda expr: _literal(mod, expr, depth + 1))
    return None


def _one_binding(mod, name: ast.Name, value):
    """``value(expr)`` when every binding of ``name`` (in its function, else the module) gives the same one, else
    None: a parameter of its function, a binding that is not a plain value, or two bindings that disagree."""
    scope = mod.scope_of(name)
    if scope is not mod.tree and name.id in {a.arg for a in scope.args.args + scope.args.kwonlyargs}:
        return None
    found = mod.bindings(scope, name.id) or mod.bindings(mod.tree, name.id)
    values = {value(expr) if kind == "value" else None for kind, expr, _ in found or []}
    return values.pop() if len(values) == 1 else None


def _lead(mod, node, depth: int) -> tuple[str, bool]:
    """(the literal text an expression starts with, whether that is all of it): ``f"{BASE}/items/{x}"`` with
    ``BASE = 'https://h'`` starts with ``https://h/items/``."""
    whole = _literal(mod, node, depth)
    if whole is not None:
        return whole, True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _lead(mod, node.left, depth + 1)[0], False
    if not isinstance(node, ast.JoinedStr):
        return "", False
    text = ""
    for part in node.values:
        piece = part.value if isinstance(part, ast.Constant) else (
            _literal(mod, part.value, depth + 1) if isinstance(part, ast.FormattedValue) and part.format_spec is None
            and part.conversion == -1 else None)
        if not isinstance(piece, str):
            return text, False
        text += piece
    return text, True


_RESPONSE = re.compile(r"^\s*(req|request)\s*=\s*(?:requests|httpx|session|s|sess|client|http)\.(?:get|post|put|patch|delete|head|"
                       r"options|request)\s*\(", re.M)


def _responses_renamed(source: str) -> str:
    """The source with ``req``/``request`` renamed where a script binds that name to an HTTP response
    (``req = requests.get(URL)``; ``req.headers`` is what the server sent, not a request to this program)."""
    for name in set(_RESPONSE.findall(source)):
        source = re.sub(rf"\b{name}\.", "response_.", source)
    return source


def check_timeout(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "robustness", "evidence"} for B113 outside a handler with a URL no user chooses."""
    f = as_finding(f)
    loc = f.location
    if f.kind != "code" or not _is_b113(f) or reader is None or loc is None or not loc.path or not loc.start_line:
        return None
    source = finding_source(reader, f)
    if not source:
        return None
    handler = bool(USER_INPUT.search(_responses_renamed(source)) or _HANDLER.search(source))
    from tasks.triage.constant_names import dotted, parse_module

    mod = parse_module(source, loc.path)
    if mod is None:
        return None
    calls = [n for n in ast.walk(mod.tree) if isinstance(n, ast.Call) and _HTTP.match(dotted(n.func))
             and n.lineno <= loc.start_line <= (n.end_lineno or n.lineno)]
    if len(calls) != 1:
        return None
    call = calls[0]
    given = next((k.value for k in call.keywords if k.arg == "timeout"), None)
    if given is not None and not (isinstance(given, ast.Constant) and given.value is None):
        # Bandit's check_call_arg_value reads literals only: timeout=settings.X looks like no timeout to it
        return {"check": "code", "status": "timeout_set",
                "evidence": f"the call sets a timeout: {dotted(call.func)}() at {loc.path}:{call.lineno} passes "
                            f"timeout={ast.unparse(given)[:60]} (line {given.lineno}); Bandit reads only a literal value, so "
                            "a timeout taken from configuration or a variable looks missing to it"}
    url = next((k.value for k in call.keywords if k.arg == "url"), None)
    if url is None:
        url = (call.args[1] if len(call.args) > 1 else None) if call.func.attr == "request" else (call.args[0] if call.args else None)
    if url is None:
        return None
    where = f"{loc.path}:{call.lineno}"
    host = _fixed_host(mod, url)
    if host:
        what = f"a fixed {'local ' if host in _LOCAL else ''}host ({host})"
    elif mod.constant(url):
        what = "a URL built only from literals"
    elif handler:
        return None  # a request handler whose destination may come from the request: a caller could pick a tarpit
    else:
        from tasks.triage.cli_args import cli_source

        given = cli_source(mod, url)
        if not given:
            return None
        what = f"the URL the person running the command passes ({given})"
    if handler:
        return {"check": "code", "status": "robustness",
                "evidence": f"robustness, not a security weakness: {dotted(call.func)}() at {where} without a timeout calls "
                            f"{what}, which no request chooses, so no caller can point it at a server that never answers; "
                            "if that service hangs, this handler waits with it (an availability matter for the service's "
                            "owner: a timeout and an error response bound it)"}
    program = _program(source, loc.path)
    if not program:  # a worker or service module: a hang there stalls a job nobody watches (held-out set 18's labels)
        return None
    return {"check": "code", "status": "robustness",
            "evidence": f"robustness, not a security weakness: {dotted(call.func)}() at {where} without a timeout calls "
                        f"{what}, and {loc.path} is {program}, not a request handler (no request data, route or view); a "
                        "call that hangs only makes this program wait, in front of the person who ran it"}


_SCRIPT_DIRS = {"scripts", "script", "bin", "tools", "cli", "examples", "contrib"}
_SCRIPT_NAMES = {"scripts", "script", "cli"}  # a file named for what it is (brute-force/scripts.py); not utils.py or tools.py
_RUNS = re.compile(r"^if\s+__name__\s*==\s*['\"]__main__['\"]\s*:|\bargparse\.ArgumentParser\(|^[ \t]*@(?:click|typer)\.|"
                   r"\bsys\.argv\b", re.M)


def _program(source: str, path: str) -> str | None:
    """What makes the file a program a person runs (a ``__main__`` block, command-line arguments, a scripts
    folder), or None: a module of an application, whose calls run in its workers."""
    hit = _RUNS.search(source)
    if hit:
        start, end = source.rfind("\n", 0, hit.start()) + 1, source.find("\n", hit.start())
        shown = " ".join(source[start:end if end >= 0 else len(source)].split())[:60]  # the line, not `@click.` (round 56)
        return f"a command-line program (line {source.count(chr(10), 0, hit.start()) + 1}: `{shown}`)"
    parts = path.lower().split("/")
    folder = next((d for d in parts[:-1] if d in _SCRIPT_DIRS), None)
    if folder:
        return f"a script (in {folder}/)"
    return "a script (by its name)" if parts[-1].rsplit(".", 1)[0] in _SCRIPT_NAMES else None
