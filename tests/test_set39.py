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
    assert rec["verdict"] == "false_positive"
    evidence = rec["reasons"][0]["evidence"]
    assert evidence.startswith("least-privilege hardening, not an exposed token: .github/workflows/ci.yml")
    assert "its triggers are push, pull_request" in evidence and "a fork's pull_request runs with a read-only token" in evidence
    assert "supply-chain" not in evidence
    tagged = _gha1(CI.replace("      - run: make test\n", "      - uses: golangci/golangci-lint-action@v9\n      - uses: codecov/codecov-action@5a1091511ad55cbe89839c7260b706298ca349f7\n"))
    assert "the third-party actions it runs by tag (golangci/golangci-lint-action) are a supply-chain question" in tagged["reasons"][0]["evidence"]
    called = _gha1(CI.replace("  push:\n    branches: [master]\n  pull_request:\n", "  workflow_call:\n"))
    assert called["verdict"] == "false_positive" and "capped by its caller's permissions" in called["reasons"][0]["evidence"]
    title = CI.replace("on:\n  push:\n    branches: [master]\n  pull_request:\n", "on:\n  pull_request_target:\n    types: [opened, edited]\n")
    title = title.replace("      - uses: actions/checkout@v4\n      - run: make test\n", "      - uses: amannn/action-semantic-pull-request@v5\n")
    rec = _gha1(title)  # pr-title.yml: pull_request_target that never checks out the pull request's code
    assert rec["verdict"] == "false_positive" and "pull_request_target never checks out" in rec["reasons"][0]["evidence"]


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
    assert "none of its 1 Python files imports django" in rec["reasons"][0]["evidence"]
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
