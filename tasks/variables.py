"""``python -m tasks.variables``: The doit variables (command-line modes) as a table.

A command entry point only; the code is in ``tasks.core.variables``.
"""

import sys

from tasks.core.variables import main

if __name__ == "__main__":
    sys.exit(main())
