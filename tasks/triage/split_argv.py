"""The program of an argument list split from a command line's text, for Bandit's B603 (``tasks.triage.subprocess_argv``).

``cmd = f"gpg --import {path}".split()`` is a list whose first element is the literal's first word: the program is
as fixed as in ``["gpg", "--import", path]``.  Only a text that starts with a literal word and a space counts; a program
taken from a value (``f"{tool} -x"``), or glued to one (``f"gpg{x}"``), does not.

May import: nothing of ``tasks``.
"""

from __future__ import annotations

import ast
import re


def split_program(node) -> str | None:
    """``f"gpg --import {path}".split()`` or ``shlex.split("git rev-parse HEAD")``: the program, the literal's first word
    (django-dbbackup's test helpers, round 67: the row said only "test code"); "" when the text does not start with a
    literal word followed by a space (``f"{tool} -x"``, ``f"gpg{x}"``); None for any other node."""
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Attribute) and node.func.attr == "split" and not node.args and not node.keywords:
        text = node.func.value
    elif ast.unparse(node.func) == "shlex.split" and len(node.args) == 1 and not node.keywords:
        text = node.args[0]
    else:
        return None
    head = text.values[0] if isinstance(text, ast.JoinedStr) and text.values else text
    if not (isinstance(head, ast.Constant) and isinstance(head.value, str)):
        return "" if isinstance(text, ast.JoinedStr) else None
    m = re.match(r"\s*([\w./+-]+)(?:\s|$)", head.value)
    whole = head is text or re.match(r"\s*[\w./+-]+\s", head.value)
    return m.group(1).rsplit("/", 1)[-1] if m and whole else ""
