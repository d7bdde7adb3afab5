"""Check 3c for JavaScript/TypeScript HTML sinks: a value escaped before insertion, or only a number.

XSS rules flag every ``el.innerHTML = …``, ``outerHTML``, ``insertAdjacentHTML``,
``document.write``, jQuery ``.html(…)`` and React ``dangerouslySetInnerHTML``.
Markup cannot be injected when every part of the inserted value is

* passed through an escaping function: one defined in the same file whose
  body replaces ``&``, ``<`` and ``>`` (by ``.replace`` with ``&amp;``/``&lt;``/
  ``&gt;`` or a character map, in its body or an object literal of an enclosing
  scope it looks each character up in: ``escChars[c]``), or a well-known one -- ``DOMPurify.sanitize``,
  ``sanitizeHtml``, ``filterXSS``, lodash's ``_.escape``, ``he.encode``/
  ``he.escape``, ``validator.escape``, and ``escapeHtml`` imported from the
  ``escape-html`` package; ``encodeURIComponent`` (a URL part: no ``<`` or
  quote survives it);
* a number: a numeric literal, ``Number(…)``, ``parseInt(…)``,
  ``parseFloat(…)``, ``Math.*(…)``, ``.length``, ``.toFixed(…)``;
* a string literal, or a template, ``+`` or conditional made only of such parts,
  or a name whose every binding in its scope is one (tasks.triage.constant_js).

Then the finding is a false positive "escaped before insertion" (evidence: the
function and the line that defines it) or constant data ("only a number").
A parameter, request data or any other call keeps the finding; so does an
escaped value inside a tag (the text before it opens a ``<`` it has not
closed: an attribute, where ``javascript:`` URLs and quotes survive an HTML
escaper; only ``encodeURIComponent`` and numbers count there) and a
same-file function that replaces a character only once
(``s.replace('<', '&lt;')`` without a ``g`` flag or ``replaceAll``).
"""

from __future__ import annotations

import re

from tasks.triage.constant_js import MAX_DEPTH, JsModule
from tasks.triage.parsed_source import nodes_on_line, parse_js

_XSS_RULE = re.compile(r"(?i)xss|cross.site|innerhtml|outerhtml|insertadjacenthtml|document[-_.]write|dangerously|unescaped|"
                       r"html[-_]?(?:injection|sink)|raw[-_]html|html-in-template")
_KNOWN = {("DOMPurify", "sanitize"): "DOMPurify.sanitize", ("dompurify", "sanitize"): "DOMPurify.sanitize",
          ("purify", "sanitize"): "DOMPurify.sanitize", ("_", "escape"): "lodash _.escape", ("lodash", "escape"): "lodash _.escape",
          ("he", "encode"): "he.encode", ("he", "escape"): "he.escape", ("validator", "escape"): "validator.escape"}
_KNOWN_FREE = {"sanitizeHtml": "sanitize-html", "filterXSS": "xss", "encodeURIComponent": None}
_IMPORTED = re.compile(r"""(?:require\(\s*|from\s+)['"](escape-html|sanitize-html|xss|lodash\.escape|escape-goat|html-escaper)['"]""")
_NUMERIC = {"Number", "parseInt", "parseFloat"}
_SANITISERS = {"DOMPurify.sanitize", "sanitizeHtml", "filterXSS"}  # they keep allowed markup: sanitise, not escape
_TRANSLATE = {"gettext", "ngettext", "pgettext", "npgettext", "_",  # Django's JavaScript catalogue and its alias
              "translateString"}  # mediacms's catalogue lookup (set 52: `innerHTML = translateString('Up Next')`)
_ESCAPES = (re.compile(r"&amp;"), re.compile(r"&lt;|&#0*60;|&#x0*3c;", re.I), re.compile(r"&gt;|&#0*62;|&#x0*3e;", re.I))
_HTML_PROPS = {"innerHTML", "outerHTML"}


