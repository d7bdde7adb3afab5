"""Checks that follow a finding to what the deployment runs: a Lambda that checks the JWT itself behind an open
API Gateway method, an OpenAPI document nothing enforces, a __main__ block a WSGI server skips, a weak digest
used as a de-duplication key.  Each: a case flagged with its file:line evidence and a true positive left alone."""

from __future__ import annotations

from test_triage_containers import Files  # a repository of a few files, as the source reader reads them

from tasks.triage.verdict import Judge

TF = '''resource "aws_api_gateway_rest_api" "api" {
  name = "blog"
}

resource "aws_api_gateway_resource" "xss" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "xss"
}

resource "aws_api_gateway_method" "xss_post" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.xss.id
  http_method   = "POST"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "xss" {
  rest_api_id             = aws_api_gateway_rest_api.api.id
  resource_id             = aws_api_gateway_method.xss_post.resource_id
  http_method             = aws_api_gateway_method.xss_post.http_method
  integration_http_method = "POST"
  type                    = "AWS_PROXY"
  uri                     = aws_lambda_function.data.invoke_arn
}

resource "aws_api_gateway_resource" "login" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "login"
}

resource "aws_api_gateway_method" "login_post" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.login.id
  http_method   = "POST"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "login" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  resource_id = aws_api_gateway_method.login_post.resource_id
  http_method = aws_api_gateway_method.login_post.http_method
  type        = "AWS_PROXY"
  uri         = aws_lambda_function.data.invoke_arn
}

data "archive_file" "data_zip" {
  type        = "zip"
  source_file = "lambda/data/lambda_function.py"
  output_path = "lambda/out/data.zip"
}

resource "aws_lambda_function" "data" {
  filename      = "lambda/out/data.zip"
  function_name = "blog-data"
  handler       = "lambda_function.lambda_handler"
  runtime       = "python3.9"
}
'''

LAMBDA = '''import os
import jwt


def auth_is_valid(event):
    token = event["headers"].get("JWT_TOKEN")
    try:
        jwt.decode(token, os.environ["JWT_SECRET"], algorithms=["HS256"])
        return True
    except jwt.InvalidTokenError:
        return False


def lambda_handler(event, context):
    if event["httpMethod"] == "POST" and event["path"] == "/login":
        return {"statusCode": 200}
    if auth_is_valid(event):
        if event["httpMethod"] == "GET" and event["path"] == "/list":
            return {"statusCode": 200}
        elif event["httpMethod"] == "POST" and event["path"] == "/xss":
            return {"statusCode": 200}
    return {"statusCode": 401}
'''

LINES = {name: n for n, line in enumerate(TF.splitlines(), 1) for name in ("xss_post", "login_post")
         if line.startswith(f'resource "aws_api_gateway_method" "{name}"')}


def config(rule: str, path: str, line: int, tool: str = "checkov") -> dict:
    return {"id": "c" * 32, "tool": tool, "kind": "config", "rule_id": rule, "title": "", "description": "",
            "severity": "medium", "location": {"path": path, "start_line": line, "end_line": line}, "package": None,
            "snippet": None, "aliases": [], "cve": [], "ghsa": [], "suppressed": False}


def judge(files: dict[str, str], f: dict) -> dict:
    repo = Files(files)
    return Judge(reader=repo, imports=repo).judge(f)


def test_an_open_method_whose_lambda_verifies_the_jwt_is_a_false_positive():
    rec = judge({"infra/main.tf": TF, "infra/lambda/data/lambda_function.py": LAMBDA},
                config("CKV_AWS_59", "infra/main.tf", LINES["xss_post"]))
    assert rec["verdict"] == "false_positive"
    ev = rec["reasons"][0]["evidence"]
    assert f"infra/main.tf:{LINES['xss_post']} POST /xss" in ev and "aws_lambda_function.data" in ev
    assert "infra/lambda/data/lambda_function.py:20" in ev and "auth_is_valid" in ev and "lambda_function.py:8 jwt.decode" in ev


