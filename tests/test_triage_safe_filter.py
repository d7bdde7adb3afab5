"""|safe on a translated literal or on a form field's widget (held-out set 21, changedetection.io): a false positive
of the template rule; the neighbours that can carry someone else's markup stay as reported."""

from __future__ import annotations

import pytest
from test_triage_containers import Files

from tasks.triage.safe_filter import check_safe_filter
from tasks.triage.verdict import Judge

RULE = "python.flask.security.xss.audit.template-unescaped-with-safe"
HELPERS = """{% macro render_field(field) %}
  <label>{{ field.label.text }}</label>
  {{ field(**kwargs)|safe }}
  {% if field.errors %}<ul>{% for e in field.errors %}<li>{{ e }}</li>{% endfor %}</ul>{% endif %}
{% endmacro %}
"""
TEXT = """<ul>
  <li>{{ _('Use <code>//(?aiLmsux))</code> flags (more <a href="%(url)s">here</a>)', url='https://docs.python.org/3/library/re.html')|safe }}</li>
  <li>{{ _('Hello <b>%(name)s</b>', name=watch.title)|safe }}</li>
  <li>{{ result.content|safe }}</li>
  <li>{{ _('Plain <b>text</b>')|safe }} {{ result.content|safe }}</li>
</ul>
"""


def _semgrep(path: str, line: int) -> dict:
    return {"id": "4" * 32, "tool": "semgrep", "kind": "code", "severity": "medium", "rule_id": RULE, "title": RULE,
            "description": "d", "location": {"path": path, "start_line": line, "end_line": line}}


def test_a_translated_literal_with_literal_arguments_is_the_projects_own_markup():
    hit = check_safe_filter(_semgrep("templates/edit.html", 2), Files(TEXT))
    assert hit and hit["evidence"].startswith("no outside data behind |safe: at templates/edit.html:2 `_()` of a string "
                                              "literal with literal arguments (url='https://docs.python.org/3/library/re.html')")
    assert Judge(reader=Files(TEXT)).judge(_semgrep("templates/edit.html", 2))["verdict"] == "false_positive"


@pytest.mark.parametrize("line", [3, 4, 5])  # a variable argument; a result's content; a safe literal beside a result
def test_safe_on_a_value_that_can_carry_outside_markup_stays(line):
    assert check_safe_filter(_semgrep("templates/edit.html", line), Files(TEXT)) is None


def test_a_form_field_rendered_by_its_widget_escapes_itself():
    hit = check_safe_filter(_semgrep("templates/_helpers.html", 3), Files(HELPERS))
    assert hit and "`field(**kwargs)` renders a form field through its widget" in hit["evidence"]
    # the same call in a template that shows no sign of a form field (no field.errors/field.label) is not judged
    assert check_safe_filter(_semgrep("templates/x.html", 1), Files("{{ field(**kwargs)|safe }}\n")) is None
    # nor is a field called with an argument someone else may write
    assert check_safe_filter(_semgrep("templates/_helpers.html", 3),
                             Files(HELPERS.replace("field(**kwargs)", "field(placeholder=request.args.q)"))) is None


def test_safe_followed_by_tojson_is_escaped_for_the_script():
    """calibre-web's book_edit.html (held-out set 22): `{{ _('Loading...')|safe|tojson }}` in a script block."""
    page = "<script>\nvar t = {'loading': {{_('Loading...')|safe|tojson}}, 'who': {{ user.name|safe|tojson }}};\n</script>\n"
    hit = check_safe_filter(_semgrep("cps/templates/book_edit.html", 2), Files(page))
    assert hit and "`|tojson` after `|safe` serialises the value as JSON" in hit["evidence"]
    assert check_safe_filter(_semgrep("cps/templates/x.html", 1), Files("{{ user.name|safe|upper }}\n")) is None
