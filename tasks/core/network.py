"""Network settings shared by every HTTP call secft makes (GitHub API, artifact
downloads, the Hugging Face Hub): timeouts, bounded retries, one-line errors.

Why: a server that accepts a connection and never answers blocked ``doit
upload`` forever while it held the run lock, which stopped the daemon too.
Every call now has a connect and a read timeout from the ``network`` config
section, retries 5xx answers and dropped connections a bounded number of
times with exponential backoff, and then fails with one line naming the
endpoint (never a URL's query string, which may carry a signed token).

Per-read timeouts do not bound a server that sends one byte every few
seconds, so every operation also has an overall deadline (``Deadline``):
``network.deadline_seconds`` plus the transfer's size at
``network.min_bytes_per_second``, retries and waits included.  When it
passes, the connection is shut (GitHub client) or the next read fails at
once (the Hub's httpx client), and the operation fails in one line naming
the host and the deadline.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import urllib.parse
from typing import Callable, TypeVar

from tasks.core.errors import SecftError

DEFAULTS = {"connect_timeout_seconds": 10.0, "read_timeout_seconds": 60.0, "retries": 3, "backoff_seconds": 2.0,
            "deadline_seconds": 300.0, "min_bytes_per_second": 65536}

T = TypeVar("T")


class NetworkError(SecftError):
    """The endpoint could not be reached or kept failing: worth trying again on a later poll."""


class Retryable(Exception):
    """A failure worth another try (5xx answer, dropped connection, timeout)."""


def settings(config: dict | None) -> dict:
    """The ``network`` section with defaults (a config without one still works)."""
    return {**DEFAULTS, **((config or {}).get("network") or {})}


def shown(url: str) -> str:
    """A URL fit for an error line: scheme, host and path, no query or credentials."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


def status_of(exc: BaseException) -> int | None:
    """The HTTP status of an error that carries an answer (huggingface_hub, httpx), else None."""
    try:
        status = getattr(getattr(exc, "response", None), "status_code", None)
    except Exception:  # noqa: BLE001 - httpx raises when an error has no response
        return None
    return status if isinstance(status, int) else None


def reason(exc: BaseException, net: dict) -> str:
    """A short human reason for a transport error (stdlib, httpx2 or huggingface_hub)."""
    name = type(exc).__name__
    if isinstance(exc, Retryable):
        return str(exc)
    if status_of(exc) is not None:
        return f"HTTP {status_of(exc)}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error ({exc.reason or name})"
    if isinstance(exc, ConnectionRefusedError) or name == "ConnectError" and "refused" in str(exc).lower():
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the server"
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    if isinstance(exc, http.client.RemoteDisconnected) or name == "RemoteProtocolError":
        return "the server closed the connection without an answer"
    if isinstance(exc, http.client.IncompleteRead):
        return "the connection dropped in the middle of the answer"
    if name == "ConnectTimeout" or isinstance(exc, ConnectTimeout):
        return f"no connection within {net['connect_timeout_seconds']:g} s"
    if isinstance(exc, (socket.timeout, TimeoutError)) or name in ("ReadTimeout", "WriteTimeout", "PoolTimeout"):
        return f"no answer within {net['read_timeout_seconds']:g} s"
    if name == "ConnectError":
        return "cannot connect"
    return f"{name}: {' '.join(str(exc).split())[:200]}" if str(exc) else name


class ConnectTimeout(TimeoutError):
    """The TCP (and TLS) connection was not set up within the connect timeout."""


def is_transport_error(exc: BaseException) -> bool:
    """Dropped connections, timeouts, refused and reset connections (any client library)."""
    if isinstance(exc, (OSError, http.client.HTTPException, Retryable)):
        return True
    try:
        import httpx2

        return isinstance(exc, httpx2.TransportError)
    except ImportError:  # pragma: no cover - older huggingface_hub
        return False


def with_retries(what: str, call: Callable[[], T], net: dict, retry_on: Callable[[BaseException], bool],
                 sleep: Callable[[float], None] = time.sleep, log: Callable[[str], None] | None = None) -> T:
    """``call()``, retried ``net['retries']`` times with doubling waits when ``retry_on(exc)``.

    The last failure becomes one SecftError line: ``<what> failed after N attempt(s): <reason>``.
    """
    attempts = int(net["retries"]) + 1
    deadline = Deadline.current()
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except SecftError:
            if deadline is not None and deadline.lapsed():
                raise deadline.error() from None
            raise
        except Exception as exc:  # noqa: BLE001 - classified just below
            if deadline is not None and deadline.lapsed():
                raise deadline.error() from None
            if not retry_on(exc):
                raise
            why = reason(exc, net)
            if attempt == attempts:
                raise NetworkError(f"{what} failed after {attempts} attempt(s): {why}") from None
            wait = float(net["backoff_seconds"]) * 2 ** (attempt - 1)
            if log:
                log(f"{what}: {why}; retrying in {wait:g} s ({attempt}/{attempts - 1})")
            (deadline.sleep if deadline is not None and sleep is time.sleep else sleep)(wait)
            if deadline is not None and deadline.remaining() <= 0:
                raise deadline.error()
    raise AssertionError("unreachable")  # pragma: no cover


