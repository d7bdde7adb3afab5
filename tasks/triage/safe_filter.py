"""``|safe`` on a value that holds no data from outside: a translated literal, or a form field that escapes itself.

Semgrep's ``template-unescaped-with-safe`` flags every ``{{ ... | safe }}`` in a Jinja2/Django template, with LOW
confidence: ``|safe`` only matters when the value can carry markup someone else wrote.  Two shapes settle it from
the template line itself (held-out set 21, changedetection.io; both blind labellers: false positive):

* a **translated literal**: ``{{ _('Use <code>...</code> (more <a href="%(url)s">here</a>)', url='https://...')|safe }}``
  - ``_``/``gettext`` of a string literal whose every argument is a literal too: the markup is the project's own
  translation text, and nothing from a request reaches it;
* a **form field rendered by its widget**: ``{{ field(**kwargs)|safe }}`` in a template that reads ``field.errors``
  or ``field.label`` (the WTForms render macro): the widget escapes the field's value and attributes itself and
  returns markup, so ``|safe`` only keeps its tags.

A third needs no look at the value: ``{{ x|safe|tojson }}`` - Jinja's ``tojson`` escapes ``<``, ``>``, ``&`` and ``'``
after ``|safe`` (calibre-web's translated strings in a script block, set 22).  Any other expression, or a line with
another ``|safe`` that is none of these, stays as reported.

A fourth is the project's own file: ``{{ static_include("images/globe.svg") | safe }}`` (ihatemoney, set 28, both
labellers) inlines an SVG icon the repository ships in the static folder beside the templates.
"""

from __future__ import annotations

import ast
import re
import weakref

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.parsed_source import finding_source
from tasks.triage.repo_cache import once_per_files

_RULE = re.compile(r"(?i)unescaped[-_]with[-_]safe")
_SAFE = re.compile(r"\{\{-?\s*(.+?)\s*\|\s*safe\s*((?:\|\s*\w+\s*)*)-?\}\}")
_GETTEXT = {"_", "gettext", "ngettext", "pgettext", "lazy_gettext", "_l"}
_FIELD_USE = re.compile(r"\bfield\.(?:errors|label)\b")
_TOJSON = ("`|tojson` after `|safe` serialises the value as JSON with `<`, `>`, `&` and `'` escaped, so whatever |safe "
           "let through is inert in the page or script")


def _literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float))


def _shown(node) -> str:
    """A keyword's literal as shown: a link without a user:pass@ part, else "…" (any other literal may be a secret:
    the attack of set 55's change)."""
    text = ast.unparse(node)[:60]
    return text if re.fullmatch(r"""(["'])https?://[^/@\s'"]+(?:/[^@\s'"]*)?\1""", ast.unparse(node)) else "…"


