"""Artifact download, the daemon cycle, service files and the status command (local servers only)."""

from __future__ import annotations

import io
import json
import os
import plistlib
import stat
import subprocess
import sys
import time
import zipfile

import pytest
from conftest import FIXTURES, clean_env, run_doit
from werkzeug import Response

from tasks.core.config import load_config
from tasks.core.runlock import RunLock
from tasks.ingest.fetch import fetch
from tasks.ingest.github import GitHub
from tasks.service import daemon, units

SHA = "0123456789abcdef0123456789abcdef01234567"
TOKEN = "ghs_test_token"


def zip_bytes(members: dict[str, bytes], symlink: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, "/etc/passwd")
    return buf.getvalue()


class FakeGitHub:
    """Workflow runs, their artifacts, and downloads that redirect to another host, as GitHub does."""

    def __init__(self, server, artifacts: dict[int, dict[str, bytes]]):
        self.server, self.artifacts, self.requests = server, artifacts, []
        server.expect_request("/repos/acme/app/actions/runs").respond_with_handler(self.runs)
        for run_id in artifacts:
            server.expect_request(f"/repos/acme/app/actions/runs/{run_id}/artifacts").respond_with_handler(self.run_artifacts)
        server.expect_request(f"/download/{1}").respond_with_handler(self.download)
        for run_id in artifacts:
            for name in artifacts[run_id]:
                server.expect_request(f"/blob/{run_id}/{name}").respond_with_handler(self.blob)

    def _log(self, request):
        self.requests.append((request.path, dict(request.args), request.headers.get("Authorization")))

    def runs(self, request):
        self._log(request)
        runs = [{"id": rid, "head_branch": "main", "head_sha": SHA, "name": "CI", "run_number": rid,
                 "created_at": f"2026-11-2{i}T00:00:00Z", "html_url": f"https://github.example/acme/app/actions/runs/{rid}"}
                for i, rid in enumerate(self.artifacts)]
        return Response(json.dumps({"total_count": len(runs), "workflow_runs": runs}), content_type="application/json")

    def run_artifacts(self, request):
        self._log(request)
        run_id = int(request.path.split("/")[-2])
        arts = [{"id": i, "name": name, "size_in_bytes": len(data), "expired": False,
                 "archive_download_url": self.server.url_for("/download/1") + f"?run={run_id}&name={name}"}
                for i, (name, data) in enumerate(self.artifacts[run_id].items())]
        return Response(json.dumps({"total_count": len(arts), "artifacts": arts}), content_type="application/json")

    def download(self, request):
        self._log(request)
        other_host = self.server.url_for("/").replace("localhost", "127.0.0.1")
        return Response("", 302, headers={"Location": f"{other_host}blob/{request.args['run']}/{request.args['name']}"})

    def blob(self, request):
        self._log(request)
        _, _, run_id, name = request.path.split("/")
        return Response(self.artifacts[int(run_id)][name], content_type="application/zip")


def client(httpserver) -> GitHub:
    return GitHub("acme/app", token=TOKEN, api_url=httpserver.url_for("").rstrip("/"))


def all_files(root):
    return {p for p in root.rglob("*") if p.is_file()}


def test_fetch_extracts_records_provenance_and_never_fetches_twice(tmp_path, httpserver):
    report = (FIXTURES / "semgrep/high-medium-low-severities.json").read_bytes()
    gh = FakeGitHub(httpserver, {101: {"semgrep-report": zip_bytes({"reports/semgrep.json": report})}})
    root = tmp_path / "artifacts"
    result = fetch(client(httpserver), "main", root)
    assert result == {"new_runs": ["101"], "artifacts": 1, "refused": [], "retry_later": []}
    assert (root / "101/semgrep-report/reports/semgrep.json").read_bytes() == report
    run = json.loads((root / "101/run.json").read_text())
    assert (run["run_id"], run["branch"], run["commit"], run["workflow"]) == ("101", "main", SHA, "CI")
    assert run["created_at"] == "2026-11-20T00:00:00Z" and run["refused"] == []
    api = [r for r in gh.requests if r[0].startswith("/repos") or r[0].startswith("/download")]
    assert all(auth == f"Bearer {TOKEN}" for _, _, auth in api)
    assert all(auth is None for path, _, auth in gh.requests if path.startswith("/blob"))  # not sent to storage
    assert ("/repos/acme/app/actions/runs", {"branch": "main", "status": "success", "per_page": "20"}, f"Bearer {TOKEN}") in gh.requests
    before = len(gh.requests)
    assert fetch(client(httpserver), "main", root) == {"new_runs": [], "artifacts": 0, "refused": [], "retry_later": []}
    assert [p for p, _, _ in gh.requests[before:]] == ["/repos/acme/app/actions/runs"]  # listed, nothing downloaded


