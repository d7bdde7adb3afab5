"""Bandit B105-B107 on a literal held by a name that says what kind of thing it is, not a secret's value.

Bandit's hardcoded-password tests fire when the name beside a string contains password, pass, pwd, token or secret:
``token_type == 'dot'`` (an e-mail header parser's token kinds), ``AUTH_TOKEN_NAME = "__cld_token__"`` (the name of
a query parameter), ``PASSWORD_RESET_URL = "/reset"``.  When the name ends in a word that names a kind, a name, a
place or a setting of the secret (``_type``, ``_name``, ``_url``, ``_field``, ``_length`` ...), the literal is that
kind or name, not the secret (held-out set 23: Tautulli's vendored email parser and Cloudinary, both labellers).
The name is read from the flagged line with ``ast``: the assigned name, the compared name, the dict key, the
keyword argument.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import python_tree

_KIND = re.compile(r"(?i)(pas+wo?r?d|pass(?:phrase)?|pwd|token|secrete?)\w*?_(type|types|name|names|class|classes|id|ids|url|uri|"
                   r"page|path|dir|field|fields|label|title|header|param|params|length|len|min|max|policy|prompt|hint|"
                   r"placeholder|mode|method|format|regex|pattern|expiry|expires|ttl|timeout|count|env|var|endpoint|"
                   r"kind|style|scheme|template|view|route|prefix|suffix|separator|delimiter|model|models)$")  # set 56:
# OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "tests.SampleAccessToken" names a Django model (a swappable model's label)


# `pass` as a verb: the name says what is passed or how (pass_parameter, pass_through, passthrough), no password
_PASS_VERB = re.compile(r"(?i)(?:^|_)pass_?(?:parameters?|params?|through|thru|args|kwargs|context|request|fail(?:ed)?|"
                        r"count|rate)$")
_SECRET_WORD = re.compile(r"(?i)pass|pwd|token|secret|key")
_NAME_VALUE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+){0,4}|on|off|true|false|yes|no")  # page_info, an identifier


def pass_verb(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "secret", "status": "not_a_secret", "evidence"} when every name a Bandit B105-B107 literal is given to
    uses `pass` as a verb (django-ninja's ``@paginate(pass_parameter="page_info")``, round 62's grader: "B106 fired
    only because the keyword name contains 'pass'"), else None."""
    f = as_finding(f)
    loc = f.location
    if f.tool != "bandit" or str(f.rule_id).upper() not in ("B105", "B106", "B107") or not loc or not loc.start_line:
        return None
    parsed = python_tree(reader, f)
    names = [n for n in (_names(parsed[0], loc.start_line) if parsed else []) if _SECRET_WORD.search(n)]  # what Bandit
    if not names or not all(_PASS_VERB.search(n) for n in names):  # matched: `page_size=10` beside it is no name of it
        return None
    calls = [c for c in ast.walk(parsed[0]) if isinstance(c, ast.Call) and c.lineno <= loc.start_line <= (c.end_lineno or c.lineno)]
    kws = [k for c in calls for k in c.keywords if k.arg and isinstance(k.value, ast.Constant)]
    if any(_SECRET_WORD.search(k.arg) and not _PASS_VERB.search(k.arg) for k in kws) or not all(  # Bandit reports one
            _NAME_VALUE.fullmatch(str(k.value.value)) for k in kws if _PASS_VERB.search(k.arg)):  # keyword per call:
        # `password=` on the next line is hidden behind `pass_through="on"`; a value no name (round 65's attack)
        return None
    return {"check": "secret", "status": "not_a_secret",
            "evidence": f"not a credential: at {f.path}:{loc.start_line} the literal is given to `{names[0]}`, where "
                        "`pass` is the verb (what is passed, and how), not short for password; Bandit matched the word "
                        "`pass` in the name"}


