"""Check 3h: Bandit B310 (urlopen of a URL whose scheme is not checked) where the scheme is a literal http(s).

B310 ("Audit url open for permitted schemes") exists because ``urllib``
also opens ``file://`` and custom schemes: a URL an attacker chooses can read
local files.  When the URL the call opens starts with a literal ``http://`` or
``https://`` -- a constant, an f-string or ``+`` whose first piece is that
literal, a name bound only to such values, a ``Request`` built from one, or a
parameter every call of the enclosing function passes such a value -- no
input can change the scheme, so the weakness the rule audits cannot occur
(what the host or path may do is another rule's question).

Python, with the file (``source.repo_path``); the call sites come from
tasks.triage.tainted_callers (one level).  The evidence names the call and
where the scheme is fixed.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import python_tree
from tasks.triage.tainted_callers import _argument, _calls, _enclosing

_OPEN = re.compile(r"^(?:urllib\.request\.|request\.|urllib2\.)?(?:urlopen|Request|urlretrieve|URLopener)$")
_SCHEME = re.compile(r"^https?://", re.I)


def _literal_start(node) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(_SCHEME.match(node.value))
    if isinstance(node, ast.JoinedStr) and node.values:
        return _literal_start(node.values[0])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal_start(node.left)
    return False


class _Scheme:
    def __init__(self, tree, func):
        self.tree, self.func = tree, func

    def fixed(self, node, depth: int = 0) -> bool:
        if depth > 4 or node is None:
            return False
        if _literal_start(node):
            return True
        if isinstance(node, ast.Call) and _OPEN.match(ast.unparse(node.func).split("(")[0]):
            url = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "url"), None)
            return self.fixed(url, depth + 1)  # urlopen(Request(url, ...)), Request(url=...) (flask-security: round 56)
        if isinstance(node, ast.Name):
            scopes = [s for s in (self.func, self.tree) if s is not None]
            for scope in scopes:
                found = [n.value for n in ast.walk(scope) if isinstance(n, ast.Assign) and len(n.targets) == 1
                         and isinstance(n.targets[0], ast.Name) and n.targets[0].id == node.id]
                if found:
                    return all(self.fixed(v, depth + 1) for v in found)
        return False


def check_url_scheme(f: Finding | dict, reader=None, callers=None) -> dict | None:
    """{"check": "code", "evidence"} for B310 whose URL starts with a literal http(s)://, else None."""
    f = as_finding(f)
    loc = f.location
    rule = f.tool == "bandit" and str(f.rule_id).upper() == "B310" or str(f.rule_id).endswith("dynamic-urllib-use-detected")
    parsed = python_tree(reader, f) if rule and loc and loc.start_line else None
    if parsed is None:
        return None
    tree, source = parsed
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _OPEN.match(ast.unparse(n.func))
             and n.lineno <= loc.start_line <= (n.end_lineno or n.lineno) and n.args]
    if not calls:
        return None
    func = _enclosing(tree, loc.start_line)
    scheme = _Scheme(tree, func)
    how = []
    for call in calls:
        arg = call.args[0]
        if scheme.fixed(arg):
            how.append(f"{ast.unparse(call.func)}() at line {call.lineno} opens a URL that starts with a literal "
                       "http:// or https://")
            continue
        env = _environment(arg, func)
        if env:  # notify-slack's SLACK_WEBHOOK_URL (set 42, both labellers)
            how.append(f"{ast.unparse(call.func)}() at line {call.lineno} opens a URL read from the environment "
                       f"variable `{env[0]}` (line {env[1]}), which whoever deploys the program sets, not a request")
            continue
        param = _parameter(scheme, arg, func)
        said = _every_call_fixed(callers, source, f.path, func, param) if param else None
        if not said:
            return None
        how.append(f"{ast.unparse(call.func)}() at line {call.lineno} opens `{param}`, and every call of "
                   f"{func.name}() passes a URL that starts with a literal http(s):// ({said})")
    return {"check": "code", "evidence": ("scheme fixed: " if len(how) > len([h for h in how if "environment" in h]) else
                                          "no outside input: ") + "; ".join(how) + ", so no input can make it file:// "
            f"or a custom scheme (what {'B310' if f.tool == 'bandit' else 'the rule'} audits)"}


