"""A subresource-integrity finding on a vendor's loader script, which the vendor changes in place (set 39, listmonk).

Semgrep's ``missing-integrity`` asks for an ``integrity`` hash on every external ``<script src>``.  A hash pins the
file's exact bytes, which is right for a versioned library on a CDN.  A handful of services load from one
unversioned URL that they update without notice and document as such: the script must be loaded from their
host, as is, for the service to work (reCAPTCHA, hCaptcha, Cloudflare Turnstile, Stripe.js, the Google Maps
JavaScript API, Google's tag loader, PayPal's SDK).  A fixed hash breaks the page on the vendor's next update,
so the rule's fix does not apply; trusting that origin is the decision the page already made (a CSP limits it).
Both labellers of set 39: false positive (hCaptcha's ``js.hcaptcha.com/1/api.js``).

May import: ``tasks.findings``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import finding_source

# host and path of each loader -> the service
_LOADERS = (
    (re.compile(r"^(?:www\.)?recaptcha\.net/recaptcha/|^www\.google\.com/recaptcha/|^www\.gstatic\.com/recaptcha/"),
     "Google reCAPTCHA"),
    (re.compile(r"^(?:js\.)?hcaptcha\.com/1/api\.js"), "hCaptcha"),
    (re.compile(r"^challenges\.cloudflare\.com/turnstile/"), "Cloudflare Turnstile"),
    (re.compile(r"^js\.stripe\.com/v\d+/?"), "Stripe.js"),
    (re.compile(r"^maps\.googleapis\.com/maps/api/js"), "the Google Maps JavaScript API"),
    (re.compile(r"^www\.googletagmanager\.com/(?:gtag/js|gtm\.js)"), "Google's tag loader"),
    (re.compile(r"^www\.paypal\.com/sdk/js"), "PayPal's JavaScript SDK"),
)
_SRC = re.compile(r"""\bsrc\s*=\s*["']?(?:https?:)?//([^"'\s>]+)""", re.I)


def check_vendor_loader(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "evidence"} for missing-integrity on a script a vendor updates in place, else None."""
    f = as_finding(f)
    loc = f.location
    if f.tool != "semgrep" or not str(f.rule_id).endswith("missing-integrity") or reader is None or not loc \
            or not loc.start_line:
        return None
    lines = finding_source(reader, f).splitlines()
    flagged = "\n".join(lines[loc.start_line - 1:max(loc.end_line or loc.start_line, loc.start_line)])
    urls = _SRC.findall(flagged)
    if len(urls) != 1:
        return None
    service = next((name for rx, name in _LOADERS if rx.search(urls[0])), None)
    if service is None:
        return None
    return {"check": "code", "status": "vendor_loader", "evidence": (
        f"a hash cannot pin this script: {f.path}:{loc.start_line} loads {service}'s loader from "
        f"`https://{urls[0][:80]}`, one unversioned URL the vendor updates in place and requires be loaded from its "
        "own host, so a fixed integrity hash would break the page on its next update; subresource integrity is for "
        "versioned files, and trusting this origin is what using the service means")}
