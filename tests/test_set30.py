"""Checks from held-out set 30 (shynet, pinry, LibreTranslate, PowerDNS-Admin, terraform-aws-eventbridge), written
after its measurement, each with the neighbour that stays a finding."""

from __future__ import annotations

from test_triage_containers import Files, bandit_at, semgrep_at


_semgrep = semgrep_at


def test_a_message_that_begins_with_a_sql_verb_is_no_sql():
    """PowerDNS-Admin's domain.py:483 `History(msg='Delete zone {0}'.format(...))` (set 30, both labellers)."""
    from tasks.triage.sql_shape import check_sql_shape

    code = ("def delete(domain_name, current_user, db, log):\n"
            "    history = History(msg='Delete zone {0}'.format(domain_name), created_by=current_user.username)\n"
            "    log.info('Delete API key {0}'.format(domain_name))\n"
            "    db.execute('DELETE FROM domain WHERE name = {0}'.format(domain_name))\n"
            "    sql = 'Delete from records where id = ' + domain_name\n")
    rule = "python.django.security.injection.tainted-sql-string.tainted-sql-string"
    hit = check_sql_shape(_semgrep(rule, "app/routes/domain.py", 2), Files(code))
    assert hit and hit["evidence"].startswith("not SQL: the string at app/routes/domain.py:2, 'Delete zone {0}', only begins")
    assert "passed to `History()`" in hit["evidence"]
    assert "passed to `log.info()`" in check_sql_shape(_semgrep(rule, "app/routes/domain.py", 3), Files(code))["evidence"]
    assert check_sql_shape(_semgrep(rule, "app/routes/domain.py", 4), Files(code)) is None  # DELETE FROM: SQL
    assert check_sql_shape(_semgrep(rule, "app/routes/domain.py", 5), Files(code)) is None


def test_random_in_a_demo_management_command_makes_sample_data():
    """shynet's core/management/commands/demo.py (set 30, both labellers: fake demo traffic)."""
    from tasks.triage.paths import check_demo_data
    from tasks.findings.model import as_finding

    hit = check_demo_data(as_finding(bandit_at("B311", 91, "shynet/core/management/commands/demo.py")))
    assert hit and "is a demo-data generator" in hit["evidence"]
    assert check_demo_data(as_finding(bandit_at("B311", 91, "shynet/core/management/commands/rotate_keys.py"))) is None


def test_md5_for_gravatar_an_upload_path_and_a_prefixed_cache_key_is_no_security_use():
    """pinry's users/models.py:21 gravatar, django_images/models.py:19 hashed_upload_to, LibreTranslate's cache.py:26."""
    from tasks.triage.flow import check_hash_use

    code = ("import hashlib\n\n\nclass User:\n    @property\n    def gravatar(self):\n"
            "        return hashlib.md5(self.email.encode('utf-8')).hexdigest()\n\n\n"
            "def hashed_upload_to(instance, filename):\n    hasher = hashlib.md5()\n    return hasher.hexdigest()\n\n\n"
            "def hit(text):\n    cache_key = 'tcache_' + hashlib.md5(text.encode('utf-8')).hexdigest()\n    return cache_key\n\n\n"
            "def check(password):\n    return hashlib.md5(password.encode()).hexdigest()\n")
    repo = Files(code)

    def at(line, snippet=None):
        return bandit_at("B324", line, "app/models.py", "Use of weak MD5 hash for security.") | (
            {"snippet": snippet} if snippet else {})
    assert "for Gravatar's image URL" in check_hash_use(at(7), repo)["evidence"]
    assert "content-addressed path" in check_hash_use(at(11), repo)["evidence"]
    key = check_hash_use(at(16, "    cache_key = 'tcache_' + hashlib.md5(text.encode('utf-8')).hexdigest()\n"), repo)
    assert key and "computes cache_key" in key["evidence"]
    assert check_hash_use(at(21), repo) is None


def test_a_django_apps_tests_module_and_an_example_compose_file_are_named_for_what_they_are():
    """pinry's users/tests.py (a fixture password) and docker-compose.example.yml (set 30, both labellers)."""
    from tasks.triage.context import path_class
    from tasks.triage.report_signals import is_test_path

    assert is_test_path("users/tests.py") and not is_test_path("users/contests.py")
    assert path_class("docker-compose.example.yml") == "example" and path_class(".env.sample") == "example"
    assert path_class("docker-compose.yml") is None and path_class("app/examples.py") is None


