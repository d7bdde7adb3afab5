"""Checks from held-out set 26 (Tandoor Recipes, Baby Buddy, JupyterHub, terraform-aws-ecr), written after its
measurement, each with the neighbour that stays a finding."""

from __future__ import annotations

from test_triage_containers import Files

from tasks.triage.verdict import Judge

DEPLOY_DOC = ("## Google Cloud Run\n\nBaby Buddy can be deployed with the Terraform configuration in\n"
              "`terraform/gcp-cloud-run`. The configuration scales down to zero for cost-effectiveness.\n\n"
              "The terraform code isn't production ready and is meant to be a good way of getting started.\n")
MAIN_TF = 'resource "google_sql_database_instance" "db" {\n  database_version = "POSTGRES_15"\n}\n'


def _ckv(rule: str, path: str, line: int = 1) -> dict:
    return {"id": "9" * 32, "tool": "checkov", "kind": "config", "severity": "medium", "rule_id": rule,
            "title": "Ensure PostgreSQL database 'log_connections' flag is set to 'on'", "description": "d",
            "location": {"path": path, "start_line": line, "end_line": line + 2}}


def test_infrastructure_the_docs_call_a_starting_point_is_no_deployment():
    """babybuddy's terraform/gcp-cloud-run: docs/setup/deployment.md:133 "isn't production ready" (set 26, 10 findings)."""
    repo = Files({"docs/setup/deployment.md": DEPLOY_DOC, "terraform/gcp-cloud-run/main.tf": MAIN_TF,
                  "terraform/prod/main.tf": MAIN_TF})
    rec = Judge(reader=repo, imports=repo).judge(_ckv("CKV_GCP_52", "terraform/gcp-cloud-run/main.tf"))
    ev = rec["reasons"][0]["evidence"]
    assert rec["verdict"] == "false_positive" and ev.startswith(
        "a starting point, not the project's deployment: docs/setup/deployment.md:6 says of terraform/gcp-cloud-run/ "
        "\"The terraform code isn't production ready")
    # another folder the docs do not name, and a secret in the named one, stay findings
    assert "starting point" not in str(Judge(reader=repo, imports=repo).judge(_ckv("CKV_GCP_52", "terraform/prod/main.tf")))
    secret = _ckv("CKV_SECRET_6", "terraform/gcp-cloud-run/main.tf") | {"kind": "secret", "title": "Base64 High Entropy String"}
    assert "starting point" not in str(Judge(reader=repo, imports=repo).judge(secret))


def test_a_folders_own_readme_disclaims_it_and_a_whole_project_disclaimer_does_not():
    from tasks.triage.disclaimed import check_disclaimed

    repo = Files({"deploy/k8s/README.md": "These manifests are not meant for production.\n",
                  "deploy/k8s/app.yaml": "kind: Deployment\n", "README.md": "This project is not production ready.\n",
                  "Dockerfile": "FROM python:3.12\n"})
    assert check_disclaimed(_ckv("CKV_K8S_20", "deploy/k8s/app.yaml"), repo, repo.files)["evidence"].startswith(
        "a starting point, not the project's deployment: deploy/k8s/README.md:1 says of deploy/k8s/")
    assert check_disclaimed(_ckv("CKV_DOCKER_3", "Dockerfile"), repo, repo.files) is None  # the root is the project


JINJA = '''from jinja2 import Environment, FileSystemLoader


class App:
    def init_tornado_settings(self):
        jinja_options = dict(autoescape=True, enable_async=True)
        jinja_options.update(self.jinja_environment_options)
        loader = FileSystemLoader(self.template_paths)
        jinja_env = Environment(loader=loader, **jinja_options)
        del jinja_options['enable_async']
        return jinja_env

    def plain(self):  # line 13
        options = dict(enable_async=True)
        return Environment(loader=None, **options)
'''


