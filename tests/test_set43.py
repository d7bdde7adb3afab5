"""Held-out set 43's misses (cabot, writefreely, memos, netbox), each with the neighbour that stays a finding."""

from __future__ import annotations

from test_round45_rows import _reasons
from test_triage_hygiene import finding

COMMON = """package sqlite

import "fmt"

func placeholder(n int) string {
\treturn "$" + fmt.Sprint(n)
}

func placeholders(n int) string {
\tlist := []string{}
\tfor i := 0; i < n; i++ {
\t\tlist = append(list, placeholder(i+1))
\t}
\treturn strings.Join(list, ", ")
}
"""

UPDATE = """package sqlite

import "strings"

func (d *DB) UpdateUser(ctx context.Context, update *UpdateUser) error {
\tset, args := []string{}, []any{}
\tif v := update.Username; v != nil {
\t\tset, args = append(set, "username = "+placeholder(len(args)+1)), append(args, *v)
\t}
\tif v := update.Email; v != nil {
\t\tset, args = append(set, "email = ?"), append(args, *v)
\t}
\targs = append(args, update.ID)
\tquery := `UPDATE user SET ` + strings.Join(set, ", ") + ` WHERE id = ` + placeholder(len(args))
\t_, err := d.db.ExecContext(ctx, query, args...)
\treturn err
}

func (d *DB) CreateInbox(ctx context.Context, create *Inbox) error {
\tfields := []string{"sender_id", "receiver_id", "status"}
\targs := []any{create.SenderID, create.ReceiverID, create.Status}
\tstmt := "INSERT INTO inbox (" + strings.Join(fields, ", ") + ") VALUES (" + placeholders(len(args)) + ")"
\t_, err := d.db.ExecContext(ctx, stmt, args...)
\treturn err
}
"""


def _sql(line: int):
    return finding(rule_id="tmp.rules.string-formatted-query", title="String-formatted SQL query detected.",
                   location={"path": "store/db/sqlite/user.go", "start_line": line, "end_line": line})


def test_go_sql_joined_from_constant_fragments_binds_its_values(tmp_path):
    files = {"store/db/sqlite/user.go": UPDATE, "store/db/sqlite/common.go": COMMON}
    rec, said = _reasons(tmp_path, files, _sql(14))
    assert rec["verdict"] == "false_positive", said
    assert '"username = "' in said and "placeholder() formats only its integer arguments" in said
    rec, said = _reasons(tmp_path / "b", files, _sql(22))
    assert rec["verdict"] == "false_positive" and "placeholders()" in said and '"sender_id"' in said


def test_go_sql_with_any_value_of_the_caller_stays_a_finding(tmp_path):
    risky = {
        "a parameter": UPDATE.replace('append(set, "email = ?")', 'append(set, "email = \'"+*v+"\'")'),
        "a field": UPDATE.replace('` WHERE id = ` + placeholder(len(args))', '` WHERE ` + update.Where'),
        "an index write": UPDATE.replace("\targs = append(args, update.ID)\n", "\targs = append(args, update.ID)\n\tset[0] = update.Raw\n"),
        "Sprintf of a name": UPDATE.replace('"INSERT INTO inbox ("', 'fmt.Sprintf("INSERT INTO %s (", create.Table)'),
        "a slice from a call": UPDATE.replace('fields := []string{"sender_id", "receiver_id", "status"}', "fields := create.Columns()"),
    }
    for n, (what, code) in enumerate(risky.items()):
        line = 22 if what in ("Sprintf of a name", "a slice from a call") else 14
        rec, said = _reasons(tmp_path / str(n), {"store/db/sqlite/user.go": code, "store/db/sqlite/common.go": COMMON}, _sql(line))
        assert "constant fragments" not in said, what
    impure = COMMON.replace('return "$" + fmt.Sprint(n)', "return prefix + fmt.Sprint(n)")  # reads a package variable
    rec, said = _reasons(tmp_path / "g", {"store/db/sqlite/user.go": UPDATE, "store/db/sqlite/common.go": impure}, _sql(14))
    assert "constant fragments" not in said


