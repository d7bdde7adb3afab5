"""Held-out set 6/7 misses: manual workflow inputs, load-test scripts, a method only called with constants,
a sibling project's start-up line, and a Dockerfile that copies the app's folder into the working directory."""

from __future__ import annotations

from test_triage_constant_data import _repo, sql
from test_triage_containers import Files, judge
from test_triage_containers import finding as b104
from test_triage_hygiene import checkov, finding

from tasks.triage.workflows import check_dispatch_inputs, check_job_permissions
from tasks.triage.main_guard import check_main_guard
from tasks.triage.verdict import Judge

RELEASE = """name: release
on:
  workflow_dispatch:
    inputs:
      branch:
        description: branch to release
        required: true
      tag_name:
        required: true
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.inputs.branch }}
      - run: ./release.sh "${{ inputs.tag_name }}"
"""


def gha7(path=".github/workflows/release.yml"):
    return checkov("CKV_GHA_7", path=path, title="The build output cannot be affected by user parameters")


def test_workflow_dispatch_inputs_only_the_team_can_set_are_a_false_positive_with_the_inputs_named():
    files = Files({".github/workflows/release.yml": RELEASE})
    ev = check_dispatch_inputs(gha7(), files)
    assert ev and "(branch, tag_name)" in ev["evidence"] and "write access" in ev["evidence"]
    assert "inputs.tag_name is written straight into a run: script" in ev["evidence"]  # branch only feeds `with:`
    rec = Judge(reader=files).judge(gha7())
    assert rec["verdict"] == "false_positive" and rec["reasons"][0]["evidence"] == ev["evidence"]


def test_a_workflow_that_outsiders_also_trigger_or_no_file_keeps_the_finding():
    outside = RELEASE.replace("on:\n", "on:\n  pull_request_target:\n    branches: [main]\n")
    assert check_dispatch_inputs(gha7(), Files({".github/workflows/release.yml": outside})) is None
    assert Judge(reader=Files({".github/workflows/release.yml": outside})).judge(gha7())["verdict"] == "true_positive"
    assert check_dispatch_inputs(gha7(), None) is None  # no repository: nothing to read
    assert check_dispatch_inputs(gha7(), Files({".github/workflows/release.yml": "on: [push\n"})) is None  # no YAML
    other = checkov("CKV_GHA_2", path=".github/workflows/release.yml")
    assert check_dispatch_inputs(other, Files({".github/workflows/release.yml": RELEASE})) is None


LOCUST = """import random
from locust import FastHttpUser, TaskSet, between

products = ["0PUK6V6EV0", "1YMWWN1N4O"]


def checkout(l):
    l.client.post("/cart/checkout", {"email": "someone@example.com",
                                     "credit_card_cvv": f"{random.randint(100, 999)}"})
"""


def b311(path, line=9):
    return finding(tool="bandit", rule_id="B311", title="Standard pseudo-random generators are not suitable for "
                   "security/cryptographic purposes.", location={"path": path, "start_line": line, "end_line": line})


def test_a_locust_load_generator_is_test_tooling_not_the_application():
    rec = Judge(reader=Files({"src/loadgenerator/locustfile.py": LOCUST})).judge(b311("src/loadgenerator/locustfile.py"))
    assert rec["verdict"] == "false_positive"
    assert rec["reasons"][0]["evidence"].startswith("test tooling: src/loadgenerator/locustfile.py is a Locust load-test "
                                                    "script (it imports locust)")  # not "not deployed": it may run
    plain = LOCUST.replace("from locust import FastHttpUser, TaskSet, between\n", "import flask\n")
    rec = Judge(reader=Files({"src/shop/views.py": plain})).judge(b311("src/shop/views.py"))
    assert "load-test" not in rec["reasons"][0]["evidence"]  # the same code without locust is judged as code


