"""One HTTP exchange bounded in all, not per read (the OSV client and the teacher share it)."""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.parse

from tasks.core.errors import SecftError


class AnswerTooLarge(SecftError):
    """The server's answer was larger than the caller accepts."""


def bounded_exchange(url: str, method: str, body: bytes | None, headers: dict, *, connect_timeout: float,
                     read_timeout: float, seconds: float, max_bytes: int, clock=time.monotonic) -> tuple[int, bytes]:
    """(status, body) of one request that ends within ``seconds`` in all, however slowly the server sends.

    Why: a socket timeout bounds one read, not the answer, so a server sending
    one byte every half second held the OSV client and the teacher for minutes.
    Here the body is read piece by piece (``read1``), the socket's timeout is
    cut to the time left before every piece, and a timer shuts the socket at
    the deadline (a trickled status line or header is cut too).  Past it:
    ``TimeoutError``; more than ``max_bytes``: ``AnswerTooLarge``.
    """
    parts = urllib.parse.urlsplit(url)
    until = clock() + max(0.0, float(seconds))
    left = until - clock()
    if left <= 0:
        raise TimeoutError("deadline")
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = cls(parts.hostname, parts.port, timeout=max(0.05, min(float(connect_timeout), left)))
    timer = None
    try:
        conn.connect()
        sock = conn.sock
        timer = threading.Timer(left, _shut, (sock,))
        timer.daemon = True
        timer.start()
        sock.settimeout(max(0.05, min(float(read_timeout), until - clock())))
        target = parts.path or "/"
        conn.request(method, target + (f"?{parts.query}" if parts.query else ""), body=body, headers=headers)
        resp = conn.getresponse()
        chunks, total = [], 0
        while True:
            left = until - clock()
            if left <= 0:
                raise TimeoutError("deadline")
            sock.settimeout(max(0.05, min(float(read_timeout), left)))
            piece = resp.read1(65536)
            if not piece:
                break
            total += len(piece)
            if total > max_bytes:
                raise AnswerTooLarge(f"answer larger than {max_bytes} bytes")
            chunks.append(piece)
        if clock() >= until:  # the timer shut the socket: what was read is cut short
            raise TimeoutError("deadline")
        return resp.status, b"".join(chunks)
    except (OSError, ValueError, http.client.HTTPException):
        if clock() >= until:
            raise TimeoutError("deadline") from None
        raise
    finally:
        if timer is not None:
            timer.cancel()
        conn.close()


def _shut(sock) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
