"""A hostile review of set 51's checks (git diff be6a9e6..HEAD -- tasks/): each test is a concrete input on which a new
or changed check answers wrong, and asserts the right answer (so each fails until the check is fixed)."""

from __future__ import annotations

import time

from test_round45_rows import _reasons
from test_triage_hygiene import finding


def _sg(rule: str, path: str, line: int, tool: str = "semgrep", **kw):
    return finding(rule_id=rule, title=rule, tool=tool,
                   location={"path": path, "start_line": line, "end_line": kw.pop("end", line)}, **kw)


# 1. framework_rule: now answers every Django rule on a Python file, including injection rules whose pattern
#    (request.$W.get(...) reaching open()) matches Flask code just as well.
FLASK_DOWNLOAD = '''from flask import Flask, request

app = Flask(__name__)


@app.route("/download")
def download():
    name = request.args.get("name")
    return open("/srv/files/" + name).read()
'''


def test_framework_rule_django_injection_rule_on_flask_code_stays_a_finding(tmp_path):
    """A Django path-traversal rule on a Flask view that opens `"/srv/files/" + request.args.get("name")` is a real
    path traversal: the pattern (user input reaching open()) is the vulnerability in any framework.  framework_rule
    now answers every Django rule on a `.py` file with "the Django API the rule asks for is not there to call" and a
    false_positive verdict.  Right: only rules that ask for a Django API (unvalidated-password) may be answered so; an
    injection rule keeps the finding."""
    rule = "python.django.security.injection.path-traversal.path-traversal-open"
    rec, said = _reasons(tmp_path, {"app/views.py": FLASK_DOWNLOAD, "requirements.txt": "flask\n"},
                         _sg(rule, "app/views.py", 9))
    assert rec["verdict"] != "false_positive", said
    assert "the Django API the rule asks for is not there to call" not in said


# 2. plain_text.check_text_render: any `body=`/`text=` keyword is taken for a mail's text part.
TXT_IN_PAGE = '''from flask import render_template, request

from app import app


@app.route("/comment")
def comment():
    return render_template(
        "layout.html",
        body=render_template("comment.txt", comment=request.args["c"]))
'''


def test_text_render_a_txt_fragment_handed_to_an_html_page_is_no_mail_part(tmp_path):
    """`render_template("layout.html", body=render_template("comment.txt", comment=request.args["c"]))`: the .txt
    fragment, rendered with autoescaping off, becomes `body` of an HTML page that prints `{{ body|safe }}` - reflected
    XSS.  check_text_render sees the keyword `body` and answers false_positive, "the plain-text part of a message";
    there is no message.  Right: a `body=`/`text=` keyword of another render_template (or of anything not a mail
    API) is no evidence of a text/plain part, and the finding stays."""
    rule = "python.flask.security.unescaped-template-extension.unescaped-template-extension"
    files = {"app/views.py": TXT_IN_PAGE, "app/templates/layout.html": "<html><body>{{ body|safe }}</body></html>\n",
             "app/templates/comment.txt": "{{ comment }}\n"}
    rec, said = _reasons(tmp_path, files, _sg(rule, "app/views.py", 10))
    assert rec["verdict"] != "false_positive", said
    assert "the plain-text part of a message" not in said


# 3. cli_command: `\w+\.group` takes any `.group()` decorator for a click group - discord.py's `@bot.group()` too.
DISCORD_BOT = '''import os
from threading import Thread

import discord
from discord.ext import commands
from flask import Flask

keep_alive = Flask(__name__)
bot = commands.Bot(command_prefix="!", intents=discord.Intents.all())


@keep_alive.route("/")
def home():
    return "alive"


@bot.group()
async def admin(ctx):
    pass


@admin.command()
async def ping(ctx, host):
    os.system("ping -c 1 " + host)
'''


def test_cli_command_a_discord_bot_group_is_no_click_group(tmp_path):
    """A discord.py bot (with the usual Flask keep-alive server in the same file): `@bot.group() async def admin`,
    `@admin.command() async def ping(ctx, host): os.system("ping -c 1 " + host)` - any chat user who types
    `!admin ping 1.1.1.1;id` runs a shell command on the bot's host.  cli_command calls `@bot.group()` "a click group
    of this file" and answers false_positive: "it runs only when someone runs that command in their own shell ... no
    request reaches it".  Right: a group made by an object that is neither click nor a Flask `.cli` (here a discord
    Bot) is no command-line group; the command injection stays a finding."""
    rec, said = _reasons(tmp_path, {"bot.py": DISCORD_BOT}, _sg("B605", "bot.py", 24, tool="bandit"))
    assert rec["verdict"] != "false_positive", said
    assert "command-line command" not in said and "click group" not in said


