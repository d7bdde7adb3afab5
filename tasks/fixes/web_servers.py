"""A web alert about what the server says of itself, fixed in the software that says it.

ZAP's solutions for "Server leaks version information" and "X-Powered-By"
say "configure your web server" - true of every server and a fix for none.
The alert's own evidence names the software (``Apache-Coyote/1.1`` is
Tomcat's connector, ``X-Powered-By: Express``), and each has one setting
that does it.  Alerts whose solution names no setting and whose evidence
names no software get no stage-2 row: "ensure it is configured properly"
cannot be merged.  A buffer-overflow alert on a web page (ZAP infers it
from a dropped connection) says nothing a fix could act on.
"""

from __future__ import annotations

import re

# (evidence pattern, what it is, language of the block, the setting)
_SERVERS = {
    "10036": [
        (r"Apache-Coyote|Tomcat", "Tomcat's HTTP connector", "xml",
         '<!-- conf/server.xml: the server attribute replaces the banner -->\n<Connector port="8080" protocol="HTTP/1.1" server="web" />'),
        (r"^nginx", "nginx", "nginx", "# http block of nginx.conf\nserver_tokens off;"),
        (r"^Apache(?:/|$)", "Apache httpd", "apache", "# httpd.conf\nServerTokens Prod\nServerSignature Off"),
        (r"Microsoft-IIS", "IIS", "xml",
         '<!-- web.config -->\n<system.webServer>\n  <security>\n    <requestFiltering removeServerHeader="true" />\n'
         '  </security>\n</system.webServer>'),
    ],
    "10037": [
        (r"Express", "Express", "javascript", "app.disable('x-powered-by');"),
        (r"PHP", "PHP", "ini", "; php.ini\nexpose_php = Off"),
        (r"ASP\.NET", "ASP.NET on IIS", "xml",
         '<!-- web.config -->\n<system.webServer>\n  <httpProtocol>\n    <customHeaders>\n'
         '      <remove name="X-Powered-By" />\n    </customHeaders>\n  </httpProtocol>\n</system.webServer>'),
        (r"Next\.js", "Next.js", "javascript", "// next.config.js\nmodule.exports = { poweredByHeader: false };"),
    ],
}
_GENERIC = re.compile(r"^Ensure that (?:your|the) (?:web server|application server|web/application server)[^.]*"
                      r"\bis (?:properly )?configured to [^.]*\.?$", re.I)
NO_ACTION = {"30001": "a buffer-overflow alert on a web response (ZAP infers it from a dropped connection): no change "
                      "can be named without the server program"}


def server_fix(rule: str, evidence: list[str], seen: str) -> str | None:
    """The one setting of the software the evidence names, or None."""
    for pattern, what, lang, block in _SERVERS.get(rule, []):
        hit = next((e for e in evidence if re.search(pattern, e)), None)
        if hit:
            header = "Server" if rule == "10036" else "X-Powered-By"
            return (f"The {header} header ({hit.strip()[:60]}) names {what}; turn it off there.{seen}\n"
                    f"```{lang}\n{block}\n```\nThis hides the banner only: it does not patch the version it named.")
    return None


def generic(solution: str) -> bool:
    """ZAP's "ensure your web server ... is configured to ..." with nothing to set."""
    return bool(_GENERIC.match(solution.strip().replace("etc.", "etc")))


_SCRIPT = re.compile(r"""<script[^>]*\ssrc=["']((?:https?:)?//[^"']+)["']""", re.I)
_VERSIONED = re.compile(r"/\d+(?:\.\d+)+/|@\d+(?:\.\d+)+")


def third_party_scripts(evidence: list[str], seen: str) -> str | None:
    """ZAP 10017: the page loads scripts from another origin.  A versioned file on a CDN can be pinned with
    Subresource Integrity (the browser refuses it if the CDN serves anything else); an unversioned one cannot."""
    urls = list(dict.fromkeys(u for e in evidence for u in _SCRIPT.findall(e)))
    pinned = [u for u in urls if _VERSIONED.search(u)]
    if not pinned:
        return None
    lines = []
    for u in pinned[:3]:
        full = "https:" + u if u.startswith("//") else u
        lines.append(f'<script src="{full}"\n        integrity="sha384-HASH" crossorigin="anonymous"></script>')
    cmd = "\n".join(f"curl -s {('https:' + u) if u.startswith('//') else u} | openssl dgst -sha384 -binary | openssl base64 -A"
                     for u in pinned[:3])
    return (f"Pin the versioned third-party scripts with Subresource Integrity, so the browser refuses them if the CDN "
            f"ever serves other code.{seen}\nCompute each file's hash:\n```sh\n{cmd}\n```\nand put it in the tag "
            f"(HASH is that output), loading over https rather than a protocol-relative URL:\n```html\n"
            + "\n".join(lines) + "\n```\nA later version of the file needs a new hash; "
            "copying the files onto the site's own origin removes the third party altogether.")
