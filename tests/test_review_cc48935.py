"""A helper's attack on cc48935 (set 44's tuning): each input made a check clear a real finding, leak a secret into a
prompt, crash or rescan a file per finding; each test now asserts the finding stays, the value stays hidden, the run ends."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess

import pytest
from test_round45_rows import _reasons
from test_triage_hygiene import finding


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def _jwt(claims: dict, secret: str) -> str:
    h, c = _b64(b'{"alg":"HS256","typ":"JWT"}'), _b64(json.dumps(claims).encode())
    return f"{h}.{c}.{_b64(hmac.new(secret.encode(), f'{h}.{c}'.encode(), hashlib.sha256).digest())}"


def _jwt_finding(path: str, line: int):
    return finding(rule_id="generic.secrets.security.detected-jwt-token.detected-jwt-token", title="JWT token detected",
                   location={"path": path, "start_line": line, "end_line": line})


# ===================================================================================================================
# 1. jwt_token: a token signed with a STRONG secret that the same file commits is called "no credential"
# ===================================================================================================================
STRONG = "Zq8vR2mK7xPp4LwT9sYc3NbHf6JdEa1UqW"  # random, not a sample secret


def test_1_jwt_signed_with_the_committed_production_secret_is_cleared(tmp_path):
    """Self-hosted Supabase's docker/.env layout: JWT_SECRET plus a service_role key signed with it (exp 2100).
    Anyone reading the file has both the admin token and the key that mints more; the server that trusts this
    secret accepts the token.  The triage calls it 'a token that grants nothing ... proves only that someone read a
    public secret'.  A secret committed to the same file is a leaked secret, not a public one."""
    tok = _jwt({"role": "service_role", "iss": "supabase", "exp": 4102444800}, STRONG)
    env = f"POSTGRES_PASSWORD=ignored\nJWT_SECRET={STRONG}\nSERVICE_ROLE_KEY={tok}\n"
    rec, said = _reasons(tmp_path, {"docker/.env.production": env}, _jwt_finding("docker/.env.production", 3))
    assert "a token that grants nothing" not in said


# ===================================================================================================================
# 2. jwt_token: an expired token whose (unencrypted) claims carry live credentials is "no credential"
# ===================================================================================================================
def test_2_expired_jwt_carrying_a_password_in_its_claims_is_cleared(tmp_path):
    """A JWT payload is base64, not encryption.  Expiry stops the token being replayed, not the DB password and AWS
    key in its claims from being read."""
    tok = _jwt({"sub": "etl", "db_password": "Pr0d-DB-pass-9x7Qz", "aws_secret_access_key":
                "q8Vd1Lw9Zr8YtPq3NvB7mKeHx2Jf5Tg6Ua0Sc4Rb", "exp": 1600000000}, "unknown-key-Zq8vR2mK7xPp4LwT")
    rec, said = _reasons(tmp_path, {"etl/config.py": f'TOKEN = "{tok}"\n'}, _jwt_finding("etl/config.py", 1))
    assert "it expired on" not in said


# ===================================================================================================================
# 3. jwt_token: a deeply nested claims object crashes the whole triage (RecursionError escapes _judge)
# ===================================================================================================================
def test_3_nested_jwt_claims_crash_the_triage(tmp_path):
    body = _b64(('{"a":' + "[" * 1200 + "]" * 1200 + "}").encode())  # 3,200 characters: under MAX_LINE
    head = _b64(b'{"alg":"HS256","typ":"JWT"}')
    tok = f"{head}.{body}.{'A' * 43}"
    f = finding(rule_id="tmp.rules.jwt", title="JWT token detected",
                location={"path": "backend/remark.rest", "start_line": 2, "end_line": 2})
    rec, said = _reasons(tmp_path, {"backend/remark.rest": f"### dev\nX-JWT: {tok}\n"}, f)  # was a RecursionError
    from tasks.triage.jwt_token import _judge
    assert _judge(tok, [], "backend/remark.rest") is None


