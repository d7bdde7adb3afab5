"""Round 45's harmful rows and wrong facts (held-out set 41: Flowise, ntfy, healthchecks, changedetection.io), each
with the neighbour that stays as it was."""

from __future__ import annotations

from test_triage_constant_data import _repo
from test_triage_hygiene import finding


def _reasons(tmp_path, files, f):
    rec = _repo(tmp_path, files).judge(f)
    return rec, " | ".join(r["evidence"] for r in rec["reasons"])


def test_a_models_published_name_is_no_credential_and_is_not_redacted():
    """Flowise's doc comment `"claude-opus-4-7"`: the row called it a live credential and told the team to rotate it."""
    from tasks.findings.secret_evidence import classify_one
    from tasks.findings.secrets import plausible

    for name in ("claude-opus-4-7", "gpt-4o-mini", "anthropic.claude-3-haiku-20240307-v1:0", "gemini-1.5-pro"):
        seen = classify_one(name)
        assert seen["class"] == "code-word" and "model's published name" in seen["match"], name
        assert not plausible(name, f'model = "{name}"'), name
    for key in ("xK9fj2-LmQ81zPq7", "sk-proj-Ab3dE5gH7jK9mN1pQ3rS", "claude"):  # mixed case, a key's prefix, no version
        assert classify_one(key)["class"] != "code-word", key


def test_a_model_name_in_a_doc_comment_is_a_false_positive_of_the_secret_rule(tmp_path):
    code = '/**\n * Model names:\n *   - Anthropic API:   "claude-opus-4-7"\n */\nexport const X = 1\n'
    f = finding(rule_id="generic-api-key", title="Generic API Key", snippet='"claude-opus-4-7"',
                location={"path": "packages/components/src/anthropicUtils.ts", "start_line": 3, "end_line": 3})
    rec, said = _reasons(tmp_path, {"packages/components/src/anthropicUtils.ts": code}, f)
    assert rec["verdict"] == "false_positive"
    assert "model's published name (`claude-opus-4-7`)" in said


def test_a_projects_test_module_named_test_py_is_a_test_path():
    """healthchecks' hc/test.py (BaseTestCase): its set_password("password") was answered as a leaked credential."""
    from tasks.triage.report_signals import is_test_path

    assert is_test_path("hc/test.py") and is_test_path("app/tests.py")
    assert not is_test_path("hc/testament.py") and not is_test_path("hc/latest.py")


def test_unvalidated_password_is_a_password_policy_fix_not_a_secret_in_code():
    from tasks.fixes.families import family_of
    from tasks.fixes.patterns.prose import PROSE

    f = finding(rule_id="python.django.security.audit.unvalidated-password.unvalidated-password",
                title="The password on 'user' is being set without validating the password")
    assert family_of(f, ["CWE-521"]) == "password-policy"
    assert "validate_password(password, user)" in PROSE["password-policy"]
    assert family_of(finding(rule_id="python.lang.security.audit.hardcoded-password"), ["CWE-798"]) == "hardcoded-secret"


def test_a_release_tool_run_with_github_token_needs_contents_write():
    """ntfy's release workflow: `make release` (goreleaser) with GITHUB_TOKEN; `contents: read` breaks the release."""
    from tasks.fixes.gha_jobs import gha_permissions

    release = ("on:\n  push:\n    tags: ['v*']\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n"
               "      - uses: actions/checkout@v4\n      - run: make release\n        env:\n"
               "          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n")
    block, note = gha_permissions(release)
    assert "contents: write" in block and "contents: write" in note
    action = release.replace("      - run: make release\n        env:\n          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n",
                             "      - uses: goreleaser/goreleaser-action@v6\n        with:\n          args: release --clean\n")
    assert "contents: write" in gha_permissions(action)[0]
    tests = release.replace("make release", "make test")
    assert gha_permissions(tests)[0] == "permissions:\n  contents: read"


GUARD = '''from urllib.parse import urlparse

from django.shortcuts import redirect
from django.urls import Resolver404, resolve


def _allow_redirect(redirect_url):
    if not redirect_url:
        return False
    parsed = urlparse(redirect_url)
    if parsed.netloc:
        return False
    try:
        match = resolve(parsed.path)
    except Resolver404:
        return False
    return match.url_name in ("hc-checks",)


def after_login(request):
    redirect_url = request.GET.get("next")
    if redirect_url and _allow_redirect(redirect_url):
        return redirect(redirect_url)
    return redirect("hc-index")
'''


