"""Checks from held-out set 34 (mwdb-core, django-cms, terraform-aws-apigateway-v2, binderhub, homebox), written after
its measurement (86/115 for the right reason on the session's last code), each with the neighbour that stays."""

from __future__ import annotations


def test_googles_published_recaptcha_test_keys_are_documented_examples():
    """mwdb-core's compose.with-e2e.yml: `MWDB_RECAPTCHA_SECRET: "6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe"`, the
    key pair Google publishes for automated tests (both labellers: false positive)."""
    from tasks.findings.secret_evidence import classify_one

    for key in ("6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI", "6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe"):
        seen = classify_one(key)
        assert seen["class"] == "example" and seen["match"] == "Google's published reCAPTCHA test key"
    assert classify_one("6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWf")["class"] == "high-entropy"  # one character off


def test_a_403_response_of_translated_literal_text_is_constant():
    """django-cms's placeholderadmin.py: `HttpResponseForbidden(message)` with `message = _('You do not have
    permission to add a plugin')` (direct-use-of-httpresponse, three findings)."""
    from tasks.triage.escaped_py import escaped_sink

    code = ("from django.http import HttpResponseBadRequest, HttpResponseForbidden\nfrom django.utils.translation import "
            "gettext as _\n\n\ndef add(request, ok):\n    if not ok:\n        message = _('You do not have permission')\n"
            "        return HttpResponseForbidden(message)\n    try:\n        run()\n    except ValueError as er:\n"
            "        return HttpResponseBadRequest(er)\n")
    rule = "python.django.security.audit.xss.direct-use-of-httpresponse.direct-use-of-httpresponse t"
    hit = escaped_sink(code, 8, rule)
    assert hit and hit["evidence"].startswith("constant data: HttpResponseForbidden() at line 8 wraps only literal text")
    assert escaped_sink(code, 12, rule) is None  # an exception's text
