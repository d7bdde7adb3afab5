"""The dataset linter: every check fires on a bad row and stays silent on a good one; a hard check fails the build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from datasets_rows import dependency, finding, narrative, row, run_build
from test_enrich_datasets import kb_path  # noqa: F401  (the module-scoped KB fixture)

from tasks.core.config import load_config
from tasks.core.errors import SecftError
from tasks.datasets.lint import HARD, lint, row_problems

CFG = load_config(Path(__file__).resolve().parent.parent / "config/pipeline.yaml", environ={})["datasets"]
SQL = finding("sql")
GOOD_DIFF = (
    "```diff\n--- a/app/db.py\n+++ b/app/db.py\n@@ -11,1 +11,1 @@\n"
    "-    cur.execute(\"SELECT * FROM users WHERE id = '%s'\" % uid)\n"
    "+    cur.execute(\"SELECT * FROM users WHERE id = %s\", (uid,))\n```\n"
    "Reason: bound parameters keep the id out of the SQL text (CWE-89)."
)
REQ = dependency("req", "requests", "2.0.0", "2.0.1")
NOFIX = dependency("nofix", "libfoo", "1.0", None)
VIA = dependency("via", "@vercel/node", "2.0.0", None, fix_hint="Upgrade vercel to 32.3.0 (semver-major)")
SEMVER = dependency("semver", "semver", "5.7.1", "5.7.2")
SEMVER["package"]["fixed_versions"] = ["7.5.2", "6.3.1", "5.7.2"]
GOOD = [
    (SEMVER, row(SEMVER, "Upgrade semver from 5.7.1 to 5.7.2 (the advisory also lists 7.5.2, 6.3.1 for other release lines).", language=None)),
    (SQL, row(SQL, GOOD_DIFF, fix_source="pattern")),
    (REQ, row(REQ, "Upgrade requests from 2.0.0 to 2.0.1 (the first fixed version).\n```\nrequests>=2.0.1\n```", language=None)),
    (NOFIX, row(NOFIX, "No fixed version of libfoo is published as of the scan; remove libfoo if unused or isolate it.", language=None)),
]


@pytest.mark.parametrize("f,r", GOOD, ids=["other-release-lines", "diff", "upgrade", "no-fix-published"])
def test_good_rows_pass_every_check(f, r):
    assert row_problems(r, f) == {}


BAD = [
    ("foreign_language_code", SQL, "Use a prepared statement:\n```js\nconst q = db.prepare('SELECT * FROM users WHERE id = ?');\n```\nCWE-89 in app/db.py."),
    ("foreign_language_advice", SQL, "CWE-89 in app/db.py. Never pass user input to printf, where a %n specifier writes memory."),
    ("ci_workspace_path", SQL, "CWE-89 in /home/runner/work/shop/shop/app/db.py: use bound parameters."),
    ("possible_secret", SQL, "CWE-89 in app/db.py; connect with key " + "AKIA" + "Z3MHQXT7LP2KQW4N and use bound parameters."),
    ("no_fix_for_code_or_config", SQL, "CWE-89 in app/db.py. No fix is published yet; reduce exposure and watch for an update."),
    ("empty_or_boilerplate", SQL, "Fix it."),
    ("empty_or_boilerplate", SQL, "Follow secure coding guidelines and validate all input before using it anywhere."),
    ("unknown_fixed_version", REQ, "Upgrade requests from 2.0.0 to 2.31.0.\n```\nrequests>=2.31.0\n```"),
    ("unknown_fixed_version", NOFIX, "Upgrade libfoo from 1.0 to 1.2 to fix it."),
    ("unknown_fixed_version", dict(REQ, package=dict(REQ["package"], fixed_version="fix_1")), "Upgrade requests from 2.0.0 to fix_1 now."),
    ("no_fix_but_scanner_fix", VIA, "The scan lists no fixed version of @vercel/node for the dependencies it pulls in; remove it if unused."),
]


@pytest.mark.parametrize("check,f,answer", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_each_check_fires_on_a_bad_row(check, f, answer):
    r = row(f, answer, language=None if f["kind"] == "dependency" else "python")
    assert check in row_problems(r, f)


def test_lint_counts_per_check_and_near_duplicates():
    other = finding("sql2", location={"path": "app/other.py", "start_line": 3, "end_line": 3})
    files = {
        "stage2_train.jsonl": [GOOD[1][1], row(other, GOOD_DIFF.replace("app/db.py", "app/other.py"))],
        "stage2_valid.jsonl": [row(REQ, "Upgrade requests from 2.0.0 to 2.31.0 with pip install.", language=None)],
    }
    report = lint(files, {f["id"]: f for f in (SQL, other, REQ)}, 90)
    assert report["checks"]["unknown_fixed_version"]["count"] == 1
    assert report["checks"]["unknown_fixed_version"]["first"].startswith(f"stage2_valid.jsonl line 1 (finding {REQ['id']}")
    assert report["near_duplicate_share"]["stage2"] == {"rows": 3, "near_duplicates": 2, "share": 0.6667}
    assert not report["checks"]["near_duplicate"]["hard"] and set(HARD) <= set(report["checks"])
    assert all(report["checks"][c]["count"] == 0 for c in HARD if c != "unknown_fixed_version")


def test_a_bad_row_is_quarantined_and_the_build_goes_on(tmp_path):
    import json

    bad = finding("ci")
    goods = [finding(f"ok{i}", rule_id=f"python.sqli{i}", location={"path": f"app/m{i}.py", "start_line": 11, "end_line": 11})
             for i in range(6)]
    text = "## What the weakness is\nCWE-89 at /github/workspace/app/db.py: use bound parameters in app/db.py."
    texts = ["The id from the request query string is formatted into the SQL text (CWE-89); bind it with `%s` and a tuple.",
             "Any signed-in user can send a quote in the name field; psycopg2's parameter binding keeps it data.",
             "Reachable from the public search endpoint without login: a UNION SELECT reads the users table.",
             "Only the admin CLI calls this, so the input is an operator's own; still bind it, the fix is one line.",
             "An ORDER BY column cannot be bound: check it against the list of allowed column names instead.",
             "The LIKE pattern needs its own escaping of % and _ after binding; sqlite3 accepts ESCAPE '\\'."]
    ok = [narrative(g, f"## Where\n{texts[i]} In app/m{i}.py line 11.") for i, g in enumerate(goods)]
    info = run_build(tmp_path, [bad] + goods, [narrative(bad, text)] + ok, CFG | {"valid_percent": 1, "test_percent": 0})
    held = [json.loads(l) for l in (tmp_path / "td" / "quarantine.jsonl").read_text().splitlines()]
    assert [(q["finding_id"], q["file"]) for q in held] == [(bad["id"], "stage1_train.jsonl")]
    assert "ci_workspace_path" in held[0]["reasons"]
    train = (tmp_path / "td" / "stage1_train.jsonl").read_text()
    assert bad["id"] not in train and all(g["id"] in train for g in goods)
    assert info["lint"]["quarantined"]["stage1"] == {"rows": 7, "quarantined": 1, "share": 0.1429,
                                                     "by_check": {"ci_workspace_path": 1}}


def test_one_bad_row_of_a_small_build_is_set_aside_and_the_build_goes_on(tmp_path):
    bad = finding("ci")
    text = "## What the weakness is\nCWE-89 at /github/workspace/app/db.py: use bound parameters in app/db.py."
    run_build(tmp_path, [bad], [narrative(bad, text)], CFG | {"valid_percent": 1, "test_percent": 0})
    held = [json.loads(l) for l in (tmp_path / "td" / "quarantine.jsonl").read_text().splitlines()]
    assert [q["finding_id"] for q in held] == [bad["id"]]
    assert json.loads((tmp_path / "td" / "lint.json").read_text())["quarantined"]["stage1"]["share"] == 1.0


def test_too_many_bad_rows_fail_the_build_naming_the_check(tmp_path):
    bads = [finding(f"ci{i}", rule_id=f"python.sqli{i}", location={"path": f"app/db{i}.py", "start_line": 11, "end_line": 11}) for i in range(3)]
    texts = [f"## What the weakness is\nThe query at /github/workspace/app/db{i}.py line {11 + i} joins {w} into SQL: bind "
             f"{w} as a parameter in app/db{i}.py." for i, w in enumerate(("the user name", "an order id", "a search term"))]
    with pytest.raises(SecftError) as err:
        run_build(tmp_path, bads, [narrative(b, t) for b, t in zip(bads, texts)], CFG | {"valid_percent": 1, "test_percent": 0})
    bad = next(b for b in bads if b["id"] in str(err.value))  # the first row of the stage file
    message = str(err.value)
    assert "ci_workspace_path" in message and bad["id"] in message and "max_quarantine_share" in message and "\n" not in message
    assert not list((tmp_path / "td").glob("stage*.jsonl"))  # nothing half-built for training to pick up
    assert (tmp_path / "td" / "lint.json").is_file()
    held = [json.loads(l) for l in (tmp_path / "td" / "quarantine.jsonl").read_text().splitlines()]
    assert sorted(q["finding_id"] for q in held) == sorted(b["id"] for b in bads) and "quarantine.jsonl" in message


def test_a_no_fix_answer_is_not_built_when_the_scanner_proposes_a_fix(tmp_path):
    from tasks.datasets import rows

    assert rows.ignores_scanner_fix(VIA, "no-fix-published") and not rows.ignores_scanner_fix(NOFIX, "no-fix-published")
    info = run_build(tmp_path, [VIA], [narrative(VIA, "## What the weakness is\n@vercel/node pulls in a vulnerable dependency.")],
                     CFG | {"valid_percent": 1, "test_percent": 0})
    assert info["stage2_dropped"] == {rows.SCANNER_HAS_FIX: 1} and info["counts"]["stage1"]["train"] == 1


FORTIFY = {
    "version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
    "runs": [{"tool": {"driver": {"name": "Fortify", "version": "23.1",
                                  "rules": [{"id": "F7F0B6A0-2D5B-4C33-8C2A-1F0C6C6D0B51", "name": "Password Management: Hardcoded Password",
                                             "shortDescription": {"text": ""}, "fullDescription": {"text": ""}}]}},
              "results": [{"ruleId": "F7F0B6A0-2D5B-4C33-8C2A-1F0C6C6D0B51", "message": {"text": ""}, "level": "error",
                           "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/main/resources/application.properties"},
                                                               "region": {"startLine": 12}}}]}]}],
}


def test_a_fortify_result_with_an_empty_message_does_not_fail_the_build(tmp_path, kb_path):
    import json

    from tasks.enrich import narrative_for
    from tasks.enrich.knowledge_base import KnowledgeBase
    from tasks.findings.parsers import parse_report

    report = tmp_path / "fortify.sarif"
    report.write_text(json.dumps(FORTIFY))
    findings = parse_report(report).findings
    assert len(findings) == 1 and findings[0]["description"] == ""
    kb = KnowledgeBase(kb_path)
    info = run_build(tmp_path / "b", findings, [narrative_for(kb, f, 3) for f in findings],
                     CFG | {"valid_percent": 1, "test_percent": 0})
    assert info["lint"]["quarantined"]["stage1"]["share"] <= CFG["max_quarantine_share"]


def test_a_finding_triage_calls_no_security_weakness_gets_no_row(tmp_path):
    """datasets.not_security: drop (default) leaves out findings triage judged not security; explain keeps them."""
    ops = finding("ops", tool="checkov", kind="config", rule_id="CKV_K8S_8", snippet=None, cwe=[],
                  location={"path": "k8s/deploy.yaml", "start_line": 1, "end_line": 20})
    real = finding("real")
    text = "## What the weakness is\nCWE-89 in app/db.py line 11: the id is formatted into the SQL; bind it instead."
    records = [{"finding_id": ops["id"], "verdict": "false_positive", "source": "report",
                "reasons": [{"check": "report", "evidence": "not a security weakness: CKV_K8S_8 checks a liveness probe, "
                             "an availability setting, not a security control"}]},
               {"finding_id": real["id"], "verdict": "true_positive", "source": "evidence",
                "reasons": [{"check": "flow", "evidence": "request data reaches the query"}]}]
    triage = tmp_path / "triage.jsonl"
    triage.write_text("".join(json.dumps(r) + "\n" for r in records))
    cfg = CFG | {"valid_percent": 1, "test_percent": 0}
    info = run_build(tmp_path, [ops, real], [narrative(ops, text), narrative(real, text)], cfg, {"triage": str(triage)})
    rows = (tmp_path / "td" / "stage1_train.jsonl").read_text() + (tmp_path / "td" / "stage2_train.jsonl").read_text()
    assert ops["id"] not in rows and real["id"] in rows
    assert any("not a security weakness" in k for k in info["stage1_dropped"])
    info = run_build(tmp_path, [ops, real], [narrative(ops, text), narrative(real, text)],
                     cfg | {"not_security": "explain", "max_quarantine_share": 1.0}, {"triage": str(triage)})
    assert not any("not a security weakness" in k for k in info["stage1_dropped"])  # explained like any false positive


def test_a_finding_triage_cannot_decide_gets_a_fix_row_and_no_analysis_unless_explained(tmp_path):
    """datasets.needs_review: fix_only (default) builds no stage-1 analysis for a needs_review finding (0 of 45 such
    rows were clean in three blind reviews); explain builds it."""
    unsure = finding("unsure")
    real = finding("real")
    text = "## What the weakness is\nCWE-89 in app/db.py line 11: the id is formatted into the SQL; bind it instead."
    records = [{"finding_id": unsure["id"], "verdict": "needs_review", "source": "evidence",
                "reasons": [{"check": "code", "evidence": "the query's values come from a helper whose callers are not shown"}]},
               {"finding_id": real["id"], "verdict": "true_positive", "source": "evidence",
                "reasons": [{"check": "flow", "evidence": "request data reaches the query"}]}]
    triage = tmp_path / "triage.jsonl"
    triage.write_text("".join(json.dumps(r) + "\n" for r in records))
    cfg = CFG | {"valid_percent": 1, "test_percent": 0, "max_quarantine_share": 1.0}
    narratives = [narrative(unsure, text), narrative(real, text)]
    run_build(tmp_path, [unsure, real], narratives, cfg, {"triage": str(triage)})
    stage1 = (tmp_path / "td" / "stage1_train.jsonl").read_text()
    assert unsure["id"] not in stage1 and real["id"] in stage1
    run_build(tmp_path, [unsure, real], narratives, cfg | {"needs_review": "explain"}, {"triage": str(triage)})
    assert unsure["id"] in (tmp_path / "td" / "stage1_train.jsonl").read_text()


def test_a_checkov_skip_comment_on_a_secret_rule_is_not_a_secret():
    """umami (set 15): `#checkov:skip=CKV_SECRET_4:not deployed: ...` read as key `CKV_SECRET_4`, value `not deployed...`
    by detect-secrets' YAML keyword plugin: three of six stage-2 rows quarantined and the build failed."""
    f = dict(finding("secretskip"), path="cypress/docker-compose.yml")
    f["location"] = dict(f["location"], path="cypress/docker-compose.yml")
    answer = ("False positive: not deployed: cypress/docker-compose.yml is test code. Suppress it:\n```yaml\n"
              "#checkov:skip=CKV_SECRET_4:not deployed: cypress/docker-compose.yml is test code, which holds sample data\n```")
    r = row(f, answer, language="yaml")
    r["meta"]["path"] = "cypress/docker-compose.yml"
    assert "possible_secret" not in row_problems(r, f)
    leaked = row(f, answer + "\n\nThe old value was\n```yaml\nDATABASE_PASSWORD: 9f8A7s6D5f4G3h2J1k0L\n```", language="yaml")
    leaked["meta"]["path"] = "cypress/docker-compose.yml"
    assert "possible_secret" in row_problems(leaked, f)


