"""A pickle fix written for the flagged call (tasks.fixes.unpickle): its own target and argument with json.loads, the
writer named, and a client-held value signed, instead of a json-or-yaml catalogue example (round 8 stage-1 row 3)."""

from tasks.fixes import fix_for

VIEW = '''@app.route("/user", methods=['GET'])
def userInfo():
    cookie = request.cookies.get("sessionId")
    if cookie == None:
        return "Unauthorised"
    cookie = pickle.loads(base64.b64decode(cookie))

    return render_template('user.html')
'''
TASK = '''def run(job_file):
    with open(job_file, "rb") as fh:
        payload = fh.read()
    job = pickle.loads(payload)
    return job.execute()
'''


def _fix(text, line, path="app/app.py"):
    f = {"id": "f1", "tool": "bandit", "rule_id": "B301", "kind": "code", "severity": "medium", "cwe": ["CWE-502"],
         "title": "Pickle and modules that wrap it can be unsafe when used to deserialize untrusted data, possible security issue.",
         "location": {"path": path, "start_line": line, "end_line": line}, "snippet": None}
    return fix_for(f, ["CWE-502"], {"path": path, "text": text, "start_line": 1})


def test_a_cookie_unpickled_gets_json_on_its_own_expression_and_a_signature():
    answer, _, meta = _fix(VIEW, 6)
    assert "cookie = json.loads(base64.b64decode(cookie))" in answer and meta["fitted"]
    assert "yaml" not in answer and "`pickle.dumps` must write `json.dumps` in the same change" in answer
    assert "sign it as well - Flask's `session`" in answer


def test_a_value_read_from_a_file_is_not_called_client_data():
    answer, _, _ = _fix(TASK, 4)
    assert "job = json.loads(payload)" in answer and "from the client" not in answer


def test_another_pickle_shape_keeps_the_prose_without_a_foreign_example():
    answer, _, meta = _fix(VIEW.replace("cookie = pickle.loads(base64.b64decode(cookie))",
                                        "return pickle.load(open(path, 'rb'))"), 6)
    assert "```" not in answer and "yaml.safe_load(text)" not in answer and meta["fitted"]


def test_stage_one_takes_the_fitted_fix():
    from tasks.datasets.file_fixes import refit
    from tasks.findings.model import as_finding

    fixed = _fix(VIEW, 6)
    s1 = {"messages": [{}, {}, {"content": "## Verdict\nTrue positive.\n\n## How to fix it\n- catalogue text\n\n## References\n- x"}]}
    f = as_finding({"id": "f1", "tool": "bandit", "rule_id": "B301", "kind": "code", "title": "t",
                    "location": {"path": "app/app.py", "start_line": 6, "end_line": 6}})
    out = refit(s1, f, {"path": "app/app.py", "text": VIEW, "start_line": 1}, fixed)["messages"][2]["content"]
    assert "cookie = json.loads(base64.b64decode(cookie))" in out and "catalogue text" not in out and "## References" in out