DB = '''import sqlite3


class TransactionDb:
    def __init__(self, name="t.db"):
        self.conn = sqlite3.connect(name)

    def get_user(self, user_id):
        return self.conn.execute(f"SELECT * FROM Users WHERE userId = '{user_id}'").fetchall()
'''
TOOLS = '''from transaction_db import TransactionDb


def current_user(text):
    db = TransactionDb()
    return db.get_user(1)
'''


def test_a_method_every_call_of_which_passes_a_constant_is_constant_data(tmp_path):
    rec = _repo(tmp_path / "a", {"transaction_db.py": DB, "tools.py": TOOLS}).judge(sql("transaction_db.py", 9, tool="bandit", rule="B608"))
    assert rec["verdict"] == "false_positive", rec
    assert "user_id of get_user() (every call passes constants: tools.py:6)" in rec["reasons"][0]["evidence"]


def test_a_method_called_with_input_or_shadowed_by_another_class_or_on_a_subclass_is_left_alone(tmp_path):
    tainted = TOOLS.replace("db.get_user(1)", "db.get_user(text)")
    rec = _repo(tmp_path / "a", {"transaction_db.py": DB, "tools.py": tainted}).judge(sql("transaction_db.py", 9, tool="bandit", rule="B608"))
    assert rec["verdict"] != "false_positive"
    other = "class Cache:\n    def get_user(self, user_id):\n        return user_id\n"
    rec = _repo(tmp_path / "b", {"transaction_db.py": DB, "tools.py": TOOLS, "cache.py": other}).judge(
        sql("transaction_db.py", 9, tool="bandit", rule="B608"))
    assert rec["verdict"] != "false_positive"  # `db.get_user(1)` could be Cache's: no conclusion
    framework = DB.replace("class TransactionDb:", "class TransactionDb(BaseView):")
    rec = _repo(tmp_path / "c", {"transaction_db.py": framework, "tools.py": TOOLS}).judge(
        sql("transaction_db.py", 9, tool="bandit", rule="B608"))
    assert rec["verdict"] != "false_positive"  # a base class may call it by name with outside data


APP = """from flask import Flask
app = Flask(__name__)


@app.route('/')
def hello():
    return 'hi'


if __name__ == "__main__":
    app.run(debug=True, host='0.0.0.0')
"""


class Index:
    def __init__(self, files):
        self.files = list(files)


def test_a_sibling_projects_python_app_py_does_not_count_as_running_this_file():
    files = {"quickstarts/python/app.py": APP,
             "quickstarts/python/Dockerfile": "FROM python:3.12\nCOPY . .\nCMD exec gunicorn --bind :$PORT app:app\n",
             "quickstarts/whereami/app.py": APP, "quickstarts/whereami/Procfile": "web: python app.py\n"}
    f = finding(tool="bandit", rule_id="B201", location={"path": "quickstarts/python/app.py", "start_line": 11, "end_line": 11})
    ev = check_main_guard(f, Files(files), Index(files))
    assert ev and "quickstarts/python/Dockerfile:3 starts the application with gunicorn" in ev["evidence"]
    files["quickstarts/python/Procfile"] = "web: python app.py\n"  # its own Procfile runs it as a script
    assert check_main_guard(f, Files(files), Index(files)) is None


def test_a_dockerfile_that_copies_the_apps_folder_into_the_workdir_runs_the_file():
    app = "import gradio as gr\n\ndemo = gr.Blocks()\ndemo.launch(server_name='0.0.0.0')\n"
    docker = "FROM python:3.13-alpine\nADD app/ .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"./app.py\"]\n"
    f = b104(location={"path": "gradio/app/app.py", "start_line": 4, "end_line": 4})
    rec = judge({"gradio/app/app.py": app, "gradio/Dockerfile": docker}, f)
    assert rec["verdict"] == "false_positive" and "gradio/Dockerfile:4 runs gradio/app/app.py" in rec["reasons"][0]["evidence"]
    other = docker.replace("ADD app/ .", "ADD web/ .")  # another folder's app.py is what runs
    assert judge({"gradio/app/app.py": app, "gradio/Dockerfile": other}, f)["verdict"] == "true_positive"


