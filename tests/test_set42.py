"""Held-out set 42's misses (faraday, gatus, terraform-aws-notify-slack, pyload, semaphore), each with the
neighbour that stays a finding."""

from __future__ import annotations

import json

from test_round45_rows import _reasons
from test_triage_hygiene import finding


def test_an_issuer_rule_weighs_the_key_in_its_format_not_the_lines_first_word():
    """notify-slack's sample GuardDuty event: `"eTag":"ASIAI44QH8DHBEXAMPLE"` inside an escaped JSON message was
    weighed as the 7-letter word `Message`."""
    from tasks.findings.parsers.finalise import finalise

    line = ('      "Message": "{\\"detail\\":{\\"objectKey\\":\\"APKAEIBAERJR2EXAMPLE\\",'
            '\\"eTag\\":\\"ASIAI44QH8DHBEXAMPLE\\"}}",')
    f = {"id": "1" * 32, "tool": "semgrep", "kind": "code", "severity": "high", "rule_id": "tmp.rules.aws-access-token",
         "title": "AWS Access Token", "description": "", "snippet": line, "references": [], "fix_hint": None,
         "location": {"path": "functions/messages/event.json", "start_line": 11, "end_line": 11}}
    real = dict(f, snippet=line.replace("ASIAI44QH8DHBEXAMPLE", "ASIAY34FZKBOKMUTVV7A"))
    seen = finalise(f)["secret_evidence"]
    assert seen["class"] == "example" and seen["match"] == "AWS documentation access key id"
    assert finalise(real)["secret_evidence"]["class"] not in ("example", "plain-word")


def _sarif(region: dict) -> dict:
    return json.loads(json.dumps({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Semgrep OSS", "rules": [
        {"id": "tmp.rules.hashicorp-tf-password", "shortDescription": {"text": "password"}}]}},
        "results": [{"ruleId": "tmp.rules.hashicorp-tf-password", "message": {"text": "password"},
                     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "examples/docker-compose.yml"},
                                                         "region": region}}]}]}]}))


def test_a_sarif_match_ending_at_column_one_ends_on_the_line_before():
    """semaphore's `SEMAPHORE_ADMIN_PASSWORD: "changeme"` was weighed with the next line's "admin" (set 42's audit)."""
    from tasks.findings.parsers import sarif

    text = '      SEMAPHORE_ADMIN_PASSWORD: "changeme"\n      SEMAPHORE_ADMIN_NAME: "admin"'
    region = {"startLine": 77, "startColumn": 23, "endLine": 78, "endColumn": 1, "snippet": {"text": text}}
    [f] = sarif.parse(_sarif(region))
    assert f["location"]["start_line"] == 77 and f["location"]["end_line"] == 77
    assert "admin" not in f["snippet"].replace("SEMAPHORE_ADMIN_PASSWORD", "")
    [g] = sarif.parse(_sarif(dict(region, endColumn=30)))  # a match that reaches into line 78
    assert g["location"]["end_line"] == 78


PUBLISH = """name: publish-latest
on:
  workflow_run:
    workflows: [test]
    branches: [master]
    types: [completed]
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo IMAGE=$(echo ${{ secrets.DOCKER_USERNAME }}/${{ github.event.repository.name }}) >> $GITHUB_ENV
"""


def test_a_workflow_run_that_names_the_repository_runs_no_outsiders_text(tmp_path):
    f = finding(tool="checkov", kind="config", rule_id="CKV2_GHA_1", title="t",
                location={"path": ".github/workflows/publish-latest.yml", "start_line": 1, "end_line": 12})
    rec, said = _reasons(tmp_path, {".github/workflows/publish-latest.yml": PUBLISH}, f)
    assert rec["verdict"] == "false_positive" and "its triggers are workflow_run" in said
    for risky in ("      - uses: actions/download-artifact@v4\n",  # a pull request's artifact
                  "      - run: echo ${{ github.event.workflow_run.head_branch }}\n",  # an outsider's branch name
                  "      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.workflow_run.head_sha }}\n"):
        rec, said = _reasons(tmp_path / str(len(risky)), {".github/workflows/publish-latest.yml": PUBLISH + risky}, f)
        assert "least-privilege hardening" not in said, risky


