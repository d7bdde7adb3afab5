"""The stage-1 verdict follows the code shown, not only the path or the rule's confidence (issue 22).

Real code: Bandit findings on we45/Vulnerable-Flask-App and nVisium/django.nV (excerpts and commits in
tests/fixtures/evidence/SOURCES.md), DefectDojo's own Bandit/Checkov reports (shared fixtures).
"""

from __future__ import annotations

from pathlib import Path

from tasks.datasets import rows
from tasks.enrich.evidence import benign, config_setting, request_origin
from tasks.enrich.verdicts import reconcile, verdict_text

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
    rec = reconcile(VFA, {"verdict": "needs_review", "reasons": [LOW], "source": "report"})
    assert rec["verdict"] == "true_positive"
    assert verdict_text(rec).startswith("## Verdict\nTrue positive: line 261 puts `search_term` into the SQL text by "
                                        "%-formatting; Bandit rates B608 LOW only because")
    login = bandit("B608", "introduction/views.py", 158, "157 \n158                 sql_query = \"SELECT * FROM "
                   "introduction_login WHERE user='\"+name+\"' AND password='\"+password+\"'\"\n159     print(sql_query)\n")
    assert "puts `name` and `password` into the SQL text by concatenation" in verdict_text(reconcile(
        login, {"verdict": "needs_review", "reasons": [LOW], "source": "report"}))
    constant = bandit("B608", "app/db.py", 3, "3 q = \"SELECT * FROM users WHERE active = 1\"\n")
    assert reconcile(constant, {"verdict": "needs_review", "reasons": [LOW], "source": "report"})["verdict"] == "needs_review"


def test_a_fixed_file_path_feeding_yaml_load_is_not_confirmed_as_outside_input():
    # pygoat introduction/lab_code/test.py:22-23, a scratch script reading /home/fox/test.yaml
    f = bandit("B506", "introduction/lab_code/test.py", 23, "22 stream = open('/home/fox/test.yaml', 'r')\n"
               "23 data = yaml.load(stream)\n24 \n", cwe=("CWE-20",))
    ev = benign(f)
    assert ev.text == ("`stream` is set on line 22 from `open('/home/fox/test.yaml', 'r')`, a file at a fixed path, so only "
                       "whoever can write that file reaches line 23")
    tp = {"verdict": "true_positive", "reasons": [], "source": "report"}
    assert reconcile(f, tp)["verdict"] == "needs_review"
    upload = bandit("B506", "app/app.py", 3, "2 stream = request.files['f'].read()\n3 data = yaml.load(stream)\n", cwe=("CWE-20",))
    assert benign(upload) is None


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


TWO_PORTS = ('resource "aws_security_group" "web-node" {\n  ingress {\n    from_port = 80\n    to_port   = 80\n'
             '    protocol  = "tcp"\n    cidr_blocks = [\n    "0.0.0.0/0"]\n  }\n  ingress {\n    from_port = 22\n'
             '    to_port   = 22\n    protocol  = "tcp"\n    cidr_blocks = [\n    "0.0.0.0/0"]\n  }\n}\n')


def test_a_security_group_check_quotes_the_rule_for_its_own_port():
    # TerraGoat ec2.tf:77-115: port 80 comes first, CKV_AWS_24 is about the SSH rule below it
    from tasks.enrich.iac_reach import terraform_reach

    f = {"id": "5" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_AWS_24", "title": "t", "severity": "high",
         "description": "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22 (resource aws_security_group.web-node, "
                        "framework terraform)", "location": {"path": "ec2.tf", "start_line": 77, "end_line": 93},
         "snippet": TWO_PORTS}
    ev = config_setting(f, "```hcl\ncidr_blocks = [var.admin_cidr]\n```")
    assert ev.text == 'aws_security_group.web-node sets `cidr_blocks = ["0.0.0.0/0"]` (line 89)'
    assert "on port 22:" in terraform_reach(f)
    web = f | {"rule_id": "CKV_AWS_260"}
    assert "(line 82)" in config_setting(web, "```hcl\ncidr_blocks = [var.http_source_cidr]\n```").text
    assert "on port 80:" in terraform_reach(web)


