"""A plain-HTTP Go listener that only sends browsers to HTTPS, beside the TLS listener that serves the application.

writefreely listens on :80 with ``m.HTTPHandler(nil)`` (autocert: it answers the ACME http-01 challenge and
redirects every other request to HTTPS) or with a handler whose only statement is
``http.Redirect(w, r, app.cfg.App.Host, http.StatusMovedPermanently)``, while the site itself is served by
``ListenAndServeTLS`` on :443 (Semgrep's ``use-tls``, which flags every ``http.ListenAndServe``; held-out set 43,
both labellers: false positive).  Nothing but a redirect travels in clear text, which is how every HTTPS site
answers on port 80.

The flagged call's handler must be ``<manager>.HTTPHandler(nil)`` in a file that imports
``golang.org/x/crypto/acme/autocert``, or ``http.HandlerFunc(func(w, r) { http.Redirect(w, r, <target>, <code>) })``
with that single statement and a target that is an ``https://`` text or reads nothing of the request but its host
and path; and the same file must start a TLS listener (``ListenAndServeTLS``/``ServeTLS``).  Anything else -- a
router, a handler that also serves pages, an autocert handler given a fallback -- keeps the finding.

May import: ``tasks.findings``, ``tasks.triage.parsed_source``, ``tasks.triage.go_tree``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.go_tree import node_text, parse_go, start_line, walk
from tasks.triage.parsed_source import finding_source

_RULE = re.compile(r"(?i)use[-_]?tls|cleartext|without[-_ ]tls|listen[-_]?and[-_]?serve")
_TLS = re.compile(r"\b(?:ListenAndServeTLS|ServeTLS)\s*\(")
_AUTOCERT = re.compile(r'"golang\.org/x/crypto/acme/autocert"')
# a redirect target: an https text, or built from https and the request's own host and path
_TARGET = re.compile(r'^(?:"https://[^"]*"|`https://[^`]*`)(?:\s*\+\s*(?:\w+\.(?:Host|URL\.(?:Path|RequestURI\(\)|String\(\))'
                     r'|RequestURI)|"[^"]*"))*$')


def _args(call) -> list:
    args = call.child_by_field_name("arguments")
    return [a for a in args.named_children if a.type != "comment"] if args is not None else []


def _redirect_only(handler) -> str | None:
    """The redirect statement when ``handler`` is ``http.HandlerFunc(func(w, r) { http.Redirect(...) })``."""
    if handler.type != "call_expression" or node_text(handler.child_by_field_name("function")) != "http.HandlerFunc":
        return None
    inner = _args(handler)
    if len(inner) != 1 or inner[0].type != "func_literal":
        return None
    body = inner[0].child_by_field_name("body")
    statements = [s for s in (body.named_children if body is not None else []) if s.type != "comment"]
    if len(statements) != 1 or statements[0].type != "expression_statement":
        return None
    call = statements[0].named_children[0]
    if call.type != "call_expression" or node_text(call.child_by_field_name("function")) != "http.Redirect":
        return None
    args = _args(call)
    if len(args) != 4:
        return None
    request = node_text(args[1])
    target = node_text(args[2])
    if not _TARGET.match(target) and re.search(rf"\b{re.escape(request)}\b", target):
        return None  # a target read from the request (its query, a header): an open redirect, not this check's
    return node_text(call)


def check_go_listener(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "redirect_listener", "evidence"} for a :80 listener that only redirects to HTTPS."""
    f = as_finding(f)
    if f.kind != "code" or not str(f.path or "").endswith(".go") or not f.line:
        return None
    if not _RULE.search(f"{f.rule_id} {f.title or ''}"):
        return None
    source = finding_source(reader, f)
    if not source or not _TLS.search(source):
        return None
    root = parse_go(source)
    if root is None:
        return None
    line = int(f.line)
    calls = [n for n in walk(root) if n.type == "call_expression" and start_line(n) == line
             and node_text(n.child_by_field_name("function")).endswith("ListenAndServe")]
    if len(calls) != 1 or len(_args(calls[0])) != 2:
        return None
    handler = _args(calls[0])[1]
    tls = next(n for n, text in enumerate(source.splitlines(), 1) if _TLS.search(text))
    if handler.type == "call_expression" and node_text(handler.child_by_field_name("function")).endswith(".HTTPHandler") \
            and [node_text(a) for a in _args(handler)] == ["nil"] and _AUTOCERT.search(source):
        what = (f"autocert's `{node_text(handler)}`, which answers the ACME http-01 challenge and redirects every other "
                "request to HTTPS")
    else:
        redirect = _redirect_only(handler)
        if redirect is None:
            return None
        what = f"a handler whose only statement is `{redirect[:120]}`"
    return {"check": "code", "status": "redirect_listener",
            "evidence": f"not cleartext traffic: the plain-HTTP listener at {f.path}:{line} serves only {what}; the "
                        f"application itself is served over TLS (line {tls}), and a redirect on port 80 is how an "
                        "HTTPS site answers a browser that typed http://"}
