"""ZAP alerts: the header, cookie flag or server setting to change, from the alert's own solution text and what ZAP
saw (tasks.fixes.web_servers names the server-specific line); injection alerts get the fix in the server code,
obsolete and informational ones no change.

May import: ``tasks.core``, ``tasks.findings``, ``tasks.fixes``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.fixes.patterns.prose import PROSE
from tasks.fixes.web_servers import NO_ACTION, generic, server_fix, third_party_scripts


_ZAP_HEADERS = {
    "10020": "X-Frame-Options: DENY\nContent-Security-Policy: frame-ancestors 'none'",
    "10021": "X-Content-Type-Options: nosniff",
    "10035": "Strict-Transport-Security: max-age=31536000; includeSubDomains",
    "10038": "Content-Security-Policy: default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'",
    "10063": "Permissions-Policy: geolocation=(), camera=(), microphone=()",
    "10015": "Cache-Control: no-store",
    "10049": "Cache-Control: no-store",
}
# cookie attribute alerts: (attribute, what it changes for the site)
_COOKIE_FLAGS = {
    "10010": ("HttpOnly", "Only for cookies no script of the site reads (session and auth cookies): a cookie the page's "
                          "JavaScript reads stops working with HttpOnly."),
    "10011": ("Secure", "The browser then sends it only over HTTPS: a page still served over plain HTTP loses it."),
    "10054": ("SameSite=Lax", "Lax still sends it on top-level navigation; a cookie that cross-site requests or embeds "
                              "need (a payment or SSO flow) needs SameSite=None; Secure instead."),
}
_OBSOLETE_CSP = re.compile(r",? to achieve optimal browser support: .*?(?:Safari 6\+\.|$)", re.S)
_CSP_MISSING = re.compile(r"The directive\(s\): ([\w\-, ]+?) (?:is|are) among the directives that do not fallback")
_CSP_DEFAULTS = {"frame-ancestors": "'none'", "form-action": "'self'", "base-uri": "'self'"}
# X-XSS-Protection is deprecated (browsers removed the filter; OWASP now advises "0" or omitting it)
_OBSOLETE = {"10016"}
_INJECTION = {"xss", "sql-injection", "command-injection", "path-traversal", "open-redirect", "csrf", "ssrf",
              "code-injection", "ldap-injection", "xxe"}
_INFORMATIONAL = re.compile(r"informational alert|no changes are required|nothing to fix", re.I)


def web_fix(f: Finding | dict, family: str | None = None) -> tuple[str | None, str, dict]:
    """ZAP and other DAST findings: the header/cookie setting or the alert's solution, on the URLs seen.

    Injection alerts (XSS, SQL injection, ...) carry CWE boilerplate as their solution; they get the
    family's precise prose instead, since the server's language is unknown from a DAST scan."""
    f = as_finding(f)
    hint = (f.fix_hint or "").strip()
    if str(f.rule_id) in _OBSOLETE:
        return None, "obsolete check", {}
    if not hint or _INFORMATIONAL.search(hint):
        return None, "informational alert, nothing to fix", {}
    instances = f.instances or []
    uris = list(dict.fromkeys(i.get("uri") for i in instances if i.get("uri")))[:3]
    params = list(dict.fromkeys(i.get("param") for i in instances if i.get("param")))[:3]
    seen = f" Seen on {', '.join(uris)}" + (f" (parameter {', '.join(params)})" if params else "") + "." if uris else ""
    if str(f.rule_id) in _COOKIE_FLAGS:
        if not params:
            return None, "the cookie is not named in the report", {}
        flag, caveat = _COOKIE_FLAGS[str(f.rule_id)]
        text = (f"Set the {flag} attribute where the server sets the cookie{'s' if len(params) > 1 else ''} "
                f"{', '.join(params)}{' (' + ', '.join(uris) + ')' if uris else ''}: its Set-Cookie header then ends in "
                f"`; {flag}`. {caveat}")
        return text, "config-setting", {"fix_family": f"header:{f.rule_id}"}
    if str(f.rule_id) in NO_ACTION:
        return None, NO_ACTION[str(f.rule_id)], {}
    evidence = [str(i.get("evidence") or "") for i in instances] + [f.snippet or ""]
    named = server_fix(str(f.rule_id), [e for e in evidence if e], seen)
    if str(f.rule_id) == "10017":
        named = third_party_scripts(evidence, seen)
        if not named:
            return None, "third-party scripts without a version to pin: no change can be named", {}
    if named:
        return named, "config-setting", {"fix_family": f"web:{f.rule_id}"}
    header = _ZAP_HEADERS.get(str(f.rule_id))
    missing = _CSP_MISSING.search(f.description or "") if str(f.rule_id) == "10055" else None
    if missing and f.snippet:  # the policy is sent; it lacks directives that do not fall back to default-src
        names = [n.strip() for n in missing.group(1).split(",") if n.strip() in _CSP_DEFAULTS]
        if names:
            policy = f.snippet.strip().rstrip(";") + "; " + "; ".join(f"{n} {_CSP_DEFAULTS[n]}" for n in names)
            text = (f"The policy is sent but lacks {', '.join(names)}, which do not fall back to default-src.{seen}\n"
                    f"Add them to the Content-Security-Policy the server sends:\n```text\nContent-Security-Policy: {policy}\n```")
            return text, "config-setting", {"fix_family": "header:10055"}
    # a DAST scan does not know the server's language: ZAP's "use JSP/ASP/PHP comments" fits few of the sites it scans
    hint = " ".join(s for s in re.split(r"(?<=\.)\s+", hint) if not re.search(r"\bJSP/ASP/PHP\b", s)).strip() or hint
    solution = hint if len(hint) <= 600 else hint[:600].rsplit(". ", 1)[0] + "."
    if family in _INJECTION and family in PROSE and not header:
        text = f"{f.title}.{seen}\nFix in the server code: {PROSE[family]}"
        return text, "pattern", {"fix_family": family}
    if header:
        solution = _OBSOLETE_CSP.sub("", solution).strip()
        solution += "" if solution.endswith((".", "!")) else "."
        text = (f"{solution}{seen}\nConfigure the web server, reverse proxy or the framework's response middleware "
                f"to send:\n```text\n{header}\n```")
        if str(f.rule_id) == "10038":
            text += ("\nThis policy blocks inline scripts and event handlers (onclick=...) and scripts from other origins: "
                     "send it first as Content-Security-Policy-Report-Only, fix what it reports, then enforce it.")
        return text, "config-setting", {"fix_family": f"header:{f.rule_id}"}
    if generic(solution):
        return None, "the alert's solution names no setting and its evidence no server software", {}
    return f"{solution}{seen}", "config-setting", {"fix_family": f"web:{f.rule_id}"}
