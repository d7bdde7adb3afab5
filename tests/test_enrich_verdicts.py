"""The stage-1 verdict follows the code shown, not only the path or the rule's confidence (issue 22).

Real code: Bandit findings on we45/Vulnerable-Flask-App and nVisium/django.nV (excerpts and commits in
tests/fixtures/evidence/SOURCES.md), DefectDojo's own Bandit/Checkov reports (shared fixtures).
"""

from __future__ import annotations

from pathlib import Path

from tasks.datasets import rows
from tasks.enrich.evidence import benign, config_setting, request_origin
from tasks.enrich.verdicts import reconcile, stated_cwe, verdict_text

HERE = Path(__file__).parent / "fixtures" / "evidence"
LOW = {"check": "report", "evidence": "low-confidence rule: the rule B608 rates its own confidence LOW: its pattern also "
                                      "matches code that is safe, so this match needs a look before any change"}
STOCK = {"check": "report", "evidence": "app/app.py is not a test, fixture, example, docs or vendored path, nothing "
                                        "suppresses the finding and the rule does not rate itself LOW confidence: bandit's report stands"}


def bandit(rule, path, line, snippet, cwe=("CWE-89",), end=None):
    return {"id": "a" * 32, "tool": "bandit", "kind": "code", "rule_id": rule, "title": "t", "description": "",
            "severity": "medium", "cwe": list(cwe), "location": {"path": path, "start_line": line, "end_line": end or line},
            "package": None, "snippet": snippet, "aliases": [], "cve": [], "ghsa": [], "suppressed": False}


def code(name, start):
    return {"path": "app/app.py", "text": (HERE / name).read_text(), "start_line": start, "commit": None, "note": None}


VFA = bandit("B608", "app/app.py", 261, "260                     print(search_term)\n"
             "261                     str_query = \"SELECT first_name, last_name, username FROM customer WHERE username = '%s';\" % search_term\n"
             "262                     # mycust = Customer.query.filter_by(username = search_term).first()\n")


def test_request_data_two_assignments_up_makes_a_low_confidence_sql_injection_real():
    ev = request_origin(VFA, code("vfa_search_customer.py.txt", 245))
    assert ev and ev.stance == "outside" and "`content` is set on line 255 from `request.json`" in ev.text
    rec = reconcile(VFA, {"verdict": "needs_review", "reasons": [LOW], "source": "report"}, code("vfa_search_customer.py.txt", 245))
    assert rec["verdict"] == "true_positive" and rec["reasons"][0]["check"] == "code"
    assert verdict_text(rec).startswith("## Verdict\nTrue positive: `content` is set on line 255")


def test_a_query_built_from_a_variable_is_a_true_positive_even_when_the_snippet_hides_its_origin():
    # a held-out review graded "needs review" on pygoat's login query (name and password concatenated) a wrong fact:
    # Bandit's LOW only says the string is not passed to execute() on the same line
    assert request_origin(VFA) is None  # Bandit's three lines: search_term's origin is not in them
    low = dict(VFA, description="Possible SQL injection vector (test hardcoded_sql_expressions, confidence low)")
    rec = reconcile(low, {"verdict": "needs_review", "reasons": [LOW], "source": "report"})
    assert rec["verdict"] == "true_positive"
    assert rec["reasons"][0]["evidence"].startswith("line 261 puts `search_term` into the SQL text by %-formatting; "
                                                    "Bandit rates B608 LOW only because")
    # DVFaaS: a MEDIUM-confidence B608 passed straight to cur.execute(): no word of LOW, and the cursor is no SQL value
    medium = bandit("B608", "sqli/app.py", 59, "59                 cur.execute(\"INSERT INTO t (name, temp) VALUES "
                    "('%s',%s)\" % (sensor_name, event_dict['reading']))\n")
    medium["description"] = "Possible SQL injection vector (test hardcoded_sql_expressions, confidence medium)"
    said = reconcile(medium, {"verdict": "true_positive", "reasons": [], "source": "report"})
    text = verdict_text(said)
    assert "puts `sensor_name` and `event_dict` into the SQL text by %-formatting" in text, text
    assert "LOW" not in text and "`cur`" not in text
    assert "line 261 puts `search_term`" in verdict_text(rec)
    login = bandit("B608", "introduction/views.py", 158, "157 \n158                 sql_query = \"SELECT * FROM "
                   "introduction_login WHERE user='\"+name+\"' AND password='\"+password+\"'\"\n159     print(sql_query)\n")
    assert "puts `name` and `password` into the SQL text by concatenation" in verdict_text(reconcile(
        login, {"verdict": "needs_review", "reasons": [LOW], "source": "report"}))
    constant = bandit("B608", "app/db.py", 3, "3 q = \"SELECT * FROM users WHERE active = 1\"\n")
    assert reconcile(constant, {"verdict": "needs_review", "reasons": [LOW], "source": "report"})["verdict"] == "needs_review"



