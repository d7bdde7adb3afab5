"""Triage round 5 (issue 21): four checks that missed the real code they were written for, each with a reduced
copy of that code -- a case the check flags and a case it leaves alone."""

from __future__ import annotations

import pytest
from test_triage_containers import Files  # a repository of a few files, as the source reader reads them

from tasks.triage.verdict import Judge


def finding(rule, line, path="app/static/js/main.js", title="t", tool="semgrep", **kw):
    base = {"id": "f" * 32, "tool": tool, "kind": "code", "rule_id": rule, "title": title, "description": "",
            "location": {"path": path, "start_line": line, "end_line": line}, "package": None, "snippet": None,
            "aliases": [], "cve": [], "ghsa": [], "suppressed": False, "severity": "medium"}
    return base | kw


# 1. an escaper whose entities sit in a character map of the enclosing function (secDevLabs' stegonography main.js)
XSS = "work.rules.js-innerhtml-assignment"
XSS_TITLE = "Assigning non-constant data to innerHTML/outerHTML or document.write enables DOM XSS."
ESC = """window.onload = function () {
    var obj = JSON.parse(window.name);
    var escChars = {
        '&': '&amp;',
        '<': '&lt;',
        '>': '&gt;',
        '"': '&quot;',
        '\\n': '<br/>'
    };
    var escHtml = function(string) {
        return String(string).replace(/[&<>"'\\/\\n]/g, function (c) {
            return escChars[c];
        });
    };
    document.getElementById('messageDecoded').innerHTML = escHtml(obj.text);
};
"""


def test_an_escaper_that_looks_characters_up_in_a_map_of_the_enclosing_scope():
    rec = Judge(reader=Files(ESC)).judge(finding(XSS, 15, title=XSS_TITLE, cwe=["CWE-79"]))
    assert rec["verdict"] == "false_positive", rec
    ev = rec["reasons"][0]["evidence"]
    assert "escaped before insertion" in ev and "escHtml" in ev and "character map at line 3" in ev


@pytest.mark.parametrize("change", [
    ("'<': '&lt;',", "'<': '<',"),                        # the map keeps '<'
    ("/[&<>\"'\\/\\n]/g", "/[&<>\"'\\/\\n]/"),              # replaces only the first character
    ("var escHtml = function(string) {", "var escHtml = function(string, escChars) {"),  # a map the caller passes
])
def test_an_escaper_whose_map_or_replacement_falls_short_stays(change):
    code = ESC.replace(*change)
    assert code != ESC
    rec = Judge(reader=Files(code)).judge(finding(XSS, 15, title=XSS_TITLE, cwe=["CWE-79"]))
    assert rec["verdict"] == "true_positive", rec


# 2. a Semgrep secret rule on JavaScript without the code in the report: the value is read from the file
SECRET = "work.rules.hardcoded-secret-assignment-js"
DECODE = """var decode = function() {
    var password = document.getElementById('password2').value;
    var passwordFail = 'Password is incorrect or there is nothing here.';
    var apiKey = 'q8Zr2LmX0vTn4PbK7sWd9YfH3cJg';
};
"""


def test_a_message_flagged_by_a_semgrep_secret_rule_without_a_snippet_is_no_credential():
    rec = Judge(reader=Files(DECODE)).judge(finding(SECRET, 3, title="Hard-coded secret/credential assigned"))
    assert rec["verdict"] == "false_positive", rec
    ev = rec["reasons"][0]["evidence"]
    assert rec["reasons"][0]["check"] == "secret" and "text for a person" in ev and "incorrect" not in ev


def test_a_random_key_flagged_by_a_semgrep_secret_rule_without_a_snippet_stays():
    rec = Judge(reader=Files(DECODE)).judge(finding(SECRET, 4, title="Hard-coded secret/credential assigned"))
    assert rec["verdict"] == "true_positive" and rec["reasons"][0]["check"] == "secret", rec
    assert "high-entropy" in rec["reasons"][0]["evidence"] and "q8Zr" not in str(rec)


# 3. B110 whose snippet shows only `pass / except: / pass` (the end of a nested handler): the try body is in the file
VIEW = """def code_execution(request):
    first_name = ''
    if request.method == 'POST':
        first_name = request.POST.get('first_name', '')
        try:
            {call}
        except TypeError:
            try:
                exec(base64.decodestring(first_name))
            except:
                pass
        except:
            pass
    return render(request, 'lab.html', {{'first_name': first_name}})
"""
B110_SNIPPET = "11                 pass\n12         except:\n13             pass\n14 "


def _b110(call):
    f = finding("B110", 12, path="badguys/vulnerable/views.py", title="Try, Except, Pass detected.", tool="bandit",
                snippet=B110_SNIPPET, description="Try, Except, Pass detected. (test try_except_pass, confidence high)")
    f["location"]["end_line"] = 13
    return Judge(reader=Files(VIEW.format(call=call))).judge(f)


def test_a_b110_whose_snippet_shows_no_body_is_judged_on_the_try_body_in_the_file():
    rec = _b110("exec(base64.decodestring(bytes(first_name, 'ascii')))")
    assert rec["verdict"] == "false_positive", rec
    assert "error-handling hygiene: the try body at badguys/vulnerable/views.py:12" in rec["reasons"][0]["evidence"]


def test_a_b110_whose_try_body_in_the_file_checks_a_signature_stays():
    rec = _b110("jwt.decode(first_name, KEY, algorithms=['HS256'])")
    assert rec["verdict"] == "true_positive", rec