LDAP = """package api

import (
\t"crypto/tls"
\t"github.com/go-ldap/ldap/v3"
)

func dial(server string) (*ldap.Conn, error) {
\treturn ldap.DialTLS("tcp", server, &tls.Config{
\t\tServerName: server,
\t})
}
"""


def test_a_go_tls_client_config_takes_tls_1_2_since_go_1_18(tmp_path):
    f = finding(rule_id="tmp.rules.missing-ssl-minversion", title="t",
                location={"path": "api/login.go", "start_line": 9, "end_line": 11})
    rec, said = _reasons(tmp_path, {"api/login.go": LDAP, "go.mod": "module x\n\ngo 1.21.0\n"}, f)
    assert rec["verdict"] == "false_positive" and "since Go 1.18 a tls.Config without MinVersion offers TLS 1.2" in said
    rec, said = _reasons(tmp_path / "old", {"api/login.go": LDAP, "go.mod": "module x\n\ngo 1.17\n"}, f)
    assert "since Go 1.18" not in said
    server = LDAP.replace('ldap.DialTLS("tcp", server, &tls.Config{', 'tls.Listen("tcp", server, &tls.Config{')
    rec, said = _reasons(tmp_path / "srv", {"api/login.go": server, "go.mod": "module x\n\ngo 1.21.0\n"}, f)
    assert rec["verdict"] != "false_positive"  # a server before Go 1.22 still accepts TLS 1.0


NOTIFY = '''import os
import urllib.request


def send(data):
    slack_url = os.environ["SLACK_WEBHOOK_URL"]
    if not slack_url.startswith("http"):
        slack_url = decrypt_url(slack_url)
    req = urllib.request.Request(slack_url)
    return urllib.request.urlopen(req, data)
'''


def test_a_url_read_from_the_deployments_environment_is_no_outside_input(tmp_path):
    f = finding(tool="bandit", rule_id="B310", title="Audit url open for permitted schemes.",
                location={"path": "functions/notify_slack.py", "start_line": 10, "end_line": 10})
    rec, said = _reasons(tmp_path, {"functions/notify_slack.py": NOTIFY}, f)
    assert rec["verdict"] == "false_positive" and "environment variable `SLACK_WEBHOOK_URL` (line 6)" in said
    tainted = NOTIFY.replace("        slack_url = decrypt_url(slack_url)", "        slack_url = data.get('url')")
    rec, said = _reasons(tmp_path / "t", {"functions/notify_slack.py": tainted}, f)
    assert "SLACK_WEBHOOK_URL" not in said


SETTINGS_JS = """{% autoescape true %}
$(function () {
  $("#quit").click(function (event) {
    uiHandler.yesNoDialog("{{_('Are you sure?')}}", (answer) => {});
    const checked = $(event.currentTarget).is(":checked");
    const name = $(location.hash).text();
  });
});
{% endautoescape %}
"""


def test_a_jinja_templated_script_is_read_for_dom_elements(tmp_path):
    """pyload's templates/js/*.js: `{% autoescape %}` made the file unparseable, so `$(event.currentTarget)` stayed."""
    def sel(line):
        return finding(rule_id="tmp.rules.jquery-insecure-selector", title="t",
                       location={"path": "webui/templates/js/settings.js", "start_line": line, "end_line": line})
    rec, said = _reasons(tmp_path, {"webui/templates/js/settings.js": SETTINGS_JS}, sel(5))
    assert rec["verdict"] == "false_positive" and "takes `event.currentTarget`, a DOM element" in said
    rec, said = _reasons(tmp_path / "h", {"webui/templates/js/settings.js": SETTINGS_JS}, sel(6))
    assert "DOM element" not in said  # location.hash is text a link chooses


def test_the_dredd_api_test_harness_is_test_code():
    from tasks.triage.report_signals import is_test_path

    assert is_test_path(".dredd/hooks/main.go") and is_test_path("deployment/docker/dredd/Dockerfile")
    assert not is_test_path("deployment/docker/server/Dockerfile")


