"""Checks from held-out set 25 (Mailu, Kiwi TCMS, Radicale, terraform-aws-sqs), written after its measurement, each
with the neighbour that stays a finding."""

from __future__ import annotations

import pytest

from test_triage_containers import Files, bandit_at

from tasks.findings import secrets
from tasks.triage.entrypoint import drops_root
from tasks.triage.stage_base import check_stage_base
from tasks.triage.verdict import Judge


def _ckv(rule: str, path: str, line: int, tool: str = "checkov") -> dict:
    return {"id": "7" * 32, "tool": tool, "kind": "config", "severity": "low", "rule_id": rule, "title": rule,
            "description": "d", "location": {"path": path, "start_line": line, "end_line": line}}


BAKE = 'target "admin" {\n  context = "core/admin/"\n  contexts = {\n    base = "target:base"\n  }\n}\n'


def test_from_a_build_context_of_the_repository_or_a_pinned_arg_default_is_no_unpinned_image():
    files = Files({"core/admin/Dockerfile": "FROM base\nCOPY start.py /\nCMD /start.py\n", "tests/build.hcl": BAKE,
                   "core/base/Dockerfile": "ARG DISTRO=ghcr.io/mailu/alpine:3.21.7\nFROM $DISTRO\n",
                   "other/Dockerfile": "FROM base\n", "latest/Dockerfile": "ARG DISTRO=alpine:latest\nFROM $DISTRO\n"})
    hit = check_stage_base(_ckv("CKV_DOCKER_7", "core/admin/Dockerfile", 1), files, files.files)
    assert hit and "the build context tests/build.hcl:4 supplies (`target:base`)" in hit["evidence"]
    pinned = check_stage_base(_ckv("CKV_DOCKER_7", "core/base/Dockerfile", 2), files, files.files)
    assert pinned and "the release tag 3.21.7" in pinned["evidence"]
    assert check_stage_base(_ckv("CKV_DOCKER_7", "latest/Dockerfile", 2), files, files.files) is None
    bare = Files({"other/Dockerfile": "FROM base\n"})  # no bake or compose file names it: a registry image `base`
    assert check_stage_base(_ckv("CKV_DOCKER_7", "other/Dockerfile", 1), bare, bare.files) is None


def test_a_python_start_script_that_drops_root_at_module_level_and_one_that_drops_only_a_helper():
    top = ["#!/usr/bin/env python3\n", "from socrate import system\n", "os.system('chown mailu /data')\n",
           "system.drop_privs_to('mailu')\n", "os.execv('/usr/bin/gunicorn', args)\n"]
    assert drops_root(top)[1] == "mailu"
    helper = ["#!/usr/bin/env python3\n", "def start_podop():\n", "    system.drop_privs_to('mail')\n",
              "multiprocessing.Process(target=start_podop).start()\n", "os.execv('/usr/sbin/dovecot', ['dovecot'])\n"]
    assert drops_root(helper) is None  # the service itself keeps root


def test_semgreps_missing_user_reads_the_start_script_of_the_dockerfiles_own_folder():
    files = Files({"core/admin/Dockerfile": "FROM base\nCOPY start.py /\nHEALTHCHECK CMD curl -f http://localhost/\n"
                                            "CMD /start.py\n",
                   "core/admin/start.py": "#!/usr/bin/env python3\nsystem.drop_privs_to('mailu')\nos.execv('/g', [])\n",
                   "core/nginx/start.py": "#!/usr/bin/env python3\nos.execv('/usr/sbin/nginx', [])\n"})
    f = _ckv("dockerfile.security.missing-user", "core/admin/Dockerfile", 3, tool="semgrep")
    rec = Judge(reader=files, imports=files).judge(f)
    assert rec["verdict"] == "false_positive" and "core/admin/start.py, whose line 2" in rec["reasons"][0]["evidence"]


def test_a_boolean_word_under_a_secret_name_is_shown():
    assert not secrets.plausible("False", 'password = "False"') and secrets.keyed_values('password = "False"') == []
    assert secrets.keyed_values('password = "hunter22"') == ["hunter22"]


def test_the_exemptions_leave_real_secrets_redacted():
    """A reviewer's leaks of the first version of the exemptions: each value below is a credential and still goes."""
    cases = [('if api_key == "9f86d081884c7d659a2feaa0c55ad015":', "9f86d081884c7d659a2feaa0c55ad015"),
             ('password = "aB3%' + 'xY9%qZ!"', "aB3%xY9%qZ!"), ('app.secret_key = "super-secret-key"', "super-secret-key"),
             ('credentials = "user=admin,password=Tr0ub4dor&3"', "user=admin,password=Tr0ub4dor&3"),
             ('password: "Winter2024@corp.local"', "Winter2024@corp.local"),
             ('password = "/s3cr3t/Pa55.w0rd"', "/s3cr3t/Pa55.w0rd"), ('password = "--hunter2-x"', "--hunter2-x"),
             ('password = "access"', "access"), ('password = "YoursTrulyForever"', "YoursTrulyForever")]
    for text, value in cases:
        assert value in secrets.detect(text, "app.py") + secrets.keyed_values(text), value