# 4. route_default: only the decorators are read; any other caller of the view gets the default credential.
ROUTE_CALLED = '''from flask import Flask

app = Flask(__name__)


@app.route("/login/<user>/<passwd>")
def login(user="admin", passwd="hunter2"):
    return check(user, passwd)


@app.route("/auto-login")
def auto_login():
    return login()
'''
ROUTE_ADDED = '''from flask import Flask

app = Flask(__name__)


@app.route("/login/<user>/<passwd>")
def login(user="admin", passwd="hunter2"):
    return check(user, passwd)


app.add_url_rule("/login", view_func=login)
'''


def test_route_default_a_view_called_without_the_url_values_uses_the_default(tmp_path):
    """`def login(user="admin", passwd="hunter2")` under `@app.route("/login/<user>/<passwd>")`, and `auto_login()`
    returns `login()` - the hard-coded `hunter2` is the credential every visitor of /auto-login logs in with (the same
    holds when `app.add_url_rule("/login", view_func=login)` adds a route without `<passwd>`).  route_default answers
    false_positive: "the default ... never runs".  Right: a default that another call site or an add_url_rule route
    leaves unfilled runs; B107 stays a finding unless nothing else calls or routes the view."""
    rec, said = _reasons(tmp_path, {"app.py": ROUTE_CALLED}, _sg("B107", "app.py", 7, tool="bandit"))
    assert rec["verdict"] != "false_positive" and "never runs" not in said, said
    rec, said = _reasons(tmp_path / "b", {"app.py": ROUTE_ADDED}, _sg("B107", "app.py", 7, tool="bandit"))
    assert rec["verdict"] != "false_positive" and "never runs" not in said, said


# 5. protocol_digest._caller: one HA1 caller makes a helper "the protocol's", whatever else calls it.
SHARED_MD5 = '''import hashlib


def _hash(value):
    return hashlib.md5(value.encode()).hexdigest()


def set_password(user, password):
    user.password_hash = _hash(password)


def check_digest_auth(auth, password, method, uri):
    """HTTP Digest: WWW-Authenticate."""
    ha1 = _hash(f"{auth.username}:{auth.realm}:{password}")
    ha2 = _hash(f"{method}:{uri}")
    return _hash(f"{ha1}:{auth.nonce}:{ha2}") == auth.response
'''


def test_protocol_digest_a_helper_that_also_stores_passwords_is_no_protocol_digest(tmp_path):
    """`_hash` (MD5) is called for HTTP Digest's ha1/ha2 and by `set_password` to store `user.password_hash =
    _hash(password)` - unsalted MD5 password storage, a real weakness.  protocol_digest's new `_caller` finds the
    `ha1 = _hash(...)` caller and answers false_positive: "the algorithm is the protocol's, not a choice of this code".
    Right: a helper is the protocol's only when every caller is the protocol; a caller that stores a password keeps the
    finding."""
    rec, said = _reasons(tmp_path, {"app/auth.py": SHARED_MD5}, _sg("B324", "app/auth.py", 5, tool="bandit"))
    assert rec["verdict"] != "false_positive", said
    assert "the algorithm is the protocol's" not in said


# 6. repo_urls.views / flask_urls._from_views: "every render_template of the template passes url_for" is never
#    checked for the renders that do not pass the name as a keyword (`**context`, or a context processor's value).
TPL = '<html><body>\n<a href="{{ next_url }}">Next</a>\n</body></html>\n'
ROUTES_SPREAD = '''from flask import render_template, request, url_for

from app import app


@app.route("/")
def index():
    return render_template("index.html", next_url=url_for("index", page=2))


@app.route("/continue")
def resume():
    context = {"next_url": request.args.get("next")}
    return render_template("index.html", **context)
'''
ROUTES_PROCESSOR = '''from flask import render_template, request, url_for

from app import app


@app.context_processor
def inject():
    return {"next_url": request.args.get("next", "")}


@app.route("/")
def index():
    return render_template("index.html", next_url=url_for("index", page=2))


@app.route("/continue")
def resume():
    return render_template("index.html")
'''