def test_autoescape_set_in_the_spread_options_is_on():
    """jupyterhub/app.py:3255 (set 26): `Environment(loader=loader, **jinja_options)`, autoescape=True two lines up."""
    from tasks.triage.jinja_options import check_jinja_options

    rule = "python.jinja2.security.audit.missing-autoescape-disabled.missing-autoescape-disabled"
    f = {"id": "8" * 32, "tool": "semgrep", "kind": "code", "severity": "medium", "rule_id": rule, "title": "t",
         "description": "d", "location": {"path": "jupyterhub/app.py", "start_line": 9, "end_line": 9}}
    hit = check_jinja_options(f, Files(JINJA))
    assert hit["evidence"].startswith("autoescaping is on: jupyterhub/app.py:9 passes `**jinja_options`, which line 6 sets to "
                                      "`dict(autoescape=True, enable_async=True)`")
    assert "`jinja_options.update(self.jinja_environment_options)` at line 7" in hit["evidence"]
    assert Judge(reader=Files(JINJA), imports=Files({"jupyterhub/app.py": JINJA})).judge(f)["verdict"] == "false_positive"
    f["location"] = {"path": "jupyterhub/app.py", "start_line": 15, "end_line": 15}
    assert check_jinja_options(f, Files(JINJA)) is None  # the options never mention autoescape
    off = JINJA.replace("del jinja_options['enable_async']", "jinja_options['autoescape'] = False")
    f["location"] = {"path": "jupyterhub/app.py", "start_line": 9, "end_line": 9}
    assert check_jinja_options(f, Files(off)) is None


def test_a_module_call_that_creates_nothing_shows_no_default_passing():
    """terraform-aws-ecr's `module "ecr_disabled" { create = false }` (set 26's reason audit, n=100/109): checkov checks
    none of its resources (UNKNOWN), so it was wrongly cited as the module's default that does not fail."""
    from test_triage_module_inputs import FILES, _failed, _parse

    from tasks.triage.module_inputs import check_module_input

    f = _parse(_failed("CKV_AWS_79", "metadata_options/[0]/http_tokens", "wrapper", "wrappers/main.tf", "metadata_options"))
    off = FILES | {"examples/complete/main.tf": FILES["examples/complete/main.tf"].replace(
        'source = "../../"\n', 'source = "../../"\n  create = false\n')}
    assert check_module_input(f, Files(off), list(off)) is None
    assert check_module_input(f, Files(FILES), list(FILES))  # a call that creates the resource still shows it


def test_an_instruction_written_as_one_word_is_a_placeholder_and_a_passphrase_is_not():
    """terraform-aws-ecr's examples: `accessToken = "YouShouldNotStoreThisInPlainText"` (set 26, both labellers)."""
    from tasks.findings.secret_evidence import classify_one

    for value in ("YouShouldNotStoreThisInPlainText", "ReplaceWithYourOwnSecretToken", "DoNotCommitThisTokenAnywhere"):
        ev = classify_one(value, True, True)
        assert ev["class"] == "placeholder" and ev["match"].startswith("an instruction to the reader"), (value, ev)
        assert value not in str(ev)
    for value in ("CorrectHorseBatteryStaple", "MyDogHasNoFleasToday", "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1xy"):
        assert classify_one(value, True, True)["class"] != "placeholder", value


def test_demo_data_names_what_the_rule_found():
    from tasks.findings.model import as_finding
    from tasks.triage.paths import check_demo_data

    f = as_finding({"id": "7" * 32, "tool": "bandit", "kind": "code", "severity": "low", "rule_id": "B311", "title": "t",
                    "description": "d", "location": {"path": "core/management/commands/fake.py", "start_line": 3, "end_line": 3}})
    ev = check_demo_data(f)["evidence"]
    assert "its random picks make up sample data" in ev and "digest" not in ev


def test_djangos_password_reset_email_is_the_text_body():
    """babybuddy/templates/registration/password_reset_email.html (set 26): `{% autoescape off %}` in a text e-mail."""
    from tasks.triage.plain_text import check_plain_text

    def rule(path):
        return {"id": "6" * 32, "tool": "semgrep", "kind": "code", "severity": "medium", "title": "t", "description": "d",
                "rule_id": "python.django.security.audit.xss.template-autoescape-off.template-autoescape-off",
                "location": {"path": path, "start_line": 2, "end_line": 2}}

    hit = check_plain_text(rule("babybuddy/templates/registration/password_reset_email.html"))
    assert hit and "Django's PasswordResetView sends as the e-mail's plain-text body" in hit["evidence"]
    assert check_plain_text(rule("babybuddy/templates/registration/password_reset_form.html")) is None  # a page


