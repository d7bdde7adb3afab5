"""Knowledge base, narratives and the stage-1/stage-2 datasets, through the step functions."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from conftest import FIXTURES
from test_parsers import RAW_SECRETS

from tasks.core.config import load_config
from tasks.core.schemas import validate_all
from tasks.datasets.build import build as build_datasets
from tasks.enrich import enrich, narrative_for
from tasks.enrich.knowledge_base import KnowledgeBase, build_cwe_kb
from tasks.findings.merge import merge
from tasks.findings.parse import parse_artifact
from tasks.findings.parsers import parse_report
from tasks.ingest.artifacts import list_artifacts, output_name

DATASET_CFG = load_config(Path(__file__).resolve().parent.parent / "config/pipeline.yaml", environ={})["datasets"]
# no caps: every finding's rows stay (only verbatim copies are dropped), for tests that count rows
OPEN_CFG = DATASET_CFG | {"max_rows_per_group": 10**6, "max_rule_share": 1.0, "near_duplicate_threshold": 100}
FILES = [f"stage{n}_{s}.jsonl" for n in (1, 2) for s in ("train", "valid", "test")]


@pytest.fixture(scope="module")
def kb_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("kb") / "cwe_kb.jsonl"
    assert build_cwe_kb(path) > 900  # the whole catalogue, not a handful of entries
    return path


def pipeline(root: Path, artifacts: list[str], kb: Path, cfg: dict | None = None) -> Path:
    """Parse, merge, enrich and build datasets for the given fixture files under ``root``.

    Runs inside ``root`` with relative paths, as doit does in a workspace.
    """
    root.mkdir(parents=True, exist_ok=True)
    with contextlib.chdir(root):
        _pipeline(Path("."), artifacts, kb, cfg or DATASET_CFG)
    return root / "td"


def _pipeline(root: Path, artifacts: list[str], kb: Path, cfg: dict) -> None:
    art_root = root / "artifacts"
    for rel in artifacts:
        dest = art_root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes((FIXTURES / rel).read_bytes())
    outs = []
    for a in list_artifacts(art_root):
        out = root / "by" / output_name(a, art_root)
        parse_artifact(a, art_root, out, "fail", 10**9)
        outs.append(out)
    merge(outs, root / "findings.jsonl", root / "summary.json")
    enrich(root / "findings.jsonl", kb, root / "narratives.jsonl", root / "cache.jsonl", 3)
    build_datasets(root / "findings.jsonl", root / "narratives.jsonl", root / "td", cfg)


def rows(td: Path, name: str) -> list[str]:
    return (td / name).read_text().splitlines()


def test_cwe89_narrative_names_sql_injection_and_the_python_fix(kb_path):
    kb = KnowledgeBase(kb_path)
    finding = next(f for f in parse_report(FIXTURES / "sarif/codeQL-output.sarif").findings if "CWE-89" in f["cwe"])
    n = narrative_for(kb, finding, top_k=3)
    assert n["cwe"][0] == "CWE-89" and n["cwe_source"] == "report"
    # the path CodeQL traced, source to sink, with the code of each step (SARIF codeFlows)
    assert "bad/mod_api.py:32 `data = request.get_json()` -> bad/mod_api.py:39" in n["narrative"]
    assert n["narrative"].index("bad/mod_api.py:32") < n["narrative"].index("bad/libuser.py:12")
    assert "the HTTP request" in n["narrative"]  # who reaches it: the source is request data
    assert "bound parameters send the value separately" in n["narrative"]  # the mechanism, in one sentence
    # the fix in the file's language (tasks.fixes pattern); no catalogue paragraph, no restated finding
    # (written for the flagged statement: its own query, placeholders and values, tasks.fixes.sql_fit)
    assert "For this python code: Keep the SQL text constant and pass `username`, `password` as query parameters" in n["narrative"]
    assert "c.execute('SELECT * FROM users WHERE username = %s and password = %s', (username, password))" in n["narrative"]
    assert not any(c[:60] in n["narrative"] for c in kb.get("CWE-89")["consequences"])
    assert finding["description"][:60] not in n["narrative"] and "codeql reported" not in n["narrative"].lower()


def test_rule_for_findings_without_cwe(kb_path):
    kb = KnowledgeBase(kb_path)
    secret = parse_report(FIXTURES / "gitleaks/gitleaks8_many.json").findings[0]
    secret = dict(secret, cwe=[])
    assert narrative_for(kb, secret, 2)["cwe"] == ["CWE-798"]  # kind default
    dep = next(f for f in parse_report(FIXTURES / "pip_audit/many_vulns.json").findings)
    assert narrative_for(kb, dep, 2)["cwe_source"] == "kind-default"
    cookie = dict(next(f for f in parse_report(FIXTURES / "zap/some_2.9.0.xml").findings if f["rule_id"] == "10011"), cwe=[])
    retrieved = narrative_for(kb, cookie, 2)
    assert retrieved["cwe_source"] == "retrieved" and retrieved["cwe"] == ["CWE-614"]  # BM25, then the name must fit ('Secure', not 'HttpOnly')
    unrelated = dict(cookie, title="zz", description="qq", kind="code", instances=None)
    assert narrative_for(kb, unrelated, 2)["cwe_source"] == "none"


def test_of_several_report_cwes_the_one_the_title_names_comes_first(kb_path):
    """npm audit lists ["CWE-918", "CWE-1333"] for ansi-regex's ReDoS: SSRF must not lead the answer."""
    kb = KnowledgeBase(kb_path)
    redos = next(f for f in parse_report(FIXTURES / "npm_audit/multiple_cwes.json").findings
                 if f["rule_id"] == "GHSA-93q8-gq69-wqmw")
    assert redos["cwe"] == ["CWE-918", "CWE-1333"]  # the report's order
    n = narrative_for(kb, redos, 2)
    assert n["cwe"][0] == "CWE-1333" and "CWE-918" in n["cwe"] and n["cwe_source"] == "report"
    other = dict(redos, title="Something in ansi-regex", description="")
    assert narrative_for(kb, other, 2)["cwe"][0] == "CWE-918"  # nothing named: the report's order stays