def test_flask_urls_a_view_that_passes_the_name_otherwise_keeps_the_href_finding(tmp_path):
    """`href="{{ next_url }}"`: one view passes `next_url=url_for(...)`, another renders the same template with
    `**{"next_url": request.args.get("next")}` (or passes nothing, and a context processor injects
    `request.args.get("next")`): `?next=javascript:alert(1)` is stored XSS-by-link.  href_value answers
    false_positive: "`{{ next_url }}` is passed by the view at app/routes.py:8 (and every other that renders it) as
    `url_for(...)`" - the other view does not.  Right: a render of the template with `**` unpacking or without the
    name (a context processor, a global) leaves the value unknown, and the finding stays."""
    rule = "html.security.audit.var-in-href.var-in-href"
    for n, routes in enumerate((ROUTES_SPREAD, ROUTES_PROCESSOR)):
        rec, said = _reasons(tmp_path / str(n), {"app/routes.py": routes, "app/templates/index.html": TPL},
                             _sg(rule, "app/templates/index.html", 2))
        assert rec["verdict"] != "false_positive", said
        assert "and every other that renders it" not in said


# 7. paths._DJANGO_ADMIN_JS: Django's script names are common words; flask-admin's own filters.js and actions.js
#    (the set's own repository) are taken for collectstatic copies of Django's admin, in a project without Django.
ADMIN_JS = '''(function($) {
    $('.filter').on('click', function() {
        var name = $(this).attr('data-name');
        $('#filters').append('<tr><td>' + name + '</td></tr>');
    });
})(jQuery);
'''


def test_paths_flask_admins_own_filters_js_is_no_django_copy(tmp_path):
    """flask-admin ships its own flask_admin/static/admin/js/filters.js and actions.js (and bootstrap5/filters.js);
    the project does not use Django.  is_library now calls them "a copy of a published library" because Django's admin
    has scripts of the same names, and a DOM-XSS finding in them becomes false_positive "vendored third-party library
    code, not this project's to patch".  Right: a name shared with Django's admin is no evidence of a collectstatic
    copy in a project that never uses Django; flask-admin's own scripts are its own code."""
    from tasks.triage.paths import is_library

    assert not is_library("flask_admin/static/admin/js/filters.js")
    assert not is_library("flask_admin/static/admin/js/bootstrap5/filters.js")
    files = {"flask_admin/static/admin/js/filters.js": ADMIN_JS, "flask_admin/base.py": "from flask import Blueprint\n",
             "pyproject.toml": "[project]\nname = 'flask-admin'\ndependencies = ['flask']\n",
             "flask_admin/templates/bootstrap4/admin/model/list.html":
                 "<script src=\"{{ admin_static.url(filename='admin/js/filters.js', v='1.0.0') }}\"></script>\n"}
    rule = "javascript.jquery.security.audit.jquery-insecure-method.jquery-insecure-method"
    rec, said = _reasons(tmp_path, files, _sg(rule, "flask_admin/static/admin/js/filters.js", 4))
    assert "vendored third-party library" not in said and "copy of a published library" not in said, said


# 8. stdlib_xml: only Dockerfiles named `Dockerfile`, `x.Dockerfile` or `Dockerfile.x` are read.
ET_IMPORT = '''import xml.etree.ElementTree as ET


def load(upload):
    return ET.fromstring(upload.read())
'''


def test_stdlib_xml_an_old_python_image_in_dockerfile_dash_worker_keeps_the_finding(tmp_path):
    """The web image is `python:3.12-slim`, but the worker that runs app/importer.py is built from
    docker/Dockerfile-worker, `FROM python:3.7-slim-stretch` (Debian stretch's Expat 2.2.0: billion laughs works).
    The Dockerfile pattern skips the `Dockerfile-worker` spelling, so stdlib_xml says "the image the code runs in,
    `python:3.12-slim`" and answers false_positive.  Right: every Dockerfile of the repository (Dockerfile-*,
    Dockerfile_* too) must run Python 3.12+, else the finding stays."""
    files = {"app/importer.py": ET_IMPORT,
             "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nCMD [\"python\", \"-m\", \"app\"]\n",
             "docker/Dockerfile-worker": "FROM python:3.7-slim-stretch\nCOPY . /app\n"
                                         "CMD [\"celery\", \"-A\", \"app.importer\", \"worker\"]\n"}
    rec, said = _reasons(tmp_path, files, _sg("B314", "app/importer.py", 5, tool="bandit"))
    assert rec["verdict"] != "false_positive", said
    assert "carries a newer one" not in said


# 9. wheel_contents: setuptools' package-dir is ignored, so a file inside an installed package is said to be outside.
PYPROJECT_SRC = '''[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "mypkg"
version = "1.0"

[tool.setuptools]
package-dir = {"" = "src"}
packages = ["mypkg", "mypkg.examples"]
'''