API_MUSTACHE = """/* tslint:disable */
{{>licenseInfo}}

import * as runtime from '../runtime{{importFileExtension}}';
import type {
  {{#imports}}{{className}},{{/imports}}
} from '../models/index';

export interface {{operationIdCamelCase}}Request {
    {{paramName}}: {{{dataType}}};
}
"""


def test_a_mustache_template_that_generates_typescript_renders_no_html():
    """Tandoor's vue3/src/openapi/templates/apis.mustache (set 26): `{{{dataType}}}` writes a type into a .ts file."""
    from tasks.triage.code_template import check_code_template

    def rule(path, line):
        return {"id": "5" * 32, "tool": "semgrep", "kind": "code", "severity": "medium", "title": "t", "description": "d",
                "rule_id": "javascript.express.security.audit.xss.mustache.template-explicit-unescape",
                "location": {"path": path, "start_line": line, "end_line": line}}

    hit = check_code_template(rule("vue3/src/openapi/templates/apis.mustache", 10), Files(API_MUSTACHE))
    assert hit and hit["evidence"].startswith("no HTML is rendered: vue3/src/openapi/templates/apis.mustache is a code "
                                              "generator's template (`import * as runtime from")
    assert "`{{{ }}}` writes names" in hit["evidence"]
    page = "<div class='x'>\n  {{{body}}}\n</div>\nimport a\nexport b\n"
    assert check_code_template(rule("views/page.mustache", 2), Files(page)) is None


BOOL_ICON = '''from django.utils.safestring import mark_safe


def bool_icon(value):
    if value:
        classes = "icon-true text-success"
    else:
        classes = "icon-false text-danger"
    icon_html = '<i class="{}" aria-hidden="true"></i>'.format(classes)
    return mark_safe(icon_html)


def label(value, name):
    if value:
        classes = "on"
    else:
        classes = name
    return mark_safe('<i class="{}"></i>'.format(classes))
'''


def test_a_name_set_to_one_of_several_literals_is_constant_markup():
    """babybuddy's core/templatetags/bootstrap.py:20 (set 26): mark_safe of a literal formatted with one of two classes."""
    from tasks.triage.escaped_py import escaped_sink

    hit = escaped_sink(BOOL_ICON, 10, "python.django.security.audit.avoid-mark-safe.avoid-mark-safe")
    assert hit and hit["evidence"] == ("constant data: mark_safe() at line 10 wraps only literal text and `classes`, one "
                                       "of 2 literals (lines 6, 8); no markup can be injected")
    assert escaped_sink(BOOL_ICON, 18, "python.django.security.audit.avoid-mark-safe.avoid-mark-safe") is None


ROUND = '''from django.db.models import Func, FloatField


class Round(Func):
    function = 'ROUND'
    template = '%(function)s(%(expressions)s, 0)'


class Typed(Func):
    """A cast."""
    function = 'CAST'
    output_field = FloatField()


class Raw(Func):
    def as_sql(self, compiler, connection):
        return self.extra["sql"], []
'''


def test_a_func_subclass_that_sets_literals_only_writes_fixed_sql():
    """Tandoor's cookbook/helper/HelperFunctions.py:15 `class Round(Func)` (set 26)."""
    from tasks.triage.django_func import check_django_func

    def rule(line, code=ROUND):
        f = {"id": "4" * 32, "tool": "semgrep", "kind": "code", "severity": "medium", "title": "t", "description": "d",
             "rule_id": "python.django.security.audit.extends-custom-expression.extends-custom-expression",
             "location": {"path": "cookbook/helper/HelperFunctions.py", "start_line": line, "end_line": line}}
        return check_django_func(f, Files(code))

    assert rule(4)["evidence"].startswith("no SQL from outside: class Round at cookbook/helper/HelperFunctions.py:4 only "
                                          "sets literals (function = 'ROUND', template = '%(function)s(%(expressions)s, 0)')")
    assert rule(9) and rule(15) is None  # a field built from literals is fixed; an as_sql override is not
    assert rule(4, ROUND + "\n\ndef f(q, t):\n    return Round(q, template=t)\n") is None


