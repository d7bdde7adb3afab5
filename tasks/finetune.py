"""Phase 3 training entry points (the code lives in ``tasks/training/``).

``tasks.finetune:stage1`` / ``:stage2`` are the doit actions, and
``python -m tasks.finetune`` is the standalone trainer (see
``tasks.training.cli``).  The names other modules import are re-exported.
"""

from __future__ import annotations

import sys

from tasks.training.batches import tokenize_rows
from tasks.training.cli import main
from tasks.training.formats import read_rows
from tasks.training.loop import iterations, train_adapter, valid_loss
from tasks.training.stages import is_daemon_run, stage1, stage2, train_single, write_skipped

__all__ = ["iterations", "is_daemon_run", "main", "read_rows", "stage1", "stage2", "tokenize_rows", "train_adapter",
           "train_single", "valid_loss", "write_skipped"]

if __name__ == "__main__":
    sys.exit(main())