def test_django_request_post_outside_the_prompt_window_is_found_with_the_wider_source():
    f = bandit("B608", "taskManager/views.py", 184, None, end=185)
    window = {"path": "taskManager/views.py", "text": (HERE / "djnv_upload.py.txt").read_text(), "start_line": 170}
    ev = request_origin(f, window)
    assert ev and "`name` is set on line 178 from `request.POST.get('name', False)`" in ev.text and "line 184" in ev.text
    # triage called it a false positive (say, by path): the row does not assert either side
    fp = {"verdict": "false_positive", "reasons": [{"check": "path", "evidence": "not deployed: x is example code"}], "source": "evidence"}
    rec = reconcile(f, fp, window)
    assert rec["verdict"] == "needs_review"
    assert verdict_text(rec).startswith("## Verdict\nNeeds review: not deployed: x is example code, but `name` is set")


def test_a_loop_over_a_constant_list_is_no_request_and_a_rule_about_constants_is_not_cleared():
    # vulpy bad/db.py:19 - the users come from a list in the script, not from a request
    f = bandit("B608", "bad/db.py", 19, "18     for u,p in users:\n19         c.execute(\"INSERT INTO users (user, password, failures) "
               "VALUES ('%s', '%s', '%d')\" %(u, p, 0))\n20 \n")
    assert request_origin(f) is None and benign(f) is None
    # B108 (a fixed /tmp name): the constant *is* the finding, so constant arguments clear nothing
    tmp = bandit("B108", "bad/api_post.py", 6, "5 \n6 api_key_file = Path('/tmp/supersecret.txt')\n7 \n", cwe=("CWE-377",))
    assert benign(tmp) is None


def test_a_digest_used_as_a_key_or_an_import_only_line_makes_a_kept_report_needs_review():
    # DefectDojo dojo/tools/ort/parser.py:41 (shared fixtures, bandit) - an MD5 de-duplication key
    md5 = bandit("B303", "dojo/tools/ort/parser.py", 41, "40             item = get_item(model, test)\n41             unique_key = "
                 "hashlib.md5((item.title + item.references).encode()).hexdigest()\n42             items[unique_key] = item\n", cwe=())
    rec = reconcile(md5, {"verdict": "true_positive", "reasons": [STOCK], "source": "report"}, None, "weak-hash-not-security")
    assert rec["verdict"] == "needs_review" and "identifier" in rec["reasons"][0]["evidence"]
    assert "report stands" not in verdict_text(rec)
    imp = bandit("B403", "dojo/survey/views.py", 6, "5 \n6 import pickle\n7 \n", cwe=("CWE-502",))
    assert benign(imp).text.startswith("line 6 only imports (`import pickle`)")
    call = bandit("B301", "dojo/survey/views.py", 9, "9 data = pickle.loads(request.body)\n", cwe=("CWE-502",))
    assert benign(call) is None and request_origin(call).stance == "outside"


