"""Dataset and model cards (README.md with Hub metadata) for what we publish."""

from __future__ import annotations

import json

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
        f"- `{a['artifact']}` ({', '.join(a['tools']) or a['format'] or 'rejected'}, {a['findings']} findings, sha256 `{a['sha256'][:16]}`)"
        for a in summary.get("artifacts", [])
    )
    return _front_matter({"license": "other", "task_categories": ["text-generation"], "tags": ["security", "secft", "sarif", "vulnerability"], "pretty_name": "secft security findings"}) + """
# secft security-findings datasets

Chat-format (mlx-lm `{"messages": [...]}`) fine-tuning data built by secft from CI scanner reports.

| file | rows | sha256 |
|---|---:|---|
""" + "\n".join(f"| `{name}` | {f['rows']} | `{f['sha256'][:16]}` |" for name, f in info["files"].items()) + f"""

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


def model_card(stage: str, metrics: dict, data_info: dict, base_model: str, description: str) -> str:
    hyper = metrics.get("hyperparameters", {})
    rows = "\n".join(f"| {k} | {v} |" for k, v in sorted(hyper.items()))
    def fmt(x):
        return "n/a" if x is None else f"{x:.4f}" if isinstance(x, float) else str(x)
    forgetting = metrics.get("forgetting") or {}
    return _front_matter({"library_name": "mlx", "pipeline_tag": "text-generation", "base_model": base_model, "tags": ["mlx", "lora", "security", "secft"]}) + f"""
# secft {stage}

{description}

- Base model: `{base_model}`
- Mode: {metrics.get('mode', 'sequential')}
- Training data: {json.dumps({k: v['sha256'][:16] for k, v in data_info.get('files', {}).items()})}
- Iterations: {metrics.get('iterations')}; tokens/s: {fmt(metrics.get('tokens_per_second'))}; peak memory: {fmt(metrics.get('peak_memory_gb'))} GB
- Validation loss: {fmt(metrics.get('valid_loss_before'))} before, {fmt(metrics.get('valid_loss_after'))} after
""" + (f"- Stage-1 validation loss (forgetting): {fmt(forgetting.get('stage1_valid_loss_before'))} before stage 2, {fmt(forgetting.get('stage1_valid_loss_after'))} after\n" if forgetting else "") + f"""
## Hyperparameters

| name | value |
|---|---|
{rows}

## Data

{REDACTION}

{LICENCE_NOTE}
"""
