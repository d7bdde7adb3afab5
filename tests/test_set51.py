"""Held-out set 51's misses (OnlineJudge, flask-admin, httpbin, terraform-aws-atlantis, terraform-aws-transit-gateway,
microblog) and round 55's row defects, tuned after the measurement, each with the neighbour that stays a finding."""

from __future__ import annotations

from test_round45_rows import _reasons
from test_triage_hygiene import finding


def _sg(rule: str, path: str, line: int, tool: str = "semgrep", **kw):
    return finding(rule_id=rule, title=rule, tool=tool,
                   location={"path": path, "start_line": line, "end_line": kw.pop("end", line)}, **kw)


NGINX = """server {
    listen 80;
    server_name _;
    location / {
        return 301 https://$host$request_uri;
    }
}
server {
    listen 443 ssl;
    location / {
        proxy_pass http://localhost:8000;
        proxy_set_header Host $host;
    }
}
"""


def test_nginx_host_only_in_the_https_redirect(tmp_path):
    rule = "generic.nginx.security.request-host-used"
    rec, said = _reasons(tmp_path, {"deployment/nginx/site": NGINX}, _sg(rule, "deployment/nginx/site", 5))
    assert rec["verdict"] == "false_positive" and "back to the host it asked for itself" in said, said
    rec, said = _reasons(tmp_path / "b", {"deployment/nginx/site": NGINX}, _sg(rule, "deployment/nginx/site", 12))
    assert "asked for itself" not in said  # the Host header forwarded to the application stays
    cached = NGINX.replace("    listen 80;", "    listen 80;\n    proxy_cache one;")
    rec, said = _reasons(tmp_path / "c", {"deployment/nginx/site": cached}, _sg(rule, "deployment/nginx/site", 6))
    assert "asked for itself" not in said  # a cache could hand the redirect to others


TASKS = '''from flask import render_template
from app.email import send_email


def export_posts(user):
    send_email('[Microblog] Your blog posts', sender='a@b', recipients=[user.email],
               text_body=render_template('email/export_posts.txt', user=user),
               html_body=render_template('email/export_posts.html', user=user))


def page(user):
    return render_template('feed.txt', user=user)
'''


def test_a_txt_template_rendered_as_the_mail_text_part(tmp_path):
    rule = "python.flask.security.unescaped-template-extension"
    rec, said = _reasons(tmp_path, {"app/tasks.py": TASKS}, _sg(rule, "app/tasks.py", 7))
    assert rec["verdict"] == "false_positive" and "`email/export_posts.txt` as `text_body`" in said, said
    rec, said = _reasons(tmp_path / "b", {"app/tasks.py": TASKS}, _sg(rule, "app/tasks.py", 12))
    assert "text_body" not in said and "as `" not in said  # a .txt page returned to the browser stays


CLI = '''import os
from flask import Blueprint
import click

bp = Blueprint('cli', __name__, cli_group=None)


@bp.cli.group()
def translate():
    """Translation commands."""


@translate.command()
@click.argument('lang')
def init(lang):
    if os.system('pybabel init -i messages.pot -d app/translations -l ' + lang):
        raise RuntimeError('init command failed')


@bp.route('/run')
def run(cmd):
    os.system('pybabel ' + cmd)
'''


def test_a_shell_call_inside_a_click_command_is_the_operators(tmp_path):
    rec, said = _reasons(tmp_path, {"app/cli.py": CLI}, _sg("B605", "app/cli.py", 16, tool="bandit"))
    assert rec["verdict"] == "false_positive" and "`init` (app/cli.py:15) is a command-line command" in said, said
    assert "`@translate.command()`, a click group of this file" in said
    rec, said = _reasons(tmp_path / "b", {"app/cli.py": CLI}, _sg("B605", "app/cli.py", 22, tool="bandit"))
    assert "command-line command" not in said  # a view's call stays


CHMOD = "import os\n\n\ndef make(d):\n    os.mkdir(d)\n    os.chmod(d, 0o710)\n    os.chmod(d + '/x', 0o755)\n"


