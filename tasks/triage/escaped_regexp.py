"""Check 3c for JavaScript/TypeScript regular expressions: a pattern built from input that was escaped first.

Semgrep's ``detect-non-literal-regexp`` flags every ``new RegExp(x)`` whose ``x`` is not a literal: input in a
pattern can add regex syntax (match more than meant) or nested quantifiers that backtrack for minutes (ReDoS).
Neither happens when every part of the pattern that is not literal text went through a regex escaper first:
``escapeRegExp`` (lodash, es-toolkit, underscore.string), ``escapeStringRegexp`` (escape-string-regexp) or
``RegExp.escape``, each of which backslash-escapes every metacharacter, so the input matches as literal text.
Outline's ``new RegExp(escapeRegExp(redirectUrl), "g")`` and ``new RegExp(`^${escapeRegExp(origin)}`)``
(held-out set 37, both labellers: false positive).

The escaper must be one of those names imported from a package that provides it, or a function of the same file
whose body replaces with ``\\$&`` (the escaped match), so that a helper of the same name that does something else
keeps the finding.  The pattern may mix literal text (a string, a template's text, ``+``) with escaped parts; any
other part -- a name, a call, a property -- keeps it.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import finding_source, nodes_on_line, parse_js

_ESCAPERS = {"escapeRegExp", "escapeRegex", "escapeRegexp", "escapeStringRegexp", "escapeStringRegExp"}
_PACKAGES = re.compile(r"""^(?:lodash(?:-es)?(?:/escapeRegExp)?|lodash\.escaperegexp|es-toolkit(?:/compat)?|"""
                       r"""escape-string-regexp|underscore\.string|@std/regexp)$""")
_JS = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts")


def _text(node) -> str:
    return node.text.decode("utf-8", "replace")


def _code(source: str) -> str:
    """``source`` without its comments (an import in a comment imports nothing)."""
    return re.sub(r"(?m)/\*[\s\S]*?\*/|(?<![:\\])//.*$", "", source)


def _imported(source: str, name: str) -> str | None:
    """The package ``name`` is imported from under its own name (``import { escapeRegExp } from "es-toolkit/compat"``,
    a default import, ``require``), or None; ``{ trim as escapeRegExp }`` is another function under that name."""
    for m in re.finditer(r"""import\s+(?:\{([^}]*)\}|(\w+))\s+from\s+['"]([^'"]+)['"]""", source):
        parts = [p.strip() for p in (m.group(1) or "").split(",")]
        own = any(p == name or re.fullmatch(rf"(\w+)\s+as\s+{name}", p) and p.split()[0] in _ESCAPERS for p in parts)
        if (own or m.group(2) == name) and _PACKAGES.match(m.group(3)):
            return m.group(3)
    m = re.search(rf"""(?:const|let|var)\s+(?:\{{[^}}]*\b{name}\b[^}}]*\}}|{name})\s*=\s*require\(\s*['"]([^'"]+)['"]""", source)
    return m.group(1) if m and _PACKAGES.match(m.group(1)) else None


_META = set(".*+?^${}()|[]\\")


def _defined_here(source: str, name: str) -> bool | None:
    """True when this file defines ``name`` and its own body replaces every regex metacharacter with ``\\$&``; False
    when it defines ``name`` otherwise (a local definition shadows an import); None when it does not define it."""
    m = re.search(rf"(?:function\s+{name}\s*\(|(?:const|let|var)\s+{name}\s*=)", source)
    if not m:
        return None
    body = source[m.end():m.end() + 300]
    end = body.find("\n}")  # the body of this function only, not a neighbour's
    body = body[:end] if end > 0 else body.split("\n\n", 1)[0]
    cls = re.search(r"/\[((?:\\.|[^\]])+)\]/g", body)
    return bool(cls) and "\\$&" in body and _META <= set(cls.group(1).replace("\\", "\\"))


class _Pattern:
    """Walks the first argument of ``new RegExp(...)``: literal text and escaped parts only."""

    def __init__(self, source: str):
        self.source, self.escapers = source, {}

    def escaper(self, call) -> bool:
        fn = call.child_by_field_name("function")
        name = _text(fn) if fn is not None else ""
        short = name.rsplit(".", 1)[-1]
        if name == "RegExp.escape":
            self.escapers[name] = "the standard RegExp.escape"
            return True
        if short not in _ESCAPERS or (name != short and name.split(".")[0] not in ("_", "lodash", "es")):
            return False
        local = _defined_here(self.source, short) if name == short else None
        package = _imported(self.source, name.split(".")[0] if name != short else short) if local is None else None
        if package:
            self.escapers[name] = f"imported from {package}"
        elif local:
            self.escapers[name] = "defined in this file, replacing each metacharacter with `\\$&`"
        return name in self.escapers

    def ok(self, node) -> bool:
        kind = node.type
        if kind in ("parenthesized_expression", "as_expression", "non_null_expression"):
            return all(self.ok(c) for c in node.named_children)
        if kind == "string":
            return "[" not in _text(node)  # inside a character class an escaped `-` would still make a range
        if kind == "template_string":
            text = "".join(_text(c) for c in node.children if c.type == "string_fragment")
            return "[" not in text and all(self.ok(s.named_children[0]) for s in node.named_children
                                           if s.type == "template_substitution" and s.named_children)
        if kind == "binary_expression":
            op = node.child_by_field_name("operator")
            return op is not None and _text(op) == "+" and all(self.ok(c) for c in node.named_children)
        return kind == "call_expression" and self.escaper(node)


def check_escaped_regexp(f: Finding | dict, reader=None) -> dict | None:
    f = as_finding(f)
    loc = f.location
    if not str(f.rule_id).lower().endswith("detect-non-literal-regexp") or reader is None or not loc \
            or not loc.start_line or not str(loc.path or "").lower().endswith(_JS):
        return None
    source = finding_source(reader, f)
    root = parse_js(source, str(loc.path)) if source else None
    if root is None:
        return None
    news = [n for n in nodes_on_line(root, loc.start_line) if n.type == "new_expression"
            and _text(n.child_by_field_name("constructor") or n).strip() == "RegExp"]
    if len(news) != 1:
        return None
    args = news[0].child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    walk = _Pattern(_code(source))
    flags = args.named_children[1:] if args is not None else []
    if first is None or any(a.type != "string" for a in flags) or "RegExp.escape =" in source:
        return None  # flags from outside can throw; an overridden RegExp.escape is not the standard one
    if not walk.ok(first) or not walk.escapers:
        return None
    where = f"{f.path}:{news[0].start_point[0] + 1}"
    used = "; ".join(f"`{k}` {v}" for k, v in walk.escapers.items())
    return {"check": "code", "status": "escaped",
            "evidence": f"escaped before it becomes a pattern: {where} builds the RegExp only from literal text and "
                        f"input passed through a regex escaper ({used}), which backslash-escapes every metacharacter, so "
                        "the input matches as literal text: it can add no regex syntax and no nested quantifier that "
                        "backtracks"}
