"""Checks from held-out set 36's remaining harmful rows (round 41) and from set 37 (woodpecker,
terraform-aws-appsync, securedrop, outline, karrio), written after their measurement, each with the neighbour that
stays."""

from __future__ import annotations

from fixes_helpers import finding

from tasks.fixes import fix_for

MODEL = '''class Attachment(models.Model):
    md5 = models.CharField(max_length=32, unique=True)
    original_filename = models.CharField(
        max_length=255,
        unique=False,
    )

    @classmethod
    def get_md5_sum(cls, file):
        file.seek(0)
        md5 = hashlib.md5(file.read()).hexdigest()
        file.seek(0)
        return md5
'''


def _md5(text: str, line: int):
    f = finding("code", "semgrep", "python.lang.security.insecure-hash-algorithms.insecure-hash-algorithm-md5",
                path="src/ralph/attachments/models.py", start=line, snippet=text.splitlines()[line - 1], cwe=["CWE-327"])
    return fix_for(f, ["CWE-327"], {"path": "src/ralph/attachments/models.py", "text": text, "start_line": 1, "file": text})


def test_a_digest_stored_in_a_unique_field_is_an_identity_not_a_cache_key():
    """Round 41's harmful stage-2 row: ralph's Attachment.md5 (unique=True) is looked up to reuse a stored file, and the
    row passed usedforsecurity=False (a collision lets one upload stand in for another). A unique stored digest is the
    content's identity: SHA-256 with a data migration, and no one-line diff (every stored digest changes)."""
    answer, _, meta = _md5(MODEL, 11)
    assert meta["fix_family"] == "weak-hash-identity" and not meta["has_diff"]
    assert "`md5` (line 2) is a unique model field" in answer and "usedforsecurity=False` would hide" in answer
    assert "data migration" in answer and "sha256" in answer
    # the neighbours: the same digest in a field that is not unique keeps the answer that names both uses, and a
    # cache key beside an unrelated unique field keeps its usedforsecurity=False diff
    plain = MODEL.replace("max_length=32, unique=True", "max_length=32, db_index=True")
    answer, _, meta = _md5(plain, 11)
    assert meta["fix_family"] == "weak-hash" and "unique model field" not in answer
    cache = MODEL.replace("md5 = hashlib.md5(file.read())", "cache_key = hashlib.md5(file.read())")
    answer, _, meta = _md5(cache, 11)
    assert meta["fix_family"] == "weak-hash-not-security" and meta["has_diff"] and "usedforsecurity=False" in answer


# --- set 37 (woodpecker, outline): triage -------------------------------------------------------------------------

def _judge(files: dict[str, str], f: dict) -> dict:
    from test_triage_containers import judge
    return judge(files, f)


def _checkov_secret(path: str, line: int) -> dict:
    """A Checkov secret as `--compact` reports it: no code block, a range ending a line past the secret."""
    from tasks.findings.parsers.checkov import parse
    report = {"check_type": "secrets", "summary": {"checkov_version": "3.3.30"}, "results": {"failed_checks": [
        {"check_id": "CKV_SECRET_6", "check_name": "Base64 High Entropy String", "file_path": f"/{path}",
         "repo_file_path": f"/{path}", "file_line_range": [line, line + 1], "code_block": None, "resource": "9b06afb6",
         "guideline": None}]}}
    return parse(report)[0] | {"id": "c" * 32}


def test_a_compact_checkov_secret_is_read_from_the_file_and_a_catalogue_entry_is_text():
    """Set 37: `checkov --compact` leaves the code out, so woodpecker's and outline's locale entries ("password":
    "Wachtwoord") were judged on nothing and kept; the line is now the secret's own and the value is read from the
    file. The neighbour: a real-looking key in a config file beside it stays."""
    f = _checkov_secret("web/src/assets/locales/nl.json", 3)
    assert f["location"]["start_line"] == f["location"]["end_line"] == 3 and f["snippet"] is None
    nl = '{\n  "org_level_secret": "Organisatiegeheim",\n  "password": "Wachtwoord",\n  "pipeline_feed": "Pipeline feed"\n}\n'
    out = _judge({"web/src/assets/locales/nl.json": nl}, f)
    assert out["verdict"] == "false_positive" and "`password` is an entry of the translation catalogue" in out["reasons"][0]["evidence"]
    g = _checkov_secret("config/settings.json", 3)
    conf = '{\n  "name": "svc",\n  "api_token": "Zx8uQ2mVb7LpR4tYk9WcN3sHd6Fj1Ga5",\n  "region": "eu"\n}\n'
    out = _judge({"config/settings.json": conf}, g)
    assert out["verdict"] != "false_positive" and "Zx8uQ2mV" not in str(out)