def test_a_semantic_release_plugin_installed_is_no_release_and_its_own_token_needs_no_grant():
    """notify-slack's release.yml (round 46): `npm install @semantic-release/changelog` was read as a release run with
    GITHUB_TOKEN; the release itself runs with SEMANTIC_RELEASE_TOKEN and checkout keeps no credential."""
    from tasks.fixes.gha_jobs import gha_permissions

    wf = ("on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n"
          "        with:\n          persist-credentials: false\n      - run: npm install @semantic-release/changelog@6.0.3\n"
          "      - uses: cycjimmy/semantic-release-action@v5\n        env:\n"
          "          GITHUB_TOKEN: ${{ secrets.SEMANTIC_RELEASE_TOKEN }}\n")
    block, note = gha_permissions(wf)
    assert block == "permissions:\n  contents: read" and "SEMANTIC_RELEASE_TOKEN" in note
    assert "contents: write" in gha_permissions(wf.replace("secrets.SEMANTIC_RELEASE_TOKEN", "secrets.GITHUB_TOKEN"))[0]
    assert "contents: write" in gha_permissions(wf.replace("npm install @semantic-release/changelog@6.0.3",
                                                           "npx semantic-release"))[0]


def test_a_dot_examples_folder_is_example_code():
    from tasks.triage.path_class import path_class

    assert path_class(".examples/docker-compose-mtls/certs/client/client.key") == "example"
    assert path_class("examplesite/app.py") is None


LOGIN = '''import hashlib
import json


class Hoster:
    def signin(self, user, password, data):
        data["hash_password"] = hashlib.md5(password.encode()).hexdigest()
        return json.loads(self.run_auth_query())

    def run_auth_query(self):
        return self.load(self.API_URL, post={"password": self.info["data"]["hash_password"]})
'''
HEADER = '''import hashlib


def get_api_password(episode):
    m = hashlib.md5(("key/episode/" + episode).encode())
    return m.hexdigest()


class Stream:
    def process(self, episode):
        api_password = get_api_password(episode)
        self.req.put_header("Api-Password", api_password)
        return self.load("https://www.stream.cz/API/episode/" + episode)
'''


def test_a_digest_a_remote_api_demands_is_the_services_protocol(tmp_path):
    """pyload's hoster logins (round 46: "switch to argon2" would break every login)."""
    def md5(path, line):
        return finding(tool="bandit", rule_id="B324", title="Use of weak MD5 hash for security.",
                       location={"path": path, "start_line": line, "end_line": line})
    rec, said = _reasons(tmp_path, {"plugins/hoster.py": LOGIN}, md5("plugins/hoster.py", 7))
    assert rec["verdict"] == "false_positive" and "the `hash_password` field of the request signin() then sends" in said
    rec, said = _reasons(tmp_path / "h", {"plugins/stream.py": HEADER}, md5("plugins/stream.py", 5))
    assert "the `Api-Password` header of the request (line 12)" in said
    stored = LOGIN.replace("return json.loads(self.run_auth_query())", "self.db.save(data)")
    rec, said = _reasons(tmp_path / "s", {"plugins/hoster.py": stored}, md5("plugins/hoster.py", 7))
    assert "remote API" not in said  # stored, not sent: the code's own choice


def test_names_listed_beside_password_and_an_author_line_are_no_secrets():
    """pyload (round 46): `if k in ("password", "timestamp", "stats")` redacted "timestamp"; `ARG IMAGE_AUTHORS=
    "Walter Purcaro <vuolter@gmail.com>"` was redacted as a 34-character credential."""
    from tasks.findings import secrets
    from tasks.findings.parsers.finalise import finalise

    assert secrets.detect('        if k in ("password", "timestamp", "stats", "valid"):', "x.py") == []
    assert "hunter" in secrets.detect('creds = ("password", "hunter")', "x.py")  # a (name, value) pair stays
    f = {"id": "1" * 32, "tool": "semgrep", "kind": "code", "severity": "high", "rule_id": "tmp.rules.secret-in-build-arg",
         "title": "secret in build arg", "description": "", "references": [], "fix_hint": None,
         "snippet": 'ARG IMAGE_AUTHORS="Walter Purcaro <vuolter@gmail.com>"',
         "location": {"path": "Dockerfile", "start_line": 13, "end_line": 13}}
    out = finalise(f)
    assert "Walter Purcaro <vuolter@gmail.com>" in out["snippet"] and out["secret_evidence"]["class"] == "message"
    g = dict(f, snippet='ARG AUTH_TOKEN="Walter Purcaro Xk29fjQ0zLmp8Rw"', id="2" * 32)
    assert "Xk29fjQ0zLmp8Rw" not in finalise(g)["snippet"]


