"""The daemon keeps going: hostile API answers, damaged state, failed builds (retried with backoff),
token files others can read, and fetches killed with SIGKILL part-way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from conftest import clean_env, make_workspace
from test_hostile_net import REPORT, TOKEN, HostileGitHub, art, gh, run, zip_of
from werkzeug import Response

from tasks.core.config import load_config
from tasks.core.errors import SecftError
from tasks.ingest.artifacts import list_artifacts
from tasks.service import daemon, units


class Proc:
    def __init__(self, returncode, stdout="", stderr=""):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def ws(tmp_path, monkeypatch):
    ws = make_workspace(tmp_path / "ws", artifacts=[])
    monkeypatch.chdir(ws)
    return ws


def test_a_hostile_answer_or_damaged_state_never_ends_the_daemon(ws, httpserver, monkeypatch):
    config = load_config(profile="smoke", environ={})
    monkeypatch.setattr(daemon, "stale_tasks", lambda profile: [])
    (ws / "fine-tuning").mkdir()
    (ws / daemon.STATE).write_text("{not json")
    httpserver.expect_request("/repos/acme/app/actions/runs").respond_with_data("[1, 2]", content_type="application/json")
    state = daemon.poll_once(config, "smoke", client=gh(httpserver))
    assert state["last_result"] == "fetch failed" and "expected a JSON object" in state["error"]

    class Broken:
        def successful_runs(self, *a):
            raise KeyError("surprise")

    state = daemon.poll_once(config, "smoke", client=Broken())
    assert state["last_result"] == "fetch failed" and state["error"] == "unexpected KeyError: 'surprise'"
    assert json.loads((ws / daemon.STATE).read_text())["last_result"] == "fetch failed"
    assert (ws / daemon.LOG).read_text().count("poll: fetch failed") == 2


def test_failed_build_is_retried_on_later_polls_with_backoff(ws, httpserver, monkeypatch):
    config = load_config(profile="smoke", environ={})
    config["daemon"]["retry_failed_build_seconds"] = 600
    HostileGitHub(httpserver, [run(41)], {"41": [art(httpserver, "r", "/blob/r")]}, {"/blob/r": zip_of({"r.json": REPORT})})
    results = iter([Proc(1, stderr="TaskFailed - taskid:stage1_analysis\nboom"), Proc(1, stderr="boom again"), Proc(0)])
    builds = []
    monkeypatch.setattr(daemon, "run_doit", lambda profile: builds.append(profile) or next(results))
    monkeypatch.setattr(daemon, "stale_tasks", lambda profile: [])
    t0 = 1_800_000_000.0
    poll = lambda dt: daemon.poll_once(config, "smoke", client=gh(httpserver), clock=lambda: t0 + dt)  # noqa: E731

    first = poll(0)
    assert first["last_result"] == "build failed" and first["build"]["failures"] == 1 and "boom" in first["error"]
    assert poll(60)["last_result"] == "waiting to retry the failed build" and len(builds) == 1
    second = poll(601)  # backoff passed: retried although no new artifacts arrived
    assert second["last_result"] == "build failed" and second["build"]["failures"] == 2 and len(builds) == 2
    assert second["build"]["next_retry_epoch"] == t0 + 601 + 1200  # doubled
    assert poll(1500)["last_result"] == "waiting to retry the failed build" and len(builds) == 2
    third = poll(1802)
    assert third["last_result"] == "built" and third["build"] == {"failures": 0} and len(builds) == 3
    assert json.loads((ws / daemon.STATE).read_text())["build"] == {"failures": 0}
    assert poll(1900)["last_result"] == "no new artifacts" and len(builds) == 3


def test_stale_targets_are_rebuilt_without_new_artifacts(ws, httpserver, monkeypatch):
    config = load_config(profile="smoke", environ={})
    HostileGitHub(httpserver, [], {}, {})
    monkeypatch.setattr(daemon, "run_doit", lambda profile: Proc(0))
    state = daemon.poll_once(config, "smoke", client=gh(httpserver))  # real `doit list --status`: nothing built yet
    assert state["last_result"] == "built"
    assert "stale targets: " in (ws / daemon.LOG).read_text()


# ----------------------------------------------------------------------------- the token file


def test_env_file_must_be_private(tmp_path, monkeypatch):
    env_file = tmp_path / "env"
    env_file.write_text("# tokens\nexport GITHUB_TOKEN='ghs_from_file'\nHF_TOKEN=hf_from_file\n\nOTHER = \"x y\"\n")
    env_file.chmod(0o644)
    with pytest.raises(SecftError, match=r"readable by group or others \(mode 0644\); run: chmod 600"):
        units.load_env_file(env_file, {})
    with pytest.raises(SecftError, match="readable by group or others"):
        units.install(tmp_path, 900, None, activate=False, env_file=env_file)
    env_file.chmod(0o600)
    environ = {"HF_TOKEN": "hf_already_set"}
    assert units.load_env_file(env_file, environ) == ["GITHUB_TOKEN", "OTHER"]
    assert environ == {"HF_TOKEN": "hf_already_set", "GITHUB_TOKEN": "ghs_from_file", "OTHER": "x y"}
    assert units.load_env_file(tmp_path / "missing", {}) == []
    (tmp_path / "bad").write_text("no equals sign here\n")
    (tmp_path / "bad").chmod(0o600)
    with pytest.raises(SecftError, match=r"bad:1: expected KEY=VALUE"):
        units.load_env_file(tmp_path / "bad", {})


def test_install_documents_and_the_timer_run_gets_the_token(ws, tmp_path, httpserver):
    env_file = tmp_path / "secft.env"
    cfg = ws / "config/pipeline.yaml"
    cfg.write_text(cfg.read_text().replace("github_repo: null", "github_repo: acme/app")
                   .replace("env_file: null", f"env_file: {env_file}"))
    env = clean_env(SECFT_SERVICE_DIR=str(tmp_path / "units"), GITHUB_API_URL=httpserver.url_for("").rstrip("/"))
    env.pop("GITHUB_TOKEN", None)
    cmd = [sys.executable, "-m", "tasks.daemon", "--install", "--no-activate"]
    proc = subprocess.run(cmd, cwd=ws, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and f"create {env_file} with lines GITHUB_TOKEN=" in proc.stdout and "chmod 600" in proc.stdout
    units = "".join(p.read_text() for p in (tmp_path / "units").iterdir())
    assert str(env_file) in units
    env_file.write_text(f"GITHUB_TOKEN={TOKEN}\n")
    env_file.chmod(0o640)
    proc = subprocess.run(cmd, cwd=ws, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "chmod 600" in proc.stderr
    env_file.chmod(0o600)
    seen = []
    httpserver.expect_request("/repos/acme/app/actions/runs").respond_with_handler(
        lambda r: seen.append(r.headers.get("Authorization")) or Response('{"workflow_runs": []}', content_type="application/json"))
    daemon_env = dict(env, SECFT_LOCK_TIMEOUT="0")
    proc = subprocess.run([sys.executable, "-m", "tasks.daemon", "--once", "--profile", "smoke"], cwd=ws, env=daemon_env,
                          capture_output=True, text=True, timeout=600)
    assert seen == [f"Bearer {TOKEN}"], proc.stdout + proc.stderr
    assert TOKEN not in proc.stdout + proc.stderr + (ws / daemon.LOG).read_text()


# ----------------------------------------------------------------------------- kill -9 during a fetch


def test_fetch_killed_part_way_leaves_nothing_half_visible_and_the_next_fetch_completes(ws, httpserver):
    """Three rounds: SIGKILL while the zip streams in, at different points; then an undisturbed fetch."""
    big = zip_of({"reports/r.json": REPORT, **{f"pad/{i}.bin": os.urandom(4096) for i in range(64)}})
    sent = threading.Event()
    state = {"slow": True}

    def blob(request):
        def stream():
            for i in range(0, len(big), 8192):
                if i >= len(big) // 3:
                    sent.set()
                    if state["slow"]:
                        time.sleep(0.5)
                yield big[i:i + 8192]
        return Response(stream(), content_type="application/zip", headers={"Content-Length": str(len(big))})

    runs = [run(91)]
    HostileGitHub(httpserver, runs, {"91": [art(httpserver, "r", "/blob/big", size=len(big))]}, {})
    httpserver.expect_request("/blob/big").respond_with_handler(blob)
    cmd = [sys.executable, "-m", "tasks.fetch_artifacts", "--repo", "acme/app"]
    env = clean_env(GITHUB_API_URL=httpserver.url_for("").rstrip("/"), GITHUB_TOKEN=TOKEN)
    root = ws / "data/artifacts"
    for round_ in range(3):
        sent.clear()
        proc = subprocess.Popen(cmd, cwd=ws, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert sent.wait(60), "the download never started"
            time.sleep(0.2 * round_)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(30)
        assert proc.returncode == -signal.SIGKILL
        assert not (root / "91/run.json").exists() and list_artifacts(root) == []  # nothing half-visible
    state["slow"] = False
    done = subprocess.run(cmd, cwd=ws, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (root / "91/r/reports/r.json").read_bytes() == REPORT
    assert json.loads((root / "91/run.json").read_text())["refused"] == []
    assert [p.relative_to(root).as_posix() for p in list_artifacts(root)][0] == "91/r/pad/0.bin"


# -- unit injection (docs/reliability.md, "Unit injection") ------------------------------------------------
def _systemd_argv(line: str) -> list[str]:
    """Split an ExecStart= value the way systemd does (quotes, backslash escapes, %% and $$)."""
    import shlex

    words = shlex.split(line, posix=True)
    return [w.replace("%%", "%").replace("$$", "$") for w in words]


@pytest.mark.parametrize("field", ["workdir", "profile", "env_file", "python"])
@pytest.mark.parametrize("bad", ["x\nExecStartPre=/bin/sh -c 'touch /tmp/pwned'", "x\rExecStartPre=/bin/true", "tab\there",
                                 "nul\x00", "ls\u2028sep"])
def test_control_characters_in_any_value_are_refused(tmp_path, monkeypatch, field, bad):
    from tasks.service import units as service

    workdir, profile, env_file = tmp_path, "smoke", tmp_path / "env"
    if field == "workdir":
        if "\x00" in bad:
            pytest.skip("a path cannot hold NUL")
        workdir = tmp_path / bad
        workdir.mkdir(parents=True)
    elif field == "profile":
        profile = bad
    elif field == "env_file":
        env_file = tmp_path / bad
    else:
        monkeypatch.setattr(service.sys, "executable", "/usr/bin/python3" + bad)
    for kind in ("systemd", "launchd"):
        with pytest.raises(SecftError, match="control character"):
            service.render(kind, workdir, 900, profile, env_file)


@pytest.mark.parametrize("name", ["with space", "quote\"d", "back\\slash", "per%cent", "dollar$HOME", "semi;colon",
                                  "single'q", "-dash"])
def test_systemd_values_are_quoted_and_plists_escaped(tmp_path, name):
    import plistlib

    from tasks.service import units as service

    workdir = tmp_path / name
    workdir.mkdir()
    units = service.render("systemd", workdir, 900, name, tmp_path / "env")
    unit = units["secft-daemon.service"]
    lines = [line for line in unit.splitlines() if line and not line.startswith("#")]
    assert [line.split("=", 1)[0] for line in lines if "=" in line] == [
        "Description", "Type", "WorkingDirectory", "ExecStart", "StandardOutput", "StandardError"]
    exec_line = next(line for line in lines if line.startswith("ExecStart="))[len("ExecStart="):]
    assert _systemd_argv(exec_line)[-2:] == ["--profile", name]
    work_line = next(line for line in lines if line.startswith("WorkingDirectory="))[len("WorkingDirectory="):]
    assert work_line.replace("%%", "%") == str(workdir.resolve())
    plist = plistlib.loads(service.render("launchd", workdir, 900, name)["com.secft.daemon.plist"].encode())
    assert plist["ProgramArguments"][-2:] == ["--profile", name] and plist["WorkingDirectory"] == str(workdir.resolve())
