"""Every stage-2 answer for every bundled scanner report: own language, applicable diffs, advisory versions only."""

from pathlib import Path

import pytest
from fixes_helpers import assert_versions_from_advisory

from tasks.findings.parse import parse_file
from tasks.fixes import fix_for
from tasks.fixes.patch_check import no_foreign_language, patch_applies

FIXTURES = Path(__file__).parent / "fixtures" / "scanners"
REPORTS = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".json", ".sarif", ".xml"))


@pytest.fixture(scope="module")
def answers():
    out = []
    for report in REPORTS:
        for f in parse_file(report, FIXTURES, "skip", 100_000_000)["findings"]:
            out.append((f, *fix_for(f, f["cwe"])))
    return out


def test_corpus_answers_are_in_the_files_language_and_diffs_apply(answers):
    assert len(answers) > 4000
    rows = [(f, a, m) for f, a, _, m in answers if a]
    assert len(rows) > 0.8 * len(answers)
    for f, answer, meta in rows:
        assert no_foreign_language(answer, meta) is not False, (f["rule_id"], answer)
        if meta.get("has_diff"):
            assert patch_applies(answer, meta) is True, (f["rule_id"], answer)


def test_corpus_dependency_answers_use_only_advisory_versions(answers):
    deps = [(f, a) for f, a, _, _ in answers if a and f["kind"] == "dependency"]
    assert len(deps) > 1500
    for f, answer in deps:
        assert_versions_from_advisory(answer, f)


def test_corpus_config_findings_never_say_no_fix(answers):
    for f, answer, label, _ in answers:
        if f["kind"] in ("config", "web") and answer:
            assert "no fix" not in answer.lower() and "no fixed version" not in answer.lower(), answer
            assert label in ("config-setting", "pattern")
