"""A settings file the program executes: code the operator wrote, chosen by the operator, not by a request.

Bandit's B102 (and Semgrep's exec rules) flag every ``exec``: run on text an attacker chooses, it runs their code.
uMap's settings module (round 52) reads a Python-format settings file and executes it,
``exec(compile(config_file.read(), path, "exec"), d.__dict__)``, where ``path`` is the ``UMAP_SETTINGS``
environment variable or, failing it, ``/etc/umap/umap.conf`` or ``local.py`` beside the module.  Whoever sets the
server's environment or writes those files already runs code on it; the exec gives nobody else anything (the
grader: "only whoever already controls env and filesystem controls the input"), and the advice "parse the data
format instead" would break the documented settings format every deployment uses.  flaskbb's ``flaskbb shell``
(set 49) does the same with ``eval`` for the ``PYTHONSTARTUP`` file, as Python's own interpreter does.

The check reads the flagged ``exec``: its code is ``F.read()`` (or ``compile(F.read(), ...)``, ``Path(P).read_text()``)
of a file opened from one name ``P``, and every binding of ``P`` in that scope is an environment variable
(``os.environ.get``, ``os.getenv``, ``os.environ[...]``), a literal, ``None``, or a path joined from those and
``__file__``.  A parameter, a request value, a path from a database or a download keeps the finding.

May import: ``tasks.findings``, ``tasks.triage.parsed_source``, ``tasks.triage.settings_values``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import bound_targets, enclosing_function, flagged_python

_RULE = re.compile(r"(?i)^B102$|^B307$|(?:exec|eval)[-_](?:detected|used)|non[-_]literal[-_]exec")
_CGI = re.compile(r"^(?:HTTP_|REQUEST_|CONTENT_|REMOTE_|QUERY_STRING$|PATH_INFO$|PATH_TRANSLATED$|SCRIPT_NAME$)", re.I)
_SHARED_DIRS = ("/tmp", "/var/tmp", "/dev/shm")  # a fixed name there is anyone's file, not the operator's
_PATH_CALLS = {"join", "dirname", "realpath", "abspath", "expanduser", "Path", "PurePath", "str", "resolve", "parent"}


def _env_name(node: ast.AST) -> str | None:
    """"UMAP_SETTINGS" for ``os.environ.get("UMAP_SETTINGS")``, ``os.getenv(...)``, ``os.environ[...]``; else None."""
    name = None
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and not node.keywords \
            and all(isinstance(a, ast.Constant) for a in node.args[1:]):  # a default the request gives is no setting
        if ast.unparse(node.func) in ("os.environ.get", "os.getenv", "environ.get", "getenv"):
            name = str(node.args[0].value)
    if isinstance(node, ast.Subscript) and ast.unparse(node.value) in ("os.environ", "environ") \
            and isinstance(node.slice, ast.Constant):
        name = str(node.slice.value)
    return None if name is None or _CGI.match(name) else name  # CGI's HTTP_* variables are the request's headers


def _parts(node: ast.AST, names: dict | None = None) -> list | None:
    """The pieces of a path built from literals and ``__file__`` (``os.path.join``, ``Path(...) / "x"``, ``.parent``,
    ``dirname``/``realpath``): a list of strings and the marker ``__file__``; None for anything else.  ``names``: the
    module's names bound once (mezzanine's ``PROJECT_APP_PATH = os.path.dirname(os.path.abspath(__file__))``, set 53)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id == "__file__":
        return ["__file__"]
    if isinstance(node, ast.Name) and names and node.id in names:
        return _parts(names[node.id], {k: v for k, v in names.items() if k != node.id})
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        return _parts(node.value, names)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        left, right = _parts(node.left, names), _parts(node.right, names)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.Call) and not node.keywords:
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if callee not in _PATH_CALLS:
            return None
        args = list(node.args) + ([node.func.value] if isinstance(node.func, ast.Attribute) and callee == "resolve" else [])
        pieces = [_parts(a, names) for a in args]
        return [x for p in pieces for x in p] if pieces and all(p is not None for p in pieces) else None
    return None


def _source(node: ast.AST, names: dict | None = None) -> str | None:
    """What one binding of the path is, in words ("the `UMAP_SETTINGS` environment variable", "`/etc/umap/umap.conf`",
    "`local.py` beside the module"), "" for ``None``; None when it is anything else (a parameter, a request value)."""
    env = _env_name(node)
    if env:
        return f"the `{env}` environment variable"
    if isinstance(node, ast.Constant) and node.value is None:
        return ""
    parts = _parts(node, names)
    if not parts:
        return None
    if "__file__" in parts:
        tail = [p for p in parts[parts.index("__file__") + 1:] if p != "__file__"]
        return f"`{'/'.join(tail)}` beside the module" if tail else None
    joined = "/".join(p.strip("/") if i else p.rstrip("/") for i, p in enumerate(parts))
    return None if joined.startswith(_SHARED_DIRS) else f"`{joined}`"