TOKEN = """def obtain_token():
    try:
        first = http_get('https://example.org/local.js?get_mk_token=1', timeout=2.0)
        actual = {call}(URL, timeout=2.0, headers={{'Authorization': 'Bearer ' + first.text}})
        token['value'] = loads(actual.text)['authInfo']['access_token']
    except:
        pass
    return token
"""


@pytest.mark.parametrize("call, verdict", [("http_get", "false_positive"), ("verify_signature", "true_positive")])
def test_a_b110_is_judged_on_the_calls_of_its_try_body_not_on_its_words(call, verdict):
    """searxng's apple_maps.py (round 26): a token fetch sends an `Authorization` header and reads `access_token`;
    neither is a check that fails open, a verify call is."""
    f = finding("B110", 7, path="searx/engines/apple_maps.py", title="Try, Except, Pass detected.", tool="bandit",
                snippet="6     except:\n7         pass\n", description="Try, Except, Pass detected.")
    rec = Judge(reader=Files(TOKEN.format(call=call))).judge(f)
    assert rec["verdict"] == verdict, rec


# 4. B113 in a standalone attack script whose URLs come from a module-level table of literal URLs
SCRIPT = """import copy
import requests

ATTACKS = {
    '1': {
        'urls': {'register': 'http://api:3000/register', 'userinfo': 'http://api:3000/userinfo'},
        'contents': {'userinfo': {"login": ""}},
        'wordlist': 'wordlists/users.txt'
    },
    '2': {
        'urls': {'recovery': 'http://api:3000/recovery', 'reset': 'http://api:3000/reset'},
        'wordlist': {"How old are you?": "wordlists/answers_age.txt"}
    }
}

def enumerate(atk, rota):
    with open(ATTACKS[atk]["wordlist"], 'r') as wordlist:
        url = ATTACKS[atk]["urls"][rota]
        c = copy.deepcopy(ATTACKS[atk]["contents"][rota])
        for line in wordlist:
            response = requests.post(url, json=c)

def brute_force(atk, user):
    r = requests.post(ATTACKS[atk]["urls"]["reset"], json={"login": user}).json()
    {extra}
"""


def _b113(extra="", change=("", "")):
    from tasks.findings.model import as_finding
    from tasks.triage.robustness import check_timeout

    code = SCRIPT.replace("{extra}", extra).replace(*change) if change[0] else SCRIPT.replace("{extra}", extra)
    out = []
    for line in (i for i, text in enumerate(code.splitlines(), 1) if "requests.post(" in text):
        f = as_finding({"id": "f" * 32, "tool": "bandit", "kind": "code", "rule_id": "B113", "location": {
            "path": "brute-force/scripts.py", "start_line": line}, "title": "Call to requests without timeout"})
        out.append(check_timeout(f, Files(code)))
    return out


def test_b113_with_urls_from_a_module_level_table_of_literal_urls():
    found = _b113()
    assert len(found) == 2 and all(ev and "calls a fixed host (api)" in ev["evidence"] for ev in found), found
    assert "brute-force/scripts.py:21" in found[0]["evidence"] and "brute-force/scripts.py:24" in found[1]["evidence"]


@pytest.mark.parametrize("extra", [
    "ATTACKS['2']['urls']['reset'] = user",                        # a URL written into the table
    "urls = ATTACKS[atk]['urls']\n    urls['reset'] = user",      # a part given a second name, then changed
    "ATTACKS['1']['urls'].update(reset=user)",                    # a method called on a part
])
def test_b113_with_a_table_the_script_changes_stays(extra):
    assert _b113(extra) == [None, None]


def test_b113_with_a_table_url_whose_host_is_not_a_literal_stays():
    found = _b113(change=("'http://api:3000/reset'", "'http://' + sys.argv[1]"))
    assert found == [None, None]  # ATTACKS[atk]["urls"][rota] can select the reset URL too


# 4b. B113 in a script whose URL is a command-line argument: sys.argv or argparse's namespace
CLI = """import argparse
import sys
import requests

API = "/api/login"

def main(target):
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    args = parser.parse_args()
    first = requests.get(sys.argv[1])
    second = requests.post(f"{args.url}{API}", json={"user": "admin"})
    third = requests.post(target + API)
    return first, second, third
"""


def _cli_timeouts(code):
    from tasks.findings.model import as_finding
    from tasks.triage.robustness import check_timeout

    lines = [i for i, text in enumerate(code.splitlines(), 1) if "requests." in text and "import" not in text]
    return [check_timeout(as_finding({"id": "f" * 32, "tool": "bandit", "kind": "code", "rule_id": "B113",
                                      "title": "Call to requests without timeout",
                                      "location": {"path": "attack.py", "start_line": n}}), Files(code)) for n in lines]


def test_b113_with_a_url_from_the_command_line_is_robustness_and_a_parameter_stays():
    first, second, third = _cli_timeouts(CLI)
    assert first and "a command-line argument (sys.argv at attack.py:11)" in first["evidence"]
    assert second and "argparse's args.url at attack.py:12" in second["evidence"]
    assert third is None  # a parameter: whoever calls main() chooses it


def test_b113_with_a_command_line_url_in_a_request_handler_stays():
    code = CLI.replace("def main(target):", "@app.route('/proxy')\ndef main(target):")
    assert _cli_timeouts(code) == [None, None, None]


def test_a_config_check_without_a_snippet_gets_no_value_from_the_file():
    workflow = "name: deploy\npermissions: write-all\non: push\n"
    f = finding("CKV2_GHA_1", 1, path=".github/workflows/deploy.yml", tool="checkov", kind="config",
                title="Ensure top-level permissions are not set to write-all")
    rec = Judge(reader=Files(workflow)).judge(f)
    assert rec["verdict"] == "true_positive" and rec["reasons"][0]["check"] == "report", rec