DEMO = """package projects

func createDemoProject(projectID int, store db.Store) (err error) {
\tvaultKey, err := store.CreateAccessKey(db.AccessKey{
\t\tName: "Vault Password",
\t\tLoginPassword: db.LoginPassword{
\t\t\tPassword: "RAX6yKN7sBn2qDagRPls",
\t\t},
\t})
\treturn
}
"""


def test_a_value_inside_the_function_that_makes_the_demo_project_is_public_sample_data(tmp_path):
    """semaphore's createDemoProject(): the demo vault's password, the same on every installation (round 46)."""
    f = finding(rule_id="tmp.rules.generic-api-key", title="generic api key", snippet='Password: "RAX6yKN7sBn2qDagRPls",',
                secret_evidence={"class": "high-entropy", "entropy": 4.1, "length": 20, "match": None, "format": None},
                location={"path": "api/projects/projects.go", "start_line": 7, "end_line": 7})
    rec, said = _reasons(tmp_path, {"api/projects/projects.go": DEMO}, f)
    assert rec["verdict"] == "false_positive" and "inside createDemoProject() (line 3)" in said
    rec, said = _reasons(tmp_path / "p", {"api/projects/projects.go": DEMO.replace("createDemoProject", "createProject")}, f)
    assert rec["verdict"] != "false_positive" and "demo" not in said


MARKDOWN = """import DOMPurify from 'dompurify'
import { marked } from 'marked'

export const formatAnnouncementMessage = (message) => {
  if (!message) {
    return ''
  }
  const html = marked.parse(String(message))
  return DOMPurify.sanitize(html, { ADD_ATTR: ['target', 'rel'] })
}
"""
BANNER = """<template>
  <div>
    <p
      class="text-sm"
      v-html="formatAnnouncementMessage(announcement.message)"
    ></p>
  </div>
</template>
<script setup>
import { formatAnnouncementMessage } from '@/utils/markdown'
</script>
"""


def test_v_html_of_an_imported_function_that_returns_dompurify_output_is_sanitised(tmp_path):
    """gatus' announcements (set 42, both labellers): the start tag on the flagged line, v-html two lines down."""
    f = finding(rule_id="tmp.rules.avoid-v-html", title="t",
                location={"path": "web/app/src/components/Banner.vue", "start_line": 3, "end_line": 3})
    files = {"web/app/src/components/Banner.vue": BANNER, "web/app/src/utils/markdown.js": MARKDOWN}
    rec, said = _reasons(tmp_path, files, f)
    assert rec["verdict"] == "false_positive" and "web/app/src/utils/markdown.js:4 returns as `DOMPurify.sanitize(" in said
    raw = dict(files, **{"web/app/src/utils/markdown.js": MARKDOWN.replace("return DOMPurify.sanitize(html, { ADD_ATTR: "
                                                                           "['target', 'rel'] })", "return html")})
    rec, said = _reasons(tmp_path / "raw", raw, f)
    assert "sanitised" not in said
    wide = dict(files, **{"web/app/src/utils/markdown.js": MARKDOWN.replace("ADD_ATTR", "ADD_TAGS: ['iframe'], ADD_ATTR")})
    rec, said = _reasons(tmp_path / "wide", wide, f)
    assert "sanitised" not in said


