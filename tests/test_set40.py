"""Checks written in the nineteenth session (held-out set 40: sqlmap, navidrome, terraform-aws-route53, kimai,
vikunja), each with the neighbour that stays as it was."""

from __future__ import annotations

import pytest

from test_triage_constant_data import _repo
from test_triage_hygiene import finding

DIRECTOR = '''import subprocess


class CliDirector:
    def pause(self, seconds):
        return seconds

    def run_external(self, command):
        subprocess.run(command, shell=True)
'''
RECORD = "from clidirector import CliDirector\n\nd = CliDirector()\nd.pause(1)\n"


def shell_true(path="docs/scripts/clidirector.py", line=9):
    return finding(tool="bandit", rule_id="B602", title="subprocess call with shell=True identified",
                   location={"path": path, "start_line": line, "end_line": line})


def _reasons(tmp_path, files, f):
    rec = _repo(tmp_path, files).judge(f)
    return rec, " | ".join(r["evidence"] for r in rec["reasons"])


def test_a_docs_scripts_method_nothing_names_is_said_never_to_run_beside_the_path(tmp_path):
    """Set 39's grader of mitmproxy's clidirector.py: "misses the fact that the method is never called"."""
    rec, said = _reasons(tmp_path, {"docs/scripts/clidirector.py": DIRECTOR, "docs/scripts/record.py": RECORD}, shell_true())
    assert rec["verdict"] == "false_positive"
    assert rec["reasons"][0]["check"] == "path"  # the path decides; the code fact goes beside it
    assert ("nothing calls CliDirector.run_external() (line 8), which holds the flagged line: its name appears nowhere "
            "else in the repository's tracked files") in said


@pytest.mark.parametrize("files", [
    # called from another script
    {"docs/scripts/clidirector.py": DIRECTOR, "docs/scripts/record.py": RECORD + "d.run_external('ls')\n"},
    # named in a string: a getattr or a dispatch table may call it
    {"docs/scripts/clidirector.py": DIRECTOR, "docs/scripts/record.py": RECORD + "getattr(d, 'run_external')('ls')\n"},
    # named in a configuration file
    {"docs/scripts/clidirector.py": DIRECTOR, "docs/scripts/steps.yaml": "- run_external: ls\n"},
    # a subclass's override: the base class calls it by name
    {"docs/scripts/clidirector.py": DIRECTOR.replace("class CliDirector:", "class CliDirector(Base):")},
    # a decorated function: a framework calls it
    {"docs/scripts/clidirector.py": DIRECTOR.replace("    def run_external", "    @staticmethod\n    def run_external")},
    # the review: a dispatcher builds the name from its prefix (`getattr(self, "run_" + name)`)
    {"docs/scripts/clidirector.py": DIRECTOR, "docs/scripts/record.py": RECORD + "getattr(d, 'run_' + step)('ls')\n"},
])
def test_a_function_something_may_call_gets_no_such_claim(tmp_path, files):
    line = 10 if "@staticmethod" in files["docs/scripts/clidirector.py"] else 9
    rec, said = _reasons(tmp_path, files, shell_true(line=line))
    assert "nothing calls" not in said


def test_conventional_names_and_application_code_get_no_claim(tmp_path):
    runner = DIRECTOR.replace("run_external", "test_external")  # pytest calls test_* by convention
    _, said = _reasons(tmp_path / "a", {"tests/test_director.py": runner}, shell_true("tests/test_director.py"))
    assert "nothing calls" not in said
    # application code: the path does not decide, so nothing is said beside it (the claim is no verdict of its own)
    rec, said = _reasons(tmp_path / "b", {"app/clidirector.py": DIRECTOR}, shell_true("app/clidirector.py"))
    assert "nothing calls" not in said


def test_a_go_helper_in_an_example_that_nothing_calls(tmp_path):
    go = ('package main\n\nimport "os/exec"\n\nfunc runTool(arg string) {\n\texec.Command("sh", "-c", arg).Run()\n}\n\n'
          'func main() {\n}\n')
    f = finding(tool="semgrep", rule_id="go.lang.security.audit.dangerous-exec-command", title="exec",
                location={"path": "examples/tool/main.go", "start_line": 6, "end_line": 6})
    rec, said = _reasons(tmp_path / "a", {"examples/tool/main.go": go}, f)
    assert rec["verdict"] == "false_positive" and "nothing calls runTool() (line 5)" in said
    called = go.replace("func main() {\n}", "func main() {\n\trunTool(\"ls\")\n}")
    _, said = _reasons(tmp_path / "b", {"examples/tool/main.go": called}, f)
    assert "nothing calls" not in said
    method = go.replace("func runTool(arg string)", "func (t *T) runTool(arg string)")  # may satisfy an interface
    _, said = _reasons(tmp_path / "c", {"examples/tool/main.go": method}, f)
    assert "nothing calls" not in said