def test_a_fix_that_adds_its_own_resource_never_quotes_the_buckets_name_as_evidence():
    bucket = 'resource "aws_s3_bucket" "data" {\n  bucket = "acme-data"\n  acl    = "private"\n}\n'
    f = {"id": "6" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_AWS_21", "title": "t", "severity": "medium",
         "description": "Ensure all data stored in the S3 bucket have versioning enabled (resource aws_s3_bucket.data, "
                        "framework terraform)", "location": {"path": "s3.tf", "start_line": 1, "end_line": 4}, "snippet": bucket}
    fix = '```hcl\nresource "aws_s3_bucket_versioning" "data" {\n  bucket = aws_s3_bucket.data.id\n}\n```'
    ev = config_setting(f, fix)
    assert ev.text == ("Checkov found no `aws_s3_bucket_versioning` resource attached to aws_s3_bucket.data with the setting "
                       "on, and the bucket has no inline `versioning` block")
    assert config_setting(f | {"snippet": bucket.replace("}\n", "  versioning {\n    enabled = false\n  }\n}\n")}, fix) is None
    empty = config_setting(f | {"snippet": 'resource "aws_s3_bucket" "data" {}\n'}, fix)  # wrongsecrets shared-state main.tf:15
    assert empty.text.startswith("Checkov found no `aws_s3_bucket_versioning` resource attached to aws_s3_bucket.data")


def test_bandits_high_shell_form_says_the_command_is_built_at_run_time():
    f = bandit("B602", "introduction/views.py", 432, "431     command,\n432     shell=True,\n", cwe=("CWE-78",))
    f["title"] = "subprocess call with shell=True identified, security issue."
    text = verdict_text(reconcile(f, {"verdict": "true_positive", "reasons": [], "source": "report"}))
    assert "True positive" in text and "the command handed to the shell is not a string literal" in text
    literal = dict(f, title="subprocess call with shell=True seems safe, but may be changed in the future")
    assert reconcile(literal, {"verdict": "true_positive", "reasons": [], "source": "report"})["reasons"] == []


POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: mysql\nspec:\n  containers:\n    - image: mysql\n      name: mysql\n"
       "      ports:\n        - containerPort: 3306\n")


def test_a_manifest_verdict_says_what_the_container_leaves_to_the_default():
    # kubernetes/examples databases/mysql-cinder-pd/mysql.yaml (CKV_K8S_20): the whole Pod, no securityContext
    f = {"id": "7" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_K8S_20", "title": "t", "severity": "medium",
         "description": "Containers should not run with allowPrivilegeEscalation (resource Pod.default.mysql, framework kubernetes)",
         "location": {"path": "mysql.yaml", "start_line": 1, "end_line": 10}, "snippet": POD}
    fix = "```yaml\ncontainers:\n  - name: mysql\n    securityContext:\n      allowPrivilegeEscalation: false\n```"
    assert config_setting(f, fix).text == ("container `mysql` (image mysql) sets no securityContext: allowPrivilegeEscalation "
                                           "defaults to true, so a setuid binary in the image can raise the process's privileges")
    rec = reconcile(f, {"verdict": "true_positive", "reasons": [], "source": "report"}, remediation=fix)
    assert rec["reasons"][0]["evidence"].startswith("container `mysql` (image mysql) sets no securityContext")
    assert config_setting(f | {"snippet": POD.split("spec:")[0]}, fix) is None  # a cut manifest: no claim of absence
    already = POD + "      securityContext:\n        allowPrivilegeEscalation: true\n"
    assert config_setting(f | {"snippet": already}, fix) is None


