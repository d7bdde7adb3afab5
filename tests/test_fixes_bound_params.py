"""A SQL-injection fix for DynamoDB PartiQL and SQLAlchemy text() written from the code's own statement
(tasks.fixes.bound_params): its table, its other conditions and its call names, never the catalogue's "users"."""

import pytest

from tasks.fixes import fix_for
from tasks.fixes.bound_params import statement

LAMBDA = '''        elif event["httpMethod"] == "POST" and event["path"] == "/search-author":
            client = boto3.client("dynamodb")
            data = json.loads(event["body"])
            name = data["value"]
            authLevel = data["authLevel"]
            try:
                if authLevel == "200":
                    exec_statement = (
                        'SELECT * FROM "blog-users" where name = \\''
                        + name
                        + "' and authLevel in ('200','100');"
                    )
                else:
                    exec_statement = (
                        'SELECT * FROM "blog-users" where name = \\'' + name + "';"
                    )

                responses = client.execute_statement(Statement=exec_statement)
                if responses["Items"] != {}:
                    for item in responses["Items"]:
'''
START = 490  # the window's first line number
MODEL = '''    @staticmethod
    def get_user(username):
        if vuln:  # SQLi Injection
            user_query = f"SELECT * FROM accounts WHERE login = '{username}' AND active = 1"
            query = db.session.execute(text(user_query))
            ret = query.fetchone()
'''


def _below(text, line, start):
    return "".join(text.splitlines(True)[line - start:])


def _finding(line, path="modules/module-1/resources/lambda/data/lambda_function.py"):
    return {"id": "f1", "tool": "bandit", "rule_id": "B608", "kind": "code", "severity": "medium", "cwe": ["CWE-89"],
            "title": "Possible SQL injection vector through string-based query construction.",
            "description": "Possible SQL injection vector through string-based query construction.",
            "location": {"path": path, "start_line": line, "end_line": line}, "snippet": None}


def _fix(text, line, start, path):
    code = {"path": path, "text": text, "start_line": start, "below": _below(text, line, start)}
    return fix_for(_finding(line, path), ["CWE-89"], code)


def test_the_partiql_fix_keeps_the_table_the_filter_and_the_call_of_the_code():
    answer, _, meta = _fix(LAMBDA, 498, START, "modules/module-1/resources/lambda/data/lambda_function.py")
    assert meta["fix_family"] == "sql-injection-partiql"
    assert '''exec_statement = """SELECT * FROM "blog-users" where name = ? and authLevel in ('200','100');"""''' in answer
    assert 'responses = client.execute_statement(Statement=exec_statement, Parameters=[{"S": name}])' in answer
    assert '"users"' not in answer and "for the statement at line 498" in answer
    # the else branch: its own statement, without the filter it does not have
    other, _, _ = _fix(LAMBDA, 504, START, "modules/module-1/resources/lambda/data/lambda_function.py")
    assert '''exec_statement = 'SELECT * FROM "blog-users" where name = ?;\'''' in other and "authLevel in" not in other


def test_the_sqlalchemy_fix_names_the_codes_table_and_placeholder():
    answer, _, meta = _fix(MODEL, 4, 1, "models/user_model.py")
    assert meta["fix_family"] == "sql-injection-sqlalchemy"
    assert 'user_query = "SELECT * FROM accounts WHERE login = :username AND active = 1"' in answer
    assert 'query = db.session.execute(text(user_query), {"username": username})' in answer
    assert "FROM users" not in answer and "User.query" not in answer


@pytest.mark.parametrize("line,why", [
    ('exec_statement = \'SELECT * FROM "\' + table + \'" where name = ?\'\n', "an identifier is spliced"),
    ("exec_statement = 'SELECT * FROM t where n = ' + str(n)\n", "an unquoted number"),
    ("exec_statement = 'SELECT * FROM t where n LIKE \\'%' + name + '%\\''\n", "a LIKE pattern"),
])
def test_no_statement_where_a_value_is_not_a_plain_quoted_string(line, why):
    text = line + "responses = client.execute_statement(Statement=exec_statement)\n"
    assert statement(text.splitlines(True), 1, 1, text) is None, why


def test_without_the_statement_the_advice_keeps_no_example_with_foreign_names():
    code = "rows = client.execute_statement(Statement=build())\n"  # the statement is built elsewhere
    answer, _, meta = fix_for(_finding(1), ["CWE-89"], {"path": "x.py", "text": code, "start_line": 1, "below": code})
    assert meta["fix_family"] == "sql-injection-partiql"
    assert "```" not in answer and '"users"' not in answer and "DynamoDB's typed form." in answer
