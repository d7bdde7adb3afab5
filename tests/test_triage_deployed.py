"""Checks that follow a finding to what the deployment runs: a Lambda that checks the JWT itself behind an open
API Gateway method (or serves a public page), an OpenAPI document nothing enforces.  Each: a case flagged with its
file:line evidence and a true positive left alone (tests/test_triage_deployed_code.py has the code checks)."""

from __future__ import annotations

from test_triage_containers import judge  # the verdict on a finding in a repository of a few files

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
    bypass = LAMBDA.replace('    token = event["headers"].get("JWT_TOKEN")\n',
                            '    token = event["headers"].get("JWT_TOKEN")\n    if "X-Internal" in event["headers"]:\n        return True\n')
    assert bypass != LAMBDA
    for code in (unverified, none_alg, bypass):
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