def test_a_dockerfile_verdict_quotes_the_add_line_or_the_missing_user():
    base = {"id": "8" * 32, "tool": "checkov", "kind": "config", "title": "t", "severity": "medium"}
    add = base | {"rule_id": "CKV_DOCKER_4", "description": "d (resource /Dockerfile.ADD, framework dockerfile)",
                  "location": {"path": "Dockerfile", "start_line": 5, "end_line": 5}, "snippet": "ADD secret.txt /root/secret.txt"}
    assert config_setting(add, "```dockerfile\nCOPY secret.txt /root/secret.txt\n```").text.startswith(
        "line 5 ADDs the local file secret.txt (`ADD secret.txt /root/secret.txt`)")
    whole = "FROM alpine:latest\n\nADD secret.txt /root/secret.txt\n\nCMD [\"sh\"]\n"
    user = base | {"rule_id": "CKV_DOCKER_3", "description": "d (resource /Dockerfile., framework dockerfile)",
                   "location": {"path": "Dockerfile", "start_line": 1, "end_line": 5}, "snippet": whole}
    fix = "```dockerfile\nUSER 10001\n```"
    assert config_setting(user, fix).text.startswith("no line of the Dockerfile (lines 1-5) sets USER")
    assert config_setting(user | {"snippet": whole + "USER app\n"}, fix) is None
    licensed = user | {"snippet": "# Copyright 2016 The Kubernetes Authors.\n\n" + whole}
    assert config_setting(licensed, fix).text.startswith("no line of the Dockerfile (lines 1-7) sets USER")


def test_a_password_digest_is_confirmed_by_the_code():
    f = bandit("B324", "sqli/dao/user.py", 41, "40     def check_password(self, password: str):\n"
               "41         return self.pwd_hash == md5(password.encode('utf-8')).hexdigest()\n", cwe=("CWE-327",))
    rec = reconcile(f, {"verdict": "true_positive", "reasons": [], "source": "report"})
    assert rec["reasons"][0]["evidence"].startswith("line 41 digests `password` with MD5")
    key = dict(f, snippet="41         key = md5(url.encode()).hexdigest()\n")
    assert not any("digests" in r["evidence"] for r in reconcile(key, {"verdict": "true_positive", "reasons": [],
                                                                       "source": "report"})["reasons"])


def test_a_row_that_would_say_only_its_verdict_is_not_built_and_a_repeated_section_goes():
    # terraform-aws-eks tests/eks-fargate-profile/main.tf (CKV_AWS_355): needs review by path, nothing else to say
    tf = {"id": "9" * 32, "tool": "checkov", "kind": "config", "rule_id": "CKV_AWS_355", "title": "t", "severity": "medium",
          "description": "d (resource aws_iam_policy.additional, framework terraform)", "snippet": None,
          "location": {"path": "tests/eks-fargate-profile/main.tf", "start_line": 150, "end_line": 164}}
    rec = {"verdict": "needs_review", "reasons": [{"check": "path", "evidence": "tests/eks-fargate-profile/main.tf is test "
                                                   "code: check whether it is deployed"}], "source": "evidence"}
    s1 = rows.chat("s", "Rule: CKV_AWS_355", "## References\n- https://docs.example/ckv_aws_355", {"stage": 1})
    out, _ = rows.apply_triage(tf, {"narrative": "x", "sections": {}}, {}, rec, s1, (None, "no fix", {}), {"triage": "explain"})
    assert out is None
    from tasks.enrich.specifics import reach

    assert reach(tf) is None  # an infrastructure test applies real resources: not "only in CI"
    f = bandit("B307", "introduction/mitre.py", 218, "217     expression = request.POST.get('expression')\n"
               "218     result = eval(expression)\n", cwe=("CWE-95",))
    s1 = rows.chat("s", "Rule: B307", "## What is wrong here\n`expression` is set on line 217 from "
                   "`request.POST.get('expression')`.\n\n## How it works\n`eval` runs any Python expression.", {"stage": 1})
    tp = {"verdict": "true_positive", "reasons": [], "source": "report"}
    out, _ = rows.apply_triage(f, {"narrative": "x", "sections": {}}, {}, tp, s1, (None, "no fix", {}), {"triage": "explain"})
    text = out["messages"][2]["content"]
    assert text.count("is set on line 217") == 1 and "## What is wrong here" not in text and "## How it works" in text


