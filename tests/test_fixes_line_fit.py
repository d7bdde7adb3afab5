"""Python fixes written from the flagged statement (tasks.fixes.line_fit, shell_fit, sql_fit) instead of the catalogue's
examples, which held-out graders found under unrelated calls (heldout5 rows 5, 8, 9, 14; heldout4 rows 14, 35).
The code is the real code of those projects (vulnpy, DSVW, DVFaaS, django.nV, DVGA, AzureGoat)."""

import ast

from tasks.fixes import fix_for
from tasks.fixes.patch_check import code_blocks

FALCON = '''            print("Context is None")
            sys.exit(1)

    cmd = "echo " + str(user_input)
    os.system(cmd)

    # Do NOT remove this print as it is used in a testing assertion.
'''
VULNPY_CMDI = '''def do_subprocess_popen(command):
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, shell=True
    )
    stdout, _ = process.communicate()
    return stdout
'''
DSVW = '''                elif "domain" in params:
                    content = subprocess.run("nslookup " + params["domain"], shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.PIPE, text=True).stdout
                elif "xml" in params:
'''
DVGA = '''def run_cmd(cmd):
  return os.popen(cmd).read()
'''
SENSOR = '''        if 'reading' in event_dict:
            with db.cursor() as cur:
                cur.execute("INSERT INTO sensor_temperature (sensor_name, temperature) VALUES ('%s',%s)" % (sensor_name, event_dict['reading']))

            db.commit()
'''
DJANGO = '''            curs = connection.cursor()
            curs.execute(
                "insert into taskManager_file ('name','path','project_id') values ('%s','%s',%s)" %
                (name, upload_path, project_id))
'''
COSMOS = '''            else:
                exec_statement="SELECT * FROM c where c.name =" + "'"+name+"'" + "and c.authLevel in ('300','200')"
            logging.info(exec_statement)
            params = {
                'query': exec_statement,
                'enable_cross_partition_query': True
            }
            responses = list(user_container.query_items(**params))
'''
PULLDOM = '''            docbody = docfile.get()['Body'].read()
            doc = parseString(docbody.decode('utf-8'))
            content = ''
'''
EXEC = '''def do_exec(code):
    exec(code)


def do_eval(code):
    return eval(code)
'''
CATALOGUE = ('"convert", src_path', "SELECT * FROM users", "ET.parse(path)", "ast.literal_eval(text)")


def _fix(rule, cwe, text, line, title="", path="app/app.py", start=1):
    f = {"id": "f1", "tool": "bandit", "rule_id": rule, "kind": "code", "severity": "high", "cwe": [cwe],
         "title": title or rule, "location": {"path": path, "start_line": line, "end_line": line}, "snippet": None}
    code = {"path": path, "text": text, "start_line": start}
    if text.count("\n") > 4:
        code["below"] = "".join(text.splitlines(True)[line - start:])
    answer, label, meta = fix_for(f, [cwe], code)
    assert not any(c in answer for c in CATALOGUE), answer
    for tag, body in code_blocks(answer):
        if tag == "python":
            ast.parse(body)
    return answer, label, meta


def test_os_system_of_a_built_command_is_shown_as_a_list_without_a_shell():
    answer, _, meta = _fix("B605", "CWE-78", FALCON, 64, start=60)
    assert "subprocess.run(['echo', str(user_input)])" in answer and meta["fitted"]
    assert "option of `echo`" in answer


def test_a_shell_true_call_keeps_its_callee_and_keywords():
    answer, _, _ = _fix("B602", "CWE-78", DSVW, 39, start=38)
    assert ("content = subprocess.run(['nslookup', params['domain']], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, "
            "stdin=subprocess.PIPE, text=True).stdout") in answer and "shell=True" not in answer.split("```")[1]


def test_a_whole_command_from_a_parameter_gets_one_sentence_in_its_names():
    answer, _, _ = _fix("B602", "CWE-78", VULNPY_CMDI, 3)
    assert code_blocks(answer) == [] and "`command` reaches `subprocess.Popen` as one whole command line" in answer
    assert "`stdout=subprocess.PIPE`, `stderr=subprocess.STDOUT`" in answer
    answer, _, _ = _fix("B605", "CWE-78", DVGA, 2)
    assert code_blocks(answer) == [] and "`cmd` reaches `os.popen`" in answer


