"""Hostile review of the set-45 change (9fea88c..504aabf): each test failed before its mend (secret leaks first,
then true vulnerabilities cleared as false positives, then pathological slowness, then wrong facts); each docstring
says what was wrong, where, and what is right."""

import signal
import subprocess
from contextlib import contextmanager

from test_round45_rows import _reasons
from test_triage_constant_data import _repo
from test_triage_hygiene import finding


class _TooSlow(Exception):
    pass


@contextmanager
def _deadline(seconds: int):
    def _raise(*_):
        raise _TooSlow(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _bandit(rule, path, start, end, title, snippet=None):
    return {"id": "1" * 32, "tool": "bandit", "kind": "code", "severity": "low", "rule_id": rule, "title": title,
            "description": title, "location": {"path": path, "start_line": start, "end_line": end},
            "snippet": snippet, "references": [], "fix_hint": None}


def _gitleaks(path, line):
    return {"id": "2" * 32, "tool": "gitleaks", "kind": "secret", "severity": "high", "rule_id": "generic-api-key",
            "title": "Generic API Key", "description": "", "location": {"path": path, "start_line": line, "end_line": line},
            "snippet": None, "references": [], "fix_hint": None}


def _context(tmp_path, files, f, line):
    from tasks.repository.source import SourceReader

    repo = tmp_path / "repo"
    for p, text in files.items():
        (repo / p).parent.mkdir(parents=True, exist_ok=True)
        (repo / p).write_text(text)
    subprocess.run(["git", "-C", str(repo), "init", "-q"], check=True)
    reader = SourceReader(repo)
    reader.learn_secrets([f])
    return reader.context(f["location"]["path"], None, line, 6)["text"]


# =====================================================================================================================
# 1. secret leaks
# =====================================================================================================================

GO_SWITCH = ('package auth\n\nfunc allowed(key string) bool {\n\tswitch key {\n\tcase "Xk9#mP2$vL7!qR4@":\n'
             '\t\treturn true\n\t}\n\treturn false\n}\n')
JS_TERNARY = ('module.exports = {\n  db: {\n    password: process.env.NODE_ENV === "production" ? "Pr0d!Adm1n#2024" : "dev",\n'
              '  },\n};\n')


def test_a_secret_in_a_switch_case_or_before_a_ternary_colon_is_still_learnt_and_redacted(tmp_path):
    """secret_literals.only_key (secret_literals.py:99-103), applied by kept() (secret_literals.py:89) to every
    literal of every secret finding, calls a literal a "mapping key" whenever each quoted occurrence is followed by
    `:`.  A Go/Java/JS `case "<password>":` and the true branch of a ternary `cond ? "<password>" : other` match that
    too, so the source reader no longer learns the flagged secret and the prompt context shows it in clear (the parent,
    9fea88c, redacted both: detect-secrets does not see these values, so only the learnt literal hides them).
    Right: only_key must demand an actual mapping (a `{`/`,` before the key, not `case` or `?`), or be limited to the
    identifier-shaped field names it was written for (`"new_password1"`); the secrets stay redacted."""
    text = _context(tmp_path / "go", {"auth/key.go": GO_SWITCH}, _gitleaks("auth/key.go", 5), 5)
    assert "Xk9#mP2$vL7!qR4@" not in text
    text = _context(tmp_path / "js", {"config/db.js": JS_TERNARY}, _gitleaks("config/db.js", 3), 3)
    assert "Pr0d!Adm1n#2024" not in text


def test_b107_keeps_redacting_a_password_matched_by_a_python_case():
    """finalise._other_secret (parsers/finalise.py:43-44) now drops any B107 literal for which only_key() is true.
    A Python 3.10 `match password: case "Pr0d!Adm1n#2024":` is the hard-coded password itself, but `"...":` reads as
    a mapping key, so the snippet that goes into the prompt carries it in clear (the parent redacted it).
    Right: a literal after `case` (or `?`) is a value, not a key; it stays redacted."""
    from tasks.findings.parsers.finalise import finalise

    snippet = ('10 def check_login(user, password=""):\n11     match password:\n12         case "Pr0d!Adm1n#2024":\n'
               '13             return user == "admin"\n14     return False\n')
    out = finalise(_bandit("B107", "app/auth.py", 10, 14, "Possible hardcoded password: ''", snippet))
    assert "Pr0d!Adm1n#2024" not in out["snippet"]


# =====================================================================================================================
# 2. true vulnerabilities cleared as false positives
# =====================================================================================================================

WAGTAIL = """{% load wagtailcore_tags %}
{% for block in page.body %}
<section id={{ block.value.anchor }} class="streamfield">
{% include_block block %}
</section>
{% endfor %}
"""


def test_a_django_or_wagtail_variable_named_block_is_no_go_control_action(tmp_path):
    """template_control._CONTROL (template_control.py:31) matches `block\\b` at the start of any `{{ ... }}` body, in
    every template language of _TEMPLATE (.html, .jinja, .twig, ...).  `{{ block.value.anchor }}` - Wagtail's
    StreamField loop variable, or Django's `{{ block.super }}` - is a printed value, yet it is called "a control action
    of the template, which prints nothing itself", and the unquoted `id={{ ... }}` (an editor's text: a space adds an
    onmouseover attribute; Django's autoescape does not escape spaces) is cleared as a false positive.
    Right: a keyword counts as a Go action only when it is the whole first word (`block "name"`, not `block.x`), and
    this finding stays."""
    path = "home/templates/home/home_page.html"
    f = finding(rule_id="html.security.audit.unquoted-attribute-var", title="unquoted-attribute-var",
                location={"path": path, "start_line": 3, "end_line": 3})
    rec, said = _reasons(tmp_path, {path: WAGTAIL}, f)
    assert "control action" not in said and rec["verdict"] != "false_positive", said


def _jq(path, line):
    return finding(rule_id="javascript.jquery.security.audit.prohibit-jquery-html.prohibit-jquery-html",
                   title="prohibit-jquery-html", location={"path": path, "start_line": line, "end_line": line})


MATHML = """import { html, LitElement } from "lit";
import { unsafeMathML } from "lit/directives/unsafe-mathml.js";

export class Formula extends LitElement {
  static properties = { source: {} };
  render() {
    return html`<div class="formula">${unsafeMathML(this.source)}</div>`;
  }
}
"""


def test_lits_unsafe_mathml_directive_keeps_the_finding(tmp_path):
    """lit_template._UNSAFE (lit_template.py:29) lists unsafeHTML/unsafeSVG/unsafeStatic but not Lit 3's
    `unsafeMathML` (lit-html 3.x, directives/unsafe-mathml.js: "unsafe to use with any user-provided input ... may
    lead to cross-site-scripting"), so a template that renders user markup with it is called "parses none as HTML"
    and cleared.  Right: every unsafe* directive (\\bunsafe[A-Z]\\w*) keeps the finding."""
    rec, said = _reasons(tmp_path, {"frontend/formula.js": MATHML}, _jq("frontend/formula.js", 7))
    assert "not jQuery" not in said and rec["verdict"] != "false_positive", said


SRCDOC = """import { html, LitElement } from "lit";

export class Preview extends LitElement {
  static properties = { body: {} };
  render() {
    return html`<iframe class="preview" srcdoc=${this.body}></iframe>`;
  }
}
"""


def test_a_lit_srcdoc_or_outer_html_binding_keeps_the_finding(tmp_path):
    """lit_template's evidence says Lit "parses none [of the values] as HTML" and only `.innerHTML=` is looked for
    (lit_template.py:29).  An attribute binding `srcdoc=${x}` hands x to the iframe as a whole HTML document (the
    project's own markup_slots.context calls srcdoc "unsafe"), and a property binding `.outerHTML=${x}` parses x as
    HTML exactly like `.innerHTML`; both are cleared as false positives.
    Right: a srcdoc attribute or an outerHTML/innerHTML property binding in the file keeps the finding."""
    rec, said = _reasons(tmp_path / "a", {"frontend/preview.js": SRCDOC}, _jq("frontend/preview.js", 6))
    assert "not jQuery" not in said, said
    outer = SRCDOC.replace('<iframe class="preview" srcdoc=${this.body}></iframe>', '<div .outerHTML=${this.body}></div>')
    rec, said = _reasons(tmp_path / "b", {"frontend/preview.js": outer}, _jq("frontend/preview.js", 6))
    assert "not jQuery" not in said, said


PREACT = """import { html } from "htm/preact";

export function Comment({ comment }) {
  return html`<div class="comment" dangerouslySetInnerHTML=${{ __html: comment.body }}></div>`;
}
"""


def test_htm_preacts_dangerously_set_inner_html_keeps_the_finding(tmp_path):
    """lit_template accepts `html` imported from htm (lit_template.py:27, `htm(?:/[\\w./-]*)?`, so htm/preact too)
    but looks only for Lit's unsafe directives.  htm/preact's `html` is Preact's h(): `dangerouslySetInnerHTML=${{
    __html: comment.body }}` inserts the comment body as raw HTML, yet the finding is cleared as "parses none as HTML".
    Right: dangerouslySetInnerHTML (and htm/preact's other raw-HTML props) keep the finding."""
    rec, said = _reasons(tmp_path, {"frontend/comment.js": PREACT}, _jq("frontend/comment.js", 4))
    assert "not jQuery" not in said and rec["verdict"] != "false_positive", said


BLEACH = '''import bleach
import markdown
from django.utils.safestring import mark_safe

ALLOWED_TAGS = ["p", "a", "em", "strong", "script"]
ALLOWED_ATTRS = {"a": ["href", "onclick"]}


def render_markdown(text):
    html = markdown.markdown(text)
    return mark_safe(bleach.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRS))


def render_any(text):
    html = markdown.markdown(text)
    return mark_safe(bleach.clean(html, tags=["a", "p", "img"], attributes=lambda tag, name, value: True))
'''


def test_bleach_clean_with_a_named_or_callable_allow_list_is_not_trusted_blindly():
    """escaped_py._escaped (escaped_py.py:96-98) checks the allow-list only by searching `ast.unparse(call)` for a
    quoted "script"/"style"/"iframe"/"on..." (_RISKY_TAGS).  An allow-list passed by name - the usual form, and
    linkding's own `bleach.clean(as_html, markdown_tags, markdown_attrs)` - is never read, so a module constant that
    admits <script> and onclick is "sanitised before insertion"; `attributes=lambda tag, name, value: True` admits
    every attribute (`<img onerror=...>`) and is cleared too.
    Right: resolve a named allow-list (module constant) before trusting it, and treat a callable or unknown allow-list
    as unknown: escaped_sink returns None for both lines."""
    from tasks.triage.escaped_py import escaped_sink

    assert escaped_sink(BLEACH, 11, "B308") is None  # ALLOWED_TAGS holds "script", ALLOWED_ATTRS "onclick"
    assert escaped_sink(BLEACH, 16, "B308") is None  # every attribute allowed


SECRET = {"class": "high-entropy", "entropy": 4.9, "format": None, "length": 51, "match": None}


def _secret(path, line):
    return finding(tool="gitleaks", kind="secret", rule_id="generic-api-key", title="Generic API Key",
                   secret_evidence=SECRET, redacted=True, snippet="OPENAI_API_KEY=[REDACTED secret sha256:0123456789ab]",
                   location={"path": path, "start_line": line, "end_line": line})


DEPLOY_DOC = """# Deployment

Our staging server reads these settings:

```env
PORT=3000
MONGO_URL=mongodb://localhost:27017/shopbot
OPENAI_API_KEY=sk-proj-4fT9xQ2mZ8bL1vN7cR3kH6wJ0pY5sD8gA2eU7tBq
```
"""


def test_a_localhost_database_url_does_not_make_a_third_party_api_key_a_docs_sample(tmp_path):
    """documented_secret.PLACEHOLDER_HOST (documented_secret.py:135-137) now counts any `://localhost` or
    `://127.0.0.1` line of a docs block as "a placeholder host or the reader's own machine", and check_docs_example
    then clears every generic finding of the block.  A local MongoDB URL says nothing about an OpenAI key on the next
    line: that key works against api.openai.com from anywhere (`sk-proj-` is an issuer format the project's own
    tasks/findings/tokens.py knows, but _LIVE does not list it).  The parent kept it (needs_review).
    Right: the host must be the one the flagged credential is sent to (same line / same URL), and issuer formats known
    to tokens.py stay findings."""
    rec, said = _reasons(tmp_path, {"docs/deployment.md": DEPLOY_DOC}, _secret("docs/deployment.md", 8))
    assert rec["verdict"] != "false_positive", said


HELP = """{% extends "base.html" %}
{% block content %}
<h2>Summaries</h2>
<p>The summariser calls OpenAI for you; start a local worker first:</p>
<pre>
export SUMMARY_CALLBACK=http://localhost:8000/api/summaries
curl https://api.openai.com/v1/chat/completions \\
  -H "Authorization: Bearer sk-proj-4fT9xQ2mZ8bL1vN7cR3kH6wJ0pY5sD8gA2eU7tBq" \\
  -d @request.json
</pre>
{% endblock %}
"""


def test_a_help_pages_pre_block_that_calls_a_real_host_is_no_local_sample(tmp_path):
    """help_page.check_help_sample (help_page.py:66-74) clears a generic secret finding when any other line of the
    <pre> block matches PLACEHOLDER_HOST - including a localhost callback URL.  Here the flagged bearer token is sent
    to https://api.openai.com (the block names the real host, which the docs check's own evidence says a live
    credential would do), yet the page is called "a help page's sample ... not a deployment's credential".  The
    parent kept it (true_positive).
    Right: a block whose flagged line sends the value to a real host (or holds an issuer format such as sk-proj-)
    stays a finding."""
    path = "app/templates/help/summaries.html"
    rec, said = _reasons(tmp_path, {path: HELP}, _secret(path, 8))
    assert "a help page's sample" not in said and rec["verdict"] != "false_positive", said


RDS = '''resource "aws_db_instance" "app" {
  identifier = "app-test-env"
  engine     = "postgres"
  username   = "app"
  password   = "Vq7Rm2Xk9Lp4Tz8NcW3e"
}
'''


def test_a_deployed_test_environment_is_not_a_developers_machine(tmp_path):
    """path_class._TEST_ENV (path_class.py:50, used at :72-73 before every other class) makes any folder named
    test-env/testenv/test-environments a "test_env", and verdict.py:287 clears its secrets (even key material) as
    "it starts the services a developer tests the code against on their own machine, and no deployment uses it".
    infra/environments/test-env/rds.tf creates an AWS RDS instance: a cloud environment that is deployed, whose
    password is live; the same file under infra/environments/test/ stays a true positive (the docstring's own
    "kustomize overlays/test is an environment" rule).  Right: a folder under environments/, envs/, overlays/,
    deploy/, or a Terraform/Kubernetes file that provisions cloud resources, is an environment, not a local test
    stack; the finding stays."""
    from tasks.triage.path_class import path_class

    path = "infra/environments/test-env/rds.tf"
    f = finding(tool="gitleaks", kind="secret", rule_id="generic-api-key", title="Generic API Key",
                secret_evidence={"class": "high-entropy", "entropy": 4.6, "format": None, "length": 20, "match": None},
                redacted=True, snippet='  password   = "[REDACTED secret sha256:0123456789ab]"',
                location={"path": path, "start_line": 5, "end_line": 5})
    rec, said = _reasons(tmp_path, {path: RDS}, f)
    assert rec["verdict"] != "false_positive", said
    assert path_class("k8s/overlays/testenv/db-secret.yaml") != "test_env"


# =====================================================================================================================
# 3. pathological slowness on hostile input
# =====================================================================================================================

def test_template_control_is_not_quadratic_in_unclosed_expressions(tmp_path):
    """template_control (template_control.py:55) runs `_EXPR = \\{\\{(?!\\{)(.*?)\\}\\}` (re.S) over the flagged
    lines before it checks that every `{{` is closed (:56): each unclosed `{{` scans lazily to the end of the text.
    MAX_LINE bounds each line (4000) but not the number of flagged lines: 20 lines of `{{a{{a...` (78 KB) take ~28 s,
    40 lines ~2 min, for one finding.  Right: check `text.rfind("{{") > text.rfind("}}")` before the scan (or bound
    the flagged text); the check returns None at once."""
    from tasks.findings.model import as_finding
    from tasks.triage.template_control import check_template_control

    n = 20
    judge = _repo(tmp_path, {"templates/page.html": "<div>\n" + ("{{a" * 1300 + "\n") * n})
    f = finding(rule_id="html.security.audit.unquoted-attribute-var", title="unquoted-attribute-var",
                location={"path": "templates/page.html", "start_line": 2, "end_line": n + 1})
    with _deadline(3):
        assert check_template_control(as_finding(f), judge.reader) is None


def test_lit_templates_import_regex_is_not_cubic(tmp_path):
    """lit_template._IMPORT (lit_template.py:26-27), `(?m)^\\s*import\\s*\\{[^}]*\\bhtml\\b[^}]*\\}...`, is searched over
    the whole file (up to MAX_LINES = 5000 lines) for every jQuery-html finding in a script, before anything else is
    checked.  With no closing brace, each `import {` start backtracks through every `html` after it: 1,600 lines of
    `import { html,` (24 KB) take ~50 s and 5,000 lines ~25 min.  Right: a bounded pattern (`[^}]{0,400}` or a
    per-statement parse) that fails in linear time."""
    from tasks.findings.model import as_finding
    from tasks.triage.lit_template import check_lit_template

    judge = _repo(tmp_path, {"frontend/x.js": "import { html,\n" * 1600 + "return html`<p>${x}</p>`;\n"})
    with _deadline(3):
        check_lit_template(as_finding(_jq("frontend/x.js", 1601)), judge.reader)


# =====================================================================================================================
# 4. wrong facts and wrong fixes
# =====================================================================================================================

def test_a_service_account_key_json_is_a_key_file_to_delete():
    """fixes/secrets.rotation (fixes/secrets.py:164-165, 196-202) now treats every private key in a .json/.xml/.yml
    ... file as "a key inside settings": for a GCP service-account key (deploy/gcp/service-account.json,
    firebase-adminsdk-*.json) or a JWK set it answers "Do not delete ...: it holds the service's other settings.
    Replace the key block in it with a reference to a key file the deployment mounts" - but that file *is* the key file
    the deployment mounts; every field of it (client_email, private_key_id, private_key) is the credential.  The
    parent answered secret-key-file (delete it, --invert-paths).  Right: a JSON credential file (service account key,
    JWK) is deleted and purged as a key file."""
    from tasks.fixes import fix_for

    for path in ("deploy/gcp/service-account.json", "config/firebase-adminsdk-x1a2b.json"):
        f = finding(tool="gitleaks", kind="secret", rule_id="private-key", title="Private Key",
                    secret_evidence={"class": "key-header", "match": "a PEM private-key header", "format": None},
                    snippet='  "private_key": "[REDACTED secret sha256:c03e49147866]",', redacted=True,
                    location={"path": path, "start_line": 5, "end_line": 5})
        answer, _, meta = fix_for(f, ["CWE-798"])
        assert "Do not delete" not in answer and "--invert-paths" in answer, (path, meta)


def test_the_nearest_packages_test_is_named_as_the_fixtures_reader(tmp_path):
    """fixture_users._first_use (fixture_users.py:58-59) puts first the tests whose folder is *any* ancestor of the
    fixture, in file order.  internal/reader/reader_test.go (an ancestor package, reading its own
    internal/reader/testdata/miniflux_github.html) sorts before internal/reader/sanitizer/sanitizer_test.go, so the
    row says reader_test.go reads internal/reader/sanitizer/testdata/miniflux_github.html - the very wrong-reader fact
    set 45's audit reported (a root-level test, whose folder "." is an ancestor of every path, wins the same way).
    Right: the nearest ancestor first (sort by the depth of the common folder)."""
    from tasks.repository.source import SourceReader
    from tasks.triage.fixture_users import fixture_user

    files = {"internal/reader/reader_test.go": 'package reader\nfunc TestX(t *testing.T) {\n\tload("testdata/miniflux_github.html")\n}\n',
             "internal/reader/sanitizer/sanitizer_test.go": 'package sanitizer\nvar t = []string{\n\t"x",\n\t"miniflux_github.html",\n}\n',
             "internal/reader/testdata/miniflux_github.html": "<html></html>\n",
             "internal/reader/sanitizer/testdata/miniflux_github.html": "<html><script></script></html>\n"}
    for p, text in files.items():
        (tmp_path / p).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / p).write_text(text)
    subprocess.run("git init -q && git add -A && git -c user.email=x@x -c user.name=x commit -qm i", shell=True,
                   cwd=tmp_path, check=True)
    said = fixture_user("internal/reader/sanitizer/testdata/miniflux_github.html", SourceReader(tmp_path), sorted(files))
    assert said.startswith("; internal/reader/sanitizer/sanitizer_test.go:4 reads it"), said


