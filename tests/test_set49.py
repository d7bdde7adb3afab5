"""Held-out set 49's misses (whoogle-search, flaskbb, terraform-aws-cloudfront, filebrowser, terraform-aws-lambda,
FreshRSS) and round 53's row defects, tuned after the measurement, each with the neighbour that stays a finding."""

from __future__ import annotations

from test_round45_rows import _reasons
from test_triage_hygiene import finding


def _sg(rule: str, path: str, line: int, **kw):
    return finding(rule_id=rule, title=rule, location={"path": path, "start_line": line, "end_line": kw.pop("end", line)}, **kw)


CHECKBOXES = """{% extends "base.html" %}
<input type="checkbox" name="anon_view" {{ 'checked' if config.anon_view else '' }}>
<input type="checkbox" name="tor" {{ '' if tor_available else 'hidden' }}>
<input type="text" name="q" value={{ query }}>
"""


def test_a_jinja_choice_of_two_literals_prints_a_constant(tmp_path):
    """whoogle's `{{ 'checked' if config.anon_view else '' }}`: 'checked' or nothing (both labellers)."""
    rule = "generic.html-templates.security.unquoted-attribute-var"
    rec, said = _reasons(tmp_path, {"app/templates/index.html": CHECKBOXES}, _sg(rule, "app/templates/index.html", 2))
    assert rec["verdict"] == "false_positive"
    assert "`{{ 'checked' if config.anon_view else '' }}` prints one of its own two string literals" in said, said
    rec, said = _reasons(tmp_path / "b", {"app/templates/index.html": CHECKBOXES}, _sg(rule, "app/templates/index.html", 4))
    assert "string literals" not in said and rec["verdict"] != "false_positive"  # an unquoted variable stays


MODELS = '''from flask import url_for


class User:
    @property
    def url(self):
        return url_for("user.profile", username=self.username)


class Category:
    @property
    def url(self):
        return url_for("forum.view_category", category_id=self.id)


class Forum:
    @property
    def url(self):
        if self.external:
            return self.external
        return url_for("forum.view_forum", forum_id=self.id)
'''
TEMPLATE = """{% extends "layout.html" %}
<a href="{{ current_user.url }}">{{ current_user.username }}</a>
<a href="{{ forum.category.url }}">x</a>
<a href="{{ forum.url }}">x</a>
{% trans user_url=url_for('user.profile', username=post.modified_by) %}by <a href="{{ user_url }}">x</a>{% endtrans %}
{% trans user_url=post.website %}by <a href="{{ user_url }}">x</a>{% endtrans %}
"""


def test_a_link_flask_builds_with_url_for_cannot_be_a_javascript_url(tmp_path):
    """flaskbb's `{{ current_user.url }}`, `{{ forum.category.url }}` and a `{% trans user_url=url_for(...) %}`."""
    files = {"app/models.py": MODELS, "app/templates/page.html": TEMPLATE}
    rule = "generic.html-templates.security.var-in-href"
    for line, said_of in ((2, "`{{ current_user.url }}` is `User.url` (app/models.py:6)"),
                          (3, "`{{ forum.category.url }}` is `Category.url` (app/models.py:12)"),
                          (5, "`{{ user_url }}` is bound to `url_for(...)` in the template itself")):
        rec, said = _reasons(tmp_path / str(line), files, _sg(rule, "app/templates/page.html", line))
        assert rec["verdict"] == "false_positive" and said_of in said, (line, said)
    for line in (4, 6):  # Forum.url may return the stored external link; a trans binding to a stored value
        rec, said = _reasons(tmp_path / str(line), files, _sg(rule, "app/templates/page.html", line))
        assert "url_for" not in said, (line, said)


def test_two_classes_of_one_name_or_a_url_that_is_stored_give_no_answer(tmp_path):
    twice = MODELS + '\n\nclass User:  # noqa\n    @property\n    def url(self):\n        return url_for("x")\n'
    rule = "generic.html-templates.security.var-in-href"
    rec, said = _reasons(tmp_path, {"app/models.py": twice, "app/templates/page.html": TEMPLATE},
                         _sg(rule, "app/templates/page.html", 2))
    assert "url_for" not in said, said


