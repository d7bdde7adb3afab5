"""Checks from held-out set 22 (calibre-web, OctoPrint, paperless-ngx, terraform-aws-cloudfront), written after its
measurement: each flags its case and leaves the neighbour that is a finding alone."""

from __future__ import annotations

import pytest
from test_triage_containers import Files

from tasks.triage.file_mode import check_file_mode
from tasks.triage.jquery_dom import check_jquery_dom
from tasks.triage.paths import is_library
from tasks.triage.verdict import Judge

AUDIT = "tmp.rules.javascript.jquery.security.audit."
JS = """function save(viewModel, event) {
    var target = $(event.target);
    target.prepend('<i class="fa fa-spinner"></i> ');
}
function folders(selectPathElement, folders) {
    folders.forEach((folder) => {
        const element = $("<option></option>").text(folder).val(folder);
        selectPathElement.append(element);
    });
    $("#list").append($("#second").contents());
}
function isEmpty($element) { return $.trim($element.html()) === ''; }
function show(data, name) {
    $("#meta").append('<b>' + data.name + '</b>');
    const link = $("<a></a>").attr("href", data.url);
    $("#links").append(link);
    $(name).remove();
}
"""


def _semgrep(rule: str, line: int, path: str = "static/js/app.js") -> dict:
    return {"id": "3" * 32, "tool": "semgrep", "kind": "code", "severity": "low", "rule_id": rule, "title": rule,
            "description": "d", "location": {"path": path, "start_line": line, "end_line": line}}


@pytest.mark.parametrize("rule, line, said", [
    ("jquery-insecure-selector", 2, "`event.target`, a DOM element"),
    ("jquery-insecure-method", 8, "`element`, set on line 7 to `$(\"<option></option>\").text(folder).val(folder)`"),
    ("jquery-insecure-method", 10, "`$(\"#second\").contents()`, existing nodes of the page"),
    ("prohibit-jquery-html", 12, "reads the element's HTML and writes none"),
])
def test_a_jquery_call_that_parses_no_text_as_html(rule, line, said):
    hit = check_jquery_dom(_semgrep(AUDIT + rule, line), Files(JS))
    assert hit and said in hit["evidence"], hit
    assert Judge(reader=Files(JS)).judge(_semgrep(AUDIT + rule, line))["verdict"] == "false_positive"


@pytest.mark.parametrize("rule, line", [("jquery-insecure-method", 14), ("jquery-insecure-method", 16),
                                        ("jquery-insecure-selector", 17)])
def test_a_jquery_call_with_a_string_a_url_attribute_or_a_parameter_stays(rule, line):
    assert check_jquery_dom(_semgrep(AUDIT + rule, line), Files(JS)) is None


def test_a_copied_release_in_a_served_folder_is_a_library_and_a_node_lib_folder_is_not():
    assert is_library("cps/static/js/libs/bar-ui.js") and is_library("cps/static/js/libs/wysihtml5-0.0.3.js")
    assert is_library("static/js/select2-4.0.13.min.js")
    assert not is_library("lib/server.js") and not is_library("src/lib/util.js") and not is_library("cps/static/js/main.js")


def test_chmod_with_no_bits_for_others_is_group_only_access():
    code = "import os\n\n\ndef serve(sock):\n    os.chmod(sock, 0o660)\n    os.chmod(sock + '.pub', 0o664)\n    os.chmod(sock, MODE)\n"
    b103 = {"id": "2" * 32, "tool": "bandit", "kind": "code", "severity": "medium", "rule_id": "B103", "title": "B103",
            "description": "d", "location": {"path": "cps/server.py", "start_line": 5, "end_line": 5}}
    hit = check_file_mode(b103, Files(code))
    assert hit and "sets 0o660, whose last digit is 0" in hit["evidence"]
    for line in (6, 7):  # readable by others; a mode the line does not spell out
        assert check_file_mode(dict(b103, location={"path": "cps/server.py", "start_line": line, "end_line": line}), Files(code)) is None


def test_a_compatibility_rule_is_no_security_rule():
    rule = "python.lang.compatibility.python37.python37-compatibility-importlib2"
    f = _semgrep(rule, 3, "src/paperless/parsers/tesseract.py")
    rec = Judge(reader=Files("import os\nimport re\nimport importlib.resources\n")).judge(f)
    assert rec["verdict"] == "false_positive" and "belongs to the compatibility group" in rec["reasons"][0]["evidence"]