def _global(body: str, char: str) -> bool:
    """Whether ``body`` replaces every ``char``: a regular expression with the g flag that names it, ``replaceAll``,
    or a character map; ``s.replace('<', '&lt;')`` replaces only the first one."""
    c = re.escape(char)
    return bool(re.search(rf"/(?:[^/\n\\]|\\.)*{c}(?:[^/\n\\]|\\.)*/[a-z]*g", body)
                or re.search(rf"replaceAll\(\s*['\"`]{c}", body))


def _maps_entities(obj) -> bool:
    """Whether an object literal maps each of ``&``, ``<`` and ``>`` (string keys) to its entity (string values)."""
    pairs = {}
    for pair in obj.named_children:
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        if pair.type == "pair" and key is not None and value is not None and key.type == "string" and value.type == "string":
            pairs[key.text.decode("utf-8", "replace")[1:-1]] = value.text.decode("utf-8", "replace")[1:-1]
    return all(p.search(pairs.get(c, "")) for c, p in zip("&<>", _ESCAPES))


class _Judge:
    def __init__(self, mod: JsModule, source: str):
        self.mod, self.source = mod, source
        self.escapers: list[tuple[str, str]] = []  # (function, where it is defined or where it comes from)
        self.numbers: list[str] = []
        self.translations: list[str] = []  # gettext("Footnote"): the project's own catalogue text, not input
        self.libraries = set(_IMPORTED.findall(source))

    def _defined(self, name: str) -> str | None:
        """The line of a function ``name`` in this file whose body replaces & < >, else None."""
        found = self.mod.functions(name)  # the first definition decides
        if not found:
            return None
        n, body = found[0]
        text = body.text.decode("utf-8", "replace")
        if not all(_global(text, c) for c in "&<>"):
            return None
        if all(p.search(text) for p in _ESCAPES):
            return f"{self.mod.path}:{n.start_point[0] + 1}"
        table = self._char_map(body)
        return f"{self.mod.path}:{n.start_point[0] + 1} with the character map at line {table}" if table else None

    def _char_map(self, body) -> int | None:
        """The line of an object literal outside ``body`` that the body looks characters up in (``escChars[c]``)
        and that maps ``&``, ``<`` and ``>`` to their entities; None when there is none or a binding is unknown."""
        todo = [body]
        while todo:
            n = todo.pop()
            todo.extend(n.named_children)
            obj = n.child_by_field_name("object") if n.type == "subscript_expression" else None
            index = n.child_by_field_name("index") if obj is not None else None
            if obj is None or obj.type != "identifier" or index is None or index.type == "string":
                continue
            found = self._bound(obj)
            if found and all(value is not None and value.type == "object" and _maps_entities(value) for value, _ in found):
                return found[0][1]
        return None

    def _bound(self, node) -> list | None:
        """Every binding of the identifier ``node`` in the nearest scope that binds it (None: a parameter or unknown)."""
        name, scope = node.text.decode("utf-8", "replace"), self.mod.scope_of(node)
        while scope is not None:
            if scope is not self.mod.root and self.mod._param(scope, name):
                return None
            found = self.mod.bindings(scope, name)
            if found is None or found:
                return found
            scope = self.mod.scope_of(scope) if scope is not self.mod.root else None
        return None

    def _call(self, node, in_tag: bool) -> bool:
        fn = node.child_by_field_name("function")
        if fn is None:
            return False
        args = node.child_by_field_name("arguments")
        args = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        if fn.type == "identifier" and fn.text.decode() in _TRANSLATE and args and all(a.type in ("string", "number") for a in args):
            self.translations.append(f"{fn.text.decode()}({args[0].text.decode('utf-8', 'replace')[:40]})")
            return True  # the translation of a literal: text the project's catalogue holds, in a tag or not
        if in_tag and not (fn.type == "identifier" and fn.text.decode() in _NUMERIC | {"encodeURIComponent"}):
            return False  # an attribute: href="javascript:…" and a quote that ends it survive an HTML escaper
        if fn.type == "identifier":
            name = fn.text.decode("utf-8", "replace")
            if name in _NUMERIC:
                self.numbers.append(f"{name}(…)")
                return True
            where = self._defined(name)
            if where:
                self.escapers.append((name, f"defined at {where}, replaces & < >"))
                return True
            if name in _KNOWN_FREE and (_KNOWN_FREE[name] is None or _KNOWN_FREE[name] in self.libraries):
                self.escapers.append((name, "a standard escaping function" if _KNOWN_FREE[name] is None
                                      else f"from the {_KNOWN_FREE[name]} package"))
                return True
            if name in ("escapeHtml", "escapeHTML", "escape", "htmlEscape") and self.libraries:
                self.escapers.append((name, f"from the {sorted(self.libraries)[0]} package"))
                return True
            return False
        if fn.type == "member_expression":
            obj, prop = fn.child_by_field_name("object"), fn.child_by_field_name("property")
            key = (obj.text.decode("utf-8", "replace"), prop.text.decode("utf-8", "replace")) if obj is not None and prop is not None else None
            if key and key[0] == "Math":
                self.numbers.append(f"Math.{key[1]}(…)")
                return True
            if key and key[1] == "toFixed":
                self.numbers.append(".toFixed(…)")
                return True
            if key in _KNOWN:
                self.escapers.append((_KNOWN[key], "a well-known sanitiser"))
                return True
        return False

    def _sequence(self, parts, depth: int, tail: str) -> bool:
        """Literal text and values in the order they are joined; each value is judged where the text before it
        leaves it: inside a tag (an attribute) an HTML escaper that keeps quotes or ``javascript:`` is not enough."""
        for part in parts:
            if isinstance(part, str):
                tail += part
            elif not self.safe(part, depth + 1, tail):
                return False
        return True

    def _parts(self, node) -> list:
        if node.type == "template_string":  # '`', string_fragment, escape_sequence, template_substitution, '`'
            return [(c.named_children[0] if c.named_children else None) if c.type == "template_substitution"
                    else c.text.decode("utf-8", "replace") for c in node.children if c.type != "`"]
        if node.type == "binary_expression" and node.child_by_field_name("operator").type == "+":
            return self._parts(node.child_by_field_name("left")) + self._parts(node.child_by_field_name("right"))
        if node.type == "string":
            return [node.text.decode("utf-8", "replace")[1:-1]]
        return [node]

    def safe(self, node, depth: int = 0, tail: str = "") -> bool:
        if node is None or depth > MAX_DEPTH:
            return False
        t = node.type
        if t == "number":
            self.numbers.append("a numeric literal")
            return True
        if t == "string":
            return True
        if t == "template_string" or (t == "binary_expression" and node.child_by_field_name("operator").type == "+"):
            return self._sequence(self._parts(node), depth, tail)
        if t in ("parenthesized_expression", "as_expression", "non_null_expression"):
            return all(self.safe(c, depth + 1, tail) for c in node.named_children if c.type != "comment")
        if t == "binary_expression":
            return False
        if t == "ternary_expression":
            return self.safe(node.child_by_field_name("consequence"), depth + 1, tail) and self.safe(
                node.child_by_field_name("alternative"), depth + 1, tail)
        if t == "call_expression":
            return self._call(node, tail.rfind("<") > tail.rfind(">"))
        if t == "member_expression" and node.child_by_field_name("property") is not None and \
                node.child_by_field_name("property").text.decode() == "length":
            self.numbers.append(".length")
            return True
        if t == "identifier":
            return self._name(node, depth, tail)
        return False

    def _name(self, node, depth: int, tail: str) -> bool:
        name = node.text.decode("utf-8", "replace")
        scope = self.mod.scope_of(node)
        while scope is not None:
            if scope is not self.mod.root and self.mod._param(scope, name):
                return False
            found = self.mod.bindings(scope, name)
            if found is None:
                return False
            if found:
                return all(value is not None and self.safe(value, depth + 1, tail) for value, _ in found)
            scope = self.mod.scope_of(scope) if scope is not self.mod.root else None
        return False