def test_a_percent_formatted_query_gets_placeholders_in_its_own_execute():
    answer, _, _ = _fix("B608", "CWE-89", SENSOR, 3, path="sqli/app.py")
    assert ("cur.execute('INSERT INTO sensor_temperature (sensor_name, temperature) VALUES (%s,%s)', "
            "(sensor_name, event_dict['reading']))") in answer
    answer, _, _ = _fix("B608", "CWE-89", DJANGO, 3, start=1)
    assert """values (%s,%s,%s)", (name, upload_path, project_id))""" in answer


def test_a_cosmos_query_gets_named_parameters_not_a_cursor():
    answer, _, _ = _fix("B608", "CWE-89", COSMOS, 2)
    assert "exec_statement = \"SELECT * FROM c where c.name =@name and c.authLevel in ('300','200')\"" in answer
    assert '`parameters=[{"name": "@name", "value": name}]`' in answer and "execute(" not in answer


def test_a_table_name_is_never_made_a_parameter():
    answer, _, _ = _fix("B608", "CWE-89", 'cur.execute("SELECT * FROM " + table)\n', 1)
    assert code_blocks(answer) == [] and "allowlist" in answer


def test_pulldom_gets_defusedxml_pulldom_not_elementtree():
    title = ("Using xml.dom.pulldom.parseString to parse untrusted XML data is known to be vulnerable to XML attacks. "
             "Replace xml.dom.pulldom.parseString with its defusedxml equivalent function")
    answer, _, _ = _fix("B319", "CWE-20", PULLDOM, 2, title=title)
    assert "from defusedxml.pulldom import parseString" in answer and "ElementTree" not in answer


def test_exec_gets_a_sentence_and_eval_literal_eval_on_its_own_line():
    answer, _, _ = _fix("B102", "CWE-78", EXEC, 2)
    assert code_blocks(answer) == [] and "`exec(code)` runs whatever statements `code` holds" in answer
    answer, _, _ = _fix("B307", "CWE-78", EXEC, 6)
    assert "return ast.literal_eval(code)" in answer


def test_yaml_load_is_shown_as_safe_load_of_the_same_value():
    # vulnpy src/vulnpy/trigger/deserialization.py:16-17 (Bandit B506)
    code = "def do_yaml_load(user_input):\n    return yaml.load(user_input, Loader=yaml.UnsafeLoader)\n"
    answer, _, meta = _fix("B506", "CWE-20", code, 2)
    assert "return yaml.safe_load(user_input)" in answer and "`Loader=yaml.UnsafeLoader`" in answer and meta["fitted"]
    assert "json.loads(payload)" not in answer


def test_stage_one_takes_the_fitted_fix_without_repeating_the_verdicts_check():
    # a needs_review stage-2 answer opens with "Check first: <evidence>"; the stage-1 verdict already says it
    from tasks.datasets.file_fixes import refit
    from tasks.findings.model import as_finding

    answer, label, meta = _fix("B608", "CWE-89", SENSOR, 3, path="sqli/app.py")
    fixed = ("Check first: whether `sensor_name` can come from outside. If the finding holds:\n\n" + answer, label, meta)
    s1 = {"messages": [{}, {}, {"content": "## Verdict\nNeeds review.\n\n## How to fix it\n- catalogue text\n\n## References\n- x"}]}
    f = as_finding({"id": "f1", "tool": "bandit", "rule_id": "B608", "kind": "code", "title": "t",
                    "location": {"path": "sqli/app.py", "start_line": 3, "end_line": 3}})
    out = refit(s1, f, {"path": "sqli/app.py", "text": SENSOR, "start_line": 1}, fixed)["messages"][2]["content"]
    assert "## How to fix it\nIn sqli/app.py:3 (Python):\nKeep the SQL text constant" in out
    assert "Check first" not in out and "catalogue text" not in out