@pytest.mark.parametrize("value, cls, match", [
    ("789101112hijk", "placeholder", "a counting sequence (consecutive numbers, abcd…), 13 of 13 characters"),
    ("password with ümläutß", "plain-word", "a phrase of 3 words"),  # OctoPrint's non-ASCII hashing test
    ("orig-pass-12345", "weak", "words and digits joined by - or _"),  # paperless-ngx's profile test
    ("Xk9vQ2mZr7LpW4tB", "high-entropy", None),  # generated-looking: still a credential's shape
    ("2q9x7b1k4m8z3v6n", "high-entropy", None),
])
def test_test_values_a_person_typed_are_named_for_what_they_are(value, cls, match):
    """Round 27 (set 22): three test passwords were called "high-entropy, shaped like a real credential"."""
    from tasks.findings.secret_evidence import classify_one

    ev = classify_one(value, True, True)
    assert (ev["class"], ev.get("match")) == (cls, match)


def test_a_phrase_in_a_test_file_is_said_to_be_one():
    code = "def test_createPasswordHash_nonascii():\n    password = 'password with ümläutß'\n    assert hash(password)\n"
    b105 = {"id": "1" * 32, "tool": "bandit", "kind": "code", "severity": "low", "rule_id": "B105",
            "title": "Possible hardcoded password: 'password with ümläutß'", "description": "d",
            "snippet": "2     password = 'password with ümläutß'\n",
            "location": {"path": "tests/access/users/test_usermanager.py", "start_line": 2, "end_line": 2}}
    from tasks.findings.parsers.finalise import finalise

    rec = Judge(reader=Files(code)).judge(finalise(b105))
    text = " ".join(r["evidence"] for r in rec["reasons"])
    assert rec["verdict"] == "false_positive" and "shaped like a real credential" not in text


LOGIN = """from flask import redirect, request, url_for
from app.util import (
    other,
    validate_local_redirect,
)


def login():
    redirect_url = request.args.get("redirect", url_for("index"))
    if not validate_local_redirect(redirect_url, [url_for("index")]):
        redirect_url = url_for("index")
    return redirect(redirect_url)


def search():
    term = request.args.get("query")
    return redirect(url_for("web.books_list", data="search", query=term.strip()))


def forward():
    target = request.args.get("next")
    if not validate_local_redirect(target, []):
        print("refused")
    return redirect(target)
"""
UTIL = """from urllib.parse import urljoin, urlparse


def validate_local_redirect(url, allowed_paths):
    parsed = urlparse(url)
    return parsed.scheme == "" and parsed.netloc == "" and urljoin("/", parsed.path) in allowed_paths
"""


@pytest.mark.parametrize("line, said", [
    (12, "`if not validate_local_redirect(redirect_url, [url_for('index')]):` (line 10) replaces a refused value"),
    (17, "redirects to `url_for('web.books_list', ...)`, a path of this application's own endpoint"),
])
def test_a_redirect_whose_target_is_checked_first_or_built_by_url_for(line, said):
    from tasks.triage.redirect_target import check_redirect_target

    files = Files({"app/views.py": LOGIN, "src/app/util/__init__.py": UTIL})
    f = _semgrep("python.flask.security.open-redirect.open-redirect", line, "app/views.py")
    hit = check_redirect_target(f, files)
    assert hit and said in hit["evidence"], hit
    # the check that only logs and keeps the value, or a check the repository does not hold, decides nothing
    assert check_redirect_target(dict(f, location={"path": "app/views.py", "start_line": 24, "end_line": 24}), files) is None
    if line == 12:
        assert check_redirect_target(f, Files({"app/views.py": LOGIN})) is None


def test_pickle_of_an_objects_own_dump_is_an_in_process_copy():
    """OctoPrint's fast_deepcopy (round 27, set 22): `pickle.loads(pickle.dumps(obj))` unpickles its own bytes."""
    from tasks.triage.repo_file_input import check_repo_file_input

    code = ("import pickle\n\n\ndef fast_deepcopy(obj):\n    return pickle.loads(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))\n\n\n"
            "def load(blob):\n    return pickle.loads(blob)\n")
    b301 = {"id": "0" * 32, "tool": "bandit", "kind": "code", "severity": "medium", "rule_id": "B301",
            "title": "Pickle and modules that wrap it can be unsafe when used to deserialize untrusted data", "description": "d",
            "location": {"path": "src/octoprint/util/__init__.py", "start_line": 5, "end_line": 5}}
    hit = check_repo_file_input(b301, Files(code))
    assert hit and hit["evidence"].startswith("an in-process copy: `pickle.loads(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))`")
    assert check_repo_file_input(dict(b301, location={"path": "src/octoprint/util/__init__.py", "start_line": 9,
                                                      "end_line": 9}), Files(code)) is None