# --- held-out set 40's misses: each check with the neighbour that keeps the finding --------------------------------

from test_triage_containers import Files, judge, semgrep_at  # noqa: E402

MODAL = """export default class Modal {
    open(element) {
        return fetch(element.href).then(response => {
            return response.text().then(html => {
                const body = document.createElement('div');
                body.innerHTML = html;
            });
        });
    }
}
"""
TWIG = {"templates/base.html.twig": "<html>{{ title }}</html>\n", "templates/form.html.twig": "{{ form(form) }}\n"}


def test_html_fetched_from_the_apps_own_twig_pages_is_its_own_markup():
    f = semgrep_at("tmp.rules.insecure-innerhtml", "assets/js/Modal.js", 6)
    rec = judge({"assets/js/Modal.js": MODAL, **TWIG}, f)
    assert rec["verdict"] == "false_positive"
    assert ("`html` is the body of a response this script fetched (line 4 `return response.text().then(html => {`), "
            "which the server renders with Twig (2 templates)") in rec["reasons"][0]["evidence"]
    assert judge({"assets/js/Modal.js": MODAL}, f)["verdict"] != "false_positive"  # no escaping engine: unknown markup
    hashed = MODAL.replace("body.innerHTML = html;", "body.innerHTML = location.hash;")
    assert judge({"assets/js/Modal.js": hashed, **TWIG}, f)["verdict"] != "false_positive"


def test_dompurify_output_and_translated_constants_are_no_injection():
    safe = ("import purify from 'dompurify'\n\nexport const SafeHTML = ({ children }) => {\n"
            "  const purified = useMemo(() => {\n    return purify.sanitize(children)\n  }, [children])\n"
            "  return <span dangerouslySetInnerHTML={{ __html: purified }} />\n}\n")
    f = semgrep_at("tmp.rules.react-dangerouslysetinnerhtml", "ui/SafeHTML.jsx", 7)
    rec = judge({"ui/SafeHTML.jsx": safe}, f)
    assert rec["verdict"] == "false_positive" and "DOMPurify's sanitize (line 5" in rec["reasons"][0]["evidence"]
    raw = safe.replace("return purify.sanitize(children)", "return children")
    assert judge({"ui/SafeHTML.jsx": raw}, f)["verdict"] != "false_positive"
    words = ("function warn(el) {\n    const msg = this.translate('modal.dirty');\n"
             "    el.innerHTML = '<p class=\"text-danger\">' + msg + '</p>';\n}\n")
    g = semgrep_at("tmp.rules.insecure-document-method", "assets/js/Form.js", 3)
    rec = judge({"assets/js/Form.js": words}, g)
    assert rec["verdict"] == "false_positive" and "`msg` (line 2: `this.translate('modal.dirty')`)" in rec["reasons"][0]["evidence"]
    read = words.replace("this.translate('modal.dirty')", "this.translate(params.get('m'))")
    assert judge({"assets/js/Form.js": read}, g)["verdict"] != "false_positive"


def test_an_html_rule_on_a_template_that_renders_rust_is_no_xss():
    f = semgrep_at("tmp.rules.no-interpolation-in-tag", "plugins/gen/templates/client.rs.tmpl", 4)
    rec = judge({"plugins/gen/templates/client.rs.tmpl": "fn x() -> Json<{{ .Type }}> {}\n" * 5}, f)
    assert rec["verdict"] == "false_positive" and "renders Rust source (its name ends .rs.tmpl, and no page" in rec["reasons"][0]["evidence"]
    page = {"templates/index.html": '<script>var c = {% include "client.rs.tmpl" %};</script>\n'}  # the review: included
    assert judge({"plugins/gen/templates/client.rs.tmpl": "fn x() -> Json<{{ .Type }}> {}\n" * 5, **page}, f)["verdict"] != "false_positive"
    page = semgrep_at("tmp.rules.no-interpolation-in-tag", "web/templates/index.html.tmpl", 4)
    assert judge({"web/templates/index.html.tmpl": "<a {{ .X }}>\n" * 5}, page)["verdict"] != "false_positive"


def test_gosecs_own_marker_on_the_line_is_the_teams_label():
    go = 'package api\n\nfunc h(w http.ResponseWriter) {\n\t_, _ = fmt.Fprintf(w, `{"added":%d}`, n) //nolint:gosec\n}\n'
    f = semgrep_at("tmp.rules.no-fprintf-to-responsewriter", "server/api.go", 4)
    rec = judge({"server/api.go": go}, f)
    assert rec["source"] == "suppression" and "`//nolint:gosec`" in rec["reasons"][0]["evidence"]
    other = go.replace("//nolint:gosec", "//nolint:errcheck")  # another linter's exception says nothing of security
    assert judge({"server/api.go": other}, f)["source"] != "suppression"


