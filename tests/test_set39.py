"""Checks written after held-out set 38 (Flask-AppBuilder, shiori, cowrie, terraform-aws-memory-db), each with the
neighbour that stays a finding."""

from __future__ import annotations

import pytest

from test_triage_round6 import Files, Judge, checkov

CI = """name: ci
on:
  push:
    branches: [master]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
"""


def _gha1(text: str, path: str = ".github/workflows/ci.yml") -> dict:
    return Judge(reader=Files({path: text})).judge(checkov("CKV2_GHA_1", path=path))


def test_a_missing_permissions_block_is_hardening_when_no_outsider_runs_anything_with_the_token():
    """Set 38's largest miss: 11 CKV2_GHA_1 findings (Flask-AppBuilder's ci.yml, shiori's reusable workflows,
    terraform-aws-memory-db's release, stale, lock and pr-title workflows) that both labellers called least-privilege
    hardening: no write-all anywhere, triggers the team fires or GitHub confines, no PR code or event text run."""
    rec = _gha1(CI)
    # held-out set 56: both labellers called such a workflow a finding, twice: on push the team's own runs hold the
    # default token, whose scope the checkout does not show - review, not a false positive
    assert rec["verdict"] == "needs_review"
    evidence = rec["reasons"][0]["evidence"]
    assert "but on push the jobs run with that default token: check the default workflow permissions" in evidence
    assert evidence.startswith("least-privilege hardening, not an exposed token: .github/workflows/ci.yml")
    assert "its triggers are push, pull_request" in evidence and "a fork's pull_request runs with a read-only token" in evidence
    assert "supply-chain" not in evidence
    tagged = _gha1(CI.replace("      - run: make test\n", "      - uses: golangci/golangci-lint-action@v9\n      - uses: codecov/codecov-action@5a1091511ad55cbe89839c7260b706298ca349f7\n"))
    # held-out set 46: both labellers called the default token beside a tag-pinned third-party action on push a finding
    # (set 38's called it hardening): the repository's default permissions decide, and the checkout does not show them
    assert tagged["verdict"] == "needs_review" and "on push it runs third-party actions by a tag or branch name " \
        "(golangci/golangci-lint-action) beside it: check the repository's default workflow permissions" in tagged["reasons"][0]["evidence"]
    fork = _gha1(CI.replace("  push:\n    branches: [master]\n", "").replace("      - run: make test\n", "      - uses: golangci/golangci-lint-action@v9\n"))
    assert fork["verdict"] == "false_positive"  # pull_request only: a fork's token is read-only
    assert "the third-party actions it runs by a tag or branch name (golangci/golangci-lint-action) are a supply-chain question" in fork["reasons"][0]["evidence"]
    called = _gha1(CI.replace("  push:\n    branches: [master]\n  pull_request:\n", "  workflow_call:\n"))
    assert called["verdict"] == "false_positive" and "capped by its caller's permissions" in called["reasons"][0]["evidence"]
    title = CI.replace("on:\n  push:\n    branches: [master]\n  pull_request:\n", "on:\n  pull_request_target:\n    types: [opened, edited]\n")
    title = title.replace("      - uses: actions/checkout@v4\n      - run: make test\n", "      - uses: amannn/action-semantic-pull-request@v5\n")
    rec = _gha1(title)  # pr-title.yml: pull_request_target that never checks out the pull request's code, but runs a
    assert rec["verdict"] == "needs_review"  # tag-pinned action beside the default token (set 46: both labellers, a finding)
    first_party = title.replace("amannn/action-semantic-pull-request@v5", "actions/setup-node@v4")
    rec = _gha1(first_party)
    assert rec["verdict"] == "false_positive" and "under pull_request_target no step of this workflow checks out or fetches" in rec["reasons"][0]["evidence"]
    # a step that writes with the default token (actions/labeler, actions/stale with repo-token): the labellers of sets 46
    # and 47 called such workflows findings (set 38's: hardening); the repository's token setting decides
    assert _gha1(title.replace("amannn/action-semantic-pull-request@v5", "actions/labeler@v5"))["verdict"] == "needs_review"


@pytest.mark.parametrize("change", [
    # a privileged trigger that checks out the pull request's head: the fork's code runs with a write token
    lambda t: t.replace("  pull_request:\n", "  pull_request_target:\n").replace(
        "      - uses: actions/checkout@v4\n", "      - uses: actions/checkout@v4\n        with:\n"
        "          ref: ${{ github.event.pull_request.head.sha }}\n"),
    lambda t: t.replace("  pull_request:\n", "  workflow_run:\n    workflows: [ci]\n").replace(
        "      - run: make test\n", "      - run: gh pr checkout ${{ github.event.workflow_run.pull_requests[0].number }}\n"),
    # event text an outsider writes, expanded into a shell script
    lambda t: t.replace("  pull_request:\n", "  issues:\n").replace(
        "      - run: make test\n", "      - run: echo \"${{ github.event.issue.title }}\"\n"),
    lambda t: t.replace("      - run: make test\n", "      - run: git push origin ${{ github.head_ref }}\n"),
    # write-all named anywhere
    lambda t: t.replace("    runs-on: ubuntu-latest\n", "    runs-on: ubuntu-latest\n    permissions: write-all\n"),
    lambda t: t.replace("jobs:\n", "permissions: write-all\njobs:\n"),
])
def test_a_token_outsiders_code_or_text_can_reach_stays_a_finding(change):
    assert _gha1(change(CI))["verdict"] != "false_positive"


def test_the_stage2_row_of_hardening_is_the_least_privilege_block_never_an_empty_one():
    """Checkov ignores a skip comment for CKV2_GHA_1 and an empty top-level block would take the jobs' read access
    away; the row records least privilege from the steps, or there is no row."""
    from tasks.fixes import api_workflows
    from tasks.fixes.suppression import suppression_answer, suppression_place
    from tasks.findings.model import as_finding

    f = as_finding(checkov("CKV2_GHA_1", path=".github/workflows/ci.yml", title="Ensure top-level permissions are not set to write-all"))
    rec = _gha1(CI)
    fix, _, _ = api_workflows.fix(f, "yaml", CI)
    answer = suppression_answer(f, rec, None, fix)
    assert answer.startswith("False positive: least-privilege hardening")
    assert "```yaml\npermissions:\n  contents: read\n```" in answer and "permissions: {}" not in answer
    assert "checkov:skip" not in answer
    assert suppression_answer(f, rec, None, None) is None
    assert "Checkov ignores a skip comment" in suppression_place(f, rec)


