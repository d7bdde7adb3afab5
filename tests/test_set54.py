"""Held-out set 54's misses and row defects (nitely/Spirit, gothinkster/flask-realworld-example-app,
terraform-aws-customer-gateway, terraform-aws-managed-service-prometheus, wagtail-nest/wagtail-bakery), each beside the
neighbour that stays as it was."""

from __future__ import annotations

import subprocess

from test_fixes_api_workflows import STALE
from test_library_reasons import PRE_COMMIT
from test_triage_constant_data import _repo
from test_triage_hygiene import finding


def test_a_no_min_script_is_the_projects_own_unminified_build():
    """Spirit's gulpfile renames its CoffeeScript output to *.no-min.js (not minified): it is no library copy (a
    stage-2 row suggested a .semgrepignore for the only copy Semgrep scans)."""
    from tasks.triage.paths import is_library

    assert not is_library("spirit/core/static/spirit/scripts/js/notification.no-min.js")
    assert is_library("spirit/core/static/spirit/scripts/vendors/marked.min.js")
    assert is_library("static/rest_framework/js/prettify-min.js")


def test_a_tag_pinned_action_on_pull_request_beside_a_workflow_that_writes_with_the_default_token(tmp_path):
    """terraform-aws-modules' pre-commit.yml (set 54: both labellers, a finding): stale-actions.yaml shows the default
    token can write, and a branch's pull request runs the tag-pinned action with it."""
    rule = "yaml.github-actions.security.third-party-action-not-pinned-to-commit-sha"
    for name, files, fp in (("alone", {".github/workflows/pre-commit.yml": PRE_COMMIT}, True),
                            ("beside", {".github/workflows/pre-commit.yml": PRE_COMMIT,
                                        ".github/workflows/stale-actions.yaml": STALE}, False),
                            ("read-only", {".github/workflows/pre-commit.yml": PRE_COMMIT.replace(
                                "jobs:", "permissions:\n  contents: read\njobs:"),
                                ".github/workflows/stale-actions.yaml": STALE}, True)):
        judge = _repo(tmp_path / name, files)
        subprocess.run(["git", "-C", str(tmp_path / name / "repo"), "-c", "user.name=t", "-c", "user.email=t@t", "commit",
                        "-qm", "t"], check=True)
        rec = judge.judge(finding(tool="semgrep", rule_id=rule, title=rule,
                                  location={"path": ".github/workflows/pre-commit.yml", "start_line": 10, "end_line": 10}))
        said = " | ".join(r["evidence"] for r in rec["reasons"])
        assert (rec["verdict"] == "false_positive") is fp, (name, said)
        if not fp:
            assert rec["verdict"] == "needs_review" and "stale-actions.yaml (actions/stale) writes with it" in said, said


_MAIL_TEMPLATE = ("{% load i18n %}{% autoescape off %}\n{% blocktrans trimmed %}\n  You registered at {{ site_name }}.\n"
                  "{% endblocktrans %}\n{{ site }}{% url 'user:activate' pk=user_id token=token %}\n{% endautoescape %}\n")
_SENDER = ('from django.core.mail import EmailMessage\nfrom django.template.loader import render_to_string\n\n\n'
           'def send_activation_email(user, token):\n    template_name = "app/user/activation_email.html"\n'
           '    message = render_to_string(template_name, {"user_id": user.pk, "token": token})\n'
           '    EmailMessage(subject="Activate", body=message, to=[user.email]).send()\n')


def test_an_email_template_the_project_sends_only_as_plain_text(tmp_path):
    """Spirit's activation_email.html (set 54: both labellers, three findings): rendered by render_to_string into an
    EmailMessage body, and nothing in the repository sends an HTML part; an HTML part anywhere, a template no Python
    names, or a page template keeps the finding."""
    html_part = _SENDER + ('\n\ndef send_digest(user):\n    msg = EmailMultiAlternatives("Digest", "", to=[user.email])\n'
                           '    msg.attach_alternative(render_to_string("app/digest.html", {}), "text/html")\n')
    page = {"app/templates/app/user/profile_email.html": _MAIL_TEMPLATE, "app/views.py": _SENDER}
    for name, files, path, fp in (
            ("sent", {"app/templates/app/user/activation_email.html": _MAIL_TEMPLATE, "app/utils/email.py": _SENDER},
             "app/templates/app/user/activation_email.html", True),
            ("html-part", {"app/templates/app/user/activation_email.html": _MAIL_TEMPLATE, "app/utils/email.py": html_part},
             "app/templates/app/user/activation_email.html", False),
            ("unnamed", page, "app/templates/app/user/profile_email.html", False),
            ("page", {"app/templates/app/user/activation.html": _MAIL_TEMPLATE,
                      "app/utils/email.py": _SENDER.replace("activation_email.html", "activation.html")},
             "app/templates/app/user/activation.html", False)):
        judge = _repo(tmp_path / name, files)
        for rule, line in (("python.django.security.audit.xss.template-autoescape-off", 1),
                           ("python.django.security.audit.xss.template-blocktranslate-no-escape", 2)):
            rec = judge.judge(finding(tool="semgrep", rule_id=rule, title=rule,
                                      location={"path": path, "start_line": line, "end_line": line}))
            said = " | ".join(r["evidence"] for r in rec["reasons"])
            assert (rec["verdict"] == "false_positive") is fp, (name, rule, said)
            assert ("app/utils/email.py:6" in said and "text/plain" in said) is fp, (name, rule, said)