def test_semgreps_file_permission_rule_on_a_mode_with_nothing_for_others(tmp_path):
    rule = "python.lang.security.audit.insecure-file-permissions"
    rec, said = _reasons(tmp_path, {"problem/admin.py": CHMOD}, _sg(rule, "problem/admin.py", 6))
    assert rec["verdict"] == "false_positive" and "sets 0o710" in said, said
    rec, said = _reasons(tmp_path / "b", {"problem/admin.py": CHMOD}, _sg(rule, "problem/admin.py", 7))
    assert "no permission for other users" not in said


FLASK_MODELS = '''from werkzeug.security import generate_password_hash


class User:
    def set_password(self, password):
        self.password_hash = generate_password_hash(password)
'''
ROUTES = '''from app.models import User


def register(form):
    user = User()
    user.set_password(form.password.data)
'''


def test_a_django_rule_on_python_that_never_uses_django(tmp_path):
    rule = "python.django.security.audit.unvalidated-password"
    files = {"app/models.py": FLASK_MODELS, "app/auth/routes.py": ROUTES, "requirements.txt": "flask==3.0\n"}
    rec, said = _reasons(tmp_path, files, _sg(rule, "app/auth/routes.py", 6))
    assert rec["verdict"] == "false_positive" and "a Django rule on Python code that never uses Django" in said, said
    django = dict(files, **{"requirements.txt": "Django==5.0\n"})
    rec, said = _reasons(tmp_path / "b", django, _sg(rule, "app/auth/routes.py", 6))
    assert "never uses Django" not in said


VIEWS = '''from flask import render_template, request, url_for


def user(username):
    posts = get_posts(username)
    next_url = url_for('main.user', username=username, page=posts.next_num) if posts.has_next else None
    prev_url = url_for('main.user', username=username, page=posts.prev_num) \\
        if posts.has_prev else None
    back = request.args.get('back')
    return render_template('user.html', posts=posts, next_url=next_url, prev_url=prev_url, back=back)


def other():
    return render_template('other.html', next_url=request.args.get('next'))
'''
USER_HTML = '<a href="{{ next_url }}">Older</a>\n<a href="{{ prev_url }}">Newer</a>\n<a href="{{ back }}">Back</a>\n'


def test_a_template_name_every_view_passes_as_url_for(tmp_path):
    rule = "generic.html-templates.security.var-in-href"
    files = {"app/main/routes.py": VIEWS, "app/templates/user.html": USER_HTML,
             "app/templates/other.html": '<a href="{{ next_url }}">x</a>\n'}
    rec, said = _reasons(tmp_path, files, _sg(rule, "app/templates/user.html", 1))
    assert rec["verdict"] == "false_positive" and "passed by the view at app/main/routes.py:10" in said, said
    rec, said = _reasons(tmp_path / "b", files, _sg(rule, "app/templates/user.html", 2))
    assert rec["verdict"] == "false_positive"  # a conditional over two lines is still url_for or None
    rec, said = _reasons(tmp_path / "c", files, _sg(rule, "app/templates/user.html", 3))
    assert "passed by the view" not in said  # a request value
    rec, said = _reasons(tmp_path / "d", files, _sg(rule, "app/templates/other.html", 1))
    assert "passed by the view" not in said
    included = dict(files, **{"app/templates/index.html": '{% include "user.html" %}\n'})
    rec, said = _reasons(tmp_path / "e", included, _sg(rule, "app/templates/user.html", 1))
    assert "passed by the view" not in said  # an includer's context supplies the name


HTTPBIN = '''from flask import Flask

app = Flask(__name__)


@app.route("/basic-auth/<user>/<passwd>")
def basic_auth(user="user", passwd="passwd"):
    return check(user, passwd)


@app.route("/login")
@app.route("/login/<user>/<passwd>")
def login(user="admin", passwd="hunter22"):
    return check(user, passwd)
'''


