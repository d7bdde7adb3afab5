"""Held-out round 67's graders' findings (django-sesame, django-csp), each mended with a test that fails without it.

The code below is written for these tests in the shape of what the graders read, not copied from the projects.
"""

from __future__ import annotations

from repo_reader import FilesReader

REDIRECT = "python.django.security.injection.open-redirect"

MIDDLEWARE = '''from django.shortcuts import redirect
from django.utils.http import urlencode


class TokenMiddleware:
    def __call__(self, request):
        if request.user and request.method == "GET":
            return self.get_redirect(request)

    @staticmethod
    def get_redirect(request):
        params = request.GET.copy()
        params.pop("token")
        url = request.path
        if params:
            url += "?" + urlencode(params)
        return redirect(url)
'''


def _semgrep(path, start, end):
    return {"id": "7" * 32, "tool": "semgrep", "kind": "code", "severity": "medium", "title": REDIRECT,
            "rule_id": REDIRECT, "description": "d", "cwe": ["CWE-601"],
            "location": {"path": path, "start_line": start, "end_line": end}}


def test_a_redirect_to_the_own_path_in_a_middleware_is_real_and_says_why():
    """django-sesame's token middleware: `url = request.path`, the other query parameters after `?`, `redirect(url)`.
    The row said `params` (the query) reaches the target; the target is the path, and a middleware sees `//host/`."""
    from tasks.triage.redirect_target import check_redirect_target

    hit = check_redirect_target(_semgrep("sesame/middleware.py", 14, 17), FilesReader({"sesame/middleware.py": MIDDLEWARE}))
    assert hit["verdict"] == "true_positive" and hit["status"] == "leading_slashes"
    text = hit["evidence"]
    assert "`url`, set on line 14 from `request.path` with only a query string appended after `?` (line 16)" in text
    assert "`TokenMiddleware`" in text and "escape_leading_slashes" in text and "params" not in text


def test_the_same_shape_in_a_view_is_the_same_page_and_other_stores_are_left_alone():
    from tasks.triage.redirect_target import check_redirect_target

    view = MIDDLEWARE.replace("class TokenMiddleware:", "class TokenView:")
    hit = check_redirect_target(_semgrep("sesame/views.py", 14, 17), FilesReader({"sesame/views.py": view}))
    assert hit["status"] == "same_page" and "verdict" not in hit
    for bad in ('url += request.GET["next"]', 'url = request.GET["next"]', 'url += "/" + request.GET["next"]'):
        changed = view.replace('url += "?" + urlencode(params)', bad)
        assert check_redirect_target(_semgrep("sesame/views.py", 14, 17), FilesReader({"sesame/views.py": changed})) \
            is None, bad
    hook = view.replace("class TokenView:", "class TokenMiddleware:").replace("def get_redirect", "def process_view")
    assert check_redirect_target(_semgrep("m.py", 14, 17), FilesReader({"m.py": hook}))["status"] == "same_page"


def test_the_row_traces_the_redirect_target_not_every_name_of_the_span():
    from tasks.enrich.evidence import request_origin

    f = _semgrep("sesame/middleware.py", 14, 17)
    code = {"path": "sesame/middleware.py", "text": MIDDLEWARE, "start_line": 1}
    assert request_origin(f, code) is None  # `params` is appended after `?`; the target comes from request.path
    taken = MIDDLEWARE.replace("url = request.path", "url = params.get('next')")
    ev = request_origin(f, {**code, "text": taken})
    assert ev and "`params` is set on line 12" in ev.text  # the target itself from the query: traced as before


def test_a_b311_draw_against_a_rate_says_what_it_decides_without_quoting_literals():
    """django-csp's `random.random() * 100 >= policy.get("REPORT_PERCENTAGE", 100)`: the reason was the stock list."""
    from test_round45 import _bandit
    from tasks.triage.random_use import check_random_use

    code = ('import random\n\n\ndef parts(policy):\n'
            '    remove_report = random.random() * 100 >= policy.get("REPORT_PERCENTAGE", 100)\n'
            '    keep = random.random() < limits("s3cr3t-Value-9")\n    return remove_report, keep\n')
    hit = check_random_use(_bandit("B311", "csp/rate.py", 5), FilesReader({"csp/rate.py": code}))["evidence"]
    assert "a draw compared with `policy.get('REPORT_PERCENTAGE', 100)`" in hit
    assert "decides only the true-or-false `remove_report`" in hit
    quiet = check_random_use(_bandit("B311", "csp/rate.py", 6), FilesReader({"csp/rate.py": code}))["evidence"]
    assert "a draw compared with a threshold" in quiet and "s3cr3t" not in quiet
    raw = code.replace('limits("s3cr3t-Value-9")', 'limits(b"RAW_KEY_BYTES")')
    quiet = check_random_use(_bandit("B311", "csp/rate.py", 6), FilesReader({"csp/rate.py": raw}))["evidence"]
    assert "a threshold" in quiet and "RAW_KEY" not in quiet