# ===================================================================================================================
# 4. jwt_token: every finding re-scans the whole file (O(findings x lines))
# ===================================================================================================================
def test_4_jwt_check_rescans_the_whole_file_for_every_finding(monkeypatch):
    """A recorded HAR/VCR cassette with N tokens gets N findings; each one runs _NAMED over every line again and
    HMACs every `secret=` value found.  Measured here: 0.32 s per finding on a 100,000-line file with no secret at
    all, 0.48 s with 50,000 `client_secret=` values -> 50,000 findings take 4-7 hours."""
    import tasks.triage.jwt_token as jt

    lines = []
    for i in range(500):
        lines += [f"GET /api/{i}?page=2\n", f"Authorization: Bearer {_jwt({'sub': str(i), 'exp': 4102444800}, 'k' + str(i))}\n"]

    class Reader:
        def resolve(self, commit):
            return None

        def lines(self, path, commit):
            return lines

    calls = {"n": 0}

    class Counting:
        def finditer(self, text):
            calls["n"] += 1
            return jt._NAMED_REAL.finditer(text)

    monkeypatch.setattr(jt, "_NAMED_REAL", jt._NAMED, raising=False)
    monkeypatch.setattr(jt, "_NAMED", Counting())
    for k in range(10):
        assert jt.check_jwt_token(_jwt_finding("cassettes/api.har", 2 * k + 2), Reader()) is None
    assert calls["n"] == len(lines)  # the file's secrets are read once, not once per finding


# ===================================================================================================================
# 5-8. pr_only_action: `permissions: {}` + "names no secret" misses secrets named other ways, and self-hosted runners
# ===================================================================================================================
def _action(line: int):
    return finding(rule_id="yaml.github-actions.security.third-party-action-not-pinned-to-commit-sha."
                           "third-party-action-not-pinned-to-commit-sha", title="t",
                   location={"path": ".github/workflows/release.yml", "start_line": line, "end_line": line})


RELEASE = """name: Release
on:
  push:
    tags: ['v*']
permissions: {}
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
    - uses: actions/checkout@v4
    - uses: someone/publish-action@v1
"""
INHERIT = """name: Release
on:
  push:
permissions: {}
jobs:
  release:
    uses: someorg/shared-workflows/.github/workflows/release.yml@main
    secrets: inherit
"""


@pytest.mark.parametrize("what,text,line", [
    ("5: secrets['NPM_TOKEN'] (index syntax)", RELEASE + "      with:\n        npm-token: ${{ secrets['NPM_TOKEN'] }}\n", 11),
    ("6: toJSON(secrets) hands every secret to the step", RELEASE + "      env:\n        ALL: ${{ toJSON(secrets) }}\n", 11),
    ("7: an unpinned third-party reusable workflow given `secrets: inherit`", INHERIT, 7),
    ("8: a self-hosted deploy runner (persistent, holds the machine's own credentials)",
     RELEASE.replace("ubuntu-latest", "[self-hosted, prod-deployer]"), 11),
])
def test_5_8_permissions_empty_workflow_that_hands_out_secrets_is_cleared(tmp_path, what, text, line):
    rec, said = _reasons(tmp_path, {".github/workflows/release.yml": text}, _action(line))
    assert "sees no credential" not in said, what


# ===================================================================================================================
# 9-10. bind_url: uvicorn.run(reload=True)
# ===================================================================================================================
def _b104(path="app/main.py", line=7):
    return finding(tool="bandit", rule_id="B104", title="Possible binding to all interfaces.",
                   location={"path": path, "start_line": line, "end_line": line})


def test_9_only_the_first_uvicorn_run_on_the_line_is_read(tmp_path):
    """`runs[0].keywords` only: the production branch's uvicorn.run (no reload) is cleared with the dev branch's."""
    code = ('import os\nimport uvicorn\nfrom app.api import app\n\n\nif __name__ == "__main__":\n'
            '    uvicorn.run("app.api:app", host="0.0.0.0", reload=True) if os.getenv("DEV") '
            'else uvicorn.run("app.api:app", host="0.0.0.0", port=80)\n')
    rec, said = _reasons(tmp_path, {"app/main.py": code}, _b104())
    assert "a development server" not in said


def test_10_reload_server_the_dockerfile_starts_is_said_never_deployed(tmp_path):
    """The image's CMD runs this very module: the deployment DOES start the reloading server on 0.0.0.0; the
    evidence 'which a deployment does not start' is false."""
    code = ('import os\nimport uvicorn\nfrom app.api import app\n\n\nif __name__ == "__main__":\n'
            '    uvicorn.run("app.api:app", host="0.0.0.0", port=80, reload=True)\n')
    files = {"app/main.py": code, "Dockerfile": 'FROM python:3.12\nCOPY . /app\nWORKDIR /app\n'
             'RUN pip install -r requirements.txt\nCMD ["python", "-m", "app.main"]\n'}
    rec, said = _reasons(tmp_path, files, _b104())
    assert "a development server" not in said