@pytest.mark.parametrize("name, archive, reason", [
    ("traversal", zip_bytes({"../../escaped.json": b"{}"}), "path traversal"),
    ("absolute", zip_bytes({"/tmp/secft-absolute.json": b"{}"}), "absolute path"),
    ("symlink", zip_bytes({"ok.json": b"{}"}, symlink="link.json"), "symbolic link"),
    ("bomb", zip_bytes({"zeros.json": b"0" * (40 << 20)}), "zip bomb"),
])
def test_malicious_zip_is_rejected_and_writes_nothing(tmp_path, httpserver, name, archive, reason):
    FakeGitHub(httpserver, {7: {name: archive}})
    root = tmp_path / "ws" / "artifacts"
    before = all_files(tmp_path)
    result = fetch(client(httpserver), "main", root)
    assert len(result["refused"]) == 1 and reason in result["refused"][0]["reason"]
    new = all_files(tmp_path) - before
    assert new == {root / "7/run.json"}  # only the record of the rejection
    assert not os.path.exists("/tmp/secft-absolute.json")


def test_daemon_poll_builds_only_when_new_artifacts_arrive(workspace, httpserver, monkeypatch):
    monkeypatch.chdir(workspace)
    monkeypatch.setenv("PYTHONPATH", clean_env()["PYTHONPATH"])
    report = (FIXTURES / "semgrep/high-medium-low-severities.json").read_bytes()
    FakeGitHub(httpserver, {202: {"semgrep": zip_bytes({"semgrep.json": report})}})
    config = load_config(profile="smoke", environ={})
    state = daemon.poll_once(config, "smoke", client=client(httpserver))
    assert state["last_result"] == "built" and state["returncode"] == 0, state
    findings = [json.loads(l) for l in (workspace / "data/findings/findings.jsonl").read_text().splitlines()]
    fetched = [f for f in findings if f["source"]["artifact"].startswith("data/artifacts/202/")]
    assert len(fetched) == 3 and all(f["source"]["commit"] == SHA and f["source"]["branch"] == "main" for f in fetched)
    stage1 = json.loads((workspace / "fine-tuning/adapters/stage1/metrics.json").read_text())
    assert stage1["status"] == "trained"
    second = daemon.poll_once(config, "smoke", client=client(httpserver))
    assert second["last_result"] == "no new artifacts" and "returncode" not in second
    saved = json.loads((workspace / "fine-tuning/daemon_state.json").read_text())
    assert saved["last_result"] == "no new artifacts" and saved["last_run"] == state["last_run"]
    assert "running doit" in (workspace / "fine-tuning/logs/daemon.log").read_text()


def test_daemon_prunes_to_keep_runs_before_building_and_keeps_every_finding(workspace, httpserver, monkeypatch):
    monkeypatch.chdir(workspace)
    monkeypatch.setenv("PYTHONPATH", clean_env()["PYTHONPATH"])
    cfg = workspace / "config/pipeline.yaml"
    cfg.write_text(cfg.read_text().replace("keep_runs: null", "keep_runs: 2"))
    one = (FIXTURES / "semgrep/high-medium-low-severities.json").read_bytes()
    two = (FIXTURES / "bandit/one_vuln.json").read_bytes()
    FakeGitHub(httpserver, {401: {"semgrep": zip_bytes({"semgrep.json": one})}, 402: {"bandit": zip_bytes({"bandit.json": two})}})
    config = load_config(profile="smoke", environ={})
    state = daemon.poll_once(config, "smoke", client=client(httpserver))
    assert state["last_result"] == "built", state
    art = workspace / "data/artifacts"
    # three fetched-or-local runs: sample (no run.json, never pruned), 401 (older), 402; keep the newest 2 fetched
    assert sorted(p.name for p in (art / "401").iterdir()) == ["run.json", "semgrep"]
    log = (workspace / "fine-tuning/logs/daemon.log").read_text()
    assert "prune: 0 run(s) pruned, 2 kept" in log
    cfg.write_text(cfg.read_text().replace("keep_runs: 2", "keep_runs: 1"))
    httpserver.clear()  # the next poll finds a third run
    FakeGitHub(httpserver, {401: {"semgrep": zip_bytes({"semgrep.json": one})}, 402: {"bandit": zip_bytes({"bandit.json": two})},
                            403: {"semgrep": zip_bytes({"semgrep.json": one})}})
    before = {json.loads(l)["id"] for l in (workspace / "data/findings/findings.jsonl").read_text().splitlines()}
    state = daemon.poll_once(load_config(profile="smoke", environ={}), "smoke", client=client(httpserver))
    assert state["last_result"] == "built", state
    assert sorted(p.name for p in (art / "401").iterdir()) == ["run.json"] == sorted(p.name for p in (art / "402").iterdir())
    assert (workspace / "data/findings/archive/401.json").is_file() and (workspace / "data/findings/archive/402.json").is_file()
    after = {json.loads(l)["id"] for l in (workspace / "data/findings/findings.jsonl").read_text().splitlines()}
    assert before <= after  # the pruned runs' findings stay
    assert "prune: 2 run(s) pruned, 1 kept" in (workspace / "fine-tuning/logs/daemon.log").read_text()
    assert run_doit(workspace, "profile=smoke").executed == set()  # pruned and built in one pass