def test_a_latest_tag_on_a_stage_only_copied_from_is_a_build_input_not_the_base():
    from test_triage_hygiene import checkov

    docker = ("FROM composer:latest AS composer\n\nFROM php:8.3-apache AS base\nCOPY --from=composer /usr/bin/composer "
              "/usr/bin/composer\nCMD [\"apache2-foreground\"]\n")
    f = checkov("CKV_DOCKER_7", path="Dockerfile") | {"location": {"path": "Dockerfile", "start_line": 1, "end_line": 1}}
    rec = judge({"Dockerfile": docker}, f)
    # round 52: what the stage makes ships, and a skip covers the whole Dockerfile: needs review, not a false positive
    assert rec["verdict"] == "needs_review" and "later stages only copy files out of it (line 4" in rec["reasons"][0]["evidence"]
    built_on = docker.replace("FROM php:8.3-apache AS base", "FROM composer AS base")  # the shipped image's base
    assert judge({"Dockerfile": built_on}, f)["verdict"] != "false_positive"


def test_a_contrib_sample_manifest_is_not_the_projects_deployment():
    from test_triage_hygiene import checkov

    f = checkov("CKV_K8S_30", path="contrib/k8s/manifest.yml")
    rec = judge({"contrib/k8s/manifest.yml": "kind: Deployment\n"}, f)
    assert rec["verdict"] == "false_positive" and "community-contributed sample configuration (the top-level contrib/" in rec["reasons"][0]["evidence"]
    assert judge({"k8s/manifest.yml": "kind: Deployment\n"}, checkov("CKV_K8S_30", path="k8s/manifest.yml"))["verdict"] != "false_positive"
    # the review: a contrib/ Dockerfile the release workflow builds is shipped; a nested contrib/ is no such folder
    release = "jobs:\n  r:\n    steps:\n      - uses: docker/build-push-action@v5\n        with:\n          file: contrib/docker/Dockerfile\n"
    g = checkov("CKV_DOCKER_3", path="contrib/docker/Dockerfile")
    files = {"contrib/docker/Dockerfile": "FROM alpine:3.20\nCMD [\"/app\"]\n", ".github/workflows/release.yml": release}
    assert judge(files, g)["verdict"] != "false_positive"
    from tasks.triage.path_class import path_class

    assert path_class("src/contrib/settings.toml") is None and path_class("contrib/k8s/manifest.yml") == "contrib"


def _token(path):
    return {"id": "4" * 32, "tool": "checkov", "kind": "secret", "severity": "medium", "rule_id": "CKV_SECRET_6",
            "title": "Base64 High Entropy String", "description": "d", "location": {"path": path, "start_line": 4, "end_line": 4},
            "secret_evidence": {"class": "high-entropy", "entropy": 3.9, "length": 64, "match": None, "format": None}}


def test_a_fixtures_folder_go_testfixtures_loads_is_test_data_not_seed_data():
    loader = ('package db\n\nimport (\n\t"embed"\n\t"github.com/go-testfixtures/testfixtures/v3"\n)\n\n'
              '//go:embed fixtures\nvar fixturesFS embed.FS\n\nfunc InitFixtures() {\n\tdir := "fixtures"\n}\n')
    files = {"pkg/db/fixtures/user_tokens.yml": "- id: 1\n  user_id: 1\n  kind: 1\n  token: x\n", "pkg/db/test_fixtures.go": loader}
    rec = judge(files, _token("pkg/db/fixtures/user_tokens.yml"))
    assert rec["verdict"] == "false_positive"
    said = " ".join(r["evidence"] for r in rec["reasons"])
    assert "pkg/db/test_fixtures.go loads pkg/db/fixtures/ with go-testfixtures (line 5)" in said
    files["pkg/db/test_fixtures.go"] = loader.replace("go-testfixtures/testfixtures/v3", "example.com/seeder")
    assert judge(files, _token("pkg/db/fixtures/user_tokens.yml"))["verdict"] == "needs_review"  # seed data: look


def test_values_that_name_code_or_document_an_example_are_no_credentials():
    from tasks.findings.secret_evidence import classify_one

    assert classify_one(r"App\API\Authentication\AccessTokenHandler")["class"] == "code-word"  # kimai's security.yaml
    assert classify_one(r"Ab3\Xy9Qz")["class"] != "code-word"
    jwt_io = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
              "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
    assert classify_one(jwt_io)["match"] == "jwt.io's sample token (sub 1234567890, name John Doe)"
    other = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5ODc2IiwibmFtZSI6IkFsaWNlIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    assert classify_one(other)["class"] == "high-entropy"


