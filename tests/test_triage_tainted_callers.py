"""Request data reaching a sink through a function's parameter, found at the function's call sites."""

from __future__ import annotations

from test_triage_constant_data import _repo, sql

HELPERS = '''import os

def run_cmd(cmd):
    return os.popen(cmd).read()
'''
VIEWS = '''from django.shortcuts import render
from core.helpers import run_cmd


def check_url(request):
    url = request.POST.get('url')
    out = run_cmd('curl --insecure {}'.format(url))
    return render(request, 'out.html', {'out': out})


def uptime(request):
    return render(request, 'out.html', {'out': run_cmd('uptime')})
'''


def _b605(path="core/helpers.py", line=4):
    return sql(path, line, tool="bandit", rule="B605") | {"title": "Starting a process with a shell",
                                                          "cwe": ["CWE-78"]}


def test_a_caller_that_passes_request_data_makes_the_sink_a_true_positive_with_the_call_as_evidence(tmp_path):
    rec = _repo(tmp_path, {"core/helpers.py": HELPERS, "core/views.py": VIEWS}).judge(_b605())
    assert rec["verdict"] == "true_positive", rec
    ev = rec["reasons"][0]["evidence"]
    assert "run_cmd()'s `cmd` reaches the flagged line 4" in ev and "core/views.py:7 calls it with user input" in ev
    assert "`url = request.POST.get('url')` on line 6" in ev and "report stands" not in ev


def test_callers_with_constants_or_a_same_named_function_elsewhere_add_nothing(tmp_path):
    constant = VIEWS.replace("    url = request.POST.get('url')\n", "    url = 'https://example.org'\n")
    rec = _repo(tmp_path / "a", {"core/helpers.py": HELPERS, "core/views.py": constant}).judge(_b605())
    assert "calls it with user input" not in str(rec)
    own = "from flask import request\n\ndef run_cmd(cmd):\n    return cmd\n\nrun_cmd(request.args['c'])\n"
    rec = _repo(tmp_path / "b", {"core/helpers.py": HELPERS, "tools/other.py": own}).judge(_b605())
    assert "calls it with user input" not in str(rec)


def test_a_call_counts_only_through_the_defining_modules_name(tmp_path):
    """vulpy: libsession.create(username=...) is not a call of libuser.create(); libuser.create(...) is."""
    libuser = "import sqlite3\n\ndef create(username):\n    sqlite3.connect('u.db').execute(\"INSERT INTO users VALUES ('%s')\" % username)\n"
    libsession = "def create(response, username):\n    return response\n"
    other = ("from flask import request\nfrom core import libsession\n\ndef login():\n    username = request.form.get('u')\n"
             "    return libsession.create(response=None, username=username)\n")
    judge = _repo(tmp_path / "a", {"core/libuser.py": libuser, "core/libsession.py": libsession, "core/views.py": other})
    assert "calls it with user input" not in str(judge.judge(sql("core/libuser.py", 4, tool="bandit", rule="B608")))
    mine = other.replace("from core import libsession", "from core import libuser").replace(
        "libsession.create(response=None, username=username)", "libuser.create(username)")
    judge = _repo(tmp_path / "b", {"core/libuser.py": libuser, "core/views.py": mine})
    ev = str(judge.judge(sql("core/libuser.py", 4, tool="bandit", rule="B608")))
    assert "core/views.py:6 calls it with user input (`username = request.form.get('u')` on line 5)" in ev
