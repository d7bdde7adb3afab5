"""Check 3c for JavaScript/TypeScript: a sink fed by names bound only to literals (tree-sitter).

The JavaScript side of tasks.triage.constant_names, with the same rule: each
name the sink's input uses is followed to every binding in its scope (the
function's, then enclosing ones, then the file's) -- ``const``/``let``/``var``
declarations, assignments, ``+=``, ``for (const x of list)``, ``.push()`` --
and the input is constant data when every binding is made of literals:
strings, templates whose substitutions are constant, ``+``, a conditional of
two constants, arrays and objects of constants, ``.join()``/``.toUpperCase()``
of constants, ``String()``/``Number()`` of constants, and a value the program generates itself
(``randomString()``, ``crypto.randomUUID()``, ``nanoid()``).  A parameter, an import,
a ``catch`` parameter, a global (``process.env``, ``req``), a destructured
function result or one binding that is not provably constant keeps the
finding; so does a file that does not parse cleanly.

Sinks: the first argument of ``.query``/``.execute``/``.raw`` (the rest are
bound parameters or a callback), every argument but callbacks of ``exec``,
``execSync``, ``spawn``, ``execFile``, ``fork`` (options objects included), the
first of ``eval``, every argument of ``Function``/``new Function``, the value
of a MongoDB ``$where`` key (``{$where: "this.type == '" + type + "'"}``) and
the first argument of Mongoose's ``.$where()``, which the server runs as
JavaScript.
"""

from __future__ import annotations

import re

from tasks.triage.parsed_source import nodes_on_line, parse_js

MAX_DEPTH = 8
_SQL = {"query", "execute", "raw", "$queryRawUnsafe", "$executeRawUnsafe", "$where"}
_COMMAND = {"exec", "execSync", "spawn", "spawnSync", "execFile", "execFileSync", "fork"}
_SCOPES = {"function_declaration", "function_expression", "arrow_function", "method_definition", "function",
           "generator_function_declaration", "generator_function", "class_declaration", "class"}
