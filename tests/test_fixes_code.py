"""Code fixes: the file's own language, diffs that apply, scanner fixes applied as the scanner would."""

from pathlib import Path

import pytest
from fixes_helpers import assert_diff_applies, assert_own_language, finding

from tasks.findings.parse import parse_file
from tasks.fixes import fix_for, line_fit
from tasks.fixes.patch_check import code_blocks
from tasks.fixes.patterns import lookup

FIXTURES = Path(__file__).parent / "fixtures" / "scanners"
LANG_FILES = {"python": "app/db.py", "javascript": "server/db.cjs", "typescript": "src/db.ts", "java": "src/Db.java",
              "kotlin": "src/Db.kt", "go": "db/db.go", "csharp": "Data/Db.cs", "ruby": "app/db.rb", "php": "src/db.php"}


def semgrep(rule, path, line, snippet, cwe=(), **kw):
    return finding("code", "semgrep", rule, path=path, start=line, snippet=snippet, cwe=cwe, title=kw.pop("title", rule), **kw)


@pytest.mark.parametrize("family,rule,cwe", [
    ("sql-injection", "formatted-sql-string", ["CWE-89"]),
    ("command-injection", "command-injection-process", ["CWE-78"]),
    ("xss", "reflected-xss", ["CWE-79"]),
    ("path-traversal", "path-traversal-open", ["CWE-22"]),
    ("deserialization", "insecure-deserialization", ["CWE-502"]),
    ("insecure-tls", "tls-verify-disabled", ["CWE-295"]),
    ("xxe", "xxe-parser", ["CWE-611"]),
    ("insecure-random", "insecure-random", ["CWE-338"]),
    ("open-redirect", "open-redirect", ["CWE-601"]),
    ("ssrf", "ssrf-request", ["CWE-918"]),
    ("weak-crypto", "des-cipher", ["CWE-327"]),
])
@pytest.mark.parametrize("language", sorted(LANG_FILES))
def test_every_language_gets_its_own_code_or_prose(language, family, rule, cwe):
    f = semgrep(f"{language}.lang.security.{rule}", LANG_FILES[language], 10, "x = 1", cwe=cwe)
    answer, label, meta = fix_for(f, cwe)
    assert answer and label == "pattern" and meta["language"] == language and meta["fix_family"] == family
    assert_own_language(answer, language, LANG_FILES[language])
    text, is_code = lookup(family, language)
    if language == "python" and family in line_fit.FAMILIES:  # no call of the family on `x = 1`: no catalogue example
        assert code_blocks(answer) == [], answer
    elif is_code and "```" in text:
        fence = {"csharp": "csharp", "typescript": "typescript"}.get(language, language)
        assert f"```{fence}" in answer, answer
    elif not is_code:
        assert code_blocks(answer) == [], answer  # no pattern: precise prose, no code at all


def test_language_without_patterns_gets_prose_only():
    f = semgrep("scala.lang.security.tainted-sql-string", "src/Db.scala", 3, 'sql"SELECT"', cwe=["CWE-89"])
    answer, label, meta = fix_for(f, ["CWE-89"])
    assert label == "pattern" and meta["language"] == "scala" and code_blocks(answer) == []
    assert "bound parameter" in answer


def test_command_injection_in_cjs_is_javascript_not_python():
    f = semgrep("javascript.lang.security.detect-child-process", "scripts/build.cjs", 4,
                "exec(`git log ${branch}`)", cwe=["CWE-78"])
    answer, _, meta = fix_for(f, ["CWE-78"])
    assert meta["language"] == "javascript" and "execFile" in answer
    assert "subprocess" not in answer and "```python" not in answer


def test_format_string_is_only_printf_advice_in_printf_languages():
    js = semgrep("javascript.lang.security.audit.unsafe-formatstring.unsafe-formatstring", "src/log.js", 7,
                 "console.error(msg)", cwe=["CWE-134"])
    answer, _, _ = fix_for(js, ["CWE-134"])
    assert "%n" not in answer and 'console.error("Failed to load %s", userInput);' in answer
    c = finding("code", "codeql", "cpp/tainted-format-string", path="src/log.c", start=3, snippet="    printf(buf);",
                cwe=["CWE-134"], title="Uncontrolled format string")
    answer, _, meta = fix_for(c, ["CWE-134"])
    assert meta["has_diff"] and '+    printf("%s", buf);' in answer
    py = semgrep("python.lang.format-string-rule", "app/log.py", 3, "log(msg)", cwe=["CWE-134"])
    answer, label, _ = fix_for(py, ["CWE-134"])
    assert answer is None and "format-string" in label


