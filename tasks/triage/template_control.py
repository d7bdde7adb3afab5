"""An "unquoted template variable" that is a control action or sits inside a quoted value: nothing lands unquoted.

Semgrep's generic ``unquoted-attribute-var`` matches ``{{ ... }}`` inside a tag without reading the template language.
miniflux's Go templates write ``<input type="checkbox" {{ if .form.ReadwiseEnabled }}checked{{ end }}>`` and
``aria-label="{{ t "page.feeds.title" }}"`` (held-out set 45, both labellers: false positive, 18 findings): ``if``,
``else`` and ``end`` are control actions that print nothing themselves (only the constant text between them, such as
``checked`` or ``target="_blank"``), and the quotes inside ``{{ t "..." }}`` are the template's own string arguments,
which the rule's pattern took for the attribute's closing quote.

Every ``{{ ... }}`` on the flagged lines is read: with the template's expressions blanked out, the HTML before it
tells its slot (tasks.triage.markup_slots).  A control action (Go's if/else/end/range/with/define/block/break/
continue, a Go comment, Handlebars' ``{{#if}}``/``{{/if}}``/``{{else}}``) may sit anywhere; any expression that
prints must sit inside a quoted attribute value or element text; one that is a single string literal (Jinja's
``{{- ' ' -}}``) prints a constant the template's author wrote.  One that prints into an unquoted value, an
attribute-name position, an event handler, ``style`` or a script keeps the finding.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.markup_slots``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.markup_slots import context

_RULE = re.compile(r"(?i)unquoted-attribute")
_TEMPLATE = (".html", ".htm", ".tmpl", ".gohtml", ".tpl", ".hbs", ".mustache", ".jinja", ".jinja2", ".j2", ".njk", ".twig")
_EXPR = re.compile(r"\{\{(?!\{)([^{}]*)\}\}")  # no brace inside: linear on hostile input (the review of the set-45 change)
# Go's control actions and comments, Handlebars' block helpers and their closings: they print nothing themselves
_CONTROL = re.compile(r"^-?\s*(?:(?:if|else|end|range|with|define|block|break|continue)(?=\s|-?$)|/\*|[#/^])")
# an expression that is one string literal (searxng's Jinja `{{- ' ' -}}` between attributes, set 46): a constant
_LITERAL = re.compile(r"""^[-~+]?\s*(?:'[^'\\]{0,40}'|"[^"\\]{0,40}")\s*[-~+]?$""")
# Jinja's inline if of two literals (whoogle's `{{ 'checked' if config.anon_view else '' }}`, set 49): one of them
_CHOICE = re.compile(r"""^[-~+]?\s*(?:'[^'\\]{0,40}'|"[^"\\]{0,40}")\s+if\s+(?:(?!\b(?:if|else)\b)[^'"{}]){1,120}\s+else\s+"""
                     r"""(?:'[^'\\]{0,40}'|"[^"\\]{0,40}")\s*[-~+]?$""")
BEFORE, MAX_LINE, MAX_EXPRS, MAX_TEXT = 20, 4000, 40, 40000


def _short(expr: str) -> str:
    return expr if len(expr) <= 60 else expr[:54] + " ... }}"


def check_template_control(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "not_unquoted", "evidence"} when no template value on the flagged lines lands in an
    unquoted attribute, else None."""
    f = as_finding(f)
    loc = f.location
    if reader is None or f.kind != "code" or not loc or not loc.start_line or not _RULE.search(str(f.rule_id)) \
            or not str(f.path or "").lower().endswith(_TEMPLATE):
        return None
    lines = finding_lines(reader, f)
    first, last = loc.start_line, min(max(loc.end_line or loc.start_line, loc.start_line), len(lines))
    if not lines or first > len(lines) or any(len(l) > MAX_LINE for l in lines[first - 1:last]):
        return None
    head = "".join(lines[max(0, first - 1 - BEFORE):first - 1])
    if head.rfind("{{") > head.rfind("}}"):
        return None  # an expression opened above and still open: the lines cannot be read alone
    text = head + "".join(lines[first - 1:last])
    if text.rfind("{{") > text.rfind("}}") or len(text) > MAX_TEXT:
        return None
    exprs = [m for m in _EXPR.finditer(text) if m.start() >= len(head)]
    if not exprs or len(exprs) > MAX_EXPRS or text[len(head):].count("{{") != len(exprs):
        return None  # an expression with braces inside: not read
    jinja = "{%" in "".join(lines)  # Jinja, Django, Twig: control is {% %}, every {{ }} prints (`{{ block.super }}`)
    controls, printed, between, constants, choices = [], [], [], [], []
    for i, m in enumerate(exprs):
        body = m.group(1).strip()
        if jinja and _CHOICE.match(body):
            choices.append(m.group(0))
            continue
        if _LITERAL.match(body) and not str(f.path).lower().endswith((".hbs", ".handlebars", ".mustache")):  # there
            # `{{"name"}}` is a literal *reference*: it prints the context's value (the review of set 46)
            constants.append(m.group(0))
            continue
        if _CONTROL.match(body) and not jinja:
            controls.append(m.group(0))
            after = text[m.end():exprs[i + 1].start()].strip() if i + 1 < len(exprs) else ""
            if re.match(r"[A-Za-z]", after) and "<" not in after and after.count('"') % 2 == 0 and after.count("'") % 2 == 0:
                between.append(after)  # `checked`, `target="_blank"`: what the branch prints
            continue
        slot = context(_EXPR.sub("x", text[:m.start()]))  # the template's own quotes never close an attribute
        if slot not in ("attr", "url", "text"):
            return None
        printed.append((m.group(0), slot))
    if not controls and not printed and not constants and not choices:
        return None
    said = [f"`{_short(c)}` prints only its own string literal" for c in dict.fromkeys(constants)][:2]
    said += [f"`{_short(c)}` prints one of its own two string literals" for c in dict.fromkeys(choices)][:2]
    if controls:
        shown, one = ", ".join(f"`{_short(c)}`" for c in dict.fromkeys(controls)), len(set(controls)) == 1
        said.append(f"{shown} {'is a control action' if one else 'are control actions'} of the template, which "
                    f"{'prints nothing itself' if one else 'print nothing themselves'}"
                    + (f" (the branch prints only the constant `{between[0][:40]}`)" if between else ""))
    if printed:
        where = {"attr": "inside a quoted attribute value", "url": "inside a quoted URL attribute", "text": "in element text"}
        said.append("; ".join(f"`{_short(p)}` is {where[s]}" for p, s in list(dict.fromkeys(printed))[:3]))
    return {"check": "code", "status": "not_unquoted",
            "evidence": f"no unquoted value: at {f.path}:{first} " + "; ".join(said) + ", so no template value lands in "
                        "an unquoted attribute, where it could add attributes of its own"}