def test_a_swag_spec_names_swagger_last_and_its_example_token_is_documentation():
    from tasks.triage.openapi import check_spec_example

    spec = "basePath: /api/v1\ndefinitions:\n  auth.Token:\n    properties:\n      token:\n        example: eyJx.eyJy.z\n" \
           "        type: string\nswagger: \"2.0\"\n"
    f = {"id": "5" * 32, "tool": "semgrep", "kind": "secret", "severity": "high", "rule_id": "tmp.rules.detected-jwt-token",
         "title": "t", "description": "d", "location": {"path": "pkg/swagger/swagger.yaml", "start_line": 6, "end_line": 6}}
    assert "an `example` value of an OpenAPI/Swagger schema" in check_spec_example(f, Files({"pkg/swagger/swagger.yaml": spec}))["evidence"]
    assert check_spec_example(f, Files({"pkg/swagger/swagger.yaml": spec.replace('swagger: "2.0"\n', "")})) is None


@pytest.mark.parametrize("path,code,line,fixed", [
    ("lib/websocket.py", 'key = "dGhlIHNhbXBsZSBub25jZQ=="\naccept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest())\n', 2, True),
    ("lib/postgres.py", 'def auth(sock, user, password, salt):\n    inner = hashlib.md5(password + user).hexdigest()\n'
     '    token = b"md5" + hashlib.md5(inner.encode() + salt).hexdigest().encode()\n', 3, True),
    ("extra/dbwire/mysql.py", 'def _scramble_native(password, salt):\n    stage1 = hashlib.sha1(password.encode()).digest()\n', 2, True),
    ("lib/net.py", 'def store(user, password):\n    user.pw = hashlib.md5(password.encode()).hexdigest()\n', 2, False),
    # the review's: a token from a guid, a function named scramble_*, a comment naming the protocol - the app's own hashes
    ("app/tokens.py", 'def token(guid, user):\n    return hashlib.sha1((guid + user.email).encode()).hexdigest()\n', 2, False),
    ("app/auth.py", 'def scramble_password(pw):\n    return hashlib.md5(pw.encode()).hexdigest()\n', 2, False),
    ("app/login.py", 'def login(pw):\n    # no kerberos here: plain form login\n    return hashlib.md5(pw.encode()).hexdigest()\n', 3, False),
])
def test_a_digest_the_wire_protocol_defines_is_not_the_codes_choice(path, code, line, fixed):
    from test_triage_containers import bandit_at

    rec = judge({path: "import hashlib\n" + code}, bandit_at("B324", line + 1, path, "Use of weak MD5 hash"))
    assert (rec["verdict"] == "false_positive" and "the algorithm is the protocol's" in rec["reasons"][0]["evidence"]) is fixed


def test_bandits_quoted_password_is_the_only_value_redacted_from_its_function():
    """sqlmap's B107 spans a whole test method: `_feed_rest`, `_scram_transcript` and b"SCRAM-SHA-256" were taken for
    secrets and hidden from the prompt (set 40's grader: over-redaction)."""
    from tasks.findings.parsers.finalise import finalise

    snippet = ('108     def _run(self, password="hunter2x", **kwargs):\n109         def _feed_rest():\n'
               '110             server_first, final = _scram_transcript(password, nonce)\n'
               '111         if b"SCRAM-SHA-256" in sent:\n112             _feed_rest()\n')
    f = {"id": "9" * 32, "tool": "bandit", "kind": "code", "severity": "low", "rule_id": "B107",
         "title": "Possible hardcoded password: 'hunter2x'", "description": "Possible hardcoded password: 'hunter2x'",
         "location": {"path": "tests/test_dbwire.py", "start_line": 108, "end_line": 112}, "snippet": snippet,
         "references": [], "fix_hint": None}
    out = finalise(f)
    assert "_feed_rest()" in out["snippet"] and "_scram_transcript(" in out["snippet"] and "SCRAM-SHA-256" in out["snippet"]
    assert "hunter2x" not in out["snippet"]