def test_a_quoted_line_with_a_backtick_stays_one_code_span_and_the_lint_reads_spans_as_commonmark():
    """Set 39 (listmonk): a Cypress test's line `const htmlBody = `<strong>hello${n}</strong>...` was quoted in single
    backticks, ending the span early; the lint quarantined the row for unbalanced inline code."""
    from tasks.core.markdown import code_span, without_code_spans
    from tasks.datasets.markup import broken_markup

    line = "const htmlBody = `<strong>hello${n}</strong>`;"
    span = code_span(line)
    assert span == "``const htmlBody = `<strong>hello${n}</strong>`;``"
    assert code_span("`x`") == "`` `x` ``" and code_span("plain") == "`plain`"
    assert broken_markup(f"False positive: test code (line 266: {span}, in it('Adds'))") is None
    assert without_code_spans(f"a {span} b") == "a C b"
    # the neighbours that stay defects: a span never closed, and the old single-backtick quote
    assert broken_markup("False positive: `x = 1 is test code") is not None
    cut = "const htmlBody = `<strong>hello${n}</strong> {{ .Subscriber.Name }} from {{ .Subscrib…"  # the quote as cut
    assert broken_markup(f"False positive: test code (line 266: `{cut}`, in it('Adds'))") is not None
    assert broken_markup(f"False positive: test code (line 266: {code_span(cut)}, in it('Adds'))") is None
    from tasks.findings.model import as_finding
    from tasks.triage.test_site import test_site as site

    code = "describe('c', () => {\n  it('Adds new campaigns', () => {\n    " + line + "\n  });\n});\n"
    f = as_finding(checkov("x", path="frontend/cypress/e2e/campaigns.cy.js"))
    f = as_finding(dict(f.to_dict(), location={"path": "frontend/cypress/e2e/campaigns.cy.js", "start_line": 3, "end_line": 3}))
    quoted = site(f, Files({"frontend/cypress/e2e/campaigns.cy.js": code}))
    assert span in quoted and broken_markup("False positive: test code" + quoted) is None


def test_an_html_templates_answer_may_name_javascript_but_not_python():
    """Set 39 (listmonk): the row on `{{ .RootURL }}` in a <script src> attribute said why the rule's concern (a value
    escaped for HTML but run as JavaScript) does not arise; the lint quarantined it as advice for another language."""
    from tasks.enrich.platforms import foreign_names

    text = "the rule's concern, a value escaped for HTML but run as JavaScript, does not arise"
    assert foreign_names(text, "html") == set()
    assert foreign_names("use Python's html.escape", "html") == {"Python"}
    assert foreign_names(text, "go") == {"JavaScript"}


STREAM = '''package stream

import (
	"net/http"

	"github.com/gorilla/websocket"
)

type API struct {
	upgrader *websocket.Upgrader
}

func (a *API) Handle(w http.ResponseWriter, r *http.Request) {
	conn, err := a.upgrader.Upgrade(w, r, nil)
	_ = conn
	_ = err
}

func newUpgrader(allowed []string) *websocket.Upgrader {
	return &websocket.Upgrader{
		ReadBufferSize: 1024,
		CheckOrigin: func(r *http.Request) bool {
			return isAllowedOrigin(r, allowed)
		},
	}
}
'''


def _semgrep(rule: str, path: str, line: int) -> dict:
    from test_triage_hygiene import finding as hygiene_finding
    return hygiene_finding(tool="semgrep", rule_id=rule, title=rule, kind="code",
                           location={"path": path, "start_line": line, "end_line": line})


def test_an_upgrader_built_with_a_checkorigin_elsewhere_in_the_file_checks_the_origin():
    """Set 39 (gotify): the Upgrade call at stream.go:143 goes through newUpgrader(), whose CheckOrigin accepts the
    same host or a configured pattern; the rule only looks around the call."""
    f = _semgrep("go.gorilla.security.audit.websocket-missing-origin-check", "api/stream/stream.go", 14)
    rec = Judge(reader=Files({"api/stream/stream.go": STREAM})).judge(f)
    assert rec["verdict"] == "false_positive"
    evidence = rec["reasons"][0]["evidence"]
    assert "line 20 in newUpgrader(): `CheckOrigin: func(r *http.Request) bool { return isAllowedOrigin(r, allowed) }`" in evidence
    allow_all = STREAM.replace("return isAllowedOrigin(r, allowed)", "return true")
    assert Judge(reader=Files({"api/stream/stream.go": allow_all})).judge(f)["verdict"] != "false_positive"
    # filebrowser (set 39): an Upgrader without CheckOrigin gets gorilla's same-origin default
    unset = STREAM.replace("\t\tCheckOrigin: func(r *http.Request) bool {\n\t\t\treturn isAllowedOrigin(r, allowed)\n\t\t},\n", "")
    rec = Judge(reader=Files({"api/stream/stream.go": unset})).judge(f)
    assert rec["verdict"] == "false_positive" and "leaves CheckOrigin unset (line 20 in newUpgrader())" in rec["reasons"][0]["evidence"]
    opened = unset + "\nfunc init() {\n\tu := newUpgrader(nil)\n\tu.CheckOrigin = func(r *http.Request) bool { return true }\n}\n"
    assert Judge(reader=Files({"api/stream/stream.go": opened})).judge(f)["verdict"] != "false_positive"


def test_a_django_rule_on_a_go_template_in_a_repository_without_django():
    """Set 39 (listmonk): django-no-csrf-token on static/public/templates/subscription.html, a Go html/template page;
    the repository's one Python file is a translation script."""
    page = '<form method="post" action="">\n  <input type="hidden" name="x">\n</form>\n'
    f = _semgrep("python.django.security.django-no-csrf-token", "static/public/templates/subscription.html", 1)
    files = {"static/public/templates/subscription.html": page, "scripts/translate.py": "import json\n",
             "docs/requirements.txt": "mkdocs\n", "go.mod": "module x\n"}
    rec = Judge(reader=Files(files), imports=Files(files)).judge(f)
    assert rec["verdict"] == "false_positive"
    assert "a Django rule on a file Django never renders" in rec["reasons"][0]["evidence"]
    assert "none of its 1 `.py` files imports django, and none of docs/requirements.txt names it" in rec["reasons"][0]["evidence"]
    for more in ({"app/views.py": "from django.shortcuts import render\n"}, {"requirements.txt": "Django==5.1\n"}):
        both = dict(files, **more)
        assert Judge(reader=Files(both), imports=Files(both)).judge(f)["verdict"] != "false_positive"


def test_a_top_level_dev_folders_stack_is_not_the_deployment():
    """Set 39 (listmonk): dev/docker-compose.yml ("exists only for local development") - three compose rules."""
    from tasks.triage.path_class import path_class

    assert path_class("dev/docker-compose.yml") == "dev_stack" and path_class("dev/app.Dockerfile") == "dev_stack"
    assert path_class("dev/scripts/run.py") is None and path_class("src/dev/compose.yml") is None
    assert path_class("deploy/docker-compose.yml") is None and path_class("docker-compose.yml") is None


