"""Checks from held-out set 31 (alerta, full-stack-fastapi-template, terraform-aws-opensearch, fiduswriter, ckan),
written after its measurement, each with the neighbour that stays a finding."""

from __future__ import annotations

from test_triage_containers import Files, semgrep_at

TEMPLATES = """const label = gettext("Footnote")
export const footnoteTemplate = ({isFootnote, elements}) => `<label>
    <input type="checkbox" ${elements.includes("footnote") ? "checked" : ""}/>
    ${gettext("Footnote")}
</label>`
export const userTemplate = ({user}) => `<li>
    ${user.name} ${gettext("joined")}
</li>`
export const countTemplate = ({n}) => `<b>${gettext(n)}</b>`
"""


def test_html_built_only_from_translations_of_literal_text_is_constant():
    """fiduswriter's templates.js: `${gettext("Footnote")}` and a ternary of literals (set 31, both labellers)."""
    from tasks.triage.escaped_js import escaped_sink

    rule = "javascript.lang.security.html-in-template-string.html-in-template-string t"
    found = escaped_sink(TEMPLATES, 2, "static/js/templates.js", rule)
    assert found and found[0] == "constant_input" and 'gettext("Footnote")' in found[1]
    assert "the translation catalogue is the project's own" in found[1]
    assert escaped_sink(TEMPLATES, 6, "static/js/templates.js", rule) is None  # user.name is data
    assert escaped_sink(TEMPLATES, 9, "static/js/templates.js", rule) is None  # gettext of a variable: not a literal


def test_a_connection_url_is_judged_by_its_password_alone():
    """ckan's config_declaration.yaml: `postgresql://ckan_default:pass@localhost/...` was called 'high-entropy (53
    characters)' for the address around a four-letter password; the documented USERNAME:PASSWORD@HOST shape too."""
    from tasks.findings.secret_evidence import classify_one

    weak = classify_one("postgresql://ckan_default:pass@localhost/ckan_default")
    assert weak["class"] == "plain-word" and weak["length"] == 4
    assert weak["match"] == "the password of a postgresql URL to localhost: a plain word (4 characters, 1.5 bits/char)"
    assert "pass@" not in weak["match"] and ":pass" not in weak["match"]  # the value itself is never shown
    shape = classify_one("postgres://USERNAME:PASSWORD@HOST/DBNAME")
    assert shape["class"] == "placeholder" and "upper-case placeholder word" in shape["match"]
    assert classify_one("postgres://app:Xk29fLq0zPw8sVt3@db.prod.internal/app")["class"] == "high-entropy"


def test_a_project_template_a_dev_container_and_an_example_prefixed_folder_are_named_for_what_they_are():
    from tasks.triage.context import check_path, path_class

    assert path_class("contrib/cookiecutter/ckan_extension/{{cookiecutter.project}}/.github/workflows/test.yml") == "scaffold"
    assert path_class(".devcontainer/docker-compose.yml") == "devcontainer"
    assert path_class("ckanext/example_flask_iblueprint/plugin.py") == "example"
    assert path_class("ckanext/examples_of_use_are_data/plugin.py") is None
    assert path_class("ckanext/datastore/plugin.py") is None
    hit = check_path({"id": "1" * 32, "tool": "semgrep", "kind": "config", "rule_id": "no-new-privileges", "title": "t",
                      "description": "d", "location": {"path": ".devcontainer/docker-compose.yml", "start_line": 57}})
    assert hit["status"] == "not_deployed" and "development container's configuration" in hit["evidence"]


OPENSEARCH = """resource "aws_opensearch_domain" "this" {
  count = var.create ? 1 : 0

  dynamic "domain_endpoint_options" {
    for_each = length(var.domain_endpoint_options) > 0 ? [var.domain_endpoint_options] : []

    content {
      enforce_https       = try(domain_endpoint_options.value.enforce_https, true)
      tls_security_policy = try(domain_endpoint_options.value.tls_security_policy, "Policy-Min-TLS-1-0-2019-07")
    }
  }
}
"""
VARIABLES = """variable "domain_endpoint_options" {
  description = "Configuration block for domain endpoint HTTP(S) related options"
  type        = any
  default = {
    enforce_https = true
  }
}
"""


