"""Where each value of a Python-built HTML string lands: element text, a quoted attribute, a URL attribute, or a
place where HTML escaping protects nothing.

``escape()`` turns ``<``, ``>``, ``&`` and quotes into entities, which keeps a value inside element text or inside a
quoted attribute.  It does not help where the browser reads the value as something other than text: a URL
(``href="{escape(v)}"`` still runs ``javascript:``; netbox's custom-field link, held-out set 43), an event handler or
``style``/``srcdoc`` attribute, an unquoted attribute (``title={escape(v)}`` takes `` onmouseover=...``), the
attribute-name position of a tag, or the inside of ``<script>``/``<style>`` (the review of 1620bfe).  ``slots`` maps
each interpolated part of an f-string, of ``"...".format(...)`` (a translated literal's too) or of a ``+`` chain to one
of ``text``, ``attr``, ``url`` or ``unsafe``; None when the template cannot be read (``%`` formatting, a template
held in a variable).  A URL attribute whose value already starts with a scheme other than a script's, a path, a
query or a fragment (``href="mailto:{v}"``) is an ``attr`` slot; ``scheme_checked`` finds the ``if v.startswith("http:")
or ...`` that makes a ``url`` slot safe (django-rest-framework's template tag, held-out set 53).

May import: nothing but the standard library.
"""

from __future__ import annotations

import ast
import re
import string

URL_ATTRS = {"href", "src", "action", "formaction", "poster", "xlink:href", "data", "cite", "background", "ping"}
_GETTEXT = {"_", "gettext", "gettext_lazy", "ugettext", "ugettext_lazy", "pgettext", "pgettext_lazy"}


def _state(before: str) -> tuple[str | None, str | None, str | None]:
    """(tag name, attribute name, open quote) at the end of ``before``: read character by character, so a ``>`` inside
    a quoted attribute value (``title="Go -> site"``) does not close the tag (the review of cc48935).  Outside a tag
    the tag name is None; inside a tag but not in a value, the attribute and quote are None."""
    tag = attr = quote = None
    i, n = 0, len(before)
    while i < n:
        c = before[i]
        if tag is None:
            if before.startswith("<!--", i):
                end = before.find("-->", i + 4)
                if end < 0:
                    return "!--", None, None
                i = end + 3
                continue
            m = _TAG.match(before, i)
            if m:
                tag, attr, quote = m.group(1).lower(), None, None
                i = m.end()
                continue
        elif quote:
            if c == quote:
                quote, attr = None, None
        elif c == ">":
            tag = attr = None
        elif c in "\"'" and attr:
            quote = c
        elif c == "=":
            m = re.search(r"([\w:.-]+)\s*$", before[:i])
            attr = m.group(1).lower() if m else None
        elif not c.isspace() and attr and before[i - 1] in "= \t\n" and before[:i].rstrip().endswith("="):
            return tag, attr, ""  # an unquoted value has begun
        i += 1
    return tag, attr, quote


_TAG = re.compile(r"<([A-Za-z][\w:-]*)")
# a URL value that already starts with a scheme other than a script's, a path, a query or a fragment
_FIXED_START = re.compile(r"(?i)(?!(?:javascript|vbscript|data):)[a-z][a-z0-9+.-]*:|[/?#]")
_ANIMATE = {"animate", "set", "animatemotion", "animatetransform"}  # their values/to/from set another attribute


def context(before: str) -> str:
    """The slot a value takes after the markup ``before``: text, attr, url or unsafe."""
    tag, attr, quote = _state(before)
    if tag == "!--":
        return "attr"  # inside an HTML comment: nothing runs, nothing is a URL
    if tag is not None:
        if not quote or attr is None:
            return "unsafe"  # unquoted, or where an attribute's name goes
        if attr.startswith("on") or attr in ("style", "srcdoc") or tag in _ANIMATE and attr in ("values", "to", "from", "by"):
            return "unsafe"
        if tag == "meta" and attr == "content":
            return "unsafe"  # <meta http-equiv="refresh" content="0;url=...">
        if attr in URL_ATTRS and _FIXED_START.match(before[before.rfind(quote) + 1:]):
            return "attr"  # `href="mailto:{v}"`, `href="/users/{v}"`: the text before it fixes the scheme (set 53)
        return "url" if attr in URL_ATTRS else "attr"
    low = before.lower()
    if low.rfind("<script") > low.rfind("</script") or low.rfind("<style") > low.rfind("</style"):
        return "unsafe"
    return "text"


