"""Held-out set 45's misses (miniflux, linkding, wallabag), tuned after the measurement, each with the neighbour that
stays a finding."""

from __future__ import annotations

import subprocess

from test_round45_rows import _reasons
from test_triage_hygiene import finding

from tasks.datasets import rows
from tasks.datasets.sources import Source
from tasks.findings.secret_keys import translation_catalogue

SECRET = {"class": "high-entropy", "entropy": 4.6, "format": None, "length": 52, "match": None}


def _tpl(path: str, line: int):
    return finding(rule_id="tmp.rules.unquoted-attribute-var", title="unquoted-attribute-var",
                   location={"path": path, "start_line": line, "end_line": line})


GO_TPL = """{{ define "content" }}
<form>
<input type="checkbox" name="readwise_enabled" value="1" {{ if .form.ReadwiseEnabled }}checked{{ end }}>
<nav aria-label="{{ t "page.feeds.title" }} {{ t "menu.title" }}"><ul>
<a href="{{ .entry.URL | untrustedURL }}" {{ if $.user.NewTab }}target="_blank"{{ else }}rel="noopener"{{ end }}>{{ .entry.Title }}</a>
<div title={{ .entry.Title }}>x</div>
<input {{ .attrs }}>
<a onclick="go('{{ .entry.ID }}')">y</a>
</form>
{{ end }}
"""


def test_control_actions_and_quoted_values_are_no_unquoted_template_variable(tmp_path):
    """miniflux's Go templates (set 45, both labellers: 18 false positives): `{{ if }}checked{{ end }}` prints only a
    constant; `aria-label="{{ t "x" }}"`'s inner quotes are the template's own string argument."""
    files = {"internal/template/templates/views/settings.html": GO_TPL}
    rec, said = _reasons(tmp_path, files, _tpl("internal/template/templates/views/settings.html", 3))
    assert rec["verdict"] == "false_positive" and "`{{ if .form.ReadwiseEnabled }}`, `{{ end }}` are control actions" in said
    assert "the branch prints only the constant `checked`" in said
    rec, said = _reasons(tmp_path / "b", files, _tpl("internal/template/templates/views/settings.html", 4))
    assert rec["verdict"] == "false_positive" and '`{{ t "page.feeds.title" }}` is inside a quoted attribute value' in said
    rec, said = _reasons(tmp_path / "c", files, _tpl("internal/template/templates/views/settings.html", 5))
    assert rec["verdict"] == "false_positive" and "inside a quoted URL attribute" in said and "in element text" in said


def test_a_value_printed_unquoted_or_into_a_handler_keeps_the_finding(tmp_path):
    files = {"internal/template/templates/views/settings.html": GO_TPL}
    for n, line in enumerate((6, 7, 8)):  # title={{ x }}, <input {{ .attrs }}>, onclick="go('{{ x }}')"
        rec, said = _reasons(tmp_path / str(n), files, _tpl("internal/template/templates/views/settings.html", line))
        assert "no unquoted value" not in said, line


LIT = """import { html } from "lit";
import { TurboLitElement } from "../utils/element.js";

export class Search extends TurboLitElement {
  renderSuggestions(suggestions, title) {
    return html`
      <li class="menu-item group-item">${title}</li>
    `;
  }
}
"""


def _jq(path: str, line: int):
    return finding(rule_id="tmp.rules.prohibit-jquery-html", title="prohibit-jquery-html",
                   location={"path": path, "start_line": line, "end_line": line})


def test_a_lit_tagged_template_is_not_jquerys_html(tmp_path):
    """linkding's components (set 45, both labellers): `return html`...`` with `import { html } from "lit"`."""
    rec, said = _reasons(tmp_path, {"frontend/search.js": LIT}, _jq("frontend/search.js", 6))
    assert rec["verdict"] == "false_positive" and "the tagged template imported from 'lit' (line 1)" in said


def test_jquery_html_or_an_unsafe_lit_directive_keeps_the_finding(tmp_path):
    unsafe = LIT.replace('import { html } from "lit";', 'import { html } from "lit";\nimport { unsafeHTML } from '
                         '"lit/directives/unsafe-html.js";').replace("${title}", "${unsafeHTML(title)}")
    rec, said = _reasons(tmp_path, {"frontend/search.js": unsafe}, _jq("frontend/search.js", 7))
    assert "not jQuery" not in said
    jq = 'import $ from "jquery";\nexport function show(title) {\n  $("#t").html(title);\n}\n'
    rec, said = _reasons(tmp_path / "b", {"frontend/show.js": jq}, _jq("frontend/show.js", 3))
    assert "not jQuery" not in said
    own = LIT.replace('import { html } from "lit";', "const html = (s, ...v) => s.join(v);")  # the project's own tag
    rec, said = _reasons(tmp_path / "c", {"frontend/search.js": own}, _jq("frontend/search.js", 6))
    assert "not jQuery" not in said