def _checkov(rule):
    return {"id": "2" * 32, "tool": "checkov", "kind": "config", "severity": "medium", "rule_id": rule, "title": "t",
            "description": "d", "location": {"path": "main.tf", "start_line": 1, "end_line": 12}}


def test_a_dynamic_block_that_sets_the_setting_safely_by_default():
    """terraform-aws-opensearch: CKV_AWS_83 fails on `enforce_https = try(...value.enforce_https, true)` with the
    variable defaulting to {enforce_https = true} (set 31, both labellers: HTTPS is enforced by default)."""
    from tasks.triage.dynamic_default import check_dynamic_default

    repo = Files({"main.tf": OPENSEARCH, "variables.tf": VARIABLES})
    hit = check_dynamic_default(_checkov("CKV_AWS_83"), repo)
    assert hit and "`try(domain_endpoint_options.value.enforce_https, true)` (main.tf:8)" in hit["evidence"]
    assert "var.domain_endpoint_options defaults to a map that sets it the same way (variables.tf:4)" in hit["evidence"]
    assert check_dynamic_default(_checkov("CKV_AWS_228"), repo) is None  # the fallback allows TLS 1.0
    off = Files({"main.tf": OPENSEARCH, "variables.tf": VARIABLES.replace("enforce_https = true", "enforce_https = false")})
    assert check_dynamic_default(_checkov("CKV_AWS_83"), off) is None
    empty = Files({"main.tf": OPENSEARCH, "variables.tf": VARIABLES.replace("{\n    enforce_https = true\n  }", "{}")})
    assert check_dynamic_default(_checkov("CKV_AWS_83"), empty) is None  # no block at all: nothing enforces HTTPS


def test_a_regular_expression_is_no_comment_in_javascript():
    """ckan's tracking.js: `/\\/*$/` read as the start of a `/* */` comment made a live line 'commented out'."""
    from tasks.triage.commented_out import check_commented_out

    code = ("/* a header\n * comment */\nvar path = url.replace(/\\/*$/, '');\n"
            "el.innerHTML = data;\nvar end = '*/';\n")
    hit = check_commented_out(semgrep_at("insecure-innerhtml", "assets/tracking.js", 4), Files(code))
    assert hit is None
    assert check_commented_out(semgrep_at("insecure-innerhtml", "assets/tracking.js", 1), Files(code))["status"] == "commented_out"


def test_sql_that_formats_in_only_the_servers_configuration():
    """alerta's get_unshelve: `.format(timeout=current_app.config['SHELVE_TIMEOUT'])` (set 31, both labellers)."""
    from test_triage_containers import bandit_at

    from tasks.triage.config_input import check_config_input

    code = ("from flask import current_app, request\n\n\ndef unshelve(db):\n    select = '''\n        SELECT * FROM alerts\n"
            "         WHERE COALESCE(timeout, {timeout}) != 0\n    '''.format(timeout=current_app.config['SHELVE_TIMEOUT'])\n"
            "    return db.fetch(select)\n\n\ndef tags(db, where):\n    select = 'SELECT tags FROM alerts WHERE {}'.format(where)\n"
            "    return db.fetch(select)\n\n\ndef mixed(db):\n    return db.fetch('SELECT * FROM a WHERE x = %s AND y = %s' % "
            "(current_app.config['X'], request.args['y']))\n")

    def at(line, end=None):
        return bandit_at("B608", line, "app/db.py") | {"location": {"path": "app/db.py", "start_line": line, "end_line": end or line}}
    hit = check_config_input(at(5, 8), Files(code))
    assert hit and "formats in only the server's own configuration (current_app.config['SHELVE_TIMEOUT'])" in hit["evidence"]
    assert check_config_input(at(13), Files(code)) is None  # a parameter
    assert check_config_input(at(18), Files(code)) is None  # configuration and a request value