# ===================================================================================================================
# 11-14. dom_html._purified
# ===================================================================================================================
def _dom(line=2):
    return finding(rule_id="javascript.browser.security.insecure-document-method.insecure-document-method", title="t",
                   location={"path": "js/app.js", "start_line": line, "end_line": line})


@pytest.mark.parametrize("what,js", [
    ("11: a `+ location.hash` continued on the next line (`\\s*[;)}\\n]` backtracks to the bare newline)",
     "function show(el, html) {\n    el.innerHTML = DOMPurify.sanitize(\n        html\n    )\n    + location.hash;\n}\n"),
    ("12: a `.replace(/&lt;/g, '<')` chained on the next line un-escapes what DOMPurify escaped",
     "function show(el, html) {\n    el.innerHTML = DOMPurify.sanitize(\n        html\n    )\n"
     "    .replace(/&lt;/g, '<').replace(/&gt;/g, '>');\n}\n"),
    ("13: a config that re-allows <script> and on* handlers",
     "function show(el, html) {\n    el.innerHTML = DOMPurify.sanitize(\n        html,\n"
     "        { ADD_TAGS: ['script'], ADD_ATTR: ['onerror', 'onclick'] }\n    );\n}\n"),
    ("14: a regex literal with '(' fools bracketed(); `+ location.hash` is read as inside the call",
     "function show(el, html) {\n    el.innerHTML = DOMPurify.sanitize(\n        html.replace(/\\(/g, '')\n"
     "    ) + location.hash;\n}\n"),
])
def test_11_14_multiline_dompurify_with_something_after_or_a_weak_config_is_cleared(tmp_path, what, js):
    rec, said = _reasons(tmp_path, {"js/app.js": js}, _dom())
    assert "strips scripts and event handlers" not in said, what


# ===================================================================================================================
# 15-17. documented_secret.check_docs_example
# ===================================================================================================================
def _leak(line: int, rule: str):
    return finding(tool="gitleaks", kind="secret", rule_id=rule, title=rule,
                   location={"path": "docs/deploy.md", "start_line": line, "end_line": line})


CP = """# Deploying to production

Copy the environment template first:

```bash
cp .env.example .env
```

Our production cluster uses these values:

```bash
STRIPE_API_KEY=sk_live_51HxQk2Lw9Zr8YtPq3NvB7mKe
DB_PASSWORD=Tr0ub4dor-Prod-2024-x9Qz
```
"""
EG = """# Deploying to production

The service reads its settings from the environment (e.g. through systemd).
These are the keys of our live account:

```bash
AWS_ACCESS_KEY_ID=AKIAZ3QWERTYB7XK2M4P
AWS_SECRET_ACCESS_KEY=q8Vd1Lw9Zr8YtPq3NvB7mKeHx2Jf5Tg6Ua0Sc4Rb
```
"""


def test_15_a_code_line_of_the_previous_block_is_taken_for_prose_that_calls_the_block_an_example(tmp_path):
    """_introduced() skips fence lines but not the lines *inside* the previous block: `cp .env.example .env` (line 6)
    is 'the prose above its block calls it an example'.  The block is introduced as 'our production cluster'."""
    for line, rule in ((12, "stripe-access-token"), (13, "generic-api-key")):
        rec, said = _reasons(tmp_path / str(line), {"docs/deploy.md": CP}, _leak(line, rule))
        assert "a documentation example" not in said


def test_16_an_unrelated_e_g_in_the_prose_clears_a_provider_format_aws_key(tmp_path):
    """'e.g. through systemd' is about how settings are read; the block is 'the keys of our live account'.  The new
    branch also drops the old branch's _GENERIC_RULE guard, so an issuer-format key (aws-access-token) is cleared."""
    for line, rule in ((7, "aws-access-token"), (8, "generic-api-key")):
        rec, said = _reasons(tmp_path / str(line), {"docs/deploy.md": EG}, _leak(line, rule))
        assert "a documentation example" not in said


def test_17_a_live_key_pasted_into_three_docs_pages_is_a_sample(tmp_path):
    """Repetition is not a sample: the same live key copy-pasted into two more runbooks makes it 'a value the pages
    show readers how to fill in' although no page calls it an example."""
    page = "# Runbook {n}\n\nProduction:\n\n```bash\nSTRIPE_API_KEY=sk_live_51HxQk2Lw9Zr8YtPq3NvB7mKe\n```\n"
    files = {f"docs/runbook{n}.md": page.format(n=n) for n in range(3)}
    f = finding(tool="gitleaks", kind="secret", rule_id="stripe-access-token", title="Stripe",
                location={"path": "docs/runbook0.md", "start_line": 6, "end_line": 6})
    rec, said = _reasons(tmp_path, files, f)
    assert "a documentation example" not in said


