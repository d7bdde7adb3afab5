"""``python -m tasks.finetune``: train one LoRA adapter on your own JSONL (see ``tasks.training.cli``).

A command entry point only.  It wires the trainer to the publisher for ``--upload``: training is an
earlier phase than publishing, so ``tasks.training`` never imports ``tasks.publish``; this command,
outside the phases, joins them.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from tasks.publish.standalone import publish
    from tasks.training.cli import main as train

    return train(argv, publish=publish)


if __name__ == "__main__":
    sys.exit(main())