S6 = {
    "Dockerfile": "FROM python:3.12-slim AS base\nCOPY ./docker/rootfs /\nRUN useradd --uid 1000 paperless\n"
                  "FROM base AS app\nCOPY . /usr/src/app\nENTRYPOINT [\"/init\"]\n",
    "docker/rootfs/etc/s6-overlay/s6-rc.d/svc-webserver/type": "longrun\n",
    "docker/rootfs/etc/s6-overlay/s6-rc.d/svc-webserver/run": "#!/command/with-contenv bash\nif [[ -n \"${USER_IS_NON_ROOT}\" ]]; then\n"
        "\texec granian app:app\nelse\n\texec s6-setuidgid paperless granian app:app\nfi\n",
    "docker/rootfs/etc/s6-overlay/s6-rc.d/svc-worker/type": "longrun\n",
    "docker/rootfs/etc/s6-overlay/s6-rc.d/svc-worker/run": "#!/command/with-contenv bash\nexec s6-setuidgid paperless celery worker\n",
    "docker/rootfs/etc/s6-overlay/s6-rc.d/init-folders/type": "oneshot\n",
    "docker/rootfs/etc/s6-overlay/s6-rc.d/init-folders/run": "#!/command/with-contenv bash\nchown -R paperless /data\n",
}


def test_an_s6_overlay_image_whose_services_drop_root_needs_no_user_line():
    """paperless-ngx (held-out set 22, both labellers): `ENTRYPOINT ["/init"]`, each long-running service runs its program
    through `s6-setuidgid paperless`; a one-shot init step as root is not the service."""
    from tasks.triage.docker import check_container

    f = {"id": "9" * 32, "tool": "checkov", "kind": "config", "severity": "low", "rule_id": "CKV_DOCKER_3", "title": "t",
         "description": "d", "location": {"path": "Dockerfile", "start_line": 1, "end_line": 6}}
    files = Files(S6)
    hit = check_container(f, files, files)
    assert hit and "Dockerfile:6 starts s6-overlay (`/init`), and each of its 2 long-running services" in hit["evidence"]
    assert "svc-webserver/run line 5" in hit["evidence"]
    root = Files(dict(S6, **{"docker/rootfs/etc/s6-overlay/s6-rc.d/svc-worker/run": "#!/bin/bash\nexec celery worker\n"}))
    assert check_container(f, root, root) is None  # one service runs as root: the finding stays


def test_a_dummy_value_is_called_one_not_documented():
    from tasks.findings.parsers.finalise import finalise

    b106 = {"id": "8" * 32, "tool": "bandit", "kind": "code", "severity": "low", "rule_id": "B106",
            "title": "Possible hardcoded password: 'test'", "description": "Possible hardcoded password: 'test'",
            "snippet": '706             password="test",\n',
            "location": {"path": "src/documents/tests/test_api_permissions.py", "start_line": 706, "end_line": 706}}
    f = finalise(b106)
    assert f["title"] == "Possible hardcoded password: 'test'"  # a dummy word is no secret to redact
    rec = Judge(reader=None).judge(f)
    text = " ".join(r["evidence"] for r in rec["reasons"])
    assert rec["verdict"] == "false_positive" and "a dummy value" in text and "documented" not in text


