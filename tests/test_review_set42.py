"""Hostile review of 16eb7b8..HEAD (set 42 / round 46): each test fails today because of a real defect."""

from __future__ import annotations

import json

from test_round45_rows import _reasons
from test_triage_hygiene import finding


# -- 1. secret leaks ---------------------------------------------------------------------------------------------------

def test_a_lowercase_password_in_a_settings_seed_row_is_still_redacted():
    """secret_literals.compared_prose's new 'names listed beside password' clause: any lower-case value between
    `'password',` and a third quoted word is taken for a list of names.  A settings table's seed row
    `VALUES ('password', 'letmein', 'string')` is (name, value, type): the password now leaves finalise unredacted
    (16eb7b8 redacted it).  Right: only a sequence whose members are all names (a membership test, `in (...)`) is
    exempt; a (name, value, ...) row keeps its value redacted."""
    from tasks.findings.parsers.finalise import finalise

    line = "INSERT INTO settings (name, value, type) VALUES ('password', 'letmein', 'string');"
    f = {"id": "1" * 32, "tool": "detect-secrets", "kind": "secret", "severity": "high", "rule_id": "KeywordDetector",
         "title": "Secret Keyword", "description": "", "references": [], "fix_hint": None, "snippet": line,
         "location": {"path": "db/seed.sql", "start_line": 3, "end_line": 3}}
    assert "letmein" not in json.dumps(finalise(f))


def test_a_go_flag_default_password_is_still_redacted():
    """Same clause: `flag.String("password", "opensesame", "admin")` (name, default, usage) - the default password is
    no longer found by detect() (it was at 16eb7b8)."""
    from tasks.findings import secrets

    assert "opensesame" in secrets.detect('\tpw := flag.String("password", "opensesame", "admin")', "main.go")


# -- 2. true positives cleared -----------------------------------------------------------------------------------------

CAPTCHA = '''import requests

CAPTCHA_KEY = "6LdPq3kUAAAAAJx0Zs2kR9vTqYb7wE1nHc4mLpQa"


def verify(answer, ip):
    r = requests.post("https://www.google.com/recaptcha/api/siteverify",
                      data={"secret": CAPTCHA_KEY, "response": answer, "remoteip": ip})
    return r.json()["success"]
'''


def test_a_captcha_secret_key_under_a_site_key_name_is_not_cleared(tmp_path):
    """documented_secret.check_documented: `_SITE_KEY` matches the *name* (`CAPTCHA_KEY`) and only 'secret|private' on
    the flagged line keeps the finding.  Here the value is sent as `secret` to reCAPTCHA's siteverify: it is the
    server-side secret key, and the row calls it 'a CAPTCHA site key, public by design' (false fact, real key cleared).
    Right: a key the file sends as `secret` (siteverify) is never called a site key."""
    f = finding(rule_id="tmp.rules.generic-api-key", title="generic api key",
                secret_evidence={"class": "high-entropy", "entropy": 4.8, "length": 40, "match": None, "format": None},
                location={"path": "app/captcha.py", "start_line": 3, "end_line": 3})
    rec, said = _reasons(tmp_path, {"app/captcha.py": CAPTCHA}, f)
    assert "site key" not in said and rec["verdict"] != "false_positive"


AFTER_DEMO = '''import smtplib


def load_sample_config():
    return {"title": "Sample"}


SMTP_PASSWORD = "Xk29fjQ0zLmp8RwTq4Vb"


def send(msg):
    s = smtplib.SMTP("smtp.corp.example.com")
    s.login("alerts", SMTP_PASSWORD)
    s.send_message(msg)
'''


def test_a_module_level_secret_after_a_sample_function_is_not_inside_it(tmp_path):
    """documented_secret.demo_function takes the nearest `def` above the line (80 lines back) without checking that it
    encloses the line: a module-level SMTP password two lines after `def load_sample_config()` is 'inside
    load_sample_config() ... public sample data' and cleared.  Right: only a line the function's body holds."""
    f = finding(rule_id="tmp.rules.generic-api-key", title="generic api key",
                secret_evidence={"class": "high-entropy", "entropy": 4.2, "length": 20, "match": None, "format": None},
                location={"path": "app/mail.py", "start_line": 8, "end_line": 8})
    rec, said = _reasons(tmp_path, {"app/mail.py": AFTER_DEMO}, f)
    assert "load_sample_config" not in said and rec["verdict"] != "false_positive"


