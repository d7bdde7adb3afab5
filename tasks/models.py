"""``python -m tasks.models``: The model history: list the trained adapters, restore one.

A command entry point only; the code is in ``tasks.training.model_history``.
"""

import sys

from tasks.training.model_history import main

if __name__ == "__main__":
    sys.exit(main())