def test_the_stock_report_sentence_is_never_the_verdicts_evidence():
    rec = {"verdict": "true_positive", "reasons": [STOCK], "source": "report"}
    assert verdict_text(rec) == "## Verdict\nTrue positive as reported.\n\n"
    own = {"verdict": "true_positive", "reasons": [{"check": "advisory", "evidence": "affected: django 3.2.4 is inside >=3.2.0,<3.2.12"}]}
    assert verdict_text(own) == "## Verdict\nTrue positive: affected: django 3.2.4 is inside >=3.2.0,<3.2.12.\n\n"


RDS = ('resource "aws_db_instance" "default" {\n  name                   = var.dbname\n  engine                 = "mysql"\n'
       '  storage_encrypted       = false\n  publicly_accessible     = true\n}\n')


def test_a_terraform_verdict_quotes_what_the_resource_sets():
    # DefectDojo checkov-report-multiple-check_type.json, CKV_AWS_16 on aws_db_instance.default (trimmed resource)
    f = {"id": "b" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_AWS_16", "title": "t", "severity": "medium",
         "description": "Ensure all data stored in the RDS is securely encrypted at rest (resource aws_db_instance.default, framework terraform)",
         "location": {"path": "infra/terraform/aws/db-app.tf", "start_line": 1, "end_line": 6}, "snippet": RDS, "package": None}
    ev = config_setting(f, "To encrypt the RDS storage at rest, set this:\n\n```hcl\nstorage_encrypted = true\n```\n")
    assert ev.text == "aws_db_instance.default sets `storage_encrypted = false` (line 4)"
    absent = config_setting(f | {"rule_id": "CKV_AWS_161"}, "```hcl\niam_database_authentication_enabled = true\n```")
    assert absent.text.startswith("aws_db_instance.default sets no `iam_database_authentication_enabled`")
    already = config_setting(f, "```hcl\npublicly_accessible = true\n```")
    assert already.stance == "benign"  # the resource already has the fix's value: the check is about something else
    cut = config_setting(f | {"snippet": RDS.rsplit("}", 1)[0]}, "```hcl\nmonitoring_interval = 60\n```")
    assert cut is None  # the resource is cut short: absence cannot be claimed


def test_apply_triage_replaces_the_probably_acceptable_assessment_and_both_stages_follow():
    narrative = {"narrative": "## How it works\nSQL built by string formatting lets a quote end the literal.",
                 "triage_narrative": "## Assessment\nProbably acceptable: the rule rates its own confidence LOW",
                 "triage": {"signal": "low-confidence rule"}, "sections": {"exploitation": "x"}}
    s1 = rows.chat("s", "Rule: B608", narrative["triage_narrative"], {"stage": 1})
    meta = {}
    rec = {"verdict": "needs_review", "reasons": [LOW], "source": "report"}
    s1, fixed = rows.apply_triage(VFA, narrative, meta, rec, s1, ("Use bound parameters.", "pattern", {}), {"triage": "explain"},
                                  code("vfa_search_customer.py.txt", 245))
    text = s1["messages"][2]["content"]
    assert text.startswith("## Verdict\nTrue positive: `content` is set on line 255")
    assert "Probably acceptable" not in text and "## How it works" in text
    assert meta["triage"]["verdict"] == "true_positive" and fixed[0] == "Use bound parameters."  # no "Check first"


def test_a_placeholder_that_is_the_apps_secret_key_is_not_waved_through():
    # vulpy bad/vulpy.py:16 (Bandit B105): triage calls 'aaaaaaa' a placeholder, but Flask signs sessions with it
    f = bandit("B105", "bad/vulpy.py", 16, "15 app = Flask('vulpy')\n16 app.config['SECRET_KEY'] = 'aaaaaaa'\n17 \n", cwe=("CWE-259",))
    fp = {"verdict": "false_positive", "source": "evidence", "reasons": [
        {"check": "secret", "evidence": "not a credential: the flagged value is a placeholder, not a credential"}]}
    rec = reconcile(f, fp)
    assert rec["verdict"] == "needs_review" and "`SECRET_KEY`" in verdict_text(rec)
    # the same placeholder as a test user's password stays a false positive
    user = bandit("B105", "bad/db.py", 9, "8 \n9     password = 'aaaaaaa'\n10 \n", cwe=("CWE-259",))
    assert reconcile(user, fp) == fp


