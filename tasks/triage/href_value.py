"""``var-in-href``: a template value in a link, where a ``javascript:`` URL would run script (held-out set 39).

The rule (Semgrep's generic ``html-templates`` one and its EJS/Pug twins) flags every ``href="{{ value }}"``; its
own message names the two ways the value cannot choose the link's scheme, and the check looks for them in the
file and the repository:

* **a literal start**: ``href="/{{ x }}"``, ``href="#{{ x }}"``, ``href="https://host/{{ x }}"`` -- the scheme
  is fixed before the first value (the rule's advice: "prepend a slash '/' to the variable");
* **Go's html/template**: it escapes by context and, for a value that starts a URL attribute, replaces any URL
  whose scheme is not http, https or mailto with ``#ZgotmplZ``.  The engine is the one a Go file that names the
  template's folder imports (listmonk's cmd/init.go parses ``/static/email-templates/*.html`` with html/template);
  only a string naming the file itself or a glob that matches it counts, and a Go file that names it and imports
  text/template as well, or no such Go file, keeps the finding.

* **the object's own URL**: ``{{ obj.get_absolute_url }}`` where every definition returns ``reverse()``
  (tasks.triage.repo_urls; wger, set 44), or a Flask ``url_for`` path (tasks.triage.flask_urls; flaskbb, set 49).

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.flask_urls``, ``tasks.triage.repo_urls``.
"""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.flask_urls import flask_url
from tasks.triage.repo_urls import repo_urls

# the attribute's whole value: to its own closing quote (`href="{{ get_url('.x', id=1) }}"` holds single quotes)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"?|'([^']*)'?|([^\s"'>]+))""", re.I)
# a static site's or an application's own address setting, then a path (a request value could be `javascript:x//`)
_SITE_START = re.compile(r"^\{\{-?\s*(SITE_?URL|(?:SITE|BASE|ROOT|APP|HOME|PUBLIC|SERVER|STATIC|MEDIA)_URL)\s*-?\}\}/")
_USERINFO = re.compile(r"//[^/@{}<>\s]*@")
_FIXED = re.compile(r"^(?:/|#|\?|\./|\.\./|https?://[^/{}<>\s]+|mailto:)")
_MAX_GO = 2000


def _values(lines: list[str], loc) -> list[str]:
    text = "".join(lines[loc.start_line - 1:max(loc.end_line or loc.start_line, loc.start_line)])
    found = [next(g for g in m.groups() if g is not None) for m in _HREF.finditer(text) if any(g is not None for g in m.groups())]
    return [v for v in found if "{{" in v or "<%" in v or "#{" in v]


_URL_AS = re.compile(r"\{%-?\s*url\s+([^%]*?)\s+as\s+(\w+)\s*-?%\}")
_BINDS = re.compile(r"\{%-?\s*(?:\w+\s+[^%]*?\bas\s+(\w+)|with\s+([^%]*)|for\s+([\w\s,]+?)\s+in\b)[^%]*-?%\}")
_LEAD = re.compile(r"""^\{\{\s*(\w+)(?:\s*\|\s*default:\s*(?:(\w+)|(["'])(?:/|\.\.?/)[^"':]*\3))?\s*\}\}""")


def _url_tag(m) -> str:
    """`{% url "name" ... as x %}`: the URL pattern's name and the bound name, never the other arguments (a token
    passed to the pattern: the attack)."""
    name = re.match(r"""\s*(["'])([\w:.-]{1,60})\1""", m.group(1))
    rest = " ..." if name and m.group(1).strip() != name.group(0).strip() else ""
    return f"{{% url {name.group(0).strip()}{rest} as {m.group(2)} %}}" if name else f"{{% url ... as {m.group(2)} %}}"