def test_md5_dedup_key_gets_usedforsecurity_false_diff(tmp_path):
    line = "                    dupe_key = hashlib.md5(str(description + title).encode('utf-8')).hexdigest()"
    f = semgrep("python.lang.security.insecure-hash-algorithms.insecure-hash-algorithm-md5", "tools/sslyze/parser_xml.py",
                124, line, cwe=["CWE-327"])
    answer, label, meta = fix_for(f, ["CWE-327"])
    assert label == "pattern" and meta["fix_family"] == "weak-hash-not-security" and meta["has_diff"]
    patched = assert_diff_applies(answer, meta["code"], tmp_path)
    assert "hashlib.md5(str(description + title).encode('utf-8'), usedforsecurity=False).hexdigest()" in patched
    assert "AES" not in answer and "GCM" not in answer


def test_md5_of_a_password_gets_no_sha256_line_and_a_token_does(tmp_path):
    # an unsalted SHA-256 of a password is no password hash: no diff (the row is then not built), the prose names one
    f = semgrep("python.lang.security.insecure-hash-algorithms.insecure-hash-algorithm-md5", "auth.py", 5,
                "    password_digest = hashlib.md5(password.encode()).hexdigest()", cwe=["CWE-327"])
    answer, _, meta = fix_for(f, ["CWE-327"])
    assert meta["fix_family"] == "weak-hash-password" and not meta["has_diff"] and "```diff" not in answer
    assert "argon2" in answer and "usedforsecurity" not in answer
    token = dict(f, snippet="    signature = hashlib.md5(secret_token.encode()).hexdigest()")
    answer, _, meta = fix_for(token, ["CWE-327"])
    assert meta["fix_family"] == "weak-hash-upgrade"
    assert "hashlib.sha256(secret_token.encode())" in assert_diff_applies(answer, meta["code"], tmp_path)


def test_a_password_digest_is_answered_with_a_password_hash_not_sha256():
    f = semgrep("python.lang.security.insecure-hash-algorithms.insecure-hash-algorithm-md5", "sqli/dao/user.py", 41,
                "        return self.pwd_hash == md5(password.encode()).hexdigest()".replace("md5(", "hashlib.md5("),
                cwe=["CWE-327"])
    answer, _, _ = fix_for(f, ["CWE-327"])
    assert "ph.verify(stored, password)" in answer and "hashlib.sha256(data)" not in answer
    imported = dict(f, snippet="        return self.pwd_hash == md5(password.encode('utf-8')).hexdigest()")  # from hashlib import md5
    assert "ph.verify(stored, password)" in fix_for(imported, ["CWE-327"])[0]


def test_a_reset_token_hashed_from_the_address_and_time_becomes_a_random_token(tmp_path):
    # pygoat broken_auth_lab/app.py:86 (Bandit B324): SHA-256 of the same e-mail and time would be as guessable
    f = semgrep("python.lang.security.insecure-hash-algorithms.insecure-hash-algorithm-md5", "lab/app.py", 86,
                '            token = hashlib.md5(f"{email}:{datetime.now()}".encode()).hexdigest()', cwe=["CWE-327"])
    answer, _, meta = fix_for(f, ["CWE-327"])
    assert meta["fix_family"] == "weak-hash-predictable-token" and "sha256" not in answer
    patched = assert_diff_applies(answer, meta["code"], tmp_path)
    assert "            token = secrets.token_urlsafe(32)" in patched and "import secrets" in answer
    cache = dict(f, snippet='            etag = hashlib.md5(f"{email}:{datetime.now()}".encode()).hexdigest()')
    assert fix_for(cache, ["CWE-327"])[2]["fix_family"] != "weak-hash-predictable-token"


def test_bandit_numbered_snippet_diff_lands_on_the_right_line(tmp_path):
    snippet = ('38         for item in items:\n'
               '39             dupe_key = hashlib.md5((item.title + item.description).encode("utf-8")).hexdigest()\n'
               '40 ')
    f = finding("code", "bandit", "B303", path="dojo/tools/acunetix/parser.py", start=39, snippet=snippet,
                title="Use of insecure MD2, MD4, MD5, or SHA1 hash function.")
    answer, _, meta = fix_for(f, [])
    assert meta["code"]["start_line"] == 38 and "@@ -38,3 +38,3 @@" in answer
    assert "38 " not in meta["code"]["text"].splitlines()[0][:3]
    assert_diff_applies(answer, meta["code"], tmp_path)