HOWTO = """{% block content %}
<p>{{ 'developer.howto.description.paragraph_4'|trans }}</p>
<pre><code class="language-bash">http POST {{ wallabag_url }}/oauth/v2/token \\
    grant_type=password \\
    client_id=12_5um6nz50ceg4088c0840wwc0kgg44g00kk84og044ggkscso0k \\
    client_secret=3qd12zpeaxes8cwg8c0404g888co4wo8kc4gcw0occww8cgw4k \\
    username=yourUsername \\
    password=yourPassw0rd</code></pre>
<p>Production:</p>
<pre>client_secret=9f8e7d6c5b4a39281706f5e4d3c2b1a0</pre>
{% endblock %}
"""


def _secret(path: str, line: int, rule: str = "tmp.rules.generic-api-key"):
    return finding(rule_id=rule, title="Generic API Key", secret_evidence=SECRET, redacted=True,
                   snippet="client_secret=[REDACTED secret sha256:0123456789ab]",
                   location={"path": path, "start_line": line, "end_line": line})


def test_a_help_pages_sample_request_with_the_readers_placeholders_is_no_credential(tmp_path):
    """wallabag's templates/Developer/howto_app.html.twig (set 45, both labellers: five false positives)."""
    rec, said = _reasons(tmp_path, {"templates/Developer/howto_app.html.twig": HOWTO},
                         _secret("templates/Developer/howto_app.html.twig", 6))
    assert rec["verdict"] == "false_positive" and "a help page's sample" in said and "`yourUsername`" in said
    assert "3qd12zpe" not in said


def test_a_pre_block_without_placeholders_or_an_issuers_format_stays(tmp_path):
    rec, said = _reasons(tmp_path, {"templates/Developer/howto_app.html.twig": HOWTO},
                         _secret("templates/Developer/howto_app.html.twig", 10))
    assert "a help page's sample" not in said  # a block of its own, with nothing of the reader's
    live = HOWTO.replace("client_secret=3qd12zpeaxes8cwg8c0404g888co4wo8kc4gcw0occww8cgw4k",
                         "client_secret=ghp_16C7e42F292c6912E7710c838347Ae178B4a")
    rec, said = _reasons(tmp_path / "b", {"templates/Developer/howto_app.html.twig": live},
                         _secret("templates/Developer/howto_app.html.twig", 6))
    assert "a help page's sample" not in said


OAUTH = """# OAuth

## Obtaining a access token

For each API call, you'll need an access token. Create one using the following
command, replacing `client_id`, `client_secret`, `username`, and `password` with your actual values:

```bash
http POST http://localhost:8000/oauth/v2/token \\
    grant_type=password \\
    client_id=1_3o53gl30vhgk0c8ks4cocww08o84448osgo40wgw4gwkoo8skc \\
    client_secret=636ocbqo978ckw0gsw4gcwwocg8044sco0w8w84cws48ggogs4
```

The response will look like this:

```http
HTTP/1.1 200 OK
Host: localhost:8000

{
    "access_token": "ZGJmNTA2MDdmYTdmNWFiZjcxOWY3MWYyYzkyZDdlNWIzOTU4NWY3NTU1MDFjOTdhMTk2MGI3YjY1ZmI2NzM5MA",
    "token_type": "bearer"
}
```
"""


def test_a_docs_sample_against_localhost_or_to_be_replaced_with_your_values_is_no_credential(tmp_path):
    """wallabag's doc/content/developer/api/oauth.md (set 45, both labellers: five false positives)."""
    files = {"doc/content/developer/api/oauth.md": OAUTH}
    rec, said = _reasons(tmp_path, files, _secret("doc/content/developer/api/oauth.md", 12))
    assert rec["verdict"] == "false_positive" and "`localhost:8000`" in said
    rec, said = _reasons(tmp_path / "b", files, _secret("doc/content/developer/api/oauth.md", 22))
    assert rec["verdict"] == "false_positive" and "`localhost:8000`" in said  # the sample response's Host: header
    prod = OAUTH.replace("http://localhost:8000", "https://wallabag.acme-corp.net").replace("Host: localhost:8000", "")
    prod = prod.replace(" with your actual values", "")
    rec, said = _reasons(tmp_path / "c", {"doc/content/developer/api/oauth.md": prod},
                         _secret("doc/content/developer/api/oauth.md", 12))
    assert rec["verdict"] != "false_positive"