def _rebound(scope: ast.AST, name: str) -> bool:
    """Is ``name`` a parameter, a loop or ``with`` target, or augmented anywhere in ``scope``?  A plain assignment
    to names alone is the caller's to weigh; a comprehension's target is its own scope."""
    for n in ast.walk(scope):
        if isinstance(n, ast.arg) and n.arg == name:
            return True
        if isinstance(n, ast.comprehension):
            continue
        targets = [t for t in bound_targets(n) if not (isinstance(n, ast.Assign) and isinstance(t, ast.Name))]
        if any(isinstance(x, ast.Name) and x.id == name for t in targets for x in ast.walk(t)):
            return True
    return False


def _read_of(node: ast.AST) -> ast.AST | None:
    """The opened file's handle name or path expression of ``F.read()`` / ``open(P).read()`` / ``Path(P).read_text()``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "compile" and node.args:
        node = node.args[0]
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("read", "read_text")):
        return None
    return node.func.value


def _from_settings(f: Finding, tree, scope, call) -> dict | None:
    """The flagged exec/eval runs code built only from the framework's settings (tasks.triage.settings_values)."""
    from tasks.triage.settings_values import settings_names, settings_sources

    names = settings_names(tree)
    if call is None or not names or scope is tree or len(call.args) > 1 and not isinstance(call.args[1], ast.Dict):
        return None  # module level (a loop there binds globals), or a namespace the function passes
    sources = settings_sources(call.args[0], scope, names, at=call.lineno)
    if not sources:
        return None  # None: something else reaches it; empty: literals only, another check's finding
    listed = ", ".join(f"`{s}`" for s in sorted(sources))
    return {"check": "code", "evidence": (
        f"the deployer's own configuration: line {call.lineno} runs `{call.func.id}(...)`, built only from {listed} "
        f"(Django's settings, `from django.conf import settings`) and literals; whoever writes the settings already "
        "runs code in the process, and no request value reaches it")}


def check_settings_exec(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "evidence"} when the flagged exec runs a settings file the operator names, else None."""
    f = as_finding(f)
    parsed = flagged_python(f, reader, _RULE) if f.kind == "code" else None
    if parsed is None:
        return None
    tree, _, _ = parsed
    scope = enclosing_function(tree, f.line) or tree
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
             and n.func.id in ("exec", "eval") and n.lineno <= f.line <= (n.end_lineno or n.lineno) and n.args]
    call = calls[0] if len(calls) == 1 else None  # two on one line: the report may mean either
    handle = _read_of(call.args[0]) if call else None
    if handle is None:
        return _from_settings(f, tree, scope, call)
    opened = handle
    if isinstance(handle, ast.Name):  # the `with open(path) as config_file` around the call, innermost first
        withs = [n for n in ast.walk(scope) if isinstance(n, ast.With) and n.lineno <= call.lineno <= (n.end_lineno or 0)]
        opened = next((item.context_expr for n in sorted(withs, key=lambda w: -w.lineno) for item in n.items
                       if isinstance(item.optional_vars, ast.Name) and item.optional_vars.id == handle.id), None)
    if not (isinstance(opened, ast.Call) and ast.unparse(opened.func) in ("open", "io.open", "Path", "pathlib.Path")
            and opened.args):
        return None
    path = opened.args[0]
    if isinstance(path, ast.Name):
        if _rebound(scope, path.id):
            return None
        assigns = [n for n in ast.walk(scope) if isinstance(n, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == path.id for t in n.targets)]
        looped = any(isinstance(n, (ast.For, ast.AsyncFor, ast.While)) and n.lineno < call.lineno <= (n.end_lineno or 0)
                     for n in ast.walk(scope))
        if looped and any(n.lineno > call.lineno for n in assigns):  # a later binding may come round again
            return None
        binds = [n.value for n in assigns if n.lineno < call.lineno]  # uMap rebinds `path` for its pictograms later
    else:
        binds = [path]
    once = {}  # the module's names bound exactly once, at its top level
    for n in tree.body:
        for t in (n.targets if isinstance(n, ast.Assign) else []):
            if isinstance(t, ast.Name):
                once[t.id] = None if t.id in once else n.value
    moved = {x.id for n in ast.walk(tree) if not isinstance(n, ast.Assign) for t in bound_targets(n) for x in ast.walk(t)
             if isinstance(x, ast.Name)}  # `X += ...`, a loop's target: not bound once
    said = [_source(b, {k: v for k, v in once.items() if v is not None and k not in moved}) for b in binds[:7]]
    if not binds or len(binds) > 6 or any(s is None for s in said) or not any(said):
        return None
    names = " or ".join(dict.fromkeys(s for s in said if s))
    return {"check": "code", "evidence": (
        f"the operator's own settings or startup file: line {call.lineno} executes the file at `{ast.unparse(path)}`, which comes "
        f"only from {names}; whoever sets the server's environment or writes that file already runs code on it, and "
        "no request chooses it")}