def test_the_lint_reads_prose_as_prose_and_what_the_prompt_shows_leaks_nothing_new():
    """vikunja (set 40): "a test credential, not a secret: the flagged value is a plain word ..." in a .yml row read as a
    YAML `secret:` pair, and a translation key the prompt shows (`tokens`) as a credential: rows quarantined, build failed."""
    from datasets_rows import finding as row_finding
    from datasets_rows import row

    from tasks.datasets.lint import row_problems

    f = dict(row_finding("fixture"), path="pkg/db/fixtures/webhooks.yml")
    f["location"] = dict(f["location"], path="pkg/db/fixtures/webhooks.yml")
    prose = ("False positive: a test credential, not a secret: the flagged value is a plain word (18 characters, 3.3 "
             "bits/char) in a test fixture or test data file; it opens only what the tests set up.")
    r = row(f, prose, language="yaml")
    r["meta"]["path"] = "pkg/db/fixtures/webhooks.yml"
    assert "possible_secret" not in row_problems(r, f)
    leaked = row(f, prose + "\n```yaml\nbasic_auth_password: 9f8A7s6D5f4G3h2J1k0L\n```", language="yaml")
    leaked["meta"]["path"] = "pkg/db/fixtures/webhooks.yml"
    assert "possible_secret" in row_problems(leaked, f)  # a value in the answer's code, never in the prompt
    shown = row(f, "False positive: a translated UI string, not a credential: `tokens` is an entry of the catalogue.",
                language="json")
    shown["messages"][1]["content"] += '\n```\n"tokens": "CalDAV-token"\n```'
    assert "possible_secret" not in row_problems(shown, f)


def test_a_fixture_folders_exclusion_names_the_folder_and_the_file():
    from tasks.datasets import rows
    from tasks.fixes.scan_scope import exclusion_answer, exclusion_place

    rec = {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": "not run by the application: "
           "pkg/db/fixtures/webhooks.yml is a test fixture or test data file"}]}
    assert exclusion_place("semgrep", "pkg/db/fixtures/webhooks.yml", rec) == "leave pkg/db/fixtures out of the semgrep scan"
    assert "Do not add a suppression comment to pkg/db/fixtures/webhooks.yml" in exclusion_answer("semgrep", "pkg/db/fixtures/webhooks.yml", rec)
    text = rows.false_positive_analysis({}, rec, "leave pkg/db/fixtures out of the semgrep scan", "pkg/db/fixtures/webhooks.yml")
    assert text.endswith("## What to do\nDo not change pkg/db/fixtures/webhooks.yml: leave pkg/db/fixtures out of the "
                         "semgrep scan, with the evidence above as the reason.")
    assert "installed package" not in text


def test_a_private_key_block_is_evidence_as_a_key_and_a_short_stem_names_no_reader():
    from tasks.findings.parse import parse_report  # noqa: F401 - the parsers' entry point runs finalise
    from tasks.findings.parsers.finalise import finalise
    from tasks.triage.fixture_users import _first_use

    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCkB/TQgl5ei5KR\n" * 3
    f = {"id": "8" * 32, "tool": "semgrep", "kind": "secret", "severity": "low", "rule_id": "tmp.rules.private-key",
         "title": "tmp.rules.private-key", "description": "d", "references": [], "fix_hint": None,
         "location": {"path": "server/testdata/test_key.pem", "start_line": 1, "end_line": 5},
         "snippet": f"-----BEGIN PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----\n"}
    out = finalise(f)
    assert out["secret_evidence"]["class"] == "key-header" and "MIIEvQ" not in out["snippet"]
    tests = [("plugins/host_kvstore_test.go", ['\tservice.Set(ctx, "test_key", []byte("v"))\n']),
             ("server/server_test.go", ['\tcert, _ := tls.LoadX509KeyPair("testdata/test_cert.pem", "testdata/test_key.pem")\n'])]
    assert _first_use("server/testdata/test_key.pem", tests).startswith("; server/server_test.go:1 reads it")
    assert _first_use("server/testdata/test_key.pem", tests[:1]) == ""


def test_apache_and_php_fpm_workers_the_start_script_sets_drop_root():
    from tasks.triage.entrypoint import drops_root

    script = ['#!/bin/bash\n', 'if [ -z "$USER_ID" ]; then\n', '  USER_ID=$(id -u www-data)\n', 'fi\n',
              'export APACHE_RUN_USER=$(id -nu "$USER_ID")\n', 'exec apache2-foreground\n']
    assert drops_root(script)[:2] == (5, "$USER_ID")
    fpm = ['#!/bin/sh\n', 'sed -i "s/user = .*/user = $USER_ID/g" /usr/local/etc/php-fpm.d/www.conf\n', 'exec php-fpm\n']
    assert drops_root(fpm)[:2] == (2, "$USER_ID")
    assert drops_root(['#!/bin/sh\n', 'export APACHE_LOG_DIR=/var/log/apache2\n', 'exec apache2-foreground\n']) is None


def test_ckv_tf_1_on_a_registry_module_is_read_from_the_file_when_the_report_quotes_no_code():
    from test_triage_hygiene import checkov

    tf = 'module "kms" {\n  source  = "terraform-aws-modules/kms/aws"\n  version = "4.0.0"\n}\n'
    f = checkov("CKV_TF_1", path="main.tf") | {"location": {"path": "main.tf", "start_line": 1, "end_line": 4}}
    rec = judge({"main.tf": tf}, f)
    assert rec["verdict"] == "false_positive" and 'pinned by `version = "4.0.0"`' in rec["reasons"][0]["evidence"]
    git = tf.replace('"terraform-aws-modules/kms/aws"', '"git::https://github.com/x/kms.git?ref=main"')
    assert judge({"main.tf": git}, f)["verdict"] != "false_positive"