def test_a_redirect_inside_the_projects_allow_check_is_no_open_redirect(tmp_path):
    f = finding(rule_id="python.django.security.injection.open-redirect.open-redirect", title="open redirect",
                location={"path": "hc/accounts/views.py", "start_line": 23, "end_line": 23})
    rec, said = _reasons(tmp_path, {"hc/accounts/views.py": GUARD}, f)
    assert rec["verdict"] == "false_positive"
    assert "only inside `if redirect_url and _allow_redirect(redirect_url):`" in said and "netloc" in said
    # a check of the same name that never parses the URL guards nothing
    weak = GUARD.replace("    parsed = urlparse(redirect_url)\n    if parsed.netloc:\n        return False\n", "")
    weak = weak.replace("resolve(parsed.path)", "resolve(redirect_url)")
    rec, said = _reasons(tmp_path / "weak", {"hc/accounts/views.py": weak}, f)
    assert rec["verdict"] != "false_positive" and "_allow_redirect" not in said


VIEW = '''from flask import make_response, request, send_from_directory


def screenshot(watch):
    step_n = int(request.args.get('step_n'))
    filename = f"step_before-{step_n}.jpeg" if request.args.get('type', '') == 'before' else f"step_{step_n}.jpeg"
    return make_response(send_from_directory(directory=watch.data_dir, path=filename))
'''


def test_a_request_value_only_compared_or_made_a_number_does_not_reach_the_sink(tmp_path):
    """changedetection.io's step screenshot: "line 346 assigns user input (request.args) to filename" was wrong."""
    f = finding(rule_id="python.flask.security.audit.make-response-with-unknown-content", title="t", cwe=["CWE-79"],
                location={"path": "app/steps.py", "start_line": 7, "end_line": 7})
    rec, said = _reasons(tmp_path, {"app/steps.py": VIEW}, f)
    assert "assigns user input" not in said
    tainted = VIEW.replace("f\"step_{step_n}.jpeg\"", "request.args.get('name')")
    rec, said = _reasons(tmp_path / "t", {"app/steps.py": tainted}, f)
    assert "assigns user input (request.args) to filename" in said


def test_argparses_listen_default_is_a_bind_not_a_model_field(tmp_path):
    """healthchecks' smtpd `--host` default '0.0.0.0' is the address the listener binds: not "an address field"."""
    cmd = ('import argparse\nparser = argparse.ArgumentParser()\n'
           'parser.add_argument("--host", help="ip address to listen on", default="0.0.0.0")\n')
    f = finding(tool="bandit", rule_id="B104", title="Possible binding to all interfaces.",
                location={"path": "hc/api/management/commands/smtpd.py", "start_line": 3, "end_line": 3})
    rec, said = _reasons(tmp_path, {"hc/api/management/commands/smtpd.py": cmd}, f)
    assert "address field of the model" not in said
    model = "from django.db import models\n\nclass Host(models.Model):\n    ip = models.GenericIPAddressField(default='0.0.0.0')\n"
    f4 = finding(tool="bandit", rule_id="B104", title="Possible binding to all interfaces.",
                 location={"path": "app/models.py", "start_line": 4, "end_line": 4})
    rec, said = _reasons(tmp_path / "m", {"app/models.py": model}, f4)
    assert "address field of the model" in said


def test_a_documented_basic_header_of_a_fake_password_is_an_example_a_random_one_stays():
    """ntfy's docs/publish.md: `Basic dGVzdHVzZXI6ZmFrZXBhc3N3b3Jk` is testuser:fakepassword (set 41, both labellers)."""
    import base64

    from tasks.findings.secret_evidence import classify_one

    for value in ("dGVzdHVzZXI6ZmFrZXBhc3N3b3Jk", "Basic dGVzdHVzZXI6ZmFrZXBhc3N3b3Jk",
                  "QmFzaWMgZEdWemRIVnpaWEk2Wm1GclpYQmhjM04zYjNKaw"):  # the header encoded again (?auth=)
        seen = classify_one(value)
        assert seen["class"] == "example" and "`testuser:fakepassword`" in seen["match"], value
    for pair in (b"admin:Xk29fjQ0zLmp8Rw", b"admin:admin123"):  # random, or weak but perhaps real: never decoded aloud
        seen = classify_one(base64.b64encode(pair).decode())
        assert seen["class"] not in ("example", "placeholder") and "admin" not in str(seen.get("match")), pair


def test_a_decoded_pair_is_shown_only_when_its_password_is_a_plain_dummy_word():
    """The review of 750ff3a: 'example' inside a random password decoded it aloud."""
    import base64

    from tasks.findings.secret_evidence import classify_one

    seen = classify_one(base64.b64encode(b"user:example.com:Hq4Jd8Ws2Lp6").decode())
    assert "Hq4Jd8Ws2Lp6" not in str(seen.get("match"))
    seen = classify_one(base64.b64encode(b"user:exampleHq4Jd8Ws2Lp6").decode())
    assert "Hq4Jd8Ws2Lp6" not in str(seen.get("match"))
