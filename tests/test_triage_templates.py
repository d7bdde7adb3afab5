"""Template findings the template answers (tasks.triage.template_forms), set 13's labels: Flask-WTF forms flagged by
Django's CSRF rule, and {% blocktranslate %} blocks.  The templates are written for the tests."""

from __future__ import annotations

from repo_reader import FilesReader

from tasks.triage.template_forms import check_blocktranslate, check_form_csrf


def _f(rule: str, path: str, line: int) -> dict:
    return {"id": "e" * 32, "tool": "semgrep", "rule_id": f"python.django.security.{rule}", "kind": "code",
            "severity": "medium", "title": "t", "description": "d", "location": {"path": path, "start_line": line}}


FLASK_FORM = ('{% extends "layout.html" %}\n<form class="form" method="post">\n    {{ form.hidden_tag() }}\n'
              '    {{ form.email }}\n</form>\n<form method="post">\n  <input name="q">\n</form>\n')


def test_a_flask_form_with_its_token_is_a_false_positive_and_one_without_stays():
    reader = FilesReader({"templates/reset.html": FLASK_FORM})
    hit = check_form_csrf(_f("django-no-csrf-token", "templates/reset.html", 2), reader)
    assert hit and "line 3" in hit["evidence"] and "hidden_tag()" in hit["evidence"]
    assert check_form_csrf(_f("django-no-csrf-token", "templates/reset.html", 6), reader) is None  # no token: stays
    assert check_form_csrf(_f("django-no-csrf-token", "templates/reset.html", 2), None) is None
    hidden = FilesReader({"t.html": '<form method="POST">\n<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">\n</form>\n'})
    assert "line 2" in check_form_csrf(_f("django-no-csrf-token", "t.html", 1), hidden)["evidence"]


BLOCKS = ("{% load i18n %}\n{% blocktranslate %}Your key never expires.{% endblocktranslate %}\n"
          "{% blocktranslate with name=gym.name %}Welcome to {{ name }}, {{ user.username }}{% endblocktranslate %}\n"
          "{% blocktrans %}Hello {{ bio|safe }}{% endblocktrans %}\n"
          "{% blocktranslate with x=html|safe %}See {{ x }}{% endblocktranslate %}\n")


def test_blocktranslate_without_safe_values_is_a_false_positive():
    reader = FilesReader({"user/overview.html": BLOCKS})
    static = check_blocktranslate(_f("audit.xss.template-blocktranslate-no-escape", "user/overview.html", 2), reader)
    assert static and "no variable" in static["evidence"]
    named = check_blocktranslate(_f("audit.xss.template-blocktranslate-no-escape", "user/overview.html", 3), reader)
    assert named and "name, user.username" in named["evidence"]
    assert check_blocktranslate(_f("audit.xss.template-blocktranslate-no-escape", "user/overview.html", 4), reader) is None
    assert check_blocktranslate(_f("audit.xss.template-blocktranslate-no-escape", "user/overview.html", 5), reader) is None
    assert check_blocktranslate(_f("django-no-csrf-token", "user/overview.html", 2), reader) is None  # another rule


def test_a_thymeleaf_form_is_not_a_django_template():
    """WebGoat (set 15): Semgrep's Django rule on Thymeleaf lesson templates (`th:action`)."""
    page = ('<form class="attack-form" accept-charset="UNKNOWN"\n      method="POST" name="form"\n'
            '      th:action="@{/ChromeDevTools/network}">\n  <input name="x">\n</form>\n')
    hit = check_form_csrf(_f("django-no-csrf-token", "lessons/ChromeDevTools.html", 1), FilesReader({"lessons/ChromeDevTools.html": page}))
    assert hit and "a Thymeleaf form" in hit["evidence"] and "line 3" in hit["evidence"]
    plain = page.replace('      th:action="@{/ChromeDevTools/network}">', '      action="/network">')
    assert check_form_csrf(_f("django-no-csrf-token", "x.html", 1), FilesReader({"x.html": plain})) is None


def test_blocktranslate_under_autoescape_off_is_judged_by_the_file_it_is_in():
    """paperless-ngx's account e-mail (round 27, set 22): "which Django escapes" was false inside {% autoescape off %};
    the .txt body is no HTML, and the same block in an HTML page is left for review."""
    text = ("{% load i18n %}{% autoescape off %}\n{% blocktranslate with site_name=current_site.name %}Hello from "
            "{{ site_name }}!{% endblocktranslate %}\n{% endautoescape %}\n")
    rule = "audit.xss.template-blocktranslate-no-escape"
    mail = check_blocktranslate(_f(rule, "account/email/base_message.txt", 2), FilesReader({"account/email/base_message.txt": text}))
    assert mail and "inside `{% autoescape off %}` of a plain-text template" in mail["evidence"]
    assert "which Django escapes" not in mail["evidence"]
    assert check_blocktranslate(_f(rule, "account/page.html", 2), FilesReader({"account/page.html": text})) is None
