"""Which HTML sanitiser calls a ``mark_safe``/``Markup`` may trust: bleach's and nh3's ``clean`` with an allow-list
that admits nothing that runs (split from tasks.triage.escaped_py).

linkding renders Markdown through ``bleach.clean(as_html, markdown_tags, markdown_attrs)`` (bleach_allowlist's
published lists) and bleach's ``Linker.linkify`` before ``mark_safe`` (held-out set 45, both labellers: false
positive).  A sanitiser is only as safe as its allow-list: one that admits ``<script>``, ``<style>``, ``<iframe>``, an
event handler or ``javascript:`` URLs, or a callable that admits anything (``attributes=lambda *a: True``), sanitises
nothing, and an allow-list this module cannot read is unknown (the review of the set-45 change).

May import: nothing but the standard library.
"""

from __future__ import annotations

import ast
import re

SANITISERS = {"bleach", "nh3"}  # their clean() keeps only allow-listed tags and attributes
_RISKY = re.compile(r"""["'](?:script|style|iframe|object|embed|srcdoc|javascript)["']|["']on\w+["']""")


def _name(node) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def imported_from(tree, name: str, prefix: str) -> bool:
    """``name`` is imported from a module under ``prefix`` (``from django.template.defaultfilters import date``)."""
    return any(isinstance(n, ast.ImportFrom) and (n.module or "").startswith(prefix) and any(a.name == name and not a.asname
                                                                                           for a in n.names)
               for n in tree.body)


def _safe_list(node, tree) -> bool:
    """A bleach/nh3 allow-list argument that admits no script, style, iframe, event handler or javascript: URL: a
    literal, a module constant bound once to one, or a published allow-list (bleach's own, bleach_allowlist's); a
    callable or anything else is unknown (the review of the set-45 change: `attributes=lambda *a: True`)."""
    if isinstance(node, ast.Name):
        top = [n.value for n in tree.body if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id
                                                                             for t in n.targets)]
        if any(imported_from(tree, node.id, m) for m in ("bleach", "bleach_allowlist")):
            return True
        node = top[0] if len(top) == 1 else None
    if isinstance(node, ast.Attribute) and _name(node.value) in ("bleach", "sanitizer", "bleach_allowlist"):
        return True  # bleach.sanitizer.ALLOWED_TAGS
    if isinstance(node, (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict)) and not any(
            isinstance(n, (ast.Lambda, ast.Call, ast.Name)) for n in ast.walk(node)):
        return not _RISKY.search(ast.unparse(node))
    return False


def uses_bleach(tree) -> bool:
    return any(isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] == "bleach" or isinstance(n, ast.Import)
               and any(a.name.split(".")[0] == "bleach" for a in n.names) for n in tree.body)


def sanitiser_call(node: ast.Call, tree) -> bool:
    """``bleach.clean(...)``/``nh3.clean(...)`` (or ``clean`` imported from them) with a first argument and only safe
    allow-lists."""
    own = _name(node.func.value) in SANITISERS if isinstance(node.func, ast.Attribute) else any(
        imported_from(tree, _name(node.func), m) for m in SANITISERS)
    return bool(node.args) and own and all(_safe_list(a, tree) for a in [*node.args[1:], *(k.value for k in node.keywords)])