def test_a_weak_hash_of_fresh_random_bytes_is_a_random_token():
    """OctoPrint's csrf.py (round 27, set 22): `hashlib.sha1(os.urandom(64)).hexdigest()` makes a CSRF value."""
    code = ("import hashlib\nimport os\n\n\ndef generate_csrf_token():\n    value = hashlib.sha1(os.urandom(64)).hexdigest()\n"
            "    return value\n\n\ndef weak(user):\n    return hashlib.sha1(os.urandom(8) + user.encode()).hexdigest()\n")

    def b324(line):
        return {"id": "7" * 32, "tool": "bandit", "kind": "code", "severity": "high", "rule_id": "B324",
                "title": "Use of weak SHA1 hash for security. Consider usedforsecurity=False", "description": "d",
                "location": {"path": "src/octoprint/server/util/csrf.py", "start_line": line, "end_line": line}}

    rec = Judge(reader=Files(code)).judge(b324(6))
    assert rec["verdict"] == "false_positive" and "digests only `os.urandom(64)`, fresh random bytes" in rec["reasons"][0]["evidence"]
    assert "fresh random bytes" not in str(Judge(reader=Files(code)).judge(b324(11)))  # random bytes and a user's name


class _Repo(Files):
    """Files with the two calls tasks.triage.reachability.ImportIndex answers."""

    def sources(self, fam):
        return [p for p in self.files if p.endswith(".py")]

    def text(self, fam):
        return "".join(self.data[p] for p in self.sources(fam))


def flag_hit(files: dict[str, str], line: int, path: str) -> dict | None:
    """check_flag_attribute on Semgrep's is-function-without-parentheses at ``path:line`` of ``files``."""
    from tasks.triage.flag_attrs import check_flag_attribute

    repo = _Repo(files)
    return check_flag_attribute(_semgrep("python.lang.maintainability.is-function-without-parentheses", line, path), repo, repo)


FLAG_CODE = {
    "app/views.py": "from flask_login import current_user\n\n\ndef index(user, doc):\n    if current_user.is_authenticated:\n"
                    "        return doc.is_public\n    if user.is_banned:\n        return 1\n    return doc.is_draft\n",
    "app/models.py": "class Doc:\n    is_public = Column(Boolean, default=False)\n\n    @property\n    def is_draft(self):\n"
                     "        return self.state == 'draft'\n\n\nclass User:\n    def is_banned(self):\n        return False\n",
}


@pytest.mark.parametrize("line, said", [
    (5, "`current_user.is_authenticated` is a property of Flask-Login's UserMixin"),
    (6, "no `is_public` the repository defines is a method (an attribute at app/models.py:2)"),
    (9, "no `is_draft` the repository defines is a method (a property at app/models.py:5)"),
])
def test_an_is_flag_read_as_a_value_is_named_for_what_it_is(line, said):
    """Set 22's reason audit: "a maintainability rule" did not say why `if user.is_superuser:` is right."""
    from tasks.triage.flag_attrs import check_flag_attribute

    repo = _Repo(FLAG_CODE)
    f = _semgrep("python.lang.maintainability.is-function-without-parentheses", line, "app/views.py")
    hit = check_flag_attribute(f, repo, repo)
    assert hit and said in hit["evidence"], hit
    assert Judge(reader=repo, imports=repo).judge(f)["reasons"][0]["evidence"] == hit["evidence"]


def test_an_is_name_the_project_defines_as_a_method_is_not_explained_away():
    from tasks.triage.flag_attrs import check_flag_attribute

    repo = _Repo(FLAG_CODE)
    f = _semgrep("python.lang.maintainability.is-function-without-parentheses", 7, "app/views.py")
    assert check_flag_attribute(f, repo, repo) is None  # `user.is_banned` is a method: the rule may be right


@pytest.mark.parametrize("value, cls, match", [
    ("/var/run/secrets/tokens/oidc", "url", "a file path, not a secret's value"),  # pgadmin's OIDC token file (set 23)
    ("my_postgres1", "weak", "words and digits joined by - or _"),
    ("/etc/ssl/private/aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1", "high-entropy", None),  # a token in the path is still one
])
def test_set23_values_are_named_for_what_they_are(value, cls, match):
    from tasks.findings.secret_evidence import classify_one

    ev = classify_one(value, True, True)
    assert (ev["class"], ev.get("match")) == (cls, match)


def test_a_keyword_argument_on_its_own_line_is_no_attribute_definition():
    """bookwyrm (set 23's reason audit): `is_active=True,` inside a filter() call was cited as where the name is defined."""
    from tasks.triage.flag_attrs import check_flag_attribute

    repo = _Repo({"app/views.py": "def f(doc):\n    return doc.is_live\n",
                  "app/query.py": "def q():\n    return Doc.objects.filter(\n        is_live=True,\n    )\n"})
    f = _semgrep("python.lang.maintainability.is-function-without-parentheses", 2, "app/views.py")
    assert check_flag_attribute(f, repo, repo) is None