def test_code_quoted_from_the_prompt_is_specific_and_a_template_literal_is_no_marker():
    """NodeBB (set 16): rows that trace `keys` from `Object.keys(req.query);` were called boilerplate (Semgrep's report
    carries no code, the prompt's code came from the checkout), and `${strip}` in a quoted RegExp was a template marker."""
    from tasks.datasets.checks import template_marker
    from tasks.datasets.lint import boilerplate

    f = dict(finding("nodebb"), snippet="")
    prompt = "Code (install/web.js lines 125-130):\n```\nconst keys = Object.keys(req.query);\nconst dbName = keys[0];\n```"
    answer = ("## Verdict\nTrue positive (Eval Injection, CWE-95): `keys` is set on line 127 from `Object.keys(req.query);`, "
              "the HTTP request, and reaches line 129.\n\n## How to fix it\n- Never pass input to `require`.")
    r = row(f, answer)
    r["messages"][1]["content"] = prompt
    assert boilerplate(r, f) is None
    r["messages"][1]["content"] = "Code (install/web.js): not shown"
    assert boilerplate(r, f) is not None  # quoted code the prompt does not hold is not this finding's
    assert template_marker("Line 214 `key = modulePath.replace(new RegExp(`.?(/[^/]+){${strip}}/`), '')` decides it.") is None
    assert template_marker("Fix (<fix_family>): use {strip} here.") is not None
