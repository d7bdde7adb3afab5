"""Dataset and model cards (README.md with Hub metadata) for what we publish."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

REDACTION = (
    "Secrets reported by gitleaks and Trivy were redacted at parse time: the secret text is replaced by "
    "`[REDACTED secret sha256:<12 hex>]` everywhere, and snippets whose secret could not be located were dropped. "
    "No raw secret from the source reports is in this dataset."
)
LICENCE_NOTE = (
    "Rows are derived from security-scanner reports of the publisher's own projects and from the MITRE CWE "
    "catalogue (CWE is a trademark of The MITRE Corporation; used under the CWE Terms of Use). "
    "Check the licences of the scanned code and of the scanners' advisory texts before redistributing."
)


def _front_matter(meta: dict) -> str:
    lines = ["---"]
    for key, value in meta.items():
        lines.append(f"{key}: {json.dumps(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def dataset_card(info: dict, summary: dict) -> str:
    counts = info["counts"]
    tools = ", ".join(f"{t} ({n})" for t, n in summary.get("by_tool", {}).items()) or "none"
    sources = "\n".join(
        f"- `{a['artifact']}` ({', '.join(a['tools']) or a['format'] or 'rejected'}, {a['findings']} findings, sha256 `{str(a.get('sha256') or 'none')[:16]}`)"
        for a in summary.get("artifacts", [])
    )
    return _front_matter({"license": "other", "task_categories": ["text-generation"], "tags": ["security", "secft", "sarif", "vulnerability"], "pretty_name": "secft security findings"}) + """
# secft security-findings datasets

Chat-format (mlx-lm `{"messages": [...]}`) fine-tuning data built by secft from CI scanner reports.

| file | rows | sha256 |
|---|---:|---|
""" + "\n".join(f"| `{name}` | {f['rows']} | `{str(f.get('sha256') or 'none')[:16]}` |" for name, f in info["files"].items()) + f"""

- Stage 1 (vulnerability analysis): {counts['stage1']['train']} train / {counts['stage1']['valid']} valid.
- Stage 2 (code fixes): {counts['stage2']['train']} train / {counts['stage2']['valid']} valid; dropped (no real fix source): {json.dumps(info['stage2_dropped'])}.
- Findings: {summary.get('unique_findings', 0)} unique of {summary.get('raw_results', 0)} raw results; by tool: {tools}.
- Split: 80/20 by a hash of the finding id (stable as findings are added).

## Sources

{sources or '- (none)'}

## Redaction

{REDACTION}

## Licence notes

{LICENCE_NOTE}
"""


def card_evaluation(eval_dir: Path, stage: str, repo_folder: Path) -> dict:
    """model_card keyword arguments for a repo: the evaluation report and the stage's loss plot.

    Copies ``eval_dir/loss_<stage>.png`` into ``repo_folder`` (the card links
    it by name); {} when ``doit evaluate`` has not written a report yet.
    """
    try:
        report = json.loads((eval_dir / "report.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    kwargs: dict = {"evaluation": report}
    plot = (report.get("plots") or {}).get(f"loss_{stage}")
    if plot and (eval_dir / plot).is_file():
        shutil.copy2(eval_dir / plot, repo_folder / plot)
        kwargs["loss_plot"] = plot
    if (report.get("plots") or {}).get("intervals") == "intervals.png" and (eval_dir / "intervals.png").is_file():
        shutil.copy2(eval_dir / "intervals.png", repo_folder / "intervals.png")
    return kwargs


def _fmt(x) -> str:
    return "n/a" if x is None else f"{x:.4f}" if isinstance(x, float) else str(x)


def _status_lines(metrics: dict) -> str:
    """The training status and the retraining policy's decision (metrics.json ``status`` / ``policy``)."""
    lines = []
    if metrics.get("status"):
        lines.append(f"- Status: {metrics['status']}" + (f" ({metrics['reason']})" if metrics.get("reason") else ""))
    policy = metrics.get("policy")
    if isinstance(policy, dict):
        sha = policy.get("trained_on_dataset_sha256")
        lines.append(
            f"- Training policy: {policy.get('decision', 'n/a')}; min_new_rows {_fmt(policy.get('min_new_rows'))}, "
            f"min_new_percent {_fmt(policy.get('min_new_percent'))}, "
            f"pending rows {_fmt(policy.get('pending_rows'))}, trained on dataset sha256 `{str(sha)[:16] if sha else 'n/a'}`"
        )
    return "".join(line + "\n" for line in lines)


