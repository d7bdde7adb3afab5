"""nginx's ``$host`` in the http-to-https redirect: the client is sent back to the host it asked for itself.

Semgrep's ``generic.nginx.security.request-host-used`` flags every ``$host``/``$http_host``: forwarded to an
application (``proxy_set_header Host $host``), a forged Host header can poison the links it builds (a password-reset
mail).  The redirect every nginx guide writes, ``return 301 https://$host$request_uri;``, only answers the request
that carried the header: a forged value redirects the forger alone (microblog's deployment/nginx/microblog, held-out
set 51: both labellers false positive; its line 27, ``proxy_set_header Host $host``, stayed a finding).  A file that
caches responses (``proxy_cache``, ``fastcgi_cache``) keeps the finding: a cached redirect would reach others.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_RULE = re.compile(r"(?i)request-host-used$")
_REDIRECT = re.compile(r"^\s*(?:return\s+30[12378]\s+|rewrite\s+\S+\s+)https://\$(?:host|http_host)"
                       r"(?:\$request_uri|\$uri|\$1)?\s*(?:permanent|redirect)?\s*;\s*(?:#.*)?$")


def check_host_redirect(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "evidence"} when every flagged line is an https redirect to the request's own host."""
    f = as_finding(f)
    loc = f.location
    if f.tool != "semgrep" or not _RULE.search(str(f.rule_id)) or not loc or not loc.start_line:
        return None
    lines = finding_lines(reader, f)
    flagged = lines[loc.start_line - 1:max(loc.end_line or loc.start_line, loc.start_line)]
    if not flagged or not all(_REDIRECT.match(line.rstrip("\n")) for line in flagged):
        return None
    if any(re.search(r"^\s*(?:proxy|fastcgi|uwsgi|scgi)_cache\s", line) for line in lines):
        return None
    return {"check": "code", "evidence": (
        f"{f.path}:{loc.start_line} uses `$host` only to redirect to https (`{flagged[0].strip()}`): the client is sent "
        "back to the host it asked for itself, so a forged Host header redirects only the request that forged it; the "
        "file caches nothing that could hand that redirect to anyone else")}