BASE = """{% macro selected(name, right=False) -%}
  {% if name in url -%}class="{% if right -%}right {% endif %}selected"{%- endif %}
{%- endmacro %}
{% macro shown(name) -%}class="{{ name }}"{%- endmacro %}
<li {{selected('queue')}}><a href="{{url_for('app.queue')}}">{{_('Queue')}}</a></li>
<li {{shown(request.args.tab)}}></li>
<li {{selected(request.args.tab)}}></li>
"""


def test_an_attribute_a_macro_fills_with_literal_markup_holds_nothing_from_outside(tmp_path):
    def at(line):
        return finding(rule_id="tmp.rules.unquoted-attribute-var", title="t",
                       location={"path": "templates/base.html", "start_line": line, "end_line": line})
    rec, said = _reasons(tmp_path, {"templates/base.html": BASE}, at(5))
    assert rec["verdict"] == "false_positive" and "calls the macro selected() (line 1)" in said
    for line in (6, 7):  # a macro that prints a value; a value passed to the macro
        rec, said = _reasons(tmp_path / str(line), {"templates/base.html": BASE}, at(line))
        assert "constant markup" not in said, line


MEGA = '''import random


class Api:
    def __init__(self, tracking_id=True):
        self.tracking_id = random.randint(10 << 9, 10 ** 10) if tracking_id is True else tracking_id

    def request(self):
        params = {"id": self.tracking_id}
        self.tracking_id += 1
        return params
'''


def test_a_random_start_of_a_counter_is_a_sequence_number(tmp_path):
    f = finding(tool="bandit", rule_id="B311", title="Standard pseudo-random generators are not suitable for security.",
                location={"path": "plugins/mega.py", "start_line": 6, "end_line": 6})
    rec, said = _reasons(tmp_path, {"plugins/mega.py": MEGA}, f)
    assert rec["verdict"] == "false_positive" and "counter `self.tracking_id` starts, and line 10 adds 1" in said
    token = MEGA.replace("tracking_id", "session_token")
    rec, said = _reasons(tmp_path / "t", {"plugins/mega.py": token}, f)
    assert "sequence number" not in said


OIDC = """package api

func oidcLogin(w http.ResponseWriter, r *http.Request) {
\t_, oauth, err := getOidcProvider(r.Context())
\tstate := generateStateOauthCookie(w)
\tu := oauth.AuthCodeURL(state)
\thttp.Redirect(w, r, u, http.StatusTemporaryRedirect)
}
"""


def test_a_go_redirect_to_the_providers_authorisation_url_is_no_open_redirect(tmp_path):
    f = finding(rule_id="tmp.rules.open-redirect", title="t", location={"path": "api/login.go", "start_line": 7, "end_line": 7})
    rec, said = _reasons(tmp_path, {"api/login.go": OIDC}, f)
    assert rec["verdict"] == "false_positive" and "`.AuthCodeURL(...)` builds (line 6)" in said
    tainted = OIDC.replace("\thttp.Redirect", "\tu = r.URL.Query().Get(\"next\")\n\thttp.Redirect")
    f2 = finding(rule_id="tmp.rules.open-redirect", title="t", location={"path": "api/login.go", "start_line": 8, "end_line": 8})
    rec, said = _reasons(tmp_path / "t", {"api/login.go": tainted}, f2)
    assert "AuthCodeURL" not in said


STATE = """package api

func generateStateOauthCookie(w http.ResponseWriter) string {
\toauthState := base64.URLEncoding.EncodeToString(b)
\tcookie := http.Cookie{Name: "oauthstate", Value: oauthState, Expires: expiration}
\thttp.SetCookie(w, &cookie)
\treturn oauthState
}
"""


def test_the_oauth_state_cookie_is_no_session_cookie(tmp_path):
    f = finding(rule_id="tmp.rules.cookie-missing-httponly", title="t", location={"path": "api/login.go", "start_line": 5, "end_line": 5})
    rec, said = _reasons(tmp_path, {"api/login.go": STATE}, f)
    assert rec["verdict"] == "false_positive" and "`oauthstate`, the OAuth state" in said
    rec, said = _reasons(tmp_path / "s", {"api/login.go": STATE.replace('"oauthstate"', '"semaphore"')}, f)
    assert "not a session cookie" not in said


