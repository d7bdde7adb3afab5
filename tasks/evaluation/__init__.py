"""Evaluation of the base model, stage 1 and stage 2 on the held-out test rows.

``metrics`` scores one answer against its row (pure text, no mlx);
``generate`` runs a model greedily and measures the test loss; ``report``
wires them into ``fine-tuning/eval/report.json`` / ``report.md``; ``plots``
draws the PNGs.  ``doit evaluate`` calls :func:`tasks.evaluation.report.evaluate`.

May import: every phase up to ``tasks.training`` (never ``tasks.publish`` or ``tasks.service``).
"""
