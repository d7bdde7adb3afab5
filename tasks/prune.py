"""``python -m tasks.prune``: Archive the findings of, and empty, all but the newest runs.

A command entry point only; the code is in ``tasks.service.prune``.
"""

import sys

from tasks.service.prune import main

if __name__ == "__main__":
    sys.exit(main())