def _semgrep_fixture(name, rule_part):
    rec = parse_file(FIXTURES / "semgrep" / name, FIXTURES, "raise", 10**8)
    return [f for f in rec["findings"] if rule_part in f["rule_id"]]


def test_semgrep_fix_regex_is_applied_inside_the_match(tmp_path):
    f = _semgrep_fixture("many_vulns.json", "unquoted-csv-writer")[0]
    assert f["scanner_fix"]["kind"] == "semgrep-fix-regex"
    answer, label, meta = fix_for(f, f["cwe"])
    assert label == "scanner-fix" and meta["has_diff"]
    patched = assert_diff_applies(answer, meta["code"], tmp_path)
    assert patched.rstrip("\n") == "        writer = csv.writer(open(file_path, 'w'), quoting=csv.QUOTE_ALL)"
    assert "+\\1, quoting=csv.QUOTE_ALL)" not in answer and "\n+\\1" not in answer


def test_semgrep_fix_regex_that_imports_a_missing_module_is_rejected():
    for f in _semgrep_fixture("many_vulns.json", "use-defused-xml"):
        answer, label, meta = fix_for(f, f["cwe"])
        assert label != "scanner-fix"
        assert "\n+defusedxml" not in answer and "defusedxml.dom" not in answer


def test_semgrep_fix_that_breaks_the_statement_is_rejected():
    f = _semgrep_fixture("one_finding.json", "cbc-padding-oracle")[0]
    assert f["scanner_fix"]["kind"] == "semgrep-fix"
    answer, label, meta = fix_for(f, f["cwe"])
    assert label == "pattern" and ";;" not in answer and "AES/GCM/NoPadding" in answer


def test_sarif_fix_replacement_applies_to_reader_code(tmp_path):
    text = "int main(void) {\n    char *name;\n    use(name);\n}\n"
    f = finding("code", "codescanner", "C2001", path="collections/list.c", start=2, snippet=None, cwe=["CWE-457"],
                title="Variable used before initialisation",
                scanner_fix={"kind": "sarif", "replacements": [
                    {"start_line": 2, "start_col": 11, "end_line": 2, "end_col": 15, "text": "name = NULL"}]})
    answer, label, meta = fix_for(f, f["cwe"], {"path": "collections/list.c", "text": text, "start_line": 1, "commit": None})
    assert label == "scanner-fix"
    assert assert_diff_applies(answer, meta["code"], tmp_path).splitlines()[1] == "    char *name = NULL;"


def test_java_cookie_gets_set_httponly_inserted(tmp_path):
    code = {"path": "src/main/java/Bench.java", "start_line": 66, "commit": "abc",
            "text": '        javax.servlet.http.Cookie cookie = new javax.servlet.http.Cookie("k", v);\n'
                    '        cookie.setSecure(true);\n        response.addCookie(cookie);\n'}
    f = finding("code", "semgrep", "java.lang.security.audit.cookie-missing-httponly.cookie-missing-httponly",
                path="src/main/java/Bench.java", start=68, snippet=None)
    answer, _, meta = fix_for(f, [], code)
    patched = assert_diff_applies(answer, meta["code"], tmp_path)
    assert "        cookie.setHttpOnly(true);\n        response.addCookie(cookie);" in patched
    assert_own_language(answer, "java")


def test_hardcoded_secret_in_code_is_rotation_in_the_language():
    f = finding("code", "bandit", "B105", path="app/settings.py", start=3, snippet="TOKEN = '[REDACTED secret sha256:0a19e17f5acf]'",
                title="Possible hardcoded password")
    answer, label, _ = fix_for(f, [])
    assert label == "secret-rotation" and 'TOKEN = os.environ["TOKEN"]' in answer  # the code's own name


def test_non_security_rules_give_no_row():
    f = semgrep("python.lang.correctness.tempfile.flush.tempfile-without-flush", "tasks.py", 3, "x(temp.name)")
    assert fix_for(f, [])[0] is None


def test_assert_in_test_code_is_no_fix_but_in_app_code_is():
    snippet = "8     result = compute()\n9     assert result == 3\n10 "
    in_tests = finding("code", "bandit", "B101", path="samples/project/test_main.py", start=9, snippet=snippet, cwe=["CWE-703"])
    assert fix_for(in_tests, ["CWE-703"])[0] is None
    in_app = finding("code", "bandit", "B101", path="app/auth.py", start=9, snippet=snippet, cwe=["CWE-703"])
    answer, label, _ = fix_for(in_app, ["CWE-703"])
    assert label == "pattern" and "raise" in answer