ENV = '''from typing import Any

from jinja2 import Environment


def environment(**options: Any) -> Environment:
    env = Environment(**options)
    return env
'''
SETTINGS = '''TEMPLATES = [
    {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True},
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "OPTIONS": {
            "environment": "csp.tests.environment.environment",
        },
    },
]
'''


def test_a_jinja2_environment_built_for_djangos_backend_is_escaped():
    """django-csp's `Environment(**options)`: the row said only "test code"; Django's Jinja2 backend calls the
    function it names with `autoescape` set to True unless its OPTIONS say otherwise."""
    from test_round45 import _bandit
    from tasks.triage.jinja_backend import check_jinja_backend

    files = {"csp/tests/environment.py": ENV, "csp/tests/settings.py": SETTINGS}
    hit = check_jinja_backend(_bandit("B701", "csp/tests/environment.py", 7), FilesReader(files), list(files))
    assert hit["status"] == "autoescape_on"
    assert "`Environment(**options)` at csp/tests/environment.py:7" in hit["evidence"]
    assert "(`csp.tests.environment.environment`, csp/tests/settings.py:6)" in hit["evidence"]
    off = {**files, "csp/tests/settings.py": SETTINGS.replace('"environment"', '"autoescape": False,\n "environment"')}
    assert check_jinja_backend(_bandit("B701", "csp/tests/environment.py", 7), FilesReader(off), list(off)) is None
    unnamed = {**files, "csp/tests/settings.py": SETTINGS.replace("csp.tests.environment.environment", "x.env")}
    assert check_jinja_backend(_bandit("B701", "csp/tests/environment.py", 7), FilesReader(unnamed), list(unnamed)) is None
    own = {**files, "csp/tests/environment.py": ENV.replace("Environment(**options)", "Environment(loader=None)")}
    assert check_jinja_backend(_bandit("B701", "csp/tests/environment.py", 7), FilesReader(own), list(own)) is None
    forced = {**files, "csp/tests/environment.py": ENV.replace("(**options)", "(autoescape=False, **options)")}
    assert check_jinja_backend(_bandit("B701", "csp/tests/environment.py", 7), FilesReader(forced), list(forced)) is None


def test_the_what_is_wrong_section_traces_the_redirect_target_too():
    from tasks.enrich.specifics import value_origins

    f = _semgrep("sesame/middleware.py", 14, 17)
    code = {"path": "sesame/middleware.py", "text": MIDDLEWARE, "start_line": 1}
    said = " ".join(value_origins(f, code))
    assert "`url` is set on line 14 from `request.path`" in said and "params" not in said


def test_a_split_command_line_with_a_literal_program_is_a_fixed_program():
    """django-dbbackup's `cmd = f"gpg --import {GPG_PRIVATE_PATH}".split()`: the row said only "test code"."""
    from test_round45 import _bandit
    from tasks.triage.subprocess_argv import check_subprocess_argv

    code = ('import os\nimport shlex\nimport subprocess\n\nKEY = os.path.join("blobs", "gpg/secring.gpg")\n\n\n'
            'def add_private_gpg():\n    cmd = f"gpg --import {KEY}".split()\n    subprocess.call(cmd)\n')
    hit = check_subprocess_argv(_bandit("B603", "pkg/utils.py", 10), FilesReader({"pkg/utils.py": code}))
    assert hit["status"] == "fixed_program" and "runs `gpg` (the first word of the text it splits)" in hit["evidence"]
    assert "(the list `cmd` built on line 9)" in hit["evidence"] and "secring" not in hit["evidence"]
    for other in ('f"{KEY} --import".split()', 'f"gpg{KEY}".split()', 'f"sh -c {KEY}".split()', 'KEY.split()',
                  'f"python -c {KEY}".split()', '"gpg --import".split(",")'):
        changed = code.replace('f"gpg --import {KEY}".split()', other)
        assert check_subprocess_argv(_bandit("B603", "pkg/utils.py", 10), FilesReader({"pkg/utils.py": changed})) is None, other
    fixed = code.replace('f"gpg --import {KEY}".split()', 'shlex.split("git rev-parse HEAD")')
    assert "runs `git`" in check_subprocess_argv(_bandit("B603", "pkg/utils.py", 10), FilesReader({"pkg/utils.py": fixed}))["evidence"]


