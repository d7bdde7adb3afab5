"""Checks from held-out set 32 (Argus, miniflux, django-wiki, terraform-aws-msk-kafka-cluster, modoboa) and its
round-37 grades, written after its measurement, each with the neighbour that stays a finding."""

from __future__ import annotations

from test_triage_containers import Files, bandit_at, semgrep_at

WORKFLOW = """name: Modoboa App
on:
  push:
  release:
    types: [ published ]
jobs:
  test:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:16
        env:
          POSTGRES_USER: postgres
          POSTGRES_PASSWORD: postgres
    steps:
      - uses: actions/checkout@v4
      - run: psql -h localhost -U postgres -c 'select 1' postgres
  release:
    needs: test
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_a_password_word_the_text_uses_as_a_name_is_cut_only_where_it_is_the_value():
    """modoboa's CI workflow: `POSTGRES_PASSWORD: postgres` made every `postgres` (image, service, psql) a redaction
    marker, the YAML no longer parsed, and the permissions row then counted the release job's id-token (round 37)."""
    import yaml

    from tasks.findings.redact import marker, scrub

    out = scrub(WORKFLOW, ["postgres"])
    assert "POSTGRES_PASSWORD: " + marker("postgres") in out and "image: postgres:16" in out
    assert out.count(marker("postgres")) == 1 and yaml.safe_load(out)["jobs"]["test"]["services"]["postgres"]
    once = "password = 'sunflower'\nlogin(password)\n"
    assert scrub(once, ["sunflower"]) == f"password = '{marker('sunflower')}'\nlogin(password)\n"
    lone = "db = connect(user='app', secret='sunflower', name='sunflower')"  # one other use: still cut everywhere
    assert "sunflower" not in scrub(lone, ["sunflower"])


def test_the_top_level_block_of_a_workflow_counts_no_job_that_sets_its_own():
    from tasks.findings.model import as_finding
    from tasks.fixes.api_workflows import gha_permissions_fix
    from tasks.fixes.gha_jobs import _line

    f = as_finding({"id": "1" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV2_GHA_1", "title":
                    "Ensure top-level permissions are not set to write-all", "description": "d",
                    "location": {"path": ".github/workflows/modoboa.yml", "start_line": 21}})
    answer, _, _ = gha_permissions_fix(f, WORKFLOW, "github-actions")
    block = answer.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert block == "permissions:\n  contents: read\n" and "job release (line 18) sets id-token: write" in answer
    assert _line(WORKFLOW, "release") == 18  # the job, not the `release:` trigger on line 4
    broken = WORKFLOW.replace("image: postgres:16", "image: [REDACTED secret sha256:a942b37ccfaf]:16")
    answer, why, _ = gha_permissions_fix(f, broken, "github-actions")
    assert answer is None and "a job sets its own permissions" in why


def test_translation_labels_in_a_catalogue_are_no_secrets_even_when_varied():
    """miniflux's de_DE.json `"RSS-Bridge-Authentifizierungs-Token"` (CKV_SECRET_6, seven findings, both labellers)."""
    from tasks.findings.secret_evidence import WORDS, classify_one
    from tasks.triage.context import check_secret

    assert classify_one("RSS-Bridge-Authentifizierungs-Token")["match"] == WORDS
    assert classify_one("Xk29fLq0zPw8-sVt3aa")["match"] is None
    ev = classify_one("RSS-Bridge-Authentifizierungs-Token")
    f = {"id": "2" * 32, "tool": "checkov", "kind": "secret", "rule_id": "CKV_SECRET_6", "title": "Base64 High Entropy String",
         "description": "d", "secret_evidence": ev, "snippet": '318     "form.integration.rssbridge_token": "…",\n',
         "location": {"path": "internal/locale/translations/de_DE.json", "start_line": 318, "end_line": 318}}
    hit = check_secret(f, None)
    assert hit["status"] == "not_a_secret" and "translation catalogue internal/locale/translations/de_DE.json" in hit["evidence"]
    elsewhere = dict(f, location={"path": "internal/config/defaults.json", "start_line": 318, "end_line": 318})
    assert check_secret(elsewhere, None)["status"] != "not_a_secret"


def test_a_go_template_form_with_its_csrf_field_and_a_vue_v_html_of_a_translated_literal():
    from tasks.triage.template_forms import check_form_csrf
    from tasks.triage.vue_html import check_vhtml_constant

    page = ('<form action="{{ routePath "/feeds/refresh" }}" method="post">\n'
            '    <input type="hidden" name="csrf" value="{{ .csrf }}">\n</form>\n')
    hit = check_form_csrf(semgrep_at("django-no-csrf-token", "templates/feed_menu.html", 1), Files(page))
    assert hit and "(the Go template writes the token" in hit["evidence"]
    vue = ("<li\n  v-html=\"\n    $gettext(\n      'Go to <strong>Settings > General</strong> section',\n      true\n    )\n  \"\n"
           "></li>\n<li v-html=\"item.description\"></li>\n")
    hit = check_vhtml_constant(semgrep_at("javascript.vue.security.audit.xss.templates.avoid-v-html", "a.vue", 1), Files(vue))
    assert hit and "renders `$gettext( 'Go to <strong>Settings > General</strong> section', true )`" in hit["evidence"]
    assert check_vhtml_constant(semgrep_at("avoid-v-html", "a.vue", 9), Files(vue)) is None