GO_MOD = "module example.org/ci\n\ngo {v}\n\nrequire (\n)\n"
SERVER = ('package main\n\nimport (\n\t"crypto/tls"\n\t"net/http"\n)\n\nfunc serve(h http.Handler) *http.Server {\n'
          '\treturn &http.Server{\n\t\tHandler: h,\n\t\tTLSConfig: &tls.Config{\n\t\t\tNextProtos: []string{"h2"},\n\t\t},\n\t}\n}\n')


def test_a_tls_config_without_min_version_is_safe_by_default_from_go_1_22():
    """Woodpecker's go.mod says `go 1.26`: crypto/tls's default minimum is TLS 1.2 for servers since Go 1.22 (clients
    since 1.18), so a tls.Config without MinVersion accepts nothing older. The neighbours: go 1.21, and a go.mod that
    turns tls10server back on, keep the finding."""
    from test_triage_containers import semgrep_at
    f = semgrep_at("go.lang.security.audit.crypto.missing-ssl-minversion.missing-ssl-minversion", "cmd/server/server.go", 11)
    out = _judge({"go.mod": GO_MOD.format(v="1.26.0"), "cmd/server/server.go": SERVER}, f)
    assert out["verdict"] == "false_positive" and "go.mod says `go 1.26`" in out["reasons"][0]["evidence"]
    assert _judge({"go.mod": GO_MOD.format(v="1.21"), "cmd/server/server.go": SERVER}, f)["verdict"] != "false_positive"
    godebug = GO_MOD.format(v="1.26.0") + "godebug tls10server=1\n"
    assert _judge({"go.mod": godebug, "cmd/server/server.go": SERVER}, f)["verdict"] != "false_positive"


STATUS = ('package common\n\nimport (\n\t"bytes"\n\t"text/template"\n)\n\nfunc Context(format string) string {\n'
          '\ttmpl, _ := template.New("context").Parse(format)\n\tvar ctx bytes.Buffer\n\t_ = tmpl.Execute(&ctx, nil)\n'
          '\treturn ctx.String()\n}\n')


def test_text_template_that_renders_no_page_is_not_an_xss():
    """woodpecker's commit-status context and CLI output use text/template; no net/http, no ResponseWriter, no HTML
    tag: HTML escaping would change nothing. The neighbour: a handler that writes the template to the response."""
    from test_triage_containers import semgrep_at
    f = semgrep_at("go.lang.security.audit.xss.import-text-template.import-text-template", "server/common/status.go", 5)
    out = _judge({"server/common/status.go": STATUS}, f)
    assert out["verdict"] == "false_positive" and "executes into `&ctx`" in out["reasons"][0]["evidence"]
    web = STATUS.replace('"bytes"\n', '"bytes"\n\t"net/http"\n').replace("func Context(format string) string {",
                                                                         "func Page(w http.ResponseWriter, format string) string {")
    assert _judge({"server/common/status.go": web}, f)["verdict"] != "false_positive"


COOKIES = ('package httputil\n\nimport "net/http"\n\nfunc Set(w http.ResponseWriter, r *http.Request, v string) {\n'
           '\tcookie := http.Cookie{\n\t\tName:     "user_sess",\n\t\tValue:    v,\n\t\tHttpOnly: true,\n'
           '\t\tSecure:   IsHTTPS(r),\n\t}\n\thttp.SetCookie(w, &cookie)\n}\n\n'
           'func Del(w http.ResponseWriter, r *http.Request) {\n\tcookie := http.Cookie{\n\t\tName:   "user_sess",\n'
           '\t\tValue:  "deleted",\n\t\tMaxAge: -1,\n\t}\n\thttp.SetCookie(w, &cookie)\n}\n')


def test_a_deletion_cookie_and_a_cookie_secure_on_https_are_not_findings():
    from test_triage_containers import semgrep_at
    secure = semgrep_at("go.lang.security.audit.net.cookie-missing-secure.cookie-missing-secure", "shared/httputil.go", 6, 11)
    out = _judge({"shared/httputil.go": COOKIES}, secure)
    assert out["verdict"] == "false_positive" and "`Secure: IsHTTPS(r)`" in out["reasons"][0]["evidence"]
    httponly = semgrep_at("go.lang.security.audit.net.cookie-missing-httponly.cookie-missing-httponly", "shared/httputil.go", 16, 20)
    out = _judge({"shared/httputil.go": COOKIES}, httponly)
    assert out["verdict"] == "false_positive" and "`MaxAge: -1`" in out["reasons"][0]["evidence"]
    # the neighbour: a session cookie with Secure: false, and one that is set to live
    plain = COOKIES.replace("IsHTTPS(r)", "false")
    assert _judge({"shared/httputil.go": plain}, secure)["verdict"] != "false_positive"
    live = COOKIES.replace("MaxAge: -1", "MaxAge: 3600")
    assert _judge({"shared/httputil.go": live}, httponly)["verdict"] != "false_positive"


