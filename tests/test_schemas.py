"""The compiled schema check accepts exactly what jsonschema's reference validator accepts.

tasks/core/schemas.py asks fastjsonschema's generated code "valid?" for every
record and jsonschema only for the wording of an error; a record the
compiled check let through that jsonschema rejects would reach findings.jsonl
unchecked, so the two are compared on real findings and on mutations of
every field of them.
"""

from __future__ import annotations

import copy

import pytest
from conftest import REPO

from tasks.core.errors import SecftError
from tasks.core.schemas import compiled, validate, validator
from tasks.findings.parsers import parse_report

FIXTURES = ["semgrep/one_finding.json", "bandit/one_vuln.json", "trivy/misconfigurations_and_secrets.json",
            "grype/many_vulns.json", "gitleaks/gitleaks8_many.json", "zap/basic-traditional-json.json",
            "checkov/checkov-report-1-vuln.json", "osv_scanner/some_findings.json", "pip_audit/many_vulns.json",
            "npm_audit/one_vuln.json", "sarif/codeQL-output.sarif"]
ODD_VALUES = [None, 0, 1, -1, 1.5, True, "", "x", "A" * 300, [], ["x"], [1], {}, {"x": 1}]


def _findings() -> list[dict]:
    out = []
    for rel in FIXTURES:
        path = REPO / "tests/fixtures/scanners" / rel
        for report in sorted(path.glob("*"))[:2] if path.is_dir() else [path]:
            out += parse_report(report).findings[:3]
    assert len(out) >= 20, "fixtures moved: the comparison needs real findings"
    return out


def _mutations(obj, depth: int = 0):
    """obj with one field changed, removed or added, at every level (lists: their first item)."""
    if isinstance(obj, dict):
        yield {**obj, "unexpected_field": 1}
        for key, value in obj.items():
            yield {k: v for k, v in obj.items() if k != key}
            for odd in ODD_VALUES:
                yield {**obj, key: odd}
            if depth < 3:
                for inner in _mutations(value, depth + 1):
                    yield {**obj, key: inner}
    elif isinstance(obj, list) and obj:
        for inner in _mutations(obj[0], depth + 1):
            yield [inner, *obj[1:]]
        yield obj + [None]


def _agree(name: str, obj) -> bool:
    reference = next(iter(validator(name).iter_errors(obj)), None) is None
    return compiled(name)(obj) == reference


def test_compiled_and_reference_agree_on_real_findings_and_their_mutations():
    checked = rejected = 0
    for finding in _findings():
        assert compiled("finding")(finding)
        for mutated in _mutations(copy.deepcopy(finding)):
            assert _agree("finding", mutated), mutated
            checked += 1
            rejected += not compiled("finding")(mutated)
    assert checked > 2000 and rejected > checked // 4  # the mutations do reach the schema's rules


def test_an_invalid_record_is_still_named_field_by_field():
    finding = _findings()[0]
    with pytest.raises(SecftError, match=r"^ctx: invalid finding: severity: 'apocalyptic' is not one of"):
        validate("finding", dict(finding, severity="apocalyptic"), "ctx")
    with pytest.raises(SecftError, match=r"^ctx: invalid finding: source/sha256: "):
        validate("finding", dict(finding, source=dict(finding["source"], sha256="nope")), "ctx")
    validate("finding", finding, "ctx")  # valid: no error
