"""Triage round 4: constant data behind names, quality-only Bandit rules, timeouts outside handlers, IAM attachment,
code kept as data -- each with a case it flags and a case it leaves alone."""

from __future__ import annotations

from test_triage_containers import Files  # a repository of a few files, as the source reader reads them
from test_triage_hygiene import checkov, finding

from tasks.triage.constant import check_constant
from tasks.triage.robustness import check_timeout
from tasks.triage.verdict import Judge

SQL_RULE = "python.lang.security.audit.formatted-sql-query"

SEED = '''import sqlite3
from passlib.hash import pbkdf2_sha256

ACCOUNTS = [
    ('root', pbkdf2_sha256.hash('toor')),
    ('guest', 'guest'),
]


def seed():
    cur = sqlite3.connect('app.db').cursor()
    for name, secret in ACCOUNTS:
        cur.execute("INSERT INTO accounts VALUES ('%s', '%s', %d)" % (name, secret, 0))
'''

VIEW = '''import sqlite3
from flask import request

def add():
    cur = sqlite3.connect('app.db').cursor()
    rows = [('guest', 'guest')]
    rows.append((request.form['name'], request.form['secret']))
    for name, secret in rows:
        cur.execute("INSERT INTO accounts VALUES ('%s', '%s')" % (name, secret))

def lookup(name):
    cur = sqlite3.connect('app.db').cursor()
    cur.execute("SELECT * FROM accounts WHERE name = '%s'" % name)
'''


def sql(path, line, tool="semgrep", rule=SQL_RULE):
    return finding(tool=tool, rule_id=rule, title="formatted SQL", location={"path": path, "start_line": line, "end_line": line})


# 1. constant data: names bound only to literals in the same file
def test_a_query_built_from_a_literal_seed_list_is_constant_data():
    rec = Judge(reader=Files(SEED)).judge(sql("app/seed.py", 13))
    assert rec["verdict"] == "false_positive" and rec["reasons"][0]["check"] == "code"
    ev = rec["reasons"][0]["evidence"]
    assert ev.startswith("constant data: the input of cur.execute() at line 13")
    assert "ACCOUNTS (app/seed.py:4)" in ev and "name (app/seed.py:12)" in ev
    assert "toor" not in ev and "guest" not in ev and "INSERT" not in ev  # names and lines, never a value


def test_request_data_appended_or_a_parameter_keeps_the_query_a_finding():
    reader = Files(VIEW)
    appended = sql("app/views.py", 9)
    assert check_constant(appended, reader) is None
    rec = Judge(reader=reader).judge(appended)
    assert rec["verdict"] == "true_positive"
    param = sql("app/views.py", 13, tool="bandit", rule="B608")
    assert check_constant(param, reader) is None and Judge(reader=reader).judge(param)["verdict"] == "true_positive"


def test_a_command_whose_program_is_one_of_two_literals_is_constant():
    code = ("import subprocess\nfrom shutil import which\n\ndef upgrade():\n"
            "    pip = 'pip3' if which('pip3') else 'pip'\n"
            "    subprocess.run([pip, 'install', '--upgrade', 'pip'], stdout=subprocess.DEVNULL)\n")
    f = finding(tool="bandit", rule_id="B603", title="subprocess_without_shell_equals_true",
                location={"path": "tools/upgrade.py", "start_line": 6, "end_line": 6})
    ev = check_constant(f, Files(code))
    assert ev and "pip (tools/upgrade.py:5)" in ev["evidence"]
    assert check_constant(f, Files(code.replace("'pip3' if", "input() if"))) is None