SERVE = """package app

import (
\t"net/http"
\t"golang.org/x/crypto/acme/autocert"
)

func serve(app *App, m *autocert.Manager, r http.Handler) error {
\tgo func() {
\t\terr := http.ListenAndServe(":80", m.HTTPHandler(nil))
\t\tlog.Error("redirect server: %v", err)
\t}()
\tgo func() {
\t\terr := http.ListenAndServe(":8080", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
\t\t\thttp.Redirect(w, req, app.cfg.App.Host, http.StatusMovedPermanently)
\t\t}))
\t\tlog.Error("redirect server: %v", err)
\t}()
\treturn http.ListenAndServeTLS(":443", app.cfg.Cert, app.cfg.Key, r)
}
"""


def _tls(line: int):
    return finding(rule_id="tmp.rules.use-tls", title="Found an HTTP server without TLS.",
                   location={"path": "app.go", "start_line": line, "end_line": line})


def test_a_port_80_listener_that_only_redirects_beside_tls_is_not_cleartext(tmp_path):
    rec, said = _reasons(tmp_path, {"app.go": SERVE}, _tls(10))
    assert rec["verdict"] == "false_positive" and "autocert's `m.HTTPHandler(nil)`" in said
    rec, said = _reasons(tmp_path / "b", {"app.go": SERVE}, _tls(14))
    assert rec["verdict"] == "false_positive" and "http.Redirect(w, req, app.cfg.App.Host" in said


def test_a_listener_that_serves_the_app_or_redirects_where_the_request_says_stays(tmp_path):
    cases = {"the router": (SERVE.replace("m.HTTPHandler(nil)", "r"), 10),
             "a fallback handler": (SERVE.replace("m.HTTPHandler(nil)", "m.HTTPHandler(r)"), 10),
             "a request target": (SERVE.replace("app.cfg.App.Host", 'req.URL.Query().Get("next")'), 14),
             "no TLS listener": (SERVE.replace("http.ListenAndServeTLS(\":443\", app.cfg.Cert, app.cfg.Key, r)", "nil"), 10)}
    for n, (what, (code, line)) in enumerate(cases.items()):
        rec, said = _reasons(tmp_path / str(n), {"app.go": code}, _tls(line))
        assert "not cleartext traffic" not in said, what


DEV = """version: '2'
services:
  web:
    extends:
      file: docker-compose-base.yml
      service: base
    env_file:
      - conf/production.env
    command: python manage.py runserver 0.0.0.0:5001
  db:
    image: postgres
"""
BASE = """version: '2'
services:
  base:
    build: .
    volumes:
     - .:/code
"""
TEST = """services:
  sut:
    image: ubuntu
    command: "true"
"""


def _compose(path: str, line: int = 3, rule: str = "tmp.rules.no-new-privileges"):
    return finding(rule_id=rule, title="Service allows for privilege escalation via setuid or setgid binaries.",
                   location={"path": path, "start_line": line, "end_line": line})


def test_hardening_of_a_development_compose_stack_is_no_deployment_finding(tmp_path):
    files = {"docker-compose.yml": DEV, "docker-compose-base.yml": BASE, "docker-compose-test.yml": TEST}
    rec, said = _reasons(tmp_path, files, _compose("docker-compose.yml", 10))
    assert rec["verdict"] == "false_positive" and "runs a development server (`python manage.py runserver" in said
    rec, said = _reasons(tmp_path / "b", files, _compose("docker-compose-base.yml"))
    assert rec["verdict"] == "false_positive" and "only extended by `docker-compose.yml`" in said
    rec, said = _reasons(tmp_path / "c", {"docker-compose.yml": BASE, "docker-compose.prod.yml": BASE},
                         _compose("docker-compose.yml", rule="tmp.rules.writable-filesystem-service"))
    assert rec["verdict"] == "false_positive" and "its sibling `docker-compose.prod.yml`" in said


