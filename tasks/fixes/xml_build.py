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


def builds_xml(import_line: str, text: str, first_line: int = 1) -> str | None:
    """``"etree.Element (line 75)"`` when ``text`` (whose first line is file line ``first_line``) builds XML with
    the module ``import_line`` imports, else None."""
    alias = next((m.group(1) for m in (rx.match(import_line) for rx in _ALIAS) if m), None)
    if not alias:
        return None
    # a call, or any other use of the name (`-> ET.Element`, `isinstance(x, ET.Element)`): defusedxml has no such
    # attribute, and an annotation is evaluated when the function is defined (bookwyrm's isni.py, round 28)
    use = re.compile(rf"(?<![\w.]){re.escape(alias)}\.({'|'.join(_BUILD)})\b")
    for n, line in enumerate(text.splitlines(), start=first_line):
        m = use.search(line.split("#", 1)[0])
        if m:
            return f"{alias}.{m.group(1)} (line {n})"
    return None