def test_generated_go_code_is_the_generators_unsafe_call():
    from test_triage_containers import semgrep_at
    pb = ("// Copyright 2021 Woodpecker Authors\n\n// Code generated by protoc-gen-go. DO NOT EDIT.\n\npackage proto\n\n"
          'import "unsafe"\n\nfunc raw() []byte { return unsafe.Slice(unsafe.StringData(desc), len(desc)) }\n')
    f = semgrep_at("go.lang.security.audit.unsafe.use-of-unsafe-block", "rpc/proto/ci.pb.go", 9)
    out = _judge({"rpc/proto/ci.pb.go": pb}, f)
    assert out["verdict"] == "false_positive" and "protoc-gen-go" in out["reasons"][0]["evidence"]
    hand = pb.replace("// Code generated by protoc-gen-go. DO NOT EDIT.\n", "")
    assert _judge({"rpc/proto/ci.pb.go": hand}, f)["verdict"] != "false_positive"


CSV = ('import { escapeRegExp } from "es-toolkit/compat";\n\nexport function count(line: string, sep: string) {\n'
       '  return (line.match(new RegExp(escapeRegExp(sep), "g")) || []).length;\n}\n'
       'export function origin(o: string) {\n  return new RegExp(`^${escapeRegExp(o)}`);\n}\n'
       'export function raw(o: string) {\n  return new RegExp(`^${o}$`);\n}\n')


def test_a_regexp_built_from_escaped_input_matches_it_literally():
    """outline's new RegExp(escapeRegExp(x)) (es-toolkit) in three files: no regex syntax from the input. The
    neighbours: an unescaped template, and an escapeRegExp of the file's own that does not escape."""
    from test_triage_containers import semgrep_at
    rule = "javascript.lang.security.audit.detect-non-literal-regexp.detect-non-literal-regexp"
    for line in (4, 7):
        out = _judge({"server/csv.ts": CSV}, semgrep_at(rule, "server/csv.ts", line))
        assert out["verdict"] == "false_positive" and "`escapeRegExp` imported from es-toolkit/compat" in out["reasons"][0]["evidence"]
    assert _judge({"server/csv.ts": CSV}, semgrep_at(rule, "server/csv.ts", 10))["verdict"] != "false_positive"
    own = CSV.replace('import { escapeRegExp } from "es-toolkit/compat";', "const escapeRegExp = (s: string) => s.trim();")
    assert _judge({"server/csv.ts": own}, semgrep_at(rule, "server/csv.ts", 4))["verdict"] != "false_positive"
    real = CSV.replace('import { escapeRegExp } from "es-toolkit/compat";',
                       "function escapeRegExp(s: string) {\n  return s.replace(/[.*+?^${}()|[\\]\\\\]/g, \"\\\\$&\");\n}")
    out = _judge({"server/csv.ts": real}, semgrep_at(rule, "server/csv.ts", 6))
    assert out["verdict"] == "false_positive" and "defined in this file" in out["reasons"][0]["evidence"]


def test_gitpod_compose_and_dotenv_test_are_not_deployed():
    from test_triage_containers import semgrep_at
    f = semgrep_at("yaml.docker-compose.security.no-new-privileges.no-new-privileges", "docker-compose.gitpod.yaml", 5)
    out = _judge({"docker-compose.gitpod.yaml": "services:\n  gitea:\n    image: gitea/gitea\n"}, f)
    assert out["verdict"] == "false_positive" and "Gitpod" in out["reasons"][0]["evidence"]
    assert _judge({"docker-compose.prod.yaml": "services: {}\n"}, f | {"location": {"path": "docker-compose.prod.yaml",
                  "start_line": 5, "end_line": 5}})["verdict"] != "false_positive"
    from tasks.triage.report_signals import is_test_path
    assert is_test_path(".env.test") and is_test_path("app/.env.testing") and not is_test_path(".env.production")