# 2. Bandit's error-handling hygiene rules
def test_try_except_pass_is_a_code_quality_rule_unless_it_swallows_a_security_check():
    swallow = finding(tool="bandit", rule_id="B110", title="Try, Except, Pass detected.", location={"path": "app/geo.py", "start_line": 8},
                      snippet="7         country = lookup(addr).iso_code\n8     except Exception:\n9         pass\n")
    rec = Judge().judge(swallow)
    assert rec["verdict"] == "false_positive" and "code-quality rule" in rec["reasons"][0]["evidence"]
    assert Judge().judge(swallow | {"rule_id": "B112"})["verdict"] == "false_positive"
    fails_open = swallow | {"snippet": "7         jwt.verify(token, key)\n8     except Exception:\n9         pass\n"}
    assert Judge().judge(fails_open)["verdict"] == "true_positive"
    assert Judge().judge(swallow | {"snippet": "8     except Exception:\n"})["verdict"] == "true_positive"  # the try body unseen
    source = ("def admin(user, token):\n    try:\n        verify_signature(token)\n        user.grant('admin')\n"
              "        log(user)\n    except Exception:\n        pass\n")
    hidden = swallow | {"location": {"path": "app/geo.py", "start_line": 6}, "snippet": "5         log(user)\n6     except Exception:\n"}
    assert Judge().judge(hidden)["verdict"] == "false_positive"  # the snippet alone shows no check
    assert Judge(reader=Files(source)).judge(hidden)["verdict"] == "true_positive"  # the file's try body does
    assert Judge(reader=Files(source.replace("verify_signature(token)", "x = 1"))).judge(hidden)["verdict"] == "false_positive"


# 3. requests without a timeout
def b113(path, line):
    return finding(tool="bandit", rule_id="B113", title="Call to requests without timeout", severity="medium",
                   description="Call to requests without timeout (test request_without_timeout, confidence low)",
                   location={"path": path, "start_line": line, "end_line": line})


CLIENT = '''import click
import requests

API = 'http://127.0.0.1:8000/api'

def versions(pkg):
    url = f"https://pypi.org/pypi/{pkg}/json"
    return requests.get(url).json()

@click.command()
@click.option('--source', default='https://example.org/list.txt')
def fetch(source):
    return requests.get(source).text

def post(msg):
    return requests.post(API + '/post', json={'m': msg})

def anywhere(url):
    return requests.get(url)
'''


def test_a_missing_timeout_towards_a_fixed_host_outside_a_handler_is_robustness():
    reader = Files(CLIENT)
    for line, words in [(8, "a fixed host (pypi.org)"), (13, "a click option at cli/client.py:11"),
                        (16, "a fixed local host (127.0.0.1)")]:
        rec = Judge(reader=reader).judge(b113("cli/client.py", line))
        assert rec["verdict"] == "false_positive" and words in rec["reasons"][0]["evidence"], line
        assert rec["reasons"][0]["evidence"].startswith("robustness, not a security weakness")
    assert check_timeout(b113("cli/client.py", 19), reader) is None  # a URL the caller passes: left as it is


def test_a_missing_timeout_in_a_request_handler_is_robustness_only_towards_a_fixed_service():
    handler = ("import requests\nfrom flask import Flask, request\napp = Flask(__name__)\n\n@app.route('/proxy')\ndef proxy():\n"
               "    return requests.get('https://api.example.org/v1').text\n")
    f = b113("app/web.py", 7)
    ev = check_timeout(f, Files(handler))
    assert ev and "calls a fixed host (api.example.org), which no request chooses" in ev["evidence"]
    assert Judge(reader=Files(handler)).judge(f)["verdict"] == "false_positive"
    chosen = handler.replace("requests.get('https://api.example.org/v1')", "requests.get(request.args['url'])")
    assert check_timeout(f, Files(chosen)) is None  # a caller picks the server: it can pick one that never answers
    assert Judge(reader=Files(chosen)).judge(f)["verdict"] != "false_positive"
    given = handler.replace("def proxy():", "def proxy(url=None):").replace("'https://api.example.org/v1'", "url")
    assert check_timeout(f, Files(given)) is None  # a parameter of a handler file: not a command-line value here


# 4. IAM policies attached to users
def test_iam_policy_attached_to_a_user_is_administration_while_iam_scope_stays():
    rec = Judge().judge(checkov("CKV_AWS_40", path="cfn/stack.yaml"))
    assert rec["verdict"] == "false_positive" and "groups or roles" in rec["reasons"][0]["evidence"]
    assert Judge().judge(checkov("CKV_AWS_62", path="cfn/stack.yaml"))["verdict"] == "true_positive"  # full admin "*:*"