SAMPLE_REPORT = '''import smtplib


def send_sample_report(to):
    s = smtplib.SMTP("smtp.corp.example.com")
    s.login("reports", "Xk29fjQ0zLmp8RwTq4Vb")
    s.sendmail("reports@corp.example.com", [to], "...")
'''


def test_a_function_that_sends_a_sample_report_holds_no_demo_data(tmp_path):
    """demo_function: any function whose name contains demo/sample/example (`send_sample_report`, `resample`,
    `demodulate`) 'creates the same sample records on every installation' - here the production SMTP login is
    cleared as public demo data.  Right: a name that says it creates demo data (createDemoProject, seed_demo)."""
    f = finding(rule_id="tmp.rules.generic-api-key", title="generic api key",
                secret_evidence={"class": "high-entropy", "entropy": 4.2, "length": 20, "match": None, "format": None},
                location={"path": "app/reports.py", "start_line": 6, "end_line": 6})
    rec, said = _reasons(tmp_path, {"app/reports.py": SAMPLE_REPORT}, f)
    assert "demo data" not in said and rec["verdict"] != "false_positive"


def test_a_secret_finding_past_the_files_end_does_not_crash_the_judge(tmp_path):
    """documented_secret.check_documented indexes `lines[loc.start_line - 1]` after demo_function found a demo
    function, without the bounds check the CAPTCHA test above it has: a report line past the end of the file (the
    file changed since the scan) raises IndexError out of Judge.judge and stops the triage step.  Right: no
    evidence, never a traceback."""
    code = "def create_demo_data():\n    return 1\n"
    f = finding(rule_id="tmp.rules.generic-api-key", title="generic api key",
                secret_evidence={"class": "high-entropy", "entropy": 4.2, "length": 20, "match": None, "format": None},
                location={"path": "app/demo.py", "start_line": 9, "end_line": 9})
    rec, _ = _reasons(tmp_path, {"app/demo.py": code}, f)
    assert rec["verdict"] in ("true_positive", "false_positive", "needs_review")


CARD = """<template>
  <div
    v-html="formatRaw(item.body)"
  ></div>
</template>
<script setup>
import { formatRaw } from '@/utils/markdown'
</script>
"""


def test_v_html_of_a_function_that_appends_raw_html_to_dompurify_output_is_not_sanitised(tmp_path):
    """vue_html: `_SANITISER.match` is a prefix test, so `return DOMPurify.sanitize(title) + body` (raw HTML after the
    sanitised part) counts as 'every return is DOMPurify's output'.  Right: the whole return expression is the call."""
    js = ("import DOMPurify from 'dompurify'\n\nexport function render(item) {\n"
          "  return DOMPurify.sanitize(item.title) + item.bodyHtml\n}\n")
    vue = CARD.replace("formatRaw", "render")
    f = finding(rule_id="tmp.rules.avoid-v-html", title="t",
                location={"path": "web/src/components/Card.vue", "start_line": 2, "end_line": 2})
    rec, said = _reasons(tmp_path, {"web/src/components/Card.vue": vue, "web/src/utils/markdown.js": js}, f)
    assert "sanitised" not in said and rec["verdict"] != "false_positive"


PR_ARTIFACT = """name: comment
on:
  workflow_run:
    workflows: [receive-pr]
    types: [completed]
jobs:
  comment:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/github-script@v7
        with:
          script: |
            const all = await github.rest.actions.listWorkflowRunArtifacts({
              owner: context.repo.owner, repo: context.repo.repo, run_id: context.payload.workflow_run.id });
            const art = all.data.artifacts.filter(a => a.name == "pr")[0];
            const zip = await github.rest.actions.downloadArtifact({
              owner: context.repo.owner, repo: context.repo.repo, artifact_id: art.id, archive_format: "zip" });
            require("fs").writeFileSync("pr.zip", Buffer.from(zip.data));
      - run: unzip pr.zip && ./pr/build.sh
"""