SUBMIT_JS = """(function handleFormSubmit() {
  $("form").on("submit", function (event) {
    var submitter =
      (event.originalEvent && event.originalEvent.submitter) ||
      $(this).find('[type="submit"]')[0];
    if (!submitter || $(submitter).prop("disabled")) return;
    var other = event.data.html || $(this).find("b")[0];
    $(other).show();
    var picked = names.find(function (n) { return n; });
    $(picked).show();
  });
})();
"""


def test_a_submitter_element_or_a_collections_node_is_no_html():
    """babybuddy's static_src/js/babybuddy.js:45 `$(submitter)` (set 26): the submit event's button or the form's."""
    from tasks.triage.jquery_dom import check_jquery_dom

    def rule(line):
        f = {"id": "3" * 32, "tool": "semgrep", "kind": "code", "severity": "medium", "title": "t", "description": "d",
             "rule_id": "javascript.jquery.security.audit.jquery-insecure-selector.jquery-insecure-selector",
             "location": {"path": "babybuddy/static_src/js/babybuddy.js", "start_line": line, "end_line": line}}
        return check_jquery_dom(f, Files(SUBMIT_JS))

    hit = rule(6)
    assert hit and "`event.originalEvent.submitter`, a DOM element" in hit["evidence"]
    assert "existing nodes of the page" in hit["evidence"]
    assert rule(8) is None  # one side of || is data from the event
    assert rule(10) is None  # Array.prototype.find returns an item of the array, which may be a string


def test_a_keyword_the_spread_options_already_carry_is_not_added_twice():
    """jupyterhub's app.py (set 26, two harmful rows): semgrep's fix `Environment(loader=loader, **jinja_options,
    autoescape=True)` raised TypeError at start-up, since jinja_options = dict(autoescape=True, ...)."""
    from tasks.fixes.scanner_fixes import review

    text = ("    jinja_options = dict(autoescape=True, enable_async=True)\n"
            "    jinja_env = Environment(loader=loader, **jinja_options)\n")
    why, _ = review("xss", ["    jinja_env = Environment(loader=loader, **jinja_options)"],
                    ["    jinja_env = Environment(loader=loader, **jinja_options, autoescape=True)"], text)
    assert why and "already sets `autoescape` in `jinja_options`" in why and "TypeError" in why
    other = text.replace("autoescape=True, ", "")
    assert review("xss", ["    jinja_env = Environment(loader=loader, **jinja_options)"],
                  ["    jinja_env = Environment(loader=loader, **jinja_options, autoescape=True)"], other)[0] is None


SHARED_PW = '''import pytest


@pytest.fixture
def user_password():
    return "user_password"


async def test_empty_passwords():
    authenticator = SharedPasswordAuthenticator(
        user_password="",
        admin_password="s3cr3t-Value-Long-9",
    )
    # the admin password is s3cr3t-Value-Long-9 here
'''


def test_a_flagged_value_that_is_the_files_own_name_is_not_redacted_but_a_secret_is(tmp_path):
    """jupyterhub's test_shared_password.py (set 26): the fixture `user_password` returns its own name, and the prompt
    showed `[REDACTED …]=""` for the keyword argument; the real-looking password still goes everywhere it stands."""
    import subprocess

    from tasks.repository.source import SourceReader

    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "tests" / "test_pw.py").write_text(SHARED_PW)
    subprocess.run(["git", "-C", str(repo), "init", "-q"], check=True)
    reader = SourceReader(repo)
    b105 = {"id": "2" * 32, "tool": "bandit", "kind": "code", "severity": "low", "rule_id": "B105",
            "title": "Possible hardcoded password: 'user_password'", "description": "d",
            "location": {"path": "tests/test_pw.py", "start_line": 6, "end_line": 6}}
    b106 = b105 | {"rule_id": "B106", "title": "Possible hardcoded password: 's3cr3t-Value-Long-9'",
                   "location": {"path": "tests/test_pw.py", "start_line": 12, "end_line": 12}}
    reader.learn_secrets([b105, b106])
    text = reader.context("tests/test_pw.py", None, 11, 6)["text"]
    assert "user_password=\"\"," in text and "def user_password():" in text
    assert "s3cr3t-Value-Long-9" not in text and text.count("[REDACTED secret") == 2


