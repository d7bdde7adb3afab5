"""Triage verdicts: secrets judged before redaction, paths, suppressions, the order of authority, outputs, rows."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tasks.findings.secret_evidence import classify_one
from tasks.findings.parsers.registry import parse_report
from tasks.triage import context
from tasks.triage.advisories import AdvisoryStore
from tasks.triage.step import triage
from tasks.triage.suppressions import RepoSuppressions, in_code
from tasks.triage.verdict import Judge

ADV = Path(__file__).parent / "fixtures" / "advisories"
FIELDS = ["finding_id", "package", "path", "reasons", "rule_id", "source", "tool", "verdict", "vuln_ids"]


def finding(**kw):
    base = {"id": "f" * 32, "tool": "semgrep", "kind": "code", "rule_id": "python.lang.security.x", "title": "t",
            "description": "", "location": {"path": "app/views.py", "start_line": 3, "end_line": 3}, "package": None,
            "snippet": None, "aliases": [], "cve": [], "ghsa": [], "suppressed": False, "severity": "high"}
    return base | kw


def dep(name, version, eco="npm", ids=("CVE-2021-3807",), fixed=None, fixes=(), path="package-lock.json", **kw):
    pkg = {"name": name, "version": version, "ecosystem": eco, "fixed_version": fixed, "fixed_versions": list(fixes),
           "fix_status": "fixed" if fixed else "unknown", "purl": None, "group": None}
    return finding(tool="trivy", kind="dependency", rule_id=ids[0], aliases=list(ids), package=pkg,
                   location={"path": path, "start_line": None, "end_line": None}, **kw)


@pytest.mark.parametrize("value,cls", [("AKIAIOSFODNN7EXAMPLE", "example"), ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "example"),
                                       ("changeme", "placeholder"), ("<your-token>", "placeholder"), ("xxxxxxxx", "placeholder"),
                                       ("POST", "code-word"), ("refresh", "code-word"), ("aaaaBBBB1", "low-entropy"),
                                       ("c77e01c1e89682e4d4b94a059a7fd2b37ab326ed", "high-entropy")])
def test_secret_value_classes(value, cls):
    assert classify_one(value)["class"] == cls


def test_secret_evidence_is_kept_at_parse_time_and_the_value_never_is(tmp_path):
    report = [{"RuleID": "aws-access-token", "Description": "AWS", "File": "deploy/settings.py", "StartLine": 4, "EndLine": 4,
               "Secret": "AKIAIOSFODNN7EXAMPLE", "Match": "key = 'AKIAIOSFODNN7EXAMPLE'", "Commit": "ab" * 20},
              {"RuleID": "generic-api-key", "Description": "key", "File": "app/conf.py", "StartLine": 1, "EndLine": 1,
               "Secret": "Zx9Qm2Lr8Tv4Kp7Wn3Yb6Hd1Fs5Gc0Ja", "Match": "k = 'Zx9Qm2Lr8Tv4Kp7Wn3Yb6Hd1Fs5Gc0Ja'"}]
    (tmp_path / "g.json").write_text(json.dumps(report))
    fs = parse_report(tmp_path / "g.json").findings
    assert [f["secret_evidence"]["class"] for f in fs] == ["example", "high-entropy"]
    text = json.dumps(fs)
    assert "AKIAIOSFODNN7EXAMPLE" not in text and "Zx9Qm2Lr8Tv4Kp7Wn3Yb6Hd1Fs5Gc0Ja" not in text
    recs = [Judge().judge(f) for f in fs]
    assert recs[0]["verdict"] == "false_positive" and "documented example value (AWS documentation access key id)" in recs[0]["reasons"][0]["evidence"]
    assert recs[1]["verdict"] == "true_positive"
    assert "AKIAIOSFODNN7EXAMPLE" not in json.dumps(recs)


def test_bandit_b105_on_a_protocol_word_is_not_a_credential(tmp_path):
    doc = {"results": [{"test_id": "B105", "test_name": "hardcoded_password_string", "filename": "app/okta.py", "line_number": 7,
                        "line_range": [7], "issue_text": "Possible hardcoded password: 'refresh'", "issue_severity": "LOW",
                        "issue_confidence": "MEDIUM", "code": "7 grant_type = 'refresh'\n", "more_info": "https://x"}],
           "metrics": {}, "errors": [], "generated_at": "2024-01-01T00:00:00Z"}
    (tmp_path / "b.json").write_text(json.dumps(doc))
    f = parse_report(tmp_path / "b.json").findings[0]
    assert f["secret_evidence"]["class"] == "code-word"
    rec = Judge().judge(f)
    assert rec["verdict"] == "false_positive" and rec["reasons"][0]["check"] == "secret"


@pytest.mark.parametrize("path,cls", [("tests/test_api.py", "test"), ("src/__fixtures__/a.json", "fixture"),
                                      ("pkg/testdata/go.mod", "fixture"), ("examples/demo.py", "example"),
                                      ("docs/guide.md", "docs"), ("third_party/zlib/inflate.c", "vendored"),
                                      ("app/secret.txt", None), ("src/contest.py", None),
                                      ("web/node_modules/lodash/lodash.js", "library"), ("static/jquery.min.js", "library"),
                                      ("lib/vendor-utils/inflate.js", None), ("dist/app.bundle.js", "vendored")])
def test_path_classes(path, cls):
    assert context.path_class(path) == cls


def test_scanner_test_data_and_scope():
    f = dep("package-1", "1.1.1", eco="rpm", ids=("CVE-1999-0001-package-1",), path="user-input/somefile-1.txt")
    assert Judge().judge(f)["verdict"] == "false_positive"
    dev = dep("mocha", "1.0.0", dependency={"dev": True})
    assert context.check_scope(dev)["status"] == "dev_only"


def test_suppression_comments(tmp_path):
    nosec = finding(tool="bandit", rule_id="B105", snippet="7 pw = 'x'  # nosec B105\n",
                    location={"path": "app/views.py", "start_line": 7, "end_line": 7})
    assert in_code(nosec) and in_code(nosec | {"rule_id": "B106"}) is None  # only the named rule
    # Bandit's code shows the lines around the flagged one: a nosec on the next line does not cover it
    poller = finding(tool="bandit", rule_id="B403", location={"path": "azure/core/polling/_poller.py", "start_line": 139,
                                                              "end_line": 139},
                     snippet="138     raise ValueError('x')\n139     import pickle\n140     r = pickle.loads(t)   # nosec\n")
    assert in_code(poller) is None
    assert in_code(poller | {"location": {"path": "p.py", "start_line": 140, "end_line": 140}}) == "the line carries `# nosec`"
    assert in_code(finding(snippet="eval(x)  // nosemgrep: python.lang.security.x"))
    assert in_code(finding(snippet="eval(x)  # nosemgrep: other-rule")) is None
    # a Semgrep rule of a weakness Bandit also tests: the team's `# nosec` on the call is their decision on it (set 22)
    md5 = finding(rule_id="python.lang.security.insecure-hash-algorithm-md5", snippet="key = hashlib.md5(v).hexdigest()  # nosec")
    assert "the team's suppression of Bandit's test of the same weakness (B303/B324)" in in_code(md5)
    assert in_code(md5 | {"snippet": "key = hashlib.md5(v).hexdigest()  # nosec B603"}) is None  # another test named
    assert in_code(md5 | {"rule_id": "python.flask.security.open-redirect"}) is None  # no Bandit test of that weakness
    tf = finding(tool="checkov", kind="config", rule_id="CKV_AWS_20",
                 snippet='resource "aws_s3_bucket" "b" {\n  #checkov:skip=CKV_AWS_20:public website\n}')
    assert "public website" in in_code(tf)


def test_repository_ignore_files_and_vex(tmp_path):
    (tmp_path / ".trivyignore").write_text("CVE-2021-3807  # accepted\nCVE-2020-0001 exp:2001-01-01\n")
    (tmp_path / ".gitleaksignore").write_text("abc123:conf/a.env:generic-api-key:3\n")
    (tmp_path / ".vex").mkdir()
    (tmp_path / ".vex" / "x.json").write_text(json.dumps({"statements": [
        {"vulnerability": {"name": "CVE-2020-36518"}, "products": [{"@id": "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.12.0"}],
         "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}))
    (tmp_path / "bom.json").write_text(json.dumps({"vulnerabilities": [{"id": "CVE-2022-0155", "analysis": {"state": "false_positive"}}]}))
    sup = RepoSuppressions(tmp_path, [tmp_path / "bom.json"])
    assert ".trivyignore lists CVE-2021-3807" in sup.match(dep("ansi-regex", "4.1.0"), ["CVE-2021-3807"])
    assert sup.match(dep("x", "1", ids=("CVE-2020-0001",)), ["CVE-2020-0001"]) is None  # expired
    leak = finding(tool="gitleaks", kind="secret", rule_id="generic-api-key", location={"path": "conf/a.env", "start_line": 3, "end_line": 3})
    assert sup.match(leak, [])
    jackson = dep("jackson-databind", "2.12.0", eco="maven", ids=("CVE-2020-36518",))
    assert "vulnerable_code_not_in_execute_path" in sup.match(jackson, ["CVE-2020-36518"])
    assert sup.match(dep("follow-redirects", "1.0.0", ids=("CVE-2022-0155",)), ["CVE-2022-0155"])


def test_authority_order_and_evidence():
    judge = Judge(AdvisoryStore(ADV))
    affected = judge.judge(dep("ansi-regex", "4.1.0"))
    assert affected["verdict"] == "true_positive" and affected["vuln_ids"] == ["CVE-2021-3807", "GHSA-93q8-gq69-wqmw"]
    assert judge.fixes[affected["finding_id"]]["fixed_version"] == "4.1.1"
    outside = judge.judge(dep("ansi-regex", "6.0.1", fixed="6.0.1"))
    assert outside["verdict"] == "false_positive" and outside["reasons"][0]["evidence"].startswith("not affected: 6.0.1 is outside")
    # a suppression beats the record
    assert judge.judge(dep("ansi-regex", "4.1.0", suppressed=True))["source"] == "suppression"
    # a manifest in a test fixture is not deployed, even when the record says affected
    assert judge.judge(dep("ansi-regex", "4.1.0", path="tests/fixtures/package-lock.json"))["verdict"] == "false_positive"
    # no record: a language package's version question needs review; the report's own contradiction is a false positive
    nothing = Judge().judge(dep("left-pad", "1.0.0", ids=("CVE-2099-0001",)))
    assert nothing["verdict"] == "needs_review" and "no advisory record" in nothing["reasons"][0]["evidence"]
    assert Judge().judge(dep("left-pad", "1.3.0", ids=("CVE-2099-0001",), fixes=["1.2.0"]))["verdict"] == "false_positive"
    code = Judge().judge(finding())
    assert code["verdict"] == "true_positive" and code["source"] == "report"


def _git(repo: Path, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_reachability_with_a_repository(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "app.js").write_text("const regex = require('ansi-regex');\n")
    _git(repo, "add", "app.js")
    from tasks.repository.source import SourceReader
    from tasks.triage.reachability import ImportIndex

    reader = SourceReader(repo)
    judge = Judge(AdvisoryStore(ADV), reader=reader, imports=ImportIndex(reader))
    used = judge.judge(dep("ansi-regex", "4.1.0", dependency={"direct": True}))
    assert used["verdict"] == "true_positive" and any(r["check"] == "reachability" for r in used["reasons"])
    unused = judge.judge(dep("follow-redirects", "1.14.0", ids=("CVE-2022-0155",), dependency={"direct": True}))
    assert unused["verdict"] == "needs_review"
    assert "never imported in the 1 npm source file(s)" in unused["reasons"][1]["evidence"]


def test_step_writes_the_issue_shape_summary_and_vex(tmp_path):
    findings = [dep("ansi-regex", "6.0.1"), finding(id="a" * 32)]
    findings[0]["package"]["purl"] = "pkg:npm/ansi-regex@6.0.1"
    (tmp_path / "findings.jsonl").write_text("".join(json.dumps(f) + "\n" for f in findings))
    result = triage(tmp_path / "findings.jsonl", tmp_path, {"advisories": {"path": str(ADV)}, "vex": True})
    assert result["false_positive"] == 1 and result["true_positive"] == 1
    rows = [json.loads(l) for l in (tmp_path / "triage.jsonl").read_text().splitlines()]
    assert all(sorted(r) == FIELDS for r in rows)
    assert rows[0]["package"] == {"name": "ansi-regex", "ecosystem": "npm", "version": "6.0.1"}
    assert "not affected: 6.0.1 is outside" in (tmp_path / "triage.md").read_text()
    vex = json.loads((tmp_path / "triage.vex.json").read_text())
    assert vex["statements"][0]["products"] == [{"@id": "pkg:npm/ansi-regex@6.0.1"}]
    assert vex["statements"][0]["status"] == "not_affected"


def test_rows_follow_the_verdict():
    from tasks.datasets import rows
    from tasks.triage.output import with_record_fix

    f = dep("ansi-regex", "6.0.1")
    rec = Judge(AdvisoryStore(ADV)).judge(f)
    narrative = {"narrative": "## What the weakness is\nx", "sections": {"impact": "trivy reported it."}, "triage": None}
    meta = {"tool": "trivy"}
    s1 = rows.chat("s", "u", narrative["narrative"], {"stage": 1})
    s1, fixed = rows.apply_triage(f, narrative, meta, rec, s1, ("Upgrade ansi-regex to 6.0.2", "dependency", {}), {"triage": "explain"})
    assert s1["messages"][2]["content"].startswith("## Verdict\nFalse positive: not affected: 6.0.1 is outside")
    assert fixed[1] == "suppression" and "\nCVE-2021-3807\n" in fixed[0] and "Upgrade" not in fixed[0]
    assert "# not affected: 6.0.1 is outside" in fixed[0]  # .trivyignore: the reason on the comment line above the id
    assert meta["triage"]["verdict"] == "false_positive" and s1["meta"]["triage"] == meta["triage"]
    patched = with_record_fix(dep("ansi-regex", "4.1.0", fixed="6.0.1"), {"f" * 32: {"fixed_version": "4.1.1", "record": "x"}})
    assert patched["package"]["fixed_version"] == "4.1.1"


def test_grype_cpe_match_without_a_record_needs_review(tmp_path):
    doc = {"descriptor": {"name": "grype", "version": "0.80.0"}, "source": {}, "matches": [{
        "vulnerability": {"id": "CVE-2019-8444", "severity": "Medium", "fix": {"versions": [], "state": "unknown"}},
        "matchDetails": [{"type": "cpe-match", "matcher": "javascript-matcher",
                          "searchedBy": {"cpes": ["cpe:2.3:a:*:jira:2.1.0:*:*:*:*:*:*:*"]},  # any vendor
                          "found": {"vulnerabilityID": "CVE-2019-8444", "cpes": ["cpe:2.3:a:atlassian:jira:*:*:*:*:*:*:*:*"]}}],
        "artifact": {"name": "jira", "version": "2.1.0", "type": "npm", "locations": [{"path": "/app/package-lock.json"}],
                     "purl": "pkg:npm/jira@2.1.0"}}]}
    (tmp_path / "grype.json").write_text(json.dumps(doc))
    f = parse_report(tmp_path / "grype.json").findings[0]
    assert f["match"] == {"by": "cpe", "cpes": ["cpe:2.3:a:atlassian:jira:*:*:*:*:*:*:*:*"],
                          "searched": ["cpe:2.3:a:*:jira:2.1.0:*:*:*:*:*:*:*"]}
    rec = Judge().judge(f)
    assert rec["verdict"] == "needs_review" and "matched only by CPE" in rec["reasons"][0]["evidence"]
    assert "vendor atlassian" in rec["reasons"][0]["evidence"]
    # with a record that names the package in another ecosystem, it is a false positive
    record = {"id": "GHSA-xxxx-yyyy-zzzz", "aliases": ["CVE-2019-8444"],
              "affected": [{"package": {"ecosystem": "Maven", "name": "com.atlassian.jira:jira-core"},
                            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "8.4.0"}]}]}]}
    judge = Judge()
    judge.records = lambda ids: [record]
    fp = judge.judge(f)
    assert fp["verdict"] == "false_positive" and fp["reasons"][0]["evidence"].startswith("ecosystem mismatch:")


def test_a_cpe_match_on_another_artifact_of_the_same_ecosystem_is_not_this_package():
    f = dep("cxf-xjc-runtime", "3.3.1", eco="java-archive", ids=("CVE-2019-12423",), match={"by": "cpe", "cpes": []})
    record = {"id": "GHSA-xxxx-yyyy-zzzz", "aliases": ["CVE-2019-12423"],
              "affected": [{"package": {"ecosystem": "Maven", "name": "org.apache.cxf:cxf-rt-rs-security-jose"},
                            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.3.5"}]}]}]}
    judge = Judge()
    judge.records = lambda ids: [record]
    rec = judge.judge(f)
    assert rec["verdict"] == "false_positive" and "org.apache.cxf:cxf-rt-rs-security-jose" in rec["reasons"][0]["evidence"]
    f.pop("match")  # matched by package name: a naming difference is possible, so only review
    assert judge.judge(f)["verdict"] == "needs_review"


def test_a_secret_that_does_not_fit_its_rules_format(tmp_path):
    report = [{"RuleID": "aws-access-token", "Description": "AWS", "File": "conf/aws.tf", "StartLine": 2, "EndLine": 2,
               "Secret": "secretAWSsecret", "Match": "aws_key = secretAWSsecret"}]
    (tmp_path / "g.json").write_text(json.dumps(report))
    f = parse_report(tmp_path / "g.json").findings[0]
    assert f["secret_evidence"]["format"] == "does not fit the aws access key id format"
    rec = Judge().judge(f)
    assert rec["verdict"] == "false_positive" and "does not fit the aws access key id format" in rec["reasons"][0]["evidence"]
    assert "secretAWSsecret" not in json.dumps(f) + json.dumps(rec)


def test_dev_only_from_the_repository_manifests(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "package.json").write_text(json.dumps({"dependencies": {"express": "4"}, "devDependencies": {"ansi-regex": "4"}}))
    (repo / "pyproject.toml").write_text('[tool.poetry.group.dev.dependencies]\npytest = "*"\n[dependency-groups]\nlint = ["ruff>=0.1"]\n')
    from tasks.repository.source import SourceReader
    from tasks.triage.manifests import dev_only_packages

    reader = SourceReader(repo)
    dev = dev_only_packages(reader)
    assert set(dev) == {"ansi-regex", "pytest", "ruff"}
    rec = Judge(AdvisoryStore(ADV), reader=reader).judge(dep("ansi-regex", "4.1.0"))
    assert rec["verdict"] == "true_positive" and rec["reasons"][-1]["check"] == "scope"
    assert "package.json devDependencies" in rec["reasons"][-1]["evidence"]


def test_distro_records_by_source_package():
    from tasks.triage.versions import check_record

    pkg = {"name": "libc6", "version": "2.28-10", "ecosystem": "deb", "purl": "pkg:deb/debian/libc6@2.28-10?arch=amd64&upstream=glibc&distro=debian-10"}
    rec = {"id": "DEBIAN-CVE-2021-33574", "affected": [{"package": {"ecosystem": "Debian:10", "name": "glibc"},
                                                        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.28-10+deb10u1"}]}]}]}
    out = check_record(pkg, [rec])
    assert out["status"] == "affected" and out["fixed"] == "2.28-10+deb10u1"


def test_vex_inputs_stay_inside_the_project(tmp_path):
    from tasks.core.errors import SecftError

    (tmp_path / "findings.jsonl").write_text("")
    (tmp_path / "proj").mkdir()
    with pytest.raises(SecftError, match="triage.vex_inputs entry '.*'.*refused"):
        triage(tmp_path / "findings.jsonl", tmp_path, {"vex_inputs": ["../outside.json"]}, project=tmp_path / "proj")


def test_repository_vex_folder_linked_out_of_the_checkout_is_ignored(tmp_path):
    """A .vex/ folder (or a *.openvex.json) that links outside the checkout is not the team's statement: a
    repository under review must not be able to mark findings not_affected with files from elsewhere on disk."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.json").write_text(json.dumps({"statements": [
        {"vulnerability": {"name": "CVE-2021-3807"}, "products": [{"@id": "pkg:npm/ansi-regex@4.1.0"}],
         "status": "not_affected", "justification": "component_not_present"}]}))
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".vex").symlink_to(outside, target_is_directory=True)
    assert RepoSuppressions(repo, []).match(dep("ansi-regex", "4.1.0"), ["CVE-2021-3807"]) is None
    # the same statement inside the checkout is the team's label
    (repo / ".vex").unlink()
    (repo / ".vex").mkdir()
    (repo / ".vex" / "x.json").write_text((outside / "x.json").read_text())
    assert "component_not_present" in RepoSuppressions(repo, []).match(dep("ansi-regex", "4.1.0"), ["CVE-2021-3807"])