def _name(node) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _template(node) -> str | None:
    if isinstance(node, ast.Call) and _name(node.func) in _GETTEXT and len(node.args) == 1:
        node = node.args[0]
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def slots(node) -> list[tuple[ast.AST, str]] | None:
    """(part, slot) for each interpolated part of the markup ``node``; None when the template cannot be read."""
    if isinstance(node, ast.JoinedStr):
        out, before = [], ""
        for v in node.values:
            if isinstance(v, ast.FormattedValue):
                out.append((v.value, context(before)))
                before += "x"
            elif isinstance(v, ast.Constant):
                before += str(v.value)
        return out
    if isinstance(node, ast.Call) and _name(node.func) == "format" and isinstance(node.func, ast.Attribute):
        text = _template(node.func.value)
        if text is None:
            return None
        keys = {k.arg: k.value for k in node.keywords if k.arg}
        out, before, auto = [], "", 0
        try:
            fields = list(string.Formatter().parse(text))
        except ValueError:
            return None
        for literal, field, _, _ in fields:
            before += literal
            if field is None:
                continue
            key = field.split(".")[0].split("[")[0]
            value = keys.get(key) if key and not key.isdigit() else None
            if key == "" or key.isdigit():
                index = auto if key == "" else int(key)
                auto += key == ""
                value = node.args[index] if index < len(node.args) else None
            if value is None:
                return None
            out.append((value, context(before)))
            before += "x"
        return out
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts, todo = [], [node]
        while todo:
            n = todo.pop()
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add):
                todo += [n.right, n.left]
            else:
                parts.append(n)
        out, before = [], ""
        for p in parts:
            if isinstance(p, ast.Constant) and isinstance(p.value, str):
                before += p.value
            else:
                out.append((p, context(before)))
                before += "x"
        return out
    return None


_SAFE_STARTS = ("http:", "https:", "/", "mailto:", "#", "?")


def scheme_checked(part, call, tree, used: list, escapers) -> bool:
    """``escape(v)`` in a URL slot of a ``call`` that runs only inside ``if v.startswith("http:") or
    v.startswith("https:") or ...`` (django-rest-framework's ``urlize``-like template tag, set 53): the test lets no
    ``javascript:`` through.  Each conjunct-or-disjunct must be such a ``startswith`` of the same name; ``escapers``
    names the escaping calls (tasks.triage.escaped_py's); the clause said goes to ``used`` as kind "scheme"."""
    inner = part.args[0] if isinstance(part, ast.Call) and _name(part.func) in escapers and len(part.args) == 1 else part
    if not isinstance(inner, ast.Name):
        return False

    def starts(node) -> bool:
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            return all(starts(v) for v in node.values)
        lits = node.args[0] if isinstance(node, ast.Call) and _name(node.func) == "startswith" and isinstance(
            node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and node.func.value.id == inner.id \
            and len(node.args) == 1 else None
        values = [e.value for e in lits.elts] if isinstance(lits, ast.Tuple) and all(isinstance(e, ast.Constant) for e in lits.elts) \
            else [lits.value] if isinstance(lits, ast.Constant) else []
        return bool(values) and all(isinstance(v, str) and v.lower() in _SAFE_STARTS for v in values)

    for n in ast.walk(tree):
        if isinstance(n, ast.If) and any(b.lineno <= call.lineno <= (b.end_lineno or b.lineno) for b in n.body):
            tests = n.test.values if isinstance(n.test, ast.BoolOp) and isinstance(n.test.op, ast.And) else [n.test]
            if any(starts(t) for t in tests):
                used.append(("scheme", f"the link is written only after line {n.lineno} checks that `{inner.id}` starts with "
                             + ", ".join(f"`{v}`" for v in sorted({str(c.args[0].value) for c in ast.walk(n.test) if isinstance(c, ast.Call)
                                                   and _name(c.func) == "startswith" and c.args and isinstance(c.args[0], ast.Constant)}))
                             + ", so no `javascript:` URL gets into it",
                             n.lineno))
                return True
    return False
