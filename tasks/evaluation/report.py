"""``doit evaluate``: base vs stage 1 vs stage 2 on the test split, as JSON, Markdown and PNGs.

Every model answers the same test rows (``stage{1,2}_test.jsonl``, groups
never seen in training) greedily; stage-1 rows are scored on analysis
(CWE, severity), stage-2 rows on fixing (fixed version, patch), both on
language discipline, and the loss is measured on each split.  The stage-2
model's stage-1 scores, next to stage 1's own, show forgetting.

A missing or empty test file is not an error (the split may not exist yet
or hold no rows): its metrics are null with count 0.  A stage that was not
trained is reported as skipped rather than evaluated as if it were.
"""

from __future__ import annotations

import json
from pathlib import Path

from tasks.core import atomic
from tasks.core.errors import SecftError
from tasks.core.hashing import sha256_json
from tasks.core.settings import Evaluation, FineTuning, Settings
from tasks.core.textio import jsonl_lines, read_utf8
from tasks.evaluation import blind
from tasks.evaluation.metrics import ALL_METRICS, METRICS, aggregate, prompt_text, score
from tasks.evaluation.partial import Partial, model_key, row_key

MODELS = ("base", "stage1", "stage2")
TEST_SETS = ("stage1", "stage2")
# which test set a headline metric comes from (no_foreign_language and valid_loss: both)
_SOURCE = {"cwe_accuracy": "stage1", "severity_agreement": "stage1", "fixed_version_exact": "stage2", "patch_applies": "stage2"}
PLOTS = {"loss_stage1": "loss_stage1.png", "loss_stage2": "loss_stage2.png", "metrics": "metrics.png",
         "intervals": "intervals.png"}


def read_test_rows(path: Path) -> list[dict]:
    """Rows of a test split; [] when the file is missing or empty."""
    if not path.is_file():
        return []
    rows = []
    for n, row in jsonl_lines(path, read_utf8(path, "test split")):
        msgs = row.get("messages") if isinstance(row, dict) else None
        if not isinstance(msgs, list) or len(msgs) < 2 or not all(isinstance(m, dict) and isinstance(m.get("content"), str) for m in msgs):
            raise SecftError(f"{path}: line {n}: expected {{'messages': [..., answer], 'meta': {{...}}}} (mlx-lm chat format)")
        rows.append(row)
    return rows


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _empty(status: str, reason: str | None = None) -> dict:
    out = {"status": status, **aggregate([]), "valid_loss": None, "test_sets": {}}
    out["counts"]["valid_loss"] = 0
    if reason:
        out["reason"] = reason
    return out


def _prompt_chars(row: dict) -> int:
    return sum(len(str(m.get("content", ""))) for m in row.get("messages", [])[:-1] if isinstance(m, dict))