@pytest.mark.parametrize("src,service", [
    ("https://js.hcaptcha.com/1/api.js", "hCaptcha"),
    ("https://www.google.com/recaptcha/api.js?render=explicit", "Google reCAPTCHA"),
    ("https://js.stripe.com/v3/", "Stripe.js"),
    ("https://challenges.cloudflare.com/turnstile/v0/api.js", "Cloudflare Turnstile"),
])
def test_a_vendors_loader_updated_in_place_cannot_carry_an_integrity_hash(src, service):
    """Set 39 (listmonk): missing-integrity on hCaptcha's api.js, which the vendor changes in place."""
    page = f'<div class="captcha">\n  <script src="{src}" async defer></script>\n</div>\n'
    f = _semgrep("html.security.audit.missing-integrity.missing-integrity", "templates/form.html", 2)
    rec = Judge(reader=Files({"templates/form.html": page})).judge(f)
    assert rec["verdict"] == "false_positive" and f"loads {service}'s loader" in rec["reasons"][0]["evidence"]


@pytest.mark.parametrize("src", ["https://cdn.jsdelivr.net/npm/vue@2.6.8/dist/vue.js",
                                 "https://js.hcaptcha.com.evil.example/1/api.js", "https://example.com/js.stripe.com/v3/"])
def test_a_versioned_library_or_a_look_alike_host_keeps_the_integrity_finding(src):
    page = f'<script src="{src}"></script>\n'
    f = _semgrep("html.security.audit.missing-integrity.missing-integrity", "templates/form.html", 1)
    assert Judge(reader=Files({"templates/form.html": page})).judge(f)["verdict"] != "false_positive"


STATUS = ('{{ define "campaign-status" }}\n<table>\n  <tr><td><a href="{{ RootURL }}/admin/campaigns/{{ index . "ID" }}">'
          '{{ index . "Name" }}</a></td></tr>\n</table>\n{{ end }}\n')
INIT = ('package main\n\nimport (\n\t"html/template"\n)\n\nfunc initTpls() {\n\t_ = template.FuncMap{}\n'
        '\ttpls, _ := parseGlob(fs, "/static/email-templates/*.html")\n\t_ = tpls\n}\n')


def _href(files: dict[str, str], path: str = "static/email-templates/campaign-status.html", line: int = 3) -> dict:
    f = _semgrep("generic.html-templates.security.var-in-href.var-in-href", path, line)
    return Judge(reader=Files(files), imports=Files(files)).judge(f)


def test_a_link_go_html_template_renders_cannot_become_a_javascript_url():
    """Set 39 (listmonk): var-in-href on an e-mail template cmd/init.go parses with html/template, whose URL filter
    turns any scheme but http, https and mailto into #ZgotmplZ."""
    files = {"go.mod": "module x\n", "cmd/init.go": INIT, "static/email-templates/campaign-status.html": STATUS,
             "cmd/install.go": 'package main\n\nfunc f() { fs.Get("/static/email-templates/default.tpl") }\n'}
    rec = _href(files)
    assert rec["verdict"] == "false_positive"
    assert "cmd/init.go:9 names `/static/email-templates/*.html` and imports html/template" in rec["reasons"][0]["evidence"]
    text_too = dict(files, **{"cmd/init.go": INIT.replace('\t"html/template"\n', '\t"html/template"\n\t"text/template"\n')})
    assert _href(text_too)["verdict"] != "false_positive"
    no_go = {k: v for k, v in files.items() if k != "cmd/init.go"}
    assert _href(no_go)["verdict"] != "false_positive"
    other_glob = dict(files, **{"cmd/init.go": INIT.replace("*.html", "*.tpl")})
    assert _href(other_glob)["verdict"] != "false_positive"


def test_a_link_that_starts_with_a_literal_path_cannot_take_a_scheme():
    page = '<ul>\n  <li><a href="/users/{{ user.id }}/edit">edit</a></li>\n</ul>\n'
    rec = _href({"templates/list.html": page}, "templates/list.html", 2)
    assert rec["verdict"] == "false_positive" and "begins with a literal (`/users/`)" in rec["reasons"][0]["evidence"]
    bare = page.replace('href="/users/{{ user.id }}/edit"', 'href="{{ user.website }}"')
    assert _href({"templates/list.html": bare}, "templates/list.html", 2)["verdict"] != "false_positive"


def test_code_quoted_from_the_file_names_no_language_the_row_advises():
    """Set 39 (mitmproxy): a Hugo template row quoting `{{ printf `<link ...>` .Rel }}` was quarantined as advice for
    C; a sentence that advises another language's call still is."""
    from tasks.datasets.lint import foreign_advice

    line = '{{ printf `<link rel="%s" href="%s" />` .Rel .RelPermalink | safeHTML }}'
    row = {"meta": {"language": "html", "kind": "code", "code": {"text": line}},
           "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "finding in baseof.html"},
                        {"role": "assistant", "content": ""}]}
    f = _semgrep("generic.html-templates.security.template-unescaped-with-safe", "docs/baseof.html", 27)
    from tasks.core.markdown import code_span
    row["messages"][2]["content"] = f"False positive: docs/baseof.html is documentation (line 27: {code_span(line)})."
    assert foreign_advice(row, f) is None
    row["messages"][2]["content"] = "Escape it with printf and a format string as in C before it reaches the page."
    assert foreign_advice(row, f) is not None


def test_the_stage1_answer_for_hardening_gives_the_block_instead_of_do_not_change():
    """Set 39's stage-1 grader: listmonk's build-sanity.yml row said "Do not change build-sanity.yml" and then asked
    for a permissions block in it without giving one."""
    from tasks.datasets.rows import false_positive_analysis
    from tasks.findings.model import as_finding
    from tasks.fixes import api_workflows
    from tasks.fixes.suppression import suppression_place

    f = as_finding(checkov("CKV2_GHA_1", path=".github/workflows/ci.yml", title="Ensure top-level permissions are not set to write-all"))
    rec = _gha1(CI)
    fix, _, _ = api_workflows.fix(f, "yaml", CI)
    text = false_positive_analysis({}, rec, suppression_place(f, rec), f.path, fix)
    assert "Do not change" not in text and "```yaml\npermissions:\n  contents: read\n```" in text
    assert "add a top-level block of what the steps need to .github/workflows/ci.yml" in text
    assert "`contents: read` for the checkout" in false_positive_analysis({}, rec, suppression_place(f, rec), f.path, None)


