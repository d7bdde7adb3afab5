"""The verdict says a source-to-sink flow once: the code's evidence and the triage's flow check often saw the same
assignment (round 8 stage-1 row 3 read "`cookie` is set on line 37 ... reaches line 40; app.py:37 assigns user input
... to cookie, which reaches the flagged line 40"), while a second piece that adds a line is kept."""

from tasks.enrich.verdicts import verdict_text

CODE = {"check": "code", "status": "user_input",
        "evidence": '`cookie` is set on line 37 from `request.cookies.get("sessionId")`, the HTTP request, and reaches line 40'}


def _rec(second):
    return {"verdict": "true_positive", "reasons": [CODE, {"check": "code", "status": "user_input", "evidence": second}]}


def test_the_same_flow_is_said_once():
    text = verdict_text(_rec("a8/amarelo-designs/app/app.py:37 assigns user input (request.cookies) to cookie, which "
                             "reaches the flagged line 40 (B301)"), "CWE-502")
    assert text.count("37") == 1 and "assigns user input" not in text
    assert text.startswith("## Verdict\nTrue positive (CWE-502): `cookie` is set on line 37")


def test_a_second_piece_with_a_new_line_stays():
    text = verdict_text(_rec("app/app.py:31 assigns user input (request.values) to user, which reaches the flagged line 40"))
    assert "line 37" in text and "app/app.py:31 assigns user input" in text
