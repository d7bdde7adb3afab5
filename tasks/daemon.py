"""``python -m tasks.daemon``: Poll CI for new artifacts and rebuild (launchd/systemd run this).

A command entry point only; the code is in ``tasks.service.daemon``.
"""

import sys

from tasks.service.daemon import main

if __name__ == "__main__":
    sys.exit(main())