def _evaluate_model(name: str, loaded, rows: dict[str, list[dict]], cfg: FineTuning, ecfg: Evaluation, answers: list,
                    partial: Partial | None = None, key: str = "") -> dict:
    from tasks.evaluation import generate

    held: list = []

    def model_and_tokenizer():  # loaded only when something is left to generate
        if not held:
            held.extend(loaded())
        return held

    def answers_of(test_set: str, these: list[dict]) -> list[str]:
        """Every row's answer: those an interrupted evaluation already wrote, the rest generated in batches."""
        texts: dict[int, str] = {}
        if partial is not None:
            for i, row in enumerate(these):
                seen, text = partial.get(key, "answer:" + row_key(row))
                if seen and isinstance(text, str):
                    texts[i] = text
        # shortest prompts first: a batch is padded to its longest prompt, so like lengths together waste least
        todo = sorted((i for i in range(len(these)) if i not in texts), key=lambda i: (_prompt_chars(these[i]), i))
        def keep(part: list[int], start: int, batch: list[str]) -> None:  # after every batch: an interrupted run keeps it
            for i, text in zip(part[start:start + len(batch)], batch):
                texts[i] = text
                if partial is not None:
                    partial.add(key, "answer:" + row_key(these[i]), text)

        # a diff to apply is longer than a verdict: those rows get their own cap, in batches of their own
        for budget, part in generate.by_budget(todo, these, ecfg.max_tokens, ecfg.patch_tokens):
            model, tokenizer = model_and_tokenizer()
            generate.answers(model, tokenizer, [these[i] for i in part], budget, ecfg.batch_size,
                             f"{name} {test_set}", on_batch=lambda start, batch, part=part: keep(part, start, batch))
        return [texts[i] for i in range(len(these))]

    def test_loss(which: str, these: list[dict]):
        if partial is not None:
            seen, value = partial.get(key, f"loss:{which}:" + sha256_json([row_key(r) for r in these]))
            if seen and isinstance(value, list) and len(value) == 3:
                return tuple(value)
        model, tokenizer = model_and_tokenizer()
        value = generate.test_loss(model, tokenizer, these, cfg)
        if partial is not None:
            partial.add(key, f"loss:{which}:" + sha256_json([row_key(r) for r in these]), list(value))
        return value

    result: dict = {"status": "evaluated", "test_sets": {}}
    per_row: dict = {}
    every_score, every_row, losses = [], [], []
    for test_set in TEST_SETS:
        scores = []
        for row, text in zip(rows[test_set], answers_of(test_set, rows[test_set])):
            meta = row.get("meta") if isinstance(row.get("meta"), dict) else {}
            scores.append({**score(test_set, row, text), **blind.scores(test_set, text, meta, prompt_text(row), blind.user_text(row),
                                                                         reference_answer(row))})
            answers.append({"model": name, "test_set": test_set, "finding_id": meta.get("finding_id"),
                            "answer": text, "scores": scores[-1]})
        per_row[test_set] = scores
        part = aggregate(scores, METRICS[test_set])
        losses.append(test_loss(test_set, rows[test_set][: ecfg.loss_rows]))  # loss_rows None: every row
        part["valid_loss"], part["counts"]["valid_loss"] = losses[-1][:2]
        part["counts"]["rows"] = len(rows[test_set])
        result["test_sets"][test_set] = part
        every_score += scores
        every_row += rows[test_set]
    overall = aggregate(every_score)
    for metric in ALL_METRICS:
        src = _SOURCE.get(metric)
        result[metric] = result["test_sets"][src][metric] if src else overall[metric]
        overall["counts"][metric] = result["test_sets"][src]["counts"][metric] if src else overall["counts"][metric]
    result["valid_loss"], overall["counts"]["valid_loss"] = generate.combined_loss(losses)  # no second pass over the rows
    result["counts"] = overall["counts"]
    result["blind"] = blind.aggregate(per_row)
    result["per_row"] = {m: blind.row_values(per_row, m) for m in blind.BLIND}
    print(f"evaluate {name}: " + ", ".join(f"{m} {_fmt(result[m], result['counts'][m])}" for m in (*ALL_METRICS, "valid_loss")))
    return result


def reference_answer(row: dict) -> str:
    msgs = row.get("messages") or []
    return str(msgs[-1].get("content", "")) if msgs and isinstance(msgs[-1], dict) else ""


def _reference(rows: dict[str, list[dict]]) -> dict:
    """The reference answers scored like a model: the ceiling, and a check that metrics and data agree."""
    scores = {s: [score(s, r, r["messages"][-1]["content"]) for r in rows[s]] for s in TEST_SETS}
    overall = aggregate(scores["stage1"] + scores["stage2"])
    out: dict = {"status": "evaluated", "counts": {}}
    for metric in ALL_METRICS:
        part = aggregate(scores[_SOURCE[metric]], [metric]) if metric in _SOURCE else overall
        out[metric], out["counts"][metric] = part[metric], part["counts"][metric]
    out["blind"] = blind.aggregate({s: [blind.scores(s, r["messages"][-1]["content"], r.get("meta") if isinstance(r.get("meta"), dict) else {},
                                                     prompt_text(r), blind.user_text(r), reference_answer(r)) for r in rows[s]]
                                      for s in TEST_SETS})
    return out


