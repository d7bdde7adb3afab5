"""Round 62's stage-1 rows that said only "test code": the test's place read from the syntax tree (a signature over
several lines hid it), a helper's docstring, an assert that guards a helper's own arguments, and the files that load a
test settings module - each beside the neighbour that stays as it was."""

from __future__ import annotations

from test_set57 import _judged

_HELPER = '''import hashlib


def signed_payload(
    data: dict, api_key: str
) -> bytes:
    """
    Return data signed with api_key, using the provider's webhook signature.

    More words.
    """
    signature = hashlib.md5(
        (data["body"] + api_key).encode()
    ).hexdigest()
    return signature.encode()


class BackendTests:
    def set_mock_response(
        self, success_emails=None, **kwargs
    ):
        """Pass success_emails to generate an API response."""
        if success_emails:
            assert kwargs.get("status_code", 200) == 200
            assert len(success_emails) > 0
        assert True

    def test_send(self):
        result = self.set_mock_response(["a@example.com"])
        assert result is None
'''


def test_a_test_helper_over_a_multi_line_signature_is_named_with_its_docstring(tmp_path):
    """django-anymail's `hashlib.md5(` inside `def unisender_go_signed_payload(\\n    data, api_key\\n) -> bytes:`
    was said to be "test code (line 40: ...)" with no function: the indentation walk stopped at `) -> bytes:`."""
    rec, said = _judged(tmp_path, {"tests/test_webhooks.py": _HELPER}, "bandit", "B324",
                        "Use of weak MD5 hash for security.", "tests/test_webhooks.py", 12, 12)
    assert rec["verdict"] == "false_positive"
    assert ('in signed_payload(), described as "Return data signed with api_key, using the provider\'s webhook '
            'signature."') in said, said
    assert "More words" not in said


def test_an_assert_on_a_helpers_argument_is_said_to_guard_the_helper():
    """set_mock_response's `assert kwargs.get("status_code", 200) == 200` checks what a test passed it (round 62's
    grader: "it does not say the asserts are argument guards in the mock helper"); an assert of the test's own
    result, and a helper's assert that reads none of its arguments, keep the stock sentence."""
    from tasks.triage import report_signals
    from test_round45_rows import _repo
    from test_triage_hygiene import finding

    def reason(line, tmp):
        judge = _repo(tmp, {"tests/test_backend.py": _HELPER})
        f = finding(tool="bandit", rule_id="B101", title="Use of assert detected.",
                    location={"path": "tests/test_backend.py", "start_line": line, "end_line": line})
        return report_signals.triage(f, judge.reader)["reason"]

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        guard = reason(24, Path(tmp) / "a")
        assert "in set_mock_response(), described as \"Pass success_emails to generate an API response.\"" in guard
        assert ("it checks `kwargs`, an argument of the helper set_mock_response() (not a test), so it fails only when "
                "a test calls that helper wrongly. An `assert` in a test file is how") in guard, guard
        assert "it checks `success_emails`" in reason(25, Path(tmp) / "b")
        plain = reason(26, Path(tmp) / "c")  # `assert True`: no argument read
        assert "it checks" not in plain and " and an `assert` in a test file" in plain, plain
        own = reason(30, Path(tmp) / "d")  # a test's own result
        assert "in test_send()" in own and "it checks" not in own, own


def test_a_test_settings_module_names_the_files_that_load_it(tmp_path):
    """django-reversion's tests/test_project/settings.py `SECRET_KEY = "..."` (round 62's grader: "no word that this is
    the SECRET_KEY of the test Django project, used by tests/manage.py"); a settings file nothing names says only
    the path."""
    settings = 'SECRET_KEY = "Vq7Rm2Xk9Lp4Tz8Nw3Yh6Jd"\nDEBUG = True\n'
    manage = ('import os, sys\n\nif __name__ == "__main__":\n'
              '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "test_project.settings")\n')
    files = {"tests/test_project/settings.py": settings, "tests/manage.py": manage,
             "tox.ini": "[testenv]\ncommands = python tests/manage.py test\n"}
    title = "Possible hardcoded password: 'Vq7Rm2Xk9Lp4Tz8Nw3Yh6Jd'"
    rec, said = _judged(tmp_path / "a", files, "bandit", "B105", title, "tests/test_project/settings.py", 1, 1)
    assert rec["verdict"] == "false_positive"
    assert ("tests/test_project/settings.py is the settings module the test runs load (`test_project.settings`, named "
            "at tests/manage.py:4)") in said, said
    del files["tests/manage.py"]
    rec, said = _judged(tmp_path / "b", files, "bandit", "B105", title, "tests/test_project/settings.py", 1, 1)
    assert rec["verdict"] == "false_positive" and "settings module" not in said, said


def test_a_secret_lines_docstring_that_quotes_a_value_is_left_out():
    """Beside a secret rule's line the docstring may quote the password: one with a quoted word is not said there; one
    with a token-shaped word is said nowhere (it may be a key whatever the rule); a code rule's line keeps a quoted
    plain word."""
    import ast

    from tasks.triage.test_site import docstring_lead

    func = ast.parse('def test_login():\n    """Log in with password \'swordfish\' and fail."""\n').body[0]
    assert docstring_lead(func, code=False) is None
    assert docstring_lead(func, code=True).startswith("Log in with password")
    token = ast.parse('def test_login():\n    """Log in with Vq7Rm2Xk9Lp4Tz8Nw3Yh6Jd as the key."""\n').body[0]
    assert docstring_lead(token, code=False) is None and docstring_lead(token, code=True) is None
    plain = ast.parse('def test_login():\n    """Log in with a wrong password and expect a 403."""\n').body[0]
    assert docstring_lead(plain, code=False) == "Log in with a wrong password and expect a 403."


def test_pass_as_a_verb_in_a_keyword_is_no_password(tmp_path):
    """django-ninja's `@paginate(PageNumberPagination, pass_parameter="page_info")` (round 62's grader: "'page_info' is
    not a credential ... B106 fired only because the keyword name contains 'pass'"); `db_pass=` still names one."""
    from tasks.triage.secret_names import check_secret_name
    from test_round45_rows import _repo
    from test_triage_hygiene import finding

    code = ('from ninja.pagination import paginate\n\n\n@paginate(page_size=10, pass_parameter="page_info")\ndef items(request, **kw):\n'
            '    return []\n\n\nconnect(db_pass="page_info")\n')
    reader = _repo(tmp_path, {"tests/test_pagination.py": code}).reader

    def said(line):
        f = finding(tool="bandit", rule_id="B106", title="Possible hardcoded password: 'page_info'",
                    location={"path": "tests/test_pagination.py", "start_line": line, "end_line": line})
        return check_secret_name(f, reader)

    assert "`pass` is the verb" in said(4)["evidence"]
    assert said(9) is None