def test_a_context_snippet_of_unknown_start_is_fitted_on_its_one_sink_line():
    # vulpy bad/libuser.py:25 as CodeQL's SARIF shows it (py/sql-injection): context lines, no line numbers
    snippet = ("    c = conn.cursor()\n\n    c.execute(\"INSERT INTO users (username, password, failures, mfa_enabled, "
               "mfa_secret) VALUES ('%s', '%s', '%d', '%d', '%s')\" %(username, password, 0, 0, ''))\n\n    conn.commit()\n")
    f = {"id": "f1", "tool": "codeql", "rule_id": "py/sql-injection", "kind": "code", "severity": "high", "cwe": ["CWE-89"],
         "title": "SQL query built from user-controlled sources", "snippet": snippet,
         "location": {"path": "bad/libuser.py", "start_line": 25, "end_line": 25}}
    answer, _, meta = fix_for(f, ["CWE-89"])
    assert ("c.execute('INSERT INTO users (username, password, failures, mfa_enabled, mfa_secret) VALUES "
            "(%s, %s, %s, %s, %s)', (username, password, 0, 0, ''))") in answer and meta["fitted"]
    assert "line 25:" in answer


def test_urlopen_gets_the_scheme_check_on_the_url_its_request_was_built_from():
    # cloudgoat sqs_flag_shop lambda_function.py:19-23 (Bandit B310)
    code = ('            req = urllib.request.Request(\n                url,\n                data=data_json,\n'
            "                headers={'content-type': 'application/json'})\n            urllib.request.urlopen(req)\n")
    answer, _, meta = _fix("B310", "CWE-22", code, 23, start=19)
    assert 'if urllib.parse.urlparse(url).scheme not in ("http", "https"):' in answer and "before line 23" in answer
    assert "body = response.read()" not in answer and meta["fitted"]


def test_a_file_that_imports_sqlite3_gets_question_marks():
    # DSVW dsvw.py:50 (Bandit B608); the file's first line imports sqlite3 among others
    line = ('                    cursor.execute("INSERT INTO comments VALUES(NULL, \'%s\', \'%s\')" % (params["comment"], '
            'time.ctime()))\n')
    f = {"id": "f1", "tool": "bandit", "rule_id": "B608", "kind": "code", "severity": "medium", "cwe": ["CWE-89"],
         "title": "B608", "location": {"path": "dsvw.py", "start_line": 50, "end_line": 50}, "snippet": None}
    code = {"path": "dsvw.py", "text": line, "start_line": 50, "below": line,
            "imports": "import html, http.client, json, os, pickle, sqlite3, string, sys, subprocess, time\n"}
    answer, _, _ = fix_for(f, ["CWE-89"], code)
    assert "cursor.execute('INSERT INTO comments VALUES(NULL, ?, ?)', (params['comment'], time.ctime()))" in answer
    answer, _, _ = fix_for(f, ["CWE-89"], {k: v for k, v in code.items() if k != "imports"})
    assert "VALUES(NULL, %s, %s)" in answer and "sqlite3 takes `?`" in answer  # driver unknown: the note says it


def test_a_sqlite3_connection_named_connection_is_not_taken_for_djangos():
    # DSVW dsvw.py:30: `connection = sqlite3.connect(":memory:")`, `cursor = connection.cursor()`
    line = '            cursor.execute("SELECT id, username, name, surname FROM users WHERE id=" + params["id"])\n'
    f = {"id": "f1", "tool": "bandit", "rule_id": "B608", "kind": "code", "severity": "medium", "cwe": ["CWE-89"],
         "title": "B608", "location": {"path": "dsvw.py", "start_line": 30, "end_line": 30}, "snippet": None}
    code = {"path": "dsvw.py", "text": "    cursor = connection.cursor()\n" + line, "start_line": 29,
            "imports": "import html, json, sqlite3, time\n"}
    answer, _, _ = fix_for(f, ["CWE-89"], code)
    assert "cursor.execute('SELECT id, username, name, surname FROM users WHERE id=?', (params['id'],))" in answer
    django = dict(code, imports="from django.db import connection\n")
    assert "WHERE id=%s'" in fix_for(f, ["CWE-89"], django)[0]


def test_shell_true_to_another_function_is_not_given_a_list():
    # Bandit B604: the callee is the project's own wrapper, which may not take a list
    answer, _, _ = _fix("B604", "CWE-78", 'run_remote("ls " + path, shell=True)\n', 1)
    assert code_blocks(answer) == [] and "`run_remote`" in answer
