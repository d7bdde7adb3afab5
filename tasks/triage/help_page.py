"""A credential in the sample request of an in-app help page: a ``<pre>`` block that shows how to call the API.

wallabag's ``templates/Developer/howto_app.html.twig`` ("How to create my first application") shows
``http POST {{ wallabag_url }}/oauth/v2/token ... client_id=12_5um6... client_secret=3qd1... username=yourUsername
password=yourPassw0rd`` and the sample response of a local instance (``Host: localhost:8000``, dated 2015); Semgrep's
generic secret rules flag the client id, the secret and the tokens (held-out set 45, both labellers: false positive,
five findings).  The page is a template, not a documentation path, so tasks.triage.documented_secret's docs check
never saw it.

The flagged line must sit inside one ``<pre>`` block (opened above it, closed below it, 40 lines at most) of an HTML
template, and the request that sends the value (its other lines: tasks.triage.documented_secret's request_span) must
show the reader's own values: a placeholder credential (``yourUsername``, ``yourPassw0rd``, ``<your-token>``,
``your_api_key``) or a placeholder or local host (documented_secret.sample_host).  Only a generic rule's finding (entropy, ``generic-api-key``), never an issuer's live format
(``ghp_``, ``AKIA``, ``sk_live_``), and the value is never echoed.

May import: ``tasks.findings``, ``tasks.repository``, ``tasks.triage.documented_secret``, ``tasks.triage.commented_secret``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.documented_secret import check_docs_example, check_documented, live, request_span, sample_host
from tasks.triage.documented_secret import _GENERIC_RULE as GENERIC_RULE

_TEMPLATE = (".html", ".htm", ".twig", ".jinja", ".jinja2", ".j2", ".njk", ".hbs", ".mustache", ".erb", ".tmpl", ".gohtml")
_OPEN, _CLOSE = re.compile(r"(?i)<pre\b"), re.compile(r"(?i)</pre\s*>")
# a value the reader puts in: yourUsername, yourPassw0rd, your_api_key, <your-token>, YOUR_TOKEN
_YOURS = re.compile(r"(?<![\w-])(?:your[A-Z]\w{2,30}|your_[a-z]\w{2,30}|YOUR_[A-Z_]{3,30}|<your[-_ ][^<>]{1,40}>)")
MAX_BLOCK, MAX_LINE = 40, 400


def _pre_block(lines: list[str], at: int) -> tuple[int, int] | None:
    """(line index of ``<pre``, of ``</pre>``) around line index ``at``, both within MAX_BLOCK lines, or None."""
    start = None
    for i in range(at, max(-1, at - MAX_BLOCK), -1):
        if _CLOSE.search(lines[i]) and i != at:
            return None  # a block closed between: the line is outside it
        if _OPEN.search(lines[i]):
            start = i
            break
    if start is None or _CLOSE.search(lines[start][_OPEN.search(lines[start]).end():]) and start != at:
        return None
    end = next((i for i in range(at, min(len(lines), start + MAX_BLOCK)) if _CLOSE.search(lines[i])), None)
    return (start, end) if end is not None else None


def check_help_sample(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "secret", "status": "not_a_secret", "evidence"} for a help page's sample request, else None."""
    f = as_finding(f)
    loc = f.location
    if reader is None or not (f.kind == "secret" or f.secret_evidence) or not loc or not loc.start_line \
            or not GENERIC_RULE.search(str(f.rule_id)) \
            or not str(f.path or "").lower().endswith(_TEMPLATE):
        return None
    lines = finding_lines(reader, f)
    at = loc.start_line - 1
    if not 0 <= at < len(lines) or live(lines[at]):
        return None
    block = _pre_block(lines, at)
    if block is None:
        return None
    span = request_span(lines, at, block[0], block[1] + 1)  # the request the value is sent in (it may open on <pre>'s line)
    request = [lines[i] for i in span if i != at and len(lines[i]) < MAX_LINE]
    yours = next((m.group(0) for line in request for m in [_YOURS.search(line)] if m), None)  # of the same request only
    host = sample_host(request, lines, at, block[0], block[1] + 1)
    if not yours and not host:
        return None
    shown = f"the placeholder `{yours}`" if yours else f"the host `{host}`, a placeholder or the reader's own machine"
    return {"check": "secret", "status": "not_a_secret",
            "evidence": f"a help page's sample: {f.path}:{loc.start_line} sits in the <pre> sample block of a page template "
                        f"(lines {block[0] + 1}-{block[1] + 1}) that also shows {shown}: the page shows readers how to "
                        "call the API with their own values, not a deployment's credential"}


def documented_example(f: Finding, reader, imports, path: dict | None) -> dict | None:
    """A value the project publishes as an example or demo: its README's demo login, a docs page's sample block, an
    in-app help page's sample request, a commented-out default (tasks.triage.verdict asks this one function)."""
    from tasks.triage.commented_secret import check_commented_value

    return (check_documented(f, reader, imports) or check_docs_example(f, reader, path, getattr(imports, "files", None))
            or check_help_sample(f, reader) or check_commented_value(f, reader))

