"""A link a Flask application builds with ``url_for``: a path of its own routes, never a ``javascript:`` URL.

``url_for("user.profile", username=name)`` returns a path of the application's URL map with every value
percent-encoded into its segment, so no value can choose the link's scheme.  flaskbb's templates write
``href="{{ current_user.url }}"``, ``href="{{ forum.category.url }}"`` and ``{% trans user_url=url_for(...) %}...
<a href="{{ user_url }}">`` (held-out set 49, both labellers: false positive, five findings).  Three shapes are read:

* a name the template binds to ``url_for(...)`` itself: on the flagged lines (a ``{% trans %}``/``{% with %}``
  argument) or in a ``{% set name = url_for(...) %}`` of the file;
* ``{{ obj.url }}`` where ``obj``'s name is a model class's (``current_user`` -> ``User``, ``category`` ->
  ``Category``: exactly one class of the repository by that name defines ``url``) and every return of that
  ``url`` is a ``url_for(...)`` call.  flaskbb's ``Forum.url`` returns ``self.external`` first, so
  ``{{ forum.url }}`` stays a finding;
* ``{{ next_url }}`` where every ``render_template`` of the template passes ``next_url`` a ``url_for(...)`` result
  (tasks.triage.repo_urls' ``views``; microblog, held-out set 51: both labellers false positive, three findings).

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.repo_urls``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines
from tasks.triage.repo_urls import repo_urls

_ATTR = re.compile(r"^\{\{\s*((?:[A-Za-z_]\w*\.)*?([A-Za-z_]\w*))\.url\s*\}\}$")
_NAME = re.compile(r"^\{\{\s*([A-Za-z_]\w*)\s*\}\}$")
_CALL = re.compile(r"^\{\{-?\s*(?:[A-Za-z_]\w*\.)?([A-Za-z_]\w*)\((?:[^(){}]|\([^(){}]*\))*\)\s*-?\}\}$")  # one call, whole


def _bound_here(value: str, lines: list[str], flagged: str) -> bool:
    """Is the template name bound to ``url_for(...)`` on the flagged lines or by a ``{% set %}`` of the file?"""
    name = _NAME.match(value.strip())
    if not name:
        return False
    n = re.escape(name.group(1))
    text = "".join(lines)
    starts = [m.end() for m in re.finditer(rf"(?<![\w.]){n}\s*=(?!=)\s*", flagged)] + [
        len(flagged) + 1 + m.end() for m in re.finditer(rf"\{{%-?\s*set\s+{n}\s*=\s*", text)]
    both = flagged + "\n" + text
    return bool(starts) and all(_only_url_for(both, at) for at in starts) and not re.search(
        rf"\{{%-?\s*(?:for|with)\b[^%]*\b{n}\b", text)


def _only_url_for(text: str, at: int) -> bool:
    """Is the binding's whole value at ``text[at:]`` one ``url_for(...)`` call, ended by a comma or the tag's end?
    (`url_for("a") ~ request.args.next` or `url_for(...) if x else y` is not: set 49's review.)"""
    m = re.match(r"(?:request\.)?url_for\(", text[at:at + 20])
    if not m:
        return False
    depth, i = 0, at + m.end() - 1
    for i in range(at + m.end() - 1, min(len(text), at + 2000)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            break
    return depth == 0 and bool(re.match(r"\s*(?:,|-?%\})", text[i + 1:i + 8]))


def _from_views(value: str, f: Finding, reader, files, lines: list[str]) -> str | None:
    """"`{{ next_url }}` is passed by the view at app/main/routes.py:80 as `url_for(...)`" when every
    ``render_template`` of this template passes that name a ``url_for`` result, the template binds no such name itself
    and no other template includes or extends it (an includer's context would supply the name)."""
    name = _NAME.match(value.strip())
    path = str(f.path or "")
    if not name or not files or "templates/" not in path:
        return None
    template, n = path.rsplit("templates/", 1)[1], re.escape(name.group(1))
    if re.search(rf"\{{%-?\s*(?:set|for|with|macro)\b[^%]*\b{n}\b", "".join(lines)):
        return None
    view = repo_urls(reader, f, files).views.get((template, name.group(1)))
    if not view:
        return None
    root = path.rsplit("templates/", 1)[0] + "templates/"
    others = [p for p in files if p.startswith(root) and p != path and p.endswith((".html", ".htm", ".j2", ".jinja", ".jinja2"))]
    if len(others) > 400 or any(re.search(rf"""\{{%-?\s*(?:include|extends|import|from)\s+["']{re.escape(template)}["']""",
                                          "".join(finding_lines(reader, f, p))) for p in others):
        return None
    return f"`{value.strip()}` is passed by the view at {view[0]}:{view[1]} (and every other that renders it) as `url_for(...)`"


def flask_url(f: Finding, reader, files, values: list[str], lines: list[str], flagged: str) -> str | None:
    """Why every flagged link value is a ``url_for`` path, or None (``lines``: the flagged file's)."""
    said = []
    for value in values:
        if _bound_here(value, lines, flagged):
            said.append(f"`{value.strip()}` is bound to `url_for(...)` in the template itself")
            continue
        call = _CALL.match(value.strip())
        helper = repo_urls(reader, f, files).helpers.get(call.group(1)) if call and files and call.group(1) != "url_for" else None
        if call and (call.group(1) == "url_for" or helper):  # flask-admin's `{{ get_url('.export', **request.args) }}`
            said.append(f"`{value.strip()[:60]}` calls `{call.group(1)}`" + (
                f" ({helper[0]}:{helper[1]}), whose every return is `url_for(...)`" if helper else ""))
            continue
        view = _from_views(value, f, reader, files, lines)
        if view:  # microblog's `href="{{ next_url }}"` (set 51)
            said.append(view)
            continue
        m = _ATTR.match(value.strip())
        if not m or not files:
            return None
        owner = re.sub(r"^(?:current|this|the|my)_", "", m.group(2)).replace("_", "").lower()
        methods = repo_urls(reader, f, files).methods
        cls = [c for c in methods if c.lower() == owner]
        if len(cls) != 1 or not methods[cls[0]] or not methods[cls[0]][2]:
            return None
        path, line, _ = methods[cls[0]]
        said.append(f"`{value.strip()}` is `{cls[0]}.url` ({path}:{line}), whose every return is `url_for(...)`")
    return "; ".join(dict.fromkeys(said)) if said else None
