"""``doit evaluate`` on the smoke build: report.json / report.md / plots, and the no-test-rows path."""

from __future__ import annotations

import json

import pytest
from conftest import run_doit
from evaluation_rows import STAGE1_ROWS, STAGE2_ROWS

METRICS = ("cwe_accuracy", "severity_agreement", "fixed_version_exact", "patch_applies", "no_foreign_language")


def _write_rows(ws, name, rows):
    (ws / "fine-tuning/training_data" / name).write_text("".join(json.dumps(r) + "\n" for r in rows))


def _report(ws) -> dict:
    return json.loads((ws / "fine-tuning/eval/report.json").read_text())


def test_evaluate_scores_three_models_on_the_test_rows(workspace):
    _write_rows(workspace, "stage1_test.jsonl", STAGE1_ROWS)
    _write_rows(workspace, "stage2_test.jsonl", STAGE2_ROWS)  # 4 rows; smoke max_rows is 3
    run = run_doit(workspace, "profile=smoke", "evaluate", "export_peft")
    assert run.returncode == 0, run.output[-3000:]
    assert "evaluate" in run.executed and not run.ran("stage1_analysis")  # reuses the trained stages
    report = _report(workspace)
    assert report["test_rows"] == {"stage1": 2, "stage2": 3}
    assert set(report["models"]) == {"base", "stage1", "stage2"}
    for name, model in report["models"].items():
        assert model["status"] == "evaluated", name
        for metric in METRICS:
            value, count = model[metric], model["counts"][metric]
            assert (value is None) == (count == 0), (name, metric)
            assert value is None or 0.0 <= value <= 1.0
        # counts are the rows each metric applies to: both stage-1 rows, the two dependency rows, the one diff row
        assert model["counts"]["cwe_accuracy"] == 2 and model["counts"]["severity_agreement"] == 2
        assert model["counts"]["fixed_version_exact"] == 2 and model["counts"]["patch_applies"] == 1
        assert model["valid_loss"] > 0 and model["counts"]["valid_loss"] == 5
        assert model["test_sets"]["stage1"]["counts"]["rows"] == 2
    # a real fine-tune moved the test loss: the three models do not score identically
    losses = [report["models"][m]["valid_loss"] for m in ("base", "stage1", "stage2")]
    assert len(set(losses)) == 3
    # the rows' own answers score 1 wherever a metric applies: metrics and contract agree
    assert all(report["reference"][m] == 1.0 for m in METRICS)
    fg = report["forgetting"]
    assert fg["stage1"]["valid_loss"] == report["models"]["stage1"]["test_sets"]["stage1"]["valid_loss"]
    assert fg["delta"]["valid_loss"] == pytest.approx(fg["stage2"]["valid_loss"] - fg["stage1"]["valid_loss"])
    answers = [json.loads(l) for l in (workspace / "fine-tuning/eval/answers.jsonl").read_text().splitlines()]
    assert len(answers) == 3 * 5 and {a["model"] for a in answers} == {"base", "stage1", "stage2"}
    md = (workspace / "fine-tuning/eval/report.md").read_text()
    assert "| cwe_accuracy |" in md and "## Forgetting" in md
    for png in report["plots"].values():
        assert (workspace / "fine-tuning/eval" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert set(report["plots"]) == {"loss_stage1", "loss_stage2", "metrics", "intervals"}
    # blind metrics: only rows whose prompt does not give the answer away (SQLI_S1's prompt names CWE-89)
    iv = report["intervals"]
    for name in ("base", "stage1", "stage2"):
        assert iv["models"]["cwe_unprompted"][name]["n"] == 1
        assert iv["models"]["fixed_version_unprompted"][name]["n"] == 2 and iv["models"]["patch_changes"][name]["n"] == 1
        assert iv["models"]["triage_verdict"][name] is None  # no row carries a triage verdict
        assert report["models"][name]["blind"]["cwe_unprompted"]["n"] == 1
    assert iv["differences"]["fixed_version_unprompted"]["stage2 - base"]["n"] == 2
    assert "## Blind metrics" in md and "| patch_changes |" in md
    # the class prior of the training split, scored like a model (tasks.evaluation.baseline)
    assert "majority" in report and (report["majority"] is None or report["majority"]["answer"].startswith("## Verdict\n"))
    assert (workspace / "fine-tuning/peft/stage1/adapter_model.safetensors").is_file()
    assert (workspace / "fine-tuning/peft/stage2/adapter_config.json").is_file()


def test_evaluate_without_test_rows_reports_nulls(workspace):
    (workspace / "fine-tuning/training_data/stage1_test.jsonl").write_text("")
    (workspace / "fine-tuning/training_data/stage2_test.jsonl").write_text("")
    metrics_path = workspace / "fine-tuning/adapters/stage2/metrics.json"
    metrics = json.loads(metrics_path.read_text())
    metrics_path.write_text(json.dumps(metrics | {"status": "failed", "reason": "loss was NaN"}))
    # the test files are build_datasets' targets: -s runs evaluate alone, on the files as they are now
    run = run_doit(workspace, "-s", "evaluate", "profile=smoke")
    assert run.returncode == 0, run.output[-3000:]
    assert "build_datasets" not in run.executed
    report = _report(workspace)
    assert report["test_rows"] == {"stage1": 0, "stage2": 0}
    assert report["models"]["stage2"]["status"] == "skipped" and "loss was NaN" in report["models"]["stage2"]["reason"]
    for model in report["models"].values():
        assert all(model[m] is None and model["counts"][m] == 0 for m in METRICS)
        assert model["valid_loss"] is None
    assert report["forgetting"] is None and "metrics" not in report["plots"]
    assert all(report["reference"][m] is None for m in METRICS)
    assert "loss_stage1" in report["plots"]  # the training curves exist without test rows


def test_malformed_test_row_is_one_clear_error(workspace):
    (workspace / "fine-tuning/training_data/stage1_test.jsonl").write_text('{"messages": "not a list"}\n')
    run = run_doit(workspace, "profile=smoke", "evaluate")
    assert run.returncode != 0
    assert "stage1_test.jsonl: line 1: expected" in run.output and "Traceback" not in run.output


def test_model_card_shows_evaluation_loss_plot_policy_and_peft(tmp_path):
    from tasks.publish.cards import card_evaluation, model_card

    eval_dir = tmp_path / "eval"
    eval_dir.mkdir()
    model = {"status": "evaluated", "cwe_accuracy": 0.5, "valid_loss": 2.25, "counts": {"cwe_accuracy": 4, "valid_loss": 6}}
    report = {"test_rows": {"stage1": 4, "stage2": 2}, "models": {"base": model, "stage1": model, "stage2": {"status": "skipped"}},
              "forgetting": None, "plots": {"loss_stage1": "loss_stage1.png"}}
    (eval_dir / "report.json").write_text(json.dumps(report))
    (eval_dir / "loss_stage1.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    repo = tmp_path / "repo"
    repo.mkdir()
    kwargs = card_evaluation(eval_dir, "stage1", repo)
    assert (repo / "loss_stage1.png").is_file() and kwargs["loss_plot"] == "loss_stage1.png"
    metrics = {"status": "kept", "policy": {"decision": "kept: 3 new rows < min_new_rows 10", "min_new_rows": 10,
                                            "pending_rows": 3, "trained_on_dataset_sha256": "ab" * 32}}
    card = model_card("stage 1", metrics, {}, "tiny", "desc", peft_folder="peft/stage1", **kwargs)
    assert "| cwe_accuracy | 0.500 (n=4) | 0.500 (n=4) | skipped |" in card
    assert "![training and validation loss](loss_stage1.png)" in card
    assert "- Status: kept" in card and "kept: 3 new rows < min_new_rows 10" in card and "`abababababababab`" in card
    assert 'subfolder="peft/stage1"' in card
    plain = model_card("stage 1", {}, {}, "tiny", "desc", **card_evaluation(tmp_path / "missing", "stage1", repo))
    assert "## Evaluation" not in plain and "## Loss" not in plain and "Training policy" not in plain and "PEFT" not in plain


def test_overall_loss_is_the_token_weighted_mean_of_the_splits(smoke_workspace):
    """The overall test loss comes from the two splits' sums, without running the model over both again."""
    from tasks.evaluation import generate

    model, tokenizer = generate.load(smoke_workspace / "fine-tuning/models/stage2")
    cfg = {"batch_size": 1, "mask_prompt": True, "max_seq_length": 512}
    one, two = generate.test_loss(model, tokenizer, STAGE1_ROWS, cfg), generate.test_loss(model, tokenizer, STAGE2_ROWS, cfg)
    both = generate.test_loss(model, tokenizer, STAGE1_ROWS + STAGE2_ROWS, cfg)
    assert one[2] > 0 and two[2] > 0 and both[2] == one[2] + two[2]
    combined = generate.combined_loss([one, two])
    assert combined == (pytest.approx(both[0], rel=1e-5), both[1])
    assert one[0] != pytest.approx(two[0])  # the weighting matters: a plain mean of the two would differ
    assert generate.combined_loss([(None, 0, 0), two]) == (pytest.approx(two[0]), two[1])


def test_rows_are_generated_shortest_prompt_first_and_each_answer_stays_with_its_row(tmp_path, monkeypatch):
    """A batch is padded to its longest prompt, so the evaluation hands the generator like lengths together;
    the answers must still land on their own rows (a misaligned answer would score another row's facts)."""
    from test_hostile_state import _eval_setup

    from tasks.evaluation import generate
    from tasks.evaluation.report import evaluate

    config, paths, calls = _eval_setup(tmp_path, monkeypatch)
    seen = []
    echo = generate.answers

    def recording(model, tokenizer, rows, *args, **kwargs):
        seen.append([sum(len(m["content"]) for m in r["messages"][:-1]) for r in rows])
        return echo(model, tokenizer, rows, *args, **kwargs)

    monkeypatch.setattr(generate, "answers", recording)
    evaluate(config, paths)
    assert seen and all(lengths == sorted(lengths) for lengths in seen)
    assert any(len(set(lengths)) > 1 for lengths in seen)
    rows = {}
    for stage in ("stage1", "stage2"):
        for line in (paths["training"] / f"{stage}_test.jsonl").read_text().splitlines():
            row = json.loads(line)
            rows[stage, row["meta"]["finding_id"]] = row["messages"][-1]["content"]
    answered = [json.loads(l) for l in (paths["out"] / "answers.jsonl").read_text().splitlines()]
    assert len(answered) == 18 and all(a["answer"] == rows[a["test_set"], a["finding_id"]] for a in answered)