def test_symfony_catalogues_are_translation_files():
    """wallabag's translations/<domain>.<locale>.yml: bidi marks around http:// in Persian, `password: Contrasinal`."""
    for path in ("translations/CraueConfigBundle.fa.yml", "translations/messages.gl.yml", "translations/validators.de.xlf"):
        assert translation_catalogue(path), path
    for path in ("config/packages/security.de.yml", "translations/settings.py", "app/messages.gl.yml"):
        assert not translation_catalogue(path), path


def test_a_fixture_is_read_by_the_tests_of_its_own_package_first(tmp_path):
    """miniflux (set 45's audit): readability_test.go names miniflux_github.html of its own testdata/, while the flagged
    copy under sanitizer/testdata/ is read by sanitizer_test.go."""
    from tasks.repository.source import SourceReader
    from tasks.triage.fixture_users import fixture_user
    import subprocess

    files = {"internal/reader/readability/readability_test.go": 'package r\nvar c = map[string]int{\n\t"miniflux_github.html": 1,\n}\n',
             "internal/reader/sanitizer/sanitizer_test.go": 'package s\nvar t = []string{\n\t"x",\n\t"miniflux_github.html",\n}\n',
             "internal/reader/sanitizer/testdata/miniflux_github.html": "<html></html>\n"}
    for p, text in files.items():
        (tmp_path / p).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / p).write_text(text)
    subprocess.run("git init -q && git add -A && git -c user.email=x@x -c user.name=x commit -qm i", shell=True,
                   cwd=tmp_path, check=True)
    said = fixture_user("internal/reader/sanitizer/testdata/miniflux_github.html", SourceReader(tmp_path), sorted(files))
    assert said.startswith("; internal/reader/sanitizer/sanitizer_test.go:4 reads it")


AUTHELIA = """identity_providers:
  oidc:
    jwks:
      - key_id: 'example'
        algorithm: 'RS256'
        key: |
          -----BEGIN PRIVATE KEY-----
          MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7
          -----END PRIVATE KEY-----
"""


def _key(path: str):
    return finding(tool="semgrep", kind="secret", rule_id="tmp.rules.detected-private-key", title="Private Key detected",
                   secret_evidence={"class": "key-header", "match": "a PEM private-key header", "format": None},
                   snippet="[REDACTED secret sha256:c03e49147866]", redacted=True,
                   location={"path": path, "start_line": 7, "end_line": 7})


def test_a_test_environments_key_is_no_deployments_credential(tmp_path):
    """linkding's scripts/test-environments/authelia-oidc/ (round 49's graders: a missed false positive, and the stage-2
    row deleted the test stack's whole configuration.yml)."""
    path = "scripts/test-environments/authelia-oidc/authelia/configuration.yml"
    rec, said = _reasons(tmp_path, {path: AUTHELIA}, _key(path))
    assert rec["verdict"] == "false_positive" and "part of a test environment" in said
    rec, said = _reasons(tmp_path / "b", {"deploy/authelia/configuration.yml": AUTHELIA}, _key("deploy/authelia/configuration.yml"))
    assert rec["verdict"] != "false_positive"  # the same key in a deployment's settings stays
    from tasks.triage.path_class import path_class

    assert path_class("testenv/compose.yml") == "test_env" and path_class("src/testenvironment.py") is None


def test_a_key_inside_a_settings_file_is_taken_out_of_it_not_the_file_deleted():
    from tasks.fixes import fix_for

    answer, _, meta = fix_for(_key("deploy/authelia/configuration.yml"), ["CWE-798"])
    assert meta["fix_family"] == "secret-key-in-config"
    assert "Do not delete deploy/authelia/configuration.yml" in answer and "--invert-paths" not in answer
    answer, _, meta = fix_for(_key("deploy/keys/server.key"), ["CWE-798"])
    assert meta["fix_family"] == "secret-key-file" and "--invert-paths --path deploy/keys/server.key" in answer


def _b(rule: str, title: str, snippet: str, start: int, end: int) -> dict:
    return {"id": "1" * 32, "tool": "bandit", "kind": "code", "severity": "low", "rule_id": rule, "title": title,
            "description": title, "location": {"path": "tests/helpers.py", "start_line": start, "end_line": end},
            "snippet": snippet, "references": [], "fix_hint": None}


