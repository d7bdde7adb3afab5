"""A SQL-injection fix fits its sink: boto3's DynamoDB PartiQL API takes `?` and typed Parameters, not a
DB-API cursor's %s; and the `f` of an f-string is never named as a variable (issue 22)."""

from __future__ import annotations

from test_triage_verdicts import finding

from tasks.enrich.specifics import value_origins
from tasks.findings.model import as_finding
from tasks.fixes import fix_for

BUILD = "    stmt = 'SELECT * FROM \"users\" WHERE name = \\'' + name + \"';\"\n"


def _b608(below: str):
    f = as_finding(finding(tool="bandit", rule_id="B608", title="Possible SQL injection vector through string-based query construction.",
                           location={"path": "app/data.py", "start_line": 2, "end_line": 2}, cwe=["CWE-89"]))
    text = "def find(client, name):\n" + BUILD + below
    return f, {"path": "app/data.py", "text": text, "start_line": 1, "below": BUILD + below}


def test_a_partiql_sink_gets_dynamodb_parameters():
    f, code = _b608("    return client.execute_statement(Statement=stmt)\n")
    answer, _, meta = fix_for(f, ["CWE-89"], code)
    assert 'Parameters=[{"S": name}]' in answer and "cursor.execute" not in answer
    assert meta["fix_family"] == "sql-injection-partiql"
    f, code = _b608("    return cursor.execute(stmt)\n")
    answer, _, _ = fix_for(f, ["CWE-89"], code)
    assert "cursor.execute(" in answer and "Parameters=" not in answer


def test_the_f_string_prefix_is_not_a_variable():
    f = as_finding(finding(tool="bandit", rule_id="B608", location={"path": "m.py", "start_line": 3, "end_line": 3}))
    code = {"path": "m.py", "start_line": 1,
            "text": "def get(username):\n    f = 1\n    cur.execute(f\"SELECT * FROM users WHERE name = '{username}'\")\n",
            "sites": {"get.username": "`username` is a parameter of `get` (line 1); the repository calls it from a.py:2."}}
    said = " ".join(value_origins(f, code))
    assert "`f`" not in said and "`username` is a parameter of `get`" in said


def test_a_sqlalchemy_text_sink_gets_bound_parameters():
    f, code = _b608("    return db.session.execute(text(stmt))\n")
    answer, _, meta = fix_for(f, ["CWE-89"], code)
    assert 'return db.session.execute(text(stmt), {"name": name})' in answer and "cursor.execute" not in answer
    assert """stmt = 'SELECT * FROM "users" WHERE name = :name;'""" in answer  # the code's statement, bound
    assert meta["fix_family"] == "sql-injection-sqlalchemy"
