"""Checks from held-out set 19 (Healthchecks, Redash, Uptime Kuma, terraform-aws-vpc), measured before any of them
was written: each flags its case and leaves the neighbour that is a finding alone."""

from __future__ import annotations

import json

import pytest
from test_triage_containers import Files

from tasks.findings.secret_evidence import classify_one
from tasks.triage.plain_text import check_plain_text
from tasks.triage.redirect_target import check_redirect_target
from tasks.triage.verdict import Judge

SUDO = """from django.shortcuts import redirect


def sudo_mode(request):
    if "sudo_code" in request.POST:
        return redirect(request.path)
    return redirect(request.GET["next"])
"""


def _semgrep(rule, path, line):
    return {"id": "5" * 32, "tool": "semgrep", "kind": "code", "severity": "medium", "rule_id": rule, "title": rule,
            "description": "d", "location": {"path": path, "start_line": line, "end_line": line}}


def test_a_redirect_to_the_requests_own_path_stays_on_the_site():
    rule = "python.django.security.injection.open-redirect"
    reader = Files({"hc/accounts/decorators.py": SUDO})
    hit = check_redirect_target(_semgrep(rule, "hc/accounts/decorators.py", 6), reader)
    assert hit and "redirects to `request.path`, the path of the page this request asked for" in hit["evidence"]
    assert Judge(reader=reader).judge(_semgrep(rule, "hc/accounts/decorators.py", 6))["verdict"] == "false_positive"
    assert check_redirect_target(_semgrep(rule, "hc/accounts/decorators.py", 7), reader) is None  # ?next= is the user's
    both = SUDO.replace("return redirect(request.path)", "return redirect(request.GET['next']) if n else redirect(request.path)")
    assert check_redirect_target(_semgrep(rule, "hc/accounts/decorators.py", 6), Files({"hc/accounts/decorators.py": both})) is None
    absolute = SUDO.replace("redirect(request.path)", "redirect(request.build_absolute_uri())")
    assert check_redirect_target(_semgrep(rule, "hc/accounts/decorators.py", 6), Files({"hc/accounts/decorators.py": absolute})) is None


@pytest.mark.parametrize("path,text", [("templates/emails/alert-body-text.html", True), ("templates/emails/nag-body-text.html", True),
                                       ("templates/emails/welcome.txt", True), ("templates/emails/alert-body-html.html", False),
                                       ("templates/front/context.html", False), ("templates/textarea.html", False),
                                       ("widgets/rich-text.html", False), ("comments/comment_text.html", False),
                                       ("forms/widgets/text.html", False)])
def test_escaping_turned_off_in_a_plain_text_template_renders_no_html(path, text):
    f = _semgrep("python.flask.security.xss.audit.template-unescaped-with-safe", path, 83)
    hit = check_plain_text(f)
    assert bool(hit) is text
    if text:
        assert hit["evidence"].startswith(f"no HTML is rendered: {path} is a plain-text template")
        assert Judge().judge(f)["verdict"] == "false_positive"


def test_a_camel_case_ui_label_in_a_translation_file_is_no_secret(tmp_path):
    # Uptime Kuma's src/lang/nb-NO.json:991 "OneChatAccessToken": "OneChat-tilgangstoken"; Checkov's CKV_SECRET_6
    # masked the value in its report, so triage reads it from the file
    from tasks.findings.parsers.registry import parse_report

    assert classify_one("OneChatAccessToken")["class"] == classify_one("OneChat-tilgangstoken")["class"] == "plain-word"
    assert classify_one("kq8Zt2Lw9xVb4Nm7")["class"] == "high-entropy"
    masked = '    "OneChatAccessToken": "OneCh**********",\n'
    doc = {"results": {"failed_checks": [{"check_id": "CKV_SECRET_6", "check_name": "Base64 High Entropy String",
                                          "file_path": "/src/lang/nb-NO.json", "repo_file_path": "/src/lang/nb-NO.json",
                                          "file_line_range": [3, 4], "resource": "f187337c", "severity": None,
                                          "code_block": [[3, masked]], "guideline": "x"}]}, "check_type": "secrets"}
    (tmp_path / "checkov.json").write_text(json.dumps([doc]))
    f = parse_report(tmp_path / "checkov.json").findings[0]
    catalogue = '{\n    "Destination": "Destinasjon",\n    "OneChatAccessToken": "OneChat-tilgangstoken",\n    "Client ID": "Klient-ID"\n}\n'
    rec = Judge(reader=Files({"src/lang/nb-NO.json": catalogue})).judge(f)
    assert rec["verdict"] == "false_positive", rec
    assert "the translation catalogue src/lang/nb-NO.json" in rec["reasons"][0]["evidence"]
    key = catalogue.replace("OneChat-tilgangstoken", "kq8Zt2Lw9xVb4Nm7Rp3sQ")  # a real key in the same place stands
    assert Judge(reader=Files({"src/lang/nb-NO.json": key})).judge(f)["verdict"] != "false_positive"


