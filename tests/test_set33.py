"""Checks from held-out set 33 (mathesar, pontoon, terraform-aws-redshift, dashy, openwisp-radius) and its round-38
grades and audit, written after its measurement, each with the neighbour that stays a finding."""

from __future__ import annotations

from test_triage_containers import Files, bandit_at, semgrep_at

_HTML = "javascript.jquery.security.audit.prohibit-jquery-html.prohibit-jquery-html"


def test_a_jquery_getter_returns_a_string_and_a_chain_is_judged_at_its_flagged_call():
    """pontoon: `.html($('#id_subject').val())` was "`.val()` sets text" (it reads the subject, which .html() parses),
    and `$(this)...\\n.html($(this).html())` "reads and writes none" (the outer call on the flagged line writes)."""
    from tasks.triage.jquery_dom import check_jquery_dom

    js = ("$('#preview').html($('#id_subject').val());\n$(this)\n  .parents('.type-selector')\n  .find('.value')\n"
          "  .html($(this).html());\nconst o = $('<option>').text(name).val(name);\n$('#sel').append(o);\n"
          "const t = $('#title')\n  .html();\n")
    assert check_jquery_dom(semgrep_at(_HTML, "static/js/messaging.js", 1), Files(js)) is None
    assert check_jquery_dom(semgrep_at(_HTML, "static/js/profile.js", 5), Files(js)) is None
    kept = check_jquery_dom(semgrep_at("jquery-insecure-method", "static/js/a.js", 7), Files(js))
    assert kept and "`.text()` sets text, not markup; `.val()` sets text, not markup" in kept["evidence"]
    read = check_jquery_dom(semgrep_at(_HTML, "static/js/a.js", 9), Files(js))
    assert read and "reads the element's HTML and writes none" in read["evidence"]


def test_dompurify_is_said_to_sanitise_not_to_escape():
    """dashy's Toast.js: "markup in the data is shown as text" of DOMPurify, which keeps the markup it allows."""
    from tasks.triage.escaped_js import escaped_sink

    js = "import DOMPurify from 'dompurify';\nel.innerHTML = DOMPurify.sanitize(message);\nel.innerHTML = escapeHtml(m);\n"
    found = escaped_sink(js, 2, "components/Toast.js", "javascript.browser.security.insecure-innerhtml xss")
    assert found and found[1].startswith("sanitised before insertion") and "keeps only the markup it allows" in found[1]
    assert "shown as text" not in found[1]


def test_a_test_compose_file_runs_its_dockerfile_and_a_pull_request_action_needs_its_grant():
    """mathesar's api_tests/Dockerfile, built by docker-compose.test.yml, was "a base image" (round 38's s1-26); a
    workflow with repo-sync/pull-request was given only `contents: read` (s1-34)."""
    from tasks.fixes.gha_jobs import gha_permissions
    from tasks.triage.server_image import check_server_image

    compose = "services:\n  test:\n    build:\n      context: api_tests\n    command: pytest\n"
    files = {"api_tests/Dockerfile": "FROM python:3.13\nWORKDIR /tests\n", "docker-compose.test.yml": compose}
    f = {"id": "6" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_DOCKER_3", "title": "t", "description": "d",
         "location": {"path": "api_tests/Dockerfile", "start_line": 1}}
    assert check_server_image(f, Files(files)) is None
    assert check_server_image(f, Files({"api_tests/Dockerfile": files["api_tests/Dockerfile"]}))["status"] == "base_image"
    flow = ("jobs:\n  pr:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
            "      - uses: repo-sync/pull-request@v2\n        with:\n          destination_branch: develop\n")
    assert gha_permissions(flow)[0] == "permissions:\n  contents: read\n  pull-requests: write"


def test_an_import_of_telnetlib3_is_no_stdlib_telnetlib_import_and_a_gravatar_key_is_named():
    """openwisp-radius: B401 matches `import telnetlib3`, whose calls B312 never reports; the import-only reason
    deferred to a B312 that did not exist and the row suppressed the only warning (round 38, harmful)."""
    from tasks.triage.flow import check_hash_use
    from tasks.triage.unused_import import check_unused_import

    code = "import telnetlib3\n\n\nasync def kill(host, pw):\n    r, w = await telnetlib3.open_connection(host, 7505)\n"
    title = "A telnet-related module is being imported."
    assert check_unused_import(bandit_at("B401", 1, "radius/tasks.py", title), Files(code)) is None
    std = check_unused_import(bandit_at("B401", 1, "radius/tasks.py", title), Files(code.replace("telnetlib3", "telnetlib")))
    assert std and "B312 (telnetlib)" in std["evidence"]
    avatar = ("import hashlib\n\n\ndef avatar_of(user):\n    digest = hashlib.md5(user.email.encode()).hexdigest()\n"
              "    return 'https://www.gravatar.com/avatar/' + digest\n")
    hit = check_hash_use(bandit_at("B324", 5, "base/models.py", "Use of weak MD5 hash for security."), Files(avatar))
    assert hit and "Gravatar's image URL" in hit["evidence"] and "bucket or cache entry" not in hit["evidence"]


def test_a_pgtap_test_file_is_test_code():
    """mathesar's db/sql/test_sql_functions.sql (pgTAP; set 33, both labellers)."""
    from tasks.triage.report_signals import is_test_path

    assert is_test_path("db/sql/test_sql_functions.sql") and not is_test_path("db/sql/05_msar.sql")


def test_a_django_url_name_is_neither_redacted_nor_elided():
    """openwisp-radius: `reverse("radius:user_auth_token")` was a redaction marker in the prompt and
    `reverse("radius:accounting")` an ellipsis in the answer (round 38)."""
    import re

    from tasks.findings.secrets import plausible
    from tasks.triage.test_site import credential_elided

    line = '            url = reverse("radius:user_auth_token", args=[self.default_org.slug])'
    assert not plausible("radius:user_auth_token", line)
    assert plausible("admin:hunter2", 'AUTH = "admin:hunter2"')
    assert re.sub(r"(['\"])([^'\"\n]{13,})\1", credential_elided, 'r = reverse("radius:accounting")') == \
        'r = reverse("radius:accounting")'


def test_a_username_made_by_encoding_a_digest_is_a_name():
    """pontoon's social adapter: `user.username = smart_str(urlsafe_b64encode(sha1(smart_bytes(user.email)).digest())
    .rstrip(b"="))` (round 38's s2-03: answered as a real weakness)."""
    from tasks.triage.flow import check_hash_use

    code = ("import base64\nimport hashlib\n\n\nclass Adapter:\n    def save_user(self, user):\n"
            "        user.username = smart_str(\n            base64.urlsafe_b64encode(\n"
            "                hashlib.sha1(smart_bytes(user.email)).digest()\n            ).rstrip(b'=')\n        )\n"
            "        user.token = hmac_of(hashlib.sha1(smart_bytes(user.email)).digest())\n")
    f = semgrep_at("python.lang.security.insecure-hash-algorithms.insecure-hash-algorithm-sha1", "base/adapter.py", 9)
    f["title"] = "Detected SHA1 hash algorithm which is considered insecure."
    hit = check_hash_use(f, Files(code))
    assert hit and "sets user.username, a name for the data it digests" in hit["evidence"]
    g = dict(f, location={"path": "base/adapter.py", "start_line": 12, "end_line": 12})
    assert check_hash_use(g, Files(code)) is None  # a token made from the digest is no name