def test_a_generated_files_semgrepignore_warns_that_it_replaces_the_built_in_list():
    """scan_scope.generated_answer (scan_scope.py:144) tells the team to write `.semgrepignore` holding only the
    generated file.  A repository without one then loses Semgrep's built-in ignore list (tests/, node_modules/,
    vendor/, *.min.js ...): exactly what d882da7, two commits earlier, added to exclusion_answer (scan_scope.py:92-94)
    after round 48's grader - the new answer repeats the defect.  Right: the same warning (copy the built-in entries
    into the new file)."""
    from tasks.fixes.scan_scope import generated_answer

    rec = {"verdict": "false_positive", "reasons": [{"check": "code", "evidence": "a constant"}]}
    answer = generated_answer("semgrep", "api/client/api_default.go", rec,
                              {"generated": "Code generated by OpenAPI Generator. DO NOT EDIT."})
    assert answer and "node_modules/" in answer and "built-in" in answer, answer


TEAM_JS = """export function showMembers(members) {
  ezAlert({
    title: "Members",
    body: `
      <ul>${members.map((m) => {
        const row = $("<li>").text(m.name);
        return row.html();
      }).join("")}</ul>
    `,
  });
}
"""


def test_code_inside_a_template_substitution_is_not_text_of_the_literal():
    """suppression_diff.inside_string (suppression_diff.py:160-168) takes every line covered by a `template_string`
    node as string text.  Line 7 (`return row.html();`) is code inside a `${ ... }` substitution (an arrow function's
    body): a `// nosemgrep` there is an ordinary JavaScript comment and never reaches the string.  Yet the row is
    refused and stage 1 says "a suppression comment there would become part of the string".
    Right: a line inside a template_substitution (not in the literal's text) is code: no refusal, a comment diff."""
    from tasks.datasets import rows
    from tasks.fixes.suppression_diff import inside_string

    f = finding(rule_id="javascript.jquery.security.audit.prohibit-jquery-html.prohibit-jquery-html",
                title="prohibit-jquery-html", snippet="        return row.html();",
                location={"path": "assets/js/team.js", "start_line": 7, "end_line": 7})
    code = {"path": "assets/js/team.js", "text": TEAM_JS, "start_line": 1, "script": TEAM_JS}
    assert inside_string(f, code) is None
    rec = {"verdict": "false_positive", "reasons": [{"check": "code", "evidence": "a getter: .html() reads the HTML"}]}
    _, (answer, why, _) = rows.apply_triage(f, {"narrative": "x", "sections": {}}, {}, rec, None, (None, "no fix", {}),
                                            {"triage": "explain"}, code)
    assert answer and "nosemgrep" in answer, why


LIT_LICENSED = """/**
 * @license MIT
 */

import { html } from "lit";

export class Search extends HTMLElement {
  renderSuggestions(title) {
    return html`
      <li class="menu-item group-item">${title}</li>
    `;
  }
}
"""


def test_the_lit_import_line_named_is_the_import_not_the_blank_line_above(tmp_path):
    """lit_template (lit_template.py:49) counts the import's line from `m.start()` of `(?m)^\\s*import...`: the
    leading `\\s*` also eats blank lines, so a file with a licence header and a blank line before the import (the
    usual layout) is told the import is on the blank line ("(line 4)" for line 5).  Right: the line of the `import`
    keyword."""
    rec, said = _reasons(tmp_path, {"frontend/search.js": LIT_LICENSED}, _jq("frontend/search.js", 9))
    assert "imported from 'lit' (line 5)" in said, said