def test_a_dockerfile_a_compose_file_above_runs_is_no_base_image_and_a_dev_image_is_named():
    """modoboa's docker/Dockerfile.front.dev, run by the root docker-compose.yml as service `front`, was called 'a base
    image that others build FROM' (set 32's audit, two stage-1 rows)."""
    from tasks.triage.context import path_class
    from tasks.triage.server_image import check_server_image

    compose = ("services:\n  front:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile.front.dev\n"
               "    command: yarn dev --host\n")
    files = {"docker/Dockerfile.front.dev": "FROM node:22\nWORKDIR /home/node\n", "docker-compose.yml": compose,
             "docker/Dockerfile.base": "FROM node:22\nWORKDIR /home/node\n"}
    f = {"id": "3" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_DOCKER_3", "title": "t", "description": "d",
         "location": {"path": "docker/Dockerfile.front.dev", "start_line": 1}}
    assert check_server_image(f, Files(files)) is None
    base = dict(f, location={"path": "docker/Dockerfile.base", "start_line": 1})
    assert check_server_image(base, Files(files))["status"] == "base_image"  # nothing runs that one
    assert path_class("docker/Dockerfile.front.dev") == "dev_image" and path_class("docker/Dockerfile.amavis.dev") == "dev_image"
    assert path_class("Dockerfile.dev") == "dev_image" and path_class("docker/Dockerfile") is None
    assert path_class("docker/Dockerfile.devtools") is None


def test_zero_address_in_allowed_hosts_and_md5_of_random_bytes_for_an_upload_path():
    from tasks.triage.bind_url import check_bind_url
    from tasks.triage.flow import check_hash_use

    hosts = 'ALLOWED_HOSTS = [\n    "localhost",\n    "0.0.0.0",\n]\napp.run(host="0.0.0.0")\n'
    hit = check_bind_url(bandit_at("B104", 3, "testproject/settings/dev.py"), Files(hosts))
    assert hit and "an entry of ALLOWED_HOSTS, a list the application compares requests with (the Host header)" in hit["evidence"]
    assert check_bind_url(bandit_at("B104", 5, "testproject/settings/dev.py"), Files(hosts)) is None
    code = ("import hashlib\nimport random\n\n\ndef upload_path(instance, filename):\n"
            "    upload_path = hashlib.md5(str(random.randint(0, 100000000000000)).encode('ascii')).hexdigest()\n"
            "    return upload_path\n\n\ndef hashed_upload_to(instance, filename):\n    return hashlib.md5(filename.encode()).hexdigest()\n")
    title = "Use of weak MD5 hash for security. Consider usedforsecurity=False"
    assert check_hash_use(bandit_at("B324", 6, "attachments/models.py", title), Files(code)) is None  # unguessable: security
    assert check_hash_use(bandit_at("B324", 11, "attachments/models.py", title), Files(code)) is not None


def test_round_37_wording_urlretrieve_takes_no_timeout_and_cbc_is_a_mode_not_a_broken_cipher():
    from tasks.enrich.mechanisms import mechanism
    from tasks.fixes.line_fit import _url_scheme

    said = _url_scheme(["def download(url, filename):\n", "    request.urlretrieve(url, str(filename))\n"], 43, 44)
    assert "check the scheme of `url` before line 44" in said and "`urlretrieve` takes no timeout" in said
    opened = _url_scheme(["def get(url):\n", "    return urlopen(url)\n"], 1, 2)
    assert "takes no timeout" not in opened
    f = semgrep_at("python.cryptography.security.crypto-mode-without-authentication.crypto-mode-without-authentication",
                   "wiki/lib.py", 105)
    text = mechanism(f, ["CWE-327"])
    assert text.startswith("The cipher itself (AES) is sound; the mode (CBC, CTR, ECB) without a MAC is not")
    assert mechanism(semgrep_at("python.lang.security.insecure-hash-algorithm-md5", "a.py", 1), ["CWE-327"]) != text