def _peft_line(folder: str | None) -> str:
    if not folder:
        return ""
    return (f"- Hugging Face PEFT layout in `{folder}/` (for transformers: `PeftModel.from_pretrained(base, repo_id, "
            f"subfolder=\"{folder}\")`; its README says what it is relative to the base model)\n")


def _evaluation_section(evaluation: dict | None, loss_plot: str | None) -> str:
    from tasks.evaluation.report import metric_table

    text = ""
    if evaluation:
        rows = evaluation.get("test_rows") or {}
        text += (
            "\n## Evaluation\n\nBase model, stage 1 and stage 2 on the held-out test split "
            f"({rows.get('stage1', 0)} stage-1 and {rows.get('stage2', 0)} stage-2 rows, greedy decoding); "
            "each cell is the share of rows a check passed on, with the rows it applied to.\n\n" + metric_table(evaluation)
        )
        if evaluation.get("intervals"):
            from tasks.evaluation.blind import markdown

            text += "\n" + markdown(evaluation["intervals"]).replace("## ", "### ", 1)
            if (evaluation.get("plots") or {}).get("intervals") == "intervals.png":
                text += "\n![blind metrics with 95% intervals](intervals.png)\n"
        fg = evaluation.get("forgetting")
        if fg:
            text += "\nForgetting (stage-1 test rows, stage 1 -> stage 2): " + ", ".join(
                f"{n} {_fmt(fg['stage1'].get(n))} -> {_fmt(fg['stage2'].get(n))}" for n in fg.get("delta", {})) + "\n"
    if loss_plot:
        text += f"\n## Loss\n\n![training and validation loss]({loss_plot})\n"
    return text


def model_card(stage: str, metrics: dict, data_info: dict, base_model: str, description: str,
               evaluation: dict | None = None, loss_plot: str | None = None, peft_folder: str | None = None) -> str:
    hyper = metrics.get("hyperparameters", {})
    rows = "\n".join(f"| {k} | {v} |" for k, v in sorted(hyper.items()))
    fmt = _fmt
    forgetting = metrics.get("forgetting") or {}
    from tasks.training.known_models import KNOWN

    if base_model in KNOWN:  # a short name: the card names the Hub model it stands for
        base_model = KNOWN[base_model]["repo"]
    return _front_matter({"library_name": "mlx", "pipeline_tag": "text-generation", "base_model": base_model, "tags": ["mlx", "lora", "security", "secft"]}) + f"""
# secft {stage}

{description}

- Base model: `{base_model}`
- Mode: {metrics.get('mode', 'sequential')}
""" + _status_lines(metrics) + _peft_line(peft_folder) + f"""- Training data: {json.dumps({k: str(v.get('sha256') or 'none')[:16] for k, v in data_info.get('files', {}).items()})}
- Iterations: {metrics.get('iterations')}; tokens/s: {fmt(metrics.get('tokens_per_second'))}; peak memory: {fmt(metrics.get('peak_memory_gb'))} GB
- Validation loss: {fmt(metrics.get('valid_loss_before'))} before, {fmt(metrics.get('valid_loss_after'))} after
""" + (f"- Stage-1 validation loss (forgetting): {fmt(forgetting.get('stage1_valid_loss_before'))} before stage 2, {fmt(forgetting.get('stage1_valid_loss_after'))} after\n" if forgetting else "") + _evaluation_section(evaluation, loss_plot) + f"""
## Hyperparameters

| name | value |
|---|---|
{rows}

## Data

{REDACTION}

{LICENCE_NOTE}
"""