def test_an_email_domain_and_a_form_fields_name_are_not_redacted():
    """Round 49's graders: CTFd's `email="team@examplectf.com"` in a B107 function and linkding's form field names
    `"new_password1"` were redacted in the prompt; the passwords themselves stay redacted."""
    from tasks.findings.parsers.finalise import finalise

    b107 = ('422 def gen_team(\n423     db,\n424     email="team@examplectf.com",\n425     password="password",\n426 ):\n'
            '427     user = gen_user(db, email=name + "@examplectf.com")\n428     ftp.login("deploy", "Vq7Rm2Xk9Lp4Tz8N")\n')
    out = finalise(_b("B107", "Possible hardcoded password: 'password'", b107, 422, 428))["snippet"]
    assert '"team@examplectf.com"' in out and 'name + "@examplectf.com"' in out
    assert "Vq7Rm2Xk9Lp4Tz8N" not in out  # a positional secret of the same function stays redacted (the review of 750ff3a)
    b105 = ('39             "old_password": "wrong_password",\n40             "new_password1": "new_password",\n'
            '41             "new_password2": "new_password",\n')
    out = finalise(_b("B105", "Possible hardcoded password: 'wrong_password'", b105, 39, 39))["snippet"]
    assert '"new_password1":' in out and '"new_password2":' in out
    assert "wrong_password" not in out and '"new_password"' not in out


MARKDOWN = '''import bleach
import markdown
from bleach.linkifier import Linker
from bleach_allowlist import markdown_attrs, markdown_tags
from django.utils.safestring import mark_safe

linker = Linker()


def render_markdown(context, markdown_text):
    as_html = markdown.markdown(markdown_text)
    sanitized_html = bleach.clean(as_html, markdown_tags, markdown_attrs)
    linkified_html = linker.linkify(sanitized_html)
    return mark_safe(linkified_html)


def render_raw(markdown_text):
    return mark_safe(linker.linkify(markdown.markdown(markdown_text)))


def render_scripts(markdown_text):
    return mark_safe(bleach.clean(markdown.markdown(markdown_text), tags=["p", "script"]))
'''


def test_mark_safe_of_bleach_sanitised_markdown_is_no_injection():
    """linkding's render_markdown (set 45, both labellers; netbox's nh3 in round 47): bleach.clean with an allow-list,
    then bleach's linkify, then mark_safe; an unsanitised or script-allowing one stays."""
    from tasks.triage.escaped_py import escaped_sink

    said = escaped_sink(MARKDOWN, 14, "B308")
    assert said and said["evidence"].startswith("sanitised before insertion: mark_safe() at line 14 wraps only the "
                                                "output of bleach.clean() (an allow-list HTML sanitiser) (line 12)")
    assert escaped_sink(MARKDOWN, 18, "B308") is None  # markdown's own HTML, never sanitised
    assert escaped_sink(MARKDOWN, 22, "B308") is None  # an allow-list that admits <script>


MIRROR = """name: Mirror to Codeberg
on:
  push:
    branches: [ main ]
jobs:
  mirror:
    runs-on: ubuntu-latest
    steps:
      - name: Checkout
        uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          fetch-depth: 0
      - name: Mirror to Codeberg
        run: |
          git remote add codeberg https://${{ secrets.CODEBERG_USERNAME }}:${{ secrets.CODEBERG_TOKEN }}@codeberg.org/miniflux/v2.git
          git push --force --prune codeberg \\
            "refs/heads/*:refs/heads/*" \\
            "refs/tags/*:refs/tags/*"
"""


def test_a_mirror_push_to_another_host_needs_no_github_write_scope():
    """miniflux's codeberg_mirror.yml (round 49's grader: the row asked for `contents: write`)."""
    from tasks.fixes.api_workflows import evidence
    from test_triage_hygiene import checkov

    said = evidence(_as(checkov("CKV2_GHA_1", ".github/workflows/codeberg_mirror.yml", TITLE)), MIRROR)
    assert said.endswith("its steps need contents: read"), said
    own = MIRROR.replace("git remote add codeberg https://${{ secrets.CODEBERG_USERNAME }}:${{ secrets.CODEBERG_TOKEN }}"
                         "@codeberg.org/miniflux/v2.git\n", "").replace("--prune codeberg", "--prune origin")
    assert "contents: write" in evidence(_as(checkov("CKV2_GHA_1", ".github/workflows/codeberg_mirror.yml", TITLE)), own)


TITLE = "Ensure top-level permissions are not set to write-all"


def _as(f):
    from tasks.findings.model import as_finding

    return as_finding(f)


def test_a_projects_own_es_module_that_extends_jquery_is_not_a_vendored_plugin():
    """CTFd's themes/core-deprecated/assets/js/utils.js (round 49's grader): `import $ from "jquery"` and
    `$.fn.serializeJSON = function` is the project's own module, not a published plugin."""
    from tasks.triage.paths import library_banner

    own = '/* helpers */\nimport $ from "jquery";\n\n$.fn.serializeJSON = function(omit_nulls) {\n  return {};\n};\nexport default $;\n'
    assert library_banner("CTFd/themes/core/assets/js/utils.js", own) is None
    plugin = "/* serialize */\n(function ($) {\n$.fn.serializeJSON = function (options) {\n  return {};\n};\n})(jQuery);\n"
    assert "a plugin of a published library" in library_banner("static/js/jquery.serialize.js", plugin)


