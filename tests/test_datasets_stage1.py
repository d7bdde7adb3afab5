"""Stage 1 fits the finding: language and platform, config as config, likely false positives triaged."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import FIXTURES
from datasets_rows import finding, run_build
from test_enrich_datasets import kb_path  # noqa: F401  (the module-scoped KB fixture)

from tasks.core.config import load_config
from tasks.enrich import narrative_for
from tasks.enrich.knowledge_base import KnowledgeBase
from tasks.enrich.platforms import entry_applies, fits
from tasks.findings.parsers import parse_report

CFG = load_config(Path(__file__).resolve().parent.parent / "config/pipeline.yaml", environ={})["datasets"]
C_ADVICE = re.compile(r"%n\b|\bprintf\b|\bC\+\+|(?<![\w+#./-])C(?![\w+#/-])|\bPerl\b")

JS_FORMAT = finding(
    "js-format", rule_id="javascript.lang.security.audit.unsafe-formatstring.unsafe-formatstring", cwe=["CWE-134"],
    title="Detected string concatenation with a non-literal variable in a util.format / console.log function.",
    description="If an attacker injects a format specifier in the string, it will forge the log message.",
    location={"path": "web/server.js", "start_line": 40, "end_line": 40}, snippet="console.error('Error: ' + err.message, err);",
)
B101_TEST = finding("b101", tool="bandit", rule_id="B101", cwe=["CWE-703"], severity="low", title="Use of assert detected.",
                    description="Use of assert detected. (test assert_used, confidence high)",
                    location={"path": "tests/test_api.py", "start_line": 12, "end_line": 12}, snippet="    assert resp.status == 200")
LOW_CONF = finding("lowconf", rule_id="python.django.xss.audit", cwe=["CWE-79"], title="Possible XSS via mark_safe",
                   confidence="LOW", description="mark_safe on a value that may be user input.",
                   location={"path": "app/views.py", "start_line": 8, "end_line": 8}, snippet="return mark_safe(label)")


@pytest.fixture(scope="module")
def kb(kb_path):  # noqa: F811
    return KnowledgeBase(kb_path)


def test_no_c_format_string_advice_for_a_javascript_finding(kb):
    entry = kb.get("CWE-134")
    assert entry["platforms"]["languages"] == ["C", "C++", "Perl"] and not entry_applies(entry, "javascript")
    n = narrative_for(kb, JS_FORMAT, 3)
    assert n["language"] == "javascript" and n["cwe"] == ["CWE-134"]
    assert n["cwe_source"] == "report" and n["cwe_name"] == "Use of Externally-Controlled Format String"
    assert narrative_for(kb, LOW_CONF, 3)["cwe_name"] == "Cross-site Scripting"  # MITRE's alias, not the long name
    report_text = JS_FORMAT["title"] + JS_FORMAT["description"]
    advice = n["narrative"].replace(report_text, "")
    assert not C_ADVICE.search(advice), advice
    assert "Mitigation (" not in n["narrative"]
    # the same CWE on a C file does get C advice
    c = narrative_for(kb, dict(JS_FORMAT, id="c" * 32, location={"path": "src/log.c", "start_line": 3, "end_line": 3}), 3)
    assert c["language"] == "c" and "%n" in c["narrative"] and "printf" in c["narrative"]
    assert "For this javascript code:" in n["narrative"] and "console.error(" in n["narrative"]  # the fix in its own language


def test_no_catalogue_paragraph_and_no_row_when_nothing_specific_is_known(tmp_path, kb):
    # no fix pattern for unrestricted uploads, no code, no traced path: the catalogue's CWE-434 mitigations would be
    # the same paragraph in every such row, so the narrative says nothing generic and no stage-1 row is built
    from tasks.datasets.rows import NOTHING_SPECIFIC

    upload = finding("upload", cwe=["CWE-434"], rule_id="python.upload.unrestricted", title="File upload without type check",
                     description="The uploaded file is saved under its own name.", snippet=None)
    n = narrative_for(kb, upload, 3)
    assert n["language"] == "python" and "Mitigation (" not in n["narrative"]
    assert not any(m[:60] in n["narrative"] for m in kb.get("CWE-434")["mitigations"])
    info = run_build(tmp_path, [upload], [n], CFG | {"valid_percent": 1, "test_percent": 0})
    assert info["stage1_dropped"] == {NOTHING_SPECIFIC: 1} and info["counts"]["stage1"]["train"] == 0


def test_a_config_finding_is_explained_as_configuration(kb):
    checkov = parse_report(FIXTURES / "checkov/checkov-report-1-vuln.json").findings[0]
    trivy = next(f for f in parse_report(FIXTURES / "trivy/misconfigurations_and_secrets.json").findings if f["kind"] == "config")
    for f in (checkov, trivy):
        text = narrative_for(kb, f, 3)["narrative"]
        assert "A configuration weakness" not in text and "No fix is published" not in text
        assert f["title"].rstrip(".") not in text  # the check's title is the prompt's, not knowledge
        assert not re.search(r"os\.environ|subprocess|```(?:python|javascript|java)", text)
    assert "purge_protection_enabled" in narrative_for(kb, checkov, 3)["narrative"]  # the setting, from tasks.fixes


def test_dependency_without_fixed_version_says_so_honestly(kb):
    f = next(f for f in parse_report(FIXTURES / "pip_audit/many_vulns.json").findings if not f["package"].get("fixed_version"))
    text = narrative_for(kb, f, 3)["narrative"]
    assert "No fixed version of" in text and "is published as of the scan" in text
    assert "In some industries such as healthcare" not in text  # CWE-1395's generic paragraph


def test_likely_false_positives_are_recognised(kb):
    assert narrative_for(kb, B101_TEST, 3)["triage"]["signal"] == "harmless in test code"
    assert narrative_for(kb, LOW_CONF, 3)["triage"]["signal"] == "low-confidence rule"
    prod = dict(B101_TEST, id="d" * 32, location={"path": "app/api.py", "start_line": 12, "end_line": 12})
    assert narrative_for(kb, prod, 3)["triage"] is None  # an assert in production code is a real finding
    text = narrative_for(kb, B101_TEST, 3)["triage_narrative"]
    assert text.startswith("## Assessment\nProbably acceptable: tests/test_api.py is a test file") and "nosec B101" in text


@pytest.mark.parametrize("mode", ["explain", "drop", "keep"])
def test_triage_modes(tmp_path, kb, mode):
    findings = [B101_TEST, LOW_CONF]
    narratives = [narrative_for(kb, f, 3) for f in findings]
    info = run_build(tmp_path, findings, narratives, CFG | {"triage": mode, "valid_percent": 1, "test_percent": 0})
    rows = {s: [json.loads(l) for n in ("train", "valid", "test") for l in (tmp_path / f"td/{s}_{n}.jsonl").read_text().splitlines()]
            for s in ("stage1", "stage2")}
    answers = [r["messages"][-1]["content"] for r in rows["stage1"]]
    if mode == "explain":
        assert len(answers) == 2 and all(a.startswith("## Assessment\nProbably acceptable") for a in answers)
        assert all(r["meta"]["triage"] for r in rows["stage1"]) and rows["stage2"] == []
        assert info["stage2_dropped"] == {"likely false positive": 2}
    elif mode == "drop":
        assert rows["stage1"] == [] and rows["stage2"] == []
        assert info["stage1_dropped"] == {"likely false positive (triage: drop)": 2}
    else:  # the mark_safe one-liner has nothing specific (no caller, no traced path): no row rather than a generic one
        from tasks.datasets.rows import NOTHING_SPECIFIC

        assert len(answers) == 1 and not any("Probably acceptable" in a for a in answers)
        assert info["stage1_dropped"] == {NOTHING_SPECIFIC: 1} and "tests/test_api.py is test code" in answers[0]


def test_semgrep_low_confidence_from_the_report_is_triaged(tmp_path):
    from tasks.triage.report_signals import triage

    doc = json.loads((FIXTURES / "semgrep/one_finding.json").read_text())
    doc["results"][0]["extra"].setdefault("metadata", {})["confidence"] = "LOW"
    (tmp_path / "low.json").write_text(json.dumps(doc))
    assert triage(parse_report(tmp_path / "low.json").findings[0])["signal"] == "low-confidence rule"
    doc["results"][0]["extra"]["metadata"]["confidence"] = "HIGH"
    (tmp_path / "high.json").write_text(json.dumps(doc))
    assert triage(parse_report(tmp_path / "high.json").findings[0]) is None


def test_a_malicious_package_is_removed_not_waited_for(tmp_path, kb):
    from datasets_rows import dependency

    mal = dict(dependency("mal", "flot-axis", "0.0.0", None, rule_id="MAL-2023-1035"), cwe=["CWE-506"], tool="osv-scanner")
    text = narrative_for(kb, mal, 3)["narrative"]
    assert "is malicious code" in text and "remove it from the manifest and the lockfile now" in text
    assert "watch the advisory for a release" not in text
    info = run_build(tmp_path, [mal], [narrative_for(kb, mal, 3)], CFG | {"valid_percent": 1, "test_percent": 0})
    assert info["stage2_dropped"] == {"malicious package (a 'no fixed version' answer does not apply)": 1}


def test_an_obsolete_check_is_explained_not_followed(kb):
    zap = next(f for f in parse_report(FIXTURES / "zap/juice-shop.json").findings if f["rule_id"] == "10016")
    n = narrative_for(kb, zap, 3)
    assert n["triage"]["signal"] == "obsolete check"
    assert "X-XSS-Protection: 0" in n["triage_narrative"] and "header to '1'" not in n["triage_narrative"].split("## What to do")[1]


def test_an_os_package_without_fix_is_rebuilt_not_removed_blindly(kb):
    f = next(f for f in parse_report(FIXTURES / "grype/same_cve_different_paths.json").findings
             if f["package"]["name"] == "libc6" and not f["package"].get("fixed_version"))
    text = narrative_for(kb, f, 3)["narrative"]
    assert "published by the distribution" in text and "Rebuild on the base image update" in text
    assert "remove the dependency if it is unused" not in text