def test_a_false_positive_row_names_its_file_and_no_risk_paragraph():
    text = rows.false_positive_analysis({"sections": {"weakness": "The value sits in x and in every clone."}},
                                        {"verdict": "false_positive", "reasons": [{"check": "secret", "evidence": "AWS's documented example key"}]},
                                        "in the scanner's ignore file at the repository root", "dojo/unittests/scans/x.json")
    assert "Do not change dojo/unittests/scans/x.json: record the finding" in text and "every clone" not in text


def test_a_false_positive_row_has_no_catalogue_paragraph_of_the_rule():
    """Round 26: a false positive's "How it works" was the rule's catalogue text (SQL quoting under a constant PRAGMA,
    Bandit's password heuristic), the same in every row of the rule; the evidence is what is specific."""
    narrative = {"sections": {"exploitation": "A quote in the value ends the SQL literal and the rest is read as SQL."}}
    rec = {"verdict": "false_positive", "reasons": [{"check": "constant", "evidence": "the query is built from "
                                                     "`self.SQLITE_JOURNAL_MODE`, bound once to a literal in its class"}]}
    text = rows.false_positive_analysis(narrative, rec, "on the flagged line", "searx/sqlitedb.py")
    assert text.startswith("## Verdict\nFalse positive") and "SQLITE_JOURNAL_MODE" in text
    assert "How it works" not in text and "SQL literal" not in text
    assert text.endswith("Do not change searx/sqlitedb.py: record the finding as not applicable here, on the flagged "
                         "line, with the evidence above as the reason.")


def test_advisory_text_past_the_prompt_skips_a_code_block_the_prompt_cut():
    from tasks.enrich.analysis import beyond_prompt
    from tasks.findings.parse import parse_report

    findings = parse_report(Path(__file__).parent / "fixtures" / "scanners" / "osv_scanner" / "many_findings.json").findings
    aiohttp = next(f for f in findings if f["rule_id"] == "GHSA-5h86-8mv2-jq9f")
    assert aiohttp["description"][:800].count("```") % 2  # the prompt's 800 characters end inside the PoC's code
    detail = beyond_prompt(aiohttp)
    assert detail.startswith("This is a directory traversal") and "web.static(" not in detail
    assert detail.count("`") % 2 == 0


def test_value_origins_are_said_only_where_they_matter():
    from tasks.enrich.analysis import what_is_wrong

    flask = bandit("B105", "bad/vulpy.py", 16, "15 app = Flask('vulpy')\n16 app.config['SECRET_KEY'] = 'aaaaaaa'\n17 \n", cwe=("CWE-259",))
    assert "`app` is set" not in what_is_wrong(flask, ["CWE-259"], "report")  # "... from `Flask('vulpy')`" repeats the code
    md5 = bandit("B324", "app/app.py", 141, "140             password = content['password']\n141             hash_pass = "
                 "hashlib.md5(password).hexdigest()\n142             new_user = User(username, hash_pass)\n", cwe=("CWE-327",))
    assert "`password` is set on line 140" in what_is_wrong(md5, ["CWE-327"], "report")


def test_a_zap_alert_verdict_rests_on_what_zap_saw_and_an_informational_one_needs_review():
    # ZAP juice-shop.json (shared fixtures): 10015 on https://juice-shop.herokuapp.com, evidence "public, max-age=0"
    alert = {"id": "d" * 32, "tool": "zap", "kind": "web", "rule_id": "10015", "title": "Incomplete or No Cache-control Header Set",
             "severity": "low", "location": {"path": "https://juice-shop.herokuapp.com", "start_line": None, "end_line": None},
             "snippet": "public, max-age=0", "description": "", "package": None}
    stock = {"verdict": "true_positive", "source": "report", "reasons": [
        {"check": "report", "evidence": "https://juice-shop.herokuapp.com is the scanned application, nothing suppresses the finding"}]}
    assert verdict_text(reconcile(alert, stock)) == ("## Verdict\nTrue positive: zap saw `public, max-age=0` in a response from "
                                                     "https://juice-shop.herokuapp.com.\n\n")
    info = reconcile(alert | {"rule_id": "10109", "severity": "info", "title": "Modern Web Application"}, stock)
    assert info["verdict"] == "needs_review" and "informational" in info["reasons"][0]["evidence"]