def test_a_workflow_run_that_downloads_the_prs_artifact_with_github_script_keeps_the_finding(tmp_path):
    """workflows._untrusted_use now lets workflow_run through unless a step `uses:` download-artifact, checks out a
    `${{ }}` ref or expands an event expression.  GitHub Security Lab's canonical workflow_run 'pwn request' downloads
    the pull request's artifact with github-script (`context.payload.workflow_run.id`, no `${{ }}`) and runs it: the
    row says 'nothing an outsider sends runs with it'.  Right: a workflow_run that fetches a run's artifacts by any
    means (github-script's downloadArtifact, `gh run download`) is untrusted."""
    f = finding(tool="checkov", kind="config", rule_id="CKV2_GHA_1", title="t",
                location={"path": ".github/workflows/comment.yml", "start_line": 1, "end_line": 19})
    rec, said = _reasons(tmp_path, {".github/workflows/comment.yml": PR_ARTIFACT}, f)
    assert "least-privilege hardening" not in said


def test_a_workflow_run_that_gets_the_run_id_through_env_keeps_the_finding(tmp_path):
    """Same check: a step's `env:` is never read, so `gh run download "$RUN_ID"` with `RUN_ID: ${{
    github.event.workflow_run.id }}` (the usual way to keep expressions out of scripts) passes as safe."""
    wf = PR_ARTIFACT.split("      - uses: actions/github-script@v7")[0] + (
        "      - run: gh run download \"$RUN_ID\" -n pr && bash pr/build.sh\n"
        "        env:\n          RUN_ID: ${{ github.event.workflow_run.id }}\n          GH_TOKEN: ${{ github.token }}\n")
    f = finding(tool="checkov", kind="config", rule_id="CKV2_GHA_1", title="t",
                location={"path": ".github/workflows/comment.yml", "start_line": 1, "end_line": 12})
    rec, said = _reasons(tmp_path, {".github/workflows/comment.yml": wf}, f)
    assert "least-privilege hardening" not in said


STORE = '''import hashlib
import requests


class Accounts:
    def register(self, user, password):
        record = {"name": user}
        record["password_hash"] = hashlib.md5(password.encode()).hexdigest()
        self.db.users.insert_one(record)
        requests.post(self.WELCOME_HOOK, json={"user": user})
'''


def test_an_md5_password_hash_that_is_stored_is_not_the_remote_apis_protocol(tmp_path):
    """api_digest: a digest stored under a string key counts as 'sent' when *any* HTTP call appears anywhere in the
    function (`_SENDS.search(ast.unparse(func))`), whatever that call sends.  An MD5 password hash written to the
    users collection beside a welcome webhook is cleared as 'the algorithm is the remote API's'.  Right: the mapping
    itself must be what the call sends (and not stored)."""
    f = finding(tool="bandit", rule_id="B324", title="Use of weak MD5 hash for security.",
                location={"path": "app/accounts.py", "start_line": 8, "end_line": 8})
    rec, said = _reasons(tmp_path, {"app/accounts.py": STORE}, f)
    assert "remote API" not in said


ISSUER = """package api

func login(w http.ResponseWriter, r *http.Request) {
\tconf := &oauth2.Config{ClientID: clientID, Endpoint: oauth2.Endpoint{AuthURL: r.URL.Query().Get("auth_url")}}
\tu := conf.AuthCodeURL(newState(w))
\thttp.Redirect(w, r, u, http.StatusFound)
}
"""


def test_an_authcodeurl_of_a_config_built_from_the_request_is_an_open_redirect(tmp_path):
    """go_redirect assumes every `.AuthCodeURL(...)` starts from an operator-configured endpoint; it never looks at
    the config.  Here the endpoint's AuthURL is a query parameter: the redirect goes wherever the link says, and the
    row says 'a request can only fill its query ... never its host'.  Right: the config must not be built in the
    function from request data."""
    f = finding(rule_id="tmp.rules.open-redirect", title="t", location={"path": "api/login.go", "start_line": 6, "end_line": 6})
    rec, said = _reasons(tmp_path, {"api/login.go": ISSUER}, f)
    assert "never its host" not in said and rec["verdict"] != "false_positive"