def test_a_css_name_inside_a_string_is_not_the_variable_of_the_same_name(tmp_path):
    """CTFd/views.py (round 49's grader): `theme = request.form.get(...)` does not reach `--theme-color` in a literal."""
    code = ('def setup():\n    theme = request.form.get("ctf_theme")\n    set_config("ctf_theme", theme)\n'
            '    css = ":root {{--theme-color: {c};}}".format(c=color)\n')
    f = finding(rule_id="tmp.rules.raw-html-format", title="raw-html-format",
                location={"path": "CTFd/views.py", "start_line": 4, "end_line": 4})
    rec, said = _reasons(tmp_path, {"CTFd/views.py": code}, f)
    assert "to theme, which reaches" not in said


def test_a_flask_projects_xss_fix_is_flasks_in_both_stages():
    """CTFd (round 49's grader): stage 1 gave Django's format_html snippet in a Flask project; the stage-2 fix read
    the file's imports (Markup/Jinja): the stage-1 section now takes the stage-2 fix."""
    from tasks.datasets.file_fixes import refit
    from tasks.findings.model import as_finding
    from tasks.fixes import fix_for

    f = as_finding(finding(rule_id="tmp.rules.raw-html-format", title="raw-html-format",
                           location={"path": "CTFd/views.py", "start_line": 4, "end_line": 4},
                           snippet='css = "<style>{}</style>".format(color)'))
    code = {"path": "CTFd/views.py", "text": 'css = "<style>{}</style>".format(color)\n', "start_line": 4,
            "imports": "from flask import Blueprint, request\n"}
    fixed = fix_for(f, ["CWE-79"], code)
    assert fixed[2].get("framework") == "flask" and "format_html" not in fixed[0]
    s1 = {"messages": [{}, {}, {"content": "## Verdict\nTrue positive.\n\n## How to fix it\nFor this python code: "
                                           "In Django, build HTML with `format_html`.\n"}]}
    out = refit(s1, f, code, fixed)["messages"][2]["content"]
    assert "format_html" not in out and "## How to fix it\n" in out


TEAM_JS = """export function showMembers() {
  ezAlert({
    title: "Members",
    body: `
      <p>Choose a member</p>
      ${$("#team-member-select").html()}
    `,
  });
  $("#x").html();
}
"""


def test_a_line_inside_a_template_literal_gets_no_suppression_comment():
    """CTFd's team.js (round 49's grader): `// nosemgrep` on a line of a template literal's body would show in the
    modal; stage 1 says where to record it instead, and stage 2 has no comment row."""
    f = finding(rule_id="tmp.rules.prohibit-jquery-html", title="prohibit-jquery-html",
                location={"path": "themes/admin/assets/js/pages/team.js", "start_line": 6, "end_line": 6},
                snippet='      ${$("#team-member-select").html()}')
    code = {"path": "themes/admin/assets/js/pages/team.js", "text": TEAM_JS, "start_line": 1, "script": TEAM_JS}
    rec = {"verdict": "false_positive", "reasons": [{"check": "code", "evidence": "a getter: .html() reads the HTML"}]}
    s1 = {"messages": [{}, {"content": "prompt"}, {"content": "## Verdict\nx"}], "meta": {}}
    s1, (answer, why, _) = rows.apply_triage(f, {"narrative": "x", "sections": {}}, {}, rec, s1, (None, "no fix", {}),
                                             {"triage": "explain"}, code)
    assert answer is None and "inside a template literal that spans lines 4-7" in why
    assert "not with a comment" in s1["messages"][2]["content"] and "on the flagged line" not in s1["messages"][2]["content"]
    plain = finding(rule_id="tmp.rules.prohibit-jquery-html", title="prohibit-jquery-html",
                    location={"path": "themes/admin/assets/js/pages/team.js", "start_line": 9, "end_line": 9},
                    snippet='  $("#x").html();')
    _, (answer, _, _) = rows.apply_triage(plain, {"narrative": "x", "sections": {}}, {}, rec, None, (None, "no fix", {}),
                                          {"triage": "explain"}, code)
    assert answer and "nosemgrep" in answer


