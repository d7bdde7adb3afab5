"""Bandit B310 (urlopen of an unchecked scheme) where the URL starts with a literal http(s):// -- and where not."""

from __future__ import annotations

from test_triage_constant_data import _repo
from test_triage_hygiene import finding

DISPATCH = '''import urllib.request


def post_with_retry(url, body):
    req = urllib.request.Request(url, data=body)
    with urllib.request.urlopen(req, timeout=5):
        return


def dispatch(host, port, body):
    post_with_retry(f"http://{host}:{port}/", body)


METADATA = 'http://metadata.google.internal/computeMetadata/v1/project/project-id'


def project_id():
    return urllib.request.urlopen(urllib.request.Request(METADATA)).read()


def fetch(url):
    return urllib.request.urlopen(url).read()
'''
VIEW = "from flask import request\nfrom lib import fetch\n\ndef proxy():\n    return fetch(request.args['u'])\n"


def b310(line: int) -> dict:
    return finding(tool="bandit", rule_id="B310", title="Audit url open for permitted schemes. Allowing use of file:/ "
                   "or custom schemes is often unexpected.", location={"path": "lib.py", "start_line": line, "end_line": line})


def test_a_url_whose_scheme_is_a_literal_http_cannot_be_file(tmp_path):
    judge = _repo(tmp_path, {"lib.py": DISPATCH, "views.py": VIEW})
    rec = judge.judge(b310(6))
    assert rec["verdict"] == "false_positive", rec
    assert "every call of post_with_retry() passes a URL that starts with a literal http(s):// (lib.py:11)" in \
        rec["reasons"][0]["evidence"]
    constant = judge.judge(b310(18))
    assert constant["verdict"] == "false_positive" and constant["reasons"][0]["evidence"].startswith("scheme fixed: ")


def test_a_url_a_request_chooses_keeps_the_finding(tmp_path):
    judge = _repo(tmp_path, {"lib.py": DISPATCH, "views.py": VIEW})
    assert judge.judge(b310(22))["verdict"] != "false_positive"