SESSIONS = '''import random


class Sessions:
    def __init__(self):
        self.next_id = random.randint(1, 10 ** 9)
        self.by_id = {}

    def login(self, user):
        self.next_id += 1
        self.by_id[self.next_id] = user
        return self.next_id
'''


def test_a_random_counter_that_is_the_session_id_is_a_security_use(tmp_path):
    """random_use._counter: a value the module increments by 1 is 'a sequence number nothing treats as a secret' unless
    the *statement's* words name a secret.  Here the counter is the session id login() hands out (`by_id[...] =
    user`): anyone who sees one id can take the next user's session.  Right: a counter that a session or token map is
    keyed by, or that a login returns, is no plain sequence number (or the words of every statement using it count)."""
    f = finding(tool="bandit", rule_id="B311", title="Standard pseudo-random generators are not suitable for security.",
                location={"path": "app/sessions.py", "start_line": 6, "end_line": 6})
    rec, said = _reasons(tmp_path, {"app/sessions.py": SESSIONS}, f)
    assert "sequence number" not in said


SHADOW = '''import os
import urllib.request


def fetch_all(request):
    url = os.environ["STATUS_URL"]
    pages = [urllib.request.urlopen(url).read() for url in request.json["urls"]]
    return pages
'''


def test_a_url_name_rebound_by_a_comprehension_from_the_request_is_not_the_environments(tmp_path):
    """url_scheme._environment counts Assign/For/With/arg bindings but not a comprehension's target: the `url` that
    urlopen() opens is each request URL, yet the row says it is 'read from the environment variable `STATUS_URL`'.
    Right: a comprehension (or any other) binding of the name in the function disqualifies it."""
    f = finding(tool="bandit", rule_id="B310", title="Audit url open for permitted schemes.",
                location={"path": "app/status.py", "start_line": 7, "end_line": 7})
    rec, said = _reasons(tmp_path, {"app/status.py": SHADOW}, f)
    assert "STATUS_URL" not in said


# -- 3. wrong facts and crashes ----------------------------------------------------------------------------------------

def test_secret_reach_does_not_quote_a_parameter_of_the_same_name_as_a_use_of_the_secret():
    """secret_reach takes the flagged line's mapping key (`"password": "..."`) as the name and quotes the first other
    line where that word occurs: here `def login(username, password):` - a parameter, not the secret - and the row says
    'The code uses `password` on line 6 ... whoever can read the repository can make the same calls with it'.
    Right: a use must read the same binding (the constant, `self.X`, `SETTINGS["password"]`), never any word."""
    from tasks.enrich.secret_reach import secret_reach

    code = {"start_line": 1, "text": 'SETTINGS = {\n    "password": "[REDACTED secret sha256:776be2ab7aff]",\n}\n\n\n'
                                      'def login(username, password):\n    return check(username, password)\n'}
    f = finding(rule_id="tmp.rules.generic-password", title="t", location={"path": "app/settings.py", "start_line": 2, "end_line": 2})
    assert secret_reach(f, code) is None


def test_secret_reach_does_not_call_an_earlier_assignment_a_use():
    """secret_reach scans every line of the window, above the flagged one too: a base class's `API_KEY = None` is
    quoted as 'The code uses `API_KEY` on line 2 (`API_KEY = None`)'.  Right: an assignment of the name is no use
    of the secret (and a line above the definition cannot read it)."""
    from tasks.enrich.secret_reach import secret_reach

    code = {"start_line": 1, "text": 'class Base:\n    API_KEY = None\n\n\nclass Drive(Base):\n'
                                      '    API_KEY = "[REDACTED secret sha256:776be2ab7aff]"\n'}
    f = finding(rule_id="tmp.rules.detected-google-api-key", title="t", location={"path": "p/drive.py", "start_line": 6, "end_line": 6})
    assert secret_reach(f, code) is None