def test_a_docs_sites_script_that_reads_its_url_is_not_dismissed_as_documentation():
    """Set 39's stage-1 grader: mitmproxy's docs/src/assets/search.js runs on every page of the public docs site and
    reads ?search= from its URL; "documentation, not run" was a wrong fact. A docs script that reads no URL stays."""
    from tasks.triage.context import check_path

    script = ("function setContent(html) {\n  elem.innerHTML = html;\n}\n"
              "function getSearchTerm() {\n  return (new URL(window.location)).searchParams.get('search');\n}\n")
    f = _semgrep("javascript.browser.security.insecure-document-method", "docs/src/assets/search.js", 2)
    assert check_path(f, Files({"docs/src/assets/search.js": script})) is None
    quiet = script.split("function getSearchTerm")[0]
    rec = check_path(f, Files({"docs/src/assets/search.js": quiet}))
    assert rec and rec["class"] == "docs"


CACHE = '''package diskcache

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
)

func (f *FileCache) getFileName(key string) string {
	hasher := sha1.New()
	_, _ = hasher.Write([]byte(key))
	hash := hex.EncodeToString(hasher.Sum(nil))
	return fmt.Sprintf("%s/%s/%s", hash[:1], hash[1:3], hash)
}
'''


def test_a_go_digest_returned_as_a_file_name_is_a_name_not_a_signature():
    """Set 39 (filebrowser): diskcache's getFileName() shards cache files by the SHA-1 of the key."""
    f = _semgrep("go.lang.security.audit.crypto.use_of_weak_crypto.use-of-sha1", "diskcache/file_cache.go", 10)
    rec = Judge(reader=Files({"diskcache/file_cache.go": CACHE})).judge(f)
    assert rec["verdict"] == "false_positive"
    assert "getFileName() (line 9) hex-encodes it and returns `fmt.Sprintf(" in rec["reasons"][0]["evidence"]
    token = CACHE.replace("getFileName(key string)", "tokenName(key string)").replace("hasher.Write([]byte(key))",
                                                                                      "hasher.Write([]byte(key + secret))")
    assert Judge(reader=Files({"diskcache/file_cache.go": token})).judge(f)["verdict"] != "false_positive"
    signer = CACHE.replace("getFileName", "signPayload")
    assert Judge(reader=Files({"diskcache/file_cache.go": signer})).judge(f)["verdict"] != "false_positive"


def test_redaction_takes_the_value_not_the_keyword_that_contains_it():
    """Set 39's stage-1 grader: `dump_password="pass"` came out as `[REDACTED ...]="pass"` (detect-secrets reports
    "pass", and the first "pass" on the line is inside the keyword's name)."""
    from tasks.findings.secrets import _scan_line, detect

    assert "dump_password" not in _scan_line('    dump_password="pass",', ".py")
    assert _scan_line('api_key = "Zq8x7VbN2mK4pL9wR3tY"', ".py") == ("Zq8x7VbN2mK4pL9wR3tY",)
    assert detect('tctx.configure(a, dump_password="Zq8x7VbN2mK4pL9wR3tY")', "t.py") == ["Zq8x7VbN2mK4pL9wR3tY"] * len(
        detect('tctx.configure(a, dump_password="Zq8x7VbN2mK4pL9wR3tY")', "t.py"))


def test_a_word_the_text_also_gives_to_a_naming_key_is_a_name_not_a_secret():
    """Set 39 (listmonk's install docs): user, password and database all "listmonk"; redacting the password replaced
    the user and the database too."""
    from tasks.findings.secrets import detect

    assert detect('user = "listmonk"\npassword = "listmonk"\ndatabase = "listmonk"\n', "docs/installation.md") == []
    assert "Xk9sPq2mZ7" in detect('user = "admin"\npassword = "Xk9sPq2mZ7"\n', "config.toml")
    assert "hunter" in detect('password = "hunter"\n', "config.toml")


def test_the_parser_leaves_a_default_that_names_the_user_and_the_database_too():
    from tasks.findings.parsers.finalise import finalise

    snippet = 'host = "listmonk_db"\nport = 5432\nuser = "listmonk"\npassword = "listmonk"\ndatabase = "listmonk"\n'
    f = {"tool": "semgrep", "kind": "secret", "rule_id": "generic.secrets.gitleaks.hashicorp-tf-password.hashicorp-tf-password",
         "title": "hashicorp-tf-password", "description": "A gitleaks hashicorp-tf-password was detected",
         "snippet": snippet, "location": {"path": "docs/content/installation.md", "start_line": 4, "end_line": 4}}
    out = finalise(dict(f))
    assert out["snippet"] == snippet
    real = finalise(dict(f, snippet=snippet.replace('password = "listmonk"', 'password = "Xk9sPq2mZ7vB"')))
    assert "Xk9sPq2mZ7vB" not in real["snippet"] and 'user = "listmonk"' in real["snippet"]


@pytest.mark.parametrize("value", [
    "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$ieVgG5ysTJFx4k/KvmC9aQ",
    "$2b$12$" + "a" * 22 + "b" * 31,
    "pbkdf2_sha256$600000$c2FsdHNhbHQ$ieVgG5ysTJFx4kKvmC9aQieVgG5ysTJFx4k",
])
def test_a_password_hash_stays_readable(value):
    """Set 39's stage-1 grader: mitmproxy's test_argon2_auth() sets web_password to an argon2 hash of "test"; the row
    replaced it as if it were a secret (the rubric: hashes stay)."""
    from tasks.findings.parsers.finalise import finalise

    snippet = f'    web_password="{value}",\n'
    f = {"tool": "bandit", "kind": "secret", "rule_id": "B106", "title": f"Possible hardcoded password: '{value}'",
         "description": "d", "snippet": snippet,
         "location": {"path": "test/mitmproxy/tools/web/test_webaddons.py", "start_line": 1, "end_line": 1}}
    out = finalise(dict(f))
    assert value in out["snippet"] and value in out["title"]
    plain = finalise(dict(f, snippet=snippet.replace(value, "Zq8x7VbN2mK4pL9wR3tY"),
                          title="Possible hardcoded password: 'Zq8x7VbN2mK4pL9wR3tY'"))
    assert "Zq8x7VbN2mK4pL9wR3tY" not in plain["snippet"]


