"""Round 45's blind grades (held-out set 41): each defect class mended generally, with the rows' own code shapes.

ntfy/Flowise/changedetection.io's unsafe-formatstring rows shared one stock sentence; a B311 reason never said what the
random value feeds; a SHA-1 identifier's reason claimed a guessable input nobody read; a suppression quoted a value cut
mid-token and asked to add `<!-- line 13: the template value -->`; Bandit's B107 redacted a function's docstring and
messages, and B106 the phrase 'bad token'; an example file's reason quoted `<script type="…">`, not the sink.
"""

from __future__ import annotations

import subprocess

from repo_reader import FilesReader

FORMAT = "tmp.rules.unsafe-formatstring"


def _semgrep(rule: str, path: str, line: int, end: int | None = None, description: str = "d") -> dict:
    return {"id": "6" * 32, "tool": "semgrep", "kind": "code", "severity": "medium", "title": rule, "rule_id": rule,
            "description": description, "location": {"path": path, "start_line": line, "end_line": end or line}}


def _bandit(rule: str, path: str, line: int, title: str = "t", end: int | None = None) -> dict:
    return {"id": "1" * 32, "tool": "bandit", "kind": "code", "severity": "low", "rule_id": rule, "title": title,
            "description": title, "location": {"path": path, "start_line": line, "end_line": end or line}}


NTFY = """class Api {
  async publishXHR(url, body, headers, onProgress) {
    const xhr = new XMLHttpRequest();
    xhr.addEventListener("readystatechange", () => {
      if (xhr.readyState === 4 && xhr.status >= 200 && xhr.status <= 299) {
        console.log(`[Api] Publish successful (HTTP ${xhr.status})`, xhr.response);
      }
    });
  }
}
"""
FLOWISE = """export class OpenTelemetry {
    async initializeCounters() {
        const enumEntries = Object.entries(FLOWISE_METRIC_COUNTERS)
        enumEntries.forEach(([name, value]) => {
            try {
                this.counters.set(value, meter.createCounter(value))
            } catch (error) {
                console.error(`Error creating metric ${value}:`, error)
            }
        })
    }
}
"""
REALTIME = """$(document).ready(function () {
    $('#ops button').on('click', function (e) {
        const $button = $(this);
        const op = $button.val();
        console.log(`Socket.IO: Sending watch operation '${op}' for UUIDs:`, checkedUuids);
    });
});
"""


def test_a_log_format_reason_names_the_interpolated_value_its_origin_and_where_the_line_goes():
    from tasks.triage.log_format import check_log_format

    ntfy = check_log_format(_semgrep(FORMAT, "web/src/app/Api.js", 6), FilesReader({"web/src/app/Api.js": NTFY}))
    path = "packages/server/src/metrics/OpenTelemetry.ts"
    flowise = check_log_format(_semgrep(FORMAT, path, 8), FilesReader({path: FLOWISE}))
    js = "changedetectionio/static/js/realtime.js"
    cd = check_log_format(_semgrep(FORMAT, js, 5), FilesReader({js: REALTIME}))
    assert "`xhr.status` (a number" in ntfy["evidence"] and "browser" in ntfy["evidence"]
    assert "no text from outside reaches" in ntfy["evidence"]
    assert "`value` (taken from `Object.entries(FLOWISE_METRIC_COUNTERS)` at line 3, a constant)" in flowise["evidence"]
    assert "server process's log (stderr)" in flowise["evidence"] and "browser" not in flowise["evidence"]
    assert "`op` (taken from `$button.val()` at line 4)" in cd["evidence"] and "no text from outside" not in cd["evidence"]
    tails = {e["evidence"].split(":", 2)[-1] for e in (ntfy, flowise, cd)}
    assert len(tails) == 3  # no stock sentence with the path swapped


def test_a_b311_reason_says_what_the_random_value_feeds():
    from tasks.triage.random_use import check_random_use

    code = ("from random import randint\n\n\nclass Steps:\n    async def action_click_element(self, selector, value):\n"
            "        await self.page.click(selector=selector, timeout=self.action_timeout + 20 * 1000, "
            "delay=randint(200, 500))\n\n    def pick(self, items):\n        n = randint(0, 3)\n        return items[n]\n")
    hit = check_random_use(_bandit("B311", "steps.py", 6), FilesReader({"steps.py": code}))
    assert "gives the `delay=` keyword of `self.page.click(...)`" in hit["evidence"]
    assert "picks a value that nothing" not in hit["evidence"]
    assert "gives the value of `n`" in check_random_use(_bandit("B311", "steps.py", 9), FilesReader({"steps.py": code}))["evidence"]


def test_an_identifier_digest_reason_quotes_its_input_and_claims_nothing_about_it():
    from tasks.triage.flow import check_hash_use

    code = ("import hashlib\n\n\nclass Check:\n    @property\n    def unique_key(self) -> str:\n"
            "        code_half = self.code.hex[:16]\n        return hashlib.sha1(code_half.encode()).hexdigest()\n")
    f = _semgrep("tmp.rules.insecure-hash-algorithm-sha1", "hc/api/models.py", 8)
    hit = check_hash_use(f, FilesReader({"hc/api/models.py": code}))
    assert "unique_key() returns, an identifier computed from `self.code.hex[:16]`" in hit["evidence"]
    assert "SHA-1's broken property, collision resistance" in hit["evidence"]
    assert "e-mail" not in hit["evidence"] and "guessable input" not in hit["evidence"]
    assert "not a security use" not in hit["evidence"]


APPRISE = ("<script>\n  const x = 1;\n</script>\n"
           "<script src=\"{{url_for('static_content', group='js', filename='notifications.js')}}\" defer></script>\n")