def test_a_requests_call_without_timeout_is_what_b113_says_whatever_its_confidence():
    # DefectDojo bandit many_vulns / utils/generate_bad_passwords.py:21 (rated LOW confidence by Bandit)
    low = {"verdict": "needs_review", "source": "report", "reasons": [dict(LOW, evidence=LOW["evidence"].replace("B608", "B113"))]}
    f = bandit("B113", "utils/generate_bad_passwords.py", 21, "20     click.echo('Downloading password file...', nl=False, err=True)\n"
               "21     with requests.get(url, stream=True) as r:\n22         r.raise_for_status()\n", cwe=("CWE-400",))
    rec = reconcile(f, low)
    assert rec["verdict"] == "true_positive" and "passes no `timeout=`" in verdict_text(rec)
    # tests/e2e_zap.py:44: the call goes on past the line shown with its arguments; one that has a timeout is not confirmed
    cut = bandit("B113", "tests/e2e_zap.py", 44, "44     search_customer_username = requests.post(\n", cwe=("CWE-400",))
    assert reconcile(cut, low)["verdict"] == "needs_review"
    timed = bandit("B113", "x.py", 3, "3 r = requests.get(url, timeout=(3, 30))\n", cwe=("CWE-400",))
    assert reconcile(timed, low)["verdict"] == "needs_review" and "x.py:3" in verdict_text(reconcile(timed, low))


def test_a_traced_request_source_after_a_guard_and_an_lxml_parser_without_entities():
    # vulpy, CodeQL py/sql-injection bad/libuser.py:25: the flow starts at `if request.method == 'POST':`
    flow = [{"path": "bad/mod_user.py", "line": 43, "code": "if request.method == 'POST':"},
            {"path": "bad/mod_user.py", "line": 45, "code": "username = request.form.get('username')"},
            {"path": "bad/libuser.py", "line": 25, "code": "c.execute(\"INSERT INTO users ...\" %(username, password, 0, 0, ''))"}]
    f = bandit("py/sql-injection", "bad/libuser.py", 25, None) | {"tool": "codeql", "flow": flow}
    assert "`username = request.form.get('username')` (bad/mod_user.py:45)" in request_origin(f).text
    assert request_origin(f | {"flow": [dict(s, via="related") for s in flow]}) is None  # linked places are no trace
    # DefectDojo bandit: dojo/tools/burp/parser.py:73 (B320) builds its parser with resolve_entities=False
    burp = bandit("B320", "dojo/tools/burp/parser.py", 73, "72             data = [x for x in data if x in printable]\n"
                  "73             tree = etree.fromstring(data, etree.XMLParser(encoding='ISO-8859-1', ns_clean=True, recover=True, "
                  "resolve_entities=False))\n74 \n", cwe=())
    assert "resolve_entities=False" in benign(burp).text
    plain = bandit("B320", "x.py", 3, "3 tree = etree.fromstring(data)\n", cwe=())
    assert benign(plain) is None


def test_a_true_positive_the_code_settles_does_not_repeat_the_rules_doubt():
    rec = reconcile(VFA, {"verdict": "needs_review", "reasons": [LOW], "source": "report"}, code("vfa_search_customer.py.txt", 245))
    assert "LOW" not in verdict_text(rec) and any("LOW" in r["evidence"] for r in rec["reasons"])