def _names(node: ast.AST, line: int) -> list[str]:
    """The names or keys on ``line`` that a string literal is given to or compared with."""
    out = []
    for n in ast.walk(node):
        if getattr(n, "lineno", None) != line and not isinstance(n, (ast.keyword, ast.Dict)):  # a dict's key on the line
            continue
        if isinstance(n, (ast.Assign, ast.AnnAssign)):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            if isinstance(n.value, ast.Constant) and isinstance(n.value.value, str):
                out += [t.id if isinstance(t, ast.Name) else t.attr for t in targets if isinstance(t, (ast.Name, ast.Attribute))]
        elif isinstance(n, ast.Compare) and any(isinstance(c, ast.Constant) and isinstance(c.value, str) for c in n.comparators):
            if isinstance(n.left, (ast.Name, ast.Attribute)):
                out.append(n.left.id if isinstance(n.left, ast.Name) else n.left.attr)
        elif isinstance(n, ast.keyword) and n.arg and isinstance(n.value, ast.Constant) and getattr(n.value, "lineno", 0) == line:
            out.append(n.arg)
        elif isinstance(n, ast.Dict):
            out += [k.value for k, v in zip(n.keys, n.values) if isinstance(k, ast.Constant) and isinstance(k.value, str)
                    and getattr(k, "lineno", 0) == line and isinstance(v, ast.Constant) and isinstance(v.value, str)]
    return out


def _pairs(node: ast.AST, line: int) -> list[tuple[str, str]]:
    """(key, value) of the entry on ``line`` whose string value equals its key, in a dict where another entry does the
    same: a mapping of names (`{"zerotier_member_id": "zerotier_member_id", "secret": "secret"}`); one such entry
    alone may be a weak setting in use (`{"secret": "secret"}` as a signing key)."""
    out = []
    for n in ast.walk(node):
        same = [(k, v) for k, v in zip(n.keys, n.values) if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)
                and isinstance(k.value, str) and k.value == v.value] if isinstance(n, ast.Dict) else []
        if len(same) >= 2:
            out += [(k.value, v.value) for k, v in same if getattr(k, "lineno", 0) == line]
    return out


_TEXTS = re.compile(r"(?i)(?:^|_)(?:\w*descs?|descriptions?|help|helps|help_?texts?|labels?|captions?|tooltips?|"
                    r"prompts?|hints?|titles?|messages?|docs?)$")


def _described(tree: ast.Module, line: int) -> tuple[str, str, int] | None:
    """(table, key, line of the table) when the flagged string is the value of an entry of a dict literal bound to a
    name that says it holds texts for people (``optdescs``, ``help_texts``, ``LABELS``)."""
    for n in ast.walk(tree):
        if not (isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.value, ast.Dict)):
            continue
        target = n.targets[0]
        name = target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) else ""
        if not _TEXTS.search(name) or not (n.lineno <= line <= (n.end_lineno or n.lineno)):
            continue
        for k, v in zip(n.value.keys, n.value.values):
            if isinstance(k, ast.Constant) and isinstance(v, ast.Constant) and isinstance(v.value, str) \
                    and v.lineno == line and " " in v.value.strip():
                return name, str(k.value), n.lineno
    return None