def test_a_password_default_every_route_fills_from_the_url(tmp_path):
    rec, said = _reasons(tmp_path, {"httpbin/core.py": HTTPBIN}, _sg("B107", "httpbin/core.py", 7, tool="bandit",
                                                                       snippet="7 def basic_auth(user=\"user\", passwd=\"passwd\"):"))
    assert rec["verdict"] == "false_positive" and "the default of `passwd` in `basic_auth`" in said, said
    rec, said = _reasons(tmp_path / "b", {"httpbin/core.py": HTTPBIN}, _sg("B107", "httpbin/core.py", 13, tool="bandit",
                                                                             snippet="13 def login(user=\"admin\", passwd=\"hunter22\"):"))
    assert "never runs" not in said  # /login calls the view without passwd: the default is used


DIGEST = '''from hashlib import md5, sha256


def H(data, algorithm):
    if algorithm == 'SHA-256':
        return sha256(data).hexdigest()
    return md5(data).hexdigest()


def HA1(realm, username, password, algorithm):
    return H(b":".join([username.encode(), realm.encode(), password.encode()]), algorithm)


def digest_challenge_response(app, qop, algorithm):
    """Answer the WWW-Authenticate digest challenge."""


def fingerprint(data):
    return md5(data).hexdigest()
'''


def test_md5_in_a_helper_that_http_digests_ha1_calls(tmp_path):
    rule = "python.lang.security.insecure-hash-algorithms.insecure-hash-algorithm-md5"
    rec, said = _reasons(tmp_path, {"httpbin/helpers.py": DIGEST}, _sg(rule, "httpbin/helpers.py", 7))
    assert rec["verdict"] == "false_positive" and "HTTP Digest authentication" in said and "`HA1`" in said, said
    rec, said = _reasons(tmp_path / "b", {"httpbin/helpers.py": DIGEST}, _sg(rule, "httpbin/helpers.py", 19))
    assert "HTTP Digest" not in said


SPJ = '''import hashlib


def save(data):
    data["spj_version"] = hashlib.md5(
        (data["spj_language"] + ":" + data["spj_code"]).encode("utf-8")).hexdigest()
    return data


def login(data, stored):
    return hashlib.md5(data["password"].encode()).hexdigest() == stored
'''


def test_a_digest_kept_as_a_version_key(tmp_path):
    rec, said = _reasons(tmp_path, {"problem/views/admin.py": SPJ}, _sg("B324", "problem/views/admin.py", 5, tool="bandit"))
    assert rec["verdict"] == "false_positive" and "spj_version" in said, said
    rec, said = _reasons(tmp_path / "b", {"problem/views/admin.py": SPJ}, _sg("B324", "problem/views/admin.py", 11, tool="bandit"))
    assert rec["verdict"] != "false_positive"


def test_semgreps_unvalidated_password_autofix_is_refused():
    """Round 55's two harmful rows: `if validate_password(...)` never sets the password (it returns None when the
    password passes), and the file never binds `django` (NameError)."""
    from tasks.fixes.scanner_fixes import review

    text = "from django.contrib.auth import get_user_model\n\n\ndef reset(user, data):\n    user.set_password(data['password'])\n"
    why, _ = review(None, ["    user.set_password(data['password'])"],
                    ["    if django.contrib.auth.password_validation.validate_password(data['password'], user=user):",
                     "        user.set_password(data['password'])"], text)
    assert why and "returns None when the password passes" in why
    why, _ = review(None, ["    x = csv.writer(f)"], ["    x = defusedcsv.writer(f)"], "import csv\n# defusedcsv later\n")
    assert why and "does not import `defusedcsv`" in why
    why, _ = review(None, ["    w = csv.writer(open(p, 'w'))"], ["    w = csv.writer(open(p, 'w'), quoting=csv.QUOTE_ALL)"],
                    "import csv\n")
    assert why is None  # the module the removed code already uses