# 5. code kept as data
def _repo(tmp_path, files):
    import subprocess

    from tasks.repository.source import SourceReader
    from tasks.triage.reachability import ImportIndex

    repo = tmp_path / "repo"
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    reader = SourceReader(repo)
    return Judge(reader=reader, imports=ImportIndex(reader))


SNIPPET = "module.exports = (req, res) => db.query('SELECT * FROM t WHERE id = ' + req.query.id)\n"
SNIPPETS_ROUTE = ("const fs = require('fs')\nconst SnippetDir = 'content/snippets'\n\nfunction list () {\n"
                  "  return fs.readdirSync(SnippetDir).map(f => fs.readFileSync(`${SnippetDir}/${f}`, 'utf8'))\n}\n"
                  "module.exports = { list }\n")


def js_sqli(path):
    return finding(rule_id="javascript.express.security.injection.tainted-sql-string", title="SQL injection",
                   location={"path": path, "start_line": 1, "end_line": 1}, snippet=SNIPPET.strip())


def test_a_source_file_the_application_reads_as_text_is_code_kept_as_data(tmp_path):
    judge = _repo(tmp_path, {"server.js": "const snippets = require('./routes/snippets')\n",
                             "routes/snippets.js": SNIPPETS_ROUTE, "content/snippets/sqlChallenge_1.js": SNIPPET})
    rec = judge.judge(js_sqli("content/snippets/sqlChallenge_1.js"))
    assert rec["verdict"] == "false_positive" and rec["reasons"][0]["check"] == "path"
    ev = rec["reasons"][0]["evidence"]
    assert ev.startswith("code stored as data, never executed: routes/snippets.js:2 names the folder content/snippets")
    assert "readFileSync at routes/snippets.js:5" in ev


def test_code_that_is_imported_or_loaded_dynamically_is_left_alone(tmp_path):
    judge = _repo(tmp_path, {
        "server.js": "const snippets = require('./routes/snippets')\nconst h = require('./content/snippets/helper')\n"
                     "const fs = require('fs')\nfs.readdirSync('plugins').forEach(f => require('./plugins/' + f))\n",
        "routes/snippets.js": SNIPPETS_ROUTE, "content/snippets/helper.js": SNIPPET, "plugins/search.js": SNIPPET})
    imported = judge.judge(js_sqli("content/snippets/helper.js"))
    assert imported["verdict"] == "true_positive" and "req.query" in imported["reasons"][0]["evidence"]
    plugin = judge.judge(js_sqli("plugins/search.js"))  # read by name, then required: the text runs
    assert plugin["verdict"] == "true_positive"


LIB = '''import sqlite3

def account_create(name, secret=None, failures=0):
    cur = sqlite3.connect('app.db').cursor()
    cur.execute("INSERT INTO accounts VALUES ('%s', '%s', %d)" % (name, '', failures))
'''
INIT = '''from lib import account_create

def init():
    seed = [('root', 'toor'), ('guest', 'guest')]
    for name, secret in seed:
        account_create(name, secret)
'''


def test_a_parameter_every_call_passes_constants_for_is_constant_data(tmp_path):
    judge = _repo(tmp_path, {"lib.py": LIB, "init.py": INIT})
    rec = judge.judge(sql("lib.py", 5))
    assert rec["verdict"] == "false_positive", rec
    ev = rec["reasons"][0]["evidence"]
    assert "name of account_create() (every call passes constants: init.py:6)" in ev and "toor" not in ev
    assert "seed (init.py:4)" in ev


def test_a_parameter_one_call_feeds_from_a_request_keeps_the_finding(tmp_path):
    view = "from flask import request\nfrom lib import account_create\n\ndef signup():\n    account_create(request.form['name'])\n"
    judge = _repo(tmp_path, {"lib.py": LIB, "init.py": INIT, "views.py": view})
    assert judge.judge(sql("lib.py", 5))["verdict"] == "true_positive"
    handler = INIT.replace("for name, secret in seed:\n        account_create(name, secret)", "register(account_create)")
    assert _repo(tmp_path / "b", {"lib.py": LIB, "init.py": handler}).judge(sql("lib.py", 5))["verdict"] == "true_positive"


