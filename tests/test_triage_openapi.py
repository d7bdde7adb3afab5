"""CKV_OPENAPI_21 (arrays without maxItems) on a response schema documents output, bounds no input."""

from __future__ import annotations

from test_triage_containers import Files  # a repository of a few files, as the source reader reads them

from tasks.triage.verdict import Judge

SPEC = """openapi: 3.0.1
paths:
  /users:
    get:
      responses:
        '200':
          content:
            application/json:
              schema:
                type: object
                properties:
                  users:
                    type: array
                    items:
                      type: string
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: array
              items:
                type: string
components:
  schemas:
    Users:
      type: array
      items:
        type: string
"""


def judge(line: int) -> dict:
    f = {"id": "a" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_OPENAPI_21",
         "title": "Ensure that arrays have a maximum number of items", "description": "", "severity": "medium",
         "location": {"path": "api/openapi.yml", "start_line": line, "end_line": line}, "package": None, "snippet": None,
         "aliases": [], "cve": [], "ghsa": [], "suppressed": False}
    repo = Files({"api/openapi.yml": SPEC})
    return Judge(reader=repo, imports=repo).judge(f)


def test_an_array_in_a_response_schema_is_no_input_to_bound():
    rec = judge(13)  # users: type: array, under get > responses > '200'
    assert rec["verdict"] == "false_positive"
    assert "api/openapi.yml:5 `responses`" in rec["reasons"][0]["evidence"] and "bounds no input" in rec["reasons"][0]["evidence"]


def test_a_request_body_or_a_shared_component_array_stays_a_finding():
    for line in (21, 27):  # post > requestBody; components > schemas (requests may use it)
        rec = judge(line)
        assert rec["verdict"] == "true_positive" and "response schema" not in str(rec["reasons"])


LOGIN = """openapi: 3.0.1
paths:
  /login:
    post:
      responses:
        '200':
          content:
            application/json:
              schema:
                properties:
                  auth_token:
                    type: string
                    example: eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.Hn9pQ2xY8mKq1L3vT7wR5sD4fG6hJ0kZ
"""


def secret_at(path: str, text: str, line: int) -> dict:
    f = {"id": "b" * 32, "tool": "checkov", "kind": "secret", "rule_id": "CKV_SECRET_9", "title": "JSON Web Token",
         "description": "", "severity": "high", "location": {"path": path, "start_line": line, "end_line": line},
         "package": None, "snippet": None, "aliases": [], "cve": [], "ghsa": [], "suppressed": False}
    repo = Files({path: text})
    return Judge(reader=repo, imports=repo).judge(f)


def test_a_token_in_an_api_specs_example_value_is_documentation():
    rec = secret_at("api/openapi3.yml", LOGIN, 13)
    assert rec["verdict"] == "false_positive" and rec["reasons"][0]["check"] == "secret"
    assert "api/openapi3.yml:13 is an `example` value" in rec["reasons"][0]["evidence"]
    assert "eyJ0" not in str(rec)  # never the value


def test_the_same_token_outside_an_example_or_outside_a_spec_stays():
    assert secret_at("api/openapi3.yml", LOGIN.replace("example:", "default_token:"), 13)["verdict"] != "false_positive"
    config = LOGIN.replace("openapi: 3.0.1", "service: login")
    assert secret_at("api/config.yml", config, 13)["verdict"] != "false_positive"
