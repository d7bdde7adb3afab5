"""Whether a module swapped for ``defusedxml`` is also used to build XML, which ``defusedxml`` cannot do.

``defusedxml.ElementTree`` mirrors only the parsing half of ``xml.etree.ElementTree`` (``parse``, ``iterparse``,
``fromstring``, ``XML``, ``XMLParser``, ``tostring``).  Swapping the import of a module the file also builds
elements with (``etree.Element('a')``) makes every such call raise ``AttributeError``: taiga's Markdown mentions
extension imports ElementTree only to build links, and a blind reviewer found the swap breaking every @mention.
So the import swap is refused where the file (or, without it, the code shown) builds XML with the same name.
"""

from __future__ import annotations

import re

_BUILD = ("Element", "SubElement", "Comment", "ProcessingInstruction", "PI", "ElementTree", "TreeBuilder", "dump",
          "indent", "register_namespace", "QName")
# the name an import binds: its alias, else the imported module's own name
_ALIAS = [re.compile(r"^\s*import\s+xml\.etree\.c?ElementTree\s+as\s+(\w+)"),
          re.compile(r"^\s*from\s+xml\.etree\s+import\s+c?ElementTree\s+as\s+(\w+)"),
          re.compile(r"^\s*from\s+xml\.etree\s+import\s+(c?ElementTree)\b"),
          re.compile(r"^\s*import\s+(xml\.etree\.c?ElementTree)\s*$")]


_PACKAGE = re.compile(r"^\s*import\s+(xml\.[\w.]+)\s*$")  # `import xml.dom.minidom` binds the name `xml` itself
_DOM = re.compile(r"^\s*from\s+xml\.dom\s+import\s+(minidom|pulldom)(?:\s+as\s+(\w+))?\s*$")
_DOM_PARSERS = ("parse", "parseString")  # all defusedxml.minidom and defusedxml.pulldom provide


def _other_use(import_line: str, text: str, first_line: int) -> str | None:
    """A use the swap leaves undefined: after ``import defusedxml.minidom`` the name ``xml`` is unbound, so any
    ``xml.dom.minidom.parseString(...)`` fails (ckan's lib/helpers.py, round 36: a NameError at start-up); after
    ``from defusedxml import minidom``, ``minidom.Document()`` does, as defusedxml parses only."""
    package, dom = _PACKAGE.match(import_line), _DOM.match(import_line)
    if package:
        use = re.compile(r"(?<![\w.])(xml\.[\w.]+)")
    elif dom:
        alias = dom.group(2) or dom.group(1)
        use = re.compile(rf"(?<![\w.])({re.escape(alias)}\.(?!(?:{'|'.join(_DOM_PARSERS)})\b)\w+)")
    else:
        return None
    for n, line in enumerate(text.splitlines(), start=first_line):
        code = line.split("#", 1)[0]
        if re.match(r"\s*(?:import|from)\s", code):
            continue
        m = use.search(code)
        if m:
            return f"{m.group(1)} (line {n})"
    return None


def builds_xml(import_line: str, text: str, first_line: int = 1) -> str | None:
    """``"etree.Element (line 75)"`` when ``text`` (whose first line is file line ``first_line``) builds XML with
    the module ``import_line`` imports, or uses it in any other way the swap to defusedxml would break, else None."""
    alias = next((m.group(1) for m in (rx.match(import_line) for rx in _ALIAS) if m), None)
    if not alias:
        return _other_use(import_line, text, first_line)
    # a call, or any other use of the name (`-> ET.Element`, `isinstance(x, ET.Element)`): defusedxml has no such
    # attribute, and an annotation is evaluated when the function is defined (bookwyrm's isni.py, round 28)
    use = re.compile(rf"(?<![\w.]){re.escape(alias)}\.({'|'.join(_BUILD)})\b")
    for n, line in enumerate(text.splitlines(), start=first_line):
        m = use.search(line.split("#", 1)[0])
        if m:
            return f"{alias}.{m.group(1)} (line {n})"
    return None