def test_a_query_built_on_its_own_line_from_constants_is_constant_data():
    code = ("TABLES = ('users', 'posts')\n\ndef wipe(cur):\n    for table in TABLES:\n"
            "        query = 'DELETE FROM %s' % table\n        cur.execute(query)\n\ndef find(cur, name):\n"
            "    query = 'SELECT * FROM users WHERE name = %s' % name\n    cur.execute(query)\n")
    b608 = finding(tool="bandit", rule_id="B608", title="Possible SQL injection vector through string-based query construction.",
                   location={"path": "app/admin.py", "start_line": 5, "end_line": 5})
    ev = check_constant(b608, Files(code))
    assert ev and "the string built at line 5" in ev["evidence"] and "TABLES (app/admin.py:1)" in ev["evidence"]
    assert check_constant(b608 | {"location": {"path": "app/admin.py", "start_line": 9, "end_line": 9}}, Files(code)) is None


SEED_JS = '''const { exec } = require('child_process')
const accounts = [['root', 'toor'], ['guest', 'guest']]

function seed (db) {
  for (const [name, secret] of accounts) {
    db.query(`INSERT INTO accounts VALUES ('${name}', '${secret}')`)
  }
  const flags = process.platform === 'win32' ? '/s' : '-la'
  exec('ls ' + flags, { cwd: '/srv' }, (err) => {})
}

function add (req, db) {
  const rows = [['guest', 'guest']]
  rows.push([req.body.name, req.body.secret])
  for (const [name, secret] of rows) {
    db.query(`INSERT INTO accounts VALUES ('${name}', '${secret}')`)
  }
  exec('ls ' + req.query.dir)
}
'''


def test_javascript_names_bound_to_literals_are_constant_data_and_request_data_is_not():
    reader = Files(SEED_JS)
    q = finding(rule_id="javascript.lang.security.audit.sqli.node-mysql-sqli", title="SQL injection",
                location={"path": "db/seed.js", "start_line": 6, "end_line": 6})
    rec = Judge(reader=reader).judge(q)
    assert rec["verdict"] == "false_positive", rec
    assert "accounts (db/seed.js:2), name (db/seed.js:5)" in rec["reasons"][0]["evidence"] and "toor" not in str(rec)
    cmd = q | {"rule_id": "javascript.lang.security.detect-child-process", "location": {"path": "db/seed.js", "start_line": 9}}
    assert "flags (db/seed.js:8)" in check_constant(cmd, reader)["evidence"]
    for line in (16, 18):  # a pushed request value; request data on the line
        f = q | {"location": {"path": "db/seed.js", "start_line": line, "end_line": line}}
        assert check_constant(f, reader) is None and Judge(reader=reader).judge(f)["verdict"] == "true_positive"


def test_a_fixed_host_must_end_before_anything_is_appended():
    code = ("import requests\n\ndef a(path):\n    return requests.get('https://api.example.org' + path)\n\n"
            "def b(path):\n    return requests.get('https://api.example.org/' + path)\n\n"
            "def c(host):\n    return requests.get(f'https://{host}/x')\n")
    reader = Files(code)
    assert check_timeout(b113("scripts/sync.py", 4), reader) is None  # path = '.evil.example/' would change the host
    assert "a fixed host (api.example.org)" in check_timeout(b113("scripts/sync.py", 7), reader)["evidence"]
    assert check_timeout(b113("scripts/sync.py", 10), reader) is None
    # an application's job module: a hang stalls a worker nobody watches (held-out set 18), so the report stands
    assert check_timeout(b113("jobs/sync.py", 7), reader) is None


def test_calls_only_from_tests_or_a_bundler_config_prove_nothing(tmp_path):
    only_tests = _repo(tmp_path / "a", {"lib.py": LIB, "tests/test_lib.py": "from lib import account_create\n\n"
                                        "def test_it():\n    account_create('root')\n"})
    assert only_tests.judge(sql("lib.py", 5))["verdict"] == "true_positive"  # code outside the repository may call it
    bundled = _repo(tmp_path / "b", {"webpack.config.js": "const fs = require('fs')\nconst Pages = 'src/pages'\n"
                                     "module.exports = { files: fs.readdirSync(Pages) }\n", "src/pages/search.js": SNIPPET})
    assert bundled.judge(js_sqli("src/pages/search.js"))["verdict"] == "true_positive"


