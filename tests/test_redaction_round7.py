"""Redaction takes secret values only (issue 22, point 4), round 15-16's over-redactions: a learnt B105 value 'pass'
or 'superuser' cut out of `old_password` and `is_superuser`; Terraform's `"${file("${var.key}")}"` learnt as the
"secret" `${file(`; a route `/default/login` under a token-named constant."""

from __future__ import annotations

from tasks.findings.redact import marker, scrub
from tasks.findings.secrets import literal_values, plausible


def test_a_word_or_short_value_is_replaced_where_it_stands_alone_not_inside_a_name():
    text = "old_password = form['pass']; p = 'pass'; is_superuser = True; u = 'superuser'; url = 'db://u:pass@h'"
    out = scrub(text, ["pass", "superuser"])
    assert "old_password" in out and "is_superuser" in out
    assert out.count(marker("pass")) == 3 and out.count(marker("superuser")) == 1
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"  # a long token is cut out wherever it is, even mid-word
    assert marker(token) in scrub(f"x = 'prefix{token}suffix'", [token])


def test_a_template_cut_at_a_nested_quote_and_a_plain_route_are_not_secrets():
    line = '  private_key = "${file("${var.private_key_path}")}"'
    assert literal_values(line) == [] and not plausible("${file(", line)
    assert not plausible("/default/login", 'LOGIN_TOKEN = "/default/login"')
    assert plausible("hunter2", 'password = "hunter2"') and plausible("/x9Qz81", 'token = "/x9Qz81"')