def test_a_module_named_by_a_from_import_is_not_bound():
    from tasks.fixes.scanner_fixes import _bound

    assert not _bound("django", "from django.contrib.auth import get_user_model\n")
    assert _bound("django", "import django.contrib.auth\n") and _bound("np", "import numpy as np\n")
    assert _bound("json", "import os, json\n") and _bound("x", "def f(a, x=1):\n    pass\n")


CLIENT = '''from hashlib import md5


def _hash(data, algorithm):
    return md5(data).hexdigest()


def _make_digest_auth_header(username, password, realm, nonce, algorithm=None):
    """Compile a digest authentication header for the WWW-Authenticate challenge."""
    ha1 = _hash(':'.join([username, realm, password]).encode(), algorithm)
    return 'Digest username="{0}", response="{1}"'.format(username, _hash(ha1.encode(), algorithm))


def _checksum(blob):
    return md5(blob).hexdigest()


def _store(blob):
    key = _checksum(blob)
    return key
'''


def test_md5_in_a_helper_bound_to_ha1_in_a_digest_client(tmp_path):
    rule = "python.lang.security.insecure-hash-algorithms.insecure-hash-algorithm-md5"
    rec, said = _reasons(tmp_path, {"test_httpbin.py": CLIENT}, _sg(rule, "test_httpbin.py", 5))
    assert "HTTP Digest authentication" in said, said
    rec, said = _reasons(tmp_path / "b", {"test_httpbin.py": CLIENT}, _sg(rule, "test_httpbin.py", 15))
    assert "HTTP Digest" not in said


FLIT = '''[project]
name = "Flask-Admin"

[build-system]
requires = ["flit_core<4"]
build-backend = "flit_core.buildapi"

[tool.flit.module]
name = "flask_admin"
'''
EXAMPLE = "from flask import Flask\n\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(debug=True)\n"


def test_an_example_outside_the_wheel_says_what_the_build_ships(tmp_path):
    files = {"pyproject.toml": FLIT, "flask_admin/__init__.py": "", "examples/simple/main.py": EXAMPLE}
    rec, said = _reasons(tmp_path, files, _sg("B201", "examples/simple/main.py", 6, tool="bandit"))
    assert rec["verdict"] == "false_positive"
    assert "pyproject.toml builds the wheel from `flask_admin/` alone ([tool.flit.module])" in said, said
    found = dict(files, **{"pyproject.toml": FLIT.replace('build-backend = "flit_core.buildapi"', 'build-backend = "setuptools.build_meta"')})
    rec, said = _reasons(tmp_path / "b", found, _sg("B201", "examples/simple/main.py", 6, tool="bandit"))
    assert "builds the wheel" not in said  # setuptools without a packages list: no answer


def test_wheel_folders_from_each_backend():
    from tasks.triage.wheel_contents import _folders

    files = {"src/pkg/__init__.py", "pkg2/a.py", "examples/x.py"}
    assert _folders({"build-system": {"build-backend": "flit_core.buildapi"}, "project": {"name": "pkg"}}, files) == (
        ["src/pkg"], "flit's module, the project's name")
    assert _folders({"build-system": {"build-backend": "setuptools.build_meta"},
                     "tool": {"setuptools": {"packages": ["pkg2", "pkg2.sub"]}}}, files)[0] == ["pkg2", "pkg2/sub"]
    assert _folders({"build-system": {"build-backend": "hatchling.build"},
                     "tool": {"hatch": {"build": {"targets": {"wheel": {"packages": ["src/pkg"]}}}}}}, files)[0] == ["src/pkg"]
    assert _folders({"build-system": {"build-backend": "setuptools.build_meta"},
                     "tool": {"setuptools": {"packages": {"find": {"where": ["src"]}}}}}, files) is None


PUBLISH = """name: Publish
on:
  push:
    tags: ['*']
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python -m build
  create-release:
    needs: [build]
    runs-on: ubuntu-latest
    permissions:
      contents: write
    steps:
      - run: gh release create ${{ github.ref_name }}
        env:
          GH_TOKEN: ${{ github.token }}
"""


