"""A Go redirect to the login provider's authorisation URL: the host is the one the server is configured with.

semaphore's OIDC login builds ``u := oauth.AuthCodeURL(state)`` and sends the browser there with
``http.Redirect(w, r, u, http.StatusTemporaryRedirect)`` (Semgrep's ``open-redirect``; held-out set 42, both
labellers: false positive).  ``oauth2.Config.AuthCodeURL`` starts from the config's ``Endpoint.AuthURL``, which the
operator configures; a request can only fill its query (the state, the redirect_uri the provider checks).  The
redirect's target must be a name assigned only from ``<x>.AuthCodeURL(...)`` in the enclosing function, or that call
itself; and the config must be the operator's: every ``AuthURL`` of the file a literal or a configuration value, no
endpoint built from request data, no config built in a function that reads the request (``r.URL``, ``FormValue``,
``mux.Vars``, ``c.Param``, ...), and ``<x>`` assigned from no request data.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding
from tasks.repository.source import finding_lines

_RULE = re.compile(r"(?i)open[-_]?redirect")
_REDIRECT = re.compile(r"\bhttp\.Redirect\(\s*\w+\s*,\s*\w+\s*,\s*([\w.]+(?:\([^()]*\))?)\s*,")
_FUNC = re.compile(r"^func\b")
# request data a handler reads (net/http, gorilla/mux, chi, gin, echo, fiber)
_REQUEST = re.compile(r"\br\.(?:URL|Form|PostForm|Body|Host|Header|Referer|RequestURI|MultipartForm)\b|\.Query\(|"
                      r"\bFormValue\(|PostFormValue\(|Header\.Get\(|\bmux\.Vars\(|\bchi\.URLParam\(|\bc\.(?:Param|Query|"
                      r"PostForm|GetHeader|DefaultQuery|QueryParam|FormValue|Bind\w*|Params)\b|\.Cookie\(|\bQueryParam\(")
# where an OAuth2 config's endpoint comes from
_ENDPOINT = re.compile(r"\bAuthURL\b|\bEndpoint\b|oauth2\.Config\s*\{|\bNewProvider\(")
_AUTH_URL = re.compile(r"\bAuthURL\s*(?::(?!=)|=(?!=))\s*([^,}\n]+)")
# an AuthURL a literal or a configuration value gives (settings, options, environment)
_CONFIGURED = re.compile(r"""\s*(?:"[^"]*"|`[^`]*`|os\.Getenv\("[^"]*"\)|(?i:\w*(?:conf|cfg|setting|option|opts|env|viper)\w*)\b[\w.()"]*)\s*""")


def start_of(lines: list[str], line: int) -> int | None:
    """The index of the `func` line that opens the function holding 1-based ``line``, or None."""
    return next((i for i in range(line - 1, -1, -1) if _FUNC.match(lines[i])), None)


def _configured(lines: list[str], start: int | None, line: int, call: str) -> bool:
    """Does the config behind ``call``'s `.AuthCodeURL` come from the operator: every `AuthURL` of the file a literal or
    a configuration value, no endpoint line of the file reading the request, the function building no config while it
    reads request data, and the receiver assigned in the function from no request data?"""
    if start is None:
        return False
    if any(_ENDPOINT.search(text) and _REQUEST.search(text) for text in lines):
        return False
    if any(not _CONFIGURED.fullmatch(m.group(1)) for text in lines for m in _AUTH_URL.finditer(text)):
        return False
    body = lines[start:line]
    if any(_ENDPOINT.search(text) for text in body) and any(_REQUEST.search(text) for text in body):
        return False  # a config built in a handler that reads the request: the endpoint may be the request's
    receiver = re.search(r"([\w]+)\.AuthCodeURL\(", call)
    if receiver is None:
        return False
    sets = [t for t in body if re.search(rf"(?<![\w.]){re.escape(receiver.group(1))}\b[\w\s,]*(?::=|=(?!=))", t)]
    return not any(_REQUEST.search(t) for t in sets)


def check_go_redirect(f: Finding, reader=None) -> dict | None:
    """{"check": "code", "status": "built_target", "evidence"} for a redirect to an OAuth2 AuthCodeURL, else None."""
    loc = f.location
    if reader is None or not loc or not loc.start_line or not str(f.path).endswith(".go") or not _RULE.search(str(f.rule_id)):
        return None
    lines = finding_lines(reader, f)
    if not lines or loc.start_line > len(lines):
        return None
    m = _REDIRECT.search(lines[loc.start_line - 1])
    if m is None:
        return None
    target = m.group(1)
    if re.fullmatch(r"[\w.]+\.AuthCodeURL\([^()]*\)", target):
        at = loc.start_line
    elif re.fullmatch(r"\w+", target):
        start = start_of(lines, loc.start_line)
        if start is None:
            return None
        sets = [(i + 1, line) for i, line in enumerate(lines[start:loc.start_line - 1], start)
                if re.search(rf"(?<![\w.]){re.escape(target)}\s*(?::=|=(?!=))", line)]
        if len(sets) != 1 or not re.search(rf"{re.escape(target)}\s*:?=\s*[\w.]+\.AuthCodeURL\(", sets[0][1]):
            return None
        at = sets[0][0]
    else:
        return None
    if not _configured(lines, start_of(lines, loc.start_line), loc.start_line, lines[at - 1]):
        return None
    return {"check": "code", "status": "built_target", "evidence": (
        f"no open redirect: {f.path}:{loc.start_line} redirects to the OAuth2 authorisation URL that `.AuthCodeURL(...)` "
        f"builds (line {at}) from the provider endpoint the server is configured with; a request can only fill its "
        "query (the state, the redirect_uri the provider checks against its registered list), never its host")}