def test_an_assigned_flag_tests_nothing():
    """Kiwi's `user.is_staff = False` (set 25, s1-04) was said to be a condition that works as written."""
    from test_triage_set22 import flag_hit

    files = {"app/users.py": "from django.db import models\n\n\ndef off(user):\n    user.is_staff = False\n"
                             "    if user.is_staff == False:\n        return 1\n"}
    hit = flag_hit(files, 5, "app/users.py")
    assert hit and "the line assigns `user.is_staff` and tests nothing" in hit["evidence"]
    assert "condition works as written" not in hit["evidence"]
    read = flag_hit(files, 6, "app/users.py")
    assert read and "assigns" not in read["evidence"] and "condition works as written" in read["evidence"]


def test_the_projects_own_flag_comes_before_the_frameworks():
    """Mailu's User sets `is_authenticated = True` itself (set 25, s1-31): Flask-Login's UserMixin was cited."""
    from test_triage_set22 import flag_hit

    hit = flag_hit({"app/views.py": "import flask_login\n\n\ndef v():\n    if flask_login.current_user.is_authenticated:\n"
                                    "        return 1\n",
                    "app/models.py": "class User(Base):\n    is_authenticated = True\n"}, 5, "app/views.py")
    assert hit and "(an attribute at app/models.py:2)" in hit["evidence"] and "UserMixin" not in hit["evidence"]


def test_the_jquery_selector_rule_is_described_by_what_it_matches():
    from tasks.triage.jquery_dom import _flags

    assert "function's parameter, `window` or `location`" in _flags("javascript.jquery.security.audit.jquery-insecure-selector")
    assert _flags("javascript.jquery.security.audit.prohibit-jquery-html").endswith("not a string literal")


_b = bandit_at


def test_an_xml_import_used_only_in_annotations_says_so():
    """Radicale's tests import ElementTree for type hints and parse with defusedxml (set 25, s1-16)."""
    from test_triage_containers import Files
    from tasks.triage.unused_import import check_unused_import

    code = ("import xml.etree.ElementTree as ET\nfrom defusedxml import ElementTree as DefusedET\n\n\n"
            "def f(x: ET.Element) -> ET.Element:\n    return DefusedET.fromstring(x)\n")
    hit = check_unused_import(_b("B405", 1, "radicale/tests/__init__.py"), Files(code))
    assert hit["evidence"].endswith("the file never calls `ET`: it is used only in type annotations (line 5)")
    called = code + "\n\ndef g(s):\n    return ET.fromstring(s)\n"
    assert "never calls" not in check_unused_import(_b("B405", 1, "radicale/tests/__init__.py"), Files(called))["evidence"]
    handed = code + "\n\nPARSER = ET\n"  # a plain reference may be called elsewhere: nothing is claimed
    assert "never calls" not in check_unused_import(_b("B405", 1, "radicale/tests/__init__.py"), Files(handed))["evidence"]


def test_xmlrpc_exception_and_value_classes_parse_no_xml():
    """Kiwi's `from xmlrpc.client import Fault as XmlRPCFault` (set 25, s1-22); ServerProxy stays as reported."""
    from test_triage_containers import Files
    from tasks.triage.unused_import import check_unused_import

    code = ("import unittest\nfrom xmlrpc.client import Fault as XmlRPCFault\n\n\nclass T(unittest.TestCase):\n"
            "    def test(self):\n        with self.assertRaisesRegex(XmlRPCFault, 'x'):\n            pass\n")
    hit = check_unused_import(_b("B411", 2, "tcms/tests/test_x.py"), Files(code))
    assert hit["evidence"].startswith("no XML parser imported: tcms/tests/test_x.py:2 takes `Fault` from xmlrpc.client")
    assert "used only as an argument to `self.assertRaisesRegex` (line 7)" in hit["evidence"]
    proxy = "from xmlrpc.client import ServerProxy, Fault\nServerProxy('http://x')\n"
    assert check_unused_import(_b("B411", 1, "app/x.py"), Files(proxy)) is None


