"""Second attack, OSV records and the OSV API: damaged cache files, wrong-typed records, FIFOs and
sparse giants in the records folder, trickling and oversized answers, a symlinked cache folder.
Every case ends in "unknown" or one line, never a traceback, a hang or a write outside."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from tasks.triage import osv_api
from tasks.triage.advisories import AdvisoryStore, folder_deps
from tasks.triage.osv_api import OsvClient
from tasks.triage.versions import check_record

ADV = Path(__file__).parent / "fixtures" / "advisories"
NET = {"connect_timeout_seconds": 2, "read_timeout_seconds": 2, "retries": 1, "backoff_seconds": 0}
GHSA = "GHSA-74fj-2j2h-c42q"


@pytest.mark.parametrize("content", ["[]", "5", "[" * 100_000, '{"id": 5}', '{"id": "X", "aliases": 5}'])
def test_damaged_cache_entry_is_asked_again(tmp_path, httpserver, content):
    record = json.loads((ADV / f"{GHSA}.json").read_text())
    httpserver.expect_request(f"/v1/vulns/{GHSA}").respond_with_json(record)
    (tmp_path / f"{GHSA}.json").write_text(content)
    c = OsvClient(tmp_path, httpserver.url_for("/"), NET)
    assert c.get(GHSA)["id"] == GHSA and c.requests == 1
    assert any(GHSA in e for e in c.errors)


def test_fifo_and_link_in_cache_never_opened(tmp_path, httpserver):
    httpserver.expect_request("/v1/vulns/CVE-2000-0001").respond_with_data("nf", status=404)
    httpserver.expect_request("/v1/vulns/CVE-2000-0002").respond_with_data("nf", status=404)
    os.mkfifo(tmp_path / "CVE-2000-0001.json")
    (tmp_path / "CVE-2000-0002.json").symlink_to("/dev/zero")
    c = OsvClient(tmp_path, httpserver.url_for("/"), NET)
    start = time.monotonic()
    assert c.get("CVE-2000-0001") is None and c.get("CVE-2000-0002") is None
    assert time.monotonic() - start < 5
    assert any("not a regular file" in e for e in c.errors) and any("link" in e for e in c.errors)


def test_symlinked_cache_folder_not_written(tmp_path, httpserver):
    httpserver.expect_request("/v1/vulns/CVE-2000-0001").respond_with_data("nf", status=404)
    outside = tmp_path / "outside"
    outside.mkdir()
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "osv_cache").symlink_to(outside)
    c = OsvClient(ws / "osv_cache", httpserver.url_for("/"), NET, root=ws)
    assert c.get("CVE-2000-0001") is None
    assert list(outside.iterdir()) == [] and any("not cached" in e for e in c.errors)


@pytest.mark.parametrize("answer", ["[" * 200_000, '{"results": [{"vulns": 5}]}', '{"results": [3]}'])
def test_querybatch_hostile_answers_are_unknown(tmp_path, httpserver, answer):
    httpserver.expect_request("/v1/querybatch", method="POST").respond_with_data(answer, content_type="application/json")
    c = OsvClient(tmp_path, httpserver.url_for("/"), NET)
    out = c.query_batch([("npm", "x", None)])
    assert out in ([None], [[]])
    if "vulns" in answer or "[[" in answer[:3]:
        assert out == [None]


@pytest.mark.parametrize("record", [
    {"id": GHSA, "aliases": 5},
    {"id": GHSA, "affected": ["npm", 3]},
    {"id": GHSA, "affected": [{"package": "x"}]},
    {"id": GHSA, "affected": [{"package": {"name": "x", "ecosystem": "npm"}, "ranges": [{"events": 7}]}]},
])
def test_wrong_typed_api_record_is_unknown(tmp_path, httpserver, record):
    httpserver.expect_request(f"/v1/vulns/{GHSA}").respond_with_json(record)
    c = OsvClient(tmp_path, httpserver.url_for("/"), NET)
    assert c.get(GHSA) is None and any("not an OSV record" in e for e in c.errors)
    assert not (tmp_path / f"{GHSA}.json").exists()


def test_oversized_answer_is_unknown_not_failure(tmp_path, httpserver, monkeypatch):
    monkeypatch.setattr(osv_api, "MAX_ANSWER_BYTES", 1000)
    httpserver.expect_request(f"/v1/vulns/{GHSA}").respond_with_data('{"id": "' + "a" * 5000 + '"}')
    c = OsvClient(tmp_path, httpserver.url_for("/"), NET)
    assert c.get(GHSA) is None and any("larger than 1000 bytes" in e for e in c.errors)


def _trickle_server(body_first: bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"):
    """A server that sends its answer one byte every 0.2 s (per-read timeouts never fire); it stops itself
    after 8 s, so code without an overall deadline fails the test's timing instead of hanging it."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    stop = threading.Event()

    def serve():
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    def drip(conn):
        try:
            conn.recv(65536)
            until = time.monotonic() + 8
            for b in body_first + b"{" * 100000:
                if stop.is_set() or time.monotonic() > until:
                    break
                conn.sendall(bytes([b]))
                time.sleep(0.2)
        except OSError:
            pass
        finally:
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return srv, stop


def test_trickling_osv_server_stops_at_deadline(tmp_path):
    srv, stop = _trickle_server()
    try:
        c = OsvClient(tmp_path, f"http://127.0.0.1:{srv.getsockname()[1]}", NET, deadline_seconds=2)
        start = time.monotonic()
        assert c.get(GHSA) is None
        assert time.monotonic() - start < 4 and c.expired
    finally:
        stop.set()
        srv.close()


# ----------------------------------------------------------------------------- the records folder


def test_records_folder_wrong_types_fifo_and_giant(tmp_path, capsys):
    root = tmp_path / "adv"
    shutil.copytree(ADV, root)
    (root / "BAD-0001.json").write_text(json.dumps({"id": "BAD-0001", "aliases": 5}))
    (root / "BAD-0002.json").write_text(json.dumps({"id": "BAD-0002", "affected": [{"package": "x"}, 3]}))
    with open(root / "BIG-0001.json", "wb") as fh:
        fh.truncate(8 << 30)  # sparse: nothing is written
    os.mkfifo(root / "FIFO-0001.json")
    (root / "ZERO-0001.json").symlink_to("/dev/zero")
    store = AdvisoryStore(root)
    out = capsys.readouterr().out
    assert "BAD-0001.json: 'aliases' is not a list of strings" in out and "BAD-0002.json" in out
    assert "FIFO-0001.json: not a regular file" in out and "ZERO-0001.json: a symbolic link" in out
    assert "BAD-0001" not in store.files and store.get(GHSA)["id"] == GHSA
    files, _ = folder_deps(root)
    assert not any(n.endswith(("FIFO-0001.json", "ZERO-0001.json")) for n in files)
    assert check_record({"ecosystem": "npm", "name": "x", "version": "1"},
                        [{"id": "R", "affected": [{"package": "x"}, 3]}]) is None