def test_a_shell_command_that_is_one_literal_holds_nothing_from_outside(tmp_path):
    from test_triage_containers import bandit_at

    code = 'import subprocess\n\ndef update():\n    p = subprocess.Popen("pip install -U sqlmap", shell=True, stdout=subprocess.PIPE)\n'
    rec = judge({"lib/core/update.py": code}, bandit_at("B602", 4, "lib/core/update.py"))
    assert rec["verdict"] == "false_positive" and "runs the string literal `pip install -U sqlmap` through a shell" in rec["reasons"][0]["evidence"]
    built = code.replace('"pip install -U sqlmap"', '"pip install -U " + name').replace("def update():", "def update(name):")
    assert _repo(tmp_path, {"lib/core/update.py": built}).judge(bandit_at("B602", 4, "lib/core/update.py"))["verdict"] != "false_positive"


def test_a_secret_in_a_comment_is_still_committed_and_an_unsigned_jwt_is_no_credential():
    from tasks.findings.secret_evidence import classify_one
    from tasks.triage.commented_out import check_commented_out

    php = "<?php\n/**\n * token: 6ccc2932be3a7e8fa1dd2c254\n */\nclass X {}\n"
    f = semgrep_at("tmp.rules.generic-api-key", "src/Model/Payload.php", 3)
    assert check_commented_out(f, Files({"src/Model/Payload.php": php})) is None
    markup = semgrep_at("tmp.rules.insecure-innerhtml", "src/Model/Payload.php", 3)
    assert check_commented_out(markup, Files({"src/Model/Payload.php": php})) is not None  # code rules keep the check
    assert classify_one("eyJhbGciOiJub25lIn0.eyJ1c2VyIjoiYWRtaW4ifQ.")["match"].startswith("an unsigned JSON Web Token")
    assert classify_one("eyJhbGciOiJub25lIn0.eyJ1c2VyIjoiYWRtaW4ifQ.c2lnbmVk")["class"] != "expired"  # signed after all


def test_b413_on_a_file_that_says_it_uses_pycryptodome():
    from test_triage_containers import bandit_at

    code = "# needs AES-CTR: pycryptodome is an optional dependency\ntry:\n    from Crypto.Cipher import AES\nexcept ImportError:\n    AES = None\n"
    f = bandit_at("B413", 3, "lib/request/oob.py")
    rec = judge({"lib/request/oob.py": code}, f)
    assert rec["verdict"] == "false_positive" and "lib/request/oob.py:1 says the code uses pycryptodome" in rec["reasons"][0]["evidence"]
    old = code.replace("pycryptodome is an optional dependency", "pycrypto is an optional dependency")
    assert judge({"lib/request/oob.py": old}, f)["verdict"] != "false_positive"


def test_set_40s_audit_a_tests_folder_by_its_suffix_a_comment_reads_no_fixture_and_a_tests_password_is_a_credential():
    from tasks.triage.context import check_secret
    from tasks.triage.fixture_users import _first_use
    from tasks.triage.report_signals import is_test_path

    assert is_test_path("pkg/webtests/integrations.go") and is_test_path("pkg/caldavtests/auth.go")
    assert not is_test_path("app/contests/views.py") and not is_test_path("app/latest/views.py")
    tests = [("pkg/webtests/api_test.go", ["// the tokens are in users.yml\n", 'db.Load("users.yml")\n'])]
    assert _first_use("pkg/db/fixtures/users.yml", tests).startswith("; pkg/webtests/api_test.go:2 reads it")
    f = {"id": "2" * 32, "tool": "semgrep", "kind": "secret", "severity": "high", "rule_id": "tmp.rules.hashicorp-tf-password",
         "title": "t", "description": "d", "snippet": 'const fixturePassword = "12345678"\n',
         "location": {"path": "pkg/caldavtests/integrations.go", "start_line": 59, "end_line": 59},
         "secret_evidence": {"class": "placeholder", "entropy": 3.0, "length": 8, "format": None,
                             "match": "a counting sequence (abcd…, 1234…), 8 of 8 characters"}}
    path = {"check": "path", "status": "not_deployed", "class": "test", "evidence": "pkg/caldavtests/integrations.go is test code"}
    said = check_secret(f, path)["evidence"]
    assert said.startswith("a test credential, not a secret:") and "not a credential" not in said
    assert check_secret(f, None)["evidence"].startswith("not a credential")  # outside tests: the filler reading stands