def test_rows_validate_and_builds_are_byte_identical(tmp_path, kb_path):
    arts = ["semgrep/many_vulns.json", "trivy/misconfigurations_and_secrets.json", "npm_audit/one_vuln.json", "zap/some_2.9.0.xml"]
    a = pipeline(tmp_path / "a", arts, kb_path)
    b = pipeline(tmp_path / "b", arts, kb_path)
    for name in FILES + ["dataset_info.json"]:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    for name in FILES:
        validate_all("dataset_row", [json.loads(l) for l in rows(a, name)], name)
    info = json.loads((a / "dataset_info.json").read_text())
    assert info["status"] == "ok"
    # every finding is a candidate or counted as dropped (nothing specific to say)
    assert info["hygiene"]["stage1"]["candidates"] + sum(info["stage1_dropped"].values()) == 48 + 5 + 1 + 7
    assert sum(info["counts"]["stage1"][s] for s in ("train", "valid", "test")) == info["hygiene"]["stage1"]["rows"] > 10
    assert sum(info["stage2_dropped"].values()) + info["hygiene"]["stage2"]["candidates"] == 61
    assert json.loads((a / "lint.json").read_text())["checks"]["near_duplicate"]["count"] == 0


def test_stage2_answers_carry_the_fixed_version(tmp_path, kb_path):
    td = pipeline(tmp_path, ["npm_audit/one_vuln.json", "checkov/checkov-report-1-vuln.json"], kb_path)
    all_rows = [json.loads(l) for name in FILES if name.startswith("stage2") for l in rows(td, name)]
    by_kind = {r["meta"]["kind"]: r for r in all_rows}
    assert len(all_rows) == 2 and set(by_kind) == {"dependency", "config"}
    answer = by_kind["dependency"]["messages"][-1]["content"]
    # growl is a dev-only transitive dependency (mocha-jenkins-reporter>mocha>growl): overrides, lower priority
    assert "1.10.2" in answer and '"growl": "^1.10.2"' in answer and "Priority: lower" in answer
    # a config check is never "no fix": Checkov's CKV_AZURE_42 gets the setting to change
    config = by_kind["config"]
    assert config["meta"]["fix_source"] == "config-setting"
    assert "purge_protection_enabled" in config["messages"][-1]["content"]
    info = json.loads((td / "dataset_info.json").read_text())
    assert info["stage2_dropped"] == {}