def test_hardening_of_a_compose_file_that_deploys_stays(tmp_path):
    gunicorn = DEV.replace("python manage.py runserver 0.0.0.0:5001", "gunicorn app.wsgi")
    files = {"docker-compose.yml": gunicorn, "docker-compose-base.yml": BASE, "docker-compose-test.yml": TEST}
    for n, path in enumerate(("docker-compose.yml", "docker-compose-base.yml")):  # base: extended by a deployment too
        rec, said = _reasons(tmp_path / str(n), files, _compose(path))
        assert "development or test stack" not in said, path
    rec, said = _reasons(tmp_path / "p", {"docker-compose.prod.yml": DEV}, _compose("docker-compose.prod.yml"))
    assert "development or test stack" not in said  # its own name says production
    rec, said = _reasons(tmp_path / "s", {"docker-compose.yml": DEV}, _compose("docker-compose.yml", rule="tmp.rules.exposing-docker-socket-volume"))
    assert "development or test stack" not in said  # not a hardening rule: the other checks decide


JOBS = '''from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe


def render_message(record, value):
    if record.get("level") == "error":
        value = conditional_escape(value)
        return mark_safe(f"<pre>{value}</pre>")
    return value


def render_link(value):
    value = escape(value)
    return mark_safe(f'<a href="{value}">link</a>')


def render_late(value):
    if value:
        value = escape(value)
    return mark_safe(f"<pre>{value}</pre>")


def added(device):
    return mark_safe(_('Added member <a href="{url}">{device}</a>').format(url=device.get_absolute_url(), device=escape(device)))


def external(device):
    return mark_safe(_('<a href="{url}">{device}</a>').format(url=device.homepage, device=escape(device)))
'''


def _b308(line: int):
    return finding(tool="bandit", rule_id="B308", title="Use of mark_safe() may expose cross-site scripting vulnerabilities.",
                   location={"path": "core/tables/jobs.py", "start_line": line, "end_line": line})


def test_mark_safe_of_a_parameter_escaped_just_before_or_of_the_objects_own_url(tmp_path):
    rec, said = _reasons(tmp_path, {"core/tables/jobs.py": JOBS}, _b308(8))
    assert rec["verdict"] == "false_positive" and "conditional_escape() (line 7)" in said
    models = {"core/models.py": "from django.urls import reverse\n\n\nclass Device:\n    def get_absolute_url(self):\n"
                                "        return reverse('dcim:device', args=[self.pk])\n"}
    rec, said = _reasons(tmp_path / "b", {"core/tables/jobs.py": JOBS, **models}, _b308(24))
    assert rec["verdict"] == "false_positive" and "`device.get_absolute_url()`, the object's own URL path" in said
    assert "get_absolute_url` definitions all return reverse()" in said
    stored = {"core/models.py": models["core/models.py"].replace("reverse('dcim:device', args=[self.pk])", "self.homepage")}
    rec, said = _reasons(tmp_path / "c", {"core/tables/jobs.py": JOBS, **stored}, _b308(24))
    assert "escaped before insertion" not in said  # a model's stored URL: javascript: survives escaping


def test_mark_safe_escaped_on_one_path_or_into_a_url_stays(tmp_path):
    for n, line in enumerate((14, 20, 28)):  # escape() in href; escaped only inside `if`; a model's own URL field
        rec, said = _reasons(tmp_path / str(n), {"core/tables/jobs.py": JOBS}, _b308(line))
        assert "escaped before insertion" not in said, line


def test_a_value_typed_across_the_home_row_is_a_placeholder():
    """cabot's commented `AUTH_GITHUB_ORG_CLIENT_SECRET=23l4k5j43l6k546lk5n4kl64j2j3l5k4jjlkj2345` (set 43)."""
    from tasks.findings.secret_formats import filler

    assert "keyboard row" in filler("23l4k5j43l6k546lk5n4kl64j2j3l5k4jjlkj2345")  # 18 of 19 letters on the home row
    assert filler("alskjdflkasjdflqkj5lkntrk13j45lk3451453245") is None  # 23 of 27: random strings reach that too
    for real in ("ghp_9fK2mQx7LpR4vT8zWc1NbY6hJd3sAe5uGk0", "x7Tq9LmZ2vB8nK4wR6pY1sD3fH5jC0gE", "9b1c7e4d2a8f6b3c5d7e9f1a2b4c6d8e0f1a3b5c"):
        assert filler(real) is None, real


