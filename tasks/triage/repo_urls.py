"""The links a project's own models build, judged over every tracked Python file in one read.

Three template checks ask the repository the same kind of question -- does every definition of an object's URL
method build a path of the project's own routes? -- Django's ``get_absolute_url`` (tasks.triage.absolute_urls'
``judged``: wger, set 44) and a Flask model's ``url`` property (``url_methods``: flaskbb, set 49), and a Flask view that passes a template ``url_for(...)`` results
(``view_urls``: microblog's ``next_url``, set 51).  Both used to
read every tracked ``.py`` file, each on its own, for the same file list; here one pass keeps only the files that
mention either method (a few, even in a large project) and answers both, cached per file list.  Past
``MAX_FILES`` Python files nothing is judged: an unread definition is unknown, not safe.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.parsed_source``, ``tasks.triage.absolute_urls``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines
from tasks.triage.absolute_urls import judged
from tasks.triage.parsed_source import binds_name, enclosing_function, parsed_tree

MAX_FILES = 4000
# every text either judge reads contains one of these (judged: a definition, an alias or Django's override)
_NEEDLES = ("get_absolute_url", "ABSOLUTE_URL_OVERRIDES", "def url", "render_template", "url_for", "context_processor",
            "globals", "reverse", "_url")  # "_url": a context key set to something else (context_urls)
_CACHE: dict[int, tuple] = {}  # id(file list) -> (the list, RepoUrls): one repository read per run


@dataclass(frozen=True)
class RepoUrls:
    """``reversed``: "the repository's N `get_absolute_url` definitions all return reverse()" or None;
    ``methods``: {class name: (path, line, every return is url_for) or None when two classes share the name};
    ``views``: {(template name, variable): (path, line) of a view that passes it, or None when any view passes
    something other than a ``url_for`` result}; ``helpers``: {function name: (path, line) when every definition of
    that name returns only ``url_for(...)``, else None} (flask-admin's ``BaseView.get_url``)."""

    reversed: str | None = None
    reversing: dict = field(default_factory=dict)
    methods: dict = field(default_factory=dict)
    views: dict = field(default_factory=dict)
    helpers: dict = field(default_factory=dict)
    context: dict = field(default_factory=dict)


def _url_for(node) -> bool:
    return isinstance(node, ast.Call) and (getattr(node.func, "id", None) == "url_for" or getattr(node.func, "attr", None) == "url_for")


def _trees(texts, needle: str):
    """(path, module) of each text that holds ``needle`` and parses (the shared parse; one that does not is skipped)."""
    for path, text in texts:
        if needle not in text:
            continue
        try:
            yield path, parsed_tree(text, len(text))[0]
        except (SyntaxError, ValueError, RecursionError):
            continue


def url_methods(texts) -> dict:
    """{class name: (path, line, all returns url_for)} for every class that defines ``url``; a name two classes
    share maps to None (which one a template means is unknown)."""
    found: dict = {}
    for path, tree in _trees(texts, "def url"):
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            d = next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "url"), None)
            if d is None:
                continue
            returns = [r.value for r in ast.walk(d) if isinstance(r, ast.Return)]
            entry = (path, d.lineno, bool(returns) and all(_url_for(v) for v in returns))
            found[cls.name] = None if cls.name in found else entry
    return found


def _url_value(node) -> bool:
    """``url_for(...)``, or a conditional of ``url_for(...)`` and ``None`` (microblog's ``next_url = url_for(...) if
    posts.has_next else None``)."""
    if isinstance(node, ast.IfExp):
        return all(_url_value(v) or isinstance(v, ast.Constant) and v.value is None for v in (node.body, node.orelse)) \
            and (_url_value(node.body) or _url_value(node.orelse))
    return _url_for(node)


def _passed_url(func, value) -> bool:
    """Is the keyword's value a ``url_for`` result: the call itself, or a local name every binding of which is one?"""
    if not isinstance(value, ast.Name):
        return _url_value(value)
    if func is None or value.id in {a.arg for a in func.args.args + func.args.kwonlyargs + func.args.posonlyargs}:
        return False
    binds = [n for n in ast.walk(func) if binds_name(n, value.id)]
    return bool(binds) and all(isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)
                               and _url_value(n.value) for n in binds)


def view_urls(texts) -> dict:
    """{(template, variable): (path, line) or None} over every ``render_template("t.html", variable=...)`` call; None
    too when a render of the template does not pass the name (``**context``, nothing: a context processor's or a
    global's value) or a context processor or Jinja global names it (the review of set 51)."""
    found: dict = {}
    renders: dict = {}  # template -> [set of names passed, or None for a ** spread]
    injected: set = set()  # names a context processor or jinja_env.globals may set
    for path, text in texts:
        if "context_processor" in text or "globals" in text:
            injected |= set(re.findall(r"""["'](\w+)["']""", text)) | set(re.findall(r"\bglobals\.update\(([^)]*)\)", text))
    for path, tree in _trees(texts, "render_template"):
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)
                     and getattr(n.func, "id", getattr(n.func, "attr", None)) == "render_template"):
            if not call.args or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[0].value, str):
                continue
            func = enclosing_function(tree, call.lineno)
            renders.setdefault(call.args[0].value, []).append(
                None if any(kw.arg is None for kw in call.keywords) else {kw.arg for kw in call.keywords})
            for kw in call.keywords:
                if kw.arg is None:
                    continue
                key = (call.args[0].value, kw.arg)
                ok = _passed_url(func, kw.value)
                found[key] = (path, call.lineno) if ok and found.get(key, True) else None
    return {(t, n): v if v and n not in injected and all(r is not None and n in r for r in renders.get(t, [None])) else None
            for (t, n), v in found.items()}