def test_a_start_script_that_leaves_a_root_daemon_running_does_not_drop_root():
    """linkding's bootstrap.sh (round 49's grader): `supervisord -c supervisord-tasks.conf` forks a root daemon before
    `exec uwsgi ... uwsgi.ini` (uid = www-data): "only the steps before it run as root" was wrong."""
    from tasks.triage.root_drop import drops_root

    script = ["#!/bin/sh\n", "if [ \"$LD_DISABLE_BACKGROUND_TASKS\" != \"True\" ]; then\n",
              "  supervisord -c supervisord-tasks.conf\n", "fi\n", "exec gosu www-data uwsgi uwsgi.ini\n"]
    assert drops_root(script) is None
    assert drops_root(["#!/bin/sh\n", "chown -R app /data\n", "exec gosu app \"$@\"\n"])[1] == "app"
    assert drops_root(["#!/bin/sh\n", "worker --queue default &\n", "exec gosu app web\n"]) is None
    assert drops_root(["#!/bin/sh\n", "test -f x && echo ok\n", "exec gosu app web\n"])[1] == "app"


NEW_TAG = """<turbo-frame id="tag-modal">
<form method="post"
      action="{% url 'linkding:tags.new' %}"
      novalidate>
  {% csrf_token %}
  <button type="submit">Save</button>
</form>
</turbo-frame>
"""


def test_a_suppression_never_goes_inside_an_open_start_tag():
    """linkding's tags/new.html (round 49's grader: harmful): `<form method="post"  <!-- nosemgrep -->` put the comment
    inside the start tag, whose `-->` closed it and turned action= into text; and "`the csrf_token tag`" read as a
    placeholder."""
    from tasks.fixes.suppression import suppression_for

    f = finding(rule_id="tmp.rules.django-no-csrf-token", title="django-no-csrf-token", snippet='<form method="post"',
                location={"path": "bookmarks/templates/tags/new.html", "start_line": 2, "end_line": 2})
    rec = {"verdict": "false_positive", "reasons": [{"check": "code", "evidence": "the form sends a CSRF token: line 5: "
                                                    "`{% csrf_token %}`, Django's own tag"}]}
    _, text = suppression_for(f, rec)
    lines = text.splitlines()
    assert lines[1] == "<!-- nosemgrep: tmp.rules.django-no-csrf-token -->" and lines[2] == '<form method="post"'
    assert "`the csrf_token tag`" not in text and "the csrf_token tag" in text
    from tasks.fixes.suppression_diff import _line_comment
    from tasks.fixes import patches

    c = patches.code_of(f, {"path": "bookmarks/templates/tags/new.html", "text": NEW_TAG, "start_line": 1})
    new = _line_comment(c, "bookmarks/templates/tags/new.html", "the form sends a CSRF token", "nosemgrep: r", python=False)
    assert new[1:4] == ["<!-- the form sends a CSRF token -->", "<!-- nosemgrep: r -->", '<form method="post"']


USER_GO = '''package storage

var dummyBcryptHash = []byte("$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy")

func (s *Storage) CheckPassword(username, password string) error {
	if errors.Is(err, sql.ErrNoRows) {
		// Perform a dummy bcrypt comparison to avoid leaking whether the user exists via response timing.
		_ = bcrypt.CompareHashAndPassword(dummyBcryptHash, []byte(password))
		return err
	}
	return nil
}
'''


def test_a_package_level_decoy_hash_compared_for_timing_is_no_stored_password(tmp_path):
    """miniflux's internal/storage/user.go (round 49's grader: "a stored password hash" missed the point)."""
    from tasks.triage.decoy_hash import decoy_hash
    from tasks.findings.model import as_finding
    from tasks.repository.source import SourceReader
    import subprocess

    (tmp_path / "internal/storage").mkdir(parents=True)
    (tmp_path / "internal/storage/user.go").write_text(USER_GO)
    (tmp_path / "internal/storage/seed.go").write_text(USER_GO.replace("dummyBcryptHash", "adminHash").replace(
        "// Perform a dummy bcrypt comparison to avoid leaking whether the user exists via response timing.", "// admin"))
    subprocess.run("git init -q && git add -A && git -c user.email=x@x -c user.name=x commit -qm i", shell=True,
                   cwd=tmp_path, check=True)
    reader = SourceReader(tmp_path)
    f = as_finding(finding(rule_id="tmp.rules.detected-bcrypt-hash", location={"path": "internal/storage/user.go",
                                                                              "start_line": 3, "end_line": 3}))
    said = decoy_hash(f, reader)
    assert said and "binds it to `dummyBcryptHash`, which line 8 checks" in said and "response timing" in said
    other = as_finding(finding(rule_id="tmp.rules.detected-bcrypt-hash", location={"path": "internal/storage/seed.go",
                                                                                  "start_line": 3, "end_line": 3}))
    assert decoy_hash(other, reader) is None  # an admin's hash, no decoy


