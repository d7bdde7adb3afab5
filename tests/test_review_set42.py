"""Hostile review of 16eb7b8..HEAD (set 42 / round 46): each test fails today because of a real defect."""

from __future__ import annotations

import json

from test_round45_rows import _reasons
from test_triage_hygiene import finding


# -- 1. secret leaks ---------------------------------------------------------------------------------------------------

def test_a_lowercase_password_in_a_settings_seed_row_is_still_redacted():
    """secret_literals.compared_prose's new 'names listed beside password' clause: any lower-case value between
    `'password',` and a third quoted word is taken for a list of names.  A settings table's seed row
    `VALUES ('password', 'letmein', 'string')` is (name, value, type): the password now leaves finalise unredacted
    (16eb7b8 redacted it).  Right: only a sequence whose members are all names (a membership test, `in (...)`) is
    exempt; a (name, value, ...) row keeps its value redacted."""
    from tasks.findings.parsers.finalise import finalise

    line = "INSERT INTO settings (name, value, type) VALUES ('password', 'letmein', 'string');"
    f = {"id": "1" * 32, "tool": "detect-secrets", "kind": "secret", "severity": "high", "rule_id": "KeywordDetector",
         "title": "Secret Keyword", "description": "", "references": [], "fix_hint": None, "snippet": line,
         "location": {"path": "db/seed.sql", "start_line": 3, "end_line": 3}}
    assert "letmein" not in json.dumps(finalise(f))


def test_a_go_flag_default_password_is_still_redacted():
    """Same clause: `flag.String("password", "opensesame", "admin")` (name, default, usage) - the default password is
    no longer found by detect() (it was at 16eb7b8)."""
    from tasks.findings import secrets

    assert "opensesame" in secrets.detect('\tpw := flag.String("password", "opensesame", "admin")', "main.go")


# -- 2. true positives cleared -----------------------------------------------------------------------------------------

CAPTCHA = '''import requests

CAPTCHA_KEY = "6LdPq3kUAAAAAJx0Zs2kR9vTqYb7wE1nHc4mLpQa"


def verify(answer, ip):
    r = requests.post("https://www.google.com/recaptcha/api/siteverify",
                      data={"secret": CAPTCHA_KEY, "response": answer, "remoteip": ip})
    return r.json()["success"]
'''


def test_a_captcha_secret_key_under_a_site_key_name_is_not_cleared(tmp_path):
    """documented_secret.check_documented: `_SITE_KEY` matches the *name* (`CAPTCHA_KEY`) and only 'secret|private' on
    the flagged line keeps the finding.  Here the value is sent as `secret` to reCAPTCHA's siteverify: it is the
    server-side secret key, and the row calls it 'a CAPTCHA site key, public by design' (false fact, real key cleared).
    Right: a key the file sends as `secret` (siteverify) is never called a site key."""
    f = finding(rule_id="tmp.rules.generic-api-key", title="generic api key",
                secret_evidence={"class": "high-entropy", "entropy": 4.8, "length": 40, "match": None, "format": None},
                location={"path": "app/captcha.py", "start_line": 3, "end_line": 3})
    rec, said = _reasons(tmp_path, {"app/captcha.py": CAPTCHA}, f)
    assert "site key" not in said and rec["verdict"] != "false_positive"


AFTER_DEMO = '''import smtplib


def load_sample_config():
    return {"title": "Sample"}


SMTP_PASSWORD = "Xk29fjQ0zLmp8RwTq4Vb"


def send(msg):
    s = smtplib.SMTP("smtp.corp.example.com")
    s.login("alerts", SMTP_PASSWORD)
    s.send_message(msg)
'''


def test_a_module_level_secret_after_a_sample_function_is_not_inside_it(tmp_path):
    """documented_secret.demo_function takes the nearest `def` above the line (80 lines back) without checking that it
    encloses the line: a module-level SMTP password two lines after `def load_sample_config()` is 'inside
    load_sample_config() ... public sample data' and cleared.  Right: only a line the function's body holds."""
    f = finding(rule_id="tmp.rules.generic-api-key", title="generic api key",
                secret_evidence={"class": "high-entropy", "entropy": 4.2, "length": 20, "match": None, "format": None},
                location={"path": "app/mail.py", "start_line": 8, "end_line": 8})
    rec, said = _reasons(tmp_path, {"app/mail.py": AFTER_DEMO}, f)
    assert "load_sample_config" not in said and rec["verdict"] != "false_positive"


SAMPLE_REPORT = '''import smtplib


def send_sample_report(to):
    s = smtplib.SMTP("smtp.corp.example.com")
    s.login("reports", "Xk29fjQ0zLmp8RwTq4Vb")
    s.sendmail("reports@corp.example.com", [to], "...")
'''


def test_a_function_that_sends_a_sample_report_holds_no_demo_data(tmp_path):
    """demo_function: any function whose name contains demo/sample/example (`send_sample_report`, `resample`,
    `demodulate`) 'creates the same sample records on every installation' - here the production SMTP login is
    cleared as public demo data.  Right: a name that says it creates demo data (createDemoProject, seed_demo)."""
    f = finding(rule_id="tmp.rules.generic-api-key", title="generic api key",
                secret_evidence={"class": "high-entropy", "entropy": 4.2, "length": 20, "match": None, "format": None},
                location={"path": "app/reports.py", "start_line": 6, "end_line": 6})
    rec, said = _reasons(tmp_path, {"app/reports.py": SAMPLE_REPORT}, f)
    assert "demo data" not in said and rec["verdict"] != "false_positive"


def test_a_secret_finding_past_the_files_end_does_not_crash_the_judge(tmp_path):
    """documented_secret.check_documented indexes `lines[loc.start_line - 1]` after demo_function found a demo
    function, without the bounds check the CAPTCHA test above it has: a report line past the end of the file (the
    file changed since the scan) raises IndexError out of Judge.judge and stops the triage step.  Right: no
    evidence, never a traceback."""
    code = "def create_demo_data():\n    return 1\n"
    f = finding(rule_id="tmp.rules.generic-api-key", title="generic api key",
                secret_evidence={"class": "high-entropy", "entropy": 4.2, "length": 20, "match": None, "format": None},
                location={"path": "app/demo.py", "start_line": 9, "end_line": 9})
    rec, _ = _reasons(tmp_path, {"app/demo.py": code}, f)
    assert rec["verdict"] in ("true_positive", "false_positive", "needs_review")