SHELL = '''import os


def shell_command():
    ctx = {}
    startup = os.environ.get("PYTHONSTARTUP")
    if startup and os.path.isfile(startup):
        with open(startup, "r") as f:
            eval(compile(f.read(), startup, "exec"), ctx)
'''


def test_an_eval_of_the_pythonstartup_file_is_the_operators_own_code(tmp_path):
    """flaskbb's `flaskbb shell`, as Python's interpreter and Flask's shell do (both labellers)."""
    f = finding(tool="bandit", rule_id="B307", title="Use of possibly insecure function - consider using safer ast.literal_eval.",
                location={"path": "flaskbb/cli/main.py", "start_line": 9, "end_line": 9})
    rec, said = _reasons(tmp_path, {"flaskbb/cli/main.py": SHELL}, f)
    assert rec["verdict"] == "false_positive" and "the `PYTHONSTARTUP` environment variable" in said, said
    rec, said = _reasons(tmp_path / "b", {"flaskbb/cli/main.py": SHELL.replace('os.environ.get("PYTHONSTARTUP")', "request.form['f']")}, f)
    assert "startup file" not in said


COMPOSE = """services:
  app:
    image: example/app
    security_opt:
      - no-new-privileges
  db:
    image: postgres
    security_opt:
      - "no-new-privileges:false"
"""


def test_a_bare_no_new_privileges_is_the_control_the_rule_asks_for(tmp_path):
    rule = "yaml.docker-compose.security.no-new-privileges.no-new-privileges"
    rec, said = _reasons(tmp_path, {"docker-compose.yaml": COMPOSE}, _sg(rule, "docker-compose.yaml", 2))
    assert rec["verdict"] == "false_positive"
    assert "the service `app` at docker-compose.yaml:2 already sets `security_opt: [no-new-privileges]` (line 5)" in said
    rec, said = _reasons(tmp_path / "b", {"docker-compose.yaml": COMPOSE}, _sg(rule, "docker-compose.yaml", 6))
    assert "already sets" not in said  # `:false` turns it off


def test_a_script_src_from_the_apps_helper_with_a_literal_is_the_apps_own_file(tmp_path):
    """whoogle's `<script src="/{{ cb_url('bundle.js') }}" defer></script>`."""
    page = '{% if x %}\n    <script src="/{{ cb_url(\'bundle.js\') }}" defer></script>\n    <script src="/{{ name }}"></script>\n'
    rule = "javascript.express.security.audit.xss.mustache.var-in-script-tag"
    rec, said = _reasons(tmp_path, {"app/templates/display.html": page}, _sg(rule, "app/templates/display.html", 2))
    assert rec["verdict"] == "false_positive" and "src attribute" in said, said
    rec, said = _reasons(tmp_path / "b", {"app/templates/display.html": page}, _sg(rule, "app/templates/display.html", 3))
    assert "src attribute" not in said  # `/{{ name }}` may be `//host/x.js`


def test_a_sphinx_template_is_the_docs_sites_own(tmp_path):
    from tasks.triage.path_class import static_site

    files = ["docs/conf.py", "docs/_templates/layout.html", "app/_templates/page.html"]
    assert static_site("docs/_templates/layout.html", files) == ("docs", "Sphinx", "docs/conf.py")
    assert static_site("app/_templates/page.html", files) is None  # no conf.py beside it


FIELDS = '''from flask import current_app
from markupsafe import Markup


class RecaptchaWidget(object):
    def recaptcha_html(self, public_key):
        html = current_app.config.get("RECAPTCHA_HTML")
        if html:
            return Markup(html)


def shown(text):
    return Markup(text)
'''


def test_markup_of_html_the_configuration_holds_is_the_operators(tmp_path):
    """flaskbb's `Markup(current_app.config.get("RECAPTCHA_HTML"))` (both labellers)."""
    f = finding(tool="bandit", rule_id="B704", title="markupsafe.Markup", location={"path": "app/fields.py", "start_line": 9, "end_line": 9})
    rec, said = _reasons(tmp_path, {"app/fields.py": FIELDS}, f)
    assert rec["verdict"] == "false_positive" and "(current_app.config.get('RECAPTCHA_HTML'))" in said, said
    rec, said = _reasons(tmp_path / "b", {"app/fields.py": FIELDS}, f | {"location": {"path": "app/fields.py", "start_line": 13,
                                                                                         "end_line": 13}})
    assert "configuration" not in said  # a parameter