def test_a_cookies_secure_flag_from_the_deployments_https_setting_is_said_to_be_a_setting(tmp_path):
    """miniflux's internal/ui/auth.go (round 49's grader): `Secure: config.Opts.HTTPS()` is the process's setting,
    not "a test of whether the request came over HTTPS"; `Secure: isHTTPS(r)` is a per-request test."""
    go = ('package ui\n\nfunc set(w http.ResponseWriter, r *http.Request) {\n\thttp.SetCookie(w, &http.Cookie{Name: "s", '
          'Value: v, Secure: config.Opts.HTTPS(), HttpOnly: true})\n}\n')
    f = finding(rule_id="tmp.rules.cookie-missing-secure", title="cookie-missing-secure",
                location={"path": "internal/ui/auth.go", "start_line": 4, "end_line": 4})
    rec, said = _reasons(tmp_path, {"internal/ui/auth.go": go}, f)
    assert "the deployment's own setting for whether it is served over HTTPS" in said and "a test of whether" not in said
    rec, said = _reasons(tmp_path / "b", {"internal/ui/auth.go": go.replace("config.Opts.HTTPS()", "isHTTPS(r)")}, f)
    assert "a test of whether the request came over HTTPS" in said


LOADER = '''import requests


def load_favicon(url):
    with requests.get(url, stream=True) as response:
        return response.content
'''
LOADER_TEST = '''from unittest import mock

from bookmarks.services import favicon_loader


def test_loads():
    with mock.patch("requests.get") as mock_get:
        favicon_loader.load_favicon("https://example.com")
        mock_get.assert_called_with(
            "https://example.com", stream=True
        )
'''


def test_a_timeout_fix_names_the_tests_that_pin_the_calls_arguments(tmp_path):
    """linkding's favicon loader (round 49's grader): `timeout=10` broke two tests that assert
    `mock_get.assert_called_with(url, stream=True)`; the row now names them."""
    from tasks.fixes import fix_for
    from tasks.findings.model import as_finding

    files = {"bookmarks/services/favicon_loader.py": LOADER, "bookmarks/tests/test_favicon_loader.py": LOADER_TEST,
             "bookmarks/services/other.py": "import requests\n"}
    for p, text in files.items():
        (tmp_path / p).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / p).write_text(text)
    subprocess.run("git init -q && git add -A && git -c user.email=x@x -c user.name=x commit -qm i", shell=True,
                   cwd=tmp_path, check=True)
    f = as_finding(finding(tool="bandit", rule_id="B113", title="Call to requests without timeout",
                           location={"path": "bookmarks/services/favicon_loader.py", "start_line": 5, "end_line": 5},
                           snippet="5     with requests.get(url, stream=True) as response:"))
    code = Source(str(tmp_path), None, 3).code(f)
    assert code["asserts"] == ["bookmarks/tests/test_favicon_loader.py:9"]
    answer, _, meta = fix_for(f, ["CWE-400"], code)
    assert meta["has_diff"] and "bookmarks/tests/test_favicon_loader.py:9" in answer


STAGES = """FROM golang AS envsubst
RUN go install github.com/a8m/envsubst/cmd/envsubst@latest

FROM php:8.2-fpm-trixie AS rootless
COPY --from=envsubst /go/bin/envsubst /usr/bin/envsubst
ENTRYPOINT ["/entrypoint.sh"]
CMD ["php", "bin/console", "server:run", "0.0.0.0:8000"]

FROM rootless AS default
RUN usermod -u 1000 www-data
USER www-data
"""
COMPOSE = """services:
    php:
        build:
            context: docker/php
            # Use target 'rootless' if you run rootless Docker
            target: default
"""


def _stage(line: int):
    return finding(rule_id="tmp.rules.missing-user", title="missing-user",
                   location={"path": "docker/php/Dockerfile", "start_line": line, "end_line": line})


def test_missing_user_on_an_earlier_stage_whose_final_stage_sets_a_user(tmp_path):
    """wallabag's docker/php/Dockerfile (set 45, both labellers): the rootless stage's CMD, while the image is the
    final `default` stage with `USER www-data`, which the compose file builds."""
    rec, said = _reasons(tmp_path, {"docker/php/Dockerfile": STAGES, "compose.yaml": COMPOSE}, _stage(7))
    assert rec["verdict"] == "false_positive" and "is in the stage `rootless` (line 4)" in said
    assert "sets `USER www-data` (line 11)" in said


def test_an_earlier_stage_a_build_targets_or_a_root_final_stage_keeps_the_finding(tmp_path):
    targeted = COMPOSE.replace("target: default", "target: rootless")
    rec, said = _reasons(tmp_path, {"docker/php/Dockerfile": STAGES, "compose.yaml": targeted}, _stage(7))
    assert "an earlier build stage" not in said
    rooted = STAGES.replace("USER www-data", "USER root")
    rec, said = _reasons(tmp_path / "b", {"docker/php/Dockerfile": rooted, "compose.yaml": COMPOSE}, _stage(7))
    assert "an earlier build stage" not in said


