"""The typed Finding: one (de)serialisation, exact round trips, attribute access, one-line errors."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES

from tasks.core.errors import SecftError
from tasks.findings.model import Finding, Package, read_findings
from tasks.findings.parsers import parse_report

REPORTS = ["grype/many_vulns.json", "sarif/codeQL-output.sarif", "trivy/juice-shop-v12.10.2.json", "semgrep/many_vulns.json", "gitleaks/gitleaks_7.5.0.sarif",
           "npm_audit/npm7plus_many_vulns.json", "osv_scanner/test-vuln-results-a.json", "checkov/checkov-report-multiple-check_type.json"]


@pytest.mark.parametrize("report", REPORTS)
def test_parsed_findings_round_trip_byte_for_byte(report):
    findings = parse_report(FIXTURES / report).findings
    assert findings
    for f in findings:
        typed = Finding.from_dict(f)
        assert json.dumps(typed.to_dict()) == json.dumps(f)  # same keys, same order, same values


def test_attributes_replace_get_chains():
    f = next(f for f in parse_report(FIXTURES / "trivy/juice-shop-v12.10.2.json").findings if f.get("package"))
    typed = Finding.from_dict(f)
    assert isinstance(typed.package, Package) and typed.package.name == f["package"]["name"]
    assert typed.path == f["location"]["path"] and typed.source.sha256 == f["source"]["sha256"]
    assert set(typed.cve) <= set(typed.advisory_ids)


def test_a_finding_made_in_code_serialises_every_required_key():
    made = Finding(id="0" * 32, tool="bandit", kind="code", rule_id="B101", title="assert", severity="low",
                   package=Package(name="x"))
    out = made.to_dict()
    for key in ("id", "tool", "tool_version", "location", "package", "source", "aliases"):
        assert key in out
    assert out["package"]["fixed_versions"] == [] and "redacted" not in out


def test_unknown_keys_are_kept_not_dropped():
    record = {"id": "x", "tool": "t", "kind": "code", "rule_id": "r", "title": "t", "severity": "low", "confidence": "LOW"}
    typed = Finding.from_dict(record)
    assert typed.extra == {"confidence": "LOW"} and typed.to_dict() == record


def test_a_damaged_findings_file_is_one_line_naming_it(tmp_path):
    path = tmp_path / "findings.jsonl"
    path.write_text('{"id": "x", "tool": "t", "kind": "code", "rule_id": "r", "title": "t", "severity": "low", "location": 3}\n')
    with pytest.raises(SecftError, match=r"findings.jsonl:1: not a finding"):
        list(read_findings(path))


def test_the_type_and_the_schema_name_the_same_keys():
    """A key added to schemas/finding.schema.json needs its field (and the other way round)."""
    from dataclasses import fields
    from pathlib import Path

    schema = json.loads((Path(__file__).resolve().parents[1] / "schemas/finding.schema.json").read_text())
    assert set(schema["properties"]) == {f.name for f in fields(Finding)} - {"_keys", "extra"}


def test_keys_a_later_phase_adds_to_a_sub_object_survive():
    record = {"id": "x", "tool": "t", "kind": "dependency", "rule_id": "r", "title": "t", "severity": "low",
              "package": {"name": "lodash", "version": "4.17.20", "fix_source": "advisory"}}
    typed = Finding.from_dict(record)
    assert typed.package.extra == {"fix_source": "advisory"} and typed.to_dict() == record
