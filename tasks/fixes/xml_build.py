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
_ALIAS = [re.compile(r"^\s*import\s+xml\.etree\.c?ElementTree\s+as\s+(\w+)"),
          re.compile(r"^\s*from\s+xml\.etree\s+import\s+c?ElementTree(?:\s+as\s+(\w+))?"),
          re.compile(r"^\s*import\s+(xml\.etree\.c?ElementTree)\s*$")]


def builds_xml(import_line: str, text: str) -> str | None:
    """``"etree.Element (line 75)"`` when ``text`` builds XML with the module ``import_line`` imports, else None."""
    alias = None
    for rx in _ALIAS:
        m = rx.match(import_line)
        if m:
            alias = m.group(1) or "ElementTree"
            break
    if not alias:
        return None
    use = re.compile(rf"(?<![\w.]){re.escape(alias)}\.({'|'.join(_BUILD)})\s*\(")
    for n, line in enumerate(text.splitlines(), start=1):
        m = use.search(line.split("#", 1)[0])
        if m:
            return f"{alias}.{m.group(1)} (line {n})"
    return None