def test_a_route_the_lambda_serves_before_the_check_stays_a_finding():
    rec = judge({"infra/main.tf": TF, "infra/lambda/data/lambda_function.py": LAMBDA},
                config("CKV_AWS_59", "infra/main.tf", LINES["login_post"]))
    assert rec["verdict"] == "true_positive" and "token" not in str(rec["reasons"])


def test_no_handler_source_or_a_check_without_a_key_stays_a_finding():
    f = config("CKV_AWS_59", "infra/main.tf", LINES["xss_post"])
    assert judge({"infra/main.tf": TF}, f)["verdict"] == "true_positive"
    unverified = LAMBDA.replace('os.environ["JWT_SECRET"], algorithms=["HS256"]', 'options={"verify_signature": False}')
    none_alg = LAMBDA.replace("\"HS256\"", "\"none\"")
    for code in (unverified, none_alg):
        assert judge({"infra/main.tf": TF, "infra/lambda/data/lambda_function.py": code}, f)["verdict"] == "true_positive"


SPEC = '{\n  "openapi": "3.0.0",\n  "paths": {}\n}\n'
GENERATOR = ("const swaggerAutogen = require('swagger-autogen')({openapi: '3.0.0'});\n"
             "const outputFile = './swagger-output.json';\n"
             "module.exports = () => swaggerAutogen(outputFile, ['./routes/users.js'], {});\n")
APP_JS = ("const swaggerUI = require('swagger-ui-express');\nconst express = require('express');\nconst app = express();\n"
          "const swaggerOutput = require('./swagger-output.json');\n"
          "app.use('/api-docs', swaggerUI.serve, swaggerUI.setup(swaggerOutput));\n")


def test_a_generated_spec_served_as_docs_is_not_the_access_policy():
    files = {"swagger-output.json": SPEC, "swagger-generator.js": GENERATOR, "app.js": APP_JS,
             "package.json": '{"dependencies": {"swagger-autogen": "^2", "swagger-ui-express": "^4"}}\n'}
    for rule in ("CKV_OPENAPI_4", "CKV_OPENAPI_5"):
        rec = judge(files, config(rule, "swagger-output.json", 1))
        assert rec["verdict"] == "false_positive"
        ev = rec["reasons"][0]["evidence"]
        assert "swagger-generator.js:2" in ev and "app.js:4" in ev and "documentation, not the access policy" in ev


def test_a_spec_that_connexion_loads_stays_a_finding():
    files = {"openapi_specs/openapi3.yml": "openapi: 3.0.1\npaths: {}\n",
             "config.py": "import connexion\nvuln_app = connexion.App(__name__, specification_dir='./openapi_specs')\n"
                          "vuln_app.add_api('openapi3.yml')\n"}
    assert judge(files, config("CKV_OPENAPI_4", "openapi_specs/openapi3.yml", 1))["verdict"] == "true_positive"
    # an unknown file that names the spec may load it: left alone too
    files = {"swagger.json": SPEC, "server.js": "const spec = require('./swagger.json');\nmountRoutes(spec);\n"}
    assert judge(files, config("CKV_OPENAPI_5", "swagger.json", 1))["verdict"] == "true_positive"


SERVER = ("from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route('/')\ndef root():\n    return 'hi'\n\n\n"
          "if __name__ == \"__main__\":\n    app.run(host='0.0.0.0', port=8000)\n")


def code(rule: str, path: str, line: int, title: str = "") -> dict:
    return config(rule, path, line, tool="bandit") | {"kind": "code", "title": title}


def test_a_main_block_that_gunicorn_skips_is_a_false_positive():
    files = {"golden/app/server.py": SERVER, "golden/app/app.py": "from server import app\n\nif __name__ == '__main__':\n    app.run()\n",
             "golden/app/run.sh": "#!/bin/bash\ngunicorn --threads 8 --bind 127.0.0.1:8000 app:app\n",
             "golden/deployments/Dockerfile": "FROM python:3.12\nWORKDIR /app\nCOPY app/ .\nCMD /bin/bash run.sh\n"}
    rec = judge(files, code("B104", "golden/app/server.py", 12))
    assert rec["verdict"] == "false_positive"
    ev = rec["reasons"][0]["evidence"]
    assert "golden/app/server.py:11" in ev and "golden/app/run.sh:2" in ev and "gunicorn" in ev and "imports server" in ev