def test_a_jinja_form_with_ckans_csrf_input_helper_sends_its_token():
    """ckan's language_selector.html: `{{ h.csrf_input() }}` in the POST form (set 31, both labellers)."""
    from tasks.triage.template_forms import check_form_csrf

    page = ('<form action="/locale" method="POST">\n  {{ h.csrf_input() }}\n  <select name="code"></select>\n</form>\n'
            '<form action="/other" method="POST">\n  <input name="q">\n</form>\n')
    rule = "python.django.security.django-no-csrf-token.django-no-csrf-token"
    hit = check_form_csrf(semgrep_at(rule, "templates/snippets/language_selector.html", 1), Files(page))
    assert hit and "line 2: `{{ h.csrf_input() }}`" in hit["evidence"]
    assert check_form_csrf(semgrep_at(rule, "templates/snippets/language_selector.html", 5), Files(page)) is None


def test_a_dummy_password_in_a_test_also_names_the_test_it_sits_in():
    """Set 31's audit: fiduswriter's `password="testpass"` in test_e2ee.py was judged by its value alone."""
    from tasks.triage.verdict import Judge

    ev = {"class": "example", "match": "dummy/fake/sample value: test", "length": 8, "entropy": 2.5}
    f = {"id": "p" * 32, "tool": "bandit", "rule_id": "B106", "kind": "code", "severity": "low", "description": "d",
         "title": "Possible hardcoded password", "location": {"path": "app/tests/test_login.py", "start_line": 40,
                                                                "end_line": 40},
         "snippet": "40     user = User(password='testpass')\n", "secret_evidence": ev}
    reasons = Judge().judge(f)["reasons"]
    assert [r["check"] for r in reasons] == ["secret"]  # round 52: the path's "opens only what the tests set up" said once
    assert reasons[0]["evidence"].endswith("at app/tests/test_login.py:40 is a dummy value: it names itself `test` "
                                           "(8 characters) in test code; it opens only what the tests set up")
    outside = Judge().judge(f | {"location": {"path": "app/login.py", "start_line": 40, "end_line": 40}})["reasons"]
    assert [r["check"] for r in outside] == ["secret"]


def test_a_jquery_named_plugin_without_licence_or_version_is_the_projects_own():
    """ckan's plugins/jquery.slug-preview.js was called 'vendored third-party library code' by its name (round 36)."""
    from repo_reader import FilesReader

    from tasks.triage.context import check_path

    own = "/* Creates a new preview element for a slug field.\n *\n * options - An object of plugin options.\n */\n"
    bought = "/*!\n * jQuery Validation Plugin v1.19.5\n * Copyright (c) 2022 Jörn Zaefferer\n * Released under the MIT license\n */\n"
    path = "ckan/public/base/javascript/plugins/jquery.slug-preview.js"
    f = {"id": "1" * 32, "tool": "semgrep", "kind": "code", "rule_id": "x", "title": "t", "description": "d",
         "location": {"path": path, "start_line": 52}}
    assert check_path(f, FilesReader({path: own + "$(function () {});\n"})) is None
    assert check_path(f, FilesReader({path: bought + "$(function () {});\n"}))["status"] == "library"
    assert check_path(f, None)["status"] == "library"  # without the file, the name is all there is