def test_the_attack_on_round_67s_checks_stays_closed():
    """A helper's attack on the round-67 mends: leaks through quoted code, and verdicts whose premise was false."""
    from test_round45 import _bandit
    from tasks.enrich.evidence import request_origin
    from tasks.triage.jinja_backend import check_jinja_backend
    from tasks.triage.random_use import check_random_use
    from tasks.triage.redirect_target import check_redirect_target

    def rnd(line):
        return check_random_use(_bandit("B311", "a.py", 4), FilesReader({"a.py": "import random\n\n\n" + line + "\n"}))
    for leak in ('ok = random.random() < limits.get("AKIAIOSFODNN7EXAMPLE", 1)',
                 "ok = random.getrandbits(128) > 0x2b7e151628aed2a6abf7158809cf4f3c",
                 'f["sk_test_4eC39HqLyjWDarjtT"] = random.random() < 0.5'):
        said = (rnd(leak) or {}).get("evidence", "")
        assert "AKIA" not in said and "57811460909138771071931939740208549692" not in said and "sk_test" not in said
    guess = rnd('correct = random.randint(0, 999999) == int(guess)')
    assert guess is None or "a sampling rate" not in guess["evidence"]

    env = {"app/jinja.py": "def environment(**options):\n    return load('https://admin:S3cr3t@h.example/p')"
                           ".Environment(**options)\n",
           "app/settings.py": '"BACKEND": "django.template.backends.jinja2.Jinja2",\n"environment": "app.jinja.environment"\n'}
    assert check_jinja_backend(_bandit("B701", "app/jinja.py", 2), FilesReader(env), list(env)) is None
    ok = {**env, "app/jinja.py": "from jinja2 import Environment\n\n\ndef environment(**options):\n"
                                 "    env = Environment(**options)\n    return env\n"}
    assert check_jinja_backend(_bandit("B701", "app/jinja.py", 5), FilesReader(ok), list(ok))["status"] == "autoescape_on"
    for change in ({"app/jinja.py": ok["app/jinja.py"] + "\n\nenv2 = None\nenv2.autoescape = False\n"},
                   {"app/jinja.py": ok["app/jinja.py"].replace("    env =", '    options["x"] = 1\n    env =')},
                   {"app/settings.py": env["app/settings.py"].replace('"environment"', '# "environment"')},
                   {"app/settings.py": env["app/settings.py"].replace("jinja2.Jinja2", "django.DjangoTemplates")},
                   {"app/settings/production.py": 'TEMPLATES[1]["OPTIONS"]["autoescape"] = False\n'},
                   {"vendor/app/jinja.py": "x = 1\n"}):
        changed = {**ok, **change}
        assert check_jinja_backend(_bandit("B701", "app/jinja.py", 5), FilesReader(changed), list(changed)) is None, change

    for view in ('def token_middleware(get_response):\n    def middleware(request):\n        return redirect(request.path)\n'
                 '    return middleware\n',
                 'class Auth(MiddlewareMixin):\n    def process_exception(self, request, e):\n        return redirect(request.path)\n',
                 'def v(request):\n    request.path = request.GET["next"]\n    return redirect(request.path)\n',
                 'def v(request):\n    url = request.path\n    try:\n        pass\n    except Exception as url:\n        pass\n'
                 '    return redirect(url)\n'):
        code = "from django.shortcuts import redirect\n" + view
        line = next(i for i, l in enumerate(code.splitlines(), 1) if "redirect(" in l and "import" not in l)
        hit = check_redirect_target(_semgrep("app/hooks.py", line, line), FilesReader({"app/hooks.py": code}))
        assert hit is None or hit.get("verdict") == "true_positive" and "process_exception" not in view, view
    mixin = ('class TokenAuth(MiddlewareMixin):\n    def process_request(self, request):\n'
             '        return redirect(request.path)\n')
    hit = check_redirect_target(_semgrep("app/auth.py", 3, 3), FilesReader({"app/auth.py": mixin}))
    assert hit["verdict"] == "true_positive" and "`TokenAuth`" in hit["evidence"]

    span = ("def v(request):\n    params = request.GET.copy()\n    target = params.get('next')\n    return redirect(\n"
            "        target)\n")
    f = _semgrep("app/v.py", 3, 5)
    assert "`params` is set on line 2" in request_origin(f, {"path": "app/v.py", "text": span, "start_line": 1}).text
    extended = ("def v(request):\n    params = request.GET.copy()\n    target = '/'\n    target += params['next']\n"
                "    return redirect(target)\n")
    f = _semgrep("app/v.py", 3, 5)
    assert request_origin(f, {"path": "app/v.py", "text": extended, "start_line": 1}) is not None


