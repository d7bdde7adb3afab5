"""The learning-rate schedule: ``fine_tuning.lr_schedule`` and ``fine_tuning.warmup_steps``.

Built from mlx's own schedulers (``linear_schedule``, ``cosine_decay``,
``join_schedules``), which the optimizer evaluates on its step counter
(part of every checkpoint, so a resumed run continues the same curve).
mlx-lm's ``build_schedule`` starts its warmup at 0, so the first update is
wasted; here optimizer step ``s`` (0-based) warms up as
``lr * (s + 1) / warmup_steps`` and reaches ``lr`` on the last warmup step.
``cosine`` then decays from ``lr`` towards 0 over the remaining steps;
``constant`` stays at ``lr``.  ``constant`` without warmup is the plain float
(exactly what the trainer did before schedules existed).
"""

from __future__ import annotations

from tasks.core.settings import FineTuning

SCHEDULES = ("constant", "cosine")


def build(cfg: FineTuning | dict, total_steps: int):
    """A float or an mlx schedule (a callable of the optimizer step) for ``total_steps`` updates."""
    cfg = FineTuning.of(cfg)
    import mlx.optimizers as optim

    lr = float(cfg.learning_rate)
    kind = cfg.lr_schedule
    warmup = min(int(cfg.warmup_steps or 0), max(total_steps - 1, 0))
    if kind not in SCHEDULES:
        from tasks.core.errors import SecftError

        raise SecftError(f"fine_tuning.lr_schedule {kind!r}: expected one of {', '.join(SCHEDULES)}")
    if kind == "constant" and not warmup:
        return lr
    if kind == "cosine":
        main = optim.cosine_decay(lr, max(total_steps - warmup, 1), 0.0)
    else:
        main = optim.linear_schedule(lr, lr, 1)  # a constant that is an mlx schedule
    if not warmup:
        return main
    warm = optim.linear_schedule(lr / warmup, lr, max(warmup - 1, 1)) if warmup > 1 else optim.linear_schedule(lr, lr, 1)
    return optim.join_schedules([warm, main], [warmup])


def values(cfg: FineTuning | dict, total_steps: int) -> list[float]:
    """The learning rate of each update 1..total_steps (what the trainer records per step)."""
    cfg = FineTuning.of(cfg)
    import mlx.core as mx

    schedule = build(cfg, total_steps)
    if not callable(schedule):
        return [schedule] * total_steps
    return [schedule(mx.array(s)).item() for s in range(total_steps)]


def describe(cfg: FineTuning | dict) -> dict:
    cfg = FineTuning.of(cfg)
    return {"lr_schedule": cfg.lr_schedule, "warmup_steps": int(cfg.warmup_steps or 0),
            "learning_rate": cfg.learning_rate}