def test_a_job_with_its_own_permissions_does_not_use_the_default_token(tmp_path):
    """flask-admin's publish.yaml (round 55, a wrong fact): the token step sits in a job that declares contents: write."""
    f = finding(tool="checkov", kind="config", rule_id="CKV2_GHA_1", title="t",
                location={"path": ".github/workflows/publish.yaml", "start_line": 1, "end_line": 19})
    rec, said = _reasons(tmp_path, {".github/workflows/publish.yaml": PUBLISH}, f)
    assert "a run: step with the token in its env" not in said, said
    rec, said = _reasons(tmp_path / "b", {".github/workflows/publish.yaml": PUBLISH.replace(
        "    permissions:\n      contents: write\n", "")}, f)
    assert "a run: step with the token in its env" in said and rec["verdict"] == "needs_review"
    both = PUBLISH.replace("  build:\n    runs-on: ubuntu-latest\n", "  build:\n    runs-on: ubuntu-latest\n    permissions: {}\n")
    rec, said = _reasons(tmp_path / "c", {".github/workflows/publish.yaml": both}, f)
    assert rec["verdict"] == "false_positive" and "every job sets its own token permissions" in said, said


def test_a_one_character_secret_key_is_a_weak_key_not_no_credential(tmp_path):
    """flask-admin's tests/sqla/conftest.py `app.config["SECRET_KEY"] = "1"` (round 55: "no hardcoded credential" is
    false of a signing key; the test path is why it is harmless)."""
    code = 'from flask import Flask\n\n\ndef app():\n    app = Flask(__name__)\n    app.config["SECRET_KEY"] = "1"\n    return app\n'
    f = finding(rule_id="B105", tool="bandit", title="Possible hardcoded password: '1'",
                location={"path": "flask_admin/tests/sqla/conftest.py", "start_line": 6, "end_line": 6},
                snippet='5     app = Flask(__name__)\n6     app.config["SECRET_KEY"] = "1"\n7     return app',
                secret_evidence={"class": "empty", "entropy": 0.0, "format": None, "length": 1, "match": "a single character"})
    rec, said = _reasons(tmp_path, {"flask_admin/tests/sqla/conftest.py": code}, f)
    assert rec["verdict"] == "false_positive" and "no hardcoded credential" not in said and "a single character" in said, said
    app = dict(f, location={"path": "app/config.py", "start_line": 6, "end_line": 6})
    rec, said = _reasons(tmp_path / "b", {"app/config.py": code}, app)
    assert rec["verdict"] != "false_positive" and "a weak key in use" in said, said


def test_a_suppression_reason_is_never_cut_inside_a_neither_nor():
    from tasks.fixes.suppression import justification

    rec = {"reasons": [{"check": "code", "evidence": "ADD of a local file behaves like COPY: deploy/rsync/Dockerfile:6 adds "
                        "./rsyncd.conf, a local path that is neither a URL (fetched unverified) nor a tar archive (unpacked)"}]}
    said = justification(rec, "deploy/rsync/Dockerfile")
    assert not said.endswith("neither a URL") and "neither" not in said or "nor" in said, said


LOGIN = '''from urllib.parse import urlsplit
from flask import redirect, request, url_for


def login():
    next_page = request.args.get('next')
    if not next_page or urlsplit(next_page).netloc != '':
        next_page = url_for('main.index')
    return redirect(next_page)


def login_strict():
    next_page = request.args.get('next')
    if not next_page or urlsplit(next_page).netloc != '' or next_page.startswith('//'):
        next_page = url_for('main.index')
    return redirect(next_page)
'''


def test_a_redirect_guarded_by_an_empty_netloc_alone_says_what_passes(tmp_path):
    """microblog's login (round 55): `/\\evil.com` and `///evil.com` pass `urlsplit(x).netloc != ''`."""
    rule = "python.flask.security.open-redirect"
    rec, said = _reasons(tmp_path, {"app/auth/routes.py": LOGIN}, _sg(rule, "app/auth/routes.py", 6, end=9))
    assert rec["verdict"] == "true_positive" and "the guard at line 7" in said and "`///evil.com`" in said, said
    rec, said = _reasons(tmp_path / "b", {"app/auth/routes.py": LOGIN}, _sg(rule, "app/auth/routes.py", 13, end=16))
    assert "checks only the host part" not in said