def test_text_template_beside_html_template_is_not_called_a_file_without_html_output():
    """Set 39 (listmonk's models/messages.go and templates.go): html/template renders the e-mail body, text/template
    the subject; "no HTML output" was a wrong fact (auditor and stage-1 grader)."""
    src = ('package models\n\nimport (\n\t"bytes"\n\t"html/template"\n\ttxttpl "text/template"\n)\n\n'
           'func render(t *template.Template, s *txttpl.Template, b *bytes.Buffer) {\n\t_ = t.Execute(b, nil)\n'
           '\t_ = s.Execute(b, nil)\n}\n')
    f = _semgrep("go.lang.security.audit.xss.import-text-template.import-text-template", "models/messages.go", 6)
    assert Judge(reader=Files({"models/messages.go": src})).judge(f)["verdict"] != "false_positive"
    only_text = src.replace('\t"html/template"\n', "").replace("t *template.Template, ", "").replace("\t_ = t.Execute(b, nil)\n", "")
    rec = Judge(reader=Files({"models/messages.go": only_text})).judge(f)
    assert rec["verdict"] == "false_positive" and "no HTML output" in rec["reasons"][0]["evidence"]


def test_a_docs_websites_template_says_it_is_built_from_the_projects_own_content():
    """Set 39's stage-1 grader and auditor: listmonk's docs/site is the public listmonk.app (Hugo); "documentation,
    not run" would not excuse an XSS on a live site. What does: Hugo renders the template at build time from the
    maintainers' content. A docs page that is not a site generator's template keeps the plain wording."""
    header = '<head>\n  <meta name="keywords" content="{{ range .Keywords }}{{ . }}, {{ end }}">\n</head>\n'
    files = {"docs/site/layouts/partials/header.html": header, "docs/site/config.toml": 'baseurl = "https://x.app/"\n'}
    f = _semgrep("generic.html-templates.security.unquoted-attribute-var", "docs/site/layouts/partials/header.html", 2)
    rec = Judge(reader=Files(files), imports=Files(files)).judge(f)
    assert rec["verdict"] == "false_positive"
    assert rec["reasons"][0]["evidence"].startswith("static pages built from the project's own content: "
                                                    "docs/site/layouts/partials/header.html is a template of the static "
                                                    "website in docs/site/ (Hugo: docs/site/config.toml)")
    plain = {"docs/guide/page.html": header}
    g = _semgrep("generic.html-templates.security.unquoted-attribute-var", "docs/guide/page.html", 2)
    rec = Judge(reader=Files(plain), imports=Files(plain)).judge(g)
    assert "static website" not in rec["reasons"][0]["evidence"]


VIEWER = '''import os
import shlex
import subprocess


class Master:
    def spawn_external_viewer(self, data):
        name = "/tmp/view"
        c = os.environ.get("MITMPROXY_EDITOR") or os.environ.get("PAGER") or os.environ.get("EDITOR")
        if not c:
            c = "less"
        cmd = shlex.split(c)
        cmd.append(name)
        subprocess.call(cmd, shell=False)
'''


def test_the_users_own_editor_or_pager_from_the_environment_is_their_choice():
    """Set 39 (mitmproxy's console viewer, B603): both labellers and the stage-1 grader: the program is the local user's
    own $PAGER/$EDITOR, with no shell; `shell=False` written out is what a list implies."""
    from test_triage_hygiene import finding as hygiene_finding

    f = hygiene_finding(tool="bandit", rule_id="B603", title="subprocess call - check for execution of untrusted input.",
                        kind="code", location={"path": "mitmproxy/tools/console/master.py", "start_line": 14, "end_line": 14})
    rec = Judge(reader=Files({"mitmproxy/tools/console/master.py": VIEWER})).judge(f)
    assert rec["verdict"] == "false_positive"
    assert "($MITMPROXY_EDITOR, $PAGER or $EDITOR, read on line 9)" in rec["reasons"][0]["evidence"]
    other_env = VIEWER.replace('os.environ.get("PAGER")', 'os.environ.get("JOB_COMMAND")')
    assert Judge(reader=Files({"mitmproxy/tools/console/master.py": other_env})).judge(f)["verdict"] != "false_positive"
    shell = VIEWER.replace("shell=False", "shell=True")
    assert Judge(reader=Files({"mitmproxy/tools/console/master.py": shell})).judge(f)["verdict"] != "false_positive"


CHECKSUM = '''package files

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"hash"
)

func (i *FileInfo) Checksum(algo string) error {
	var h hash.Hash
	switch algo {
	case "md5":
		h = md5.New()
	case "sha1":
		h = sha1.New()
	case "sha256":
		h = sha256.New()
	default:
		return ErrInvalidOption
	}
	_ = h
	return nil
}
'''


def test_one_case_of_a_checksum_menu_that_offers_sha256_is_the_callers_choice():
    """Set 39's stage-1 grader (filebrowser's FileInfo.Checksum: GET ?checksum=md5|sha1|sha256|sha512)."""
    f = _semgrep("go.lang.security.audit.crypto.use_of_weak_crypto.use-of-sha1", "files/file.go", 16)
    rec = Judge(reader=Files({"files/file.go": CHECKSUM})).judge(f)
    assert rec["verdict"] == "false_positive"
    assert "line 16 is the `sha1` case of `switch algo {` (line 12), which offers md5, sha1, sha256" in rec["reasons"][0]["evidence"]
    weak_only = CHECKSUM.replace('\tcase "sha256":\n\t\th = sha256.New()\n', "")
    assert Judge(reader=Files({"files/file.go": weak_only})).judge(f)["verdict"] != "false_positive"
    signing = CHECKSUM.replace("func (i *FileInfo) Checksum(algo string) error {", "func (i *FileInfo) SignToken(algo string) error {")
    assert Judge(reader=Files({"files/file.go": signing})).judge(f)["verdict"] != "false_positive"


@pytest.mark.parametrize("pyproject,path,note", [
    ('[tool.setuptools.packages.find]\ninclude = ["mitmproxy*"]\n', "test/bench/benchmark.py",
     '; it is not in the installed package (pyproject.toml [tool.setuptools.packages.find] include = ["mitmproxy*"])'),
    ('[tool.setuptools.packages.find]\nwhere = ["src"]\n', "tests/test_x.py",
     '; it is not in the installed package (pyproject.toml [tool.setuptools.packages.find] where = ["src"])'),
    ('[tool.setuptools.packages.find]\ninclude = ["mitmproxy*"]\n', "mitmproxy/test/tutils.py", ""),  # shipped
    ('[tool.setuptools.packages.find]\nwhere = ["src"]\n', "src/app/tests/test_x.py", ""),
    ('[tool.hatch.build.targets.wheel]\npackages = ["src/app"]\n', "tests/test_x.py",
     "; it is not in the installed package (pyproject.toml lists the package `src/app`)"),
    ('[tool.hatch.build.targets.wheel]\npackages = ["src/app"]\n', "src/app/testing.py", ""),
    ('[project]\nname = "x"\n', "tests/test_x.py", ""),  # no packaging table: nothing said
    ("not toml [", "tests/test_x.py", ""),
])
def test_the_packaging_table_says_whether_a_test_or_example_ships(pyproject, path, note):
    """Set 39's stage-1 grader: the evidence a reviewer reads for "not run" is the packaging configuration."""
    from tasks.findings.model import as_finding
    from tasks.triage.packaged import packaging_note

    f = as_finding(_semgrep("x", path, 1))
    assert packaging_note(path, Files({"pyproject.toml": pyproject, path: "x = 1\n"}), f) == note


