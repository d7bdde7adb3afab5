"""Code checks that read the repository: a __main__ block a WSGI server skips, a weak digest used as a
de-duplication key, code of a Drupal core module, innerHTML of a counter the project's server computes.  Each: a
case flagged with its file:line evidence and a true positive left alone."""

from __future__ import annotations

from test_triage_containers import judge  # the verdict on a finding in a repository of a few files
from test_triage_deployed import config


SERVER = ("from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route('/')\ndef root():\n    return 'hi'\n\n\n"
          "if __name__ == \"__main__\":\n    app.run(host='0.0.0.0', port=8000)\n")


def code(rule: str, path: str, line: int, title: str = "") -> dict:
    return config(rule, path, line, tool="bandit") | {"kind": "code", "title": title}


def test_a_main_block_that_gunicorn_skips_is_a_false_positive():
    files = {"golden/app/server.py": SERVER, "golden/app/app.py": "from server import app\n\nif __name__ == '__main__':\n    app.run()\n",
             "golden/app/run.sh": "#!/bin/bash\ngunicorn --threads 8 --bind 127.0.0.1:8000 app:app\n",
             "golden/deployments/Dockerfile": "FROM python:3.12\nWORKDIR /app\nCOPY app/ .\nCMD /bin/bash run.sh\n"}
    rec = judge(files, code("B104", "golden/app/server.py", 12))
    assert rec["verdict"] == "false_positive"
    ev = rec["reasons"][0]["evidence"]
    assert "golden/app/server.py:11" in ev and "golden/app/run.sh:2" in ev and "gunicorn" in ev and "imports server" in ev


def test_a_main_block_run_directly_or_a_line_outside_it_stays_a_finding():
    debug = SERVER.replace("host='0.0.0.0', port=8000", "debug=True")
    files = {"web/app.py": debug, "web/Procfile": "web: gunicorn app:app\n",
             "web/README.md": "Run it locally:\n\n    python app.py\n"}
    assert judge(files, code("B201", "web/app.py", 12, "A Flask app appears to be run with debug=True"))["verdict"] == "true_positive"
    outside = "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"
    files = {"web/app.py": outside, "web/Procfile": "web: gunicorn app:app\n"}
    assert judge(files, code("B201", "web/app.py", 3, "A Flask app appears to be run with debug=True"))["verdict"] == "true_positive"


DEDUP = ("import hashlib\n\n\ndef remove_duplicates(lines):\n    seen = set()\n    out = []\n    for line in lines:\n"
         "        digest = hashlib.md5(line.encode()).hexdigest()\n        if digest not in seen:\n"
         "            out.append(line)\n            seen.add(digest)\n    return out\n")
ALLOW = ("import hashlib\n\nKNOWN = {'5d41402abc4b2a76b9719d911017c592'}\n\n\ndef trusted(blob):\n"
         "    digest = hashlib.md5(blob).hexdigest()\n    return digest in KNOWN\n")


def test_a_digest_only_used_to_drop_duplicates_is_not_a_security_use():
    rec = judge({"tools/wordlist.py": DEDUP}, code("B324", "tools/wordlist.py", 8, "Use of weak MD5 hash for security."))
    assert rec["verdict"] == "false_positive"
    assert "tools/wordlist.py:8 computes digest" in rec["reasons"][0]["evidence"] and "remove_duplicates()" in rec["reasons"][0]["evidence"]


def test_a_digest_checked_against_a_list_of_known_hashes_stays_a_finding():
    rec = judge({"tools/verify.py": ALLOW}, code("B324", "tools/verify.py", 7, "Use of weak MD5 hash for security."))
    assert rec["verdict"] == "true_positive"


CORE_INFO = 'name = Overlay\npackage = Core\ncore = 7.x\n\n; Information added by Drupal.org packaging script\nproject = "drupal"\n'
EVAL_JS = "(function ($) {\n  var cb = Drupal.settings.tableHeaderOffset;\n  eval(cb);\n})(jQuery);\n"


def semgrep_eval(path: str) -> dict:
    return config("js-eval-new-function", path, 3, tool="semgrep") | {"kind": "code", "title": "eval() of a dynamic value"}


def test_code_in_a_drupal_core_module_is_vendored_cms_code():
    rec = judge({"html/modules/overlay/overlay.info": CORE_INFO, "html/modules/overlay/overlay-child.js": EVAL_JS},
                semgrep_eval("html/modules/overlay/overlay-child.js"))
    assert rec["verdict"] == "false_positive"
    assert "html/modules/overlay/overlay.info:2" in rec["reasons"][0]["evidence"] and "a newer release of it" in rec["reasons"][0]["evidence"]


def test_a_custom_module_or_one_that_only_claims_core_stays_a_finding():
    custom = CORE_INFO.replace("package = Core", "package = Custom")
    for info in (custom, CORE_INFO.replace('project = "drupal"', 'project = "shop"')):
        rec = judge({"html/sites/all/modules/shop/shop.info": info, "html/sites/all/modules/shop/shop.js": EVAL_JS},
                    semgrep_eval("html/sites/all/modules/shop/shop.js"))
        assert rec["verdict"] != "false_positive" and "Drupal core" not in str(rec["reasons"])


STATS_JS = """window.onload = function() {
    fetch(`http://localhost:10005/statistics/data?user=${name}`)
        .then(resp => resp.json())
        .then(data => {
            renderChart(data)
        })
}

function renderChart(data){
    document.getElementById('wins').innerHTML = data.numbers.wins
    document.getElementById('player').innerHTML = data.numbers.player
}
"""
SERVER_JS = """const express = require('express')
const app = express()

app.post('/game', async (req, res) => {
    let statistics = await db.get(req.body.user)
    if (statistics === undefined){
        statistics = {
            wins: 0,
            player: req.body.user,
        }
    }
    statistics.wins++
    db.save(statistics)
});

app.get('/statistics/data', async (req, res) => {
    const statistics = await db.get(req.query.user)
    const response = {
        numbers: {
            wins: statistics.wins,
            player: statistics.player,
        }
    }
    res.status(200).json(response)
});
"""


def innerhtml(line: int) -> dict:
    return config("js-innerhtml-assignment", "src/assets/js/statistics.js", line, tool="semgrep") | {
        "kind": "code", "title": "innerHTML assignment", "cwe": ["CWE-79"]}


def test_innerhtml_of_a_counter_the_server_computes_is_a_false_positive():
    rec = judge({"src/assets/js/statistics.js": STATS_JS, "src/app.js": SERVER_JS}, innerhtml(10))
    assert rec["verdict"] == "false_positive"
    ev = rec["reasons"][0]["evidence"]
    assert "fetch('/statistics/data') (src/assets/js/statistics.js:2)" in ev and "src/app.js:16 answers" in ev
    assert "numbers.wins = statistics.wins (src/app.js:20)" in ev and "(src/app.js:8, src/app.js:12)" in ev


def test_innerhtml_of_a_field_the_server_fills_from_a_request_stays_a_finding():
    rec = judge({"src/assets/js/statistics.js": STATS_JS, "src/app.js": SERVER_JS}, innerhtml(11))
    assert rec["verdict"] == "true_positive" and "a number the server computes" not in str(rec["reasons"])
