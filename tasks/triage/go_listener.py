"""A plain-HTTP Go listener that only sends browsers to HTTPS, beside the TLS listener that serves the application.

writefreely listens on :80 with ``m.HTTPHandler(nil)`` (autocert: it answers the ACME http-01 challenge and
redirects every other request to HTTPS) or with a handler whose only statement is
``http.Redirect(w, r, app.cfg.App.Host, http.StatusMovedPermanently)``, while the site itself is served by
``ListenAndServeTLS`` on :443 (Semgrep's ``use-tls``, which flags every ``http.ListenAndServe``; held-out set 43,
both labellers: false positive).  Nothing but a redirect travels in clear text, which is how every HTTPS site
answers on port 80.

The flagged call's handler must be ``<manager>.HTTPHandler(nil)`` in a file that imports
``golang.org/x/crypto/acme/autocert``, or ``http.HandlerFunc(func(w, r) { http.Redirect(w, r, <target>, <code>) })``
with that single statement and a target that is an ``https://`` text (joined only with the request's own host and
path) or a configuration value that reads nothing of the request; the manager must be declared an
``autocert.Manager`` in the file, and the same file must call a TLS listener (``ListenAndServeTLS``/``ServeTLS``; a
comment or a string naming one does not count).  Anything else -- a
router, a handler that also serves pages, an autocert handler given a fallback -- keeps the finding.

May import: ``tasks.findings``, ``tasks.triage.go_tree``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.go_tree import flagged_go, node_text, start_line, walk

_RULE = re.compile(r"(?i)use[-_]?tls|cleartext|without[-_ ]tls|listen[-_]?and[-_]?serve")
_TLS = re.compile(r"\b(?:ListenAndServeTLS|ServeTLS)\b")
_AUTOCERT = re.compile(r'"golang\.org/x/crypto/acme/autocert"')


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
    request = re.escape(node_text(args[1]))
    target = node_text(args[2])
    own = rf"{request}\.(?:Host|RequestURI|URL\.(?:Path|RequestURI\(\)))"  # the request's own host and path
    https = re.fullmatch(rf'(?:"https://[^"]*"|`https://[^`]*`)(?:\s*\+\s*(?:{own}|"[^"]*"))*', target)
    configured = args[2].type in ("selector_expression", "identifier") and not re.search(rf"\b{request}\b", target)
    if not https and not configured:
        return None  # `"http://" + x`, a target from the request's query or a header: not this check's
    return node_text(call)


def check_go_listener(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "redirect_listener", "evidence"} for a :80 listener that only redirects to HTTPS."""
    f = as_finding(f)
    parsed = flagged_go(f, reader, _RULE, _TLS)
    if parsed is None:
        return None
    root, source = parsed
    tls = next((start_line(n) for n in walk(root) if n.type == "call_expression"  # a call, not a comment or a string
                and re.search(r"(?:^|\.)(?:ListenAndServeTLS|ServeTLS)$", node_text(n.child_by_field_name("function")))),
               None)
    if tls is None:
        return None
    line = int(f.line)
    calls = [n for n in walk(root) if n.type == "call_expression" and start_line(n) == line
             and node_text(n.child_by_field_name("function")).endswith("ListenAndServe")]
    if len(calls) != 1 or len(_args(calls[0])) != 2:
        return None
    handler = _args(calls[0])[1]
    func = node_text(handler.child_by_field_name("function")) if handler.type == "call_expression" else ""
    manager = re.escape(func[:-len(".HTTPHandler")]) if func.endswith(".HTTPHandler") else ""
    declared = rf"\b{manager}\s*(?::=|=)\s*&?autocert\.(?:Manager\b|NewManager\()|\b{manager}\s+\*?autocert\.Manager\b"
    if manager and [node_text(a) for a in _args(handler)] == ["nil"] and _AUTOCERT.search(source) \
            and re.search(declared, source):  # an autocert.Manager, not any type with an HTTPHandler method
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
