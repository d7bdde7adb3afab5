"""The one exception type secft raises for bad input or bad state.

Its message is a single line that names the file (or config key) and what
is wrong with it; ``dodo.py`` prints it without a traceback.
"""


class SecftError(Exception):
    """A user-facing error whose ``str`` is one clear line."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


def os_error_line(exc: OSError, where: object) -> str:
    """One line for a system error: the file it names (else ``where``) and the reason, no traceback."""
    return f"{getattr(exc, 'filename', None) or where}: {exc.strerror or exc}"


def run_command(action, where: object) -> int:
    """Run a command's ``action()``; a SecftError or system error is one line on stderr and exit status 2.

    What every ``python -m tasks.X`` command does around its work, so that none prints a traceback.
    """
    import sys

    try:
        return action()
    except SecftError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except OSError as exc:
        print(f"error: {os_error_line(exc, where)}", file=sys.stderr)
    return 2