def reversing_methods(texts) -> dict:
    """{name: (path, line, definitions) or None} for every function named like a URL getter (``get_admin_url``,
    ``get_admin_directory_listing_url_path``) whose every return is ``reverse(...)``/``reverse_lazy(...)``: a path of
    the project's own URL patterns, from the site's root.  A name defined otherwise anywhere, or rebound by an
    assignment (``get_x_url = ...``), maps to None (django-filer's folder links, set 55)."""
    found: dict = {}
    for path, tree in _trees(texts, "reverse"):
        for d in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                  and re.fullmatch(r"get_\w*url\w*", n.name)):
            returns = [r.value for r in ast.walk(d) if isinstance(r, ast.Return)]
            ok = bool(returns) and all(isinstance(v, ast.Call) and getattr(v.func, "id", getattr(v.func, "attr", None))
                                       in ("reverse", "reverse_lazy") for v in returns)
            held = found.get(d.name, ())
            found[d.name] = (held or (path, d.lineno, 0))[:2] + ((held or (0, 0, 0))[2] + 1,) if ok and held is not None else None
    for path, text in texts:
        for name in [n for n in found if found[n] and re.search(rf"\b{n}\s*=(?!=)", text)]:
            found[name] = None
    return found


_TEST_FILE = re.compile(r"(?:^|/)(?:tests?|testing)/|(?:^|/)test_[^/]*\.py$|_tests?\.py$")


def _reversed(node) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("reverse", "reverse_lazy")


def context_urls(texts) -> dict:
    """{key: (path, line) or None} for every template context key that some file sets to ``reverse(...)``: a dict
    literal's ``"change_url": reverse(...)`` (django-simple-history's admin, set 57), ``context["x"] = reverse(...)``
    or a call's ``x=reverse(...)``.  A key any file also sets to something else, in any of those forms, maps to None:
    which view renders the template is not known here."""
    found: dict = {}

    def seen(key, value, path, line):
        if isinstance(key, str) and re.fullmatch(r"\w+_url\w*|url", key):
            found[key] = (path, line) if _reversed(value) and found.get(key, True) else None

    for path, text in texts:
        if "_url" not in text or _TEST_FILE.search(path):  # a test's expected context renders nothing
            continue
        try:
            tree = parsed_tree(text, len(text))[0]
        except (SyntaxError, ValueError, RecursionError):
            continue
        for n in ast.walk(tree):
            if isinstance(n, ast.Dict):
                for k, v in zip(n.keys, n.values):
                    if isinstance(k, ast.Constant):
                        seen(k.value, v, path, v.lineno)
            elif isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Subscript) \
                    and isinstance(n.targets[0].slice, ast.Constant):
                seen(n.targets[0].slice.value, n.value, path, n.lineno)
            elif isinstance(n, ast.Call):
                for kw in n.keywords:
                    seen(kw.arg, kw.value, path, kw.value.lineno)
    return {k: v for k, v in found.items() if v}


def url_helpers(texts) -> dict:
    """{name: (path, line) or None} for every function whose every return is ``url_for(...)``; a name also defined
    otherwise anywhere maps to None."""
    found: dict = {}
    for path, tree in _trees(texts, "url_for"):
        for d in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            returns = [r.value for r in ast.walk(d) if isinstance(r, ast.Return)]
            ok = bool(returns) and all(_url_for(v) for v in returns)
            found[d.name] = (path, d.lineno) if ok and found.get(d.name, True) else None
    return found


def repo_urls(reader, f: Finding, files) -> RepoUrls:
    """Both judgements over the repository's tracked Python files (at the finding's commit), read once per file list."""
    if reader is None or not files:
        return RepoUrls()
    held = _CACHE.get(id(files))
    if held is None or held[0] is not files:
        python = [p for p in files if p.endswith(".py")]
        answer = RepoUrls()
        if len(python) <= MAX_FILES:
            kept = [(p, t) for p, t in ((p, "".join(finding_lines(reader, f, p))) for p in python)
                    if any(n in t for n in _NEEDLES)]
            answer = RepoUrls(judged(t for _, t in kept), reversing_methods(kept), url_methods(kept), view_urls(kept),
                              url_helpers(kept), context_urls(kept))
        if len(_CACHE) >= 16:
            _CACHE.clear()
        _CACHE[id(files)] = held = (files, answer)
    return held[1]