def test_a_low_confidence_match_without_code_says_what_decides_it_at_its_place():
    # Semgrep 1.x JSON (no code lines) on OWASP NodeGoat: detect-redos in app/routes/profile.js:61, rated LOW
    low = {"verdict": "needs_review", "source": "report", "reasons": [LOW]}
    redos = {"id": "5" * 32, "tool": "semgrep", "kind": "code", "rule_id": "javascript.lang.security.audit.detect-redos",
             "title": "t", "severity": "medium", "cwe": ["CWE-1333"], "snippet": None,
             "location": {"path": "app/routes/profile.js", "start_line": 61, "end_line": 61}}
    text = verdict_text(reconcile(redos, low))
    assert text == ("## Verdict\nNeeds review: the rule rates its own confidence LOW; check whether the pattern at "
                    "app/routes/profile.js:61 runs on input from outside, and how long it may be.\n\n")
    evald = dict(redos, rule_id="javascript.browser.security.eval-detected", cwe=["CWE-95"],
                 location={"path": "app/routes/contributions.js", "start_line": 34, "end_line": 34})
    assert "reaches app/routes/contributions.js:34" in verdict_text(reconcile(evald, low))


def test_who_reaches_a_terraform_resource_is_read_from_its_attributes():
    from tasks.enrich.iac_reach import terraform_reach
    from tasks.findings.parse import parse_report

    # DefectDojo checkov-report-multiple-check_type.json (TerraGoat's db-app.tf)
    findings = parse_report(Path(__file__).parent / "fixtures" / "scanners" / "checkov" /
                            "checkov-report-multiple-check_type.json").findings
    imds = next(f for f in findings if f["rule_id"] == "CKV_AWS_79")
    assert terraform_reach(imds).startswith("aws_instance.db_app runs with the instance profile "
                                            "`aws_iam_instance_profile.ec2profile.name`")
    public = next(f for f in findings if f["rule_id"] == "CKV_AWS_17")
    text = terraform_reach(public)
    assert "`vpc_security_group_ids = [\"${aws_security_group.default.id}\"]`" in text
    # a setting that is already safe, or not shown, says nothing
    assert terraform_reach(imds | {"snippet": imds["snippet"].replace("iam_instance_profile", "# no profile")}) is None
    assert terraform_reach(public | {"snippet": public["snippet"].replace("publicly_accessible     = true",
                                                                          "publicly_accessible     = false")}) is None
    sg = {"id": "4" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_AWS_24", "title": "t", "severity": "high",
          "description": "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22 (resource aws_security_group.ssh, framework terraform)",
          "location": {"path": "sg.tf", "start_line": 1, "end_line": 12},
          "snippet": ('resource "aws_security_group" "ssh" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n'
                      '    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n  egress {\n    from_port   = 0\n'
                      '    to_port     = 0\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n')}
    assert "lets in `0.0.0.0/0` on port 22:" in terraform_reach(sg)
    egress_only = sg | {"snippet": sg["snippet"].replace('cidr_blocks = ["0.0.0.0/0"]\n  }\n  egress', 'cidr_blocks = ["10.0.0.0/8"]\n  }\n  egress', 1)}
    assert terraform_reach(egress_only) is None


def test_a_literal_signing_key_says_what_can_be_forged_and_a_jwt_rule_says_what_its_secret_signs():
    from tasks.enrich.analysis import what_is_wrong
    from tasks.enrich.mechanisms import mechanism

    # django.nV taskManager/settings.py:24 (Bandit B105)
    key = bandit("B105", "taskManager/settings.py", 24, "23 # SECURITY WARNING: keep the secret key used in production secret!\n"
                 "24 SECRET_KEY = '[REDACTED secret sha256:5f9e2f9ebe1f]'\n25 \n", cwe=("CWE-259",))
    assert what_is_wrong(key, ["CWE-259"], "report").startswith("Line 24 sets the application's signing key: whoever reads it")
    password = bandit("B105", "app/db.py", 9, "9     password = '[REDACTED secret sha256:240be518fabd]'\n", cwe=("CWE-259",))
    assert "signing key" not in what_is_wrong(password, ["CWE-259"], "report")
    jwt = {"id": "3" * 32, "tool": "semgrep", "kind": "code", "rule_id": "javascript.jsonwebtoken.security.jwt-hardcode.hardcoded-jwt-secret",
           "title": "t", "severity": "high", "cwe": ["CWE-798"], "location": {"path": "lib/insecurity.ts", "start_line": 56, "end_line": 56}}
    assert mechanism(jwt, ["CWE-798"]).startswith("Whoever knows a JWT signing secret can sign a token for any user")
    assert "JWT" not in (mechanism(dict(jwt, rule_id="generic.secrets.security.detected-aws-key"), ["CWE-798"]) or "")