def test_set_40s_stage_2_graders_a_form_field_name_a_docstring_line_and_a_kerberos_checksum(tmp_path):
    from test_triage_containers import bandit_at

    from tasks.findings.secrets import detect
    from tasks.fixes.suppression_diff import inside_string
    from tasks.triage.context import check_secret

    jsx = '    <PasswordInput className="ra-input" source="currentPassword" {...rest} />\n'
    assert detect(jsx, "ui/src/user/UserEdit.jsx") == []  # the field's name stays in the prompt
    f = {"id": "3" * 32, "tool": "semgrep", "kind": "secret", "severity": "low", "rule_id": "tmp.rules.hashicorp-tf-password",
         "title": "t", "description": "d", "snippet": jsx, "location": {"path": "ui/src/user/UserEdit.jsx", "start_line": 52, "end_line": 52},
         "secret_evidence": {"class": "plain-word", "entropy": 3.5, "length": 15, "match": None, "format": None}}
    hit = check_secret(f, None)
    assert hit["status"] == "not_a_secret" and "the `source` attribute of `<PasswordInput>`" in hit["evidence"]
    valued = f | {"snippet": '    <PasswordInput defaultValue="hunter2hunter2" />\n'}
    assert check_secret(valued, None)["status"] != "not_a_secret"
    doc = 'def bcrypt_passwd(p):\n    """\n    >>> bcrypt_passwd("U*U")\n    \'$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW\'\n    """\n'
    g = bandit_at("B105", 4, "lib/utils/hash.py")
    assert "inside a string that spans lines 2-5" in inside_string(g, {"file": doc})
    assert inside_string(bandit_at("B105", 1, "lib/utils/hash.py"), {"file": doc}) is None
    krb = "import hashlib, hmac\n\ndef checksum(key, data):\n    return hmac.new(key, hashlib.md5(data).digest(), 'md5').digest()\n"
    rec = judge({"extra/kerberos/crypto.py": krb}, bandit_at("B324", 4, "extra/kerberos/crypto.py"))
    assert rec["verdict"] == "false_positive" and "NTLM or Kerberos" in rec["reasons"][0]["evidence"]


def test_balanced_bidi_isolates_inside_a_string_format_text_and_an_open_override_stays_a_finding():
    from tasks.triage.bidi_text import check_balanced_bidi as check_bidi_text

    ok = "    expect(choiceFor('ar').name).toEqual(`\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u2066(${pct}%)\u2069`)\n"
    f = semgrep_at("tmp.rules.contains-bidirectional-characters", "ui/src/i18n/choices.test.jsx", 1)
    hit = check_bidi_text(f, Files({"ui/src/i18n/choices.test.jsx": ok}))
    assert hit and "(U+2066, U+2069) sit inside a string literal" in hit["evidence"]
    trojan = '    if (isAdmin) { /* \u202e } \u2066if (isAdmin)\u2069 \u2066 begin admins only */\n'
    assert check_bidi_text(f, Files({"ui/src/i18n/choices.test.jsx": trojan})) is None
    open_in_string = '    const s = "abc \u202e cba";\n'
    assert check_bidi_text(f, Files({"ui/src/i18n/choices.test.jsx": open_in_string})) is None


def test_xml_parsed_from_a_data_file_the_repository_ships_and_no_usedforsecurity_on_old_pythons(tmp_path):
    from test_triage_containers import bandit_at

    from tasks.fixes.patterns.python_hashes import non_security

    common = 'import os\n\ndef setPaths(paths):\n    paths.BOUNDARIES_XML = os.path.join(paths.XML_PATH, "boundaries.xml")\n'
    loader = ("from xml.etree import ElementTree as et\nfrom lib.core.data import paths\n\n"
              "def loadBoundaries():\n    doc = et.parse(paths.BOUNDARIES_XML)\n    return doc\n")
    files = {"lib/core/common.py": common, "lib/parse/payloads.py": loader, "data/xml/boundaries.xml": "<root/>\n"}
    rec = _repo(tmp_path / "a", files).judge(bandit_at("B314", 5, "lib/parse/payloads.py"))
    assert rec["verdict"] == "false_positive" and "data/xml/boundaries.xml" in rec["reasons"][0]["evidence"]
    other = dict(files, **{"lib/core/option.py": "def f(paths, args):\n    paths.BOUNDARIES_XML = args.xml\n"})
    assert _repo(tmp_path / "b", other).judge(bandit_at("B314", 5, "lib/parse/payloads.py"))["verdict"] != "false_positive"
    text, rewrite = non_security("from __future__ import print_function\nimport hashlib\n")
    assert rewrite is None and "raises TypeError" in text
    assert non_security("from __future__ import annotations\nimport hashlib\n")[1] is not None