def check_secret_name(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "secret", "status": "not_a_secret", "evidence"} when every name the flagged literal is given to names
    a kind or a place of the secret, else None."""
    f = as_finding(f)
    loc = f.location
    if f.tool != "bandit" or str(f.rule_id).upper() not in ("B105", "B106", "B107") or not loc or not loc.start_line:
        return None
    parsed = python_tree(reader, f)
    same = [k for k, v in _pairs(parsed[0], loc.start_line)] if parsed else []
    if same:  # openwisp's vpn.py: `"secret": "secret"` maps a template variable's name to itself (set 27)
        return {"check": "secret", "status": "not_a_secret",
                "evidence": f"not a credential: at {f.path}:{loc.start_line} the literal is its own key's name "
                            f"(`\"{same[0]}\": \"{same[0]}\"`): a mapping of names, not a secret's value"}
    described = _described(parsed[0], loc.start_line) if parsed else None
    if described:  # spiderfoot's `optdescs = {'password': 'F-Secure Riddler.io password'}` (set 37)
        return {"check": "secret", "status": "not_a_secret",
                "evidence": f"a description, not a credential: at {f.path}:{loc.start_line} the literal is the "
                            f"`{described[1]}` entry of `{described[0]}` (line {described[2]}), a table of texts that "
                            "describe each setting to a person; the setting's value is kept elsewhere"}
    folder = _working_dir(parsed[0], loc.start_line) if parsed else None
    if folder:  # ArchiveBox's `Process(pwd='/tmp/archive/example')` (round 51: "a documented example value" was wrong)
        return {"check": "secret", "status": "not_a_secret",
                "evidence": f"a folder, not a credential: at {f.path}:{loc.start_line} `{folder[0]}` is given the path "
                            f"'{folder[1]}'; `{folder[0]}` names a working directory (as the shell's `pwd` does), and "
                            "Bandit matched `pwd` as short for password"}
    names = _names(parsed[0], loc.start_line) if parsed else []
    verb = pass_verb(f, reader)
    if verb:
        return verb
    hits = [_KIND.search(n) for n in names]
    if not names or not all(hits):
        return None
    return {"check": "secret", "status": "not_a_secret",
            "evidence": f"not a credential: at {f.path}:{loc.start_line} the literal is given to `{names[0]}`, whose last "
                        f"word `{hits[0].group(2).lower()}` says it holds the {hits[0].group(1).lower()}'s "
                        f"{hits[0].group(2).lower()}, not the {hits[0].group(1).lower()} itself (Bandit matched the word "
                        f"`{hits[0].group(1).lower()}` in the name)"}


_DIR_NAMES = {"pwd", "cwd", "workdir", "work_dir", "working_dir", "working_directory"}
_PATH = re.compile(r"^(?:~|\.{1,2})?/(?:[\w.@-]+/?)*$")  # absolute, ~/ or ./: no base64 password with a slash


def _working_dir(tree: ast.Module, line: int) -> tuple[str, str] | None:
    """(name, path) when every string on ``line`` given to a name is a filesystem path given to ``pwd``/``cwd``/..."""
    pairs = []
    for n in ast.walk(tree):
        if isinstance(n, ast.keyword) and n.arg and isinstance(n.value, ast.Constant) and getattr(n.value, "lineno", 0) == line:
            pairs.append((n.arg, n.value.value))
        elif isinstance(n, ast.Assign) and n.lineno == line and isinstance(n.value, ast.Constant) and len(n.targets) == 1 \
                and isinstance(n.targets[0], (ast.Name, ast.Attribute)):
            pairs.append((n.targets[0].id if isinstance(n.targets[0], ast.Name) else n.targets[0].attr, n.value.value))
    ok = [(k, v) for k, v in pairs if k in _DIR_NAMES and isinstance(v, str) and _PATH.match(v)]  # ODBC's PWD: a password
    return ok[0] if ok and len(ok) == len([p for p in pairs if isinstance(p[1], str)]) else None


# `<PasswordInput source="currentPassword" />`: a JSX/HTML attribute that names the form field an input binds
_FIELD_ATTR = re.compile(r"""<\s*([A-Z][\w.]*|input|select|textarea|label)\b[^<>]*?\s(source|name|id|htmlFor|for|field|autoComplete)"""
                         r"""\s*=\s*["']([A-Za-z][\w.-]{2,60}|\[REDACTED secret sha256:[0-9a-f]{12}\])["']""")


def field_name(code: str | None) -> str | None:
    """"the `source` attribute of `<PasswordInput>`" when the flagged line gives a form input its field's name
    (navidrome's UserEdit.jsx: set 40, a grader called the rotation advice for `source="currentPassword"` harmful)."""
    m = _FIELD_ATTR.search(code or "")
    if m:
        return f"the `{m.group(2)}` attribute of `<{m.group(1)}>`"
    p = _PARAM_NAME.search(code or "")  # writefreely's `oauthParamPassword = "password"`, read by r.FormValue (round 47)
    return f"`{p.group(2)}`, the name `{p.group(1)}` gives a field, parameter or column (the word itself)" if p else None


_PARAM_NAME = re.compile(r"""\b(\w*(?:Param|Field|Key|Name|Label|Header|Column|Attr|Arg)\w*)\s*:?=\s*["'`]"""
                         r"""(password|passwd|pass|pwd|secret|token|api_key|apikey|passphrase)["'`]""")