def url_bound(before: list[str], values: list[str]) -> str | None:
    """"`{{ x }}`, bound at line N by `{% url "name" as x %}`" when every value starts with a name (or a name and its
    ``default:``) that the template binds before the line only by Django's ``{% url ... as name %}``, else None."""
    text = "".join(before)
    urls = {m.group(2): (text[:m.start()].count("\n") + 1, _url_tag(m)) for m in _URL_AS.finditer(text)}
    other = set()
    for m in _BINDS.finditer(text):
        if m.group(1) and not _URL_AS.fullmatch(m.group(0)):
            other.add(m.group(1))
        other |= set(re.findall(r"(\w+)\s*=", m.group(2) or "")) | set(re.findall(r"\w+", m.group(3) or ""))
    said = []
    for v in values:
        m = _LEAD.match(v.strip())
        names = [n for n in (m.group(1, 2) if m else ()) if n]  # a literal default is a relative path
        if not names or any(n not in urls or n in other for n in names):
            return None
        said.append(f"`{m.group(0)}`, bound " + " and ".join(f"at line {urls[n][0]} by `{urls[n][1]}`" for n in names))
    return "; ".join(dict.fromkeys(said)) or None


def _go_engine(f: Finding, reader, files) -> str | None:
    """"<go file>:<line> ..." when a Go file naming the template's folder parses it with html/template only."""
    folder = PurePosixPath(str(f.path)).parent
    if not files or "go.mod" not in files or str(folder) in ("", "."):
        return None
    name, base = folder.name, PurePosixPath(str(f.path)).name
    found = None
    for path in [p for p in files if p.endswith(".go") and not p.endswith("_test.go")][:_MAX_GO]:
        text = "".join(finding_lines(reader, f, path))
        if re.search(r"(?m)^(?!\s*//).*\btemplate\.URL\(", text):
            return None  # a value typed template.URL skips the filter (a `safeURL` helper: the review)
        at = next((m for m in re.finditer(rf"""["'`]([^"'`\n]*\b{re.escape(name)}/([^"'`/\n]+))["'`]""", text)
                   if fnmatch(base, m.group(2))), None)  # the file itself, or a glob that matches it
        if not at:
            continue
        if '"text/template"' in text or '"html/template"' not in text:
            return None  # the folder is read by a file that may render it as plain text
        found = found or f"{path}:{text[:at.start()].count(chr(10)) + 1} names `{at.group(0)[1:-1][:60]}` and imports html/template"
    return found