def test_a_key_whose_comment_says_it_is_public_on_purpose():
    """shynet's Dockerfile:23 MAXMIND_LICENSE_KEY_BASE64, below "This (encoded) license key is intened to be public"."""
    from tasks.triage.secret_use import check_demo_key_comment

    text = ("FROM python:3.11\n# MaxMind scans GitHub for exposed license keys. This\n"
            "# (encoded) license key is intened to be public; it is not configured with any\n# billing.\n"
            'ARG MAXMIND_LICENSE_KEY_BASE64="Z2tySDgwX1htSEtmS3d4cDB1SnlMWTdmZ1hMMTQxNzRTQ2o5X21taw=="\n'
            "RUN true\n# the deploy key\nARG DEPLOY_KEY_BASE64=\"Z2tySDgwX1htSEtmS3d4cDB1SnlMWTdmZ1hMMTQxNzRTQ2o5X21taw==\"\n")
    f = _semgrep("generic.secrets.security.detected-generic-secret", "Dockerfile", 5) | {"kind": "secret"}
    hit = check_demo_key_comment(f, Files(text))
    assert hit and hit["evidence"].startswith("a key published on purpose: the comment above Dockerfile:5 says so (line 3:")
    assert check_demo_key_comment(f | {"location": {"path": "Dockerfile", "start_line": 8, "end_line": 8}}, Files(text)) is None


def test_an_image_its_compose_file_runs_as_another_user():
    """pinry's Dockerfile (no CMD, no USER) run by docker-compose.example.yml with `user: ${CURRENT_UID}` (set 30's
    audit: it had been called a base image other images build FROM)."""
    from tasks.triage.server_image import check_server_image

    dockerfile = "FROM python:3.7-stretch\nWORKDIR /app\nCOPY . /app\nRUN pip install poetry\n"
    compose = ("services:\n  web:\n    image: development\n    build: .\n    command: gunicorn app:app\n"
               "    user: ${CURRENT_UID}\n")
    f = {"id": "9" * 32, "tool": "checkov", "kind": "config", "severity": "low", "rule_id": "CKV_DOCKER_3",
         "title": "Ensure that a user for the container has been created", "description": "d",
         "location": {"path": "Dockerfile", "start_line": 1, "end_line": 4}}
    hit = check_server_image(f, Files({"Dockerfile": dockerfile, "docker-compose.example.yml": compose}))
    assert hit and "docker-compose.example.yml builds Dockerfile for service `web` and sets `user: ${CURRENT_UID}`" in hit["evidence"]
    rootful = compose.replace("    user: ${CURRENT_UID}\n", "")
    assert check_server_image(f, Files({"Dockerfile": dockerfile, "docker-compose.example.yml": rootful})) is None


def test_a_registry_module_in_an_example_with_a_version_range_is_left_to_the_example_reason():
    """terraform-aws-eventbridge examples/complete/main.tf:448 `source = "terraform-aws-modules/s3-bucket/aws"`,
    `version = "~> 5.0"` (set 30's audit: a range can move; the example path is the reason)."""
    from tasks.triage.iac_applicable import registry_module
    from tasks.findings.model import as_finding

    snippet = 'module "bucket" {\n  source  = "terraform-aws-modules/s3-bucket/aws"\n  version = "~> 5.0"\n}\n'
    f = {"id": "a" * 32, "tool": "checkov", "kind": "config", "severity": "low", "rule_id": "CKV_TF_1", "title": "t",
         "description": "d", "snippet": snippet, "location": {"path": "examples/complete/main.tf", "start_line": 1, "end_line": 4}}
    assert registry_module(as_finding(f)) is None
    assert registry_module(as_finding(f | {"location": {"path": "main.tf", "start_line": 1, "end_line": 4}}))
    pinned = f | {"snippet": snippet.replace("~> 5.0", "5.1.0")}
    assert "pinned by" in registry_module(as_finding(pinned))["evidence"]


def test_no_skip_for_an_openapi_paths_resource_and_no_bare_run_as_non_root():
    """Round 35's harmful rows: a `#checkov:skip=CKV_OPENAPI_21` on PowerDNS-Admin's `paths` resource silences every
    array of the API; semgrep's `runAsNonRoot: true` without runAsUser stops shynet's pod (USER appuser)."""
    from tasks.fixes.scanner_fixes import review
    from tasks.fixes.suppression import refused

    f = {"id": "b" * 32, "tool": "checkov", "kind": "config", "severity": "medium", "rule_id": "CKV_OPENAPI_21",
         "title": "Ensure that arrays have a maximum number of items", "location": {"path": "api/swagger-spec.yaml",
         "start_line": 48, "end_line": 48},
         "description": "Ensure that arrays have a maximum number of items (resource paths, framework openapi)"}
    rec = {"verdict": "false_positive", "reasons": [{"check": "code", "evidence": "the array is in a response schema"}]}
    assert "whole `paths` object as one resource" in refused(f, rec)
    other = f | {"description": "Ensure ... (resource definitions.Server, framework openapi)"}
    assert refused(other, rec) is None
    why, _ = review(None, ["    spec:"], ["    spec:", "      securityContext:", "        runAsNonRoot: true #:"],
                    "spec:\n  containers:\n  - name: web\n")
    assert why and "non-numeric user" in why
    assert review(None, ["    spec:"], ["      securityContext:", "        runAsNonRoot: true", "        runAsUser: 500"], "")[0] is None


