"""Round 64's unclean rows (django-extensions, django-haystack, django-compressor, terraform-aws-elasticsearch held
out): each mend beside the neighbour that stays as it was."""

from __future__ import annotations

from test_set57 import _judged


def test_a_registry_module_is_no_longer_called_outside_the_rule(tmp_path):
    """CKV_TF_1 fails registry modules on purpose (round 64's grader: "not applicable to a registry module" is a wrong
    fact); the reason now says what a registry address can carry and what a hash adds."""
    code = 'module "vpc" {\n  source  = "cloudposse/vpc/aws"\n  version = "2.2.0"\n}\n'
    rec, said = _judged(tmp_path, {"modules/main.tf": code}, "checkov", "CKV_TF_1",
                        "Ensure Terraform module sources use a commit hash", "modules/main.tf", 1, 4)
    assert "not applicable to a registry module" not in said
    assert "CKV_TF_1 asks for a commit hash, which a registry address cannot carry" in said, said


def test_a_weak_hash_used_as_a_name_says_when_collisions_matter(tmp_path):
    """django-compressor's cache key (round 64's grader: "a cache key does rely on collision resistance"): the
    reason says a collision matters only when an outsider chooses the digested text, and names usedforsecurity."""
    code = ("import hashlib\n\n\ndef get_precompiler_cachekey(command, contents):\n"
            "    return hashlib.sha1(('precompiler.%s.%s' % (command, contents)).encode()).hexdigest()\n")
    rec, said = _judged(tmp_path, {"compressor/cache.py": code}, "bandit", "B324",
                        "Use of weak SHA1 hash for security.", "compressor/cache.py", 5, 5)
    assert rec["verdict"] == "false_positive"
    assert "needs no collision resistance" not in said
    assert "matters to an identifier only when someone outside chooses the digested text" in said, said
    assert "`usedforsecurity=False`" in said


def test_the_package_list_says_how_many_packages_not_the_first_four(tmp_path):
    """django-haystack's pyproject lists six packages; the row said it "lists the packages" and named four (both
    graders: a wrong fact)."""
    from tasks.triage.report_signals import is_test_path

    pyproject = ('[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
                 '[tool.setuptools]\npackages = ["haystack", "haystack.backends", "haystack.management",\n'
                 '  "haystack.management.commands", "haystack.templatetags", "haystack.utils"]\n')
    code = ("from django.contrib.auth.models import User\n\n\nclass T:\n    def setUp(self):\n"
            "        superuser = User.objects.create_superuser(\n"
            '            username="superuser", password="password", email="super@user.com"\n        )\n')
    assert is_test_path("test_haystack/solr_tests/test_admin.py")  # a test_<name>/ folder is the test suite
    rec, said = _judged(tmp_path, {"pyproject.toml": pyproject, "haystack/__init__.py": "",
                                   "test_haystack/solr_tests/test_admin.py": code}, "bandit", "B106",
                        "Possible hardcoded password: 'password'", "test_haystack/solr_tests/test_admin.py", 7, 7)
    assert rec["verdict"] == "false_positive"
    assert "pyproject.toml lists 6 packages, all inside `haystack`" in said, said
    assert "never read" not in said  # the user the call creates is what the tests log in as
    assert "the flagged value is `password=` of `User.objects.create_superuser()` (line 6, in setUp())" in said, said


def test_a_weak_hash_in_a_test_helper_is_named_with_its_docstring(tmp_path):
    """django-haystack's test_haystack/core/custom_identifier.py: the row called its MD5 a true positive (the folder
    was not read as tests); the helper's docstring says what it is for."""
    code = ('import hashlib\n\n\ndef get_identifier_method(key):\n'
            '    """Custom get_identifier method used for testing the setting HAYSTACK_IDENTIFIER_MODULE."""\n'
            '    return hashlib.md5(key.encode()).hexdigest()\n')
    rec, said = _judged(tmp_path, {"test_haystack/core/custom_identifier.py": code}, "bandit", "B324",
                        "Use of weak MD5 hash for security.", "test_haystack/core/custom_identifier.py", 6, 6)
    assert rec["verdict"] == "false_positive"
    assert 'described as "Custom get_identifier method used for testing the setting HAYSTACK_IDENTIFIER_MODULE."' \
        in said, said