def check_href_value(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "template", "evidence"} when no flagged link's value can choose the scheme, else None."""
    f = as_finding(f)
    loc = f.location
    if f.tool != "semgrep" or not str(f.rule_id).endswith("var-in-href") or reader is None or not loc or not loc.start_line:
        return None
    lines = finding_lines(reader, f)
    values = _values(lines, loc)
    if not values:
        return None
    starts = [v[:v.index("{{")] if "{{" in v else v.split("<%")[0].split("#{")[0] for v in values]
    if all(_FIXED.match(s) for s in starts):
        shown = ", ".join(f"`{_USERINFO.sub('//…@', s)[:40]}`" for s in dict.fromkeys(starts))  # never a user:pass@
        return {"check": "template", "evidence": (
            f"{f.path}:{loc.start_line}: every flagged link begins with a literal ({shown}) before its first template "
            "value, so the value cannot choose the URL's scheme: a `javascript:` URL, the rule's concern, cannot form")}
    site = [_SITE_START.match(v.strip()) for v in values]
    if all(site):  # quokka's Pelican themes: `href="{{ SITEURL }}/{{ article.url }}"` (set 52, both labellers)
        return {"check": "template", "evidence": (
            f"{f.path}:{loc.start_line}: every flagged link starts with the site's own address from its settings "
            f"(`{{{{ {site[0].group(1)} }}}}/`) and then a path: the scheme is whatever the operator configured, so a "
            "`javascript:` URL, the rule's concern, cannot form from the values after it")}
    getters = [re.match(r"\{\{\s*[\w.]+\.(get_\w*url\w*)\s*\}\}", v.strip()) for v in values]
    methods = repo_urls(reader, f, files).reversing if all(getters) else {}
    if all(getters) and all(m.group(1) != "get_absolute_url" and methods.get(m.group(1)) for m in getters):
        where = methods[getters[0].group(1)]  # django-filer's `{{ folder.get_admin_directory_listing_url_path }}` (set 55)
        return {"check": "template", "evidence": (
            f"{f.path}:{loc.start_line}: the link starts with `{getters[0].group(0)}`, and the repository's "
            f"{where[2]} definition{'s' if where[2] > 1 else ''} of `{getters[0].group(1)}` (first {where[0]}:{where[1]}) "
            f"{'all return' if where[2] > 1 else 'returns'} reverse(): a path of the project's URL patterns from the site's "
            "root, so a `javascript:` URL, the rule's concern, cannot form")}
    if all(re.fullmatch(r"\{\{\s*[\w.]+\.get_absolute_url\s*\}\}", v.strip()) for v in values):
        said = repo_urls(reader, f, files).reversed  # wger's `href="{{ ingredient.get_absolute_url }}"` (set 44)
        if said:
            return {"check": "template", "evidence": (
                f"{f.path}:{loc.start_line}: the link is the object's own `get_absolute_url`, and {said}: a path of the "
                "project's URL patterns, so a `javascript:` URL, the rule's concern, cannot form")}
    starts_with = [re.match(r"\{\{\s*(\w+)\s*\}\}", v.strip()) for v in values]
    keys = repo_urls(reader, f, files).context if all(starts_with) else {}
    if all(starts_with) and all(keys.get(m.group(1)) for m in starts_with):
        at = keys[starts_with[0].group(1)]  # django-simple-history's `href="{{changelist_url}}"` (set 57, both labellers)
        return {"check": "template", "evidence": (
            f"{f.path}:{loc.start_line}: the link starts with `{{{{ {starts_with[0].group(1)} }}}}`, and every place the "
            f"repository sets that context key gives it reverse() ({at[0]}:{at[1]}): a path of the project's own URL "
            "patterns from the site's root, so a `javascript:` URL, the rule's concern, cannot form")}
    bound = url_bound(lines[:loc.start_line], values)
    if bound:  # mezzanine's `href="{{ accounts_logout_url|default:admin_logout_url }}?..."` (set 53, both labellers)
        return {"check": "template", "evidence": (
            f"{f.path}:{loc.start_line}: the link starts with {bound}: Django's reverse() of the project's own URL "
            "patterns, a path from the site's root (or empty when the name does not reverse), so a `javascript:` URL, "
            "the rule's concern, cannot form from it or from the values after it")}
    built = flask_url(f, reader, files, values, lines, "".join(lines[loc.start_line - 1:loc.end_line or loc.start_line]))
    if built:  # flaskbb's `{{ current_user.url }}` (set 49)
        return {"check": "template", "evidence": (
            f"{f.path}:{loc.start_line}: the link is built by Flask's `url_for`: {built}; it returns a path of the "
            "application's own routes with each value percent-encoded, so a `javascript:` URL, the rule's concern, "
            "cannot form")}
    if any(s for s in starts if not _FIXED.match(s)) or "{{" not in "".join(values):
        return None  # a literal start that fixes nothing (`href="x{{ v }}"`), or another engine's syntax
    if re.search(r"(?i)safe\w*url|\|\s*safe", "".join(values)):
        return None  # a value marked safe for the attribute skips the filter
    engine = _go_engine(f, reader, files)
    if engine is None:
        return None
    return {"check": "template", "evidence": (
        f"{f.path}:{loc.start_line}: Go's html/template renders this page ({engine}), and it filters a value that "
        "starts a URL attribute: any scheme other than http, https or mailto becomes `#ZgotmplZ`, so a "
        "`javascript:` link, the rule's concern, cannot form")}