_LITERALS = {"string", "number", "true", "false", "null", "undefined", "regex", "template_string"}
_WRAPPERS = {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression", "type_assertion"}
_STR_METHODS = {"join", "toUpperCase", "toLowerCase", "trim", "concat", "slice", "replace", "split", "padStart", "padEnd",
                "toString", "repeat"}
_PURE = {"String", "Number", "parseInt", "parseFloat", "Boolean"}
# a value the program generates for itself (`"erd_" + app.utils.randomString()`, `crypto.randomUUID()`): no outsider
# chooses it (pocketbase's erd.js, held-out set 48)
_GENERATED = re.compile(r"^(?:random(?:String|Id|UUID|Hex|Token)?|uuid(?:v[1-7])?|nanoid|generateId|uniqueId)$", re.I)
_MUTATORS = {"push", "unshift", "splice", "set", "add", "fill"}
_CALLBACK = {"arrow_function", "function_expression", "function"}


def _names(node) -> set[str]:
    """The names a declaration or pattern binds (identifiers, shorthand pattern properties)."""
    out, todo = set(), [node]
    while todo:
        n = todo.pop()
        if n.type in ("identifier", "shorthand_property_identifier_pattern"):
            out.add(n.text.decode("utf-8", "replace"))
        elif n.type == "pair_pattern":
            todo.append(n.child_by_field_name("value"))
        elif n.type not in ("member_expression", "subscript_expression"):
            todo.extend(c for c in n.named_children if c.type != "property_identifier")
    out.discard("")
    return out


def _walk(node):
    todo = [node]
    while todo:
        n = todo.pop()
        yield n
        todo.extend(n.named_children)


def _own(scope):
    """The nodes of ``scope`` outside nested functions and classes."""
    todo = list(scope.named_children)
    while todo:
        n = todo.pop()
        yield n
        if n.type not in _SCOPES:
            todo.extend(n.named_children)


class JsModule:
    """A parsed JS/TS file (``root`` from tasks.triage.parsed_source.parse_js): scopes, bindings, constant data."""

    def __init__(self, root, path: str):
        self.root = root
        self.path = path
        self.used: list[tuple[str, str]] = []

    def functions(self, name: str) -> list[tuple]:
        """(defining node, function node) of each function the file defines as ``name``: a declaration, or a variable
        bound to a function expression or arrow function; in depth-first order."""
        out, todo = [], [self.root]
        while todo:
            n = todo.pop()
            todo.extend(n.named_children)
            ident, body = None, None
            if n.type in ("function_declaration", "generator_function_declaration"):
                ident, body = n.child_by_field_name("name"), n
            elif n.type == "variable_declarator" and (n.child_by_field_name("value") is not None) and \
                    n.child_by_field_name("value").type in ("arrow_function", "function_expression", "function"):
                ident, body = n.child_by_field_name("name"), n.child_by_field_name("value")
            if ident is not None and ident.text.decode("utf-8", "replace") == name:
                out.append((n, body))
        return out

    def scope_of(self, node):
        node = node.parent
        while node is not None and node.type not in _SCOPES:
            node = node.parent
        return node if node is not None else self.root

    def bindings(self, scope, name: str):
        found = []
        for n in _own(scope):
            t = n.type
            if t == "variable_declarator" and name in _names(n.child_by_field_name("name")):
                found.append((n.child_by_field_name("value"), n.start_point[0] + 1))
            elif t in ("assignment_expression", "augmented_assignment_expression"):
                left = n.child_by_field_name("left")
                base = left
                while base is not None and base.type in ("member_expression", "subscript_expression"):
                    base = base.child_by_field_name("object")
                if base is not None and base.type == "identifier" and base.text.decode() == name or name in _names(left):
                    found.append((n.child_by_field_name("right"), n.start_point[0] + 1))
            elif t == "for_in_statement" and name in _names(n.child_by_field_name("left")):
                found.append((n.child_by_field_name("right"), n.start_point[0] + 1))
            elif t == "call_expression":
                fn = n.child_by_field_name("function")
                obj = fn.child_by_field_name("object") if fn is not None and fn.type == "member_expression" else None
                prop = fn.child_by_field_name("property") if obj is not None else None
                if obj is not None and obj.type == "identifier" and obj.text.decode() == name and prop is not None \
                        and prop.text.decode() in _MUTATORS:
                    found.append((n.child_by_field_name("arguments"), n.start_point[0] + 1))
            elif t in ("import_specifier", "namespace_import", "import_clause", "catch_clause") and name in _names(n):
                return None
            elif t == "update_expression" and n.child_by_field_name("argument") is not None \
                    and n.child_by_field_name("argument").type == "identifier" and n.child_by_field_name("argument").text.decode() == name:
                return None  # `s++`: a counter, not the literal it started from (minified async's `for (var s = 0; ...)`)
            elif t in ("function_declaration", "class_declaration", "generator_function_declaration"):
                ident = n.child_by_field_name("name")
                if ident is not None and ident.text.decode() == name:
                    return None
        if found and self._rebound_inside(scope, name):
            return None  # `forEach(k => { field = k })`: a callback may set it to anything (the review of set 48)
        return found

    def _rebound_inside(self, scope, name: str) -> bool:
        """An assignment to ``name`` in a function nested in ``scope`` that does not declare a ``name`` of its own."""
        todo = [c for c in scope.named_children]
        while todo:
            n = todo.pop()
            if n.type in _SCOPES and n is not scope:
                own = self.bindings_declared(n, name)
                if not own and any(a.type in ("assignment_expression", "augmented_assignment_expression", "update_expression")
                                   and name in _names(a.child_by_field_name("left") or a.child_by_field_name("argument") or a)
                                   for a in _walk(n)):
                    return True
                if own:
                    continue
            todo.extend(n.named_children)
        return False

    def bindings_declared(self, scope, name: str) -> bool:
        """``scope`` declares its own ``name``: a parameter, or a let/const/var of it outside nested functions."""
        return self._param(scope, name) or any(n.type == "variable_declarator" and name in _names(n.child_by_field_name("name"))
                                               or n.type == "for_in_statement" and name in _names(n.child_by_field_name("left"))
                                               for n in _own(scope))

    def _param(self, scope, name: str) -> bool:
        params = scope.child_by_field_name("parameters") or scope.child_by_field_name("parameter")
        return params is not None and name in _names(params)

    def name_constant(self, node, depth: int, seen: set) -> bool:
        """Every binding of the name, from its scope out to the scope that declares it, is constant; an assignment
        to ``name.x`` in an inner function adds to the declaration's bindings, it does not replace them, and a name
        that no scope of the file declares is a global the file does not own (the review of set 52's checks:
        pocketbase's ``data.isLoading = true`` made a ``store({...})`` constant)."""
        name = node.text.decode("utf-8", "replace")
        if name == "undefined":
            return True
        scope, found = self.scope_of(node), []
        while scope is not None:
            if scope is not self.root and self._param(scope, name):
                return False
            here = self.bindings(scope, name)
            if here is None:
                return False
            found += [(scope, value, line) for value, line in here]
            if scope is self.root or self.bindings_declared(scope, name):
                break
            scope = self.scope_of(scope)
        if not found or scope is None or not self.bindings_declared(scope, name):
            return False
        key = (scope.id, name)
        if key in seen:
            return True
        seen.add(key)
        for _, value, line in found:
            if value is not None and not self.constant(value, depth + 1, seen):
                return False
            self.used.append((name, f"{self.path}:{line}"))
        return True

    def constant(self, node, depth: int = 0, seen: set | None = None) -> bool:
        seen = set() if seen is None else seen
        if node is None or depth > MAX_DEPTH:
            return False
        t = node.type
        if t == "template_string":
            return all(self.constant(s.named_children[0] if s.named_children else None, depth, seen)
                       for s in node.named_children if s.type == "template_substitution")
        if t in _LITERALS:
            return True
        if t == "identifier":
            return self.name_constant(node, depth, seen)
        if t in _WRAPPERS or t in ("spread_element", "unary_expression", "arguments", "array"):
            return all(self.constant(c, depth, seen) for c in node.named_children if c.type != "comment")
        if t == "binary_expression":
            return self.constant(node.child_by_field_name("left"), depth, seen) and self.constant(
                node.child_by_field_name("right"), depth, seen)
        if t == "ternary_expression":
            return self.constant(node.child_by_field_name("consequence"), depth, seen) and self.constant(
                node.child_by_field_name("alternative"), depth, seen)
        if t == "object":
            return all(self._member(c, depth, seen) for c in node.named_children if c.type != "comment")
        if t in ("member_expression", "subscript_expression"):
            index = node.child_by_field_name("index")
            return self.constant(node.child_by_field_name("object"), depth, seen) and (index is None or self.constant(index, depth, seen))
        if t == "call_expression":
            fn, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
            if fn is not None and fn.type == "member_expression":
                prop = fn.child_by_field_name("property")
                pure = prop is not None and prop.text.decode() in _STR_METHODS and self.constant(fn.child_by_field_name("object"), depth, seen)
            else:
                pure = fn is not None and fn.type == "identifier" and fn.text.decode() in _PURE
            callee = (fn.child_by_field_name("property") if fn is not None and fn.type == "member_expression" else fn)
            generated = callee is not None and _GENERATED.match(callee.text.decode("utf-8", "replace"))
            return bool(pure or generated) and self.constant(args, depth, seen)
        return False

    def _member(self, node, depth, seen) -> bool:
        if node.type == "pair":
            key = node.child_by_field_name("key")
            return (key.type != "computed_property_name" or self.constant(key.named_children[0], depth, seen)) and self.constant(
                node.child_by_field_name("value"), depth, seen)
        if node.type == "shorthand_property_identifier":
            return self.name_constant(node, depth, seen)
        return node.type == "spread_element" and self.constant(node, depth, seen)

    def sink_inputs(self, line: int):
        """(callee, inputs) of each sink call whose span covers ``line``."""
        out = []
        for n in nodes_on_line(self.root, line):
            if n.type == "pair" and n.child_by_field_name("key") is not None and \
                    n.child_by_field_name("key").text.decode("utf-8", "replace").strip("'\"`") == "$where":
                out.append(("$where", [n.child_by_field_name("value")]))  # MongoDB runs the string as JavaScript
                continue
            if n.type not in ("call_expression", "new_expression"):
                continue
            for arg in (n.child_by_field_name("arguments").named_children if n.child_by_field_name("arguments") else []):
                out.extend(("$where", [p.child_by_field_name("value")]) for p in (arg.named_children if arg.type == "object" else [])
                           if p.type == "pair" and not (p.start_point[0] + 1 <= line <= p.end_point[0] + 1)
                           and p.child_by_field_name("key").text.decode("utf-8", "replace").strip("'\"`") == "$where")
            fn = n.child_by_field_name("function") or n.child_by_field_name("constructor")
            args = [a for a in (n.child_by_field_name("arguments").named_children if n.child_by_field_name("arguments") else [])
                    if a.type != "comment"]
            name = (fn.child_by_field_name("property") if fn is not None and fn.type == "member_expression" else fn)
            callee = name.text.decode("utf-8", "replace") if name is not None else ""
            if fn is not None and fn.type == "member_expression" and callee in _SQL:
                out.append((callee, args[:1]))
            elif callee in _COMMAND:
                out.append((callee, [a for a in args if a.type not in _CALLBACK]))
            elif callee == "eval" and fn.type == "identifier":
                out.append((callee, args[:1]))
            elif callee == "Function" and fn.type == "identifier":
                out.append((callee, args))
        return out


def constant_sink(source: str, line: int, path: str) -> str | None:
    """The evidence when every JS/TS sink call covering ``line`` takes constant data through names, else None."""
    root = parse_js(source, path)
    if root is None:
        return None
    mod = JsModule(root, path)
    calls = mod.sink_inputs(line)
    if not calls or any(not inputs or not all(mod.constant(a) for a in inputs) for _, inputs in calls):
        return None
    names = []
    for item in mod.used:
        if item not in names:
            names.append(item)
    if not names:
        return None  # literals only: constant.py's own shape says it
    bound = ", ".join(f"{n} ({at})" for n, at in names[:6]) + (", …" if len(names) > 6 else "")
    shown = "; ".join("the $where value" if callee == "$where" else f"{callee}()" for callee, _ in calls)
    return (f"constant data: the input of {shown} at {path}:{line} is built only from names bound to literals: {bound}; "
            "no data from outside reaches the sink")
