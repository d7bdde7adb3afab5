"""PNG plots of the evaluation: loss curves per stage and metric bars per model.

matplotlib is imported inside each function with the non-interactive Agg
backend, so importing this module (or listing doit tasks) costs nothing and
no display is needed.  Every plot is written atomically.
"""

from __future__ import annotations

import io
from pathlib import Path

from tasks.core import atomic

MODELS = ("base", "stage1", "stage2")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    atomic.write_bytes(path, buf.getvalue())


def loss_plot(metrics: dict, stage: str, path: Path) -> bool:
    """Training and validation loss against the step; False (nothing written) when there is none."""
    curves = {}
    for key, label in (("train_loss", "training"), ("valid_loss", "validation")):
        points = [(p["step"], p["loss"]) for p in metrics.get(key) or [] if isinstance(p, dict)
                  and isinstance(p.get("step"), (int, float)) and isinstance(p.get("loss"), (int, float))]
        if points:
            curves[label] = points
    if not curves:
        return False
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for label, points in curves.items():
        xs, ys = zip(*points)
        ax.plot(xs, ys, marker="o" if len(points) < 30 else None, markersize=3, label=f"{label} loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(f"secft {stage}: loss per step")
    ax.grid(alpha=0.3)
    ax.legend()
    _save(fig, path)
    plt.close(fig)
    return True


def metric_bars(report: dict, names: list[str], path: Path) -> bool:
    """Grouped bars: one group per metric, one bar per evaluated model; False when nothing to draw."""
    models = [m for m in MODELS if report["models"].get(m, {}).get("status") == "evaluated"]
    if not models or not any(report["models"][m].get(n) is not None for m in models for n in names):
        return False
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.8))
    width = 0.8 / len(models)
    for i, model in enumerate(models):
        values = [report["models"][model].get(n) for n in names]
        xs = [j + i * width for j in range(len(names))]
        ax.bar(xs, [v or 0.0 for v in values], width, label=model)
        for x, v in zip(xs, values):
            if v is None:
                ax.text(x, 0.02, "n/a", ha="center", fontsize=7, rotation=90)
    ax.set_xticks([j + width * (len(models) - 1) / 2 for j in range(len(names))])
    ax.set_xticklabels([n.replace("_", "\n") for n in names], fontsize=8)
    return _finish(plt, fig, ax, path, (0, 1.05), "share of test rows", "secft evaluation on the test split")


def interval_plot(iv: dict, path: Path) -> bool:
    """Blind metrics per model as points with 95% bootstrap interval bars; False when nothing to draw."""
    per_metric = iv.get("models") or {}
    metrics = [m for m, per in per_metric.items() if any(per.values())]
    if not metrics:
        return False
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.8))
    width = 0.8 / len(MODELS)
    for i, model in enumerate(MODELS):
        xs, ys, lo, hi = [], [], [], []
        for j, metric in enumerate(metrics):
            c = per_metric[metric].get(model)
            if c:
                xs.append(j + i * width)
                ys.append(c["value"])
                lo.append(c["value"] - c["low"])
                hi.append(c["high"] - c["value"])
        if xs:
            ax.errorbar(xs, ys, yerr=[lo, hi], fmt="o", capsize=4, label=model)
    ax.set_xticks([j + width for j in range(len(metrics))])
    ax.set_xticklabels([f"{m.replace('_', chr(10))}\n(n={max((c or {}).get('n', 0) for c in per_metric[m].values())})"
                        for m in metrics], fontsize=8)
    return _finish(plt, fig, ax, path, (-0.05, 1.05), "share of test rows (95% CI)", "secft: metrics the prompt does not give away")


def _finish(plt, fig, ax, path: Path, ylim: tuple, ylabel: str, title: str) -> bool:
    """Axis range, labels and legend of a share-of-rows plot, then written (atomically) and closed."""
    ax.set_ylim(*ylim)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    _save(fig, path)
    plt.close(fig)
    return True