def test_a_secret_skip_says_it_goes_on_the_line_above_and_a_named_ubuntu_image_is_not_alpine():
    """Round 35: LibreTranslate's k8s.yaml:10 CKV_SECRET_6 skip "inside the flagged resource" (it works only on the line
    above the secret); nvidia/cuda:12.4.1-runtime-ubuntu22.04 "may be Alpine-based"."""
    from tasks.fixes.checkov_facts import adduser
    from tasks.fixes.suppression import suppression_place

    f = {"id": "c" * 32, "tool": "checkov", "kind": "secret", "severity": "medium", "rule_id": "CKV_SECRET_6",
         "title": "Base64 High Entropy String", "location": {"path": "k8s.yaml", "start_line": 10, "end_line": 10},
         "description": "Base64 High Entropy String (resource 9461d3bf, framework secrets)"}
    rec = {"verdict": "false_positive", "reasons": [{"check": "secret", "evidence": "not a credential: a placeholder"}]}
    assert suppression_place(f, rec).startswith("on the line directly above line 10 of k8s.yaml")
    assert "Alpine" not in adduser("nvidia/cuda:12.4.1-runtime-ubuntu22.04")[1]
    assert "Alpine" in adduser("caddy:2")[1]


def test_the_repositorys_own_image_built_in_docker_folder_names_its_user():
    """LibreTranslate's k8s.yaml runs libretranslate/libretranslate:latest, built by docker/Dockerfile with `USER
    libretranslate` (UID 1032); round 35's row set runAsUser 10001, which breaks the image's own files."""
    from tasks.triage.built_images import built_by

    files = {"docker/Dockerfile": "FROM python:3.11-slim AS builder\nRUN true\nFROM python:3.11-slim\n"
                                  "RUN adduser --system --uid 1032 libretranslate\nUSER libretranslate\n",
             "docker/cuda.Dockerfile": "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n", "k8s.yaml": "kind: Deployment\n"}
    read = lambda p: files[p].splitlines(True)  # noqa: E731
    built = built_by("libretranslate/libretranslate:latest", sorted(files), read, "LibreTranslate+LibreTranslate")
    assert built and built["dockerfile"] == "docker/Dockerfile" and built["user"] == "libretranslate"
    assert built_by("libretranslate/libretranslate:latest", sorted(files), read, "other+project") is None


def test_safe_string_of_arrows_and_a_rounded_percentage_holds_no_markup_from_outside():
    """shynet's templatetags/helpers.py:97 `SafeString(direction + pct_change)` (set 30, both labellers)."""
    from tasks.triage.escaped_py import escaped_sink

    code = ('from django.utils.safestring import SafeString\n\n\ndef pct(start, end):\n'
            '    if start == end:\n        direction = "&Delta; "\n    else:\n'
            '        direction = "&uarr; " if end > start else "&darr; "\n'
            '    if start == 0:\n        pct_change = "0%"\n    else:\n'
            '        change = int(round(100 * abs(end - start) / max(start, 1)))\n        pct_change = str(change) + "%"\n'
            '    return SafeString(direction + pct_change)\n\n\ndef label(name):\n'
            '    text = "<b>" if name else "<i>"\n    text = text + name\n    return SafeString(text)\n')
    hit = escaped_sink(code, 14, "B703")
    assert hit and "`direction`, bound 2 times, only to literals or numbers" in hit["evidence"]
    assert escaped_sink(code, 20, "B703") is None  # the parameter goes in


def test_a_dockerfile_skip_says_it_covers_the_whole_file():
    """Round 35: pinry's Dockerfile.autobuild ADD skip said "inside the flagged resource"; checkov skips every ADD."""
    from tasks.fixes.suppression import suppression_place

    f = {"id": "d" * 32, "tool": "checkov", "kind": "config", "severity": "low", "rule_id": "CKV_DOCKER_4",
         "title": "Ensure that COPY is used instead of ADD in Dockerfiles", "location": {"path": "Dockerfile", "start_line": 73,
         "end_line": 73}, "description": "Ensure that COPY is used instead of ADD (resource Dockerfile.ADD, framework dockerfile)"}
    rec = {"verdict": "false_positive", "reasons": [{"check": "code", "evidence": "a local file"}]}
    assert suppression_place(f, rec).startswith("anywhere in the Dockerfile: checkov applies")


def test_a_workflow_whose_jobs_set_their_own_permissions_is_not_told_both_keep_and_change():
    """Round 35's s1-02: "Do not change .github/workflows/issue-triage.yml: record ..., with an empty top-level
    `permissions: {}` block" read as a contradiction."""
    from tasks.datasets.rows import false_positive_analysis

    rec = {"verdict": "false_positive", "reasons": [{"check": "code", "evidence": "every job sets its own token permissions"}]}
    place = "with an empty top-level `permissions: {}` block (Checkov ignores a skip comment for this check)"
    text = false_positive_analysis({}, rec, place, ".github/workflows/issue-triage.yml")
    assert "Do not change" not in text and "add an empty top-level `permissions: {}` block to .github/workflows/issue-triage.yml" in text
    assert "Do not change app.py: record" in false_positive_analysis({}, rec, "on the flagged line", "app.py")