def test_the_reviews_true_positives_stay_findings(tmp_path):
    """The attack on this session's checks: each shape a check must not clear (tests/test_set40.py's neighbours)."""
    from test_triage_containers import bandit_at
    from test_triage_hygiene import checkov

    from tasks.findings.secret_evidence import classify_one
    from tasks.triage.root_drop import drops_root

    def verdict(files, f):
        return judge(files, f)["verdict"]

    page = "const url = new URLSearchParams(location.search).get('page');\n" + MODAL.replace("fetch(element.href)", "fetch(url)")
    assert verdict({"assets/js/Modal.js": page, **TWIG}, semgrep_at("tmp.rules.insecure-innerhtml", "assets/js/Modal.js", 7)) != "false_positive"
    other = ("import DOMPurify from 'dompurify'\nfunction show(user, el) {\n  const html = user.bio\n"
             "  const title = DOMPurify.sanitize(user.title)\n  el.innerHTML = html\n}\n")
    assert verdict({"src/show.js": other}, semgrep_at("tmp.rules.insecure-innerhtml", "src/show.js", 5)) != "false_positive"
    later = ("import DOMPurify from 'dompurify'\nfunction show(x, el) {\n  let html = DOMPurify.sanitize(x)\n"
             "  html += location.hash.slice(1)\n  el.innerHTML = html\n}\n")
    assert verdict({"src/show.js": later}, semgrep_at("tmp.rules.insecure-innerhtml", "src/show.js", 5)) != "false_positive"
    sql = 'package db\n\nfunc find(db *sql.DB, q string) {\n\tdb.Query("SELECT * FROM t WHERE a = " + q) // #nosec G104\n}\n'
    g = semgrep_at("tmp.rules.string-formatted-query", "pkg/db/find.go", 4)
    assert judge({"pkg/db/find.go": sql}, g)["source"] != "suppression"  # gosec's marker names another check
    assert judge({"pkg/db/find.go": sql.replace("#nosec G104", "#nosec G201")}, g)["source"] == "suppression"
    env = 'import subprocess\n\ndef img():\n    subprocess.run("convert $SRC out.png", shell=True)\n'
    assert _repo(tmp_path / "e", {"app/img.py": env}).judge(bandit_at("B602", 4, "app/img.py"))["verdict"] != "false_positive"
    rootfs = "FROM debian:latest AS rootfs\nRUN apt-get update\n\nFROM scratch\nCOPY --from=rootfs / /\nCMD [\"/app\"]\n"
    f7 = checkov("CKV_DOCKER_7", path="Dockerfile") | {"location": {"path": "Dockerfile", "start_line": 1, "end_line": 1}}
    assert verdict({"Dockerfile": rootfs}, f7) != "false_positive"
    assert drops_root(["#!/bin/sh\n", "export APACHE_RUN_USER=www-data\n", 'exec "$@"\n']) is None  # runs something else
    assert drops_root(["#!/bin/sh\n", 'echo "APACHE_RUN_USER=${APACHE_RUN_USER}"\n', "exec apache2-foreground\n"]) is None
    assert classify_one(r"Kx9\Pq7\Zr4m")["class"] != "code-word"
    assert classify_one(r"App\Entity\User", for_password=True)["class"] != "code-word"
    admin = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwicm9sZSI6ImFkbWluIn0.c2ln"
    assert classify_one(admin)["class"] != "example"  # jwt.io's claims and more: not the published sample
    from tasks.triage.openapi import check_spec_example

    helm = 'image: app\nauth:\n  password:\n    default: "Zq8vK2mW9xR4tL7p"\nswagger:\n  enabled: false\n'
    h = {"id": "5" * 32, "tool": "checkov", "kind": "secret", "severity": "high", "rule_id": "CKV_SECRET_6", "title": "t",
         "description": "d", "location": {"path": "charts/app/values.yaml", "start_line": 4, "end_line": 4}}
    assert check_spec_example(h, Files({"charts/app/values.yaml": helm})) is None


def test_a_kubernetes_skip_annotation_is_quoted_yaml():
    """navidrome's contrib manifest (set 40): `checkov.io/skip1: CKV_K8S_37=not the deployed configuration: ...` has a
    ': ' inside a plain scalar, which YAML rejects; the lint quarantined the row."""
    import yaml

    from tasks.fixes.suppression import suppression_answer

    f = {"id": "7" * 32, "tool": "checkov", "kind": "config", "severity": "low", "rule_id": "CKV_K8S_37", "title": "t",
         "description": "d", "location": {"path": "contrib/k8s/manifest.yml", "start_line": 1, "end_line": 9}}
    rec = {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": "not the deployed configuration: it is a sample"}]}
    text = suppression_answer(f, rec)
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    skip = yaml.safe_load(block)["metadata"]["annotations"]["checkov.io/skip1"]
    assert skip.startswith("CKV_K8S_37=not the deployed configuration: it is a sample")