def test_a_hard_coded_keys_use_and_what_a_google_api_key_grants():
    """pyload's Google Drive key (round 46): the row said only 'shaped like a real credential'."""
    from tasks.enrich.credentials import what_it_grants
    from tasks.enrich.secret_reach import secret_reach

    code = {"start_line": 39, "text": '    API_URL = "https://www.googleapis.com/drive/v3/"\n'
            '    API_KEY = "[REDACTED secret sha256:776be2ab7aff]"\n\n    def api_request(self, cmd, **kwargs):\n'
            '        kwargs["key"] = self.API_KEY\n'}
    f = finding(rule_id="tmp.rules.detected-google-api-key", title="Google API Key Detected",
                location={"path": "plugins/drive.py", "start_line": 40, "end_line": 40})
    assert secret_reach(f, code) == ('The code uses `API_KEY` on line 43 (`kwargs["key"] = self.API_KEY`, in api_request()): '
                                     "whoever can read the repository can make the same calls with it.")
    assert secret_reach(f, dict(code, text=code["text"].replace("self.API_KEY", "self.OTHER"))) is None
    assert "restrict it" in what_it_grants(f) or "restricted" in what_it_grants(f)


def test_a_user_fix_on_a_whole_dockerfile_reads_its_base_from_the_file():
    """faraday's Dockerfile (round 46): Checkov quotes no block for CKV_DOCKER_3, so the answer guessed Alpine."""
    from tasks.fixes.iac import config_fix

    f = finding(tool="checkov", kind="config", rule_id="CKV_DOCKER_3", title="Ensure that a user for the container has been created",
                description="Ensure that a user for the container has been created (resource /Dockerfile.)", snippet="",
                location={"path": "Dockerfile", "start_line": 1, "end_line": 9})
    text = "FROM python:3.11-slim-bookworm\nWORKDIR /src\nCOPY . /src\nRUN pip install .\nCMD [\"app\"]\n"
    answer, _, _ = config_fix(f, "dockerfile", {"file": text})
    assert "useradd --system" in answer and "Alpine" not in answer
    answer, _, _ = config_fix(f, "dockerfile", {"file": text.replace("python:3.11-slim-bookworm", "python:3.11-alpine")})
    assert "adduser -D -u 10001 app" in answer


def test_a_captcha_site_key_is_public_by_design(tmp_path):
    """pyload's hoster plugins (round 46: 'rotate it' for fileboom.me's reCAPTCHA site key)."""
    code = "class FileboomMe:\n    RECAPTCHA_KEY = '6LcYcN0SAAAAABtMlxKj7X0hRxOY8_2U86kI1vbb'\n"
    f = finding(rule_id="tmp.rules.generic-api-key", title="generic api key",
                secret_evidence={"class": "high-entropy", "entropy": 4.8, "length": 40, "match": None, "format": None},
                location={"path": "plugins/accounts/FileboomMe.py", "start_line": 2, "end_line": 2})
    rec, said = _reasons(tmp_path, {"plugins/accounts/FileboomMe.py": code}, f)
    assert rec["verdict"] == "false_positive" and "a CAPTCHA site key, public by design" in said
    secret = code.replace("RECAPTCHA_KEY", "RECAPTCHA_SECRET_KEY")
    rec, said = _reasons(tmp_path / "s", {"plugins/accounts/FileboomMe.py": secret}, f)
    assert "site key" not in said


def test_a_suppressed_finding_also_says_what_the_code_shows(tmp_path):
    """faraday's migration (round 46): the row said only that the line carries `# nosec`."""
    code = ("import random\n\n\ndef pick(items):\n"
            "    return random.choice(items)  # nosec\n")
    f = finding(tool="bandit", rule_id="B311", title="Standard pseudo-random generators are not suitable for security.",
                location={"path": "app/pick.py", "start_line": 5, "end_line": 5})
    rec, said = _reasons(tmp_path, {"app/pick.py": code}, f)
    assert rec["verdict"] == "false_positive" and rec["source"] == "suppression"
    assert rec["reasons"][0]["check"] == "suppression" and "not a security use of randomness" in said
    token = code.replace("def pick(items):", "def session_token(items):")
    rec, said = _reasons(tmp_path / "t", {"app/pick.py": token}, f)
    assert rec["source"] == "suppression" and "not a security use" not in said  # the team's label alone


