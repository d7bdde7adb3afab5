"""Semgrep's ``is-function-without-parentheses``: what the flagged ``obj.is_x`` is, read from the repository.

The rule fires on any ``x.is_something`` that is not called, assuming a method whose bound object is always true.
It is a maintainability rule, but on an access check the difference matters: when ``is_superuser`` really were a
method, ``if user.is_superuser:`` would let everyone in.  So the evidence says what the name is (held-out set 22's
reason audit: "a maintainability rule" was called insufficient for six access checks):

* a **framework's user flag**: Django's ``User`` has the fields ``is_active``, ``is_staff``, ``is_superuser`` and the
  properties ``is_authenticated``, ``is_anonymous``; Flask-Login's ``UserMixin``/``AnonymousUserMixin`` have the
  properties ``is_active``, ``is_authenticated``, ``is_anonymous`` - when the repository imports that framework and the
  object is a user (``user``, ``request.user``, ``current_user``, ``self.user``);
* the **project's own definition**: a ``@property`` (or ``cached_property``, ``hybrid_property``) of that name, a model
  column or field, a class attribute set to ``True``/``False``, or ``self.is_x = ...``.

A name the project also defines as a plain method, or one nothing defines, is left to the other checks.  The line is
read from the file (Semgrep's report may carry no code).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_RULE = re.compile(r"is-function-without-parentheses$")
_FLAG = re.compile(r"\b((?:[A-Za-z_]\w*(?:\([^()\n]*\))?\.)*[A-Za-z_]\w*(?:\([^()\n]*\))?)\.(is_\w+)\b(?!\s*\()")  # ip_address(h).is_private
_USER = re.compile(r"(?:^|\.|_)user$")
_DJANGO = {"is_active": "a model field (BooleanField) of Django's User", "is_staff": "a model field (BooleanField) of Django's User",
           "is_superuser": "a model field (BooleanField) of Django's User",
           "is_authenticated": "a property (a bool) of Django's User and AnonymousUser since Django 1.10",
           "is_anonymous": "a property (a bool) of Django's User and AnonymousUser since Django 1.10"}
_FLASK_LOGIN = {n: "a property of Flask-Login's UserMixin and AnonymousUserMixin (a bool since Flask-Login 0.3)"
                for n in ("is_active", "is_authenticated", "is_anonymous")}
_PROPERTY = re.compile(r"@(?:[\w.]*\.)?(?:property|cached_property|hybrid_property)\s*\n(?:\s*@.*\n)*\s*(?:async\s+)?def\s+(is_\w+)\(")
# a class-level statement (`is_public = Column(...)`, `is_open: bool = False`), not a keyword argument on its own line
# (`    is_active=True,` inside a filter() call: set 23's reason audit)
_FIELD = re.compile(r"(?m)^\s+(is_\w+)(?:\s*:[^=\n]+=|\s+=)\s*(?:[\w.]*(?:Column|Field|mapped_column|Boolean)\w*\(|True\b|False\b)"
                    r"(?![^\n]*,\s*$)")
_SELF = re.compile(r"\bself\.(is_\w+)\s*(?::[^=\n]+)?=(?!=)")
_ASSIGNED = re.compile(r"\b((?:[A-Za-z_]\w*\.)+is_\w+)\s*(?::[^=\n]+)?=(?!=)")
_METHOD = re.compile(r"(?m)^\s*(?:async\s+)?def\s+(is_\w+)\(")


def _definitions(imports) -> dict[str, list]:
    """name -> [(kind, path, line)] over the repository's Python sources, read once per import index."""
    cached = getattr(imports, "_flag_definitions", None)
    if cached is not None:
        return cached
    found: dict[str, list] = {}
    for path in imports.sources("pypi")[:3000]:
        text = "".join(imports.reader.lines(path, None) or [])
        if "is_" not in text:
            continue
        props = {m.start(1): m.group(1) for m in _PROPERTY.finditer(text)}
        for pattern, kind in ((_PROPERTY, "a property"), (_FIELD, "an attribute"), (_SELF, "an attribute"), (_METHOD, "a method")):
            for m in pattern.finditer(text):
                if kind == "a method" and m.start(1) in props:
                    continue  # the def under @property
                found.setdefault(m.group(1), []).append((kind, path, text.count("\n", 0, m.start(1)) + 1))
    try:
        imports._flag_definitions = found  # one triage run, one index: read once
    except AttributeError:
        pass
    return found


# properties of the standard library and common clients, named when the flagged file imports the library
_LIBRARIES = {
    "ipaddress": ({"is_private", "is_global", "is_loopback", "is_multicast", "is_reserved", "is_link_local",
                   "is_unspecified", "is_site_local"}, "a property (a bool) of the ipaddress module's address objects"),
    "httpx": ({"is_error", "is_success", "is_redirect", "is_client_error", "is_server_error", "is_informational",
               "is_closed", "is_stream_consumed"}, "a property (a bool) of httpx's Response"),
    "requests": ({"is_redirect", "is_permanent_redirect"}, "a property (a bool) of requests' Response"),
    "sqlalchemy": ({"is_active"}, "a property (a bool) of SQLAlchemy's Session: whether its transaction can go on"),
}
_SESSION = re.compile(r"(?i)(?:^|\.)(?:db|session|db_session|dbsession|sess)$")  # `request.state.db`: a Session