def test_usedforsecurity_passed_through_a_spread_dict_is_read_and_never_called_the_digested_data(tmp_path):
    """django-cacheops' FIPS-compliant md5 (round 68, two graders): `kwargs = {'usedforsecurity': False} if
    sys.version_info >= (3, 9) else {}` then `hashlib.md5(**kwargs)`; the row said `kwargs` was the data digested."""
    from test_set57 import _judged

    code = ("import hashlib\nimport sys\n\n\nclass md5:\n    def __init__(self, s=None):\n"
            "        kwargs = {'usedforsecurity': False} if sys.version_info >= (3, 9) else {}\n"
            "        self.md5 = hashlib.md5(**kwargs)\n        if s is not None:\n            self.md5.update(s)\n")
    rec, text = _judged(tmp_path, {"cacheops/utils.py": code}, "bandit", "B324", "weak md5", "cacheops/utils.py", 8, 8)
    assert rec["verdict"] == "false_positive"
    assert "passes `usedforsecurity=False` through `**kwargs` (set on line 7, on the Python versions" in text
    assert "data it digests" not in text
    other = code.replace("{'usedforsecurity': False}", "{'data': b'x'}")
    rec, text = _judged(tmp_path / "b", {"cacheops/utils.py": other}, "bandit", "B324", "weak md5", "cacheops/utils.py", 8, 8)
    assert "usedforsecurity=False` through" not in text
    changed = code.replace("        self.md5 = hashlib", "        kwargs['usedforsecurity'] = True\n        self.md5 = hashlib")
    rec, text = _judged(tmp_path / "c", {"cacheops/utils.py": changed}, "bandit", "B324", "weak md5", "cacheops/utils.py", 9, 9)
    assert "usedforsecurity=False` through" not in text


def test_a_dotted_path_of_a_serializer_class_is_no_password(tmp_path):
    """dj-rest-auth's `@override_api_settings(JWT_TOKEN_CLAIMS_SERIALIZER='tests.test_api.TESTTokenObtainPairSerializer')`
    (round 68's grader): Bandit's B106 took an import path for a password, and the row said only "test code"."""
    from tasks.findings.secret_evidence import classify_one

    seen = classify_one("tests.test_api.TESTTokenObtainPairSerializer", for_password=True)
    assert seen["class"] == "code-word" and "namespaced class name" in seen["match"]
    for value in ("my.pass.Word", "Xk9.f2.LmQ81zPq7", "hunter2.Serializer"):
        assert classify_one(value, for_password=True)["class"] != "code-word", value


def test_a_pickle_loader_passed_on_keeps_its_import_finding(tmp_path):
    """django-cacheops' `class PickleSerializer: loads = pickle.loads` (round 68's grader): the row said B301 judges the
    risky calls, but calls through the serializer's name are no finding of Bandit's."""
    from test_round45 import _bandit
    from tasks.triage.unused_import import check_unused_import

    code = "import pickle\n\n\nclass PickleSerializer:\n    PickleError = pickle.PickleError\n    loads = pickle.loads\n"
    assert check_unused_import(_bandit("B403", "cacheops/serializers.py", 1), FilesReader({"cacheops/serializers.py": code})) is None
    called = "import pickle\n\n\ndef read(b):\n    return pickle.loads(b)\n"
    hit = check_unused_import(_bandit("B403", "app/io.py", 1), FilesReader({"app/io.py": called}))
    assert hit and "an import only" in hit["evidence"]
    named = "from pickle import loads as unpickle\n\nHANDLERS = {'p': unpickle}\n"
    assert check_unused_import(_bandit("B403", "app/h.py", 1), FilesReader({"app/h.py": named})) is None