# held-out set 8 (the session's own): a timeout Bandit cannot read, digests that only name things, job permissions
def test_a_timeout_from_configuration_is_one_bandit_cannot_read():
    from test_triage_constant_data import b113

    code = ("import requests\nfrom flask import request\n\ndef contacts():\n    resp = requests.post(\n        URI,\n"
            "        data=request.form,\n        timeout=app.config['BACKEND_TIMEOUT'])\n    return resp\n")
    rec = Judge(reader=Files(code)).judge(b113("frontend.py", 5))
    assert rec["verdict"] == "false_positive"
    assert "passes timeout=app.config['BACKEND_TIMEOUT'] (line 8)" in rec["reasons"][0]["evidence"]
    none = code.replace("timeout=app.config['BACKEND_TIMEOUT']", "timeout=None")
    assert Judge(reader=Files(none)).judge(b113("frontend.py", 5))["verdict"] != "false_positive"  # None: no timeout


BUCKETS = '''import hashlib
from django.conf import settings


class TokenBucket:
    @staticmethod
    def authorize_login_email(email):
        salted = (email + settings.SECRET_KEY).encode()
        hashed = hashlib.sha1(salted).hexdigest()
        return TokenBucket.authorize(f"em-{hashed}", 10, 3600)

    @staticmethod
    def remember(password):
        hashed = hashlib.sha1(password.encode()).hexdigest()
        return TokenBucket.authorize(f"pw-{hashed}", 10, 3600)

    @staticmethod
    def stored(email):
        hashed = hashlib.sha1(email.encode()).hexdigest()
        return hashed == settings.EXPECTED

    @property
    def unique_key(self):
        return hashlib.sha1(self.code.hex[:16].encode()).hexdigest()
'''


def b324(line):
    return finding(tool="bandit", rule_id="B324", title="Use of weak SHA1 hash for security. Consider usedforsecurity=False",
                   location={"path": "hc/api/models.py", "start_line": line, "end_line": line})


def test_a_weak_digest_that_only_names_a_bucket_or_is_an_id_is_not_a_security_use():
    files = Files(BUCKETS)
    rec = Judge(reader=files).judge(b324(9))
    assert rec["verdict"] == "false_positive" and "only uses inside a key with a fixed prefix" in rec["reasons"][0]["evidence"]
    rec = Judge(reader=files).judge(b324(24))
    assert rec["verdict"] == "false_positive" and "what unique_key() returns, an identifier" in rec["reasons"][0]["evidence"]


def test_a_digest_a_function_returns_as_a_file_name_is_an_identifier():
    """linkding's preview_image_loader.py (round 15): the MD5 of an image URL names the cached file."""
    code = ("import hashlib\n\n\ndef _url_to_filename(preview_image: str) -> str:\n"
            "    return hashlib.md5(preview_image.encode()).hexdigest()\n\n\n"
            "def password_filename(password):\n    return hashlib.md5(password.encode()).hexdigest()\n")
    rec = Judge(reader=Files(code)).judge(b324(5))
    assert rec["verdict"] == "false_positive" and "what _url_to_filename() returns, an identifier" in rec["reasons"][0]["evidence"]
    assert Judge(reader=Files(code)).judge(b324(9))["verdict"] == "true_positive"  # the name of a password's digest



