"""``python -m tasks.fetch_artifacts``: Download new CI artifacts from GitHub Actions.

A command entry point only; the code is in ``tasks.ingest.fetch``.
"""

import sys

from tasks.ingest.fetch import main

if __name__ == "__main__":
    sys.exit(main())
