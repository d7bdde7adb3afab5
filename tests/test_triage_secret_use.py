"""Bandit B105-B107 on an empty or one-character value: the verdict says what the line does with it (a blanked
field, a starting value a later line replaces, the "no token" case an ``if`` tests, an unfilled setting, a check that
a field was filled in), not the one stock paragraph a blind review found on every such row."""

from __future__ import annotations

import pytest
from test_triage_containers import finding, judge

from tasks.triage.secret_use import describe

SCRUB = '''import json
import boto3


def handler(event, context):
    client = boto3.client("dynamodb")
    responses = client.execute_statement(Statement='SELECT * FROM "blog-users"')
    if responses["Items"] != {}:
        for item in responses["Items"]:
            if "username" in item:
                item["username"] = item["username"]["S"]
            if "password" in item:
                item["password"] = ""
    return {"statusCode": 200, "body": json.dumps({"body": responses})}
'''

FROM_ENV = '''import os
import jwt


def verify(token):
    JWT_SECRET = ""
    try:
        JWT_SECRET = os.environ["JWT_SECRET"]
        return jwt.decode(token, JWT_SECRET, algorithms=["HS256"])
    except KeyError:
        return None
'''

TOKEN = '''def token_validator(auth_header):
    if auth_header:
        try:
            auth_token = auth_header.split(" ")[1]
        except IndexError:
            auth_token = ""
    else:
        auth_token = ""
    if auth_token:
        return decode_auth_token(auth_token)
    else:
        return {"error": "Invalid token. Please log in again."}
'''

SETTINGS = '''DEBUG = True

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.',
        'NAME': '',
        'USER': '',
        'PASSWORD': '',                  # Not used with sqlite3.
        'HOST': '',
    }
}
'''

PAYLOAD = '''import requests

ATTACKS = {
    '1': {
        'contents': {
            'register': {
                "login": "",
                "password": "a",
            },
        },
    },
}


def run(url, login):
    body = dict(ATTACKS['1']['contents']['register'], login=login)
    return requests.post(url, json=body, timeout=5)
'''

FORM = '''from flask import request


def login():
    form_username = request.form.get('username', "")
    form_password = request.form.get('password', "")
    if form_username == "" or form_password == "":
        return "Error! You have to pass username and password!"
    return check(form_username, form_password)
'''

KWARG = '''import psycopg2

conn = psycopg2.connect(host="localhost", user="app", password="")
'''

DEFAULT = '''def connect(host, user="app", password=""):
    return open_connection(host, user, password)
'''


@pytest.mark.parametrize("code,line,rule,said", [
    (SCRUB, 13, "B105", ['`item["password"] = ""` blanks the `password` field of `item`', 'each record of `responses["Items"]`',
                         "(the loop on line 9)", "before line 14 returns them"]),
    (FROM_ENV, 6, "B105", ["`JWT_SECRET` starts empty and line 8 sets it from `os.environ[\"JWT_SECRET\"]`"]),
    (TOKEN, 8, "B105", ["in the else branch of `if auth_header`", "`if auth_token` on line 9 reads as missing (line 12 "
                                                                    "refuses it)"]),
    (TOKEN, 6, "B105", ["when `auth_token = auth_header.split(\" \")[1]` fails (its except branch)", "line 9"]),
    (SETTINGS, 8, "B105", ["`DATABASES['default']['PASSWORD']` entry", "left empty in the file"]),
    (PAYLOAD, 8, "B105", ["`ATTACKS['1']['contents']['register']['password']` entry", "set to 'a'",
                          "not a secret it was given"]),
    (FORM, 7, "B105", ["compares `form_password` with an empty string", "line 8 refuses an empty one"]),
    (KWARG, 3, "B106", ["'' passed as `password=` to `psycopg2.connect()`"]),
    (DEFAULT, 1, "B107", ["the default of the `password` parameter of `connect()`"]),
    ('from os import environ\n\nenviron["SECRET_PROVIDER"] = ""\n', 3, "B105",
     ["sets the environment variable 'SECRET_PROVIDER' to an empty string: nothing is configured there"]),
    ('def clean(item):\n    item["token"] = ""\n    save(item)\n', 2, "B105",
     ['blanks the `token` field of `item`: it stores no credential']),  # no return: nothing said about handing on
])
def test_each_shape_says_what_the_line_does(code, line, rule, said):
    text = describe(code.splitlines(True), line, rule)
    assert text is not None
    for words in said:
        assert words in text, (words, text)


def test_the_flagged_comparison_is_the_one_with_a_password_name():
    """``form_username == ""`` comes first on the line, but B105 flagged the password comparison."""
    assert "form_username" not in describe(FORM.splitlines(True), 7, "B105")


@pytest.mark.parametrize("code,line", [
    ("def f(:\n    password = ''\n", 2),  # does not parse
    ("name = ''\n", 1),  # not a name B105 looks for
    ("password = ''\n", 2),  # nothing on that line
])
def test_no_description_where_the_code_does_not_show_one(code, line):
    assert describe(code.splitlines(True), line, "B105") is None


@pytest.mark.parametrize("code,line,title,said", [
    (SCRUB, 13, "Possible hardcoded password: ''", "blanks the `password` field of `item`"),
    (TOKEN, 8, "Possible hardcoded password: ''", "`if auth_token` on line 9"),
    (PAYLOAD, 8, "Possible hardcoded password: 'a'", "`ATTACKS['1']['contents']['register']['password']` entry"),
])
def test_the_verdict_says_what_the_code_does_not_a_stock_paragraph(code, line, title, said):
    from tasks.findings.parsers.finalise import finalise

    f = finding(rule_id="B105", title=title, snippet=f"{line} {code.splitlines()[line - 1].strip()}\n",
                location={"path": "app/views.py", "start_line": line, "end_line": line})
    rec = judge({"app/views.py": code}, finalise(f | {"references": []}))  # as the Bandit parser hands it on
    ev = rec["reasons"][0]["evidence"]
    assert rec["verdict"] == "false_positive" and said in ev, ev
    assert "opens nothing" not in ev and "whether a server accepts" not in ev  # the catalogue paragraph is gone


def test_a_test_in_another_function_is_not_the_module_names_test():
    code = 'API_TOKEN = ""\n\n\ndef check(API_TOKEN):\n    if API_TOKEN:\n        return True\n'
    assert describe(code.splitlines(True), 1, "B105") is None  # line 5 tests the parameter, not the module name


def test_a_test_that_refuses_nothing_is_not_said_to_refuse():
    code = 'def load(header):\n    token = ""\n    if header:\n        token = header\n    if token:\n        log(token)\n    return 1\n'
    text = describe(code.splitlines(True), 2, "B105")
    assert "line 4 sets it from `header`" in text and "refuses" not in text
    code = 'def load(header):\n    if header:\n        token = header\n    else:\n        token = ""\n    if token:\n        log(token)\n'
    text = describe(code.splitlines(True), 5, "B105")
    assert "reads as missing" in text and "refuses" not in text