def test_defusedxml_advice_states_its_defaults_and_no_provenance_note():
    """round 64's grader: defusedxml's parse does not forbid a DTD by default (forbid_dtd=False), and "(set 55)" at
    the end of the advice was the pipeline's own note; the lint now quarantines such a note."""
    from tasks.datasets.checks import MARKERS
    from tasks.fixes.line_fit import _REQUIREMENT

    assert "(set" not in _REQUIREMENT and "DTDForbidden" not in _REQUIREMENT
    assert "a DTD alone still parses unless `forbid_dtd=True`" in _REQUIREMENT
    assert MARKERS.search("the caller stops (set 55).") and MARKERS.search("(round 30: shynet's image)")
    assert not MARKERS.search("(settings 5)") and not MARKERS.search("a set 5 of rows")


def test_an_invariant_assert_names_the_caller_that_already_checks_it(tmp_path):
    """django-storages' `_create_empty_on_close` asserts `"w" in self._mode` and `self._raw_bytes_written == 0`; its
    only caller, close(), calls it only under `if "w" in self._mode and self._raw_bytes_written == 0:` (round 64's
    graders: the stock invariant sentence missed it).  A caller without the guard leaves the sentence as it was."""
    from tasks.triage.assert_use import check_assert_use
    from test_round45_rows import _repo
    from test_triage_hygiene import finding

    code = ('class S3File:\n    def _create_empty_on_close(self):\n        assert "w" in self._mode\n'
            '        self.obj.put(Body=b"")\n\n    def close(self):\n'
            '        if "w" in self._mode and self._raw_bytes_written == 0:\n            self._create_empty_on_close()\n')

    def said(text, tmp):
        reader = _repo(tmp, {"storages/backends/s3.py": text}).reader
        return check_assert_use(finding(tool="bandit", rule_id="B101", title="Use of assert detected.",
                                        location={"path": "storages/backends/s3.py", "start_line": 3, "end_line": 3}),
                                reader)["evidence"]

    assert ("its only caller, close() (line 8), makes the call only when `'w' in self._mode` holds, so the assert "
            "restates a check already made") in said(code, tmp_path / "a")
    unguarded = code.replace('        if "w" in self._mode and self._raw_bytes_written == 0:\n            self.',
                             '        self.')
    assert "its only caller" not in said(unguarded, tmp_path / "b")


def test_the_new_evidence_paths_quote_no_secret(tmp_path):
    """A helper's attack on this session's new evidence text (docstring lead, signed pickle's key, a rendered call, a
    declared Content-Type, `pass` as a verb) reproduced values in clear and one password hidden behind
    `pass_through=`: each now leaves the value out or the finding as it was."""
    import ast

    from tasks.triage.http_content_type import check_content_type
    from tasks.triage.escaped_py import escaped_sink
    from tasks.triage.test_site import docstring_lead
    from test_round45_rows import _repo
    from test_triage_hygiene import finding

    for doc in ("Logs in with the shared staging password s3cr3t!Pw#42 and checks the dashboard.",
                "Uses the CI bot token 3f2a9c1e8b7d6f5a4c3b2a1908f7e6d5c4b3a291 to call the staging API.",
                "Runs against the database at postgres://admin:Vq7#m2X@db.prod.internal/app on CI.",
                "Uses kXqLmZwRvBtYpQnJ as the key."):
        assert docstring_lead(ast.parse(f'def f():\n    """{doc}"""\n').body[0], code=True) is None, doc
    pickled = ("import os\nimport pickle\n\nfrom django.core import signing\n\n\nclass PickleSerializer:\n"
               "    def loads(self, data):\n        return pickle.loads(data)\n\n\n"
               "def load(obj):\n    return signing.loads(obj, key=os.environ.get('K', 'Vq7Rm2Xk9Lp4Tz8N'), "
               "serializer=PickleSerializer)\n")
    rec, said = _judged(tmp_path / "a", {"app/signing_util.py": pickled}, "bandit", "B301",
                        "Pickle and modules that wrap it can be unsafe", "app/signing_util.py", 9, 9)
    assert "Vq7Rm2Xk9Lp4Tz8N" not in said and "signed data only" not in said, said
    widget = ("from django.utils.safestring import mark_safe\n\n\n"
              "def w(context):\n    return mark_safe(SaasTemplates('Vq7Rm2Xk9Lp4Tz8N').render_to_string('w.html', context))\n")
    assert escaped_sink(widget, 5, "B308") is None  # any object's render_to_string is not Django's engine
    views = ('from django.http import HttpResponse\n\n\ndef v(request):\n    return HttpResponse(request.GET["q"], '
             'content_type="application/json; x-api-key=Vq7Rm2Xk9Lp4Tz8N")\n')
    reader = _repo(tmp_path / "b", {"app/views.py": views}).reader
    hit = check_content_type(finding(rule_id="python.django.security.audit.xss.direct-use-of-httpresponse",
                                     location={"path": "app/views.py", "start_line": 5, "end_line": 5}), reader)
    assert hit is None or "Vq7Rm2Xk9Lp4Tz8N" not in hit["evidence"]
    hidden = ('def connect():\n    return psycopg2.connect(host="db.internal", pass_through="on",\n'
              '                            password="Vq7Rm2Xk9Lp4Tz8N")\n')
    rec, said = _judged(tmp_path / "c", {"app/client.py": hidden}, "bandit", "B106",
                        "Possible hardcoded password: 'on'", "app/client.py", 2, 2)
    assert "`pass` is the verb" not in said, said
    valued = 'client.call("/v1/report", pass_params="api_key=Vq7Rm2Xk9Lp4Tz8N")\n'
    rec, said = _judged(tmp_path / "d", {"app/report.py": valued}, "bandit", "B106",
                        "Possible hardcoded password: 'api_key=Vq7Rm2Xk9Lp4Tz8N'", "app/report.py", 1, 1)
    assert "`pass` is the verb" not in said, said