def test_an_oauth_client_id_is_public_and_its_secret_is_not():
    """woodpecker's docs: WOODPECKER_GITLAB_CLIENT=95c0282573633eb25e82 is the OAuth application id (public, in every
    authorization URL); WOODPECKER_GITLAB_SECRET beside it stays."""
    from test_triage_containers import semgrep_at
    doc = ("```ini\nWOODPECKER_GITLAB=true\nWOODPECKER_GITLAB_CLIENT=95c0282573633eb25e82\n"
           "WOODPECKER_GITLAB_SECRET=zQ3fV8pL2mR7tK9wX4cB6nH1jD5sG0aY\n```\n")
    f = semgrep_at("generic.secrets.gitleaks.generic-api-key.generic-api-key", "deploy/gitlab.env", 3)
    out = _judge({"deploy/gitlab.env": doc}, f)
    assert out["verdict"] == "false_positive" and "`WOODPECKER_GITLAB_CLIENT`" in out["reasons"][0]["evidence"]
    out = _judge({"deploy/gitlab.env": doc}, semgrep_at("generic.secrets.gitleaks.generic-api-key.generic-api-key",
                                                       "deploy/gitlab.env", 4))
    assert out["verdict"] != "false_positive"


def test_a_uuid_in_a_table_of_named_uuids_is_an_identifier():
    """outline's PasskeyBrand enum: forty providers mapped to public AAGUIDs, `ApplePasswords = "fbfc3007-..."`. The
    neighbour: a UUID held alone by a key name (Heroku's API keys are UUIDs) stays."""
    from test_triage_containers import semgrep_at
    brands = ["AliasVault", "Dashlane", "OnePassword", "NordPass", "Keeper", "ApplePasswords", "Bitwarden"]
    enum = "export enum PasskeyBrand {\n" + "".join(
        f'  {b} = "{i:08x}-154e-4ecc-8c0b-6e020557d7bd",\n' for i, b in enumerate(brands, 0xfbfc3001)) + "}\n"
    f = semgrep_at("generic.secrets.gitleaks.generic-api-key.generic-api-key", "shared/utils/passkeys.ts", 7)
    out = _judge({"shared/utils/passkeys.ts": enum}, f)
    assert out["verdict"] == "false_positive" and "one of 7 UUID-valued members of enum PasskeyBrand (line 1)" in out["reasons"][0]["evidence"]
    lone = 'const config = {\n  region: "eu",\n  herokuApiKey: "fbfc3007-154e-4ecc-8c0b-6e020557d7bd",\n};\n'
    out = _judge({"shared/config.ts": lone}, semgrep_at("generic.secrets.gitleaks.generic-api-key.generic-api-key",
                                                        "shared/config.ts", 3))
    assert out["verdict"] != "false_positive"


def test_a_private_key_match_over_header_only_dummies_learns_no_test_titles(tmp_path):
    """Set 37's stage-1 grade: outline's CloudFront test has header-only dummy keys ("-----BEGIN RSA PRIVATE KEY-----")
    and the private-key rule's match ran over 55 lines; every test title, `uploads/test.png` and the key-pair id was
    learnt and redacted. Only the lines of a whole key block hold key material: a real block's lines stay redacted."""
    import subprocess

    from tasks.repository.source import SourceReader

    body = "MIIEpAIBAAKCAQEAq7BFUPqNbm4z1Xq9Kx0Yw3Rc8TdJfLhG2sVnP5eUoA6iWmZyQk"
    test = ('it("signs with CloudFront", async () => {\n  env.KEY = "-----BEGIN RSA PRIVATE KEY-----";\n'
            '  await storage.getSignedUrl("uploads/test.png");\n});\n\n'
            'it("should fall back to S3 when signing fails", async () => {\n  env.KEY_PAIR_ID = "K2ABCDEF";\n'
            '  env.KEY = "-----BEGIN RSA PRIVATE KEY-----";\n});\n\n'
            'const real = "-----BEGIN RSA PRIVATE KEY-----\\n" +\n'
            f'  "{body}\\n" +\n  "-----END RSA PRIVATE KEY-----";\n')
    repo = tmp_path / "repo"
    (repo / "server").mkdir(parents=True)
    (repo / "server" / "s3.test.ts").write_text(test)
    subprocess.run(["git", "-C", str(repo), "init", "-q"], check=True)
    reader = SourceReader(repo)

    def learn(start, end):
        reader._known.clear()
        reader.learn_secrets([{"id": "7" * 32, "tool": "semgrep", "kind": "code", "severity": "low", "title": "t",
                               "rule_id": "generic.secrets.gitleaks.private-key.private-key", "description": "d",
                               "location": {"path": "server/s3.test.ts", "start_line": start, "end_line": end}}])
        return reader.known_secrets("server/s3.test.ts")

    dummies = learn(2, 8)
    assert not {"uploads/test.png", "K2ABCDEF", "should fall back to S3 when signing fails"} & dummies
    assert any(body in v for v in learn(11, 13))
    window = reader.window("server/s3.test.ts", None, 1, 13)[2]
    assert body not in window and "uploads/test.png" in window and "should fall back to S3" in window


