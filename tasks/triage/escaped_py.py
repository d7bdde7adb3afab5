"""Check 3c for Python HTML sinks: ``mark_safe``/``Markup`` of text that is already escaped or a literal.

Bandit B308/B703 and Semgrep's Django/Flask rules flag every ``mark_safe(x)``,
``Markup(x)`` and ``SafeString(x)``: the template engine then inserts ``x`` without
escaping it.  Markup cannot be injected when every part of ``x`` is

* a string literal;
* the result of an escaping or encoding function: Django's ``escape``,
  ``conditional_escape``, ``format_html``, ``urlencode``; the standard library's
  ``html.escape`` (quotes escaped by default), ``urllib.parse.quote``,
  ``quote_plus`` and ``urlencode``; markupsafe's ``escape``; a QueryDict's
  ``.urlencode()`` (percent-encodes ``<``, ``>`` and quotes);
* a translated literal (``_('Number of child categories')``: the project's own catalogue, whose translators are
  trusted as blocktrans's are), a ``.count()`` (a number) or arithmetic of numbers;
* or a name the enclosing function binds once, to such a part, or a module constant bound once to a literal.

Joined by ``+``, an f-string, ``%``/``.format`` or ``sep.join(...)`` of such parts (a literal or
``mark_safe("<br/>")`` separator, a generator of ``format_html`` rows).  Django's ``HttpResponse(content, ...)`` is
judged the same way for Semgrep's ``direct-use-of-httpresponse`` (ArchiveBox's 404 pages, held-out set 24).  Then the
finding is a false positive "escaped before insertion", with the escaping
call and its line.  A parameter, a request value or any other call keeps it.
"""

from __future__ import annotations

import ast
import re

from tasks.triage.absolute_urls import judged
from tasks.triage.markup_slots import scheme_checked, slots
from tasks.triage.html_sanitisers import imported_from as _imported_from, sanitiser_call, uses_bleach
from tasks.triage.parsed_source import enclosing_function, parsed_tree, partial_tree
from tasks.triage.rendered_html import appended, grouped, rendered
from tasks.triage.settings_values import settings_getter

_XSS_RULE = re.compile(r"(?i)^B308$|^B703$|xss|mark[-_]?safe|safe[-_]?string|markup|html[-_]?safe")
_SINKS = {"mark_safe", "Markup", "SafeString", "SafeText"}
_ESCAPERS = {"escape", "conditional_escape", "format_html", "urlencode", "quote", "quote_plus", "escape_uri_path",
             "iri_to_uri", "urlquote", "urlquote_plus"}
# a translated literal: the catalogue is the project's own, its translators are trusted (as blocktrans's are)
_GETTEXT = {"_", "gettext", "gettext_lazy", "ugettext", "ugettext_lazy", "pgettext", "pgettext_lazy", "ngettext"}
MAX_DEPTH = 3
# a model's primary key (an integer or UUID) and a language code (one of settings.LANGUAGES): no markup
_DISPLAY = re.compile(r"^get_\w+_display$")
_FILTERS = {"date", "time", "timesince", "timeuntil", "naturaltime", "naturalday", "intcomma", "filesizeformat"}
_CODE_ATTR = re.compile(r"^(?:pk|language|language_code|LANGUAGE_CODE)$")


def _name(node) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _bound_part(node):
    """What a statement binds: a loop's or a ``with``'s target, not the names its body binds (set 34: ``indent`` set in
    a ``for`` body counted twice, as the loop and as its assignment)."""
    if isinstance(node, ast.For):
        return node.target
    if isinstance(node, ast.With):
        return ast.Tuple(elts=[i.optional_vars for i in node.items if i.optional_vars is not None], ctx=ast.Store())
    return node


def _bound_value(bind, name: str):
    """The value ``bind`` gives ``name``: ``name = v``, or its element of ``a, name = x, v``; None for anything else."""
    if not isinstance(bind, ast.Assign) or len(bind.targets) != 1:
        return None
    target, value = bind.targets[0], bind.value
    if isinstance(target, ast.Name):
        return value
    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
        return next((v for t, v in zip(target.elts, value.elts) if isinstance(t, ast.Name) and t.id == name), None)
    return None