def _forgetting(models: dict) -> dict | None:
    s1, s2 = models["stage1"], models["stage2"]
    if s1["status"] != "evaluated" or s2["status"] != "evaluated":
        return None
    names = (*METRICS["stage1"], "valid_loss")
    before, after = s1["test_sets"]["stage1"], s2["test_sets"]["stage1"]
    delta = {n: (after[n] - before[n]) if before.get(n) is not None and after.get(n) is not None else None for n in names}
    return {"test_set": "stage1", "stage1": {n: before.get(n) for n in names}, "stage2": {n: after.get(n) for n in names}, "delta": delta}


def _fmt(value, count=None) -> str:
    text = "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)
    return text if count is None else f"{text} (n={count})"


def metric_table(report: dict) -> str:
    """The Markdown table of every metric for base / stage 1 / stage 2 (used by report.md and model cards)."""
    models = dict(report.get("models", {}))
    columns = list(MODELS)
    if report.get("reference"):
        models["reference answers"] = report["reference"]
        columns.append("reference answers")
    head = "| metric | " + " | ".join(columns) + " |\n|---|" + "---:|" * len(columns) + "\n"
    lines = []
    for metric in (*ALL_METRICS, "valid_loss"):
        cells = []
        for m in columns:
            obj = models.get(m) or {}
            if obj.get("status") != "evaluated":
                cells.append(obj.get("status", "n/a"))
            else:
                cells.append(_fmt(obj[metric], (obj.get("counts") or {}).get(metric, 0)) if metric in obj else "-")
        lines.append(f"| {metric} | " + " | ".join(cells) + " |")
    return head + "\n".join(lines) + "\n"


def markdown(report: dict, plots: dict) -> str:
    rows = report["test_rows"]
    text = (
        "# secft evaluation\n\n"
        f"Test rows: {rows['stage1']} stage 1 (analysis), {rows['stage2']} stage 2 (fixes); at most "
        f"{report['settings']['max_rows']} per split, greedy decoding, at most {report['settings']['max_tokens']} tokens per answer"
        + (f" ({report['settings']['patch_tokens']} for a fix that is a diff)" if report['settings'].get('patch_tokens') else "") + ".\n"
        "Each cell is the share of rows the check passed on, with the number of rows it applied to; "
        "valid_loss is the mean token loss on the test rows. The reference answers (the rows' own answers, scored alike) "
        "are the ceiling: below 1 there, metric and data disagree. See docs/evaluation.md for what each metric means.\n\n"
        + metric_table(report)
    )
    for name, model in report["models"].items():
        if model.get("reason"):
            text += f"\n- {name}: {model['status']}: {model['reason']}"
    if report.get("intervals"):
        text += "\n\n" + blind.markdown(report["intervals"])
        ref = (report.get("reference") or {}).get("blind") or {}
        text += "\nReference answers on the blind metrics: " + ", ".join(
            f"{m} {_fmt(v['value'])} (n={v['n']})" for m, v in ref.items()) + "\n"
    fg = report.get("forgetting")
    if fg:
        text += "\n\n## Forgetting (stage-1 test rows)\n\n| metric | stage 1 | stage 2 | change |\n|---|---:|---:|---:|\n"
        text += "\n".join(f"| {n} | {_fmt(fg['stage1'][n])} | {_fmt(fg['stage2'][n])} | {_fmt(fg['delta'][n])} |" for n in fg["delta"])
    text += "\n"
    for key, title in (("intervals", "Blind metrics with 95% intervals"), ("metrics", "Metrics per model"), ("loss_stage1", "Stage 1 loss"), ("loss_stage2", "Stage 2 loss")):
        if key in plots:
            text += f"\n## {title}\n\n![{title}]({plots[key]})\n"
    return text