def test_a_digest_assigned_to_a_narrow_model_field_refuses_the_sha256_autofix():
    """django-simple-captcha's `self.hashkey = hashlib.sha1(key_).hexdigest()` with `hashkey =
    models.CharField(max_length=40, unique=True)` (round 65's harmful row: Semgrep's SHA-256 fix no longer fits the
    column on PostgreSQL); a field wide enough keeps the fix."""
    from tasks.fixes.scanner_fixes import narrow_field

    text = ("class CaptchaStore(models.Model):\n    hashkey = models.CharField(blank=False, max_length=40, unique=True)\n\n"
            "    def save(self, *args, **kwargs):\n        self.hashkey = hashlib.sha1(key_).hexdigest()\n")
    removed = ["        self.hashkey = hashlib.sha1(key_).hexdigest()"]
    said = narrow_field(removed, text)
    assert said and "`hashkey` (line 2: CharField(max_length=40))" in said and "migration" in said, said
    assert narrow_field(removed, text.replace("max_length=40", "max_length=64")) is None


def test_a_workflow_with_job_level_permissions_is_not_said_to_have_none(tmp_path):
    """Rounds 64-66's graders: "`.github/workflows/release.yml` has no permissions block" where a job's own block is
    the flagged line.  One job with its own block: the others get the default token, and the row says which; every job
    with its own: no job runs with the default token."""
    partly = ("on:\n  push:\n    tags: ['v*']\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
              "      - run: make\n  release:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n"
              "      id-token: write\n    steps:\n      - run: make release\n")
    rec, said = _judged(tmp_path / "a", {".github/workflows/release.yml": partly}, "checkov", "CKV2_GHA_1",
                        "Ensure top-level permissions are not set to write-all", ".github/workflows/release.yml", 1, 15)
    assert "has no permissions block" not in said
    assert "has no top-level permissions block (only job release declares its own)" in said, said
    full = partly.replace("    steps:\n      - run: make\n", "    permissions: {}\n    steps:\n      - run: make\n", 1)
    rec, said = _judged(tmp_path / "b", {".github/workflows/release.yml": full}, "checkov", "CKV2_GHA_1",
                        "Ensure top-level permissions are not set to write-all", ".github/workflows/release.yml", 1, 16)
    assert rec["verdict"] == "false_positive"
    assert "each of its 2 jobs declares its own" in said, said  # workflows.check_job_permissions


def test_a_test_package_counts_at_the_root_only():
    """django-haystack's test_haystack/ is its test suite; set 51's deploy/test_case_rsync/Dockerfile is a deployment
    both labellers called a true positive, and a nested `test_<name>` folder stays what its parents say."""
    from tasks.triage.report_signals import is_test_path

    assert is_test_path("test_haystack/x.py") and is_test_path("test_haystack/core/custom_identifier.py")
    assert not is_test_path("deploy/test_case_rsync/Dockerfile")
