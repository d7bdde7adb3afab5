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