def test_semgreps_detected_rules_mark_a_secret_even_under_a_local_rules_folders_id():
    """Set 39: with `semgrep --config <folder>` the generic secrets rules are named `<folder>.detected-bcrypt-hash`,
    `<folder>.detected-hockeyapp`: the secret-named ids were recognised, the rest were not, so their flagged
    literals were neither weighed as secrets nor redacted as one."""
    from tasks.findings.secrets import tool_marks_secret

    assert tool_marks_secret("semgrep", "tmp.rules.detected-hockeyapp")
    assert tool_marks_secret("semgrep", "generic.secrets.security.detected-codeclimate.detected-codeclimate")
    assert tool_marks_secret("semgrep", "tmp.rules.detected-bcrypt-hash")
    assert not tool_marks_secret("semgrep", "tmp.rules.detect-non-literal-regexp")
    assert not tool_marks_secret("semgrep", "javascript.lang.security.detect-child-process")


def test_a_placeholder_key_block_in_docs_is_neither_redacted_nor_a_key(tmp_path):
    """Set 39's stage-2 grader: mitmproxy's certificates.md shows `-----BEGIN PRIVATE KEY----- / <private key> /
    -----END PRIVATE KEY-----`; the prompt redacted quoted words of the next 50 lines and the row asked to replace it."""
    from tasks.findings.parsers.finalise import finalise

    snippet = ("    -----BEGIN PRIVATE KEY-----\n    <private key>\n    -----END PRIVATE KEY-----\n"
               "    -----BEGIN CERTIFICATE-----\n    <cert>\n    -----END CERTIFICATE-----\n\n"
               "Run `mitmproxy --certs *.example.com=cert.pem` with `--set confdir=DIRECTORY`.\n")
    f = {"tool": "semgrep", "kind": "secret", "rule_id": "generic.secrets.gitleaks.private-key.private-key",
         "title": "private-key", "description": "A gitleaks private-key was detected", "snippet": snippet,
         "location": {"path": "docs/src/content/concepts/certificates.md", "start_line": 129, "end_line": 180}}
    out = finalise(dict(f))
    assert out["snippet"] == snippet
    rec = Judge().judge(out)
    assert rec["verdict"] == "false_positive" and rec["reasons"][0]["evidence"].startswith(
        "a placeholder, not a key: the flagged block holds `<private key>`")
    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"
    real = finalise(dict(f, snippet=snippet.replace("<private key>", body)))
    assert body not in real["snippet"] and Judge().judge(real)["reasons"][0]["evidence"][:13] != "a placeholder"


def test_a_locale_files_word_under_a_password_key_stays_in_the_code_shown(tmp_path):
    """Set 39's stage-2 grader: listmonk's i18n/no.json:424 `"settings.bounces.postmarkPassword": "Postmark-passord"`
    (Checkov CKV_SECRET_6) was redacted in the prompt's code, though learn_secrets keeps a catalogue's words."""
    import subprocess

    from tasks.repository.source import SourceReader

    (tmp_path / "i18n").mkdir()
    (tmp_path / "i18n/no.json").write_text('{\n  "settings.bounces.name": "Feilmeldinger",\n'
                                           '  "settings.bounces.postmarkPassword": "Postmark-passord",\n'
                                           '  "settings.x.apiKey": "Zq8x7VbN2mK4pL9wR3tYq"\n}\n')
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    ctx = SourceReader(tmp_path).context("i18n/no.json", None, 3, 1, mark_secret=True)
    assert '"Postmark-passord"' in ctx["text"]
    ctx = SourceReader(tmp_path).context("i18n/no.json", None, 4, 1, mark_secret=True)
    assert "Zq8x7VbN2mK4pL9wR3tYq" not in ctx["text"]


def test_a_suppressed_import_keeps_the_import_block_sorted():
    """Set 39's stage-2 grader: `# an import only` on its own line above `import subprocess  # nosec B404` made ruff
    report I001 in mitmproxy's version.py; the reason goes after the marker (bandit stops reading ids at the next #)."""
    from tasks.fixes.suppression_diff import suppression_diff
    from test_triage_hygiene import finding as hygiene_finding

    text = "import os\nimport subprocess\nimport sys\n\nVERSION = '1'\n"
    f = hygiene_finding(tool="bandit", rule_id="B404", title="Consider possible security implications", kind="code",
                        location={"path": "mitmproxy/version.py", "start_line": 2, "end_line": 2},
                        snippet="1 import os\n2 import subprocess\n3 import sys\n")
    rec = {"verdict": "false_positive", "reasons": [{"check": "code", "evidence": "an import only: line 2 imports subprocess"}]}
    code = {"path": "mitmproxy/version.py", "text": text, "start_line": 1, "file": text}
    diff, _ = suppression_diff(f, rec, code)
    added = [l[1:] for l in diff.splitlines() if l.startswith("+") and not l.startswith("+++")]
    assert len(added) == 1 and added[0].startswith("import subprocess  # nosec B404  # ")