def test_a_cpickle_import_is_not_left_to_b301():
    """Mailu's `try: import cPickle as pickle / except: import pickle` (set 25, s2-14): B301 lists no cPickle call,
    so "the calls are Bandit's own findings" was false; a plain pickle import keeps that reason."""
    from test_triage_containers import Files
    from tasks.triage.unused_import import check_unused_import

    code = ("try:\n    import cPickle as pickle\nexcept ImportError:\n    import pickle\n\n\n"
            "def load(b):\n    return pickle.loads(b)\n")
    for line in (2, 4):  # a load through cPickle: left to the other checks (set 27's audit: "where to look" decided nothing)
        assert check_unused_import(_b("B403", line, "core/admin/mailu/utils.py"), Files(code)) is None
    dumps = code.replace("pickle.loads(b)", "pickle.dumps(b)")  # openwisp's migration (set 27): it only writes pickles
    ev = check_unused_import(_b("B403", 2, "core/admin/mailu/utils.py"), Files(dumps))["evidence"]
    assert ev.startswith("no pickle is read:") and "`pickle.dumps(b)` at line 8" in ev
    plain = "import pickle\n\n\ndef load(b):\n    return pickle.loads(b)\n"
    assert "B301 (pickle.loads" in check_unused_import(_b("B403", 1, "app/x.py"), Files(plain))["evidence"]


SPHINX_CONF = '''import os
import subprocess
import sys

manage_py = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "manage.py"))
docs_dir = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

subprocess.run([manage_py, "graph_models", "-o", os.path.join(docs_dir, "x.png")], check=True)
subprocess.run([sys.executable, "-m", "pip", "list"], check=True)
subprocess.run([sys.executable, "-c", "print(1)"], check=True)
SH = "/bin/sh"
subprocess.run([SH, "x"], check=True)
TOOL = os.environ["TOOL"]
subprocess.run([TOOL, "x"], check=True)
subprocess.run([shutil.which("tesseract"), "--version"], check=True)
'''


@pytest.mark.parametrize("line, said", [
    (8, "runs `manage_py` (a path the module builds from literals and `__file__`) with an argument list"),
    (9, "runs `sys.executable` (this Python) with an argument list"),
    (10, None),  # python -c runs the text it is given
    (12, None),  # a shell, however it is named
    (14, None),  # a program from the environment
    (15, "runs `shutil.which('tesseract')` (a program named by a literal, found through PATH)"),  # paperless (set 22)
])
def test_a_program_path_built_from_literals_is_a_fixed_program(line, said):
    """Kiwi's docs/source/conf.py (set 25, s2-25/s2-27): the rows gave only "is documentation"."""
    from test_triage_containers import Files
    from tasks.triage.subprocess_argv import check_subprocess_argv

    hit = check_subprocess_argv(_b("B603", line, "docs/source/conf.py"), Files(SPHINX_CONF))
    if said:
        assert hit and said in hit["evidence"], hit
    else:
        assert hit is None, hit


def test_a_json_files_checkov_skip_names_that_file_only():
    """Tandoor's locale nl.json (set 26, s2-04, harmful): `skip-check: CKV_SECRET_6` in .checkov.yaml switched the
    secret check off for every file; checkov 3.3.30 honours `skip-path` with the file's escaped path for it alone."""
    from tasks.fixes.suppression import suppression_answer, suppression_for

    f = {"id": "1" * 32, "tool": "checkov", "kind": "secret", "severity": "low", "rule_id": "CKV_SECRET_6",
         "title": "Base64 High Entropy String", "description": "d",
         "location": {"path": "vue3/src/locales/nl.json", "start_line": 6, "end_line": 7}}
    rec = {"verdict": "false_positive", "reasons": [{"check": "secret", "evidence": "a translated UI string"}]}
    lang, block = suppression_for(f, rec)
    assert block.splitlines()[1:] == ["skip-path:", "  - vue3/src/locales/nl\\.json  # CKV_SECRET_6: a translated UI string"]
    answer = suppression_answer(f, rec)
    assert "skip-check" not in block and "for this one file (`skip-path`)" in answer and "inside the flagged resource" not in answer


def test_a_line_in_a_decorator_belongs_to_the_function_below():
    """jupyterhub's test_app.py:373 (set 26, s2-12) sits in test_url_config's parametrize list, not in the test above."""
    from tasks.triage.test_site import _enclosing_test

    lines = ["def test_resume():\n", "    assert x == []\n", "\n", "\n", "@pytest.mark.parametrize(\n",
             "    'cfg, expected',\n", "    [\n", "        ({'ip': '0.0.0.0'}, {}),\n", "    ],\n", ")\n",
             "def test_url_config(cfg, expected):\n", "    assert cfg\n"]
    assert _enclosing_test(lines, 8) == "the decorator of test_url_config()"
    assert _enclosing_test(lines, 12) == "test_url_config()" and _enclosing_test(lines, 2) == "test_resume()"