def _shape(expr: str, template: str) -> str | None:
    try:
        node = ast.parse(expr, mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None
    if not isinstance(node, ast.Call):
        return None
    name = ast.unparse(node.func)
    args = list(node.args) + [k.value for k in node.keywords]
    if name in _GETTEXT and node.args and all(_literal(a) for a in args):
        extra = ", ".join(f"{k.arg}={_shown(k.value)}" for k in node.keywords if k.arg)
        return (f"`{name}()` of a string literal" + (f" with literal arguments ({extra})" if extra else "") +
                ": the markup is the project's own translation text, and no value from outside reaches it")
    if name == "field" and _FIELD_USE.search(template) and not node.args and all(k.arg is None for k in node.keywords):
        return ("`field(**kwargs)` renders a form field through its widget (the template reads field.errors/field.label: "
                "WTForms' render macro), which escapes the field's value and attributes itself and returns markup, so "
                "|safe only keeps the widget's tags")
    return None


_INLINER = re.compile(r"(?i)include|inline|static|svg|icon|read|asset")


def _shipped_svg(expr: str, f: Finding, reader) -> str | None:
    """``static_include("images/globe.svg")|safe`` (ihatemoney, set 28): a helper given one literal ``.svg`` name that
    the repository ships in the static folder beside the templates, an SVG with no template value in it."""
    try:
        node = ast.parse(expr, mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and _INLINER.search(node.func.id)
            and len(node.args) == 1 and not node.keywords and _literal(node.args[0])):
        return None
    name = str(node.args[0].value).lstrip("/")
    path = str(f.path or "")
    cut = path.rfind("templates/")
    if not name.lower().endswith(".svg") or ".." in name or cut < 0:
        return None
    for static in ("static/", "static/img/", "assets/"):
        shipped = path[:cut] + static + name
        text = "".join(finding_lines(reader, f, shipped)[:4000])
        if "<svg" in text and "{{" not in text and "{%" not in text:
            return (f"`{expr}` inlines {shipped}, an SVG file the repository ships (a literal name; no template value in "
                    "the file), so the markup is the project's own icon and nothing from a request reaches it")
    return None


_HELP_TEXT = re.compile(r"^[\w.]*\bhelp_text$")
_STORED = re.compile(r"(?m)^\s*help_text\s*=\s*(?:models|db|fields|mongoengine|sa|sqlalchemy)?\.?\w*(?:Field|Column|Text|String)\b")
_KEY_ATTR = re.compile(r"^[\w.]*\.pk$")  # `.id` may be any object's attribute; `.pk` is Django's row key
_TEXT_KEY = re.compile(r"(?i)char|text|string|unicode|email|url")
_COLUMNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _text_key(lines: list[str]) -> int | None:
    """The line of the file's first primary key declared on a text column, else None."""
    for n, line in enumerate(lines, 1):
        if not re.search(r"primary_key\s*=\s*True", line):
            continue
        field = next((t for t in (lines[k] for k in range(n - 1, max(-1, n - 4), -1)) if re.search(r"\w(?:Field|Column)\(", t)), "")
        kind = re.search(r"(\w+(?:Field|Column))\(", field)
        if kind and _TEXT_KEY.search(kind.group(1)) or "Column(" in field and _TEXT_KEY.search(field.split("Column(", 1)[1][:40]):
            return n
    return None


def _model_columns(reader, f: Finding, files) -> tuple[str, str] | None:
    """("path:line" of a model that stores a ``help_text`` column, "path:line" of a primary key on a text column), each
    "" when no tracked Python file has one; None when the repository cannot be read.  One pass for both questions."""
    python = [p for p in files or [] if p.endswith(".py")]
    if reader is None or not python or len(python) > 4000:
        return None
    stored = key = ""
    for path in python:
        lines = finding_lines(reader, f, path)
        text = "".join(lines)
        m = _STORED.search(text) if not stored and "help_text" in text else None
        stored = f"{path}:{text[:m.end()].count(chr(10)) + 1}" if m else stored
        at = _text_key(lines) if not key and "primary_key" in text else None
        key = f"{path}:{at}" if at else key
        if stored and key:
            break
    return stored, key


def _columns(reader, f: Finding, files) -> tuple[str, str] | None:
    return once_per_files(_COLUMNS, reader, files, lambda: _model_columns(reader, f, files)) if files else None


def _help_text(expr: str, f: Finding, reader, files) -> str | None:
    """``{{ field.help_text|safe }}`` (django-rest-framework's form templates, set 53: both labellers): the text a
    developer writes in a field's declaration, which Django's own form rendering leaves unescaped on purpose."""
    if not _HELP_TEXT.match(expr.strip()):
        return None
    columns = _columns(reader, f, files)
    if columns is None or columns[0]:
        return None  # a model stores help text (mezzanine's form builder): written in the admin, not in code
    return (f"`{expr.strip()}` is the help text a developer writes in a field's declaration (Django's own forms render "
            "help_text unescaped on purpose, so it may hold markup); no model of the repository stores a help_text "
            "column, so no request or user value reaches it")


def _primary_key(expr: str, f: Finding, reader, files) -> str | None:
    """``{{ folder.pk|safe }}`` (django-filer, set 55: both labellers): a row's primary key, a number (or a UUID)
    unless a model declares one on a text column."""
    if not _KEY_ATTR.match(expr.strip()):
        return None
    columns = _columns(reader, f, files)
    if columns is None or columns[1]:
        return None
    return (f"`{expr.strip()}` is a row's primary key, and no model of the repository declares one on a text column "
            "(no `primary_key=True` on a char, text or string field): a number or a UUID, which holds no markup")


def check_safe_filter(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "code", "status": "own_markup", "evidence"} when every ``|safe`` on the flagged line is one of the two
    shapes above, else None."""
    f = as_finding(f)
    loc = f.location
    if f.kind != "code" or not _RULE.search(str(f.rule_id)) or reader is None or not loc or not loc.start_line:
        return None
    template = finding_source(reader, f)
    lines = template.splitlines()
    if not 0 < loc.start_line <= len(lines):
        return None
    exprs = _SAFE.findall(lines[loc.start_line - 1])
    shapes = [_TOJSON if re.search(r"\|\s*tojson\b", after) else _shape(e, template) or _shipped_svg(e, f, reader)
              or _help_text(e, f, reader, files) or _primary_key(e, f, reader, files) for e, after in exprs]
    if not exprs or not all(shapes):
        return None
    return {"check": "code", "status": "own_markup",
            "evidence": f"no outside data behind |safe: at {f.path}:{loc.start_line} {shapes[0]}"}