def test_a_scanner_fix_that_copies_with_copyn_is_refused():
    """filebrowser's static.go (round 53's harmful row): io.CopyN returns io.EOF for every smaller file."""
    from tasks.fixes.scanner_fixes import review

    why, _ = review(None, ["\t\tif _, err := io.Copy(w, gzReader); err != nil {"],
                    ["\t\tif _, err := io.CopyN(w,  gzReader, 1024*1024*256); err != nil {"])
    assert why and "io.EOF" in why
    why, _ = review(None, ["\t\tif _, err := io.Copy(w, r); err != nil {"],
                    ["\t\tif _, err := io.CopyN(w, r, n); err != nil && err != io.EOF {"])
    assert why is None


def test_a_mapping_key_in_banditss_numbered_code_is_no_secret():
    """flaskbb's `120 "old_password": "old_password",` was redacted, key and all."""
    from tasks.findings.secrets import plausible

    assert not plausible("old_password", '120            "old_password": "old_password",\n')
    assert plausible("hunter2xyzQ", '120            "pw": "hunter2xyzQ",\n')


def test_a_php_array_in_a_locale_folder_is_a_translation_catalogue(tmp_path):
    """FreshRSS' app/i18n/pl/conf.php: `'password_api' => 'Hasło API<br />...'` (both labellers)."""
    from tasks.findings.secret_keys import translation_catalogue

    assert translation_catalogue("app/i18n/pl/conf.php") and translation_catalogue("resources/lang/de/auth.php")
    assert not translation_catalogue("app/Controllers/pl/conf.php") and not translation_catalogue("app/i18n/pl/conf.py")


def test_b101_in_a_test_file_is_recorded_once_in_bandits_own_setting():
    """Round 53: five stage-2 rows put `# nosec B101` on one assert of files with up to 148 of them."""
    from tasks.fixes.suppression import suppression_answer, suppression_place
    from tasks.fixes.test_asserts import test_glob

    f = finding(tool="bandit", rule_id="B101", title="Use of assert detected.", snippet="553     assert x == y\n",
                location={"path": "tests/unit/test_forum_models.py", "start_line": 553, "end_line": 553})
    rec = {"verdict": "false_positive", "reasons": [{"check": "report", "evidence": "harmless in test code: tests/unit/"
                                                     "test_forum_models.py is a test file (line 553)"}]}
    assert "`assert_used: skips`" in suppression_place(f, rec)
    answer = suppression_answer(f, rec, diff="--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+a  # nosec B101\n")
    assert "assert_used:\n  skips: ['*/tests/*', 'tests/*']" in answer and "nosec B101\n" not in answer
    assert test_glob("app/test_views.py") == ["*/test_*.py", "test_*.py"] and test_glob("pkg/views_test.py") == ["*_test.py"]
    assert test_glob("app/views.py") is None
    outside = f | {"location": {"path": "app/views.py", "start_line": 3, "end_line": 3}}  # not a test file: the line
    assert "assert_used" not in suppression_place(outside, rec)


def test_a_yes_or_no_password_is_not_called_a_protocol_keyword():
    from tasks.findings.secret_evidence import classify_one

    assert classify_one("no")["match"] == "a yes/no word"
    assert classify_one("POST")["match"] == "a protocol or API keyword"