def _library_props(lines: list[str]) -> dict[str, str]:
    text = "".join(lines[:400])
    return {name: what for lib, (names, what) in _LIBRARIES.items()
            if re.search(rf"(?m)^\s*(?:import\s+{lib}\b|from\s+{lib}\b)", text) for name in names}


def _class_of(imports, path: str, line: int) -> str:
    """The name of the top-level class the definition at ``path:line`` sits in ("" for none)."""
    lines = imports.reader.lines(path, None) or []
    for text in reversed(lines[:max(line - 1, 0)]):
        m = re.match(r"class\s+(\w+)", text)
        if m:
            return m.group(1)
    return ""


def _in_user_class(imports, path: str, line: int) -> bool:
    """Whether the definition at ``path:line`` sits in a class whose name says user (``class User(Base)``)."""
    return "user" in _class_of(imports, path, line).lower()


def check_flag_attribute(f: Finding | dict, reader=None, imports=None) -> dict | None:
    """{"check": "code", "status": "not_a_call", "evidence"} when every unflagged ``obj.is_x`` on the line is a value."""
    f = as_finding(f)
    loc = f.location
    if f.tool != "semgrep" or not _RULE.search(str(f.rule_id)) or loc is None or not loc.start_line or imports is None:
        return None
    lines = finding_lines(reader, f)
    line = lines[loc.start_line - 1] if 0 < loc.start_line <= len(lines) else (f.snippet or "")
    flags = _FLAG.findall(line)
    if not flags:
        return None
    text = imports.text("pypi")
    frameworks = ({**_FLASK_LOGIN} if re.search(r"(?m)^\s*(?:from|import)\s+flask_login\b", text) else {}) | (
        _DJANGO if re.search(r"(?m)^\s*(?:from|import)\s+django\b", text) else {})
    assigned = {m.group(1) for m in _ASSIGNED.finditer(line)}
    if assigned and all(f"{obj}.{name}" in assigned for obj, name in flags):  # Kiwi's `user.is_staff = False` (set 25)
        return {"check": "code", "status": "not_a_call",
                "evidence": f"no call is missing at {f.path}:{loc.start_line}: the line assigns "
                            f"{', '.join(f'`{a}`' for a in sorted(assigned))} and tests nothing, so no condition here "
                            "can be always true (the rule assumes a method read as a condition)"}
    said, library = [], _library_props(lines)
    for obj, name in dict.fromkeys(flags):
        defs = _definitions(imports).get(name, [])
        if any(kind == "a method" for kind, _, _ in defs):
            return None  # a plain method somewhere: the rule may be right
        user_defs = [d for d in defs if _in_user_class(imports, d[1], d[2])]
        if _USER.search(obj) and name in frameworks and not user_defs:  # etesync's `token.user.is_active` is Django's
            said.append(f"`{obj}.{name}` is {frameworks[name]}")  # field, not a Redis wrapper's property (set 28)
        elif name in library and library[name].endswith("transaction can go on") and _SESSION.search(obj):
            said.append(f"`{obj}.{name}` is {library[name]}")  # dispatch's `request.state.db.is_active` (set 29 audit)
        elif defs:  # the project's own definitions before a framework's: Mailu's User sets `is_authenticated = True`
            # itself (set 25); and a name is not its object's type: Kiwi's `is_active` at :73 is another model's
            own = obj.rsplit(".", 1)[-1].lower()  # `Service.is_active`: class Service's own field first (set 29: dispatch)
            kind, path, n = min(defs, key=lambda d: (_class_of(imports, d[1], d[2]).lower() != own, d[1] != f.path))
            more = len(defs) - 1
            said.append(f"no `{name}` the repository defines is a method ({kind} at {path}:{n}" + (f"; {more} more found, none a method" if more else "") + ")")
        elif name in library:  # ip_address(host).is_private, httpx's r.is_error (set 27's reason audit)
            said.append(f"`{obj}.{name}` is {library[name]}")
        elif _USER.search(obj) and name in frameworks:
            said.append(f"`{obj}.{name}` is {frameworks[name]}")
        else:
            return None
    return {"check": "code", "status": "not_a_call",  # one sentence per name (lnbits: `a.is_public if d.is_public`)
            "evidence": f"no call is missing at {f.path}:{loc.start_line}: {'; '.join(dict.fromkeys(said))}; read as a value it is the "
                        "flag itself, so the condition works as written (the rule assumes a method, whose bound object "
                        "would always be true)"}