def test_one_read_of_the_request_is_said_once_in_the_verdict():
    from tasks.enrich.verdicts import verdict_text

    rec = {"verdict": "true_positive", "reasons": [
        {"check": "code", "evidence": "line 26 reads the HTTP request itself (`request.args`)"},
        {"check": "code", "evidence": "app/auth/routes.py:26 reads user input (request.args) on the flagged line (rule.x)"}]}
    text = verdict_text(rec, "CWE-601")
    assert text.count("request.args") == 1 and "(rule.x)" not in text, text


def test_the_open_redirect_fix_refuses_what_browsers_read_as_another_host():
    from tasks.fixes.patterns.python import PATTERNS

    code = PATTERNS["open-redirect"].split("```python\n", 1)[1].split("```", 1)[0]
    space: dict = {}
    exec(code, space)  # noqa: S102 - the row's own snippet, run as a reader would
    safe_next = space["safe_next"]
    for bad in ("/\\evil.com", "///evil.com", "//evil.com", "https://evil.com", "javascript:alert(1)", "/\t/evil.com"):
        assert safe_next(bad, {"ok.example"}) == "/", bad
    assert safe_next("/profile?tab=2", set()) == "/profile?tab=2" and safe_next("https://ok.example/x", {"ok.example"}) != "/"
    assert "Django" not in PATTERNS["open-redirect"]


def test_the_stage_2_suppression_says_what_the_wheel_ships():
    from tasks.fixes.suppression import suppression_answer

    f = finding(rule_id="B201", tool="bandit", title="t", location={"path": "examples/simple/main.py", "start_line": 6, "end_line": 6})
    rec = {"verdict": "false_positive", "reasons": [
        {"check": "path", "evidence": "not what the project ships: examples/simple/main.py is example code"},
        {"check": "path", "evidence": "pyproject.toml builds the wheel from `flask_admin/` alone ([tool.flit.module]): "
                                      "examples/simple/main.py is in no installed package, so nobody who depends on the project runs it"}]}
    answer = suppression_answer(f, rec, diff="--- a/examples/simple/main.py\n+++ b/examples/simple/main.py\n@@ -6 +6 @@\n"
                                             "-    app.run(debug=True)\n+    app.run(debug=True)  # nosec B201\n")
    assert "pyproject.toml builds the wheel from `flask_admin/` alone" in answer, answer


PARSER = "import xml.etree.ElementTree as ET\n\n\ndef load(path):\n    return ET.parse(path).getroot()\n"
IMAGE = "FROM alpine:3.19 AS downloader\nRUN true\n\nFROM python:3.12-alpine\nCOPY . /app\n"


def test_elementtree_in_an_image_with_a_current_python(tmp_path):
    rule = "python.lang.security.use-defused-xml.use-defused-xml"
    files = {"fps/parser.py": PARSER, "Dockerfile": IMAGE}
    rec, said = _reasons(tmp_path, files, _sg(rule, "fps/parser.py", 1))
    assert rec["verdict"] == "false_positive" and "`python:3.12-alpine` (Dockerfile)" in said, said
    rec, said = _reasons(tmp_path / "b", dict(files, Dockerfile=IMAGE.replace("3.12", "3.8")), _sg(rule, "fps/parser.py", 1))
    assert "billion laughs" not in said  # an old image's Expat may expand entities
    rec, said = _reasons(tmp_path / "c", {"fps/parser.py": PARSER}, _sg(rule, "fps/parser.py", 1))
    assert "billion laughs" not in said  # no image: the runtime is unknown
    lxml = PARSER.replace("import xml.etree.ElementTree as ET\n", "import xml.etree.ElementTree as ET\nfrom lxml import etree\n")
    rec, said = _reasons(tmp_path / "d", dict(files, **{"fps/parser.py": lxml}), _sg(rule, "fps/parser.py", 1))
    assert "billion laughs" not in said


