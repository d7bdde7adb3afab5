"""A hostile review of sets 49-50's checks (helper attack, 2026-12-07): each defect reproduced first, then mended;
every one would have called a real finding a false positive, hidden B101 outside the tests, or run in quadratic time."""

from __future__ import annotations

import time
from fnmatch import fnmatch

from test_round45_rows import _reasons
from test_triage_hygiene import finding


def _b102(path, line):
    return finding(tool="bandit", rule_id="B102", title="Use of exec detected.", location={"path": path, "start_line": line,
                                                                                           "end_line": line})


def test_an_exec_whose_path_a_request_can_choose_stays():
    """A default from the request, a CGI header variable, another `with` of the same name, a second exec on the line,
    a download, a fixed name in /tmp."""
    import tempfile
    from pathlib import Path

    cases = [
        'import os\npath = os.environ.get("APP_SETTINGS", request.args.get("cfg"))\nwith open(path) as fh:\n    exec(fh.read())\n',
        'import os\npath = os.environ["HTTP_X_PLUGIN"]\nwith open(path) as fh:\n    exec(fh.read())\n',
        'with open("/etc/app.conf") as fh:\n    pass\n\n\nwith open(request.args["p"]) as fh:\n    exec(fh.read())\n',
        'exec(open("/etc/app.conf").read()); exec(request.args["c"])\n',
        'exec(opener.open("http://example.com/plugin.py").read())\n',
        'with open("/tmp/plugin.py") as fh:\n    exec(fh.read())\n',
    ]
    for n, code in enumerate(cases):
        line = max(i for i, l in enumerate(code.splitlines(), 1) if "exec(" in l)
        rec, said = _reasons(Path(tempfile.mkdtemp()), {"app/run.py": code}, _b102("app/run.py", line))
        assert "settings or startup file" not in said, (n, said)


def test_markup_of_a_configuration_value_with_a_request_default_or_beside_request_markup_stays(tmp_path):
    head = "from flask import current_app, request\nfrom markupsafe import Markup\n\n\ndef banner():\n"
    for n, body in enumerate((
            '    html = current_app.config.get("BANNER", request.args.get("b"))\n    return Markup(html)\n',
            '    return Markup(current_app.config["BANNER"]) + Markup(request.args["b"])\n',
            '    html = current_app.config["BANNER"]\n    return [Markup(html) for html in request.args.getlist("b")]\n')):
        code = head + body
        line = max(i for i, l in enumerate(code.splitlines(), 1) if "Markup(" in l)
        f = finding(tool="bandit", rule_id="B704", title="markupsafe.Markup", location={"path": "app/b.py", "start_line": line,
                                                                                       "end_line": line})
        rec, said = _reasons(tmp_path / str(n), {"app/b.py": code}, f)
        assert "server's own configuration" not in said, (n, said)


def test_a_nested_conditional_or_a_binding_that_is_more_than_url_for_stays(tmp_path):
    rule = "generic.html-templates.security.unquoted-attribute-var"
    page = "{% extends 'b.html' %}\n<input type=\"checkbox\" {{ 'a' if x else request.args.q|safe if y else 'b' }}>\n"
    rec, said = _reasons(tmp_path, {"app/templates/i.html": page}, finding(rule_id=rule, title=rule, location={
        "path": "app/templates/i.html", "start_line": 2, "end_line": 2}))
    assert "two string literals" not in said, said
    href = "generic.html-templates.security.var-in-href"
    for n, page in enumerate((
            '{% set next_url = url_for("index") if not request.args.next else request.args.next %}\n<a href="{{ next_url }}">x</a>\n',
            '{% trans u=url_for("a") ~ request.args.next %}<a href="{{ u }}">x</a>{% endtrans %}\n<p></p>\n')):
        line = 2 if n == 0 else 1
        rec, said = _reasons(tmp_path / str(n), {"app/templates/p.html": page}, finding(rule_id=href, title=href, location={
            "path": "app/templates/p.html", "start_line": line, "end_line": line}))
        assert "url_for" not in said, (n, said)
    rec, said = _reasons(tmp_path / "ok", {"app/templates/p.html": '{% set u = url_for("index", page=2) %}\n<a href="{{ u }}">x</a>\n'},
                         finding(rule_id=href, title=href, location={"path": "app/templates/p.html", "start_line": 2, "end_line": 2}))
    assert "bound to `url_for(...)`" in said, said  # the plain binding still answers


def test_an_examples_blank_lines_take_linear_time():
    from tasks.findings.model import Finding
    from tasks.triage.example_config import example_detail

    snippet = 'resource "aws_sns_topic" "example" {\n' + " \n" * 60000 + "}\n"
    f = Finding.from_dict(finding(tool="checkov", kind="config", rule_id="CKV_AWS_26", title="t", snippet=snippet,
                                  checked_keys=["kms_master_key_id"], description="t (resource aws_sns_topic.example, framework terraform)",
                                  location={"path": "examples/main.tf", "start_line": 1, "end_line": 60002}))
    start = time.perf_counter()
    assert "sets no `kms_master_key_id`" in example_detail(f)
    assert time.perf_counter() - start < 1.0


def test_a_later_false_turns_no_new_privileges_off_and_test_globs_match_test_folders_only(tmp_path):
    from tasks.fixes.test_asserts import test_glob

    compose = "services:\n  app:\n    image: x\n    security_opt:\n      - no-new-privileges\n      - \"no-new-privileges:false\"\n"
    rule = "yaml.docker-compose.security.no-new-privileges.no-new-privileges"
    rec, said = _reasons(tmp_path, {"docker-compose.yaml": compose}, finding(rule_id=rule, title=rule, location={
        "path": "docker-compose.yaml", "start_line": 2, "end_line": 2}))
    assert "already sets" not in said
    for path in ("tests/unit/test_a.py", "app/test_views.py", "src/tests/x.py"):
        globs = test_glob(path)
        assert any(fnmatch("./" + path, g) for g in globs) and any(fnmatch(path, g) for g in globs), path
        for prod in ("app/contests/views.py", "app/latest/views.py", "app/latest_news.py"):
            assert not any(fnmatch("./" + prod, g) or fnmatch(prod, g) for g in globs), (path, prod)