def test_a_value_that_says_it_is_a_secret_is_typed_and_django_users_flags_are_no_calls():
    # held-out set 20's reason audit: Authelia's test environment sets hmac_secret: 'this_is_a_secret_abc123abc123abc'
    # (judged a setting's name), and `user.is_authenticated` was dismissed as 'a maintainability rule' where the
    # line is an access check: what decides is that Django's flag is a property
    from tasks.findings.secret_evidence import classify
    from tasks.triage.report_signals import triage as report_signal

    # typed by a person: a test's secret, or a guessable real key (weak: test data in tests, a finding elsewhere)
    assert classify(["this_is_a_secret_abc123abc123abc"], "generic-api-key", from_code=True)["class"] == "weak"
    assert classify(["Thisismypassword1"], "generic-api-key", from_code=True)["class"] != "placeholder"
    rule = "python.lang.maintainability.is-function-without-parentheses.is-function-without-parentheses"
    f = _semgrep(rule, "bookmarks/views/contexts.py", 117) | {"snippet": "public_only = not self.request.user.is_authenticated"}
    sig = report_signal(f)
    assert sig and "`self.request.user.is_authenticated` is a property (a bool) since Django 1.10" in sig["reason"]
    other = _semgrep(rule, "bookmarks/models.py", 9) | {"snippet": "if self.is_auto_close:"}
    assert "maintainability group" in report_signal(other)["reason"]  # no access check: the rule's group says enough
    for snippet in ("if subscription.is_active:", "if request.user.is_authenticated and doc.is_public:"):  # not a user's
        assert "Django" not in report_signal(other | {"snippet": snippet})["reason"], snippet


VIEW = """from flask import redirect, request, current_app, url_for


def auto_detect():
    redirect_url = request.args.get('redirect')
    from app.is_safe_url import is_safe_url
    if redirect_url and is_safe_url(redirect_url, current_app):
        return redirect(redirect_url)
    return redirect(url_for('index'))
"""
CHECK = """from urllib.parse import urlparse


def is_safe_url(target, app):
    parsed = urlparse(target.strip())
    if parsed.scheme or parsed.netloc:
        return False
    return True
"""


def test_a_redirect_inside_a_check_that_compares_the_urls_host_stays_on_the_site():
    """changedetection.io's language view (held-out set 21): `if url and is_safe_url(url, app): return redirect(url)`,
    and is_safe_url refuses a URL with a scheme or a host; both labellers called it a false positive."""
    rule = "python.flask.security.open-redirect.open-redirect"
    hit = check_redirect_target(_semgrep(rule, "app/views.py", 8), Files({"app/views.py": VIEW, "app/is_safe_url.py": CHECK}))
    assert hit and hit["evidence"].startswith("no open redirect: app/views.py:8 redirects to `redirect_url` only inside "
                                              "`if redirect_url and is_safe_url(redirect_url, current_app):` (line 7)")
    assert "(app/is_safe_url.py) parses the URL and compares its host" in hit["evidence"]
    # the neighbours: a check that only looks at the first character, a negated test, a check the repository lacks
    weak = CHECK.replace("parsed = urlparse(target.strip())\n    if parsed.scheme or parsed.netloc:", "if not target.startswith('/'):")
    assert check_redirect_target(_semgrep(rule, "app/views.py", 8), Files({"app/views.py": VIEW, "app/is_safe_url.py": weak})) is None
    negated = VIEW.replace("if redirect_url and is_safe_url", "if redirect_url and not is_safe_url")
    assert check_redirect_target(_semgrep(rule, "app/views.py", 8), Files({"app/views.py": negated, "app/is_safe_url.py": CHECK})) is None
    assert check_redirect_target(_semgrep(rule, "app/views.py", 8), Files({"app/views.py": VIEW})) is None
    django = ("from django.utils.http import url_has_allowed_host_and_scheme\nfrom django.shortcuts import redirect\n\n\n"
              "def login(request):\n    nxt = request.GET.get('next')\n    if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):\n"
              "        return redirect(nxt)\n    return redirect('/')\n")
    hit = check_redirect_target(_semgrep(rule, "app/views.py", 8), Files({"app/views.py": django}))
    assert hit and "Django's `url_has_allowed_host_and_scheme()` accepts only a URL on an allowed host" in hit["evidence"]