LAMBDA = '''import sqlite3

def handler(event, context):
    db = sqlite3.connect('policies.db')
    for policy in event['policy_names']:
        statement = f"select policy_document from policies where policy_name='{policy}'"
        db.execute(statement)

if __name__ == '__main__':
    payload = {'policy_names': ['AmazonSNSReadOnlyAccess']}
    print(handler(payload, 'uselessinfo'))
'''
OTHER_LAMBDA = '''def handler(event, context):
    return {'ok': True}

if __name__ == '__main__':
    handler({'a': 1}, None)
'''


def test_a_serverless_handler_gets_outside_data_whatever_its_main_block_passes(tmp_path):
    """cloudgoat's policy applier: the __main__ block's sample event is a local test; AWS calls handler() with the
    request.  Another Lambda folder's own handler() is not a caller of this one."""
    judge = _repo(tmp_path, {"lambda1/main.py": LAMBDA, "lambda2/main.py": OTHER_LAMBDA})
    rec = judge.judge(sql("lambda1/main.py", 6, tool="bandit", rule="B608"))
    assert rec["verdict"] != "false_positive", rec
    azure = LAMBDA.replace("def handler(event, context):", "import azure.functions as func\n\ndef main(req: func.HttpRequest):")
    azure = azure.replace("event['policy_names']", "req.params['policy_names']").replace("handler(payload, 'uselessinfo')", "main(payload)")
    rec = _repo(tmp_path / "az", {"fn/__init__.py": azure}).judge(sql("fn/__init__.py", 8, tool="bandit", rule="B608"))
    assert rec["verdict"] != "false_positive", rec


def test_a_same_named_function_in_another_module_is_not_a_call_site(tmp_path):
    """b.py's own run() is called with request data; a.py's run() is only ever called with constants."""
    a = "import sqlite3\n\ndef run(table):\n    sqlite3.connect('x').execute('DELETE FROM %s' % table)\n\nrun('sessions')\n"
    b = "from flask import request\n\ndef run(q):\n    return q\n\nrun(request.args['q'])\n"
    rec = _repo(tmp_path, {"a.py": a, "b.py": b}).judge(sql("a.py", 4, tool="bandit", rule="B608"))
    assert rec["verdict"] == "false_positive" and "every call passes constants: a.py:6" in rec["reasons"][0]["evidence"], rec
    c = "from flask import request\nimport a\n\na.run(request.args['t'])\n"
    assert _repo(tmp_path / "c", {"a.py": a, "c.py": c}).judge(sql("a.py", 4, tool="bandit", rule="B608"))["verdict"] != \
        "false_positive"


VAPI = '''import os

def display_uptime():
    return display_uptime_flag(False)

def display_uptime_flag(flag):
    if flag:
        command = "uptime -" + flag
    else:
        command = "uptime"
    return os.popen(command).read()
'''


def test_a_function_a_framework_routes_to_is_not_only_called_by_the_repository(tmp_path):
    """vulnerable-api: connexion calls display_uptime_flag(flag) for GET /uptime/{flag} (its operationId in the
    OpenAPI document); the one Python call passing False is not the only caller, so the command is not constant."""
    spec = ("paths:\n  /uptime/{flag}:\n    get:\n      operationId: display_uptime_flag\n"
            "      parameters:\n        - name: flag\n          in: path\n")
    popen = finding(tool="bandit", rule_id="B605", title="Starting a process with a shell, possible injection detected.",
                    location={"path": "vAPI.py", "start_line": 11, "end_line": 11})
    routed = _repo(tmp_path / "a", {"vAPI.py": VAPI, "openapi/vAPI.yaml": spec}).judge(popen)
    assert routed["verdict"] != "false_positive", routed
    # without the route, the only call passes a constant: that evidence still stands
    alone = _repo(tmp_path / "b", {"vAPI.py": VAPI, "openapi/vAPI.yaml": spec.replace("display_uptime_flag", "display_uptime")})
    rec = alone.judge(popen)
    assert rec["verdict"] == "false_positive" and "every call passes constants: vAPI.py:4" in rec["reasons"][0]["evidence"], rec