def test_a_dockerfile_check_on_a_file_only_named_like_a_dockerfile_is_the_scanners_misreading(tmp_path):
    """writefreely's highlight.js `static/js/highlightjs/dockerfile.min.js` (round 47: the row offered "a newer release")."""
    from tasks.fixes.suppression import suppression_for

    f = finding(tool="checkov", kind="config", rule_id="CKV_DOCKER_3", title="Ensure that a user for the container has been created",
                location={"path": "static/js/highlightjs/dockerfile.min.js", "start_line": 1, "end_line": 1})
    rec, said = _reasons(tmp_path, {"static/js/highlightjs/dockerfile.min.js": 'hljs.registerLanguage("dockerfile",function(e){})\n'}, f)
    assert rec["verdict"] == "false_positive" and "is JavaScript (.js), not a Dockerfile" in said
    lang, block = suppression_for(f, rec)
    assert lang == "yaml" and "skip-path:" in block and "#checkov:skip" not in block
    for real in ("Dockerfile.dev", "api.Dockerfile", "docker/Dockerfile.j2", "Dockerfile"):
        g = dict(f, location={"path": real, "start_line": 1, "end_line": 1})
        rec, said = _reasons(tmp_path / real.replace("/", "_"), {real: "FROM python:3.12\n"}, g)
        assert "not a Dockerfile" not in said, real


def test_a_translated_sentence_is_text_and_a_b105_neighbours_words_stay():
    """memos' hr.json sentence was redacted in the prompt; cabot's `u'passing'` beside `'password': None` too (round 47)."""
    from tasks.findings.model import as_finding
    from tasks.findings.secret_keys import ui_words
    from tasks.findings.secret_literals import kept_literals

    assert ui_words("Zahtijevajte od korisnika da se prijave putem davatelja identiteta umjesto prijave lozinkom.")
    assert not ui_words("Zahtijevajte od korisnika 7f3kQ9x2 putem davatelja")
    lines = ["    'password': None,\n", "    'status_code': u'200',\n", "    'calculated_status': u'passing',\n",
             "    'api_token': 'hunter',\n", "    'note': 'Xk29fjQ81zLm',\n"]
    f = as_finding(finding(tool="bandit", rule_id="B105", title="Possible hardcoded password: 'None'",
                           location={"path": "tests/tests_basic.py", "start_line": 1, "end_line": 5}))
    kept = kept_literals(f, lines, 1, 5, {"passing", "hunter", "Xk29fjQ81zLm"})
    assert "passing" not in kept and {"hunter", "Xk29fjQ81zLm"} <= kept  # a secret's name, or no plain word
    b107 = as_finding(dict(finding(tool="bandit", rule_id="B107", title="Possible hardcoded password: 'None'",
                                   location={"path": "t.py", "start_line": 1, "end_line": 5})))
    assert "passing" in kept_literals(b107, lines, 1, 5, {"passing"})  # a positional secret of a function stays hidden


def test_a_plain_banner_over_minified_code_names_a_copied_library(tmp_path):
    """writefreely's static/js/webfont.js: `/* Web Font Loader v1.6.24 - (c) Adobe Systems, Google. License: Apache 2.0 */`
    above one minified line (set 43); an own file with the same kind of header stays the project's code."""
    body = "(function(){" + "function aa(a,b,d){return a.call.apply(a.bind,arguments)}" * 20 + "})();\n"
    webfont = "/* Web Font Loader v1.6.24 - (c) Adobe Systems, Google. License: Apache 2.0 */\n" + body
    f = finding(rule_id="tmp.rules.unsafe-dynamic-method", title="Using non-static data to retrieve and run functions",
                location={"path": "static/js/webfont.js", "start_line": 2, "end_line": 2})
    rec, said = _reasons(tmp_path, {"static/js/webfont.js": webfont}, f)
    assert rec["verdict"] == "false_positive" and "Web Font Loader 1.6.24 with a licence" in said
    own = "/* Posts v1.2 - (c) Write.as. License: AGPL */\nfunction move(a, b) {\n  return window[a](b);\n}\n"
    rec, said = _reasons(tmp_path / "own", {"static/js/webfont.js": own}, f)
    assert "with a licence" not in said