def test_a_suppression_quotes_whole_tokens_and_its_comment_is_a_sentence():
    from tasks.fixes.suppression import justification, suppression_for
    from tasks.triage.template_forms import check_script_url, code_quote

    path = "changedetectionio/blueprint/settings/notifications/templates/apprise.html"
    f = dict(_semgrep("tmp.rules.var-in-script-tag", path, 4), snippet=APPRISE.splitlines()[3])
    hit = check_script_url(f, FilesReader({path: APPRISE}))
    assert "`url_for('static_content', group='js', filename='notifications.js')`" in hit["evidence"]
    rec = {"verdict": "false_positive", "reasons": [hit]}
    short = justification(rec, path)
    assert short == "line 4: the template value sits in the script tag's src attribute, not in its code"
    block = suppression_for(f, rec)[1]
    assert "<!-- line 4: the template value -->" not in block and "not in its code -->" in block
    long = "url_for('static_content', group='js', filename='notifications-with-a-longer-name.js', v=config.version)"
    assert code_quote(long) == "url_for('static_content', group='js', …)"  # whole arguments, an explicit elision
    cut = {"check": "code", "evidence": "x.html:3: the value `url_for('a', group='js', filename='b.js')` sits in an "
           "attribute that the template engine escapes as it escapes any other attribute value"}
    assert "`" not in justification({"reasons": [cut]}, "x.html") or justification({"reasons": [cut]}, "x.html").count("`") == 2


B107_SNIPPET = '''13 def run_socketio_watch_update_test(client, live_server, password_mode="", datastore_path=""):
14     """Test that the socketio emits a watch update event when content changes"""
15     api_key = "Zx9Qw7Lk2Mn8Pb4Vc6Rt"
16     if password_mode == "not logged in, should exit on connect":
17         assert not socketio_test_client.is_connected(), "Should not be connected when not logged in"
18         return
19     connect(token="Hq4Jd8Ws2Lp6Rf0Tb7Yx")
20     print("Connection successful, watch update test running")
'''


def test_b107_redacts_the_functions_secrets_and_never_its_docstring_or_messages():
    from tasks.findings.parsers.finalise import finalise

    f = dict(_bandit("B107", "changedetectionio/tests/test_basic_socketio.py", 13, "Possible hardcoded password: ''", 20),
             snippet=B107_SNIPPET, references=[], fix_hint=None)
    out = finalise(f)["snippet"]
    for prose in ("Test that the socketio emits", "not logged in, should exit on connect", "Should not be connected",
                  "Connection successful"):
        assert prose in out
    assert "Zx9Qw7Lk2Mn8Pb4Vc6Rt" not in out and "Hq4Jd8Ws2Lp6Rf0Tb7Yx" not in out  # secret-named values still go


def test_the_source_reader_learns_only_secret_values_of_a_b107_function(tmp_path):
    from tasks.repository.source import SourceReader

    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "tests" / "test_socketio.py").write_text("\n" * 12 + "\n".join(l.split(" ", 1)[1] for l in B107_SNIPPET.splitlines()) + "\n")
    subprocess.run(["git", "-C", str(repo), "init", "-q"], check=True)
    reader = SourceReader(repo)
    reader.learn_secrets([_bandit("B107", "tests/test_socketio.py", 13, "Possible hardcoded password: ''", 20)])
    text = reader.context("tests/test_socketio.py", None, 13, 8)["text"]
    assert "Test that the socketio emits" in text and "not logged in, should exit on connect" in text
    assert "Should not be connected" in text and "Zx9Qw7Lk2Mn8Pb4Vc6Rt" not in text and "Hq4Jd8Ws2Lp6Rf0Tb7Yx" not in text


def test_a_phrase_naming_the_credential_it_stands_for_is_not_redacted():
    from tasks.findings.parsers.finalise import finalise
    from tasks.findings.secret_literals import names_itself

    snippet = ('98     res = client.get(\n99         url_for("rss.feed", token="bad token", _external=True),\n'
               '100         follow_redirects=True\n101     )\n102 \n103     assert b"Access denied, bad token" in res.data\n')
    f = dict(_bandit("B106", "changedetectionio/tests/test_rss.py", 99, "Possible hardcoded password: 'bad token'"),
             snippet=snippet, references=[], fix_hint=None)
    out = finalise(f)
    assert 'token="bad token"' in out["snippet"] and "Access denied, bad token" in out["snippet"]
    assert names_itself("wrong password") and not names_itself("correct horse battery staple")
    real = dict(_bandit("B106", "app.py", 1, "Possible hardcoded password: 'Hq4Jd8Ws2Lp6'"),
                snippet='1 connect(token="Hq4Jd8Ws2Lp6")\n', references=[], fix_hint=None)
    assert "Hq4Jd8Ws2Lp6" not in finalise(real)["snippet"]


SSE = """<div id="events"></div>

<script type="text/javascript">
    const events = document.getElementById('events');
    eventSource.onopen = () => {
        let event = document.createElement('div');
        event.innerHTML = `EventSource connected to ${subscribeURL}`;
    };
    eventSource.onmessage = (e) => {
        let event = document.createElement('div');
        event.innerHTML = e.data;
    };
</script>
"""


def test_an_example_files_reason_quotes_the_flagged_sink_not_the_script_tag():
    from tasks.triage.context import check_path

    path = "examples/web-example-eventsource/example-sse.html"
    desc = "User controlled data in methods like `innerHTML`, `outerHTML` or `document.write` is an anti-pattern"
    hit = check_path(_semgrep("tmp.rules.insecure-document-method", path, 3, 13, desc), FilesReader({path: SSE}))
    assert "(line 11: `event.innerHTML = e.data;`; also line 7)" in hit["evidence"]
    assert "<script" not in hit["evidence"]