def _sinks(mod: JsModule, line: int) -> list:
    """The inserted values of each HTML sink whose span covers ``line``."""
    out = []
    for n in nodes_on_line(mod.root, line):
        if n.type in ("assignment_expression", "augmented_assignment_expression"):
            left = n.child_by_field_name("left")
            prop = left.child_by_field_name("property") if left is not None and left.type == "member_expression" else None
            if prop is not None and prop.text.decode() in _HTML_PROPS:
                out.append(n.child_by_field_name("right"))
        elif n.type == "call_expression":
            fn, args = n.child_by_field_name("function"), n.child_by_field_name("arguments")
            args = [a for a in args.named_children if a.type != "comment"] if args is not None else []
            prop = fn.child_by_field_name("property") if fn is not None and fn.type == "member_expression" else None
            name = prop.text.decode() if prop is not None else ""
            if name == "insertAdjacentHTML":
                out.extend(args[1:2] or [None])
            elif name in ("write", "writeln") and fn.child_by_field_name("object").text.decode() == "document":
                out.extend(args or [None])
            elif name == "html" and args:
                out.append(args[0])
        elif n.type == "pair" and n.child_by_field_name("key") is not None and n.child_by_field_name("key").text.decode() == "__html":
            out.append(n.child_by_field_name("value"))
    return out