def test_failed_build_is_logged_and_the_daemon_goes_on(workspace, httpserver, monkeypatch):
    monkeypatch.chdir(workspace)
    FakeGitHub(httpserver, {303: {"broken": zip_bytes({"broken.sarif": (FIXTURES / "sarif/JSON1001.SyntaxError.sarif").read_bytes()})}})
    config = load_config(profile="smoke", environ={})
    state = daemon.poll_once(config, "smoke", client=client(httpserver))
    assert state["last_result"] == "build failed" and state["returncode"] != 0
    assert "malformed JSON" in state["error"]
    assert "the daemon goes on" in (workspace / "fine-tuning/logs/daemon.log").read_text()


def test_second_daemon_exits_at_once(workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    with RunLock(daemon.DAEMON_LOCK, timeout=0):
        t = time.time()
        proc = subprocess.run([sys.executable, "-m", "tasks.daemon", "--once", "--profile", "smoke"],
                              cwd=workspace, env=clean_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and time.time() - t < 30
    assert proc.stderr.strip() == "error: another secft daemon is already running in this workspace (fine-tuning/.secft-daemon.lock)"


def test_service_files_install_and_uninstall(tmp_path, monkeypatch, workspace):
    monkeypatch.chdir(workspace)
    monkeypatch.setenv("SECFT_SERVICE_DIR", str(tmp_path / "units"))
    written = units.install(workspace, 900, "smoke", activate=False)
    names = {p.name for p in written}
    if units.platform_kind() == "systemd":
        assert names == {"secft-daemon.service", "secft-daemon.timer"}
        unit = (tmp_path / "units/secft-daemon.service").read_text()
        assert f"ExecStart={sys.executable} -m tasks.daemon --once --profile smoke" in unit
        assert f"WorkingDirectory={workspace.resolve()}" in unit
        assert "OnUnitActiveSec=900" in (tmp_path / "units/secft-daemon.timer").read_text()
    assert units.installed_state(activate=False)["files"] == {n: True for n in names}
    plist = plistlib.loads(units.render("launchd", workspace, 900, "smoke")["com.secft.daemon.plist"].encode())
    assert plist["ProgramArguments"][1:] == ["-m", "tasks.daemon", "--once", "--profile", "smoke"]
    assert plist["StartInterval"] == 900 and plist["WorkingDirectory"] == str(workspace.resolve())
    assert {p.name for p in units.uninstall(activate=False)} == names
    assert not any((tmp_path / "units").iterdir())


def test_status_json(workspace):
    proc = subprocess.run([sys.executable, "-m", "tasks.status", "--profile", "smoke"], cwd=workspace,
                          env=clean_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    status = json.loads(proc.stdout)
    assert status["targets"]["stage2_codefix"] == "up-to-date" and status["targets"]["upload"] == "up-to-date"
    assert status["datasets"]["status"] == "ok" and status["datasets"]["counts"]["stage1"]["train"] > 0
    assert status["models"]["stage1"]["status"] == "trained" and status["models"]["stage2_model"] == "fine-tuning/models/stage2"
    # 97 results; the RUSTSEC and GHSA ids of one regex advisory and one libc6 CVE at two paths are one finding each
    assert status["findings"]["unique_findings"] == 95 and status["upload"]["status"] == "uploaded"
    (workspace / "data/artifacts/sample/semgrep/one_finding.json").write_text('{"results": [], "errors": []}')
    stale = json.loads(subprocess.run([sys.executable, "-m", "tasks.status", "--profile", "smoke"], cwd=workspace,
                                      env=clean_env(), capture_output=True, text=True).stdout)
    assert stale["targets"]["parse_findings:runs"] == "stale"