def test_sql_text_from_literals_with_bound_values_says_the_values_are_bound_not_absent():
    """django-watson's `queryset.extra(where=("... AGAINST (%s ...)",), params=(self._format_query(search_text),))` and
    `RawSQL(sql, (search_text,))` (round 67, two graders): "no data from outside reaches the sink" was false."""
    from tasks.triage.constant_names import constant_sink

    code = ('class Backend:\n    def do_search(self, queryset, search_text):\n        return queryset.extra(\n'
            '            where=("MATCH (title) AGAINST (%s IN BOOLEAN MODE)",),\n'
            '            params=(self._format_query(search_text),),\n        )\n')
    said = constant_sink(code, 3, "watson/backends.py")
    assert said.startswith("constant data: the SQL text of queryset.extra() at line 3")
    assert "bound parameters" in said and "no data from outside" not in said
    fixed = code.replace("params=(self._format_query(search_text),),", "params=('x',),")
    assert "no data from outside reaches the sink" in constant_sink(fixed, 3, "watson/backends.py")


def test_a_yaml_load_through_a_name_bound_to_the_safe_loader_is_safe(tmp_path):
    """drf-yasg's `YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)` and `yaml.load(stream, Loader=YamlLoader)`
    (round 69's grader: the row called the load real)."""
    from test_set57 import _judged

    code = ('import yaml\n\nYamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)\n\n\n'
            'def yaml_load(stream):\n    return yaml.load(stream, Loader=YamlLoader)\n')
    rec, text = _judged(tmp_path, {"pkg/codecs.py": code}, "bandit", "B506", "unsafe yaml", "pkg/codecs.py", 7, 7)
    assert rec["verdict"] == "false_positive" and "`Loader=YamlLoader`, which the module binds only to PyYAML's safe " \
                                                "loader (line 3" in text
    for other in ('YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)\nYamlLoader = yaml.Loader',
                  'YamlLoader = getattr(yaml, "CLoader", yaml.Loader)',
                  'YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)\n\n\nclass YamlLoader(yaml.UnsafeLoader):\n    pass',
                  'from yaml import UnsafeLoader as YamlLoader'):
        changed = code.replace('YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)', other)
        line = changed.splitlines().index("    return yaml.load(stream, Loader=YamlLoader)") + 1
        rec, text = _judged(tmp_path / str(len(other)), {"pkg/codecs.py": changed}, "bandit", "B506", "unsafe yaml",
                            "pkg/codecs.py", line, line)
        assert "safe loader (line" not in text, other


def test_the_attack_on_round_68_and_69s_checks_stays_closed(tmp_path):
    """A helper's attack on the later mends: a loader changed where names say nothing, a flag switched by something
    other than the Python version, a dotted passphrase, and extra()'s positional where= read as a bound value."""
    from test_round45 import _bandit
    from tasks.findings.secret_evidence import classify_one
    from tasks.triage.constant_names import constant_sink
    from tasks.triage.digest_input import spread_flag
    from tasks.triage.yaml_loader import check_yaml_loader
    import ast

    base = "import yaml\nL = yaml.SafeLoader\n{x}\n\n\ndef f(s):\n    return yaml.load(s, Loader=L)\n"
    assert check_yaml_loader(_bandit("B506", "m.py", 7), FilesReader({"m.py": base.format(x="")}))["status"] == "safe_loader"
    for x in ("yaml.SafeLoader = yaml.UnsafeLoader", "globals()['L'] = yaml.Loader", "from evil import *",
              "yaml.SafeLoader.add_constructor('t', yaml.UnsafeLoader.construct_python_object_apply)"):
        assert check_yaml_loader(_bandit("B506", "m.py", 7), FilesReader({"m.py": base.format(x=x)})) is None, x
    ruamel = base.format(x="").replace("import yaml", "import ruamel.yaml as yaml")
    assert check_yaml_loader(_bandit("B506", "m.py", 7), FilesReader({"m.py": ruamel})) is None

    def flag(body):
        func = ast.parse("import hashlib, sys\ndef g(pw):\n" + body).body[1]
        call = next(n for n in ast.walk(func) if isinstance(n, ast.Call) and ast.unparse(n.func) == "hashlib.md5")
        return spread_flag(func, call)
    assert flag("    kwargs = {'usedforsecurity': False} if sys.version_info >= (3, 9) else {}\n"
                "    return hashlib.md5(pw, **kwargs)\n")
    assert flag("    kwargs = {'usedforsecurity': False} if DEBUG else {}\n    return hashlib.md5(pw, **kwargs)\n") is None
    assert flag("    kwargs = other = {'usedforsecurity': False}\n    other['usedforsecurity'] = True\n"
                "    return hashlib.md5(pw, **kwargs)\n") is None

    assert classify_one("correct.horse.BatteryStapleForm", for_password=True)["class"] != "code-word"
    code = 'def s(queryset, request):\n    return queryset.extra(None, [request.GET["w"]], order_by=["id"])\n'
    assert constant_sink(code, 2, "app/q.py") is None
