"""Data-parallel training across processes started by MLX's own launcher (``mlx.launch``).

    mlx.launch -n 2 --backend ring python -m tasks.finetune ...        # two processes here
    mlx.launch --hostfile hosts.json --backend ring python -m ...      # several Macs
    mlx.launch --hostfile hosts.json --backend nccl python -m ...      # CUDA GPUs (mlx[cuda])

Every process trains the same global batch of each step: rank ``r`` of
``n`` takes rows ``r, r+n, ...`` of it, and the LoRA gradients are averaged
across ranks, weighted by each rank's tokens (``average_gradients``: the
all-reduce mlx-lm's trainer uses) before every rank's identical optimizer
update: the gradient is the single-process one.  The step count,
schedule and batches are therefore the single-process ones, whatever the
number of processes.  Only rank 0 writes outputs (adapters, metrics, logs,
checkpoints) and only it resumes a checkpoint; the weights and optimizer
state it restored are broadcast to the others.  Without a launcher
``mx.distributed.init()`` is a group of one and everything here is a no-op.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass


@dataclass(frozen=True)
class World:
    rank: int
    size: int
    group: object = None

    @property
    def writer(self) -> bool:
        """Only rank 0 writes files."""
        return self.rank == 0


def world() -> World:
    import mlx.core as mx

    group = mx.distributed.init()
    return World(group.rank(), group.size(), group)


def writer() -> bool:
    """True in a single process and on rank 0 (without importing mlx when it is not installed)."""
    try:
        return world().writer
    except ImportError:
        return True


def check_batch(batch: int, w: World) -> None:
    if w.size > 1 and batch % w.size:
        from tasks.core.errors import SecftError

        raise SecftError(
            f"fine_tuning.batch_size {batch} is not a multiple of the {w.size} processes started by mlx.launch "
            "(every process trains an equal share of each batch); choose a multiple"
        )


def share(indices: list[int], w: World) -> list[int]:
    """This rank's rows of a global batch."""
    return indices[w.rank :: w.size] if w.size > 1 else indices


def all_sum(x, w: World):
    import mlx.core as mx

    return mx.distributed.all_sum(x, group=w.group, stream=mx.cpu) if w.size > 1 else x


def average_gradients(grads, tokens, w: World):
    """The gradient of the whole batch's token-weighted mean loss, on every rank.

    Each rank's gradient is of the mean over *its* tokens; weighting it by
    its share of the batch's tokens before mlx's ``average_gradients`` makes
    the result the single-process gradient (not the mean of the ranks' means).
    """
    if w.size == 1:
        return grads
    from mlx.nn.utils import average_gradients as average
    from mlx.utils import tree_map

    weight = tokens * w.size / all_sum(tokens, w)
    return average(tree_map(lambda g: g * weight.astype(g.dtype), grads), group=w.group)


def broadcast(tree, w: World):
    """Rank 0's values of every array in ``tree`` on every rank."""
    if w.size == 1:
        return tree
    import mlx.core as mx
    from mlx.utils import tree_map

    return tree_map(lambda x: all_sum(x if w.rank == 0 else mx.zeros_like(x), w), tree)


def broadcast_int(value: int, w: World) -> int:
    if w.size == 1:
        return value
    import mlx.core as mx

    return int(all_sum(mx.array(value if w.rank == 0 else 0), w).item())


def per_rank(value: float, w: World) -> list[float]:
    """``value`` of every rank, in rank order (each rank's share of the work, for the metrics)."""
    import mlx.core as mx

    if w.size == 1:
        return [value]
    slots = mx.zeros((w.size,)).at[w.rank].add(value)
    return [float(v) for v in all_sum(slots, w).tolist()]


def in_sync(tree, w: World) -> bool:
    """Whether every rank holds the same weights (a check that the ranks trained one model)."""
    import mlx.core as mx
    from mlx.utils import tree_flatten

    if w.size == 1:
        return True
    total = sum(mx.sum(mx.abs(v)).item() for _, v in tree_flatten(tree))
    values = per_rank(total, w)
    return max(values) - min(values) <= 1e-6 * max(1.0, abs(values[0]))


def null_logger(name: str) -> logging.Logger:
    """A logger that writes nothing (ranks other than 0 keep no log file)."""
    log = logging.getLogger(f"secft.rank.{name}")
    log.handlers[:] = [logging.NullHandler()]
    log.propagate = False
    return log