def test_a_token_hashed_from_guessable_values_says_what_it_is_made_from():
    from tasks.enrich.analysis import what_is_wrong

    # pygoat dockerized_labs/broken_auth_lab/app.py:85-86 (Bandit B324)
    f = bandit("B324", "lab/app.py", 86, "85     # Vulnerable: Predictable token generation\n"
               "86     token = hashlib.md5(f\"{email}:{datetime.now()}\".encode()).hexdigest()\n", cwe=("CWE-327",))
    assert what_is_wrong(f, ["CWE-327"], "report").startswith(
        "Line 86 makes the token from `email` and `datetime.now()`: values an attacker knows")
    etag = dict(f, snippet="86     etag = hashlib.md5(body).hexdigest()\n")
    assert "makes the token" not in what_is_wrong(etag, ["CWE-327"], "report")


def test_a_bare_verdict_with_only_the_catalogue_pattern_is_not_a_row():
    from tasks.enrich.wording import teaches_nothing
    from tasks.findings.model import as_finding

    f = as_finding(bandit("B602", "app/run.py", 12, "12     subprocess.call(cmd, shell=True)\n", cwe=("CWE-78",)))
    bare = {"verdict": "true_positive", "reasons": [STOCK]}
    generic = "## Verdict\nTrue positive as reported.\n\n## How it works\nx\n\n## How to fix it\n- For this python code: y"
    assert teaches_nothing(f, bare, "pattern", {"has_diff": False}, generic)
    assert not teaches_nothing(f, bare, "pattern", {"has_diff": True}, generic)  # the fix is fitted to this code
    said = {"verdict": "true_positive", "reasons": [{"check": "code", "evidence": "line 12 reads the request"}]}
    assert not teaches_nothing(f, said, "pattern", {"has_diff": False}, generic)
    assert not teaches_nothing(f, bare, "pattern", {"has_diff": False}, generic.replace("## How it works",
                                                                                       "## What is wrong here\n`cmd` is set on line 9\n\n## How it works"))


def test_a_trivy_container_block_without_a_security_context_is_evidence_too():
    # Trivy kubernetes.json (shared fixture), KSV014 on default/Deployment/redis-follower: the container's own lines
    f = {"id": "c" * 32, "tool": "trivy", "kind": "config", "rule_id": "KSV014", "title": "Root file system is not read-only",
         "severity": "high", "description": "d", "location": {"path": "default/Deployment/redis-follower", "start_line": 132,
                                                            "end_line": 140},
         "snippet": "- image: gcr.io/google_samples/gb-redis-follower:v2\n  imagePullPolicy: IfNotPresent\n  name: follower\n"
                    "  ports:\n    - containerPort: 6379\n"}
    ev = config_setting(f, "```yaml\ncontainers:\n  - securityContext:\n      readOnlyRootFilesystem: true\n```")
    assert ev.text.startswith("container `follower` (image gcr.io/google_samples/gb-redis-follower:v2) sets no securityContext")
    assert config_setting(f | {"snippet": "  ports:\n    - containerPort: 6379\n"}, "```yaml\nreadOnlyRootFilesystem: true\n```") is None


def test_a_parser_built_above_with_resolve_entities_false_is_benign():
    # DefectDojo dojo/tools/nmap/parser.py:15-16 (Bandit B320): the parser is built on the line above the flagged call
    nmap = bandit("B320", "dojo/tools/nmap/parser.py", 16, "15         parser = le.XMLParser(resolve_entities=False)\n"
                  "16         nmap_scan = le.parse(file, parser)\n17         root = nmap_scan.getroot()\n", cwe=())
    assert "the parser used on line 16 is built with `resolve_entities=False`" in benign(nmap).text
    plain = dict(nmap, snippet="15         parser = le.XMLParser()\n16         nmap_scan = le.parse(file, parser)\n")
    assert benign(plain) is None