def test_a_form_with_djangos_own_token_far_from_its_end_says_why_the_rule_missed_it(tmp_path):
    """netbox's confirmation_form.html, cabot's plugin_settings_form.html: the row said a Jinja template writes the token
    (round 47's graders: both are Django templates; Semgrep's generic `...` reaches 10 lines)."""
    from tasks.fixes.suppression import suppression_for

    form = "{% extends 'base.html' %}\n<form method=\"post\">\n  {% csrf_token %}\n" + "  <p>field</p>\n" * 14 + "</form>\n"
    f = finding(rule_id="tmp.rules.django-no-csrf-token", title="Manually-created forms in django templates should specify a csrf_token",
                location={"path": "templates/generic/confirmation_form.html", "start_line": 2, "end_line": 18})
    rec, said = _reasons(tmp_path, {"templates/generic/confirmation_form.html": form}, f)
    assert rec["verdict"] == "false_positive" and "Django's own tag, which the rule accepts" in said and "Jinja" not in said
    assert "the form ends 15 lines after it" in said
    lang, block = suppression_for(f, rec)
    assert "{%" not in block and "{{" not in block  # a tag inside an HTML comment still runs
    g = dict(f, location={"path": "templates/c.html", "start_line": 2, "end_line": 18})
    rec, said = _reasons(tmp_path / "short", {"templates/c.html": form}, g)
    assert "{%" not in suppression_for(g, rec)[1] and "the csrf_token tag" in suppression_for(g, rec)[1]


PG = """Within the shell, enter the following commands, substituting your own value for the password:

```postgresql
CREATE USER netbox WITH PASSWORD 'J5brHrAXFLQSif0K';
```
"""
NETBOX = """A username and password must be defined for the default database.

```python
DATABASES = {
    'default': {
        'PASSWORD': 'J5brHrAXFLQSif0K', # PostgreSQL password
    }
}
```
"""


def _docs_secret(path: str, line: int):
    return finding(rule_id="tmp.rules.generic-api-key", title="Generic API Key", kind="code",
                   snippet="        'PASSWORD': 'J5brHrAXFLQSif0K', # PostgreSQL password",
                   location={"path": path, "start_line": line, "end_line": line})


def test_a_docs_value_the_documentation_introduces_as_an_example_is_no_leak(tmp_path):
    """netbox's docs/installation/3-netbox.md:152, the sample PostgreSQL password of 1-postgresql.md (set 43)."""
    files = {"docs/installation/3-netbox.md": NETBOX, "docs/installation/1-postgresql.md": PG}
    rec, said = _reasons(tmp_path, files, _docs_secret("docs/installation/3-netbox.md", 6))
    assert rec["verdict"] == "false_positive" and "docs/installation/1-postgresql.md:4 (introduced as an example on line 1)" in said
    assert "J5brHrAXFLQSif0K" not in said
    rec, said = _reasons(tmp_path / "own", {"docs/installation/3-netbox.md": NETBOX.replace("A username", "Example: a username")},
                         _docs_secret("docs/installation/3-netbox.md", 6))
    assert rec["verdict"] == "false_positive" and "calls it an example (line 1)" in said


def test_a_docs_value_shown_once_without_a_word_of_example_stays(tmp_path):
    rec, said = _reasons(tmp_path, {"docs/installation/3-netbox.md": NETBOX}, _docs_secret("docs/installation/3-netbox.md", 6))
    assert "a documentation example" not in said
    other = {"docs/installation/3-netbox.md": NETBOX, "docs/deploy.md": PG.replace("substituting your own value for the password", "then")}
    rec, said = _reasons(tmp_path / "b", other, _docs_secret("docs/installation/3-netbox.md", 6))
    assert "a documentation example" not in said  # one other page, which does not call it an example