def test_round_36_wording_an_index_name_a_setting_key_a_long_test_name_and_one_quote():
    """Round 36's stage-1 grades: SHA-1 that names a PostgreSQL index called a true positive (s1-04); a setting's key
    `ckan.webassets.path` elided as '…' (s1-07); a Cypress test name cut mid-word and quoted as whole (s1-02); a
    jQuery literal quoted twice in a row (s1-01)."""
    import re

    from test_triage_containers import bandit_at

    from tasks.triage.flow import check_hash_use
    from tasks.triage.jquery_dom import check_jquery_dom
    from tasks.triage.test_site import _enclosing_test, credential_elided

    code = ("import hashlib\n\n\ndef _generate_index_name(resource_id: str, field: str):\n"
            "    value = (resource_id + field).encode('utf-8')\n    return hashlib.sha1(value).hexdigest()\n\n\n"
            "def login_token(p):\n    return hashlib.sha1(p.encode()).hexdigest()\n")
    title = "Use of weak SHA1 hash for security. Consider usedforsecurity=False"
    hit = check_hash_use(bandit_at("B324", 6, "backend/postgres.py", title), Files(code))
    assert hit and "is what _generate_index_name() returns, an identifier" in hit["evidence"]
    assert "no harder to guess" in hit["evidence"] and "recover" not in hit["evidence"]  # round 45: no guessed input
    assert check_hash_use(bandit_at("B324", 10, "backend/postgres.py", title), Files(code)) is None
    line = '@pytest.mark.ckan_config("ckan.webassets.path", "/tmp/webassets") key="Xk29fLq0zPw8sVt3aa"'
    assert re.sub(r"(['\"])([^'\"\n]{13,})\1", credential_elided, line) == \
        '@pytest.mark.ckan_config("ckan.webassets.path", "/tmp/webassets") key="…"'
    lines = ["  it('should create and submit a form if no hx-post and withData is false', () => {\n", "    go()\n"]
    assert _enclosing_test(lines, 2) == "it('should create and submit a form if no hx-post and withData i…')"
    js = "function go(form, format) {\n  const f = $('<input name=\"format\" type=\"hidden\"/>')\n  form.append(f)\n}\n"
    said = check_jquery_dom(semgrep_at("jquery-insecure-method", "a.js", 3), Files(js))["evidence"]
    assert said.count("$('<input") == 1 and "type=\"hidden\"/>')`, an empty element made from a literal tag" in said


def test_round_36_harmful_fixes_a_minidom_swap_that_unbinds_xml_and_a_keyword_a_spread_call_may_hold():
    """s2-02: `import xml.dom.minidom` -> `import defusedxml.minidom` left `xml.dom.minidom.parseString` at ckan's
    start-up undefined (NameError); s2-10: `autoescape=True` added beside `**get_jinja_env_options()`, which returns
    it already (TypeError); that call's options are now read, so the finding is a false positive."""
    from tasks.fixes.scanner_fixes import spread_keyword
    from tasks.fixes.xml_build import builds_xml
    from tasks.triage.jinja_options import check_jinja_options

    helpers = "import logging\nimport xml.dom.minidom\n\n\ndef load(s):\n    return xml.dom.minidom.parseString(s)\n"
    assert builds_xml("import xml.dom.minidom", helpers) == "xml.dom.minidom.parseString (line 6)"
    assert builds_xml("from xml.dom import minidom", "from xml.dom import minidom\nd = minidom.parseString(s)\n") is None
    assert builds_xml("from xml.dom import minidom", "d = minidom.Document()\n") == "minidom.Document (line 1)"
    kw = spread_keyword(["    env = Environment(**jinja_extensions.get_jinja_env_options())"],
                        ["    env = Environment(autoescape=True, **jinja_extensions.get_jinja_env_options())"], "")
    assert kw == ("autoescape", "jinja_extensions.get_jinja_env_options()")
    files = {"ckanext/activity/email_notifications.py": "from jinja2 import Environment\nimport ckan.lib.jinja_extensions as "
             "jinja_extensions\n\n\ndef render(t):\n    env = Environment(**jinja_extensions.get_jinja_env_options())\n"
             "    return env.from_string(t)\n",
             "ckan/lib/jinja_extensions.py": "def get_jinja_env_options():\n    return dict(\n        loader=None,\n"
             "        autoescape=True,\n    )\n"}
    rule = "python.jinja2.security.audit.missing-autoescape-disabled.missing-autoescape-disabled"
    hit = check_jinja_options(semgrep_at(rule, "ckanext/activity/email_notifications.py", 6), Files(files))
    assert hit and "get_jinja_env_options() returns `autoescape=True` (ckan/lib/jinja_extensions.py:2)" in hit["evidence"]
    off = dict(files, **{"ckan/lib/jinja_extensions.py": files["ckan/lib/jinja_extensions.py"].replace("True", "False")})
    assert check_jinja_options(semgrep_at(rule, "ckanext/activity/email_notifications.py", 6), Files(off)) is None
