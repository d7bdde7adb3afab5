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


def test_a_scanner_fix_that_switches_to_a_user_the_image_never_creates_is_refused():
    """Semgrep's missing-user autofix `USER non-root` (round 19: five harmful rows; the container stops at start)."""
    from tasks.fixes.scanner_fixes import missing_user, review

    dockerfile = "FROM python:3.12-slim\nWORKDIR /code\nCOPY . .\nCMD [\"uwsgi\", \"app.ini\"]\n"
    refusal, _ = review("container-root-user", [], ["USER non-root", 'CMD ["uwsgi", "app.ini"]'], dockerfile)
    assert refusal and "`non-root`" in refusal and "never creates" in refusal
    made = "FROM python:3.12-slim\nRUN useradd --create-home app\nCMD [\"python\"]\n"
    assert missing_user(["USER app"], made) is None
    assert missing_user(["USER 10001"], dockerfile) is None and missing_user(["USER node"], "FROM node:20\n") is None
    assert missing_user(["USER node"], dockerfile) == "node"  # a python image has no `node` user


def test_a_scanner_fix_that_drops_an_assignment_is_refused():
    """Semgrep's XXE autofix on `db = dbf.newDocumentBuilder();` (round 19, harmful: the method then returns null)."""
    from tasks.fixes.scanner_fixes import review

    removed = ["      db = dbf.newDocumentBuilder();"]
    added = ['      dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);', "      dbf.newDocumentBuilder();"]
    refusal, _ = review("xxe", removed, added)
    assert refusal and "`db`" in refusal
    kept = ['      dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);', "      db = dbf.newDocumentBuilder();"]
    assert review("xxe", removed, kept)[0] is None


def test_the_http_client_builder_autofix_that_does_not_compile_is_refused():
    from tasks.fixes.scanner_fixes import review

    refusal, _ = review("weak-crypto", ["HttpClient httpclient = new DefaultHttpClient();"],
                        ["HttpClient httpclient = new HttpClientBuilder();"])
    assert refusal and "HttpClientBuilder.create().build()" in refusal


def test_the_jwt_autofix_without_a_key_is_refused():
    """Flagsmith (round 21, harmful): `jwt.decode(token, options={"verify_signature": True})` raises on every token."""
    from tasks.fixes.scanner_fixes import review

    before = ['        unverified = jwt.decode(token, options={"verify_signature": False})']
    after = ['        unverified = jwt.decode(token, options={"verify_signature": True})']
    refusal, _ = review("jwt", before, after)
    assert refusal and "algorithms" in refusal
    keyed = ['        claims = jwt.decode(token, key, algorithms=["RS256"], options={"verify_signature": True})']
    assert review("jwt", before, keyed)[0] is None


def test_a_nosec_suppression_keeps_the_lines_indentation():
    """Round 21: ten suppression rows pasted `return ...` at column 0, which no longer compiles inside a function."""
    import ast

    from tasks.fixes.suppression import suppression_for

    f = {"id": "n" * 32, "tool": "bandit", "rule_id": "B101", "kind": "code", "severity": "low", "title": "assert used",
         "description": "d", "location": {"path": "tests/test_api.py", "start_line": 12, "end_line": 12},
         "snippet": "11 def test_it():\n12     assert response.status_code == 200\n13 \n"}
    rec = {"verdict": "false_positive", "reasons": [{"check": "report", "evidence": "harmless in test code: tests/test_api.py is a test"}]}
    lang, text = suppression_for(f, rec)
    assert lang == "python" and "\n    assert response.status_code == 200  # nosec B101" in text
    ast.parse("def test_it():\n" + text + "\n")  # placed in its function, the pair compiles


def test_a_flask_rule_on_django_code_keeps_djangos_advice():
    """Flagsmith (round 21): `direct-use-of-jinja2` fired on `django.template.loader.get_template`."""
    f = _f("python.flask.security.xss.audit.direct-use-of-jinja2", "api/app/views.py",
           "from django.template import loader\n\nreturn loader.get_template('index.html').render(ctx)\n")
    answer = fix_for(f, ["CWE-79"])[0]
    assert "format_html" in answer and "Markup('Saved" not in answer
