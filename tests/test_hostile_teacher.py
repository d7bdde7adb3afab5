"""Second attack, the teacher endpoint: a server trickling one byte per read is cut at the pass's deadline."""

from __future__ import annotations

import time

from tasks.enrich.teacher import Teacher
from test_hostile_osv import _trickle_server


def test_trickling_teacher_stops_at_deadline(tmp_path):
    srv, stop = _trickle_server()
    try:
        t = Teacher({"url": f"http://127.0.0.1:{srv.getsockname()[1]}/v1", "model": "m", "timeout_seconds": 1,
                     "deadline_seconds": 2}, tmp_path / "cache.jsonl")
        start = time.monotonic()
        assert t._ask("hello") is None
        assert time.monotonic() - start < 4 and "TimeoutError" in t.last_error
    finally:
        stop.set()
        srv.close()
