"""The repository's callers of the function a flagged line sits in (tasks.enrich.call_sites), in place of the vacuous
"`cmd` is a parameter of `run_cmd`, so its callers decide what reaches this line" (heldout4 row 14, heldout5 rows 3, 4,
14).  The code is DVGA's core/helpers.py and core/views.py (dolevf/Damn-Vulnerable-GraphQL-Application), shortened."""

from __future__ import annotations

import subprocess

from tasks.datasets.rows import with_source_context
from tasks.datasets.sources import Source

HELPERS = '''import os

def run_cmd(cmd):
  return os.popen(cmd).read()

def initialize():
  return run_cmd('python3 setup.py')
'''
VIEWS = '''from core import helpers


class ImportPaste:
  def mutate(self, info, host='pastebin.com', port=443, path='/', scheme="http"):
    url = security.strip_dangerous_characters(f"{scheme}://{host}:{port}{path}")
    cmd = helpers.run_cmd(f'curl --insecure {url}')
    return cmd


class Query:
  def resolve_system_debug(self, info, arg=None):
    if arg:
      output = helpers.run_cmd('ps {}'.format(arg))
    else:
      output = helpers.run_cmd('ps')
    return output
'''
B605 = {"id": "f" * 32, "tool": "bandit", "rule_id": "B605", "kind": "code", "severity": "high", "cwe": ["CWE-78"],
        "title": "Starting a process with a shell, possible injection detected, security issue.",
        "description": "Starting a process with a shell, possible injection detected, security issue.",
        "location": {"path": "core/helpers.py", "start_line": 4, "end_line": 4}, "snippet": None}


def _source(tmp_path, files) -> Source:
    repo = tmp_path / "repo"
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    return Source(str(repo), None, 5)


def test_the_callers_and_what_they_pass_replace_callers_decide(tmp_path):
    code = _source(tmp_path, {"core/helpers.py": HELPERS, "core/views.py": VIEWS}).code(B605)
    said = code["sites"]["run_cmd.cmd"]
    assert code["imports"] == "import os\n"  # the file's imports (a query fix reads its DB driver there)
    assert said.startswith("`cmd` is a parameter of `run_cmd` (line 3); the repository calls it from ")
    assert "core/views.py:7 in `mutate` with `f'curl --insecure {url}'`" in said
    assert "core/views.py:14 in `resolve_system_debug` with `'ps {}'.format(arg)`" in said
    assert said.endswith("; 2 other calls pass constants.")  # core/views.py:16 'ps', core/helpers.py:7
    narrative = {"narrative": "## How it works\nos.popen runs a shell.", "sections": {"weakness": ""}}
    text = with_source_context(B605, narrative, code, narrative["narrative"])
    assert text.startswith("## What is wrong here\n`cmd` is a parameter of `run_cmd` (line 3); the repository calls")
    assert "callers decide" not in text


def test_a_function_nobody_calls_by_name_gets_no_sentence(tmp_path):
    # vulnpy's triggers are looked up with getattr(module, "do_" + name): no call site to show, and none is invented
    trigger = "import subprocess\n\ndef do_popen(command):\n    return subprocess.Popen(command, shell=True)\n"
    lookup = "def get_trigger(module, name):\n    return getattr(module, 'do_{}'.format(name))\n"
    f = B605 | {"location": {"path": "vulnpy/cmdi.py", "start_line": 4, "end_line": 4}}
    code = _source(tmp_path, {"vulnpy/cmdi.py": trigger, "vulnpy/util.py": lookup}).code(f)
    assert "sites" not in code
    narrative = {"narrative": "## How it works\nA shell runs it.", "sections": {"weakness": ""}}
    assert with_source_context(f, narrative, code, narrative["narrative"]) == narrative["narrative"]


FALCON = '''import os
import threading


def thread_function(user_input):
    print("working")
    cmd = "echo " + str(user_input)
    os.system(cmd)


class ThreadView(object):
    def on_get(self, req, resp):
        user_input = req.get_param("user_input") or ""
        threading.Thread(target=thread_function, args=(user_input,)).start()
'''


def test_a_function_handed_to_a_thread_names_the_handler_and_where_its_value_is_set(tmp_path):
    # vulnpy apps/falcon_app.py: the shell command is built from a parameter that ThreadView.on_get passes to a thread
    f = B605 | {"location": {"path": "apps/falcon_app.py", "start_line": 8, "end_line": 8}}
    code = _source(tmp_path, {"apps/falcon_app.py": FALCON}).code(f)
    said = code["sites"]["thread_function.user_input"]
    assert ("apps/falcon_app.py:14 in `on_get` (through `threading.Thread`) with `user_input`, set on line 13 from "
            "`req.get_param(\"user_input\") or \"\"`") in said
    narrative = {"narrative": "## What is wrong here\n`cmd` is set on line 7 from `\"echo \" + str(user_input)`.\n\n"
                              "## How it works\nA shell runs it.", "sections": {"weakness": "`cmd` is set on line 7"}}
    text = with_source_context(f, narrative, code, narrative["narrative"])
    assert text.startswith("## What is wrong here\n`cmd` is set on line 7 from `\"echo \" + str(user_input)`. `user_input` "
                           "is a parameter of `thread_function` (line 5); the repository calls it from apps/falcon_app.py:14")
    assert text.endswith("\n\n## How it works\nA shell runs it.")


def test_a_function_the_openapi_document_routes_to_says_the_framework_calls_it(tmp_path):
    # vulnerable-api: connexion calls display_uptime_flag(flag) for GET /uptime/{flag}; the one Python call passes
    # False, and "every call passes a constant" alone would say the opposite of the truth
    vapi = ("import os\n\ndef display_uptime():\n    return display_uptime_flag(False)\n\ndef display_uptime_flag(flag):\n"
            "    command = 'uptime'\n    if flag:\n        command = 'uptime -' + flag\n    return os.popen(command).read()\n")
    spec = "paths:\n  /uptime/{flag}:\n    get:\n      operationId: display_uptime_flag\n"
    f = B605 | {"location": {"path": "vAPI.py", "start_line": 10, "end_line": 10}}
    said = _source(tmp_path, {"vAPI.py": vapi, "openapi/vAPI.yaml": spec}).code(f)["sites"]["display_uptime_flag.flag"]
    assert said == ("`flag` is a parameter of `display_uptime_flag` (line 6); the repository's own calls pass a constant "
                    "(vAPI.py:4), but openapi/vAPI.yaml names `display_uptime_flag`, so a framework calls it with the "
                    "request's values."), said
