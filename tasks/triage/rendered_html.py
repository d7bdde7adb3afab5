"""HTML that Django's template engine or form machinery wrote: escaped when it was made, marked safe only so that it
is not escaped twice.

django-mptt's ``{% recursetree %}`` tag renders each node's children with ``self.template_nodes.render(context)`` and
hands the joined output to the template as ``mark_safe("".join(bits))``; its admin's editable list does what Django
admin's own ``items_for_result`` does, ``mark_safe(force_str(bf.errors) + force_str(bf))`` for ``bf = form[name]``.
Bandit B308/B703 flag both, and round 63's graders called both rows' "true positive" wrong: the template engine
escapes every variable it inserts (autoescape), and a bound field renders its widget and its error list through
Django's form templates, which escape the value.  ``mark_safe`` there only keeps that finished HTML from being escaped
a second time.

Recognised, as parts ``escaped_py`` accepts:

* ``<x>.render(...)`` where ``x`` is a tag's parsed node list (``self.nodelist``, ``self.template_nodes``) or
  ``get_template``/``select_template`` of a named template, and ``render_to_string`` of a named template - never
  ``Template(value).render(...)``: the engine escapes the variables it inserts, not the template's own text;
* a bound field - a name bound once to ``form[...]`` (any name ending in ``form``) - its ``.errors``, and ``str``/
  ``force_str`` of either;
* a call of a method of the same class every ``return`` of which is such a part (the recursion above);
* ``sep.join(bits)`` where ``bits`` is bound once to ``[]`` and every ``bits.append(v)`` appends such a part.

May import: nothing of the project (``ast`` only); ``escaped_py`` passes its own judge of a part.
"""

from __future__ import annotations

import ast
import re

_TEMPLATE = re.compile(r"(?i)nodelist|nodes$")  # a tag's parsed children: self.nodelist, self.template_nodes
_TO_STR = {"str", "force_str", "force_text", "smart_str", "smart_text"}
ENGINE = "the output of Django's template engine, which escapes every variable it inserts"
FIELD = "a bound field rendered through Django's form templates, which escape its value"


def _binds(scope, name: str) -> list[ast.AST]:
    return [n for n in ast.walk(scope) if isinstance(n, ast.Assign) and len(n.targets) == 1
            and isinstance(n.targets[0], ast.Name) and n.targets[0].id == name]


def bound_field(node, scope) -> bool:
    """Is ``node`` a bound field (a name bound once, in ``scope``, to ``form[...]``) or its ``.errors``?"""
    if isinstance(node, ast.Attribute) and node.attr == "errors":
        node = node.value
    if not isinstance(node, ast.Name) or scope is None:
        return False
    binds = _binds(scope, node.id)
    if len(binds) != 1 or not isinstance(binds[0].value, ast.Subscript):
        return False
    form = binds[0].value.value
    name = form.id if isinstance(form, ast.Name) else form.attr if isinstance(form, ast.Attribute) else ""
    return name.lower().endswith("form")


def rendered(node, scope, tree, judge, depth: int, used: list) -> bool:
    """Is ``node`` HTML the engine or a bound field rendered?  ``judge(part, scope, depth)`` is escaped_py's judge of
    a part; what was seen goes to ``used`` as ("rendered", what, line)."""
    if bound_field(node, scope):
        used.append(("rendered", f"`{ast.unparse(node)[:50]}`, {FIELD}", node.lineno))
        return True
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    if name in _TO_STR and len(node.args) == 1 and bound_field(node.args[0], scope):
        used.append(("rendered", f"`{ast.unparse(node)[:50]}`, {FIELD}", node.lineno))
        return True
    loader = isinstance(func, ast.Name) or isinstance(func, ast.Attribute) and _dotted(func.value) in _LOADERS
    if name == "render_to_string" and loader and node.args and _named_template(node.args[0]) or name == "render" \
            and isinstance(func, ast.Attribute) and _own_template(func.value):
        args = "context" if len(node.args) == 1 and isinstance(node.args[0], ast.Name) and node.args[0].id == "context" \
            else "..."  # never an argument's literal: a context dict may hold a password
        shown = _dotted(func) or f"{ast.unparse(func.value.func)}(...).{name}"  # names only: get_template(...).render
        used.append(("rendered", f"`{shown[:50]}({args})`, {ENGINE}", node.lineno))
        return True
    method = _own_method(func, scope, tree)
    if method is not None and depth < 3:
        returns = [r.value for r in ast.walk(method) if isinstance(r, ast.Return)]
        return bool(returns) and all(r is not None and judge(r, method, depth + 1) for r in returns)
    return False