def test_adding_an_artifact_changes_only_rows_of_its_findings(tmp_path, kb_path):
    base = ["semgrep/many_vulns.json", "bandit/bandit-report.json"]
    before = pipeline(tmp_path / "before", base, kb_path, OPEN_CFG)
    after = pipeline(tmp_path / "after", base + ["pip_audit/many_vulns.json"], kb_path, OPEN_CFG)
    new_ids = {f["id"] for f in parse_report(FIXTURES / "pip_audit/many_vulns.json").findings}
    for name in FILES:
        old, new = set(rows(before, name)), set(rows(after, name))
        assert old <= new, f"{name}: an existing row changed or moved split"
        assert {json.loads(l)["meta"]["finding_id"] for l in new - old} <= new_ids
    info = json.loads((after / "dataset_info.json").read_text())
    assert info["hygiene"]["stage1"]["candidates"] + sum(info["stage1_dropped"].values()) == 48 + 11 + 7
    held = info["lint"]["quarantined"]["stage1"]["quarantined"]
    assert len({l for n in FILES if n.startswith("stage1") for l in rows(after, n)}) == info["hygiene"]["stage1"]["rows"] - held


def test_narrative_cache_enriches_only_new_findings(tmp_path, kb_path):
    root = tmp_path / "w"
    pipeline(root, ["semgrep/many_vulns.json"], kb_path)
    new = root / "artifacts/pip_audit/many_vulns.json"
    new.parent.mkdir(parents=True)
    new.write_bytes((FIXTURES / "pip_audit/many_vulns.json").read_bytes())
    parse_artifact(new, root / "artifacts", root / "by" / output_name(new, root / "artifacts"), "fail", 10**9)
    merge(sorted((root / "by").iterdir()), root / "findings.jsonl", root / "summary.json")
    stats = enrich(root / "findings.jsonl", kb_path, root / "narratives.jsonl", root / "cache.jsonl", 3)
    assert stats == {"narratives": 55, "generated": 7, "from_cache": 48}


def test_no_raw_secret_reaches_any_output(tmp_path, kb_path):
    arts = [f"gitleaks/{p.name}" for p in sorted((FIXTURES / "gitleaks").iterdir())] + ["trivy/misconfigurations_and_secrets.json"]
    td = pipeline(tmp_path, arts, kb_path, OPEN_CFG)  # every secret finding's rows, not one per group
    produced = [p for p in tmp_path.rglob("*") if p.is_file() and "artifacts" not in p.parts]
    assert len(produced) > 10
    text = "\n".join(p.read_text() for p in produced)
    assert [s for s in RAW_SECRETS if s in text] == []
    assert json.loads((td / "dataset_info.json").read_text())["counts"]["stage1"]["by_tool"]["gitleaks"] >= 10


def test_empty_input_is_a_graceful_no_training_data(tmp_path, kb_path):
    td = pipeline(tmp_path, ["semgrep/empty.json", "osv_scanner/no_findings.json"], kb_path)
    info = json.loads((td / "dataset_info.json").read_text())
    assert info["status"] == "no training data"
    assert all((td / n).read_text() == "" for n in FILES)
    from tasks.training import stages as finetune

    cfg = load_config(Path(__file__).resolve().parent.parent / "config/pipeline.yaml", profile="smoke", environ={})
    m = finetune.stage1(cfg, td, tmp_path / "s1", tmp_path / "ck", tmp_path / "s1.log")
    assert m == {"stage": "stage1", "status": "skipped", "reason": "no training data", "outputs": {}}
    assert json.loads((tmp_path / "s1/metrics.json").read_text())["status"] == "skipped"