def test_a_json_key_is_no_flagged_value_and_a_push_to_another_host_needs_no_contents_write():
    """miniflux: CKV_SECRET_6's masked value was read as the line's key `form.integration.betula_token` (29 characters,
    high entropy) instead of its value "Betula-tunnus"; its Codeberg mirror was given `contents: write` (round 37)."""
    from tasks.findings.model import as_finding
    from tasks.fixes.gha_jobs import gha_permissions
    from tasks.triage.file_secrets import file_evidence

    text = '{\n    "form.integration.betula_token": "Betula-tunnus",\n    "api": "Xk29fLq0zPw8sVt3aaQ"\n}\n'

    def at(line):
        return as_finding({"id": "4" * 32, "tool": "checkov", "kind": "secret", "rule_id": "CKV_SECRET_6", "title": "t",
                           "description": "d", "location": {"path": "locale/fi_FI.json", "start_line": line, "end_line": line}})
    assert file_evidence(at(2), Files(text))["length"] == len("Betula-tunnus")
    assert file_evidence(at(3), Files(text))["class"] == "high-entropy"
    mirror = ("jobs:\n  mirror:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
              "      - run: |\n          git remote add codeberg https://${{ secrets.U }}:${{ secrets.T }}@codeberg.org/m/v2.git\n"
              "          git push --force --prune codeberg \"refs/heads/*:refs/heads/*\"\n")
    block, note = gha_permissions(mirror)
    assert block == "permissions:\n  contents: read" and "a remote on codeberg.org with that host's own credential" in note
    assert gha_permissions(mirror.replace("--prune codeberg", "--prune origin"))[0] == "permissions:\n  contents: write"


def test_mark_safe_of_a_literal_an_openapi_spec_whose_operations_all_declare_security_and_a_slack_placeholder():
    import json

    from tasks.findings.model import as_finding
    from tasks.triage.constant import check_constant
    from tasks.triage.file_secrets import with_file_evidence
    from tasks.triage.openapi_security import check_operation_security

    form = ('widget = forms.CheckboxInput(\n    attrs={\n        "onclick": mark_safe(\n'
            '            "$(\'#id_edit\').attr(\'checked\', $(this).is(\':checked\'));"\n        )\n    }\n)\n'
            'label = mark_safe(user.name)\n')
    f = bandit_at("B308", 3, "wiki/forms.py", "Use of mark_safe() may expose cross-site scripting vulnerabilities")
    hit = check_constant(f | {"location": {"path": "wiki/forms.py", "start_line": 3, "end_line": 5}}, Files(form))
    assert hit and hit["evidence"].startswith("constant input: mark_safe('…') at wiki/forms.py:3 takes only literals")
    assert check_constant(bandit_at("B308", 8, "wiki/forms.py", "mark_safe"), Files(form)) is None
    ops = {"/a/": {"get": {"security": [{"tokenAuth": []}]}, "post": {"security": [{"tokenAuth": []}]}}}
    spec = {"openapi": "3.0.3", "paths": ops}
    g = {"id": "5" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_OPENAPI_4", "title": "t", "description": "d",
         "location": {"path": "doc/openapi.json", "start_line": 1}}
    hit = check_operation_security(g, Files(json.dumps(spec)))
    assert hit and "every one of the 2 operations in doc/openapi.json declares its own security requirement (tokenAuth)" in hit["evidence"]
    ops["/a/"]["get"]["security"].append({})  # `{}`: the operation is also open to anonymous callers
    assert check_operation_security(g, Files(json.dumps(spec))) is None
    page = ('<input type="url" name="slack_webhook_link" id="form-slack-webhook-link" value="{{ .form.SlackWebhookLink }}" '
            'placeholder="https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX" spellcheck="false">\n')
    found = with_file_evidence(as_finding(semgrep_at("generic.secrets.security.detected-slack-webhook.slack-webhook-url",
                                                     "views/integrations.html", 1)), Files(page))
    assert found.secret_evidence["class"] == "placeholder" and found.secret_evidence["length"] == 77


def test_jquery_append_of_what_a_helper_returns_when_it_returns_an_element():
    """django-wiki's diffview.js: `$(tbody).append(get_row(...))`, get_row building a <tr> with createElement."""
    from tasks.triage.jquery_dom import check_jquery_dom

    js = ("function get_row(a, data) {\n  tr = document.createElement('tr');\n"
          "  $(tr).append(document.createTextNode(data));\n  return tr\n}\n"
          "function get_html(data) {\n  return '<td>' + data + '</td>'\n}\n"
          "$(tbody).append(get_row(1, x));\n$(tbody).append(get_html(x));\n")
    rule = "javascript.jquery.security.audit.jquery-insecure-method.jquery-insecure-method"
    hit = check_jquery_dom(semgrep_at(rule, "static/diffview.js", 9), Files(js))
    assert hit and "takes what `get_row()` returns (defined on line 1); `tr`, set on line 2 to " \
                   "`document.createElement('tr')`, a DOM element" in hit["evidence"]
    assert check_jquery_dom(semgrep_at(rule, "static/diffview.js", 10), Files(js)) is None