def _escaped(node, scope, tree, depth: int, used: list) -> bool:
    """``used`` gathers (kind, what, line): kind "escaper" for an escaping call, "plain" for a translated literal or a
    number; ``tree`` is the module, where module constants are looked up."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (str, int, float))
    if isinstance(node, ast.Call):
        name = _name(node.func)
        if name in _ESCAPERS and not _foreign(node.func, tree):
            used.append(("escaper", ast.unparse(node.func) + "()", node.lineno))
            return True
        if name == "clean" and sanitiser_call(node, tree):  # bleach/nh3 with a safe allow-list (linkding's markdown: set 45)
            used.append(("escaper", f"{ast.unparse(node.func)}() (an allow-list HTML sanitiser)", node.lineno))
            return True
        if name == "diff_prettyHtml" and isinstance(node.func, ast.Attribute) and "diff_match_patch" in ast.unparse(tree)[:20000]:
            used.append(("escaper", f"{ast.unparse(node.func)}() (diff-match-patch writes every chunk with &, < and > "
                                    "escaped, inside its own <ins>/<del>/<span> tags)", node.lineno))
            return True  # django-import-export's import preview (set 56: both labellers, three findings)
        if name == "linkify" and len(node.args) == 1 and uses_bleach(tree):  # bleach's linkify escapes the text it links
            return _escaped(node.args[0], scope, tree, depth, used)
        if name in _GETTEXT and node.args and all(isinstance(a, ast.Constant) for a in node.args):
            used.append(("plain", f"translated literal {ast.unparse(node.func)}()", node.lineno))
            return True
        if _DISPLAY.match(name) and isinstance(node.func, ast.Attribute) and not node.args and not node.keywords:
            used.append(("plain", f"`{ast.unparse(node)[:50]}`, a choice label the model declares", node.lineno))
            return True  # Django's get_FOO_display(): the label of the field's choices, written by the developers
        if name == "reverse" and isinstance(node.func, ast.Name) and node.args and isinstance(node.args[0], ast.Constant):
            used.append(("plain", f"a URL path `{ast.unparse(node)[:60]}` builds from the project's URL patterns (its "
                                  "arguments percent-encoded: no <, > or \")", node.lineno))
            return True
        if isinstance(node.func, ast.Name) and name in _FILTERS and _imported_from(tree, name, "django."):
            used.append(("plain", f"a value formatted by Django's `{name}` filter, `{ast.unparse(node)[:50]}`", node.lineno))
            return True
        if name == "get_absolute_url" and isinstance(node.func, ast.Attribute) and not node.args and not node.keywords:
            used.append(("url_method", f"`{ast.unparse(node)[:60]}`, the object's own URL path", node.lineno))
            return True
        if name == "count" and isinstance(node.func, ast.Attribute) and not node.args and not node.keywords:
            used.append(("plain", f"a number, `{ast.unparse(node)[:60]}`", node.lineno))  # QuerySet.count(): an int
            return True
        if name in ("int", "float", "round", "len", "abs") and isinstance(node.func, ast.Name):  # a number
            used.append(("plain", f"a number, `{ast.unparse(node)[:60]}`", node.lineno))
            return True
        if name == "str" and isinstance(node.func, ast.Name) and len(node.args) == 1:  # str() of a number or literal
            return _escaped(node.args[0], scope, tree, depth, used)
        said = settings_getter(node, tree)  # django-axes' HttpResponse(get_lockout_message()) (set 57: both labellers)
        if said:
            used.append(("plain", said, node.lineno))
            return True
        if name in _SINKS and len(node.args) == 1 and isinstance(node.args[0], ast.Constant):  # mark_safe("<br/>")
            return isinstance(node.args[0].value, str)
        if name == "join" and isinstance(node.func, ast.Attribute) and len(node.args) == 1:  # "<br/>".join(rows)
            items = node.args[0]
            parts = [items.elt] if isinstance(items, (ast.GeneratorExp, ast.ListComp)) else \
                list(items.elts) if isinstance(items, (ast.List, ast.Tuple)) else appended(items, scope)  # bits.append
            return parts is not None and all(_escaped(p, scope, tree, depth, used)
                                             for p in [node.func.value, *parts])
        if name == "format" and isinstance(node.func, ast.Attribute):
            parts = [node.func.value, *node.args, *[k.value for k in node.keywords]]
            return all(_escaped(p, scope, tree, depth, used) for p in parts)
        return rendered(node, scope, tree, lambda p, s, d: _escaped(p, s, tree, d, used), depth, used)  # round 63
    if rendered(node, scope, tree, None, depth, used):  # a bound field, its errors (django-mptt's admin list)
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and isinstance(node.left, ast.Constant) \
            and isinstance(node.left.value, str):  # "&nbsp;&nbsp;" * (page.depth - 1): a literal repeated (set 34)
        used.append(("plain", f"a literal repeated, `{ast.unparse(node)[:60]}`", node.lineno))
        return True
    if isinstance(node, ast.Attribute) and _CODE_ATTR.match(node.attr):  # page_content.language, obj.pk (set 34)
        used.append(("plain", f"`{ast.unparse(node)[:60]}`, a primary key or language code", node.lineno))
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Sub, ast.Mult, ast.Div, ast.FloorDiv)):  # arithmetic
        return _escaped(node.left, scope, tree, depth, used) and _escaped(node.right, scope, tree, depth, used)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        right = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        return _escaped(node.left, scope, tree, depth, used) and all(_escaped(r, scope, tree, depth, used) for r in right)
    if isinstance(node, ast.BoolOp):  # `self.get_action_display() or "Unknown"` (peering-manager, set 35)
        return all(_escaped(v, scope, tree, depth, used) for v in node.values)
    if isinstance(node, ast.IfExp):  # `"&uarr; " if end > start else "&darr; "` (shynet, set 30)
        return _escaped(node.body, scope, tree, depth, used) and _escaped(node.orelse, scope, tree, depth, used)
    if isinstance(node, ast.JoinedStr):
        return all(_escaped(v.value if isinstance(v, ast.FormattedValue) else v, scope, tree, depth, used) for v in node.values)
    if isinstance(node, ast.Name) and depth < MAX_DEPTH and scope is not None:
        args = {a.arg for a in ast.walk(scope.args) if isinstance(a, ast.arg)}
        binds = [n for n in ast.walk(scope) if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For,
                                                              ast.With, ast.NamedExpr))
                 and any(isinstance(t, ast.Name) and t.id == node.id and isinstance(t.ctx, ast.Store)
                         for t in ast.walk(_bound_part(n)))
                 and not (isinstance(n, ast.Assign) and node in set(ast.walk(n.value)))]  # `html = mark_safe(html)` binds after
        if not binds and node.id not in args:  # a module constant: bound once, at top level, to a literal
            top = [n for n in tree.body if isinstance(n, ast.Assign)
                   and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets)]
            return len(top) == 1 and isinstance(top[0].value, ast.Constant) and isinstance(top[0].value.value, str)
        values = [_bound_value(b, node.id) for b in binds]  # `icon, colour = "check", "success"` (set 35) counts
        if node.id not in args and len(binds) > 1 and all(  # `classes = "icon-true"` / else `"icon-false"` (set 26),
                v is not None and _escaped(v, scope, tree, depth + 1, used) for v in values):  # or each bound to such a
            plain = all(isinstance(v, ast.Constant) for v in values)  # part (set 30: shynet)
            used.append(("choice", f"`{node.id}`, " + (f"one of {len(binds)} literals" if plain else
                                   f"bound {len(binds)} times, only to literals or numbers") + " (lines "
                                   f"{', '.join(str(b.lineno) for b in binds[:4])})", binds[0].lineno))
            return True
        if node.id in args and len(binds) == 1 and values[0] is not None and _dominates(scope, binds[0], node.lineno) \
                and not _shadowed(scope, node.id):
            used.append(("rebound", f"`{node.id}`, rebound on line {binds[0].lineno} before its use", binds[0].lineno))
            return _escaped(values[0], scope, tree, depth + 1, used)  # `value = conditional_escape(value)` (set 43)
        if node.id in args or len(binds) != 1 or values[0] is None:
            return False
        return _escaped(values[0], scope, tree, depth + 1, used)
    return False


_NOT_HTML = {"re", "regex", "shlex", "pipes", "glob", "fnmatch", "json", "sqlite3"}  # re.escape, shlex.quote: no HTML


def _foreign(func, tree) -> bool:
    """An escaper's name from a module that escapes for something else than HTML (``re.escape``, ``shlex.quote``)."""
    if isinstance(func, ast.Attribute):
        return ast.unparse(func.value) in _NOT_HTML
    return any(isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] in _NOT_HTML
               and any((a.asname or a.name) == _name(func) for a in n.names) for n in ast.walk(tree))