@pytest.mark.parametrize("line,family", [
    ("    cache_key = hashlib.md5(url.encode()).hexdigest()", "weak-hash-not-security"),
    ("    signature = hashlib.md5(secret + body).hexdigest()", "weak-hash-upgrade"),
    ("    assigned = hashlib.md5(data).hexdigest()", "weak-hash"),  # neither: explain both, no diff
])
def test_python_hash_purpose(line, family):
    f = semgrep("python.lang.security.insecure-hash-algorithms.insecure-hash-algorithm-md5", "app/x.py", 3, line, cwe=["CWE-327"])
    answer, _, meta = fix_for(f, ["CWE-327"])
    assert meta["fix_family"] == family and meta["has_diff"] == (family != "weak-hash")


def test_md5_call_split_over_two_lines(tmp_path):
    snippet = "                    unique_key = hashlib.md5(\n                        str(vuln).encode('utf-8')).hexdigest()"
    f = semgrep("python.lang.security.insecure-hash-algorithms.insecure-hash-algorithm-md5", "tools/ccvs/parser.py", 53,
                snippet, cwe=["CWE-327"], end=54)
    answer, _, meta = fix_for(f, ["CWE-327"])
    patched = assert_diff_applies(answer, meta["code"], tmp_path)
    assert "str(vuln).encode('utf-8'), usedforsecurity=False).hexdigest()" in patched


@pytest.mark.parametrize("rule,family", [
    ("java.lang.security.audit.xml-decoder.xml-decoder", "deserialization"),
    ("java.lang.security.audit.anonymous-ldap-bind.anonymous-ldap-bind", None),
    ("java.lang.security.audit.ldap-injection.ldap-injection", "ldap-injection"),
    ("java.lang.security.audit.tainted-cmd-from-http-request.tainted-cmd-from-http-request", "command-injection"),
    ("java.spring.security.injection.tainted-url-host.tainted-url-host", "ssrf"),
    ("java.lang.security.audit.crypto.ssl.insecure-trust-manager.insecure-trust-manager", "insecure-trust-manager"),
    ("python.flask.security.audit.debug-enabled.debug-enabled", "debug-enabled"),
    ("B324", "weak-hash"),
])
def test_rule_ids_map_to_the_right_family(rule, family):
    from tasks.fixes.families import family_of

    f = finding("code", "bandit" if rule.startswith("B") else "semgrep", rule, path="src/A.java", start=1)
    expected = "insecure-tls" if family == "insecure-trust-manager" else family
    assert family_of(f, []) == expected


@pytest.mark.parametrize("language,path,line,expected", [
    ("python", "app/run.py", "app.run(host='127.0.0.1', debug=True)", "app.run(host='127.0.0.1', debug=False)"),
    ("python", "app/net.py", "    r = requests.get('https://api.github.com/user', verify=False)",
     "    r = requests.get('https://api.github.com/user', verify=True)"),
    ("java", "src/A.java", "        Random rnd = new Random();", "        Random rnd = new java.security.SecureRandom();"),
    ("java", "src/A.java", '        MessageDigest md = MessageDigest.getInstance("MD5");',
     '        MessageDigest md = MessageDigest.getInstance("SHA-256");'),
    ("kotlin", "src/A.kt", "    val rnd = java.util.Random()", "    val rnd = java.security.SecureRandom()"),
    ("javascript", "src/a.js", "  const agent = new https.Agent({ rejectUnauthorized: false });",
     "  const agent = new https.Agent({ rejectUnauthorized: true });"),
    ("php", "src/a.php", "curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false);", "curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, true);"),
    ("ruby", "app/a.rb", "http.verify_mode = OpenSSL::SSL::VERIFY_NONE", "http.verify_mode = OpenSSL::SSL::VERIFY_PEER"),
    ("go", "db/tls.go", "\tcfg := &tls.Config{InsecureSkipVerify: true}", "\tcfg := &tls.Config{InsecureSkipVerify: false}"),
])
def test_safe_line_rewrites_become_diffs(tmp_path, language, path, line, expected):
    rule = {"debug=True": "python.flask.security.audit.debug-enabled.debug-enabled"}.get(
        "debug=True" if "debug=True" in line else "", None)
    cwe = ["CWE-489"] if "debug" in line else ["CWE-295"] if any(k in line for k in ("verify", "Unauthorized", "VERIFY", "Skip")) \
        else ["CWE-338"] if "Random" in line else ["CWE-328"]
    f = semgrep(rule or f"{language}.lang.security.audit.rule", path, 7, line, cwe=cwe)
    answer, _, meta = fix_for(f, cwe)
    assert meta["has_diff"], answer
    assert assert_diff_applies(answer, meta["code"], tmp_path).rstrip("\n") == expected
    assert_own_language(answer, language, path)