def test_a_digest_stored_as_a_content_fingerprint_is_not_a_security_use():
    """linkding's bookmarks/models.py (round 15): `self.custom_css_hash = hashlib.md5(self.custom_css...)` busts a cache."""
    code = ("import hashlib\n\n\nclass Profile:\n    def save(self):\n        if self.custom_css:\n"
            "            self.custom_css_hash = hashlib.md5(\n                self.custom_css.encode('utf-8')\n            ).hexdigest()\n"
            "        self.api_key_hash = hashlib.md5(self.key.encode()).hexdigest()\n"
            "        self.pw_hash = hashlib.md5(self.password.encode()).hexdigest()\n")
    rec = Judge(reader=Files(code)).judge(b324(7))
    assert rec["verdict"] == "false_positive" and "sets self.custom_css_hash, a name for the data it digests " \
        "(`self.custom_css.encode('utf-8')`)" in rec["reasons"][0]["evidence"]  # what it digests, not a guessed purpose
    for line in (10, 11):  # an API key's or a password's digest kept under a name: a finding
        assert Judge(reader=Files(code)).judge(b324(line))["verdict"] == "true_positive", line


def test_a_digest_of_a_password_or_one_that_is_compared_stays_a_finding():
    files = Files(BUCKETS)
    assert Judge(reader=files).judge(b324(14))["verdict"] == "true_positive"  # a fast hash of a password, kept as a key
    assert Judge(reader=files).judge(b324(19))["verdict"] == "true_positive"  # compared: collisions could matter


PUBLISH = """name: publish
on:
  push:
    tags: ['*']
jobs:
  push_to_registry:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      packages: write
    steps:
      - uses: actions/checkout@v4
  scan:
    runs-on: ubuntu-latest
    permissions: read-all
    steps:
      - uses: actions/checkout@v4
"""


def test_top_level_permissions_do_not_matter_when_every_job_sets_its_own():
    gha1 = checkov("CKV2_GHA_1", path=".github/workflows/publish.yml")
    rec = Judge(reader=Files({".github/workflows/publish.yml": PUBLISH})).judge(gha1)
    assert rec["verdict"] == "false_positive"
    assert "each of its 2 jobs declares its own (push_to_registry: contents: read, packages: write; scan: read-all)" \
        in rec["reasons"][0]["evidence"]
    one_open = PUBLISH.replace("    permissions: read-all\n", "")  # sets 35-38: hardening (tests/test_set39.py)
    rec = Judge(reader=Files({".github/workflows/publish.yml": one_open})).judge(gha1)
    assert rec["verdict"] == "needs_review" and rec["reasons"][0]["evidence"].startswith("least-privilege hardening")  # set 56
    everything = PUBLISH.replace("      contents: read\n      packages: write\n", "      contents: write-all\n")
    assert Judge(reader=Files({".github/workflows/publish.yml": everything})).judge(gha1)["verdict"] == "true_positive"


def test_browser_test_configs_and_ui_test_folders_are_test_code():
    from tasks.triage.report_signals import is_test_path

    assert is_test_path(".github/workflows/ui-tests/cypress.config.js") and is_test_path("web/playwright.config.ts")
    assert is_test_path("e2e/login.js") and not is_test_path("src/config.js")
    rec = Judge().judge(checkov("CKV_GCP_82", path="examples/kms/kms.tf"))
    assert rec["verdict"] == "false_positive" and "prevent_destroy" in rec["reasons"][0]["evidence"]
    rec = Judge().judge(checkov("CKV_AWS_394", path="modules/vpc/main.tf"))  # labelled hygiene in three sets
    assert rec["verdict"] == "false_positive" and "capacity-planning setting" in rec["reasons"][0]["evidence"]


SORT_URL = '''from django.utils.safestring import mark_safe


def sort_url(context, sort):
    q = context["request"].GET.copy()
    q["sort"] = sort
    urlencoded = q.urlencode()
    return mark_safe("?" + urlencoded)


def greeting(request):
    return mark_safe("<b>" + request.GET["name"] + "</b>")
'''