def evaluate(config: dict, paths: dict) -> dict:
    """Evaluate the three models and write report.json, report.md, answers.jsonl and the plots."""
    from tasks.evaluation import baseline, generate
    from tasks.evaluation import plots as plotting

    settings_ = Settings.of(config)
    ecfg, cfg = settings_.evaluation, settings_.fine_tuning
    out: Path = paths["out"]
    rows = {s: read_test_rows(paths["training"] / f"{s}_test.jsonl")[: ecfg.max_rows] for s in TEST_SETS}
    stage_metrics = {s: _read_json(paths[s] / "metrics.json") for s in TEST_SETS}
    marker = _read_json(paths["base_marker"]) or {}
    base_path = Path(marker.get("path") or "")
    sources = {
        "base": (base_path, None, None),
        "stage1": (base_path, paths["stage1"], stage_metrics["stage1"]),
        "stage2": (paths["model2"], None, stage_metrics["stage2"]),
    }
    models, answers = {}, []
    partial = Partial(out)  # answers of an interrupted evaluation of the same models and rows are reused
    if len(partial):
        print(f"evaluate: resuming: {len(partial)} result(s) of an interrupted evaluation reused")
    settings = {"max_tokens": ecfg.max_tokens, "patch_tokens": ecfg.patch_tokens, "loss": {k: cfg[k] for k in ("batch_size", "mask_prompt", "max_seq_length")}}
    for name, (model_dir, adapter, metrics) in sources.items():
        if marker.get("skipped"):  # fine_tuning.skip_fine_tuning: no model was resolved, nothing to run
            models[name] = _empty("skipped", f"no model to evaluate: {marker['skipped']}")
        elif metrics is not None and metrics.get("status") not in ("trained", "kept"):
            models[name] = _empty("skipped", f"{name} was not trained ({metrics.get('reason') or metrics.get('status') or 'no metrics.json'})")
        elif not any(rows.values()):
            models[name] = _empty("no test rows", "stage1_test.jsonl and stage2_test.jsonl are missing or empty")
        else:
            if not (model_dir / "config.json").is_file():
                raise SecftError(f"{model_dir}: no model to evaluate for {name} (config.json missing); rebuild it")
            key = model_key(name, model_dir, adapter, metrics, marker, settings)
            models[name] = _evaluate_model(name, lambda: generate.load(model_dir, adapter), rows, cfg, ecfg, answers,
                                           partial, key)
    report = {
        "test_rows": {s: len(rows[s]) for s in TEST_SETS},
        "settings": {"max_rows": ecfg.max_rows, "max_tokens": ecfg.max_tokens, "patch_tokens": ecfg.patch_tokens, "loss_rows": ecfg.loss_rows, "decoding": "greedy",
                     "bootstrap": {"samples": blind.SAMPLES, "interval": "percentile 95%, rows resampled in pairs"}},
        "models": models,
        "forgetting": _forgetting(models),
        "reference": _reference(rows),
    }
    majority = baseline.evaluate(baseline.majority_answer(paths["training"] / "stage1_train.jsonl"), rows, prompt_text,
                                 reference_answer)  # the class prior a model could learn from the label counts alone
    report["majority"] = {k: majority[k] for k in ("answer", "blind")} if majority else None
    report["intervals"] = blind.intervals({**models, "majority": majority} if majority else models)
    for model in models.values():
        model.pop("per_row", None)
    drawn = {}
    for stage in TEST_SETS:
        if plotting.loss_plot(stage_metrics[stage], stage, out / PLOTS[f"loss_{stage}"]):
            drawn[f"loss_{stage}"] = PLOTS[f"loss_{stage}"]
    if plotting.metric_bars(report, list(ALL_METRICS), out / PLOTS["metrics"]):
        drawn["metrics"] = PLOTS["metrics"]
    if plotting.interval_plot(report.get("intervals") or {}, out / PLOTS["intervals"]):
        drawn["intervals"] = PLOTS["intervals"]
    for key, name in PLOTS.items():  # a plot of an earlier build must not pass for this one's
        if key not in drawn:
            (out / name).unlink(missing_ok=True)
    report["plots"] = drawn
    atomic.write_jsonl(out / "answers.jsonl", answers)
    atomic.write_text(out / "report.md", markdown(report, drawn))
    atomic.write_json(out / "report.json", report)
    partial.done()
    return {"test_rows": report["test_rows"]}
