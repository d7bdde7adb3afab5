"""The XSS fix fits the framework (round 18: Django's format_html offered for Flask templates and Markup calls)."""

from tasks.fixes import fix_for


def _f(rule_id: str, path: str, snippet: str) -> dict:
    return {"id": "x1", "tool": "semgrep", "rule_id": rule_id, "kind": "code", "severity": "medium", "cwe": ["CWE-79"],
            "title": "Detected explicitly unescaped content using 'Markup()'", "description": "xss",
            "location": {"path": path, "start_line": 3, "end_line": 3}, "snippet": snippet}


def test_a_flask_project_gets_markup_format_and_a_django_one_format_html():
    flask = _f("python.flask.security.xss.audit.explicit-unescape-with-markup", "forum/helpers.py",
               "from markupsafe import Markup\n\nreturn Markup(user_html)\n")
    answer = fix_for(flask, ["CWE-79"])[0]
    assert "Markup('Saved. You may edit it <a href=\"{}\">here</a>.').format(url)" in answer and "format_html" not in answer
    django = _f("python.django.security.audit.avoid-mark-safe", "core/templatetags/extras.py",
                "from django.utils.safestring import mark_safe\n\nreturn mark_safe(html)\n")
    assert "format_html" in fix_for(django, ["CWE-79"])[0]