def test_a_needs_review_fix_opens_with_the_reason_that_says_what_to_check():
    """gatus' example key (round 46): 'Check first: the flagged value is a PEM private-key header' checked nothing."""
    from tasks.datasets.rows import stage2_needs_review

    rec = {"verdict": "needs_review", "reasons": [
        {"check": "secret", "evidence": "the flagged value at a.key:1 is a PEM private-key header; the key follows it"},
        {"check": "path", "evidence": ".examples/x/a.key is example code: a real credential in it is still leaked; "
                                      "check whether the value is a live credential"}]}
    out = stage2_needs_review("1. Rotate it.", rec)
    assert out.startswith("Check first: .examples/x/a.key is example code") and out.endswith("1. Rotate it.")
    one = {"verdict": "needs_review", "reasons": [rec["reasons"][0]]}
    assert stage2_needs_review("x", one).startswith("Check first: the flagged value at a.key:1")


def test_a_documented_bcrypt_hash_in_base64_is_a_hash_and_the_docs_fix_keeps_a_working_example(tmp_path):
    """gatus' README (round 46): `password-bcrypt-base64` of the page's example password was 'replace it either way'."""
    import base64

    from tasks.findings.secret_evidence import classify_one
    from tasks.fixes.secrets import _in_docs

    hashed = base64.b64encode(b"$2a$09$8D/8Hx5QyZ3Uq5Bv1K3C6O8s8oG4vG3dFqYB1Q3vQm8l2sU9Xo0a2").decode()
    seen = classify_one(hashed)
    assert seen["class"] == "hash" and "bcrypt password hash" in seen["match"]
    text = _in_docs("credential", "README.md:12", "README.md", "revoke it")
    assert "Either way" not in text and "keep it: replacing it breaks the example" in text


def test_a_users_url_in_href_or_script_src_is_not_cleared_by_escaping(tmp_path):
    """Set 43's true positives cleared by 7036..faba112: netbox's `<a href="{escape(value)}">` (escape() leaves
    `javascript:` whole) and cabot's `<script src="{{ service.hackpad_id }}">` (a user's field chooses the script)."""
    cols = ('from django.utils.html import escape\nfrom django.utils.safestring import mark_safe\n\n\n'
            'def render(value):\n    return mark_safe(f\'<a href="{escape(value)}">{escape(value)}</a>\')\n')
    f = finding(tool="bandit", rule_id="B703", title="Potential XSS on mark_safe function.",
                location={"path": "netbox/tables/columns.py", "start_line": 6, "end_line": 6})
    rec, said = _reasons(tmp_path, {"netbox/tables/columns.py": cols}, f)
    assert rec["verdict"] != "false_positive" and "escaped before insertion" not in said
    text = cols.replace('<a href="{escape(value)}">{escape(value)}</a>', '<b>{escape(value)}</b>')
    rec, said = _reasons(tmp_path / "b", {"netbox/tables/columns.py": text}, f)
    assert "escaped before insertion" in said  # text content: escaping is the fix
    page = '<div>\n  <script src="{{ service.hackpad_id }}"></script>\n</div>\n'
    g = finding(rule_id="tmp.rules.var-in-script-tag", title="t",
                location={"path": "templates/detail.html", "start_line": 2, "end_line": 2})
    rec, said = _reasons(tmp_path / "s", {"templates/detail.html": page}, g)
    assert "src attribute" not in said
    static = page.replace("{{ service.hackpad_id }}", "/static/{{ version }}/app.js")
    rec, said = _reasons(tmp_path / "t", {"templates/detail.html": static}, g)
    assert "src attribute" in said