def test_set_50_a_token_handed_to_a_tagged_action_and_a_base_image_a_release_stage_builds_on(tmp_path):
    """dockge's prevent-file-change.yml gives GITHUB_TOKEN to xalvarez/prevent-file-change-action@v1 on pull_request,
    and its docker/Dockerfile builds `FROM louislam/dockge:base AS release` with no USER (both labellers: findings)."""
    flow = ("name: x\non:\n  pull_request:\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: xalvarez/prevent-file-change-action@v1\n        with:\n          githubToken: ${{ secrets.GITHUB_TOKEN }}\n")
    f = finding(tool="checkov", kind="config", rule_id="CKV2_GHA_1", title="t",
                location={"path": ".github/workflows/p.yml", "start_line": 1, "end_line": 10})
    rec, said = _reasons(tmp_path, {".github/workflows/p.yml": flow}, f)
    assert rec["verdict"] == "needs_review" and "hands the token to third-party code" in said, said
    rec, said = _reasons(tmp_path / "b", {".github/workflows/p.yml": flow.replace(
        "        with:\n          githubToken: ${{ secrets.GITHUB_TOKEN }}\n", "")}, f)
    assert rec["verdict"] == "false_positive"  # no token handed over: hardening, as before
    base = "FROM node:22-bookworm-slim\nRUN apt-get update\n"
    release = "FROM louislam/dockge:base AS release\nCOPY . .\nCMD [\"node\", \"server.js\"]\n"
    d = finding(tool="checkov", kind="config", rule_id="CKV_DOCKER_3", title="Ensure that a user for the container has been created",
                location={"path": "docker/Base.Dockerfile", "start_line": 1, "end_line": 2})
    rec, said = _reasons(tmp_path / "c", {"docker/Base.Dockerfile": base, "docker/Dockerfile": release}, d)
    assert "a base image" not in said and rec["verdict"] != "false_positive", said
    rec, said = _reasons(tmp_path / "d", {"docker/Base.Dockerfile": base, "docker/Dockerfile": release.replace(
        "CMD", "USER node\nCMD")}, d)
    assert "a base image" in said  # the image built on it sets its own user


def test_set_50_a_root_drop_behind_an_opt_in_flag_drops_nothing_by_default():
    """Gokapi's dockerentry.sh: `if [ "$DOCKER_NONROOT" = "true" ]; then ... exec su-exec gokapi ...; else exec /app/gokapi`."""
    from tasks.triage.root_drop import drops_root

    script = ('#!/bin/sh\nif [ "$DOCKER_NONROOT" = "true" ]; then\n\tchown -R gokapi:gokapi /app\n'
              '\texec su-exec gokapi:gokapi /app/gokapi "$@"\nelse\n\texec /app/gokapi "$@"\nfi\n')
    assert drops_root(script.splitlines(True)) is None
    assert drops_root(("DOCKER_NONROOT=true\n" + script).splitlines(True))[1] == "gokapi"  # set by the script itself


def test_set_50_a_docker_action_pulled_from_ghcr_needs_no_packages_write():
    from tasks.fixes.gha_jobs import gha_permissions

    pull = "jobs:\n  a:\n    steps:\n      - uses: docker://ghcr.io/php-cs-fixer/php-cs-fixer:3-php8.4\n"
    assert "packages" not in gha_permissions(pull)[0]
    assert "packages: write" in gha_permissions("jobs:\n  a:\n    steps:\n      - run: docker push ghcr.io/o/i:1\n")[0]


def test_set_50_no_user_fix_for_an_image_whose_compose_file_mounts_the_docker_socket(tmp_path):
    """dockge's compose.yaml mounts /var/run/docker.sock: `USER 10001` would cut the app off from Docker (harmful row)."""
    import subprocess

    from tasks.datasets.sources import Source
    from tasks.fixes.workload import dockerfile_gate

    dockerfile = 'FROM node:22\nCOPY . .\nCMD ["node", "server.js"]\n'
    why, _ = dockerfile_gate(dockerfile, "docker/Dockerfile", {"docker_socket": "compose.yaml"})
    assert why and "compose.yaml mounts the host's Docker socket" in why
    assert dockerfile_gate(dockerfile, "docker/Dockerfile", {})[0] is None
    repo = tmp_path / "repo"
    for name, text in {"docker/Dockerfile": dockerfile, "compose.yaml": "services:\n  app:\n    image: x\n    volumes:\n"
                       "      - /var/run/docker.sock:/var/run/docker.sock\n"}.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git = ["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    assert Source(str(repo), None, 3)._start("docker/Dockerfile", None)["docker_socket"] == "compose.yaml"
