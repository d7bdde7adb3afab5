"""B108 (a fixed /tmp name) inside a serverless function's module: the platform's /tmp is private to it."""

from __future__ import annotations

from test_triage_containers import Files  # a repository of a few files, as the source reader reads them
from test_triage_hygiene import finding

from tasks.triage.function_tmp import check_function_tmp
from tasks.triage.verdict import Judge

LAMBDA = '''import boto3

INVENTORY_PATH = ["inventory.db", "/tmp/inventory.db"]


def lambda_handler(event, context):
    s3 = boto3.client("s3")
    s3.download_file("bucket", INVENTORY_PATH[0], INVENTORY_PATH[1])
    return {"status": "ok"}
'''
SERVER = '''import sqlite3
from flask import Flask

app = Flask(__name__)
CACHE = "/tmp/inventory.db"


@app.route("/items")
def items():
    return str(sqlite3.connect(CACHE).execute("select 1").fetchall())
'''


def b108(path: str, line: int) -> dict:
    return finding(tool="bandit", rule_id="B108", title="Probable insecure usage of temp file/directory.",
                   location={"path": path, "start_line": line, "end_line": line})


def test_a_fixed_tmp_name_in_a_lambda_module_is_not_the_shared_tmp_race():
    ev = check_function_tmp(b108("functions/receipt.py", 3), Files(LAMBDA))
    assert ev and "lambda_handler() (line 6)" in ev["evidence"] and "its own /tmp" in ev["evidence"]
    rec = Judge(reader=Files(LAMBDA)).judge(b108("functions/receipt.py", 3))
    assert rec["verdict"] == "false_positive" and rec["reasons"][0]["evidence"] == ev["evidence"]


def test_a_fixed_tmp_name_in_a_server_or_another_rule_is_left_alone():
    assert check_function_tmp(b108("app.py", 5), Files(SERVER)) is None  # a host's /tmp is shared
    assert Judge(reader=Files(SERVER)).judge(b108("app.py", 5))["verdict"] == "true_positive"
    other = finding(tool="bandit", rule_id="B105", location={"path": "functions/receipt.py", "start_line": 3, "end_line": 3})
    assert check_function_tmp(other, Files(LAMBDA)) is None
    assert check_function_tmp(b108("functions/receipt.py", 3), None) is None  # no repository: nothing to read
