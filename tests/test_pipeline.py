"""The doit graph end to end, offline, with the smoke profile: real runs, doit's own report.

``run_doit`` parses doit's output: '.  task' was executed, '-- task' was up to date.
"""

from __future__ import annotations

import json
import os
import time

from conftest import FIXTURES, clean_env, make_workspace, run_doit

from tasks.core.runlock import LOCK_PATH, RunLock

ALL_TASKS = {"parse_findings", "triage", "knowledge_base", "enrich_narratives", "build_datasets", "tiny_base_model",
             "base_model", "stage1_analysis", "stage2_codefix", "evaluate", "export_peft", "upload"}
TRAINING = ("stage1_analysis", "stage2_codefix", "evaluate", "export_peft", "upload")


def test_first_run_builds_every_target(smoke_workspace):
    ws = smoke_workspace
    log = (ws / "first_run.log").read_text()
    for task in ALL_TASKS - {"parse_findings"}:
        assert f".  {task}\n" in log, task
    for rel in ["data/findings/findings.jsonl", "data/findings/findings_summary.json", "data/findings/triage.jsonl",
                "data/findings/triage.md", "data/findings/triage.vex.json", "data/kb/cwe_kb.jsonl",
                "data/narratives/narratives.jsonl", "fine-tuning/training_data/stage1_train.jsonl",
                "fine-tuning/training_data/stage2_valid.jsonl", "fine-tuning/training_data/dataset_info.json",
                "fine-tuning/adapters/stage1/adapters.safetensors", "fine-tuning/adapters/stage1/adapter_config.json",
                "fine-tuning/adapters/stage2/adapters.safetensors", "fine-tuning/models/stage2/model.safetensors",
                "fine-tuning/uploaded.json", "fine-tuning/.doit.db"]:
        assert (ws / rel).is_file() and (ws / rel).stat().st_size > 0, rel
    summary = json.loads((ws / "data/findings/findings_summary.json").read_text())
    assert summary["raw_results"] == 97 and len(summary["artifacts"]) == 11
    marker = json.loads((ws / "fine-tuning/uploaded.json").read_text())
    assert marker["status"] == "uploaded" and set(marker["repos"]) == {"dataset", "stage1", "stage2"}
    assert (ws / "fine-tuning/hub/datasets/local/secft-security-findings/stage1_train.jsonl").is_file()
    assert (ws / "fine-tuning/hub/models/local/secft-olmo2-stage2-codefix/model.safetensors").is_file()


def test_second_run_executes_nothing(workspace):
    run = run_doit(workspace, "profile=smoke")
    assert run.returncode == 0, run.output
    assert run.executed == set()
    assert {"upload", "stage2_codefix", "stage1_analysis", "parse_findings:merge"} <= run.uptodate


def test_changing_an_artifact_reruns_its_parse_and_everything_downstream(workspace):
    report = workspace / "data/artifacts/sample/semgrep/one_finding.json"
    data = json.loads(report.read_text())
    data["results"][0]["extra"]["severity"] = "ERROR"  # the scanner now rates it high
    report.write_text(json.dumps(data))
    run = run_doit(workspace, "profile=smoke")
    assert run.returncode == 0, run.output
    parses = {t for t in run.executed if t.startswith("parse_findings:")}
    assert parses == {"parse_findings:runs", "parse_findings:merge"}  # one task for the runs that changed
    assert "parse_findings: sample: parsed 1, reused 10 of 11 report(s)" in run.output  # only the changed report
    assert {"enrich_narratives", "build_datasets", *TRAINING} <= run.executed
    assert not run.ran("knowledge_base") and not run.ran("tiny_base_model")


def test_same_findings_in_new_bytes_stop_at_the_checksum(workspace):
    report = workspace / "data/artifacts/sample/semgrep/one_finding.json"
    report.write_text(json.dumps(json.loads(report.read_text()), indent=1))  # reformatted, same content
    run = run_doit(workspace, "profile=smoke")
    assert run.returncode == 0, run.output
    assert "parse_findings:runs" in run.executed and "parsed 1, reused 10" in run.output
    assert not any(run.ran(t) for t in ("stage1_analysis", "stage2_codefix"))  # training data unchanged


def test_touching_mtime_only_reparses_and_reruns_nothing(workspace):
    later = time.time() + 100
    for p in (workspace / "data/artifacts").rglob("*.json"):
        os.utime(p, (later, later))
    run = run_doit(workspace, "profile=smoke")
    assert run.returncode == 0, run.output
    assert run.executed == {"parse_findings:runs"}  # it hashes the touched reports: the same bytes, nothing more
    assert "parse_findings: sample: parsed 0, reused 11 of 11 report(s)" in run.output
    assert run_doit(workspace, "profile=smoke").executed == set()


