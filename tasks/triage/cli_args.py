"""Values the person running a command-line program passes it: click parameters, ``sys.argv``, argparse.

tasks.triage.robustness asks whether the URL of a request without a timeout
is chosen by whoever runs the program (then a hang only makes their own
command wait) rather than by a remote user.  A value counts when it is

* a parameter of a click command (``@click.option``/``@click.argument``),
  not rebound in the function;
* an item of ``sys.argv`` (``sys.argv[1]``);
* an attribute of the namespace argparse returns (``args = parser.parse_args()``,
  ``args.url``);
* a name bound only to such values, or a string built from them and literals
  or names bound only to literals (an f-string, ``+``, ``%`` or ``.format``).

The answer is a short description for the evidence (which mechanism, which
line), never a value.
"""

from __future__ import annotations

import ast
import re

from tasks.triage.constant_names import dotted

_CLICK = re.compile(r"^click\.(?:option|argument|command)$")
_MAX_DEPTH = 4


def _params(scope) -> set[str]:
    return {a.arg for a in ast.walk(scope.args) if isinstance(a, ast.arg)} if hasattr(scope, "args") else set()


def _click(mod, node: ast.Name) -> str | None:
    scope = mod.scope_of(node)
    if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.id not in {a.arg for a in scope.args.args}:
        return None
    if mod.bindings(scope, node.id):
        return None  # rebound inside the function
    lines = {dotted(d.func if isinstance(d, ast.Call) else d): d.lineno for d in reversed(scope.decorator_list)}
    line = next((at for name, at in lines.items() if _CLICK.match(name) and not name.endswith("command")), lines.get("click.command"))
    return f"a click option at {mod.path}:{line}" if line else None


def _bound(mod, node: ast.Name) -> list | None:
    """The expressions the name is bound to in the nearest scope that binds it; None for a parameter or unknown."""
    scope = mod.scope_of(node)
    while scope is not None:
        if scope is not mod.tree and node.id in _params(scope):
            return None
        found = mod.bindings(scope, node.id)
        if found is None or found:
            return [expr if kind == "value" else None for kind, expr, _ in found] if found else None
        scope = mod.scope_of(scope) if scope is not mod.tree else None
    return None


def _namespace(mod, node, depth: int) -> bool:
    """Whether ``node`` names argparse's namespace: a name bound only to ``….parse_args(…)``."""
    if not isinstance(node, ast.Name) or depth > _MAX_DEPTH:
        return False
    found = _bound(mod, node)
    return bool(found) and all(isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute)
                               and e.func.attr in ("parse_args", "parse_known_args") for e in found)


def cli_source(mod, node, depth: int = 0) -> str | None:
    """How the person running the program sets ``node`` (for the evidence), or None when something else may."""
    if node is None or depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.Name):
        click = _click(mod, node)
        if click:
            return click
        found = _bound(mod, node)
        parts = [cli_source(mod, e, depth + 1) for e in found or [None]]
        return parts[0] if parts and None not in parts else None
    if isinstance(node, ast.Subscript) and dotted(node.value) == "sys.argv":
        return f"a command-line argument (sys.argv at {mod.path}:{node.lineno})"
    if isinstance(node, ast.Attribute) and _namespace(mod, node.value, depth + 1):
        return f"a command-line argument (argparse's {dotted(node)} at {mod.path}:{node.lineno})"
    pieces = None
    if isinstance(node, ast.JoinedStr):
        pieces = [v.value if isinstance(v, ast.FormattedValue) else v for v in node.values]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        tuple_ = isinstance(node.op, ast.Mod) and isinstance(node.right, ast.Tuple)
        pieces = [node.left] + (list(node.right.elts) if tuple_ else [node.right])
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        pieces = [node.func.value] + list(node.args) + [k.value for k in node.keywords]
    if not pieces:
        return None
    literal = [mod.constant(p) for p in pieces]  # a literal, or a name bound only to literals
    found = [None if lit else cli_source(mod, p, depth + 1) for p, lit in zip(pieces, literal)]
    if any(f is None and not lit for f, lit in zip(found, literal)) or not any(found):
        return None
    return next(f for f in found if f)