def test_a_suppressed_dependency_finding_is_counted_once_in_with_record():
    """suppressed.suppressed() re-runs Judge.judge on the same finding, and judge() adds to `self.with_record` (and asks
    the store/OSV client) before the suppression check: one suppressed dependency finding with an advisory record
    counts twice, so triage.md can say 'Advisory records found for 2 of 1 dependency findings'.  Right: the inner
    judgement neither counts nor looks up records again."""
    from tasks.triage.verdict import Judge

    class Store:
        def lookup(self, ids):
            return [{"id": "GHSA-aaaa-bbbb-cccc", "aliases": ["CVE-2023-1234"], "summary": "x", "affected": []}]

    judge = Judge(store=Store())
    f = finding(kind="dependency", tool="trivy", rule_id="CVE-2023-1234", cve=["CVE-2023-1234"], suppressed=True,
                package={"name": "lodash", "ecosystem": "npm", "version": "4.17.0"},
                location={"path": "package-lock.json", "start_line": 1, "end_line": 1})
    judge.judge(f)
    assert judge.with_record == 1


def _sarif(region: dict) -> dict:
    return {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Semgrep OSS", "rules": [
        {"id": "r", "shortDescription": {"text": "password"}}]}}, "results": [
        {"ruleId": "r", "message": {"text": "password"}, "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "examples/docker-compose.yml"}, "region": region}}]}]}]}


def test_a_sarif_region_with_a_non_integer_start_line_still_parses():
    """sarif._parse_run's endColumn-1 rule compares `end > region.get("startLine")` and slices with it without the
    isinstance check it gives endLine: a startLine of "77" (TypeError: int > str) or 77.0 (slice index) now raises,
    and parse_report rejects the whole report ('unexpected structure'), every finding lost; 16eb7b8 parsed both.
    Right: the rule applies only when both lines are ints."""
    from tasks.findings.parsers import sarif

    for start in ("77", 77.0):
        region = {"startLine": start, "endLine": 78, "endColumn": 1, "snippet": {"text": "a\nb"}}
        assert len(sarif.parse(_sarif(region))) == 1


GO_TLS = """package api

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


def test_a_go_tls_finding_on_the_line_after_the_last_newline_does_not_crash(tmp_path):
    """go_code._tls_default: the guard `start_line > source.count("\\n") + 1` lets through the line after a file's final
    newline, and the new `source.splitlines()[start_line - 1]` raises IndexError out of Judge.judge (a report from
    an older commit whose file has since shrunk).  Right: no evidence, never a traceback."""
    n = GO_TLS.count("\n")
    f = finding(rule_id="tmp.rules.missing-ssl-minversion", title="t",
                location={"path": "api/login.go", "start_line": n + 1, "end_line": n + 1})
    rec, _ = _reasons(tmp_path, {"api/login.go": GO_TLS, "go.mod": "module x\n\ngo 1.21.0\n"}, f)
    assert rec["verdict"] in ("true_positive", "false_positive", "needs_review")


SPLIT = """{% macro selected(name) -%}
  {% if name in url -%}class="selected"{%- endif %}
{%- endmacro %}
<ul>
<li {{selected('queue')}} data-tab={{
    request.args.tab }}>Queue</li>
</ul>
"""


def test_a_jinja_finding_over_two_lines_is_judged_by_both(tmp_path):
    """jinja_macro reads only the start line's `{{ }}` pairs: an expression opened there and closed on the next line
    (`data-tab={{\\n request.args.tab }}`, an unquoted attribute holding a request value, the finding spanning lines 5-6)
    is never seen, and the row says 'no value is printed, so nothing from outside reaches the attribute'.  Right:
    every expression of the finding's lines (or none when one is left open) is weighed."""
    f = finding(rule_id="tmp.rules.unquoted-attribute-var", title="t",
                location={"path": "templates/base.html", "start_line": 5, "end_line": 6})
    rec, said = _reasons(tmp_path, {"templates/base.html": SPLIT}, f)
    assert "no value is printed" not in said