# ===================================================================================================================
# 18. misread_file: real Dockerfiles named Dockerfile.<language> are "not a Dockerfile" (skip-path suggested)
# ===================================================================================================================
@pytest.mark.parametrize("name", ["Dockerfile.php", "docker/Dockerfile.go", "Dockerfile.java", "Dockerfile.py", "Dockerfile.rb"])
def test_18_a_real_dockerfile_named_for_its_language_is_said_to_be_misread(tmp_path, name):
    """Dockerfile.php (800+ repositories in the code index), Dockerfile.go (300+), Dockerfile.py (350+),
    Dockerfile.java (250+, e.g. DataDog/dd-continuous-profiler-example) are Dockerfiles: the check never reads the
    content (`FROM golang` on line 1) and the suppression drops the file from every Dockerfile check."""
    from tasks.fixes.suppression import suppression_for

    body = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /server ./cmd/server\nEXPOSE 8080\nCMD ["/server"]\n'
    f = finding(tool="checkov", kind="config", rule_id="CKV_DOCKER_3",
                title="Ensure that a user for the container has been created", location={"path": name, "start_line": 1, "end_line": 6})
    rec, said = _reasons(tmp_path, {name: body}, f)
    assert "not a Dockerfile" not in said


# ===================================================================================================================
# 19. paths.library_banner: `(c)` inside minified code is read as the banner's licence
# ===================================================================================================================
def test_19_the_projects_own_minified_bundle_with_a_plain_version_comment_is_a_vendored_library(tmp_path):
    """`/* Admin panel v2.3.0 */` has no licence; `_LICENCE` finds `(c)` in the minified code's `function(c)` within
    400 characters.  `/* version 3.1 ... */` even becomes a library called 'version'.  The project's own eval of
    location.hash becomes 'vendored third-party library code, not this project's to patch'."""
    body = ("!function(a,b,c){var d=function(c){return b(c)};a.run=function(){eval(location.hash.slice(1))};d(c)}"
            "(window,document,1);" * 8 + "\n")
    f = finding(rule_id="javascript.browser.security.eval-detected.eval-detected", title="eval",
                location={"path": "static/js/admin.js", "start_line": 2, "end_line": 2})
    for n, banner in enumerate(("/* Admin panel v2.3.0 */\n", "/* version 3.1 - build output of this repository, do not edit */\n")):
        files = {"static/js/admin.js": banner + body, "package.json": "{}",
                 "templates/admin.html": '<script src="/static/js/admin.js"></script>\n'}
        rec, said = _reasons(tmp_path / str(n), files, f)
        assert "with a licence" not in said


# ===================================================================================================================
# 20. template_forms: a commented-out {% csrf_token %} is "Django's own tag, which the rule accepts"
# ===================================================================================================================
@pytest.mark.parametrize("token", ["    {# {% csrf_token %} #}\n", "    {% comment %}{% csrf_token %}{% endcomment %}\n",
                                   "    <!-- {% csrf_token %} -->\n"])
def test_20_a_commented_out_csrf_token_far_from_form_end_says_the_form_sends_a_token(tmp_path, token):
    """{# #} and {% comment %} render nothing; <!-- --> puts the hidden input in a comment, never submitted."""
    fields = "".join(f'    <input type="hidden" name="pk_{i}" value="{{{{ obj.pk }}}}">\n' for i in range(14))
    html = ("{% extends 'base.html' %}\n<form method=\"post\" action=\"{% url 'delete' obj.pk %}\">\n" + token + fields
            + "    <button>Delete</button>\n</form>\n")
    f = finding(rule_id="python.django.security.django-no-csrf-token.django-no-csrf-token", title="t",
                location={"path": "app/templates/app/delete.html", "start_line": 2, "end_line": 2})
    rec, said = _reasons(tmp_path, {"app/templates/app/delete.html": html}, f)
    assert "Django's own tag" not in said