def test_mark_safe_of_urlencoded_or_escaped_text_is_not_xss():
    b308 = lambda line: finding(tool="bandit", rule_id="B308", title="Use of mark_safe() may expose cross-site scripting "  # noqa: E731
                                "vulnerabilities and should be reviewed.", location={"path": "hc/tags.py", "start_line": line,
                                                                                   "end_line": line})
    rec = Judge(reader=Files(SORT_URL)).judge(b308(8))
    assert rec["verdict"] == "false_positive"
    assert "mark_safe() at line 8 wraps only literal text and the output of q.urlencode() (line 7)" in rec["reasons"][0]["evidence"]
    assert Judge(reader=Files(SORT_URL)).judge(b308(12))["verdict"] == "true_positive"  # request data, not escaped


PODINFO_DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
spec:
  template:
    spec:
      containers:
      - name: backend
        image: ghcr.io/stefanprodan/podinfo:6.14.1
"""


def test_a_manifest_running_the_repositorys_own_non_root_image_is_not_a_root_container():
    from tasks.triage.built_images import check_image_user

    class Repo(Files):
        class repo:
            name = "podinfo"

    files = {"Dockerfile": "FROM golang:1.22 AS build\nRUN make\nFROM alpine:3.20\nRUN adduser -D app\nUSER app\n"
                           "ENTRYPOINT [\"podinfo\"]\n", "deploy/backend.yaml": PODINFO_DEPLOY}
    f = checkov("CKV_K8S_23", path="deploy/backend.yaml") | {"snippet": PODINFO_DEPLOY}
    ev = check_image_user(f, Repo(files), Repo(files))
    assert ev and "built by Dockerfile, whose last stage sets USER app (line 5)" in ev["evidence"]
    assert Judge(reader=Repo(files), imports=Repo(files)).judge(f)["verdict"] == "false_positive"
    root = dict(files, Dockerfile=files["Dockerfile"].replace("USER app", "USER root"))
    assert check_image_user(f, Repo(root), Repo(root)) is None
    forced = f | {"snippet": PODINFO_DEPLOY + "        securityContext:\n          runAsUser: 0\n"}
    assert check_image_user(forced, Repo(files), Repo(files)) is None  # the manifest makes it root again
    other = f | {"snippet": PODINFO_DEPLOY.replace("podinfo:6.14.1", "someone/else:1.0")}
    assert check_image_user(other, Repo(files), Repo(files)) is None  # not this repository's image


# held-out set 9 (the session's second): vendor bundles, demo-data scripts, request files, test settings, diagnostics
def test_vendor_bundles_and_collected_static_of_django_apps_are_library_code():
    from tasks.triage.paths import is_library

    assert is_library("static/babybuddy/js/vendor.7606a4559e55.js") and is_library("static/js/vendor.js")
    assert is_library("static/rest_framework/js/prettify-min.709bfcc456c6.js") and is_library("static/admin/js/core.js")
    assert not is_library("static/js/app.4f3a2b1c9d.js") and not is_library("src/admin/js/panel.js")


def test_random_values_and_digests_in_a_demo_data_generator_are_not_security_uses():
    f = finding(tool="bandit", rule_id="B311", title="Standard pseudo-random generators are not suitable",
                location={"path": "babybuddy/management/commands/fake.py", "start_line": 177, "end_line": 177})
    rec = Judge().judge(f)
    assert rec["verdict"] == "false_positive" and "is a demo-data generator" in rec["reasons"][0]["evidence"]
    md5 = finding(tool="bandit", rule_id="B324", title="Use of weak MD5 hash", location={"path": "populate.py", "start_line": 4,
                                                                                      "end_line": 4})
    assert Judge().judge(md5)["verdict"] == "false_positive"
    app = dict(f, location={"path": "babybuddy/views.py", "start_line": 3, "end_line": 3})
    assert "demo-data" not in Judge().judge(app)["reasons"][0]["evidence"]
    wger = dict(f, location={"path": "wger/manager/management/commands/dummy-generator-workout-diary.py", "start_line": 101})
    assert Judge().judge(wger)["verdict"] == "false_positive"  # set 13: wger's dummy-generator-* commands
    assert "demo-data" not in Judge().judge(dict(f, location={"path": "app/dummy.py", "start_line": 3}))["reasons"][0]["evidence"]


FIXTURES = '''USERS = [
    {
        "email": "patrick@bikinibottom.sea",
        "name": "Patrick Star",
        "password": "mayonnaise",
    },
]
'''
SETUP_HTTP = "@base_host = http://localhost:8000/api\n@patrick_auth = Basic patrick@bikinibottom.sea:mayonnaise\n"


def test_a_seeded_password_a_request_file_logs_in_with_is_a_documented_demo_login():
    b105 = finding(tool="bandit", rule_id="B105", kind="secret", title="Possible hardcoded password: 'mayonnaise'",
                   location={"path": "labs/e06/database/fixtures.py", "start_line": 5, "end_line": 5})
    files = {"labs/e06/database/fixtures.py": FIXTURES, "labs/http/common/setup.http": SETUP_HTTP}
    rec = Judge(reader=Files(files), imports=Files(files)).judge(b105)
    assert rec["verdict"] == "false_positive"
    assert "labs/http/common/setup.http:2 publishes the value" in rec["reasons"][0]["evidence"]
    other = dict(files, **{"labs/http/common/setup.http": SETUP_HTTP.replace("patrick@bikinibottom.sea", "squidward@x.sea")})
    assert Judge(reader=Files(other), imports=Files(other)).judge(b105)["verdict"] != "false_positive"  # not this user


def test_test_settings_modules_and_test_config_classes_are_test_configuration():
    from tasks.triage.report_signals import is_test_path

    assert is_test_path("babybuddy/settings/ci.py") and not is_test_path("babybuddy/ci.py")
    code = 'class ServerConfig:\n    SECRET_KEY = env("SECRET")\n\n\nclass TestingConfig(ServerConfig):\n    SECRET_KEY = "AAAAAAAAAAAAAAAAAAAA"\n'
    f = finding(tool="semgrep", kind="secret", rule_id="hardcoded-secret-assignment-python", title="Hardcoded secret",
                location={"path": "CTFd/config.py", "start_line": 6, "end_line": 6}, snippet='    SECRET_KEY = "AAAAAAAAAAAAAAAAAAAA"',
                secret_evidence={"class": "placeholder", "match": "one character repeated", "length": 20, "entropy": 0.0})
    rec = Judge(reader=Files(code)).judge(f)
    assert rec["verdict"] == "false_positive" and "class TestingConfig (line 5)" in rec["reasons"][0]["evidence"]
    prod = code.replace("class TestingConfig(ServerConfig)", "class ProductionConfig(ServerConfig)")
    assert Judge(reader=Files(prod)).judge(f)["verdict"] != "false_positive"  # a weak key in use


def test_postgres_performance_diagnostics_are_operational_while_connection_logging_stays():
    assert Judge().judge(checkov("CKV_GCP_54", path="terraform/main.tf"))["verdict"] == "false_positive"  # log_lock_waits
    assert Judge().judge(checkov("CKV_GCP_52", path="terraform/main.tf"))["verdict"] == "true_positive"  # log_connections


def test_a_workflow_whose_jobs_set_their_own_permissions_gets_an_empty_top_level_block_not_a_skip_comment():
    from tasks.fixes.suppression import suppression_answer

    gha1 = checkov("CKV2_GHA_1", path=".github/workflows/publish.yml")
    rec = Judge(reader=Files({".github/workflows/publish.yml": PUBLISH})).judge(gha1)
    answer = suppression_answer(gha1, rec)
    assert "```yaml\npermissions: {}\n```" in answer and "checkov:skip" not in answer


def test_a_digest_a_hash_function_returns_as_a_cache_key_is_an_identifier():
    code = ("from hashlib import md5\n\n\ndef calculate_param_hash(params):\n    args = tuple(sorted(params))\n"
            "    args_hash = md5(str(args).encode()).hexdigest()\n    return args_hash\n\n\ndef password_hash(pw):\n"
            "    h = md5(pw.encode()).hexdigest()\n    return h\n")
    f = lambda line: finding(tool="bandit", rule_id="B324", title="Use of weak MD5 hash",  # noqa: E731
                             location={"path": "CTFd/cache/__init__.py", "start_line": line, "end_line": line})
    rec = Judge(reader=Files(code)).judge(f(6))
    assert rec["verdict"] == "false_positive" and "calculate_param_hash() returns as an identifier" in rec["reasons"][0]["evidence"]
    assert Judge(reader=Files(code)).judge(f(11))["verdict"] == "true_positive"  # a password's fast hash


def test_a_random_looking_value_in_test_code_without_an_issuers_format_is_sample_data():
    f = finding(tool="bandit", rule_id="B105", kind="secret", title="Possible hardcoded password: '8f3c1a9e-77b2-4c1e-9a0d-3b5e6f7a8c9d'",
                location={"path": "hc/integrations/signal/tests/test_notify.py", "start_line": 483, "end_line": 483},
                secret_evidence={"class": "high-entropy", "length": 36, "entropy": 3.8, "match": None, "format": None})
    rec = Judge().judge(f)
    assert rec["verdict"] == "false_positive" and "a test's key or password opens only what the tests set up" in rec["reasons"][0]["evidence"]
    aws = dict(f, secret_evidence={"class": "high-entropy", "length": 20, "entropy": 3.7, "match": None,
                                   "format": "fits the AWS access key format"})
    assert Judge().judge(aws)["verdict"] == "needs_review"  # shaped like a real issuer's key: still check it


def test_a_query_whose_only_value_is_converted_to_int_takes_only_numbers():
    code = ('def restore(side_db, entry):\n    config_id = int(entry["id"])\n'
            '    side_db.query(\n        f"DELETE FROM config WHERE id={config_id}"  # noqa: S608\n    )\n')
    f = finding(tool="bandit", rule_id="B608", title="Possible SQL injection vector through string-based query construction.",
                location={"path": "CTFd/utils/exports/__init__.py", "start_line": 4, "end_line": 4})
    rec = Judge(reader=Files(code)).judge(f)
    assert rec["verdict"] == "false_positive", rec
    said = " | ".join(r["evidence"] for r in rec["reasons"])  # CTFd's `# noqa: S608` is ruff's code for B608: the
    assert rec["reasons"][0]["evidence"].startswith("the line carries `# noqa: S608`")  # team's label first (set 58)
    assert "only numbers reach the sink" in said and "int(entry['id']) at line 2" in said, said
    raw = code.replace('int(entry["id"])', 'entry["id"]').replace("  # noqa: S608", "")
    assert Judge(reader=Files(raw)).judge(f)["verdict"] != "false_positive"


def test_the_stage1_place_for_a_workflow_whose_jobs_set_their_own_permissions_is_the_empty_block():
    from tasks.fixes.suppression import suppression_place

    gha1 = checkov("CKV2_GHA_1", path=".github/workflows/publish.yml")
    rec = Judge(reader=Files({".github/workflows/publish.yml": PUBLISH})).judge(gha1)
    assert suppression_place(gha1, rec).startswith("with an empty top-level `permissions: {}` block")
    b101 = finding(tool="bandit", rule_id="B101", title="Use of assert detected.",
                   location={"path": "tests/test_x.py", "start_line": 3, "end_line": 3})
    assert "`assert_used: skips`" in suppression_place(b101, Judge().judge(b101))  # round 53: once for the test files
    other = finding(tool="bandit", rule_id="B105", title="Possible hardcoded password: 'x'",
                    location={"path": "app/x.py", "start_line": 3, "end_line": 3})
    assert suppression_place(other, {"verdict": "false_positive", "reasons": [{"evidence": "x"}]}) == "on the flagged line"
