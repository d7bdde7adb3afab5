"""Stage 1 says what is specific and nothing the prompt says: value origins, traced paths, advisory text past the
prompt, fixes that survive the restatement filter, no CWE sentence on an advisory (real code and advisory text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from datasets_rows import dependency, finding
from test_enrich_datasets import kb_path  # noqa: F401  (the module-scoped KB fixture)
from tasks.enrich import narrative_for, specifics
from tasks.enrich.wording import strip_restating
from tasks.enrich.knowledge_base import KnowledgeBase

SUBPROCESS = finding(
    "b602", tool="bandit", rule_id="B602", cwe=["CWE-78"], title="subprocess call with shell=True identified, security issue.",
    description="subprocess call with shell=True identified, security issue.",
    location={"path": "release/tag.py", "start_line": 14, "end_line": 14},
    snippet="11 def tag_release(version, remote):\n12     message = f'Release {version}'\n"
            "13     cmd = f\"git tag -a v{version} -m '{message}' && git push {remote} --tags\"\n"
            "14     subprocess.check_call(cmd, shell=True)\n")
CONSTANT = finding(
    "b607", tool="bandit", rule_id="B607", cwe=["CWE-78"], title="Starting a process with a partial executable path",
    description="Starting a process with a partial executable path", location={"path": "setup_helpers.py", "start_line": 8, "end_line": 8},
    snippet="8     out = subprocess.check_output(['git', 'rev-parse', 'HEAD'])\n")


@pytest.fixture(scope="module")
def kb(kb_path):  # noqa: F811
    return KnowledgeBase(kb_path)


def test_value_origins_follow_assignments_and_parameters():
    origins = specifics.value_origins(SUBPROCESS)
    assert origins[0].startswith("`cmd` is set on line 13 from `f\"git tag -a v{version}")


def test_constant_arguments_are_recognised():
    assert specifics.value_origins(CONSTANT) == [
        "Every argument of the call on line 8 is a constant literal, so no outside input reaches it here."]


def test_related_locations_are_not_called_a_traced_value():
    f = dict(CONSTANT, flow=[{"path": "dojo/utils.py", "line": 29, "code": None, "message": "import", "via": "related"},
                             {"path": "dojo/notifications/helper.py", "line": 4, "code": None, "message": None, "via": "related"}])
    text = specifics.flow_path(f)
    assert text.startswith("The tool links this result to: dojo/utils.py:29, ") and "traced" not in text


def test_a_tools_folder_is_not_assumed_unshipped():
    shipped = dict(CONSTANT, location={"path": "dojo/tools/netsparker/parser.py", "start_line": 29, "end_line": 29})
    assert specifics.reach(shipped) is None  # DefectDojo's parsers live in dojo/tools/ and ship with the app
    example = dict(CONSTANT, location={"path": "examples/upload_server.py", "start_line": 3, "end_line": 3})
    assert "example code under examples/" in specifics.reach(example)


GUZZLE_DETAILS = ("### Impact\n`Cookie` headers on requests are sensitive information. " + "x " * 380 +
                  "\n### Workarounds\nIf you do not require or expect redirects to be followed, one should simply disable "
                  "redirects all together.\n### References\n* [RFC9110 Section 15.4](https://www.rfc-editor.org/rfc/rfc9110.html)\n"
                  "### For more information\nIf you have any questions, please get in touch with us in `#guzzle`.")


def test_the_advisory_text_past_the_prompt_without_its_references_and_contacts(kb):
    guzzle = dependency("guzzle", "guzzlehttp/guzzle", "6.3.3", "6.5.7", cve=["CVE-2022-31042"])
    guzzle["description"] = GUZZLE_DETAILS
    text = narrative_for(kb, guzzle, 3)["narrative"]
    assert "simply disable redirects all together" in text
    assert "RFC9110" not in text and "#guzzle" not in text and "get in touch" not in text


def test_an_advisory_gets_no_cwe_sentence(kb):
    socketio = dependency("sio", "socket.io-parser", "4.0.4", "4.0.5", cve=["CVE-2022-2421"])
    socketio["cwe"] = ["CWE-89"]  # what the scanner says; the flaw is a _placeholder object, not a quoted SQL value
    text = narrative_for(kb, socketio, 3)["narrative"]
    assert "SQL" not in text and "Upgrade socket.io-parser from 4.0.4 to 4.0.5" in text


def test_the_fix_survives_the_restatement_filter_even_when_the_prompt_names_the_version():
    prompt = ("Package: express-jwt 0.1.3\nDescription: In express-jwt up and including version 5.3.3 ... This is also "
              "fixed in version 6.0.0. CVE-2020-15084")
    text = ("## What is wrong here\nexpress-jwt 0.1.3 fixed in version 6.0.0 CVE-2020-15084 express-jwt.\n\n"
            "## How to fix it\n- Upgrade express-jwt from 0.1.3 to 6.0.0, the fixed version the report names for CVE-2020-15084.")
    out = strip_restating(text, prompt)
    assert "What is wrong here" not in out and "Upgrade express-jwt from 0.1.3 to 6.0.0" in out


def test_a_package_inside_npm_itself_is_explained_as_such(kb):
    ip = dependency("ip", "ip", "1.1.5", "1.1.9", cve=["CVE-2023-42282"])
    ip["location"] = {"path": "usr/local/lib/node_modules/npm/node_modules/ip/package.json", "start_line": None, "end_line": None}
    text = narrative_for(kb, ip, 3)["narrative"]
    assert "dependency of npm itself" in text and "Upgrade ip from" not in text


def test_a_stage1_row_is_not_made_specific_by_its_reference_url(tmp_path, kb):
    from datasets_rows import narrative, run_build
    from tasks.core.config import load_config
    from tasks.datasets.rows import NOTHING_SPECIFIC

    cfg = load_config(Path(__file__).resolve().parent.parent / "config/pipeline.yaml", environ={})["datasets"]
    b112 = finding("b112", tool="bandit", rule_id="B112", cwe=["CWE-703"], title="Try, Except, Continue detected.",
                   description="Try, Except, Continue detected.", snippet=None)
    text = ("## How it works\n`except ...: continue` skips an item on any error without a trace.\n\n"
            "## References\n- https://bandit.readthedocs.io/en/1.9.4/plugins/b112_try_except_continue.html")
    info = run_build(tmp_path, [b112], [narrative(b112, text)], cfg | {"valid_percent": 1, "test_percent": 0})
    assert info["stage1_dropped"] == {NOTHING_SPECIFIC: 1}


def test_a_nested_npm_copy_names_the_package_that_pulls_it_in():
    nested = specifics.npm_parent("juice-shop/node_modules/archiver/node_modules/async/package.json", "async")
    assert nested.startswith("This copy of async is nested under archiver") and "goes through archiver" in nested
    bench = specifics.npm_parent("juice-shop/node_modules/clarinet/benchmark/node_modules/lodash/package.json", "lodash")
    assert "ships inside clarinet's own benchmark/ folder" in bench and "does not load" in bench
    assert specifics.npm_parent("juice-shop/node_modules/async/package.json", "async") is None  # top level: the app's own


def test_a_parameter_of_the_enclosing_function_is_named():
    f = finding("b602-param", tool="bandit", rule_id="B602", cwe=["CWE-78"], title="subprocess call with shell=True",
                description="subprocess call with shell=True", location={"path": "app.py", "start_line": 5, "end_line": 5},
                snippet="4 def run(command):\n5     return subprocess.call(command, shell=True)\n6 \n")
    assert specifics.value_origins(f) == []  # "its callers decide" fits every function: without the callers, nothing
    code = {"path": "app.py", "text": "def run(command):\n    return subprocess.call(command, shell=True)\n", "start_line": 4,
            "sites": {"run.command": "`command` is a parameter of `run` (line 4); the repository calls it from x.py:3."}}
    assert specifics.value_origins(f, code) == [code["sites"]["run.command"]]


def test_a_chained_call_with_a_variable_is_not_constant():
    f = dict(CONSTANT, snippet="28     return hashlib.md5(password.encode()).hexdigest()\n",
             location={"path": "app.py", "start_line": 28, "end_line": 28})
    assert not any("constant literal" in s for s in specifics.value_origins(f))


def test_a_config_check_without_a_known_setting_gets_no_template_sentence(kb):
    f = finding("openapi3", tool="checkov", kind="config", rule_id="CKV_OPENAPI_3", cwe=[], snippet=None,
                title="Ensure that security schemes don't allow cleartext credentials over unencrypted channel",
                description="Ensure that security schemes don't allow cleartext credentials over unencrypted channel",
                location={"path": "v3/example.yaml", "start_line": 1, "end_line": 20})
    assert "to resolve what check" not in narrative_for(kb, f, 3)["narrative"]


def test_a_value_set_over_several_lines_is_quoted_whole_or_shortened_never_cut():
    # cloudgoat sqs_flag_shop lambda_function.py:19-23 (Bandit B310): "from `urllib.request.Request(`" was half a call
    f = finding("b310", tool="bandit", rule_id="B310", cwe=["CWE-22"], title="Audit url open for permitted schemes.",
                description="Audit url open", location={"path": "lambda_function.py", "start_line": 23, "end_line": 23},
                snippet="19             req = urllib.request.Request(\n20                 url,\n21                 data=data_json,\n"
                        "22                 headers={'content-type': 'application/json'})\n23             urllib.request.urlopen(req)\n")
    assert specifics.value_origins(f) == ["`req` is set on line 19 from `urllib.request.Request(url, ...)`."]
    cut = dict(f, location={"path": "lambda_function.py", "start_line": 21, "end_line": 21},
               snippet="19             req = urllib.request.Request(\n20                 url,\n21             urllib.request.urlopen(req)\n")
    assert not any("Request(" in s for s in specifics.value_origins(cut))
