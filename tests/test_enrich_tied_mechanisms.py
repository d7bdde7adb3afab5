"""A rule's mechanism said of the flagged call (tasks.enrich.tied_mechanisms), not the rule-level sentence repeated
verbatim in every row of the rule (heldout5 rows 3, 4, 14, 18).  Snippets are Bandit's, from vulnpy
(Contrast-Security-OSS/vulnpy src/vulnpy/trigger) and python-insecure-app (trottomv app/main.py)."""

from tasks.enrich.analysis import how_it_works
from tasks.enrich.mechanisms import BANDIT
from tasks.enrich.tied_mechanisms import tied


def _bandit(rule, line, snippet):
    return {"id": "1" * 32, "tool": "bandit", "rule_id": rule, "kind": "code", "severity": "high", "title": rule,
            "cwe": [], "location": {"path": "src/vulnpy/trigger/x.py", "start_line": line, "end_line": line},
            "snippet": snippet}


POPEN = _bandit("B602", 11, "9 def do_subprocess_popen(command):\n10     process = subprocess.Popen(\n11         command, "
                            "stdout=subprocess.PIPE, stderr=subprocess.STDOUT, shell=True\n12     )\n")
PICKLE = _bandit("B301", 8, "7     user_input = io.BytesIO(user_input.encode(\"utf-8\"))\n8     return pickle.load(user_input)\n"
                            "9 \n")
TIMEOUT = _bandit("B113", 31, "30         # Get the public IP address from an external service\n31         public_ip_response "
                              "= requests.get(config.PUBLIC_IP_SERVICE_URL)\n32         public_ip_response.raise_for_status()\n")


def test_the_shell_call_spread_over_lines_is_named_with_its_argument():
    said = how_it_works(POPEN, ["CWE-78"], "report", {})
    assert said.startswith("`subprocess.Popen(command, ..., shell=True)` hands `command` to `/bin/sh -c`")
    assert said != BANDIT["B602"]


def test_unpickling_names_the_call_and_the_value_it_reads():
    assert tied(PICKLE).startswith("`pickle.load(user_input)` calls the constructors the pickled data in `user_input` names")


def test_a_request_without_timeout_names_the_call_and_no_worker_per_request():
    said = tied(TIMEOUT)
    assert "`requests.get(config.PUBLIC_IP_SERVICE_URL)`" in said and "worker" not in said
    assert "worker per request" not in BANDIT["B113"]  # an async handler blocks its whole event loop


def test_without_the_call_on_the_line_the_rule_sentence_stays():
    cut = _bandit("B602", 11, "11         command, stdout=subprocess.PIPE,\n")  # the call is not in the snippet
    assert tied(cut) is None and how_it_works(cut, ["CWE-78"], "report", {}) == BANDIT["B602"]


def test_the_call_is_quoted_as_written_so_the_row_names_its_own_code():
    # DSVW dsvw.py:39: ast.unparse would turn "nslookup " into 'nslookup ', which the code does not contain
    dsvw = _bandit("B602", 39, '38                 elif "domain" in params:\n39                     content = subprocess.run('
                               '"nslookup " + params["domain"], shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, '
                               'stdin=subprocess.PIPE, text=True).stdout\n')
    said = tied(dsvw)
    assert said.startswith("""`subprocess.run("nslookup " + params["domain"], ..., shell=True)` hands `"nslookup " + """
                           """params["domain"]` to `/bin/sh -c`""")


def test_a_request_without_timeout_in_a_coroutine_blocks_the_event_loop():
    # python-insecure-app app/main.py: the handler is `async def` (line 19)
    handler = _bandit("B113", 21, "19 async def root(request: Request):\n20     # Get the public IP address\n21     r = "
                                  "requests.get(config.PUBLIC_IP_SERVICE_URL)\n")
    assert tied(handler).endswith("Inside this `async def` it blocks the whole event loop, not one request.")
    assert "async" not in tied(TIMEOUT)


def test_a_constant_argument_keeps_the_rule_sentence():
    # DVGA app.py:28 os.popen("python3 setup.py"): nothing from outside to speak of
    constant = _bandit("B605", 28, '28     os.popen("python3 setup.py")\n')
    assert tied(constant) is None


def test_sql_built_from_values_names_them():
    # DVFaaS injection/mqtt_rds_sql_event_injection/sqli/app.py:59 (Bandit B608)
    sqli = _bandit("B608", 59, "58             with db.cursor() as cur:\n59                 cur.execute(\"INSERT INTO "
                               "sensor_temperature (sensor_name, temperature) VALUES ('%s',%s)\" % (sensor_name, "
                               "event_dict['reading']))\n60 \n")
    assert tied(sqli).startswith("`sensor_name` and `event_dict['reading']` are pasted into the SQL text, so a quote")


def test_another_tools_python_rule_of_the_same_cwe_is_tied_too():
    semgrep = {"id": "2" * 32, "tool": "semgrep", "rule_id": "python.lang.security.audit.subprocess-shell-true",
               "kind": "code", "severity": "high", "title": "shell=True", "cwe": ["CWE-78"],
               "location": {"path": "apps/falcon_app.py", "start_line": 64, "end_line": 64}, "snippet": "    os.system(cmd)"}
    assert tied(semgrep).startswith("`os.system(cmd)` runs `cmd` through a shell")
    assert tied(semgrep | {"cwe": ["CWE-79"]}) is None


def test_a_trailing_noqa_comment_is_not_a_value_put_into_the_sql():
    from tasks.enrich.evidence import _sql_built

    ev = _sql_built('    f"DELETE FROM config WHERE id={config_id}"  # noqa: S608', 400, True)
    assert ev.text.startswith("line 400 puts `config_id` into the SQL text by an f-string") and "noqa" not in ev.text