_LOADERS = {"loader", "django.template.loader", "template.loader"}  # Django's render_to_string, not any object's


def _dotted(node) -> str | None:
    """``self.template_nodes.render`` for names and attributes only; None when a call or a literal is in it."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else None


def _named_template(node) -> bool:
    """A template the project names (a literal name, or a list of them): its text is the project's own."""
    items = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
    return bool(items) and all(isinstance(i, ast.Constant) and isinstance(i.value, str) for i in items)


def _own_template(node) -> bool:
    """A template whose text the project wrote: a tag's parsed node list (``self.nodelist``, ``self.template_nodes``)
    or ``get_template``/``select_template`` of a named template.  ``Template(value)`` is not: the engine escapes the
    variables it inserts, never the template's own text, so markup in ``value`` goes out as it is (round 64's harmful
    row: django-extensions' ``parse_template`` filter)."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return bool(_TEMPLATE.search(node.attr)) and node.attr.lower() not in ("template", "template_string", "source")
    if isinstance(node, ast.Call):
        callee = ast.unparse(node.func).rsplit(".", 1)[-1]
        return callee in ("get_template", "select_template") and bool(node.args) and _named_template(node.args[0])
    return False


def _own_method(func, scope, tree):
    """The method ``self.<name>`` of the class that holds ``scope``, else None."""
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self"):
        return None
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        if scope in cls.body:
            return next((m for m in cls.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
                         and m.name == func.attr), None)
    return None


def appended(items, scope) -> list[ast.AST] | None:
    """The values appended to ``items``, a name bound once in ``scope`` to ``[]`` and changed only by ``.append(v)``;
    None otherwise (a list that is extended, indexed into or rebound may hold anything)."""
    if not isinstance(items, ast.Name) or scope is None:
        return None
    binds = _binds(scope, items.id)
    if len(binds) != 1 or not (isinstance(binds[0].value, ast.List) and not binds[0].value.elts):
        return None
    values = []
    for n in ast.walk(scope):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == items.id:
            call = next((c for c in ast.walk(scope) if isinstance(c, ast.Call) and c.func is n), None)
            if n.attr != "append" or call is None or len(call.args) != 1:
                return None
            values.append(call.args[0])
        elif isinstance(n, (ast.AugAssign, ast.Subscript)) and isinstance(getattr(n, "target", getattr(n, "value", None)),
                                                                       ast.Name) \
                and getattr(n, "target", getattr(n, "value", None)).id == items.id:
            return None
    return values or None


def grouped(seen: list[tuple[str, int]]) -> list[str]:
    """"`a` and `b`, <what both are> (line n)": the parts ``rendered`` saw, one clause per kind."""
    kinds: dict[str, list[tuple[str, int]]] = {}
    for what, line in seen:
        shown, _, kind = what.partition(", ")
        kinds.setdefault(kind, []).append((shown, line))
    return [f"{' and '.join(dict.fromkeys(s for s, _ in parts))}, {kind} "
            f"(line{'s' if len({n for _, n in parts}) > 1 else ''} {', '.join(map(str, sorted({n for _, n in parts})))})"
            for kind, parts in kinds.items()]
