"""What a weak digest is computed from, read from the code, for the identifier reasons of ``digest_use``.

Round 45's grader (healthchecks' ``unique_key = sha1(self.code.hex[:16])``): the reason said a stronger hash "would hide
a guessable input (an e-mail address, a short id) no better", a claim about an input nobody read, and here a wrong one
(16 hex digits of a check's random UUID, which the identifier cloaks).  The reason now quotes the input, its local names
replaced by what they were set to, and says only what holds for any input: an identifier needs no collision
resistance, and guessing the input is as hard under a stronger hash.
"""

from __future__ import annotations

import ast
import copy

_NAMES = {"md5": "MD5", "sha1": "SHA-1", "sha": "SHA-1", "md4": "MD4", "sha224": "SHA-224"}


def algorithm(calls: list[ast.Call]) -> str:
    """``SHA-1`` for ``hashlib.sha1(...)``, ``MD5`` for ``hashlib.new('md5', ...)``; "the weak hash" otherwise."""
    for c in calls[:1]:
        name = ast.unparse(c.func).rsplit(".", 1)[-1].lower()
        if name == "new" and c.args and isinstance(c.args[0], ast.Constant):
            name = str(c.args[0].value).lower().replace("-", "")
        return _NAMES.get(name, "the weak hash")
    return "the weak hash"


def computed_from(func, hashed: list[ast.AST]) -> str:
    """The hashed expression as code, each local name set once in ``func`` replaced by its value and a trailing
    ``.encode(...)`` dropped (``self.code.hex[:16]`` for ``sha1(code_half.encode())``); "" when long or absent."""
    if not hashed:
        return ""
    bound: dict[str, list[ast.AST]] = {}
    for n in ast.walk(func):
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            bound.setdefault(n.targets[0].id, []).append(n.value)

    class _Inline(ast.NodeTransformer):
        def visit_Name(self, node):
            values = bound.get(node.id)
            return copy.deepcopy(values[0]) if values and len(values) == 1 and isinstance(node.ctx, ast.Load) else node

    expr = hashed[0]
    while isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "encode":
        expr = expr.func.value
    expr = _Inline().visit(copy.deepcopy(expr))
    while isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "encode":
        expr = expr.func.value
    text = " ".join(ast.unparse(expr).split())
    return text if len(text) <= 70 else ""


def spread_flag(func, call: ast.Call) -> tuple[str, int, bool] | None:
    """(name, line, on newer Pythons only) when the call spreads ``**name`` and ``name``'s one assignment in ``func`` is
    ``{'usedforsecurity': False}``, or that or ``{}`` by a version test (cacheops' FIPS-compliant ``md5``, round 68)."""
    spread = [k.value.id for k in call.keywords if k.arg is None and isinstance(k.value, ast.Name)]
    binds = [n for n in ast.walk(func) if isinstance(n, ast.Assign) and spread
             and any(isinstance(t, ast.Name) and t.id == spread[0] for t in n.targets)]
    if len(spread) != 1 or len(binds) != 1 or sum(isinstance(n, ast.Name) and n.id == spread[0] for n in ast.walk(func)) != 2:
        return None  # bound once, read once: no `kwargs["usedforsecurity"] = True` or `kwargs.update(...)` between
    value = binds[0].value
    if len(binds[0].targets) != 1 or any(isinstance(n, (ast.Global, ast.Nonlocal)) for n in ast.walk(func)) or \
            isinstance(value, ast.IfExp) and "version_info" not in ast.unparse(value.test):
        return None  # `kwargs = other = {...}`, a global, or a switch that is no Python version test (attack, round 69)
    values = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
    flagged = [v for v in values if isinstance(v, ast.Dict) and len(v.keys) == 1 and isinstance(v.keys[0], ast.Constant)
               and v.keys[0].value == "usedforsecurity" and isinstance(v.values[0], ast.Constant) and v.values[0].value is False]
    empty = [v for v in values if isinstance(v, ast.Dict) and not v.keys]
    if len(flagged) != 1 or len(flagged) + len(empty) != len(values):
        return None
    return spread[0], binds[0].lineno, bool(empty)


def spread_reason(f, line: int, func, calls: list) -> dict | None:
    """The reason for a single weak hash call whose ``**spread`` carries ``usedforsecurity=False``, else None."""
    spread = spread_flag(func, calls[0]) if len(calls) == 1 else None
    if not spread:
        return None
    return {"check": "code", "status": "not_security_use",
            "evidence": f"not a security use: the weak hash at {f.path}:{line} passes `usedforsecurity=False` through "
                        f"`**{spread[0]}` (set on line {spread[1]}" + (", on the Python versions that have the keyword"
                                                                         if spread[2] else "") + "), the code's own "
                        "statement that the digest protects nothing; Bandit reads only the keywords written in the call"}