def _shadowed(scope, name: str) -> bool:
    """Does a comprehension, a lambda or a ``match`` case of the function bind ``name`` again (its own ``value``)?"""
    for n in ast.walk(scope):
        if isinstance(n, ast.comprehension) and any(isinstance(t, ast.Name) and t.id == name for t in ast.walk(n.target)):
            return True
        if isinstance(n, ast.Lambda) and name in {a.arg for a in ast.walk(n.args) if isinstance(a, ast.arg)}:
            return True
        if isinstance(n, (ast.MatchAs, ast.MatchStar)) and n.name == name or isinstance(n, ast.MatchMapping) and n.rest == name:
            return True
    return False


def _dominates(scope, bind, line: int) -> bool:
    """Is ``bind`` a plain assignment that runs before ``line`` on every path: a statement of the same block as the
    statement holding ``line``, or of a block around it, and before it?"""
    if not isinstance(bind, ast.Assign):
        return False
    for block in (getattr(n, field, None) for n in ast.walk(scope) for field in ("body", "orelse", "finalbody")):
        if isinstance(block, list) and bind in block:
            rest = block[block.index(bind) + 1:]
            return any(s.lineno <= line <= (s.end_lineno or s.lineno) for s in rest)
    return False


def _url_safe(node) -> bool:
    """A URL the project itself builds: ``obj.get_absolute_url()`` (checked against the repository's definitions) or
    ``reverse("name", ...)``."""
    return isinstance(node, ast.Call) and (
        _name(node.func) == "get_absolute_url" and isinstance(node.func, ast.Attribute) and not node.args
        or _name(node.func) in ("reverse", "reverse_lazy") and bool(node.args) and isinstance(node.args[0], ast.Constant))