def test_java_md5_identifier_keeps_its_algorithm():
    f = semgrep("java.lang.security.audit.crypto.use-of-md5.use-of-md5", "src/Cache.java", 5,
                '        MessageDigest cacheKeyDigest = MessageDigest.getInstance("MD5");', cwe=["CWE-328"])
    _, _, meta = fix_for(f, ["CWE-328"])
    assert not meta["has_diff"]


def test_a_requests_call_without_a_timeout_gets_the_same_call_with_one(tmp_path):
    bandit = lambda snippet, end=None: finding("code", "bandit", "B113", path="watchers/org.py", start=178,  # noqa: E731
                                               snippet=snippet, cwe=["CWE-400"], title="Call to requests without timeout",
                                               **({"end": end} if end else {}))
    f = bandit("            result = requests.get(url, headers=headers, params=params)")
    answer, label, meta = fix_for(f, ["CWE-400"])
    assert meta["fix_family"] == "request-timeout" and meta["has_diff"]
    patched = assert_diff_applies(answer, meta["code"], tmp_path)
    assert "requests.get(url, headers=headers, params=params, timeout=10)" in patched
    assert "10 seconds here is an example" in answer and answer.count("```python") == 1  # stage 1 shows no diff:
    assert "on line 178:\n```python\nresult = requests.get(url, headers=headers, params=params, timeout=10)\n```" in answer
    split = bandit("    r = requests.post(\n        URL,\n        json=payload,\n    )", end=181)
    answer, _, meta = fix_for(split, ["CWE-400"])
    assert "        json=payload,\n        timeout=10\n    )" in assert_diff_applies(answer, meta["code"], tmp_path / "b")
    off = bandit("    r = httpx.get(URL, timeout=None)")  # B113's other form: httpx has a default, None switches it off
    assert "httpx.get(URL, timeout=10)" in assert_diff_applies(fix_for(off, ["CWE-400"])[0], fix_for(off, ["CWE-400"])[2]["code"], tmp_path / "c")


def test_a_timeout_is_not_added_where_kwargs_may_carry_one_or_httpx_has_its_default():
    for snippet in ("    r = requests.get(URL, **options)", "    r = httpx.get(URL)", "    r = requests.get(URL, timeout=5)"):
        f = finding("code", "bandit", "B113", path="a.py", start=3, snippet=snippet, cwe=["CWE-400"],
                    title="Call to requests without timeout")
        answer, _, meta = fix_for(f, ["CWE-400"])
        assert not meta.get("has_diff") and "```diff" not in (answer or "")


def test_an_alembic_migrations_query_gets_sqlalchemys_text_form_not_a_db_api_tuple():
    below = ("from alembic import op\n\n\ndef upgrade():\n    conn = op.get_bind()\n"
             "    conn.execute(f\"update t set status = '{s}' where id = {i}\")\n")
    f = finding("code", "semgrep", "python-sqli-string-format", path="versions/x.py", start=6,
                snippet="    conn.execute(f\"update t set status = '{s}' where id = {i}\")", cwe=["CWE-89"])
    answer, _, meta = fix_for(f, ["CWE-89"], {"path": "versions/x.py", "start_line": 1, "text": below, "below": below,
                                              "imports": "from alembic import op\n"})
    assert meta["fix_family"] == "sql-injection-sqlalchemy" and "text()" in answer and ", (s, i)" not in answer


def test_verify_true_is_no_diff_for_a_server_whose_certificate_may_be_internal():
    f = finding("code", "bandit", "B501", path="crapi/shop/views.py", start=148,
                snippet="    r = requests.post(settings.PAYMENT_URL, json=data, verify=False)", cwe=["CWE-295"],
                title="Call to requests with verify=False disabling SSL certificate checks, security issue.")
    answer, _, meta = fix_for(f, ["CWE-295"])
    assert not meta["has_diff"] and "```diff" not in answer
    assert "against a self-signed or internal certificate `verify=True` fails every call" in answer
    local = dict(f, snippet="    r = requests.get('https://identity.crapi.svc/health', verify=False)")
    assert not fix_for(local, ["CWE-295"])[2]["has_diff"]  # an in-cluster name: its CA is the cluster's