def test_a_value_in_a_docs_sample_block_with_a_placeholder_host_is_an_illustration():
    """Round 42's stage-2 grade: woodpecker's GitLab page shows WOODPECKER_GITLAB_SECRET=30f5064039e6b359e075 in an ini
    block beside WOODPECKER_GITLAB_URL=http://gitlab.mycompany.com. The neighbours: the same block with a real host,
    and the same lines in a configuration file, keep the finding."""
    from test_triage_containers import semgrep_at
    page = ("# GitLab\n\nConfigure the server:\n\n```ini\nWOODPECKER_GITLAB=true\nWOODPECKER_GITLAB_URL=http://gitlab.mycompany.com\n"
            "WOODPECKER_GITLAB_SECRET=30f5064039e6b359e075\n```\n\nRegister the application first.\n")
    path = "docs/docs/forges/40-gitlab.md"
    f = semgrep_at("generic.secrets.gitleaks.generic-api-key.generic-api-key", path, 8)
    out = _judge({path: page}, f)
    assert out["verdict"] == "false_positive" and "points at `gitlab.mycompany.com`, a placeholder host" in out["reasons"][0]["evidence"]
    assert not any("shaped like" in r["evidence"] for r in out["reasons"])
    real = page.replace("gitlab.mycompany.com", "gitlab.woodpecker-ci.org")
    assert _judge({path: real}, f)["verdict"] != "false_positive"
    conf = "deploy/gitlab.env"  # a configuration file: no page, no sample block
    assert _judge({conf: page}, semgrep_at("generic.secrets.gitleaks.generic-api-key.generic-api-key", conf, 8))["verdict"] \
        != "false_positive"


def test_a_test_files_folder_is_test_data_and_a_jwt_rule_judges_the_token():
    """Round 42's stage-2 grades: woodpecker's server/store/datastore/migration/test-files/postgres.sql (the migration
    test's dump) holds users' tokens; the row rotated them, and judged `user2` (the login beside the token) as the
    flagged value. test-files/ is test data, and a JWT rule's value is the token."""
    from test_triage_containers import semgrep_at

    from tasks.triage.path_class import path_class
    assert path_class("server/store/datastore/migration/test-files/postgres.sql") == "fixture"
    assert path_class("server/store/datastore/migration/files/postgres.sql") is None
    row = ("INSERT INTO users VALUES (2, 'user2', 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyMiJ9."
           "example_token_user2');\n")
    out = _judge({"db/seed.sql": row}, semgrep_at("generic.secrets.security.detected-jwt-token.detected-jwt-token",
                                                  "db/seed.sql", 1))
    assert "a word followed by digits" not in str(out["reasons"])


def test_ansible_molecule_and_testinfra_folders_are_tests():
    """Round 42: securedrop's molecule/testinfra/vars/qubes-staging.yml (`sasl_password: "password123"`, the staging
    VMs' expected value) was answered with a rotation checklist. Molecule scenarios and Testinfra checks are tests;
    the deployed group_vars are not."""
    from tasks.triage.report_signals import is_test_path
    assert is_test_path("molecule/testinfra/vars/qubes-staging.yml") and is_test_path("roles/web/molecule/default/converge.yml")
    assert not is_test_path("install_files/ansible-base/group_vars/staging.yml")


def test_a_bandit_default_over_a_function_redacts_no_keyword_and_no_template(tmp_path):
    """Round 42: securedrop's `def get_api_headers(token=""):` (B107 over lines 1-8) was shown with both `return`s and
    the header template f"Token {token}" replaced by markers: `if token:` then `return` on the next line was read as an
    assignment. A value is assigned on the same line only; a template is code; a real default stays redacted."""
    import subprocess

    from tasks.repository.source import SourceReader

    code = ('def get_api_headers(token="", secret="Zq8vN3xLp2Rt"):\n    if token:\n        return {\n'
            '            "Authorization": f"Token {token}",\n        }\n    return {"Accept": "application/json"}\n')
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "tests" / "api_helper.py").write_text(code)
    subprocess.run(["git", "-C", str(repo), "init", "-q"], check=True)
    shown = SourceReader(repo).context("tests/api_helper.py", None, 1, 2, end_line=6, mark_secret=True)["text"]
    assert shown.count("return {") == 2 and 'f"Token {token}"' in shown and "Zq8vN3xLp2Rt" not in shown
