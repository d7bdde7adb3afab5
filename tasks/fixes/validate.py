"""Checks a computed diff must pass before it becomes a training row.

A scanner's fix can be wrong for the code at hand (Semgrep's
``use-defused-xml`` regex turns ``from xml.dom import NamespaceErr`` into an
import of ``defusedxml.dom``, a module that does not exist).  So a Python
result must still parse (when the original did - snippets are often
fragments) and may not import a submodule that its installed package lacks.
"""

from __future__ import annotations

import importlib.util
import re

from tasks.fixes.patch_check import patched_code_parses
from tasks.fixes.patches import Code

_IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\b|import\s+([\w.]+))", re.M)


def _module_missing(name: str) -> bool:
    top = name.split(".")[0]
    try:
        if importlib.util.find_spec(top) is None:
            return False  # not installed here: cannot tell, do not reject
        return importlib.util.find_spec(name) is None
    except (ImportError, ValueError):
        return True


_PAIRS = {"(": ")", "[": "]", "{": "}"}


def _balance(text: str) -> dict[str, int]:
    text = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', "", text)  # ignore brackets inside strings
    return {o: text.count(o) - text.count(c) for o, c in _PAIRS.items()}


def _changed(before: list[str], after: list[str]) -> tuple[str, str]:
    import difflib

    old, new = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after).get_opcodes():
        if tag != "equal":
            old += before[i1:i2]
            new += after[j1:j2]
    return "\n".join(old), "\n".join(new)


def _looks_broken(before: Code, after: list[str]) -> bool:
    """Cheap checks for languages without a parser here: brackets stay balanced, no ``;;`` appears."""
    old, new = _changed(before.lines, after)
    if _balance(old) != _balance(new):
        return True
    return bool(re.search(r";\s*;\s*$", new, re.M)) and not re.search(r";\s*;\s*$", old, re.M)


def diff_is_sound(language: str | None, before: Code, after: list[str] | None) -> bool:
    if not after:
        return False
    if language != "python":
        return not _looks_broken(before, after)
    old_text, new_text = before.text, "\n".join(after) + "\n"
    if not patched_code_parses("python", old_text, new_text):
        return False
    old_imports = set(_IMPORT.findall(old_text))
    for groups in _IMPORT.findall(new_text):
        if groups in old_imports:
            continue
        name = groups[0] or groups[1]
        if _module_missing(name):
            return False
    return True