def test_a_dockerfile_suppression_puts_the_marker_on_its_own_line():
    """Set 39's stage-2 grader: `ENTRYPOINT [ "./record.py" ]  # nosemgrep: ...` is no exec form any more (a Dockerfile
    has no trailing comments): the container ran `/bin/sh -c '[ "./record.py" ] # ...'` and exited."""
    from tasks.fixes.suppression import suppression_for
    from test_triage_hygiene import finding as hygiene_finding

    f = hygiene_finding(tool="semgrep", rule_id="dockerfile.security.missing-user-entrypoint.missing-user-entrypoint",
                        title="t", kind="config", snippet='ENTRYPOINT [ "./record.py" ]',
                        location={"path": "docs/scripts/clirecording/Dockerfile", "start_line": 49, "end_line": 49})
    rec = {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": "a recording tool"}]}
    _, block = suppression_for(f, rec)
    lines = block.splitlines()
    assert lines[-1] == 'ENTRYPOINT [ "./record.py" ]' and lines[-2].startswith("# nosemgrep: dockerfile.security")
    py = hygiene_finding(tool="semgrep", rule_id="python.x.y", title="t", kind="code", snippet="eval(x)",
                         location={"path": "app/x.py", "start_line": 3, "end_line": 3})
    assert suppression_for(py, rec)[1].splitlines()[-1].startswith("eval(x)  # nosemgrep: python.x.y")


def test_a_linuxserver_base_image_starts_s6_and_its_service_drops_root():
    """Set 39 (filebrowser's Dockerfile.s6): both labellers false positive, and the stage-2 row's `USER 10001` broke s6's
    start; linuxserver's base images start /init themselves, and the service's run script drops to `abc`."""
    from test_triage_hygiene import checkov as hygiene_checkov

    dockerfile = ("FROM ghcr.io/linuxserver/baseimage-alpine:3.23\n\nRUN apk --no-cache add ca-certificates\n"
                  "COPY filebrowser /bin/filebrowser\nCOPY docker/s6/ /\n\nEXPOSE 80\n")
    files = {"Dockerfile.s6": dockerfile,
             "docker/s6/etc/services.d/filebrowser/run": "#!/usr/bin/with-contenv bash\n\nexec s6-setuidgid abc filebrowser -c /config/settings.json;\n"}
    f = hygiene_checkov("CKV_DOCKER_3", path="Dockerfile.s6")
    rec = Judge(reader=Files(files), imports=Files(files)).judge(f)
    assert rec["verdict"] == "false_positive" and "s6-setuidgid abc" in rec["reasons"][0]["evidence"]
    other = dict(files, **{"Dockerfile.s6": dockerfile.replace("ghcr.io/linuxserver/baseimage-alpine:3.23", "alpine:3.23")
                           + 'CMD ["/bin/filebrowser"]\n'})
    assert Judge(reader=Files(other), imports=Files(other)).judge(f)["verdict"] != "false_positive"
    root = dict(files, **{"docker/s6/etc/services.d/filebrowser/run": "#!/usr/bin/with-contenv bash\nexec filebrowser\n"})
    assert Judge(reader=Files(root), imports=Files(root)).judge(f)["verdict"] != "false_positive"


def test_a_uuid_given_to_an_id_is_an_identifier_and_stays_readable():
    """Set 39's stage-2 grader: mitmproxy's web/gen/tflow_js.py sets `tf_udp.client_conn.id = "0a8833da-..."` for a test
    flow; generic-api-key flagged it, the prompt redacted it and the row asked to revoke it. The rule's own id
    (`generic-api-key`) no longer counts as a key name beside a UUID."""
    from tasks.findings.parsers.finalise import finalise

    uuid = "0a8833da-88e4-429d-ac54-61cda8a7f91c"
    f = {"tool": "semgrep", "kind": "secret", "rule_id": "generic.secrets.gitleaks.generic-api-key.generic-api-key",
         "title": "generic-api-key", "description": "A gitleaks generic-api-key was detected",
         "snippet": f'    tf_udp.client_conn.id = "{uuid}"\n', "location": {"path": "web/gen/tflow_js.py", "start_line": 41, "end_line": 41}}
    out = finalise(dict(f))
    assert uuid in out["snippet"]
    rec = Judge().judge(out)
    assert rec["verdict"] == "false_positive" and "`tf_udp.client_conn.id` is given a UUID" in rec["reasons"][0]["evidence"]
    key = finalise(dict(f, snippet=f'    HEROKU_API_KEY = "{uuid}"\n'))
    assert uuid not in key["snippet"] and Judge().judge(key)["verdict"] != "false_positive"


def test_a_json_files_checkov_false_positive_is_a_baseline_entry_for_its_resource_and_check():
    """Set 39's stage-2 grader: `skip-path: docs/spec.json` hid nine other OpenAPI checks of gotify's spec with the one;
    Checkov's baseline drops only the listed (resource, check) pairs. Without a named resource, skip-path stays."""
    import json as _json

    from tasks.fixes.suppression import suppression_answer, suppression_for

    f = {"id": "1" * 32, "tool": "checkov", "kind": "config", "severity": "low", "rule_id": "CKV_OPENAPI_13",
         "title": "Ensure that security definitions do not use basic auth",
         "description": "Ensure that security definitions do not use basic auth (resource securityDefinitions, framework openapi)",
         "location": {"path": "docs/spec.json", "start_line": 1, "end_line": 2}}
    rec = {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": "documentation"}]}
    lang, block = suppression_for(f, rec)
    assert lang == "json" and _json.loads(block) == {"failed_checks": [{"file": "/docs/spec.json", "findings": [
        {"resource": "securityDefinitions", "check_ids": ["CKV_OPENAPI_13"]}]}]}
    answer = suppression_answer(f, rec)
    assert "`.checkov.baseline`" in answer and "skip-path" not in answer.split("```")[1]
    bare = dict(f, description="Ensure that security definitions do not use basic auth")
    assert "skip-path:" in suppression_for(bare, rec)[1]


def test_the_flagged_line_in_a_code_block_names_no_language_the_row_advises():
    """Set 39's rebuild: a Hugo template's suppression block shows `{{ printf `<link ...>` ...}}`; the lint read the
    block as a sentence advising C. Code blocks are foreign_language_code's to judge."""
    from tasks.datasets.lint import foreign_advice

    line = '{{ printf `<link rel="%s" />` .Rel | safeHTML }}'
    row = {"meta": {"language": "html", "kind": "code", "code": {"text": "x"}},
           "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "finding in baseof.html"},
                        {"role": "assistant", "content": f"False positive: static pages.\n```text\n<!-- x -->\n    {line}  <!-- nosemgrep: r -->\n```\n"}]}
    f = _semgrep("generic.html-templates.security.template-unescaped-with-safe", "docs/baseof.html", 27)
    assert foreign_advice(row, f) is None
    row["messages"][2]["content"] = "Escape the value with printf and a format string as in C before it reaches the page."
    assert foreign_advice(row, f) is not None


# --- the review of this session's change (a helper attacked it; /tmp/review39): each case must stay a finding -------

def test_the_reviewers_secrets_stay_redacted():
    """A bare PEM header no longer hides what follows it from the other detectors; a Vault `secret_id` UUID is a
    credential; a name's first word is not "named elsewhere"."""
    from tasks.findings.parsers.finalise import finalise
    from tasks.findings.secrets import detect

    text = ('PEM_HEADER = "-----BEGIN RSA PRIVATE KEY-----"\nSTRIPE_KEY = "sk_live_51HqLyjWDarjtT1zdp7dcXyZ"\n'
            'DB_PASSWORD = "Tr0ub4dor&3xyz"\n')
    found = detect(text, "app/settings.py")
    assert "sk_live_51HqLyjWDarjtT1zdp7dcXyZ" in found and "Tr0ub4dor&3xyz" in found
    assert not any(v.startswith("-----BEGIN") for v in found)  # the header alone is no key
    uuid = "e5b8d2f1-9c4a-4b6e-8f3d-7a1c2b3d4e5f"
    f = {"tool": "semgrep", "kind": "secret", "rule_id": "generic.secrets.security.detected-generic-secret", "title": "t",
         "description": "d", "snippet": f'client.auth.approle.login(role_id="2b7e1c43-1f1e-4f8a-a4b5-6b2a0e0e7c11", secret_id="{uuid}")',
         "location": {"path": "deploy/vault.py", "start_line": 1, "end_line": 1}}
    out = finalise(dict(f))
    assert uuid not in out["snippet"] and Judge().judge(out)["verdict"] != "false_positive"
    yaml = 'cluster:\n  name: orangutan staging cluster\n  admin_password: "orangutan"\n'
    assert "orangutan" in detect(yaml, "deploy/cluster.yml")


@pytest.mark.parametrize("workflow", [
    # issue_comment checking out the pull request's head: a "pwn request" with the default token
    "on:\n  issue_comment:\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
    "        with:\n          ref: refs/pull/${{ github.event.issue.number }}/head\n      - run: npm ci && npm test\n",
    # github-script with event text in its script
    "on:\n  push:\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/github-script@v7\n"
    "        with:\n          script: console.log(\"${{ github.event.head_commit.message }}\")\n",
    # pull_request_target checking out the fork by repository
    "on:\n  pull_request_target:\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
    "        with:\n          repository: ${{ github.event.pull_request.head.repo.full_name }}\n      - run: make test\n",
    # an event field not in any list, expanded into a shell script
    "on:\n  pull_request_target:\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - run: echo \"${{ github.event.pull_request.head.repo.description }}\"\n",
    "on:\n  workflow_run:\n    workflows: [ci]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/download-artifact@v4\n      - run: bash ./pr/report.sh\n",
])
def test_the_reviewers_workflows_are_not_hardening(workflow):
    assert _gha1(workflow)["verdict"] != "false_positive"


@pytest.mark.parametrize("change", [
    lambda t: t.replace("CheckOrigin: func(r *http.Request) bool {\n\t\t\treturn isAllowedOrigin(r, allowed)\n\t\t},",
                        "CheckOrigin: s.checkOrigin,"),
    lambda t: t.replace("return isAllowedOrigin(r, allowed)", "return isAllowedOrigin(r, allowed) || true"),
    lambda t: t.replace("conn, err := a.upgrader.Upgrade(w, r, nil)", "conn, err := websocket.Upgrade(w, r, nil, 1024, 1024)"),
])
def test_the_reviewers_upgraders_stay_findings(change):
    f = _semgrep("go.gorilla.security.audit.websocket-missing-origin-check", "api/stream/stream.go", 14)
    assert Judge(reader=Files({"api/stream/stream.go": change(STREAM)})).judge(f)["verdict"] != "false_positive"


def test_the_reviewers_digests_links_modules_pages_and_programs_stay_findings():
    session = CACHE.replace("getFileName", "newSessionID")
    f = _semgrep("go.lang.security.audit.crypto.use_of_weak_crypto.use-of-sha1", "diskcache/file_cache.go", 10)
    assert Judge(reader=Files({"diskcache/file_cache.go": session})).judge(f)["verdict"] != "false_positive"
    # a safeURL helper returning template.URL skips html/template's filter
    init = INIT.replace("\t_ = template.FuncMap{}\n", '\t_ = template.FuncMap{"safeURL": func(s string) template.URL { return template.URL(s) }}\n')
    files = {"go.mod": "module x\n", "cmd/init.go": init, "static/email-templates/campaign-status.html": STATUS}
    assert _href(files)["verdict"] != "false_positive"
    # a module a dynamic import() may load, or one of a published package, is not dead
    cookie = "export function get(name) {\n  return document.cookie.match(new RegExp(name));\n}\n"
    app = {"frontend/package.json": '{"private": true}\n', "frontend/src/utils/cookie.ts": cookie,
           "frontend/src/main.ts": "import { x } from './utils/other';\n"}
    g = _semgrep("javascript.lang.security.audit.detect-non-literal-regexp", "frontend/src/utils/cookie.ts", 2)
    rec = Judge(reader=Files(app), imports=Files(app)).judge(g)
    assert rec["verdict"] == "false_positive" and rec["reasons"][0]["evidence"].startswith("dead code: nothing imports")
    dynamic = dict(app, **{"frontend/src/main.ts": "const m = await import(`./utils/${name}.ts`);\n"})
    assert Judge(reader=Files(dynamic), imports=Files(dynamic)).judge(g)["verdict"] != "false_positive"
    library = dict(app, **{"frontend/package.json": '{"name": "lib", "exports": "./src/index.js"}\n'})
    assert Judge(reader=Files(library), imports=Files(library)).judge(g)["verdict"] != "false_positive"
    # a Hugo layout whose inline script writes the URL into the page is judged as code
    page = "<script>\n  document.getElementById('q').innerHTML = new URLSearchParams(location.search).get('q');\n</script>\n"
    site = {"docs/site/layouts/partials/search.html": page, "docs/site/config.toml": "baseurl = 'x'\n"}
    h = _semgrep("javascript.browser.security.insecure-document-method", "docs/site/layouts/partials/search.html", 2)
    assert "static website" not in str(Judge(reader=Files(site), imports=Files(site)).judge(h)["reasons"])
    # a command from anywhere but the environment is not the user's own program
    mail = VIEWER.replace('c = os.environ.get("MITMPROXY_EDITOR") or os.environ.get("PAGER") or os.environ.get("EDITOR")',
                          'c = os.environ.get("PAGER") or data.headers["X-Viewer"]')
    from test_triage_hygiene import finding as hygiene_finding
    b = hygiene_finding(tool="bandit", rule_id="B603", title="subprocess call", kind="code",
                        location={"path": "mitmproxy/tools/console/master.py", "start_line": 14, "end_line": 14})
    assert Judge(reader=Files({"mitmproxy/tools/console/master.py": mail})).judge(b)["verdict"] != "false_positive"


def test_the_reviewers_masked_key_and_odd_pyproject():
    from tasks.findings.model import as_finding
    from tasks.triage.dev_cert import _placeholder_block
    from tasks.triage.packaged import packaging_note

    assert _placeholder_block("-----BEGIN PRIVATE KEY-----\n****\n-----END PRIVATE KEY-----") is None
    assert _placeholder_block("-----BEGIN PRIVATE KEY-----\n<private key>\n-----END PRIVATE KEY-----") == "<private key>"
    f = as_finding(_semgrep("x", "tests/test_x.py", 1))
    assert packaging_note("tests/test_x.py", Files({"pyproject.toml": "[tool.setuptools.packages.find]\ninclude = 3\n"}), f) == ""