# -- overall deadlines ---------------------------------------------------------------------------------
def deadline_for(net: dict, size_bytes: int = 0) -> float:
    """Seconds one operation may take in all: the base deadline plus its size at the slowest accepted rate."""
    rate = max(1.0, float(net["min_bytes_per_second"]))
    return float(net["deadline_seconds"]) + max(0, int(size_bytes or 0)) / rate


class DeadlineExceeded(NetworkError):
    """The operation did not finish within its overall deadline."""


class Deadline:
    """An operation's overall deadline: ``remaining()``, ``sleep()`` cut short by it, an ``on_expire`` hook.

    ``on_expire`` runs on a timer thread when the time is up (the GitHub client
    shuts its socket there, so a read blocked on a trickling server returns at once).
    """

    _active: list["Deadline"] = []  # process-wide, not per thread: a client library's worker threads are cut too

    def __init__(self, seconds: float, what: str, on_expire: Callable[[], None] | None = None):
        self.seconds, self.what, self.on_expire = float(seconds), what, on_expire
        self.until = time.monotonic() + self.seconds
        self.expired = False
        self._woken = threading.Event()
        self._timer = threading.Timer(max(0.0, self.seconds), self._expire)
        self._timer.daemon = True

    def _expire(self) -> None:
        self.expired = True
        self._woken.set()
        if self.on_expire is not None:
            try:
                self.on_expire()
            except Exception:  # noqa: BLE001 - the socket may be gone already
                pass

    def remaining(self) -> float:
        left = self.until - time.monotonic()
        if left <= 0:
            self.expired = True
        return max(0.0, left)

    def lapsed(self, slack: float = 0.1) -> bool:
        """Whether the deadline has passed, or is within ``slack`` seconds: a socket read bounded by it times out a
        hair before the timer thread marks it expired, and that timeout is the deadline's, not a slow server's."""
        return self.expired or self.remaining() <= slack

    def sleep(self, seconds: float) -> None:
        self._woken.wait(min(seconds, self.remaining()))

    def error(self) -> DeadlineExceeded:
        return DeadlineExceeded(f"{self.what}: not finished within its deadline of {self.seconds:g} s "
                                "(network.deadline_seconds + size / network.min_bytes_per_second); the server is too slow")

    def __enter__(self) -> "Deadline":
        self._timer.start()
        Deadline._active.append(self)
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        if self in Deadline._active:
            Deadline._active.remove(self)

    @classmethod
    def current(cls) -> "Deadline | None":
        return cls._active[-1] if cls._active else None


def under_deadline(seconds: float, what: str, call: Callable[[], T]) -> T:
    """``call()`` under an overall Deadline of ``seconds``: a failure once the deadline has lapsed is the deadline's
    (one line naming ``what``), any other failure, and every SecftError, goes through as it is."""
    with Deadline(seconds, what) as deadline:
        try:
            return call()
        except SecftError:
            raise
        except Exception:
            if deadline.lapsed():
                raise deadline.error() from None
            raise


def _bounded(timeout: float | None) -> float | None:
    """``timeout`` cut to the current deadline; raises (as a read timeout) once it has passed."""
    deadline = Deadline.current()
    if deadline is None:
        return timeout
    left = deadline.remaining()
    if left <= 0:
        import httpcore2

        raise httpcore2.ReadTimeout(deadline.error().args[0])
    return left if timeout is None else min(timeout, left)


def deadline_backend():
    """An httpcore network backend whose every connect, read and write is cut to the current Deadline."""
    import httpcore2
    from httpcore2._backends.sync import SyncBackend

    class Stream(httpcore2.NetworkStream):
        def __init__(self, inner):
            self._inner = inner

        def read(self, max_bytes, timeout=None):
            return self._inner.read(max_bytes, _bounded(timeout))

        def write(self, buffer, timeout=None):
            return self._inner.write(buffer, _bounded(timeout))

        def close(self):
            return self._inner.close()

        def start_tls(self, ssl_context, server_hostname=None, timeout=None):
            return Stream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

        def get_extra_info(self, info):
            return self._inner.get_extra_info(info)

    class Backend(SyncBackend):
        def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
            return Stream(super().connect_tcp(host, port, _bounded(timeout), local_address, socket_options))

        def connect_unix_socket(self, path, timeout=None, socket_options=None):
            return Stream(super().connect_unix_socket(path, _bounded(timeout), socket_options))

    return Backend()