STREAM = '''import random
from flask import request


def stream_random_bytes(n):
    if "seed" in request.args:
        random.seed(int(request.args["seed"]))

    def generate_bytes():
        chunks = bytearray()
        for i in range(n):
            chunks.append(random.randint(0, 255))
        return chunks
    return generate_bytes()


def shuffle(values):
    return random.randint(0, len(values))
'''


def test_a_seeded_generator_is_said_to_be_repeatable_on_purpose(tmp_path):
    rec, said = _reasons(tmp_path, {"httpbin/core.py": STREAM}, _sg("B311", "httpbin/core.py", 12, tool="bandit"))
    assert rec["verdict"] == "false_positive" and "`random.seed(int(request.args['seed']))` at line 7" in said, said
    rec, said = _reasons(tmp_path / "b", {"httpbin/core.py": STREAM}, _sg("B311", "httpbin/core.py", 18, tool="bandit"))
    assert "repeatable on purpose" not in said


BASE = '''from flask import url_for


class BaseView:
    def get_url(self, endpoint, **kwargs):
        return url_for(endpoint, **kwargs)


def stored_link(item):
    return item.link
'''
LAYOUT = """<a href="{{ get_url('.export', export_type=export_type, **request.args) }}">x</a>
<a href="{{ get_url('.details_view', id=request.args.get('id'), url=return_url) }}">x</a>
<a href="{{ stored_link(item) }}">x</a>
<a href="{{ url_for('.index') ~ request.args.get('next') }}">x</a>
"""


def test_a_link_built_by_a_helper_that_returns_url_for(tmp_path):
    rule = "generic.html-templates.security.var-in-href"
    files = {"flask_admin/base.py": BASE, "flask_admin/templates/admin/layout.html": LAYOUT}
    for line in (1, 2):
        rec, said = _reasons(tmp_path / str(line), files, _sg(rule, "flask_admin/templates/admin/layout.html", line))
        assert rec["verdict"] == "false_positive" and "calls `get_url` (flask_admin/base.py:5)" in said, said
    for line in (3, 4):
        rec, said = _reasons(tmp_path / str(line), files, _sg(rule, "flask_admin/templates/admin/layout.html", line))
        assert "whose every return is" not in said and "calls `url_for`" not in said, said


RSS = '''import hashlib

import PyRSS2Gen as pyrss


def feed(contents):
    items = []
    for content in contents:
        items.append(pyrss.RSSItem(title=content.title,
                                   guid=hashlib.sha1(content.title.encode() + content.url.encode()).hexdigest()))
        items.append(pyrss.RSSItem(title=content.title,
                                   signature=hashlib.sha1(content.secret.encode()).hexdigest()))
    return items
'''


def test_a_digest_passed_as_an_rss_guid_is_an_identifier(tmp_path):
    """quokka's feed (round 56, a harmful row: sha1 -> sha256 re-announces every item to subscribers)."""
    rec, said = _reasons(tmp_path, {"quokka/views.py": RSS}, _sg("B324", "quokka/views.py", 10, tool="bandit"))
    assert rec["verdict"] == "false_positive" and "guid" in said, said
    rec, said = _reasons(tmp_path / "b", {"quokka/views.py": RSS}, _sg("B324", "quokka/views.py", 12, tool="bandit"))
    assert rec["verdict"] != "false_positive"


def test_an_applications_own_adduser_command_makes_no_system_user():
    """quokka's Dockerfile `RUN quokka adduser --username admin` (round 56, harmful: `USER admin` names no user)."""
    from tasks.fixes.dockerfile_user import _created_user

    assert _created_user("FROM python:3.7\nRUN quokka adduser --username admin --password admin\nCMD x\n") is None
    assert _created_user("FROM debian\nRUN apt-get update && useradd -r -m -g app app\n") == ("app", "useradd -r -m -g app app")