_ENV = re.compile(r"^os\.(?:environ\[\s*['\"](\w+)['\"]\s*\]|environ\.get\(\s*['\"](\w+)['\"]\s*\)|getenv\(\s*['\"](\w+)['\"]\s*\))$")


def _environment(arg, func) -> tuple[str, int] | None:
    """(variable, line) when the URL is a name every assignment of which in the function reads one environment
    variable or transforms the name itself (``url = decrypt_url(url)``), through a ``Request`` of it."""
    node = arg.args[0] if isinstance(arg, ast.Call) and _OPEN.match(ast.unparse(arg.func)) and arg.args else arg
    if func is None or not isinstance(node, ast.Name):
        return None
    made = _bindings(func, node.id)
    if len(made) == 1 and isinstance(made[0], ast.Assign) and isinstance(made[0].value, ast.Call) \
            and _OPEN.match(ast.unparse(made[0].value.func)) and made[0].value.args \
            and isinstance(made[0].value.args[0], ast.Name):  # req = Request(slack_url); urlopen(req, data)
        node = made[0].value.args[0]
    found = _bindings(func, node.id)
    reads = [(m.group(1) or m.group(2) or m.group(3), n.lineno) for n in found if isinstance(n, ast.Assign)
             for m in [_ENV.match(ast.unparse(n.value))] if m]
    own = [n for n in found if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call) and n.value.args
           and all(isinstance(a, ast.Name) and a.id == node.id for a in n.value.args)]
    return reads[0] if len(reads) == 1 and len(found) == len(reads) + len(own) else None


def _bindings(func, name: str) -> list:
    """Every binding of ``name`` in ``func``: an ``Assign`` whose target is the bare name, or any other node that binds
    it (a comprehension's or a loop's target, a tuple or augmented assignment, a with/except/import name, a
    parameter, a walrus, a match capture, a global/nonlocal declaration, a nested def or class, a del)."""
    direct = {id(t): n for n in ast.walk(func) if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    out: list = []
    for n in ast.walk(func):
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, (ast.Store, ast.Del)):
            out.append(direct.get(id(n), n))
        elif isinstance(n, ast.arg) and n.arg == name or isinstance(n, ast.ExceptHandler) and n.name == name \
                or isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names \
                or isinstance(n, ast.alias) and (n.asname or n.name.split(".")[0]) == name \
                or isinstance(n, (ast.MatchAs, ast.MatchStar)) and n.name == name \
                or isinstance(n, ast.MatchMapping) and n.rest == name \
                or isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n is not func and n.name == name:
            out.append(n)
    return out


def _parameter(scheme: _Scheme, arg, func) -> str | None:
    """The enclosing function's parameter the URL is (directly, or through names and a Request of it)."""
    if func is None:
        return None
    params = {a.arg for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs}
    node = arg
    for _ in range(4):
        if isinstance(node, ast.Name) and node.id in params:
            return node.id
        if isinstance(node, ast.Name):
            found = [n.value for n in ast.walk(func) if isinstance(n, ast.Assign) and len(n.targets) == 1
                     and isinstance(n.targets[0], ast.Name) and n.targets[0].id == node.id]
            if len(found) != 1:
                return None
            node = found[0]
        elif isinstance(node, ast.Call) and _OPEN.match(ast.unparse(node.func)) and node.args:
            node = node.args[0]
        else:
            return None
    return None


def _every_call_fixed(callers, source: str, path: str, func, param: str) -> str | None:
    if callers is None:
        return None
    from tasks.triage.constant_names import parse_module

    mod = parse_module(source, path)
    if mod is None or (hasattr(callers, "routed") and callers.routed(func.name)):
        return None
    sites = _calls(callers, mod, path, func.name)
    if not sites:
        return None
    shown = []
    for where, _text, _lines, other, node in sites:
        arg = _argument(node, func, param)
        caller = _enclosing(other.tree, node.lineno)
        if arg is None or not _Scheme(other.tree, caller).fixed(arg):
            return None
        shown.append(f"{where}:{node.lineno}")
    return ", ".join(shown[:3]) + (", …" if len(shown) > 3 else "")