def test_wheel_contents_reads_setuptools_package_dir(tmp_path):
    """`[tool.setuptools] package-dir = {"" = "src"}`, `packages = ["mypkg", "mypkg.examples"]`: the wheel installs
    src/mypkg/examples/demo.py as `mypkg.examples.demo`.  outside_wheel compares the path with `mypkg/` and
    `mypkg/examples/` and says "pyproject.toml builds the wheel from `mypkg/`, `mypkg/examples/` alone ...:
    src/mypkg/examples/demo.py is in no installed package, so nobody who depends on the project runs it" - false.
    Right: the packages' folders are read under package-dir (src/mypkg, src/mypkg/examples), and a file inside them
    gets no such sentence."""
    demo = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"
    files = {"pyproject.toml": PYPROJECT_SRC, "src/mypkg/__init__.py": "", "src/mypkg/examples/__init__.py": "",
             "src/mypkg/examples/demo.py": demo}
    rec, said = _reasons(tmp_path, files, _sg("B602", "src/mypkg/examples/demo.py", 5, tool="bandit"))
    assert "is in no installed package" not in said and "builds the wheel from `mypkg/`" not in said, said


# 10. redirect_target.netloc_only_guard: the other check is looked for by a short list of spellings only.
LOGIN_GUARDED = '''import re
from urllib.parse import urlsplit

from flask import redirect, request, url_for

from app import app


@app.route("/login", methods=["POST"])
def login():
    next_page = request.args.get("next")
    if not next_page or urlsplit(next_page).netloc != "" or not re.match(r"/(?![/\\\\])", next_page):
        next_page = url_for("index")
    return redirect(next_page)
'''


def test_netloc_guard_beside_a_check_that_refuses_both_payloads(tmp_path):
    """The guard is `urlsplit(next_page).netloc != "" or not re.match(r"/(?![/\\\\])", next_page)`: `/\\evil.com` and
    `///evil.com` both fail the regular expression and are replaced by url_for("index").  The evidence still says "the
    guard at line 12 ... checks only the host part, which `/\\evil.com` and `///evil.com` pass" (and the row stays a
    true positive on that ground).  Right: with a second check on the same condition that refuses a second slash or
    a backslash, the sentence is false and must not be said."""
    rule = "python.flask.security.open-redirect.open-redirect"
    rec, said = _reasons(tmp_path, {"app/auth.py": LOGIN_GUARDED}, _sg(rule, "app/auth.py", 11))
    assert "which `/\\evil.com` and `///evil.com` pass" not in said, said


# 11. random_use: any `random.seed(<args>)` is said to make the sequence "repeatable on purpose".
SEEDED_FROM_URANDOM = '''import os
import random


def shuffle_deck(deck):
    random.seed(os.urandom(16))
    random.shuffle(deck)
    return deck
'''


def test_random_use_a_seed_from_urandom_is_not_repeatable_on_purpose(tmp_path):
    """`random.seed(os.urandom(16))` reseeds from the OS's entropy: no sequence is repeatable.  The evidence says
    "`random.seed(os.urandom(16))` at line 6 makes the sequence repeatable on purpose, which a cryptographic generator
    cannot be" - false.  Right: only a seed the caller chooses (a parameter, a request value, a constant) makes the
    sequence repeatable; os.urandom/secrets/time-based seeds get no such sentence."""
    rec, said = _reasons(tmp_path, {"game/cards.py": SEEDED_FROM_URANDOM}, _sg("B311", "game/cards.py", 7, tool="bandit"))
    assert "repeatable on purpose" not in said, said


# 12. scanner_fixes._bound: the from-import alternative scans lazily across lines to the next `)` or `#`, from every
#     `from X import` - quadratic in a file of many imports (a generated package __init__.py).
def test_scanner_fixes_bound_is_linear_in_a_file_of_many_from_imports():
    """new_module(removed, added, text) with a 6,000-line `from m import n` file (96 KB, an OpenAPI client's
    models/__init__.py has that shape) takes seconds per unknown name (the previous `(?<![\\w.])name\\b` search took
    milliseconds): `\\bfrom\\s+[\\w.]+\\s+import\\s+\\(?[^)#]*?(?<![\\w.])name\\b` starts at every from-import and runs
    to the end of the file.  A hostile repository can make the fix review hang.  Right: the from-import's names are
    read within its own statement (one line, or its parentheses), in linear time."""
    from tasks.fixes.scanner_fixes import new_module

    text = "from m import n\n" * 6000
    t = time.monotonic()
    found = new_module(["w = csv.writer(f)"], ["w = defusedcsv.writer(f)"], text)
    took = time.monotonic() - t
    assert found == "defusedcsv.writer"
    assert took < 1.5, f"{took:.1f}s for a 6,000-line file"