def test_a_main_block_run_directly_or_a_line_outside_it_stays_a_finding():
    debug = SERVER.replace("host='0.0.0.0', port=8000", "debug=True")
    files = {"web/app.py": debug, "web/Procfile": "web: gunicorn app:app\n",
             "web/README.md": "Run it locally:\n\n    python app.py\n"}
    assert judge(files, code("B201", "web/app.py", 12, "A Flask app appears to be run with debug=True"))["verdict"] == "true_positive"
    outside = "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"
    files = {"web/app.py": outside, "web/Procfile": "web: gunicorn app:app\n"}
    assert judge(files, code("B201", "web/app.py", 3, "A Flask app appears to be run with debug=True"))["verdict"] == "true_positive"


DEDUP = ("import hashlib\n\n\ndef remove_duplicates(lines):\n    seen = set()\n    out = []\n    for line in lines:\n"
         "        digest = hashlib.md5(line.encode()).hexdigest()\n        if digest not in seen:\n"
         "            out.append(line)\n            seen.add(digest)\n    return out\n")
ALLOW = ("import hashlib\n\nKNOWN = {'5d41402abc4b2a76b9719d911017c592'}\n\n\ndef trusted(blob):\n"
         "    digest = hashlib.md5(blob).hexdigest()\n    return digest in KNOWN\n")


def test_a_digest_only_used_to_drop_duplicates_is_not_a_security_use():
    rec = judge({"tools/wordlist.py": DEDUP}, code("B324", "tools/wordlist.py", 8, "Use of weak MD5 hash for security."))
    assert rec["verdict"] == "false_positive"
    assert "tools/wordlist.py:8 computes digest" in rec["reasons"][0]["evidence"] and "remove_duplicates()" in rec["reasons"][0]["evidence"]


def test_a_digest_checked_against_a_list_of_known_hashes_stays_a_finding():
    rec = judge({"tools/verify.py": ALLOW}, code("B324", "tools/verify.py", 7, "Use of weak MD5 hash for security."))
    assert rec["verdict"] == "true_positive"


CORE_INFO = 'name = Overlay\npackage = Core\ncore = 7.x\n\n; Information added by Drupal.org packaging script\nproject = "drupal"\n'
EVAL_JS = "(function ($) {\n  var cb = Drupal.settings.tableHeaderOffset;\n  eval(cb);\n})(jQuery);\n"


def semgrep_eval(path: str) -> dict:
    return config("js-eval-new-function", path, 3, tool="semgrep") | {"kind": "code", "title": "eval() of a dynamic value"}


def test_code_in_a_drupal_core_module_is_vendored_cms_code():
    rec = judge({"html/modules/overlay/overlay.info": CORE_INFO, "html/modules/overlay/overlay-child.js": EVAL_JS},
                semgrep_eval("html/modules/overlay/overlay-child.js"))
    assert rec["verdict"] == "false_positive"
    assert "html/modules/overlay/overlay.info:2" in rec["reasons"][0]["evidence"] and "upgrade" in rec["reasons"][0]["evidence"]


def test_a_custom_module_or_one_that_only_claims_core_stays_a_finding():
    custom = CORE_INFO.replace("package = Core", "package = Custom")
    for info in (custom, CORE_INFO.replace('project = "drupal"', 'project = "shop"')):
        rec = judge({"html/sites/all/modules/shop/shop.info": info, "html/sites/all/modules/shop/shop.js": EVAL_JS},
                    semgrep_eval("html/sites/all/modules/shop/shop.js"))
        assert rec["verdict"] != "false_positive" and "Drupal core" not in str(rec["reasons"])