def test_the_words_of_a_translation_catalogue_are_not_redacted():
    """Tandoor's vue3/src/locales/nl.json (set 26, s2-04): checkov's CKV_SECRET_6 on "API-sleutel" and "Toegangstoken";
    the prompt redacted both Dutch words. A value with digits or symbols in the same file still goes."""
    from tasks.findings.parsers.finalise import finalise
    from test_triage_containers import finding

    def ckv(value, path="vue3/src/locales/nl.json"):
        return finalise(finding(tool="checkov", kind="secret", rule_id="CKV_SECRET_6", title="Base64 High Entropy String",
                                location={"path": path, "start_line": 6, "end_line": 6},
                                snippet=f'5 {{\n6   "APIKey": "{value}",\n7 }}\n') | {})

    kept = ckv("Toegangstoken")
    assert "Toegangstoken" in kept["snippet"] and not kept.get("redacted")
    assert "aB3dE5fG7hI9jK1lM3nO5pQ7" not in ckv("aB3dE5fG7hI9jK1lM3nO5pQ7")["snippet"]
    assert "Toegangstoken" not in ckv("Toegangstoken", "config/settings.json")["snippet"]  # not a catalogue


def test_a_relative_file_path_is_no_secret_and_is_not_elided():
    """jupyterhub's docs (set 26, s2-37): "source/rbac/generate-scope-table.py" was quoted as "…"."""
    from tasks.findings.secret_evidence import classify_one

    assert classify_one("source/rbac/generate-scope-table.py", True, True)["match"] == "a file path, not a secret's value"
    assert classify_one("aB3d/E5fG7hI9jK1lM3nO5pQ7.rS9", True, True)["class"] == "high-entropy"


def test_a_list_of_literals_with_shell_is_not_said_to_be_built_at_run_time():
    """jupyterhub's setup.py:110 `check_call(['npm', 'run', 'postinstall'], cwd=here, shell=shell)` (set 26, s1-30):
    Bandit rates a list HIGH too, and the row said the command "is put together at run time"."""
    from test_enrich_verdicts import bandit

    from tasks.enrich.verdicts import reconcile

    f = bandit("B602", "setup.py", 111, "110     check_call(['npm', 'run', 'postinstall'], cwd=here,\n111     shell=shell)\n",
               cwe=("CWE-78",))
    f["title"] = "subprocess call with shell=True identified, security issue."
    said = str(reconcile(f, {"verdict": "true_positive", "reasons": [], "source": "report"})["reasons"])
    assert "put together at run time" not in said
    built = bandit("B602", "app.py", 12, "11     check_call(cmd + ' ' + arg,\n12     shell=True)\n", cwe=("CWE-78",))
    built["title"] = f["title"]
    assert "put together at run time" in str(reconcile(built, {"verdict": "true_positive", "reasons": [], "source": "report"}))


MAKE_MESSAGES = '''import os


def call_makemessages(languages):
    command = "python manage.py makemessages "
    for lang in languages:
        command += f"-l {lang} "
    os.system(command)


if __name__ == "__main__":
    call_makemessages(os.listdir("cookbook/locale"))
'''


def test_a_shell_command_in_a_command_line_script_is_its_users_own():
    """Tandoor's scripts/make_compile_messages.py:22 `os.system(command)` (set 26, both labellers)."""
    from tasks.triage.subprocess_argv import check_subprocess_argv

    def rule(code, name="python.lang.security.audit.dangerous-system-call-audit.dangerous-system-call-audit"):
        f = {"id": "1" * 32, "tool": "semgrep", "kind": "code", "severity": "medium", "rule_id": name, "title": "t",
             "description": "d", "location": {"path": "scripts/make_compile_messages.py", "start_line": 8, "end_line": 8}}
        return check_subprocess_argv(f, Files(code))

    hit = rule(MAKE_MESSAGES)
    assert hit and "`if __name__ == \"__main__\":` on line 11" in hit["evidence"]
    assert rule(MAKE_MESSAGES.replace("import os\n", "import os\nimport requests\nLANGS = requests.get(URL).json()\n")) is None  # it downloads input
    assert rule(MAKE_MESSAGES.replace('if __name__ == "__main__":\n    call', "def view(request):\n    call")) is None
