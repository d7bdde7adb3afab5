"""A helper's attack on 9a2f23f..b336798: a password equal to a name the file defines, a password in a multi-line
string, a module constant hash called a decoy, root containers sent to review, a password written into a log message;
each test now asserts the value stays hidden and the finding stays."""

from __future__ import annotations

import pytest
from test_round45_rows import _reasons
from test_triage_hygiene import finding
from test_review_9a2f23f import _final, _reader_context

PW = "Adm1nS3cretPw"


# 1. source.py context(mark_secret=True): a quoted password equal to any name _DEFINED finds anywhere in the file is
#    left in clear (9a2f23f redacted all three). _DEFINED matches `(a, X)` in a comment, `root = ...`, a parameter.
@pytest.mark.parametrize("code,line,secret", [
    (f'# default login (admin, {PW})\nADMIN_PASSWORD = "{PW}"\nprint(1)\n', 2, PW),
    ('import os\nroot = os.getcwd()\nDB_PASSWORD = "root"\n', 3, "root"),
    ('def connect(host, s3cr3tPassw0rd=None):\n    pass\nPASSWORD = "s3cr3tPassw0rd"\n', 3, "s3cr3tPassw0rd"),
])
@pytest.mark.parametrize("tool,kind,rule", [("gitleaks", "secret", "generic-api-key"),
                                            ("semgrep", "code", "python.lang.security.audit.hardcoded-password")])
def test_1_a_secret_equal_to_a_name_the_file_defines_stays_hidden_in_context(tmp_path, code, line, secret, tool, kind, rule):
    text = _reader_context(tmp_path, "app/settings.py", code, tool, kind, rule, line)
    assert f'"{secret}"' not in text  # redacted on the flagged line


# 2. finalise._variable / assigned_variable: a programmer-shaped password inside a multi-line string (triple-quoted
#    INI, Go raw string, JS template) is "the variable `...`": snippet unredacted, FP, value quoted in the evidence.
@pytest.mark.parametrize("path,code,line,secret", [
    ("app/settings.py", 'CONFIG = """\n[database]\npassword = correct_horse_battery_staple\n"""\n', 3, "correct_horse_battery_staple"),
    ("app/cfg.go", 'package app\n\nconst cfg = `\ndb:\n  password: correctHorseBattery\n`\n', 5, "correctHorseBattery"),
    ("web/cfg.js", 'const ini = `\n[smtp]\nsmtp_password = mailer_pass_2024\n`;\n', 3, "mailer_pass_2024"),
])
def test_2_a_password_in_a_multiline_string_is_no_variable(tmp_path, path, code, line, secret):
    f = finding(rule_id="python.lang.security.audit.hardcoded-password", title="Hardcoded password",
                snippet=code.splitlines()[line - 1], location={"path": path, "start_line": line, "end_line": line})
    done = _final(f)
    assert secret not in done["snippet"] and done["secret_evidence"]["class"] != "name"
    rec, said = _reasons(tmp_path, {path: code}, done)
    assert secret not in said


# 3. decoy_hash: no scope check, and _DEF's second alternative takes any `word word(` line (`return f(`) as a def; any
#    "timing"/"enumerat" comment in the 12 lines above makes a real admin hash "a decoy, protecting no account".
H = "$2b$12$JdHtJOlkPFwyxdjdygEzPOtYmdQF5/R5tHxw5Tq8pxjubyLqdIX5i"


@pytest.mark.parametrize("code,line", [
    ("import hmac\n\ndef verify_api_key(key):\n    # constant-time comparison to avoid timing attacks\n"
     f'    return hmac.compare_digest(key, API_KEY)\n\nADMIN_PASSWORD_HASH = "{H}"\n', 7),  # module level, after the def
    (f'def seed_users(db):\n    # enumerate the default accounts\n    db.add(User(name="admin", password_hash="{H}"))\n', 3),
    (f'x = 1\n    return constant_time_compare(a, b)\nADMIN_HASH = "{H}"\n', 3),  # a return line taken as `def`
])
def test_3_a_real_admin_hash_is_no_decoy(tmp_path, code, line):
    f = finding(rule_id="tmp.rules.detected-bcrypt-hash", title="bcrypt hash detected", snippet=code.splitlines()[line - 1],
                location={"path": "app/auth.py", "start_line": line, "end_line": line})
    rec, said = _reasons(tmp_path, {"app/auth.py": code}, _final(f))
    assert "a decoy hash, protecting no account" not in said


# 4. base_user: every root-running image that chowns to a user it does not create goes true_positive (9a2f23f) ->
#    needs_review: a distro's stock user (www-data, nobody), a known official image with ENTRYPOINT (node, postgres:
#    no su-exec in these), or the word `chown` inside an echo.
@pytest.mark.parametrize("dockerfile", [
    'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN chown -R www-data:www-data /app\nCMD ["gunicorn", "app:app"]\n',
    'FROM alpine:3.19\nCOPY app /app\nRUN chown -R nobody /app\nCMD ["/app/run"]\n',
    'FROM node:20-alpine\nWORKDIR /app\nCOPY --chown=node:node . .\nRUN npm ci\nENTRYPOINT ["node", "server.js"]\n',
    'FROM postgres:16\nCOPY --chown=postgres:postgres init.sql /docker-entrypoint-initdb.d/\nENTRYPOINT ["/bin/sh","-c","postgres"]\n',
    'FROM alpine:3.19\nCOPY app /app\nRUN echo "hint: chown app /data yourself" && apk add curl\nCMD ["/app/run"]\n',
])
def test_4_a_root_container_stays_a_finding(tmp_path, dockerfile):
    f = finding(tool="checkov", kind="config", rule_id="CKV_DOCKER_3", title="Ensure that a user for the container has been created",
                location={"path": "Dockerfile", "start_line": 1, "end_line": 5})
    rec, said = _reasons(tmp_path, {"Dockerfile": dockerfile}, f)
    assert "the base image provides a user" not in said


# 5. log_secret: a password written into the message literal with no digit escapes _TOKEN: "never the secret", FP.
@pytest.mark.parametrize("line", ['    logger.debug("admin password is correct-horse-battery-staple")',
                                  '    logger.info("connecting with password=SuperSecretPassword for %s", user.email)'])
def test_5_a_password_in_the_log_message_stays(tmp_path, line):
    code = f"import logging\nlogger = logging.getLogger()\ndef f(user):\n{line}\n"
    f = finding(rule_id="python.lang.security.audit.logging.logger-credential-leak.python-logger-credential-disclosure",
                title="t", snippet=line, location={"path": "app/views.py", "start_line": 4, "end_line": 4})
    rec, said = _reasons(tmp_path, {"app/views.py": code}, f)
    assert "never the secret" not in said
