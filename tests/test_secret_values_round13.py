"""What counts as a secret's value in a flagged line: held-out round 13's over-redactions and a wrong length."""

from __future__ import annotations

from tasks.findings.parsers.finalise import finalise
from tasks.findings.secrets import plausible, scrub


def test_a_value_that_is_a_secrets_own_name_or_a_number_is_no_secret():
    assert not plausible("password", 'self.client.login(username="alice@example.org", password="password")')
    assert not plausible("3600", 'TOKEN_EXPIRY_SECONDS = "3600"')
    assert plausible("s3cr3tV4lue", "password = 's3cr3tV4lue'")  # a real value under a secret's name stays one
    assert plausible("hunter2", '("password", "hunter2")')  # a pair in a tuple: the second is the value


def test_the_key_after_a_complete_pair_is_not_the_value_of_the_pair_before():
    form = '    form = {\n        "token": "u9Xk-2pQ7z",\n        "priority": "9",\n    }'
    assert plausible("u9Xk-2pQ7z", form) and not plausible("priority", form)
    assert "priority" in scrub(form, [v for v in ("u9Xk-2pQ7z", "priority") if plausible(v, form)])
    # a test's label for a token names its own kind (set 24: `valid_jwt_token`, `super-secret-token`): no value to hide
    assert not plausible("updated-token", form.replace("u9Xk-2pQ7z", "updated-token"))


def test_bandits_quoted_value_is_weighed_even_when_short():
    f = {"id": "a" * 32, "tool": "bandit", "rule_id": "B105", "kind": "secret", "severity": "low",
         "title": "Possible hardcoded password: 'foo'", "description": "Possible hardcoded password: 'foo'",
         "location": {"path": "t/test_u.py", "start_line": 183, "end_line": 183},
         "snippet": "183         example_user['password'] = 'foo'\n184         example_user['password-repeat'] = 'bar'\n"}
    ev = finalise(f)["secret_evidence"]
    assert ev["length"] == 3 and ev["class"] != "weak"  # 'foo', not the subscript key 'password' (8 letters)


def test_ui_messages_under_a_password_named_constant_are_messages_and_a_passphrase_is_not():
    from tasks.findings.secret_evidence import classify

    for text in ("Password Reset Successfully", "Could not reset your password", "Password is required"):
        assert classify([text], "hardcoded-secret-assignment-js", from_code=True)["class"] == "message", text
    assert classify(["correct horse battery staple"], "hardcoded-secret-assignment-js", from_code=True)["class"] != "message"