def test_the_stage2_check_first_line_reads_as_one_sentence():
    cut = bandit("B608", "app/app.py", 261, "261     str_query = (\n")  # the query's text is not on the line shown
    rec = reconcile(cut, {"verdict": "needs_review", "reasons": [LOW], "source": "report"})
    text = rows.stage2_needs_review("Use bound parameters.", rec)
    assert text.startswith("Check first: whether a value from outside (a request, a file an attacker writes) reaches "
                           "app/app.py:261 (the rule rates its own confidence LOW). If the finding holds:")
    other = rows.stage2_needs_review("x", {"reasons": [{"evidence": "not deployed: x is example code"}]})
    assert other.startswith("Check first: not deployed: x is example code. If the finding holds:")


def test_the_cwe_the_rule_gives_moves_from_the_stage1_prompt_into_the_verdict():
    """The model must learn which weakness a finding is: the stage-1 prompt does not give the CWE away, the
    answer names the rule's or advisory's CWE next to a verdict that keeps the finding; never a kind default or
    a retrieved guess, and never next to a false positive; stage 2's prompt keeps it."""
    from tasks.datasets.prompts import describe_finding

    f = {"id": "a1", "tool": "bandit", "tool_version": "1.7", "kind": "code", "rule_id": "B608", "title": "SQL",
         "description": "Possible SQL injection.", "severity": "medium", "cwe": ["CWE-89"], "cve": [], "ghsa": [],
         "location": {"path": "app/db.py", "start_line": 3}, "snippet": "q = 'x' % y"}
    assert "CWE" not in describe_finding(f, None, 400, show_cwe=False)
    assert "CWE: CWE-89" in describe_finding(f, None, 400)
    kept = {"verdict": "true_positive", "reasons": [{"check": "code", "evidence": "`y` comes from request.args"}]}
    assert verdict_text(kept, stated_cwe({"cwe": ["CWE-89"], "cwe_source": "report"})).startswith(
        "## Verdict\nTrue positive (CWE-89): `y` comes from request.args.")
    named = {"cwe": ["CWE-89", "CWE-564"], "cwe_source": "report", "cwe_name": "SQL Injection"}
    assert verdict_text(kept, stated_cwe(named)).startswith(
        "## Verdict\nTrue positive (SQL Injection, CWE-89): `y` comes from request.args.")
    assert stated_cwe({"cwe": ["CWE-1395"], "cwe_source": "kind-default", "cwe_name": "Dependency"}) is None
    assert stated_cwe({"cwe": ["CWE-327"], "cwe_source": "retrieved"}) is None
    review = {"verdict": "needs_review", "reasons": [{"check": "path", "evidence": "seed data"}]}
    assert verdict_text(review, "CWE-798").startswith("## Verdict\nNeeds review (CWE-798): seed data.")
    false = {"verdict": "false_positive", "reasons": [{"check": "version", "evidence": "not affected: 3.1.2 is outside >=4.0.0"}]}
    assert verdict_text(false, "CWE-400") == "## Verdict\nFalse positive: not affected: 3.1.2 is outside >=4.0.0.\n\n"


def test_the_weakness_is_named_the_way_readers_know_it_before_its_id():
    """The narrative carries MITRE's short name for its first CWE (the quoted alias when the name has one)."""
    from tasks.enrich.knowledge_base import short_name

    assert short_name("Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')") == \
        "Cross-site Scripting"
    assert short_name("Inefficient Regular Expression Complexity") == "Inefficient Regular Expression Complexity"
    assert short_name("Server-Side Request Forgery (SSRF)") == "Server-Side Request Forgery (SSRF)"
    assert short_name("") == ""
