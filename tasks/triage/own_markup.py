"""HTML written into the DOM from a template literal whose every substitution the code makes itself.

Semgrep's ``insecure-innerhtml``, ``insecure-document-method`` and ``html-in-template-string`` flag markup built
with ``${...}``.  pocketbase's relation diagram writes ``svg.innerHTML = `<marker id="${uniqueId}_arrow1" ...>```
where ``const uniqueId = "erd_" + app.utils.randomString()`` (held-out set 48, both labellers: five findings): the
only value in the markup is an id the script generated, so no outsider puts a tag into the page.  Every
substitution is followed to its bindings with tasks.triage.constant_js (literals, constant expressions, generated
ids); one that is not provably constant keeps the finding.

May import: ``tasks.findings``, ``tasks.triage.constant_js``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.constant_js import JsModule
from tasks.triage.parsed_source import flagged_js, nodes_on_line

_RULE = re.compile(r"(?i)innerhtml|document-method|html-in-template-string|outerhtml|insertadjacenthtml")
_JOINED = {"binary_expression", "ternary_expression", "template_substitution", "augmented_assignment_expression"}


def _markup(root, line: int):
    """The template literal (with a substitution) that the flagged line writes or starts."""
    found = None
    for n in nodes_on_line(root, line):
        value = None
        if n.type == "assignment_expression":
            left = n.child_by_field_name("left")
            prop = left.child_by_field_name("property") if left is not None and left.type == "member_expression" else None
            if prop is not None and prop.text.decode("utf-8", "replace") in ("innerHTML", "outerHTML"):
                value = n.child_by_field_name("right")
                if value is None or value.type != "template_string":
                    return None  # `= `...` + message`, a conditional: the whole value is what is written
        elif n.type == "template_string" and n.start_point[0] + 1 == line and (
                n.parent is None or n.parent.type not in _JOINED):
            value = n
        if value is not None and value.type == "template_string" and found is None and any(
                c.type == "template_substitution" for c in value.named_children):
            found = value
    return found


def check_own_markup(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "constant_input", "evidence"} when the markup's substitutions are all the code's own."""
    f = as_finding(f)
    root = flagged_js(f, reader, _RULE)
    value = _markup(root, f.line) if root is not None else None
    if value is None:
        return None
    mod = JsModule(root, str(f.path))
    if not mod.constant(value):
        return None
    names = list(dict.fromkeys(mod.used))
    if not names:
        return None
    shown = ", ".join(f"`{n}` ({at})" for n, at in names[:4])
    return {"check": "code", "status": "constant_input",
            "evidence": f"the code's own markup: the template at {f.path}:{f.line} interpolates only names bound to "
                        f"literals or to ids the script generates itself ({shown}), so no outsider's text reaches the "
                        "HTML"}
