"""``python -m tasks.status``: The pipeline's status as JSON.

A command entry point only; the code is in ``tasks.service.status``.
"""

import sys

from tasks.service.status import main

if __name__ == "__main__":
    sys.exit(main())