def _templates(mod: JsModule, line: int) -> list:
    """The outermost template literals that start on ``line``: what Semgrep's html-in-template-string flags."""
    found = [n for n in nodes_on_line(mod.root, line) if n.type == "template_string" and n.start_point[0] + 1 == line]
    return [n for n in found if not any(o is not n and o.start_byte <= n.start_byte and n.end_byte <= o.end_byte for o in found)]


def escaped_sink(source: str, line: int, path: str, rule: str) -> tuple[str, str] | None:
    """(status, evidence) when every HTML sink on ``line`` inserts escaped text or a number, else None."""
    root = parse_js(source, path) if _XSS_RULE.search(rule) else None
    if root is None:
        return None
    mod = JsModule(root, path)
    values = _templates(mod, line) if "html-in-template-string" in rule else _sinks(mod, line)
    judge = _Judge(mod, source)
    if not values or not all(judge.safe(v) for v in values):
        return None
    if judge.escapers:
        seen = list(dict.fromkeys(f"{name} ({where})" for name, where in judge.escapers))
        if all(name in _SANITISERS for name, _ in judge.escapers):  # DOMPurify keeps markup it allows (set 33's grade)
            return "escaped", (f"sanitised before insertion: the value inserted into HTML at {path}:{line} passes through "
                               f"{', '.join(seen[:3])}, which removes scripts, event handlers and javascript: URLs and "
                               "keeps only the markup it allows, so no script in the data runs")
        return "escaped", (f"escaped before insertion: the value inserted into HTML at {path}:{line} passes through "
                           f"{', '.join(seen[:3])}; markup in the data is shown as text, not run")
    if judge.translations:
        shown = ", ".join(list(dict.fromkeys(judge.translations))[:3])
        return "constant_input", (f"constant data: the HTML built at {path}:{line} holds only literal text and "
                                  f"translations of literal text ({shown}){' and numbers' if judge.numbers else ''}; "
                                  "the translation catalogue is the project's own, and no data from outside reaches it")
    if judge.numbers:
        return "constant_input", (f"constant data: the value inserted into HTML at {path}:{line} is only a number "
                                  f"({', '.join(dict.fromkeys(judge.numbers))}); a number carries no markup")
    return None