SECRET_NAMES = """AUTH_TOKEN_NAME = "__cld_token__"
DB_PASSWORD = "s3cr3t-Value-9"


def parse(token_type, value):
    if token_type == 'dot':
        return value
    return connect(password_field="pw", password="hunter2")
"""


@pytest.mark.parametrize("line, said", [
    (1, "given to `AUTH_TOKEN_NAME`, whose last word `name` says it holds the token's name, not the token itself"),
    (6, "given to `token_type`, whose last word `type` says it holds the token's type"),
])
def test_a_literal_given_to_a_secrets_kind_or_name_is_no_credential(line, said):
    """Tautulli's vendored Cloudinary and email parser (held-out set 23): Bandit matched `token` in the name."""
    from tasks.triage.secret_names import check_secret_name

    f = {"id": "6" * 32, "tool": "bandit", "kind": "code", "severity": "low", "rule_id": "B105", "title": "t",
         "description": "d", "location": {"path": "lib/cloudinary/auth_token.py", "start_line": line, "end_line": line}}
    hit = check_secret_name(f, Files(SECRET_NAMES))
    assert hit and said in hit["evidence"]
    for other in (2, 8):  # a password itself; a call that passes a password beside a field name
        f["location"] = {"path": "lib/cloudinary/auth_token.py", "start_line": other, "end_line": other}
        assert check_secret_name(dict(f, rule_id="B106"), Files(SECRET_NAMES)) is None


def test_a_password_hashing_schemes_name_is_a_keyword():
    from tasks.findings.secret_evidence import classify_one

    assert classify_one("pbkdf2_sha512", True, True)["class"] == "code-word"  # pgadmin's SECURITY_PASSWORD_HASH


DT = """var table = $('#t').DataTable({
    columnDefs: [{
        createdCell: function (td, cellData, rowData) {
            $(td).html('n/a');
        }
    }, {
        render: function (data, type, row) {
            return $(data).text();
        }
    }]
});
$('.menu').each(function (i, el) {
    $(el).hide();
});
"""


@pytest.mark.parametrize("line, said, ok", [
    (4, "`td`, the DOM node DataTables passes to `createdCell`", True),
    (13, "`el`, an element of the jQuery collection `.each()` walks", True),
    (8, None, False),  # render's data is the cell's value: a string
])
def test_a_parameter_a_library_fills_with_a_dom_node(line, said, ok):
    """Tautulli's tables (held-out set 23): `$(td)` in DataTables' createdCell wraps the cell's node."""
    hit = check_jquery_dom(_semgrep(AUDIT + "jquery-insecure-selector", line, "js/tables/users.js"), Files(DT))
    assert bool(hit) == ok and (not ok or said in hit["evidence"])


def test_a_folder_of_bundled_packages_is_a_vendored_copy_and_one_own_package_is_not():
    """Tautulli's lib/ (held-out set 23): 60-odd packages shipped in the tree; a finding in one needs review as any
    vendored copy, instead of standing as the application's own true positive."""
    from tasks.triage.bundles import bundled_packages

    pkgs = ["cherrypy", "requests", "pygments", "bleach", "urllib3", "idna", "certifi", "jwt"]
    files = [f"lib/{p}/__init__.py" for p in pkgs] + ["lib/requests/auth.py", "plexpy/__init__.py", "plexpy/webserve.py"]
    found = bundled_packages("lib/requests/auth.py", files)
    assert found and found[0] == "lib" and "requests" in found[1]
    assert bundled_packages("plexpy/webserve.py", files) is None
    own = ["lib/myapp/__init__.py", "lib/myapp/views.py"]  # a project's own code under lib/
    assert bundled_packages("lib/myapp/views.py", own) is None
    repo = Files({**{f: "" for f in files}, "lib/requests/auth.py": "import hashlib\ncnonce = hashlib.sha1(s).hexdigest()\n"})
    b324 = {"id": "5" * 32, "tool": "bandit", "kind": "code", "severity": "high", "rule_id": "B324", "title": "weak sha1",
            "description": "d", "location": {"path": "lib/requests/auth.py", "start_line": 2, "end_line": 2}}
    rec = Judge(reader=repo, imports=repo).judge(b324)
    assert rec["verdict"] == "needs_review" and "lib/ holds 8 bundled packages" in rec["reasons"][0]["evidence"]