# ===================================================================================================================
# 21. secret_literals (B105/B106): values of a multi-line call under names the regex does not know leak
# ===================================================================================================================
def test_21_b106_call_passwords_under_unlisted_names_are_no_longer_redacted(tmp_path):
    """kept_literals now keeps, of B105/B106's values, only the flagged one, those after a _SECRET_NAME, and
    non-words.  literal_values() still offers 'monkey', 'whiskey', 'Passport' (they contain key/pass), the parent
    a5f4e53^ redacted them; now root_pw / passcode / security_answer appear in clear in the prompt context."""
    from tasks.repository.source import SourceReader

    code = ('import pymysql\n\n\ndef connect():\n    return pymysql.connect(\n        host="db.internal",\n'
            '        user="admin",\n        password="rosebud",\n        root_pw="monkey",\n        passcode="whiskey",\n'
            '        security_answer="Passport",\n    )\n')
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "db.py").write_text(code)
    subprocess.run(["git", "-C", str(repo), "init", "-q"], check=True)
    reader = SourceReader(repo)
    reader.learn_secrets([{"id": "1" * 32, "tool": "bandit", "kind": "code", "severity": "low", "rule_id": "B106",
                           "title": "Possible hardcoded password: 'rosebud'", "description": "",
                           "location": {"path": "db.py", "start_line": 5, "end_line": 12}, "snippet": None}])
    text = reader.context("db.py", None, 8, 6)["text"]
    assert "rosebud" not in text
    for leaked in ('root_pw="monkey"', 'passcode="whiskey"', 'security_answer="Passport"'):
        assert leaked not in text, leaked


# ===================================================================================================================
# 22. secret_keys.ui_words: a passphrase in a translation catalogue is no longer redacted
# ===================================================================================================================
@pytest.mark.parametrize("value", ["Sign in as root with QwXkZrTpLmNbVcHs, then change it.",
                                   "glacier, tundra; velvet! anchor? rhubarb, orbit",
                                   "correct horse battery staple purple monkey dishwasher sunrise lantern"])
def test_22_a_passphrase_under_a_secret_key_of_a_locale_file_stays_in_clear(value):
    """ui_words' new sentence branch ignores the key: `"wifi_passphrase": "<9 words>"` in src/locales/en.json
    (CKV_SECRET_6) was redacted by a5f4e53^ and is now left in clear, including a letters-only random password
    inside a sentence."""
    from tasks.findings.parsers.finalise import finalise

    f = {"id": "1" * 32, "tool": "checkov", "kind": "secret", "severity": "high", "rule_id": "CKV_SECRET_6",
         "title": "Base64 High Entropy String", "description": "",
         "location": {"path": "src/locales/en.json", "start_line": 3, "end_line": 3},
         "snippet": f'  "wifi_passphrase": "{value}",', "references": []}
    assert value not in finalise(f)["snippet"]


# ===================================================================================================================
# 23-24. markup_slots.context: `>` inside an attribute value, and SVG animation attributes
# ===================================================================================================================
HDR = "from django.utils.html import conditional_escape, escape\nfrom django.utils.safestring import mark_safe\n"


def _b308(line):
    return finding(tool="bandit", rule_id="B308", title="Use of mark_safe() may expose cross-site scripting vulnerabilities.",
                   location={"path": "core/tables.py", "start_line": line, "end_line": line})


@pytest.mark.parametrize("what,body", [
    ("23: `>` in an earlier quoted attribute makes context() think the tag closed: href read as text",
     "\n\ndef link(obj):\n    return mark_safe(f'<a title=\"Go -> site\" href=\"{escape(obj.homepage)}\">visit</a>')\n"),
    ("23b: same through .format() and an escaped parameter",
     "\n\ndef link(value):\n    value = escape(value)\n    return mark_safe('<a data-hint=\"1 > 0\" href=\"{}\">x</a>'.format(value))\n"),
    ("24: SVG <animate attributeName=href values=javascript:...> is a URL sink context() calls 'attr'",
     "\n\ndef link(obj):\n    return mark_safe(f'<svg><a><animate attributeName=\"href\" values=\"{escape(obj.homepage)}\"/>"
     "<text y=\"20\">go</text></a></svg>')\n"),
])
def test_23_24_escape_into_a_url_slot_is_cleared(tmp_path, what, body):
    code = HDR + body
    line = next(i for i, l in enumerate(code.splitlines(), 1) if "mark_safe(" in l and "import" not in l)
    rec, said = _reasons(tmp_path, {"core/tables.py": code}, _b308(line))
    assert "no markup can be injected" not in said, what
    # the control: without the `>`-holding attribute the same href stays a finding (tests/test_set43.py)
    if "title=" in body:
        ctl = HDR + body.replace('title=\\"Go -> site\\" ', "").replace("title=\"Go -> site\" ", "")
        rec, said = _reasons(tmp_path / "ctl", {"core/tables.py": ctl}, _b308(line))
        assert "no markup can be injected" not in said