SERVE = '''import argparse

from CTFd import create_app

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=4000)
args = parser.parse_args()
app = create_app()
app.run(debug=True, threaded=True, host="127.0.0.1", port=args.port)
'''


def _run(path: str = "serve.py"):
    return finding(rule_id="tmp.rules.avoid_using_app_run_directly", title="avoid_using_app_run_directly",
                   location={"path": path, "start_line": 9, "end_line": 9})


def test_a_loopback_runner_script_nothing_imports_is_a_developers_server(tmp_path):
    """CTFd's serve.py (set 45, both labellers)."""
    rec, said = _reasons(tmp_path, {"serve.py": SERVE, "CTFd/__init__.py": "def create_app():\n    pass\n"}, _run())
    assert rec["verdict"] == "false_positive" and "on `127.0.0.1`, the loopback interface" in said


def test_a_runner_on_all_interfaces_or_imported_by_another_module_keeps_the_finding(tmp_path):
    rec, said = _reasons(tmp_path, {"serve.py": SERVE.replace('"127.0.0.1"', '"0.0.0.0"')}, _run())
    assert "a developer's runner" not in said
    rec, said = _reasons(tmp_path / "b", {"serve.py": SERVE, "wsgi.py": "from serve import app\n"}, _run())
    assert "a developer's runner" not in said


FUNCS_GO = '''package template

import (
	"html/template"
)

func (f *funcMap) Map() template.FuncMap {
	return template.FuncMap{
		"routePath": func(format string, args ...any) string {
			return route.Path(f.router, format, args...)
		},
		"untrustedURL": untrustedURL,
		"rawURL": func(u string) template.URL {
			return template.URL(u)
		},
	}
}

func untrustedURL(rawURL string) template.URL {
	if !sanitizer.HasValidURIScheme(rawURL) {
		return template.URL("#")
	}
	return template.URL(rawURL)
}
'''
ENTRY_HTML = '''{{ define "content" }}
<a href="{{ routePath "/history/entry/%d" .ID }}">a</a>
<a href="{{ .entry.URL | untrustedURL }}">b</a>
<a href="{{ .entry.URL | rawURL }}">c</a>
<a href="{{ .entry.URL }}">d</a>
{{ end }}
'''


def _href(line: int):
    return finding(rule_id="tmp.rules.var-in-href", title="var-in-href",
                   location={"path": "internal/template/templates/views/entry.html", "start_line": line, "end_line": line})


def test_a_go_html_template_href_is_filtered_by_the_engine_or_a_checked_function(tmp_path):
    """miniflux (set 45, both labellers): routePath returns a string, which html/template's URL filter checks;
    untrustedURL returns template.URL only after a scheme check."""
    files = {"go.mod": "module miniflux.app/v2\n", "internal/template/functions.go": FUNCS_GO,
             "internal/template/templates/views/entry.html": ENTRY_HTML}
    rec, said = _reasons(tmp_path, files, _href(2))
    assert rec["verdict"] == "false_positive" and "`routePath` (internal/template/functions.go:9) returns a string" in said
    rec, said = _reasons(tmp_path / "b", files, _href(3))
    assert rec["verdict"] == "false_positive" and "returns `template.URL` only after checking the URL's scheme" in said


def test_an_unchecked_template_url_or_a_bare_field_keeps_the_href_finding(tmp_path):
    files = {"go.mod": "module miniflux.app/v2\n", "internal/template/functions.go": FUNCS_GO,
             "internal/template/templates/views/entry.html": ENTRY_HTML}
    for n, line in enumerate((4, 5)):
        rec, said = _reasons(tmp_path / str(n), files, _href(line))
        assert "no javascript: URL" not in said, line
    text = FUNCS_GO.replace('"html/template"', '"text/template"')
    rec, said = _reasons(tmp_path / "t", files | {"internal/template/functions.go": text}, _href(2))
    assert "no javascript: URL" not in said


def test_django_rawsql_of_a_constant_column_is_constant_data():
    """linkding's migration 0041 (set 45, both labellers): `RawSQL("website_title", ())`; a parameter stays."""
    from tasks.triage.constant_names import constant_sink

    src = ('from django.db.models.expressions import RawSQL\n\n\ndef forwards(apps, schema_editor):\n'
           '    Bookmark.objects.update(\n        title=RawSQL("website_title", ())\n    )\n\n\n'
           'def by(col):\n    return Bookmark.objects.update(title=RawSQL(col, ()))\n')
    said = constant_sink(src, 6, "bookmarks/migrations/0041_merge_metadata.py")
    assert said and said.startswith("constant data: the input of RawSQL() at line 6")
    assert constant_sink(src, 11, "bookmarks/migrations/0041_merge_metadata.py") is None