def test_a_user_fix_for_a_scratch_image_read_from_the_file_creates_no_user():
    """gatus' Dockerfile (round 46's harmful row): `RUN useradd` in a FROM scratch stage breaks the build."""
    from tasks.fixes.iac import config_fix

    f = finding(tool="checkov", kind="config", rule_id="CKV_DOCKER_3", title="Ensure that a user for the container has been created",
                description="Ensure that a user for the container has been created (resource /Dockerfile.)", snippet="",
                location={"path": "Dockerfile", "start_line": 1, "end_line": 9})
    text = "FROM golang:alpine AS builder\nRUN go build -o app .\nFROM scratch\nCOPY --from=builder /app .\nENTRYPOINT [\"/app\"]\n"
    answer, _, _ = config_fix(f, "dockerfile", {"file": text})
    assert "USER 65532" in answer and "useradd" not in answer and "adduser -D" not in answer


def test_a_form_that_includes_the_template_writing_csrf_token_is_protected(tmp_path):
    """cabot's forms include cabotapp/_base_form.html, whose line 8 is {% csrf_token %} (set 43, both labellers)."""
    form = '<form method="post" action="">\n  {% include "cabotapp/_base_form.html" %}\n  <button>Save</button>\n</form>\n'
    base = "{% load bootstrap %}\n{{ form.non_field_errors }}\n{% csrf_token %}\n{% for field in form %}{{ field }}{% endfor %}\n"
    f = finding(rule_id="tmp.rules.django-no-csrf-token", title="t",
                location={"path": "cabot/templates/cabotapp/instance_form.html", "start_line": 1, "end_line": 1})
    files = {"cabot/templates/cabotapp/instance_form.html": form, "cabot/templates/cabotapp/_base_form.html": base}
    rec, said = _reasons(tmp_path, files, f)
    assert rec["verdict"] == "false_positive" and "includes cabotapp/_base_form.html, whose line 3" in said
    bare = dict(files, **{"cabot/templates/cabotapp/_base_form.html": base.replace("{% csrf_token %}\n", "")})
    rec, said = _reasons(tmp_path / "b", bare, f)
    assert "CSRF token" not in said


def test_a_long_call_with_only_keyword_arguments_is_quoted_without_a_gap():
    """netbox (round 47): 'blocks `requests.get(, ...)` for good' - a template gap."""
    import ast

    from tasks.enrich.tied_mechanisms import _said

    chunk = ('resp = requests.get(url=settings.NETBOX_SOME_VERY_LONG_SETTING_NAME_FOR_THE_URL, headers={"a": "b"}, '
             'proxies=settings.HTTP_PROXIES, params={"x": 1})')
    call = next(n for n in ast.walk(ast.parse(chunk)) if isinstance(n, ast.Call) and ast.unparse(n.func) == "requests.get")
    said = _said(chunk, call, "B113")
    assert "(, " not in said and said.startswith("requests.get(url=")


def test_a_constant_naming_a_request_parameter_password_is_a_field_name(tmp_path):
    """writefreely's oauth_signup.go (round 47's harmful row): `oauthParamPassword = "password"` was 'rotated'."""
    code = 'package app\n\nconst (\n\toauthParamPassword = "password"\n)\n\nfunc f(r *http.Request) string {\n' \
           '\treturn r.FormValue(oauthParamPassword)\n}\n'
    f = finding(rule_id="tmp.rules.hardcoded-credentials", title="t", snippet='oauthParamPassword = "password"',
                secret_evidence={"class": "weak", "entropy": 2.8, "length": 8, "match": "a common password", "format": None},
                location={"path": "oauth_signup.go", "start_line": 4, "end_line": 4})
    rec, said = _reasons(tmp_path, {"oauth_signup.go": code}, f)
    assert rec["verdict"] == "false_positive" and "the name `oauthParamPassword` gives a field, parameter or column" in said
    real = code.replace('oauthParamPassword = "password"', 'adminPassword = "password"')
    g = dict(f, snippet='adminPassword = "password"')
    rec, said = _reasons(tmp_path / "r", {"oauth_signup.go": real}, g)
    assert "request parameter" not in said
