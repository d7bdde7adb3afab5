"""A string literal with an escaped quote (`'... name = \\''`) is one literal: the names outside it are the code's,
so a B608 query built as `'... = \\'' + name + "';"` is read as concatenating `name` (round 8 stage-1 row 8 was
"Needs review" because the quote inside the literal was taken for its end)."""

from tasks.enrich.evidence import confirmed
from tasks.enrich.specifics import outside_strings

LAMBDA = '''                else:
                    exec_statement = (
                        'SELECT * FROM "blog-users" where name = \\'' + name + "';"
                    )

                responses = client.execute_statement(Statement=exec_statement)
'''


def test_an_escaped_quote_does_not_end_the_literal():
    assert outside_strings("""'SELECT * FROM "t" where name = \\'' + name + "';" """).split() == ["+", "name", "+"]
    assert outside_strings("""f"SELECT * FROM t WHERE a = '{user}'" + x""").split() == ["user", "+", "x"]
    assert outside_strings(r"""path = 'C:\\temp\\' + name""").split() == ["path", "=", "+", "name"]


def test_a_single_line_concatenation_with_an_escaped_quote_is_confirmed():
    f = {"id": "f1", "tool": "bandit", "rule_id": "B608", "kind": "code", "severity": "medium", "cwe": ["CWE-89"],
         "title": "Possible SQL injection vector through string-based query construction.",
         "location": {"path": "lambda_function.py", "start_line": 516, "end_line": 516}}
    ev = confirmed(f, {"path": "lambda_function.py", "text": LAMBDA, "start_line": 514})
    assert ev is not None and ev.stance == "confirmed" and "line 516 puts `name` into the SQL text by concatenation" in ev.text
