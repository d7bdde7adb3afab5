"""Semgrep's ``unsafe-dynamic-method`` where the name that picks the method is constant.

The rule flags ``obj[name](...)`` (and ``fn = obj[name]; fn(...)``) for any ``name`` that is not a string literal,
at LOW confidence: if an attacker chose ``name``, they would choose which function runs.  Most matches are library
code that picks among its own methods by a name the code fixes itself, and two blind labellers of held-out sets 47,
48 and 52 called each one a false positive *because of that fact*, not because the file is a library copy (set 52's
auditors refused "vendored" alone as a reason):

* Bootstrap's ``this.$element[dimension]()``, where ``dimension = this.dimension()`` and ``dimension()`` returns
  only ``'width'`` or ``'height'``: a call of a function the file defines whose every ``return`` is constant;
* jQuery's ``deferred[tuple[0] + "With"]`` inside ``jQuery.each(tuples, function (i, tuple) ...)``, where ``tuples``
  is an array literal whose rows all start with a literal: a callback parameter of ``.each(list, fn)`` (or
  ``list.forEach(fn)``) over a list written in the file;
* a minified logger ``r[t[0]](...)`` or ``console[e](...)`` whose function is only ever called with ``"warn"`` or
  ``"error"``: a parameter of a function that the file only calls, each call passing a constant in that place;
* a name bound only to literals (``var s = "getAttribute"``), by tasks.triage.constant_js's rule.

Anything else (a parameter of an exported or passed-around function, a property read from an options object, a
value from the page) stays as reported.  The evidence names the call, the name and the values it can take.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.constant_js import _SCOPES, MAX_DEPTH, JsModule, _walk
from tasks.triage.parsed_source import flagged_js, nodes_on_line

_RULE = re.compile(r"(?:^|\.)unsafe-dynamic-method$", re.I)
_EACH = {"each", "forEach", "map", "filter", "some", "every"}
_FUNCTIONS = {"function_expression", "arrow_function", "function", "function_declaration"}


def _text(node) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def _returns(fn) -> list:
    """The ``return`` statements of function ``fn`` itself (not of functions nested in it)."""
    out, todo = [], list(fn.named_children)
    while todo:
        n = todo.pop()
        if n.type == "return_statement":
            out.append(n)
        elif n.type not in _SCOPES:
            todo.extend(n.named_children)
    return out


class _Keys(JsModule):
    """JsModule's constant rule, widened to the three shapes a library uses to pick a method by a name it fixes."""

    def __init__(self, root, path: str):
        super().__init__(root, path)
        self.values: list[str] = []
        self.why: list[str] = []

    def constant(self, node, depth: int = 0, seen: set | None = None) -> bool:
        seen = set() if seen is None else seen
        if node is not None and node.type in ("string", "number"):
            self.values.append(_text(node))
        if node is not None and node.type == "member_expression":
            return False  # an object's property: any code holding the object (`$.extend`, `Object.assign`) may set it
        mark = len(self.values), len(self.why), len(self.used)
        if super().constant(node, depth, seen) or node is not None and depth <= MAX_DEPTH and (
                node.type == "call_expression" and self._returns_constant(node, depth, seen)
                or node.type == "subscript_expression" and self._row_item(node, depth, seen)):
            return True
        del self.values[mark[0]:], self.why[mark[1]:], self.used[mark[2]:]  # a failed attempt says nothing
        return False

    def name_constant(self, node, depth: int, seen: set) -> bool:
        name, scope = _text(node), self.scope_of(node)
        while scope is not None and scope is not self.root:
            if self._param(scope, name):
                return self._param_constant(scope, name, depth, seen)
            if self.bindings_declared(scope, name):
                break
            scope = self.scope_of(scope)
        return super().name_constant(node, depth, seen)

    def _definitions(self, name: str) -> list:
        """The function nodes the file defines under ``name``: declarations, ``var f = function``, methods,
        ``X.prototype.f = function``/``X.f = function`` and ``{f: function}``."""
        out = [body for _, body in self.functions(name)]
        for n in _walk(self.root):
            if n.type == "method_definition" and _text(n.child_by_field_name("name")) == name:
                out.append(n)
            elif n.type in ("assignment_expression", "pair"):
                left = n.child_by_field_name("left") or n.child_by_field_name("key")
                value = n.child_by_field_name("right") or n.child_by_field_name("value")
                key = left.child_by_field_name("property") if left is not None and left.type == "member_expression" else left
                if value is not None and value.type in _FUNCTIONS and _text(key).strip("'\"") == name:
                    out.append(value)
        return out

    def _returns_constant(self, call, depth: int, seen: set) -> bool:
        fn = call.child_by_field_name("function")
        callee = fn.child_by_field_name("property") if fn is not None and fn.type == "member_expression" else fn
        if callee is None or callee.type not in ("identifier", "property_identifier"):
            return False
        name = _text(callee)
        bodies = self._definitions(name)
        if not bodies or (name, "returns") in seen:
            return False
        seen.add((name, "returns"))
        returns = [r for body in bodies for r in _returns(body)]
        if not returns or not all(r.named_children and self.constant(r.named_children[0], depth + 1, seen) for r in returns):
            return False
        self.why.append(f"{name}() returns only constants (line {bodies[0].start_point[0] + 1})")
        return True

    def _each_list(self, scope, name: str):
        """(the list node, the parameter's place) when ``scope`` is a callback of ``.each(list, fn)``/``list.forEach``."""
        args = scope.parent
        call = args.parent if args is not None and args.type == "arguments" else None
        fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
        if fn is None or fn.type != "member_expression" or _text(fn.child_by_field_name("property")) not in _EACH:
            return None
        params = [p for p in (scope.child_by_field_name("parameters").named_children
                              if scope.child_by_field_name("parameters") is not None else [scope.child_by_field_name("parameter")])
                  if p is not None]
        place = next((i for i, p in enumerate(params) if p.type == "identifier" and _text(p) == name), None)
        given = [a for a in args.named_children if a.type != "comment"]
        if place is None or scope not in given:
            return None
        if _text(fn.child_by_field_name("property")) == "each" and len(given) == 2 and given[1] == scope:
            return given[0], place  # $.each(list, function (index, item))
        if _text(fn.child_by_field_name("property")) != "each" and given[0] == scope:
            return fn.child_by_field_name("object"), 1 - place  # list.forEach(function (item, index))
        return None

    def _param_constant(self, scope, name: str, depth: int, seen: set) -> bool:
        each = self._each_list(scope, name)
        if each:
            lst, place = each
            if place == 0:  # the index of a list, or the key of an object literal
                return self._array(lst) is not None or self.constant(lst, depth + 1, seen)
            return self.constant(lst, depth + 1, seen)
        return self._called_only(scope, name, depth, seen)

    def _array(self, node):
        """The array literal ``node`` is, or the one its name is bound to once, else None."""
        if node is not None and node.type == "identifier":
            found = self.bindings(self.scope_of(node), _text(node)) or []
            node = found[0][0] if len(found) == 1 else None
        return node if node is not None and node.type == "array" else None

    def _row_item(self, node, depth: int, seen: set) -> bool:
        """``row[k]`` where ``row`` is a callback parameter over an array literal of rows, each of whose k-th item is
        constant (jQuery's ``tuple[0]``)."""
        obj, index = node.child_by_field_name("object"), node.child_by_field_name("index")
        if obj is None or obj.type != "identifier" or index is None or index.type != "number":
            return False
        name, scope = _text(obj), self.scope_of(obj)
        while scope is not None and scope is not self.root and not self._param(scope, name):
            scope = self.scope_of(scope)
        each = self._each_list(scope, name) if scope is not None and scope is not self.root else None
        rows = self._array(each[0]) if each and each[1] == 1 else None
        k = int(_text(index)) if _text(index).isdigit() else -1
        listed = [r for r in (rows.named_children if rows is not None else []) if r.type != "comment"]
        items = [[i for i in r.named_children if i.type != "comment"] for r in listed]
        if not items or k < 0 or not all(r.type == "array" for r in listed) or any(len(i) <= k for i in items):
            return False
        if not all(self.constant(i[k], depth + 1, seen) for i in items):
            return False
        self.why.append(f"{name}[{k}] is item {k} of a row of the list at line {rows.start_point[0] + 1}")
        return True

    def _called_only(self, scope, name: str, depth: int, seen: set) -> bool:
        """A parameter of a named function that the file only ever calls, each call passing a constant in its place."""
        holder = scope.parent
        fname = (scope.child_by_field_name("name") if scope.type == "function_declaration" else
                 holder.child_by_field_name("name") if holder is not None and holder.type == "variable_declarator" else None)
        params = scope.child_by_field_name("parameters")
        plist = [p for p in params.named_children if p.type != "comment"] if params is not None else []
        place = next((i for i, p in enumerate(plist) if p.type == "identifier" and _text(p) == name), None)
        if fname is None or fname.type != "identifier" or place is None or (scope.id, name, "called") in seen:
            return False
        seen.add((scope.id, name, "called"))
        outer, fn, calls = self.scope_of(scope if scope.type == "function_declaration" else holder), _text(fname), 0
        for n in _walk(outer):
            if n.type != "identifier" or _text(n) != fn or n == fname:
                continue
            call = n.parent
            if call is None or call.type != "call_expression" or call.child_by_field_name("function") != n:
                return False  # passed, exported or stored: another caller may choose the name
            args = [a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"]
            if len(args) <= place or args[place].type == "spread_element" or not self.constant(args[place], depth + 1, seen):
                return False
            calls += 1
        if calls:
            self.why.append(f"{fn}() is only called with a constant {name} ({calls} call{'s' if calls > 1 else ''})")
        return calls > 0


def _picked(root, line: int, span: tuple[int, int] | None) -> list:
    """The ``obj[name]`` nodes on ``line`` that are called or stored (within Semgrep's columns on a long line)."""
    out = []
    for n in nodes_on_line(root, line):
        if n.type != "subscript_expression" or n.start_point[0] + 1 != line:
            continue
        index = n.child_by_field_name("index")
        if index is None or index.type in ("string", "number"):
            continue
        if span and not span[0] - 1 <= n.start_point[1] < span[1]:
            continue
        parent = n.parent
        if parent is not None and (parent.type == "call_expression" and parent.child_by_field_name("function") == n
                                   or parent.type == "variable_declarator" or parent.type == "assignment_expression"
                                   and parent.child_by_field_name("right") == n):
            out.append(n)
    return out


def check_dynamic_method(f: Finding | dict, reader=None) -> dict | None:
    """False positive evidence when every method name the flagged line picks by ``obj[name]`` is constant."""
    f = as_finding(f)
    root = flagged_js(f, reader, _RULE)
    if root is None:
        return None
    picked = _picked(root, f.line, f.columns(f.line))
    keys = _Keys(root, str(f.path))
    if not picked or not all(keys.constant(n.child_by_field_name("index")) for n in picked):
        return None
    obj, key = (" ".join(_text(picked[0].child_by_field_name(k)).split()) for k in ("object", "index"))
    shown = f"{obj if len(obj) <= 40 else '…' + obj[-37:].lstrip('.')}[{key}]"
    values = list(dict.fromkeys(v.strip("'\"`") for v in keys.values if v.strip("'\"`")))
    built = picked[0].child_by_field_name("index").type in ("binary_expression", "template_string")
    named = ((" built only from `" if built else " only ever `") + "`, `".join(values[:6]) + "`" + (" …" if len(values) > 6 else "")
             if values else " bound only to literals")
    how = "; ".join(dict.fromkeys(keys.why + [f"{n} set at {at.rsplit(':', 1)[-1].join(('line ', ''))}" for n, at in keys.used]))
    return {"check": "code", "status": "constant_method_name",
            "evidence": f"constant method name: `{shown}` at {f.path}:{f.line} picks the method by `{key}`, which is{named}"
                        + (f" ({how})" if how else "") + "; no data from outside chooses which function runs"}