# a value placed where the browser reads a URL: HTML escaping keeps it in the attribute, not out of `javascript:`
_URL_SLOT = re.compile(r"""(?i)\b(?:href|src|action|formaction|poster|xlink:href|data)\s*=\s*\\?["']?(?:\{|%s|%\(|['"]\s*\+)""")
_RISKY = re.compile(r"""(?i)\bon\w+\s*=|\b(?:style|srcdoc)\s*=|<script|<style|=\s*\{""")  # where escaping protects nothing


def _reversed_urls(sources) -> str | None:
    """tasks.triage.absolute_urls' judgement over ``sources()`` (path -> text of the repository's Python files)."""
    try:
        texts = sources() if callable(sources) else None
    except Exception:  # noqa: BLE001 - no sources: no evidence
        return None
    return judged((texts or {}).values()) if texts else None


def escaped_sink(source: str, line: int, rule_text: str, sources=None) -> dict | None:
    """{"check": "code", "status": "escaped", "evidence"} when the flagged mark_safe/Markup call on ``line`` wraps
    only escaped or literal text, else None."""
    if not _XSS_RULE.search(rule_text or ""):
        return None
    try:
        tree = parsed_tree(source, len(source))[0]  # the file's shared parse (tasks.triage.parsed_source)
    except (SyntaxError, ValueError, RecursionError):
        tree = partial_tree(source)  # a view this Python cannot parse is left out; the flagged one must be in
        if tree is None:
            return None
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.lineno <= line <= (n.end_lineno or n.lineno)
             and (_name(n.func) in _SINKS and len(n.args) == 1 and not n.keywords
                  or re.fullmatch(r"HttpResponse(?:Forbidden|BadRequest|NotFound|NotAllowed|Gone|ServerError)?", _name(n.func))
                  and len(n.args) >= 1 and "httpresponse" in rule_text.lower()  # django-cms's 403s (set 34)
                  and all(k.arg in ("content_type", "status", "headers", "charset") for k in n.keywords))]
    if len(calls) != 1:
        return None
    used: list = []
    scope = enclosing_function(tree, line)
    if not _escaped(calls[0].args[0], scope, tree, 0, used) or not used:
        return None
    seen = list(dict.fromkeys(used))
    escapers = [f"{what} (line {n})" for kind, what, n in seen if kind == "escaper"]
    methods = [what for kind, what, n in seen if kind == "url_method"]
    reversed_urls = _reversed_urls(sources) if methods else None
    if methods and not reversed_urls:
        return None  # get_absolute_url() may return a stored URL
    placed = slots(calls[0].args[0])
    if placed is None:  # `%` formatting, a template in a variable: only where no slot is risky
        if (escapers or methods) and (_URL_SLOT.search(ast.unparse(calls[0].args[0])) or _RISKY.search(ast.unparse(calls[0].args[0]))):
            return None
    elif any(where == "unsafe" and not isinstance(part, ast.Constant) or where == "url" and not _url_safe(part)
             and not scheme_checked(part, calls[0], tree, used, _ESCAPERS) for part, where in placed):  # escape() leaves `javascript:` whole (netbox's `<a href="{escape(value)}">`,
        return None  # set 43: a true positive), and protects nothing unquoted or in an event handler
    seen = [(("plain" if kind == "url_method" else kind), what, n) for kind, what, n in dict.fromkeys(used)]
    schemes = "".join(f"; {what}" for kind, what, n in seen if kind == "scheme")  # a URL slot's scheme check
    others = [f"{what} (line {n})" for kind, what, n in seen if kind == "plain"]
    texts = [o for o in others if re.search(r"(?<![\w.])(?:_|gettext|ngettext|pgettext|gettext_lazy|_l)\(", o)]
    kinds = " and ".join(k for k, hit in (("the project's own translation catalogue", texts),
                                           ("a number", any("a number" in o for o in others))) if hit)
    choices = [what for kind, what, n in seen if kind == "choice"] + grouped(
        [(what, n) for kind, what, n in seen if kind == "rendered"])  # escaped where it was made (round 63)
    cleaned = any("sanitiser" in e for e in escapers)  # bleach/nh3 keep allow-listed markup, escaping or dropping the rest
    parts = ([f"the output of {', '.join(escapers)}, which " + ("keeps only the tags and attributes its allow-list names"
              if cleaned else "escapes or percent-encodes <, > and quotes" if not all("diff-match-patch" in e for e in escapers)
              else "leaves no < or > of the compared text unescaped")] if escapers else []) \
        + ([f"{'; '.join(others)}" + (f" ({kinds}: no markup from outside)" if kinds else "")] if others else []) + choices
    lead = "escaped before insertion" if escapers or any(k == "rendered" for k, _, _ in seen) else "constant data"  # round 28: nothing was escaped in a translation
    return {"check": "code", "status": "escaped",
            "evidence": f"{'sanitised before insertion' if cleaned else lead}: {_name(calls[0].func)}() at line "
                        f"{calls[0].lineno} wraps only {'' if cleaned else 'literal text and '}{' and '.join(parts)}{f' ({reversed_urls})' if reversed_urls else ''}{schemes}; "
                        "no markup can be injected"}