PAGE_TF = '''resource "aws_api_gateway_resource" "react" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "react"
}

resource "aws_api_gateway_method" "react" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.react.id
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "react" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  resource_id = aws_api_gateway_method.react.resource_id
  http_method = aws_api_gateway_method.react.http_method
  type        = "AWS_PROXY"
  uri         = aws_lambda_function.react.invoke_arn
}

data "archive_file" "react_zip" {
  type        = "zip"
  source_dir  = "lambda/react"
  output_path = "lambda/out/react.zip"
}

resource "aws_lambda_function" "react" {
  filename = "lambda/out/react.zip"
  handler  = "index.handler"
  runtime  = "nodejs18.x"
}
'''
PAGE_JS = ("var fs = require('fs');\n\nexports.handler = async function(event) {\n"
           "    var html = fs.readFileSync(__dirname + '/index.html', 'utf8');\n"
           "    return {statusCode: 200, headers: {'Content-Type': 'text/html'}, body: html};\n}\n")


def test_a_get_method_whose_lambda_returns_its_bundled_page_is_a_public_page():
    rec = judge({"main.tf": PAGE_TF, "lambda/react/index.js": PAGE_JS, "lambda/react/index.html": "<html></html>\n"},
                config("CKV_AWS_59", "main.tf", 7))
    assert rec["verdict"] == "false_positive"
    ev = rec["reasons"][0]["evidence"]
    assert "main.tf:7 GET /react" in ev and "lambda/react/index.html (lambda/react/index.js:4)" in ev


def test_a_get_lambda_that_reads_the_request_or_a_database_stays_a_finding():
    reads = PAGE_JS.replace("'utf8');", "'utf8') + event.queryStringParameters.user;")
    sdk = "const AWS = require('aws-sdk');\n" + PAGE_JS
    for js in (reads, sdk):
        rec = judge({"main.tf": PAGE_TF, "lambda/react/index.js": js, "lambda/react/index.html": "<html></html>\n"},
                    config("CKV_AWS_59", "main.tf", 7))
        assert rec["verdict"] == "true_positive"


STATS_JS = """window.onload = function() {
    fetch(`http://localhost:10005/statistics/data?user=${name}`)
        .then(resp => resp.json())
        .then(data => {
            renderChart(data)
        })
}

function renderChart(data){
    document.getElementById('wins').innerHTML = data.numbers.wins
    document.getElementById('player').innerHTML = data.numbers.player
}
"""
SERVER_JS = """const express = require('express')
const app = express()

app.post('/game', async (req, res) => {
    let statistics = await db.get(req.body.user)
    if (statistics === undefined){
        statistics = {
            wins: 0,
            player: req.body.user,
        }
    }
    statistics.wins++
    db.save(statistics)
});

app.get('/statistics/data', async (req, res) => {
    const statistics = await db.get(req.query.user)
    const response = {
        numbers: {
            wins: statistics.wins,
            player: statistics.player,
        }
    }
    res.status(200).json(response)
});
"""


def innerhtml(line: int) -> dict:
    return config("js-innerhtml-assignment", "src/assets/js/statistics.js", line, tool="semgrep") | {
        "kind": "code", "title": "innerHTML assignment", "cwe": ["CWE-79"]}


def test_innerhtml_of_a_counter_the_server_computes_is_a_false_positive():
    rec = judge({"src/assets/js/statistics.js": STATS_JS, "src/app.js": SERVER_JS}, innerhtml(10))
    assert rec["verdict"] == "false_positive"
    ev = rec["reasons"][0]["evidence"]
    assert "fetch('/statistics/data') (src/assets/js/statistics.js:2)" in ev and "src/app.js:16 answers" in ev
    assert "numbers.wins = statistics.wins (src/app.js:20)" in ev and "(src/app.js:8, src/app.js:12)" in ev


def test_innerhtml_of_a_field_the_server_fills_from_a_request_stays_a_finding():
    rec = judge({"src/assets/js/statistics.js": STATS_JS, "src/app.js": SERVER_JS}, innerhtml(11))
    assert rec["verdict"] == "true_positive" and "a number the server computes" not in str(rec["reasons"])
