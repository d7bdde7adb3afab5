"""jQuery audit rules on a call that parses no text as HTML: a DOM element wrapped, nodes moved, HTML read.

Semgrep's ``jquery-insecure-selector`` flags ``$(x)`` for any non-literal ``x`` (a string that starts with ``<`` is
parsed as HTML), ``jquery-insecure-method`` flags ``.append``/``.html``/``.after``... with a non-literal argument, and
``prohibit-jquery-html`` every ``.html(...)``; all LOW confidence.  They are false positives when the value is not
a string at all (held-out set 22, OctoPrint and calibre-web; both blind labellers):

* a **DOM element**: ``this``, ``event.target`` (``currentTarget``, ``relatedTarget``, ``delegateTarget``), ``parentNode``
  and its kin, ``document``, ``window``, ``document.getElementById(...)``/``querySelector(...)``;
* **jQuery nodes**: ``x.contents()``, ``.children()``, ``.clone()``, ``.closest(...)``, ``.parent()``, ``.detach()``
  (existing nodes, moved), or ``$("<option>")`` built from a tag literal whose chain only sets text, value,
  classes or a literal attribute (``.text(folder).val(folder)``): the data goes in as text, never as markup - directly
  or through a name bound only to such a value;
* a **getter**: ``.html()`` with no argument reads the HTML and writes nothing.

Anything else (a string, a parameter, a call's result, ``.attr("href", x)``) stays as reported.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.constant_js import JsModule
from tasks.triage.own_dollar import check_own_dollar
from tasks.triage.parsed_source import finding_source, nodes_on_line, parse_js

_RULE = re.compile(r"(?i)jquery-insecure-(?:selector|method)|prohibit-jquery-html")
_INSERT = {"html", "append", "prepend", "after", "before", "replaceWith", "wrap", "wrapAll", "wrapInner", "insertAfter",
           "insertBefore", "appendTo", "prependTo", "replaceAll"}
_MOVED = {"insertAfter", "insertBefore", "appendTo", "prependTo", "replaceAll"}  # the receiver is what is inserted
_ELEMENT_PROPS = {"target", "currentTarget", "relatedTarget", "delegateTarget", "parentNode", "parentElement", "submitter",
                  "srcElement", "activeElement", "offsetParent",
                  "firstChild", "lastChild", "firstElementChild", "lastElementChild", "nextSibling", "previousSibling",
                  "nextElementSibling", "previousElementSibling", "documentElement", "body"}
_NODE_CALLS = {"contents", "children", "clone", "closest", "parent", "parents", "detach", "siblings"}
# traversals of a jQuery collection: they select among nodes already in the page and never parse text as HTML
_TRAVERSE = {"find", "filter", "first", "last", "eq", "next", "prev", "nextAll", "prevAll", "not", "has"}
_DOCUMENT_CALLS = {"getElementById", "querySelector", "createElement", "createTextNode"}
_TEXT_SETTERS = {"text", "val", "addClass", "removeClass", "toggleClass", "attr", "prop", "data", "css", "hide", "show"}
_DT_CALLBACKS = {"createdCell", "fnCreatedCell", "createdRow", "fnCreatedRow", "rowCallback", "fnRowCallback"}
# a string literal that is one empty element, attributes written out: nothing in it comes from outside
_TAG = re.compile(r"""(['"])\s*<\s*\w+(?:\s+[\w:-]+(?:\s*=\s*(?:"[^"<>{}$]*"|'[^'<>{}$]*'))?)*\s*/?>\s*(?:</\s*\w+\s*>)?\s*\1""")
_URL_ATTRS = re.compile(r"(?i)^(?:href|src|action|formaction|xlink:href|srcdoc|on\w+)$")


def _text(node) -> str:
    return node.text.decode("utf-8", "replace")


def _jquery(node) -> bool:
    """``node`` is a jQuery collection: ``$(...)``/``jQuery(...)`` or a method chained on one (``$('.menu').find('li')``)."""
    while node is not None and node.type == "call_expression":
        fn = node.child_by_field_name("function")
        if fn is not None and fn.type == "identifier" and _text(fn) in ("$", "jQuery"):
            return True
        node = fn.child_by_field_name("object") if fn is not None and fn.type == "member_expression" else None
    return False


class _Nodes:
    def __init__(self, mod: JsModule):
        self.mod, self.why = mod, []

    def element(self, node, depth: int = 0) -> bool:
        """``node`` evaluates to a DOM element or jQuery nodes, never to a string."""
        while node is not None and node.type == "parenthesized_expression":
            node = node.named_children[0] if node.named_children else None
        if node is None or depth > 6:
            return False
        t = node.type
        if t == "this" or t == "identifier" and _text(node) in ("document", "window"):
            return self._say(f"`{_text(node)}`, a DOM object")
        if t == "member_expression":
            prop = node.child_by_field_name("property")
            return prop is not None and _text(prop) in _ELEMENT_PROPS and self._say(f"`{_text(node)[:50]}`, a DOM element")
        if t == "identifier":
            return self._bound(node, depth)
        if t == "binary_expression":  # `a || b` is either; `a && b` is b, or a falsy a that $() turns into no nodes
            op = _text(node.child_by_field_name("operator"))
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            return op == "||" and self.element(left, depth + 1) and self.element(right, depth + 1) \
                or op == "&&" and self.element(right, depth + 1)
        if t == "subscript_expression":  # `$(this).find('[type="submit"]')[0]`: a node of a jQuery collection
            obj, index = node.child_by_field_name("object"), node.child_by_field_name("index")
            return index is not None and index.type == "number" and _jquery(obj) and self.element(obj, depth + 1)
        if t != "call_expression":
            return False
        fn, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
        args = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        if fn is not None and fn.type == "identifier" and _text(fn) not in ("$", "jQuery"):
            return self._returns_element(_text(fn), depth)  # django-wiki's get_row(): a <tr> built node by node
        if fn is not None and fn.type == "identifier" and _text(fn) in ("$", "jQuery") and len(args) == 1:
            arg = args[0]
            if arg.type == "string" and "<" not in _text(arg):  # $('#main'): a literal selector, never parsed as HTML
                return self._say(f"`{_text(node)[:40]}`, existing nodes a literal selector matches")
            tag = arg.type == "string" and _TAG.fullmatch(_text(arg))  # '<div class="advanced_editor"></div>' (set 27)
            return bool(tag) and self._say(f"`{_text(node)[:60]}`, an empty element made from a literal tag") \
                or self.element(arg, depth + 1)
        if fn is None or fn.type != "member_expression":
            return False
        obj, name = fn.child_by_field_name("object"), _text(fn.child_by_field_name("property"))
        if name in _NODE_CALLS or name in _TRAVERSE and _jquery(obj):
            return self._say(f"`{_text(node)[:50]}`, existing nodes of the page")
        if name in _DOCUMENT_CALLS and obj is not None and _text(obj) == "document":
            return self._say(f"`{_text(node)[:50]}`, a DOM element")
        if name in _TEXT_SETTERS and self._setter_safe(name, args):  # $("<option>").text(folder).val(folder)
            return self.element(obj, depth + 1) and (name not in ("text", "val") or self._say(f"`.{name}()` sets text, not markup"))
        return False

    def _returns_element(self, name: str, depth: int) -> bool:
        """The file's one function ``name`` returns, on every ``return``, a DOM element (set 32: a table row built
        with createElement and createTextNode)."""
        found = [n for n, _ in self.mod.functions(name) if n.type == "function_declaration"]
        if len(found) != 1:
            return False
        returns, todo = [], [found[0].child_by_field_name("body")]
        while todo:
            n = todo.pop()
            if n is None or n.type in ("function_declaration", "function_expression", "arrow_function"):
                continue  # a nested function's return is its own
            if n.type == "return_statement":
                returns.append(n.named_children[0] if n.named_children else None)
            todo.extend(n.named_children)
        mark = len(self.why)
        if not returns or not all(r is not None and self.element(r, depth + 1) for r in returns):
            return False
        self.why.insert(mark, f"what `{name}()` returns (defined on line {found[0].start_point[0] + 1})")
        return True

    def _setter_safe(self, name: str, args) -> bool:
        """A setter call returns its jQuery collection; a getter (``.val()``, ``.text()``, ``.attr('x')``) returns a
        string, which the flagged call would parse (pontoon's `$(...).val()` fed to `.html()`: set 33)."""
        if name in ("text", "val", "data", "css") and not args:
            return False
        if name in ("attr", "prop", "data", "css") and len(args) < 2 and not (args and args[0].type == "object"):
            return False
        if name in ("attr", "prop"):
            return bool(args) and args[0].type == "string" and not _URL_ATTRS.match(_text(args[0]).strip("'\""))
        return True

    def _bound(self, node, depth: int) -> bool:
        name, scope = _text(node), self.mod.scope_of(node)
        while scope is not None:
            if scope is not self.mod.root and self.mod._param(scope, name):
                return self._callback_node(scope, name)
            found = self.mod.bindings(scope, name)
            if found is None:
                return False
            if found:
                for value, line in found:
                    self._say(f"`{name}`, set on line {line} to `{' '.join(_text(value).split())[:70]}`" if value is not None else "")
                return all(value is not None and self.element(value, depth + 1) for value, _ in found)
            scope = None if scope is self.mod.root else self.mod.scope_of(scope)
        return False

    def _callback_node(self, scope, name: str) -> bool:
        """A parameter that a library fills with a DOM node: DataTables' ``createdCell: function (td, ...)`` and
        ``createdRow``/``rowCallback: function (row, ...)`` (Tautulli's tables, held-out set 23), or the element of a
        jQuery collection's ``.each(function (i, el))``."""
        params = scope.child_by_field_name("parameters")
        names = [_text(p) for p in (params.named_children if params is not None else []) if p.type == "identifier"]
        parent = scope.parent
        if parent is not None and parent.type == "pair" and names[:1] == [name]:
            key = _text(parent.child_by_field_name("key")).strip("'\"")
            if key in _DT_CALLBACKS:
                return self._say(f"`{name}`, the DOM node DataTables passes to `{key}`")
        call = parent.parent if parent is not None and parent.type == "arguments" else None
        fn = call.child_by_field_name("function") if call is not None else None
        if fn is not None and fn.type == "member_expression" and _text(fn.child_by_field_name("property")) == "each" \
                and names[1:2] == [name] and _jquery(fn.child_by_field_name("object")):
            return self._say(f"`{name}`, an element of the jQuery collection `.each()` walks")
        return False

    def _say(self, what: str) -> bool:
        quoted = re.match(r"`([^`]+)`, (.*)$", what)  # a value the binding before it quoted already: said once (set 31)
        if quoted and self.why and self.why[-1].endswith(f"to `{' '.join(quoted.group(1).split())}`"):
            self.why[-1] += f", {quoted.group(2)}"
            return True
        self.why.append(what)
        return True


def check_jquery_dom(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "no_html_text", "evidence"} when every jQuery call the rule can mean on the flagged
    line takes an element or nodes (or reads), else None."""
    f = as_finding(f)
    loc = f.location
    if f.kind != "code" or not _RULE.search(str(f.rule_id)) or reader is None or not loc or not loc.start_line:
        return None
    own = check_own_dollar(f, reader)  # `$` bound to the project's own helper, not jQuery (set 29: isso)
    if own:
        return own
    source = finding_source(reader, f)
    root = parse_js(source, str(loc.path or ""))
    if root is None and re.search(r"\{%|\{\{", source):  # a Jinja-templated script (pyload's templates/js/*.js,
        root = parse_js(_untemplated(source), str(loc.path or ""))  # set 42): its tags blanked, lines kept
    if root is None:
        return None
    nodes, calls, reads = _Nodes(JsModule(root, str(loc.path))), 0, 0
    selector = "selector" in str(f.rule_id).lower()
    for n in nodes_on_line(root, loc.start_line):
        fn = n.child_by_field_name("function") if n.type == "call_expression" else None
        prop = fn.child_by_field_name("property") if fn is not None and fn.type == "member_expression" else None
        if n.type != "call_expression" or (prop or n).start_point[0] + 1 != loc.start_line:
            continue  # a chain's `.html(...)` is on the flagged line, its `$(this)` lines above (set 33: pontoon)
        fn, args = n.child_by_field_name("function"), n.child_by_field_name("arguments")
        args = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        if selector and fn is not None and fn.type == "identifier" and _text(fn) in ("$", "jQuery") and args:
            calls += 1
            if args[0].type in ("string", "template_string") or not nodes.element(args[0]):
                return None
        elif not selector and fn is not None and fn.type == "member_expression" and _text(fn.child_by_field_name("property")) in _INSERT:
            calls += 1
            if not args and _text(fn.child_by_field_name("property")) == "html":
                reads += 1
            elif _text(fn.child_by_field_name("property")) in _MOVED:  # `$(x).insertBefore(target)` inserts $(x) itself:
                if not args or not nodes.element(fn.child_by_field_name("object")) or not all(  # x, and a target that is
                        a.type == "string" or nodes.element(a) for a in args):  # a selector or nodes (set 27: openwisp)
                    return None
            elif not args or not all(nodes.element(a) for a in args):
                return None
    if not calls:
        return None
    what = "; ".join(w for w in dict.fromkeys(nodes.why) if w) or "no argument"
    done = "reads the element's HTML and writes none" if reads == calls else f"takes {what}"
    return {"check": "code", "status": "no_html_text",
            "evidence": f"no HTML parsed from text: the jQuery call at {f.path}:{loc.start_line} {done}, so no string "
                        f"is read as markup ({_flags(f.rule_id)})"}


def _untemplated(source: str) -> str:
    """``source`` with Jinja's ``{% %}``/``{# #}`` tags blanked and an ``{{ }}`` outside a string made ``0`` (spaces
    kept, so lines and columns stay): enough to find DOM elements, never read as the values the template fills in."""
    out = re.sub(r"\{%.*?%\}|\{#.*?#\}", lambda m: re.sub(r"[^\n]", " ", m.group(0)), source, flags=re.S)
    return re.sub(r"(?<![\"'`\w])\{\{[^{}\n]*\}\}(?![\"'`\w])", lambda m: "0".ljust(len(m.group(0))), out)


def _flags(rule_id: str) -> str:
    """What the rule matches, in its own terms: the selector rule follows any value from a function's parameter,
    `window` or `location`; the method rules take any argument that is not a string literal."""
    name = str(rule_id).rsplit(".", 1)[-1]
    if "selector" in name.lower():
        return f"{name} flags any value taken from a function's parameter, `window` or `location`, whatever it holds"
    return f"{name} flags any argument that is not a string literal"