def test_learning_rate_change_reruns_training_and_upload_only(workspace):
    run = run_doit(workspace, "profile=smoke", env=clean_env(FINE_TUNING_LEARNING_RATE="0.002"))
    assert run.returncode == 0, run.output
    assert run.executed == set(TRAINING)
    hyper = json.loads((workspace / "fine-tuning/adapters/stage1/metrics.json").read_text())["hyperparameters"]
    assert hyper["learning_rate"] == 0.002


def test_deleting_an_adapter_rebuilds_it_and_its_dependents(workspace):
    (workspace / "fine-tuning/adapters/stage1/adapters.safetensors").unlink()
    run = run_doit(workspace, "profile=smoke")
    assert run.returncode == 0, run.output
    assert run.executed == set(TRAINING)
    assert (workspace / "fine-tuning/adapters/stage1/adapters.safetensors").is_file()


def test_deleting_an_intermediate_target_rebuilds_just_it(workspace):
    findings = workspace / "data/findings/findings.jsonl"
    before = findings.read_bytes()
    findings.unlink()
    run = run_doit(workspace, "profile=smoke")
    assert run.returncode == 0, run.output
    assert run.executed == {"parse_findings:merge"}  # same content again: the checksum stops the cascade
    assert findings.read_bytes() == before


def test_building_one_target_builds_only_what_it_needs(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    run = run_doit(ws, "profile=smoke", "stage1_analysis")
    assert run.returncode == 0, run.output
    assert "stage1_analysis" in run.executed and "tiny_base_model" in run.executed
    assert not run.ran("stage2_codefix") and not run.ran("upload")
    assert not (ws / "fine-tuning/adapters/stage2").exists() and not (ws / "fine-tuning/uploaded.json").exists()


def test_second_concurrent_run_is_refused(workspace):
    os.chdir(workspace)
    try:
        with RunLock(LOCK_PATH, timeout=0):
            run = run_doit(workspace, "profile=smoke")
    finally:
        os.chdir(os.path.dirname(__file__))
    assert run.returncode == 2
    assert "another secft run (doit or the daemon) is in progress" in run.output
    assert "Traceback" not in run.output
    listing = run_doit(workspace, "list")  # read-only commands need no lock
    assert listing.returncode == 0


def test_bad_config_is_one_line(workspace):
    cfg = workspace / "config/pipeline.yaml"
    cfg.write_text(cfg.read_text().replace("  top_k: 3", "  top_k: 3\n  topk: 5"))
    run = run_doit(workspace, "profile=smoke")
    assert run.returncode == 2
    assert run.output.strip() == "secft: error: config/pipeline.yaml: unknown key enrich.topk (allowed here: teacher, top_k)"


def test_bad_artifact_fails_fast_or_is_skipped(tmp_path):
    ws = make_workspace(tmp_path / "ws", [FIXTURES / "semgrep/one_finding.json", FIXTURES / "sarif/JSON1001.SyntaxError.sarif"])
    run = run_doit(ws, "profile=smoke", "parse_findings")
    assert run.returncode != 0
    assert "data/artifacts/sarif/JSON1001.SyntaxError.sarif: malformed JSON at line 3 column 3" in run.output
    assert "Traceback" not in run.output
    cfg = ws / "config/pipeline.yaml"
    cfg.write_text(cfg.read_text().replace("on_error: fail", "on_error: skip"))
    run = run_doit(ws, "profile=smoke", "parse_findings")
    assert run.returncode == 0, run.output
    summary = json.loads((ws / "data/findings/findings_summary.json").read_text())
    assert [r["artifact"] for r in summary["rejected"]] == ["data/artifacts/sarif/JSON1001.SyntaxError.sarif"]
    assert summary["unique_findings"] == 1


def test_no_raw_secret_in_any_pipeline_output(smoke_workspace):
    raw = []
    for d in json.loads((smoke_workspace / "data/artifacts/sample/gitleaks/gitleaks8_many.json").read_text()):
        raw += [d["Secret"], d["Match"]]
    outputs = [p for p in smoke_workspace.rglob("*") if p.is_file() and "artifacts" not in p.parts and p.suffix in (".json", ".jsonl", ".md")]
    text = "\n".join(p.read_text(errors="replace") for p in outputs)
    assert raw and [s for s in raw if s in text] == []