RECEIPT = '''import datetime
import os
import uuid


def lambda_handler(event, context):
    order = event["Records"][0]["s3"]["object"]["key"]
    download_path = f'/tmp/{str(uuid.uuid4())}.txt'
    date = datetime.datetime.now().strftime('%Y-%m-%d %H:%M')
    os.system(f'echo -e "Date: {date}" >> ' + download_path)
    os.system("echo " + str(uuid.uuid4().hex))
    os.system(f'echo "Order: {order}" >> ' + download_path)
'''


def test_values_the_program_makes_itself_are_not_outside_data(tmp_path):
    """DVSA's receipt Lambda: a command built from the clock and a random UUID; the S3 key is the event's."""
    judge = _repo(tmp_path, {"receipt.py": RECEIPT})
    cmd = finding(tool="bandit", rule_id="B605", title="Starting a process with a shell, possible injection detected.",
                  location={"path": "receipt.py", "start_line": 10, "end_line": 10})
    rec = judge.judge(cmd)
    assert rec["verdict"] == "false_positive", rec
    ev = rec["reasons"][0]["evidence"]
    assert "values the program makes itself (datetime.datetime.now(), uuid.uuid4())" in ev and "download_path" in ev, ev
    bare = judge.judge(cmd | {"location": {"path": "receipt.py", "start_line": 11, "end_line": 11}})
    assert bare["verdict"] == "false_positive" and "built only from literals and values the program makes itself" in \
        bare["reasons"][0]["evidence"], bare
    assert judge.judge(cmd | {"location": {"path": "receipt.py", "start_line": 12, "end_line": 12}})["verdict"] != "false_positive"


CLEANUP = '''def clean(cursor, done):
    placeholders = ", ".join("?" for _ in done)
    sql = f"DELETE FROM background_task WHERE id IN ({placeholders})"
    cursor.execute(sql, done)


def marks(cursor, ids):
    sql = "SELECT * FROM t WHERE id IN (%s)" % ",".join(["%s"] * len(ids))
    cursor.execute(sql, ids)


def quoted(cursor, ids):
    values = ", ".join(f"'{i}'" for i in ids)
    cursor.execute(f"DELETE FROM t WHERE id IN ({values})")


def repeated(cursor, name):
    cursor.execute("SELECT '%s'" % (name * 3))
'''


def test_a_query_of_placeholder_marks_only_is_constant_and_values_in_the_text_are_not():
    """linkding's migrate_tasks.py (round 15): `", ".join("?" for _ in ids)` puts only `?` marks in the SQL; the ids are
    bound by execute(sql, ids).  A list of quoted values, or a user string repeated, is still outside data."""
    reader = Files(CLEANUP)
    for line in (3, 8):
        rec = Judge(reader=reader).judge(sql("app/tasks.py", line, tool="bandit", rule="B608"))
        assert rec["verdict"] == "false_positive", line
        assert rec["reasons"][0]["evidence"].startswith("constant data: the input of the string built at line"), line
    assert "placeholders (app/tasks.py:2)" in Judge(reader=reader).judge(sql("app/tasks.py", 3, "bandit", "B608"))["reasons"][0]["evidence"]
    for line in (14, 18):
        assert check_constant(sql("app/tasks.py", line), reader) is None, line


def test_a_worker_module_waiting_on_a_local_service_is_a_weakness_and_a_script_is_not():
    # held-out set 18: LibrePhotos' api/thumbnails.py posts to http://localhost:8003/ with no timeout from the
    # thumbnail job; both labellers called it a (low) availability weakness: a hang stalls a worker nobody watches
    worker = ("import requests\n\ndef create_thumbnail(path):\n"
              "    return requests.post('http://localhost:8003/', json={'source': path}).json()\n")
    assert check_timeout(b113("api/thumbnails.py", 4), Files(worker)) is None
    script = worker + "\n\nif __name__ == '__main__':\n    create_thumbnail('a.raw')\n"
    ev = check_timeout(b113("api/thumbnails.py", 4), Files(script))["evidence"]
    assert "a fixed local host (localhost)" in ev and "a command-line program (line 7" in ev
