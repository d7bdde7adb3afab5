"""Attack a checkout with the second round of hostile input (issue 20) and count what happens, per class.

    PYTHONPATH=<checkout> python bench/hostile_round2.py [--only CLASS] [--timeout 25]

Each case runs in its own process against the checkout on PYTHONPATH, through the entry points
that exist before and after the fixes (SourceReader, parse_report/parse_file, the model history,
fetch, GitHub, the upload, service.render, the daemon's state), with local servers on 127.0.0.1 and
temporary folders only.  Verdicts: ok (right behaviour or one clear line), traceback (an exception
that is not a SecftError), hang (past the case's timeout), leak (a raw secret in an output), escape
(a file read or a program run outside the root), lost (finished work redone or discarded), bad
(a hostile input accepted silently).  Prints one Markdown table for docs/reliability.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import string
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

CASES: dict[str, list[str]] = {}


def case(cls: str):
    def register(fn):
        CASES.setdefault(cls, []).append(fn.__name__)
        globals()[fn.__name__] = fn
        return fn
    return register


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x.invalid"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def _repo(tmp: Path) -> tuple[Path, Path]:
    outside = tmp / "outside" / "etc"
    outside.mkdir(parents=True)
    (outside / "passwd").write_text("root:x:0:0:OUTSIDE\n")
    repo = tmp / "repo"
    (repo / "etc").mkdir(parents=True)
    (repo / "etc" / "passwd").write_text("inside\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "x")
    return repo, tmp / "outside"


def _read_through(repo: Path) -> str:
    from tasks.repository.source import SourceReader

    ctx = SourceReader(repo).context("etc/passwd", None, 1, 0)
    return "escape" if ctx and "OUTSIDE" in ctx["text"] else "ok"


# -- 1. reads outside the root -----------------------------------------------------------------------------
@case("reads outside the root")
def worktree_elsewhere(tmp: Path) -> str:
    repo, outside = _repo(tmp)
    _git(repo, "config", "core.worktree", str(outside))
    return _read_through(repo)


@case("reads outside the root")
def worktree_root(tmp: Path) -> str:
    repo, _ = _repo(tmp)
    _git(repo, "config", "core.worktree", "/")
    from tasks.repository.source import SourceReader

    ctx = SourceReader(repo).context("etc/hostname", None, 1, 0)
    return "escape" if ctx else "ok"


@case("reads outside the root")
def env_work_tree(tmp: Path) -> str:
    repo, outside = _repo(tmp)
    os.environ["GIT_WORK_TREE"] = str(outside)
    return _read_through(repo)


@case("reads outside the root")
def fsmonitor_program(tmp: Path) -> str:
    repo, _ = _repo(tmp)
    ran = tmp / "ran"
    prog = tmp / "p.sh"
    prog.write_text(f"#!/bin/sh\ntouch {ran}\n")
    prog.chmod(0o755)
    _git(repo, "config", "core.fsmonitor", str(prog))
    _git(repo, "config", "diff.external", str(prog))
    from tasks.repository.source import SourceReader

    reader = SourceReader(repo)
    reader.context("etc/passwd", None, 1, 0)
    from tasks.repository.source import run_git

    run_git(reader.repo, ["diff", "HEAD"])
    run_git(reader.repo, ["status"])
    return "escape" if ran.exists() else "ok"


# -- 2. secret kinds detect-secrets lacks --------------------------------------------------------------------
KINDS = {"hf": "hf_", "github_pat": "github_pat_", "google": "AIza", "openai": "sk-proj-", "anthropic": "sk-ant-api03-",
         "slack": "xoxb-", "stripe": "sk_live_", "npm": "npm_", "pypi": "pypi-"}


def _token(prefix: str) -> str:
    rng = random.Random(prefix)
    n = 80 if prefix == "pypi-" else 40
    return prefix + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n)) + "Q9z"


def _secret_case(kind: str, where: str):
    def run(tmp: Path) -> str:
        from tasks.findings.parsers import parse_report

        value = _token(KINDS[kind])
        line = {"prose": f"token {value} here", "code": f'c = Cipher.getInstance("AES"); t = "{value}"',
                "long line": "a" * 5000 + " " + value}[where]
        report = {"results": [{"check_id": "generic.rule", "path": "app.py", "start": {"line": 1}, "end": {"line": 1},
                               "extra": {"message": line, "lines": line, "severity": "ERROR", "metadata": {}}}],
                  "errors": [], "version": "1.0.0"}
        path = tmp / "semgrep.json"
        path.write_text(json.dumps(report))
        out = json.dumps([f for f in parse_report(path).findings])
        return "leak" if value in out or value[:12] in out else "ok"
    run.__name__ = f"secret_{kind}_{where.replace(' ', '_')}"
    return run


for _kind in KINDS:
    for _where in ("prose", "code", "long line"):
        case("secret kinds")(_secret_case(_kind, _where))


# -- 3. symlinks ---------------------------------------------------------------------------------------------
def _history(tmp: Path):
    from tasks.training import model_history as builds

    root = tmp / "fine-tuning"
    folder = root / "adapters" / "stage1"
    folder.mkdir(parents=True)
    (folder / "adapters.safetensors").write_bytes(b"w")
    (folder / "trained_rows.txt").write_text("a\n")
    outputs = {(folder / n).as_posix(): {"size": 1} for n in ("adapters.safetensors", "trained_rows.txt")}
    metrics = {"stage": "stage1", "status": "trained", "data_sha256": "ab" * 32, "outputs": outputs}
    (folder / "metrics.json").write_text(json.dumps(metrics))
    name = builds.record({"fine_tuning": {}}, metrics)
    return builds, root, name


@case("symlinks")
def restore_follows_link(tmp: Path) -> str:
    builds, root, name = _history(tmp)
    secret = tmp / "token"
    secret.write_text("hf_SECRET_OUTSIDE")
    (root / "history" / name / "adapters" / "stage1" / "extra.json").symlink_to(secret)
    from tasks.core.errors import SecftError

    try:
        builds.restore(name, root)
    except SecftError:
        pass
    copied = root / "adapters" / "stage1" / "extra.json"
    return "leak" if copied.exists() and "SECRET" in copied.read_text() else "ok"


@case("symlinks")
def card_of_rejected_link(tmp: Path) -> str:
    from tasks.publish.cards import dataset_card

    info = {"files": {"train.jsonl": {"rows": 1, "sha256": "0" * 64}}, "stage2_dropped": {},
            "counts": {s: {"train": 1, "valid": 0, "test": 0} for s in ("stage1", "stage2")}}
    dataset_card(info, {"artifacts": [{"artifact": "r/link.json", "tools": [], "format": None, "findings": 0, "sha256": None}]})
    return "ok"


# -- 4. fetch ------------------------------------------------------------------------------------------------
def _fetch_case(status: int):
    def run(tmp: Path) -> str:
        from pytest_httpserver import HTTPServer
        from werkzeug import Response

        from tasks.ingest.fetch import fetch
        from tasks.ingest.github import GitHub
        from tasks.core.errors import SecftError

        server = HTTPServer("127.0.0.1", 0)
        server.start()
        try:
            runs = [{"id": i, "head_branch": "main", "head_sha": "0" * 40, "name": "CI",
                     "created_at": f"2026-11-2{i}T10:00:00Z"} for i in (1, 2)]
            server.expect_request("/repos/a/b/actions/runs").respond_with_json({"workflow_runs": runs})
            for i in (1, 2):
                server.expect_request(f"/repos/a/b/actions/runs/{i}/artifacts").respond_with_json({"artifacts": [
                    {"id": i, "name": "r", "size_in_bytes": 10, "archive_download_url": server.url_for(f"/z/{i}")}]})
            server.expect_request("/z/1").respond_with_handler(lambda r: Response("x", status=status))
            import io
            import zipfile
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as z:
                z.writestr("gitleaks.json", "[]")
            server.expect_request("/z/2").respond_with_data(buf.getvalue())
            net = {"connect_timeout_seconds": 2, "read_timeout_seconds": 2, "retries": 1, "backoff_seconds": 0}
            client = GitHub("a/b", token="t", api_url=server.url_for("").rstrip("/"), net=net, sleep=lambda s: None)
            for _ in range(2):
                try:
                    fetch(client, "main", tmp / "artifacts", log=lambda s: None)
                except SecftError:
                    pass
            return "ok" if (tmp / "artifacts" / "2" / "run.json").exists() else "lost"
        finally:
            server.stop()
    run.__name__ = f"fetch_{status}"
    return run


for _status in (404, 500, 503):
    case("fetch")(_fetch_case(_status))


# -- 5. slow servers -----------------------------------------------------------------------------------------
def _trickle_server() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)

    def serve():
        end = time.monotonic() + 60
        while time.monotonic() < end:
            conn, _ = sock.accept()

            def drip(c=conn):
                try:
                    c.recv(65536)
                    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                    while time.monotonic() < end:
                        c.sendall(b" ")
                        time.sleep(1)
                except OSError:
                    pass
            threading.Thread(target=drip, daemon=True).start()
    threading.Thread(target=serve, daemon=True).start()
    return sock.getsockname()[1]


SLOW = {"connect_timeout_seconds": 2, "read_timeout_seconds": 5, "retries": 0, "backoff_seconds": 0,
        "deadline_seconds": 3, "min_bytes_per_second": 65536}


@case("slow servers")
def slow_api(tmp: Path) -> str:
    from tasks.core.errors import SecftError
    from tasks.ingest.github import GitHub

    port = _trickle_server()
    try:
        GitHub("a/b", token="t", api_url=f"http://127.0.0.1:{port}", net=SLOW).successful_runs("main")
    except SecftError as exc:
        return "ok" if f"127.0.0.1:{port}" in str(exc) else "bad"
    return "bad"


@case("slow servers")
def slow_download(tmp: Path) -> str:
    from tasks.core.errors import SecftError
    from tasks.ingest.github import GitHub

    port = _trickle_server()
    try:
        with open(tmp / "z", "w+b") as out:
            GitHub("a/b", token="t", api_url=f"http://127.0.0.1:{port}", net=SLOW).download(
                f"http://127.0.0.1:{port}/z", out, 1 << 20)
    except SecftError as exc:
        return "ok" if f"127.0.0.1:{port}" in str(exc) else "bad"
    return "bad"


@case("slow servers")
def slow_hub(tmp: Path) -> str:
    from huggingface_hub import HfApi

    from tasks.core import network
    from tasks.core.errors import SecftError
    from tasks.publish.upload import _upload_hf

    port = _trickle_server()
    folder = tmp / "ds"
    folder.mkdir()
    (folder / "train.jsonl").write_text("{}\n")
    network.configure_hub(SLOW)
    url = f"http://127.0.0.1:{port}"
    try:
        _upload_hf(HfApi(endpoint=url, token="hf_x"), "acme", {"key": "dataset", "name": "d", "repo_type": "dataset",
                                                               "folder": folder}, False, {**network.DEFAULTS, **SLOW}, url)
    except SecftError as exc:
        return "ok" if f"127.0.0.1:{port}" in str(exc) else "bad"
    return "bad"


# -- 6. size before work -------------------------------------------------------------------------------------
@case("size before work")
def sparse_terabyte(tmp: Path) -> str:
    from tasks.findings.parse import parse_file

    root = tmp / "artifacts"
    (root / "r").mkdir(parents=True)
    with open(root / "r" / "big.json", "wb") as fh:
        fh.truncate(1 << 40)
    record = parse_file(root / "r" / "big.json", root, "skip", 1 << 20)
    return "ok" if record["status"] == "rejected" else "bad"


# -- 7. damaged state ----------------------------------------------------------------------------------------
def _damaged_build(damage: str):
    def run(tmp: Path) -> str:
        builds, root, name = _history(tmp)
        (root / "history" / name / "build.json").write_text(damage)
        builds.record({"fine_tuning": {"keep_builds": 5}}, json.loads((root / "adapters/stage1/metrics.json").read_text()))
        builds.list_builds(root)
        return "ok" if len(builds.entries(root / "history")) == 2 else "lost"
    run.__name__ = "build_json_" + {"{x": "not_json", "[" * 50000: "deep", '{"name": 1}': "wrong_name"}.get(damage, "types")
    return run


for _damage in ("{x", "[" * 50000):
    case("damaged state")(_damaged_build(_damage))


@case("damaged state")
def build_json_types(tmp: Path) -> str:
    builds, root, name = _history(tmp)
    path = root / "history" / name / "build.json"
    build = json.loads(path.read_text())
    build["created_ns"] = "yesterday"
    path.write_text(json.dumps(build))
    builds.record({"fine_tuning": {"keep_builds": 5}}, json.loads((root / "adapters/stage1/metrics.json").read_text()))
    builds.list_builds(root)
    return "ok" if len(builds.entries(root / "history")) == 2 else "lost"


@case("damaged state")
def daemon_state_deep(tmp: Path) -> str:
    os.chdir(tmp)
    (tmp / "fine-tuning").mkdir()
    (tmp / "fine-tuning" / "daemon_state.json").write_text("[" * 100000)
    from tasks.service import daemon

    daemon._read_state()
    return "ok"


@case("damaged state")
def kill_during_evaluation(tmp: Path) -> str:
    repo = os.environ["PYTHONPATH"].split(os.pathsep)[0]
    dodo = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {repo!r})
        from pathlib import Path
        try:
            from tasks.core import doitdb
            doitdb.install()
        except ImportError:
            pass
        DOIT_CONFIG = {{"backend": "sqlite3", "dep_file": "db.sqlite"}}
        def _train():
            n = Path("count"); n.write_text(str(int(n.read_text()) + 1 if n.exists() else 1)); Path("a").write_text("w")
        def task_train():
            return {{"actions": [_train], "file_dep": ["data"], "targets": ["a"]}}
        def task_evaluate():
            return {{"actions": [lambda: os.kill(os.getpid(), signal.SIGKILL) if os.environ.get("KILL") else None],
                    "file_dep": ["a"], "targets": ["r"]}}
    """)
    (tmp / "dodo.py").write_text(dodo)
    (tmp / "data").write_text("rows")
    subprocess.run([sys.executable, "-m", "doit"], cwd=tmp, env={**os.environ, "KILL": "1"}, capture_output=True)
    subprocess.run([sys.executable, "-m", "doit", "train"], cwd=tmp, capture_output=True)
    return "ok" if (tmp / "count").read_text() == "1" else "lost"


# -- 8. unit injection ---------------------------------------------------------------------------------------
def _unit_case(field: str):
    def run(tmp: Path) -> str:
        from tasks.service import units as service
        from tasks.core.errors import SecftError

        bad = "x\nExecStartPre=/bin/touch /tmp/pwned"
        workdir = tmp / "w"
        workdir.mkdir()
        try:
            if field == "profile":
                text = "".join(service.render("systemd", workdir, 900, bad, tmp / "env").values())
            elif field == "env_file":
                text = "".join(service.render("systemd", workdir, 900, "p", tmp / bad).values())
            else:
                text = "".join(service.render("launchd", workdir, 900, "a</string><string>-c", tmp / "env").values())
                import plistlib
                args = plistlib.loads(text.encode())["ProgramArguments"]
                return "ok" if args[-1] == "a</string><string>-c" else "escape"
        except SecftError:
            return "ok"
        return "escape" if any(line.startswith("ExecStartPre=") for line in text.splitlines()) else "ok"
    run.__name__ = f"unit_{field}"
    return run


for _field in ("profile", "env_file", "plist"):
    case("unit injection")(_unit_case(_field))


# -- the runner ----------------------------------------------------------------------------------------------
def _child(name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        try:
            verdict = globals()[name](Path(tmp))
        except Exception as exc:  # noqa: BLE001 - the verdict
            from tasks.core.errors import SecftError

            verdict = "ok" if isinstance(exc, SecftError) and "\n" not in str(exc) else "traceback"
            if verdict == "traceback":
                print(f"{type(exc).__name__}: {str(exc)[:200]}", file=sys.stderr)
        print(json.dumps({"verdict": verdict}))
        sys.stdout.flush()
        os._exit(0)  # never wait for a library's threads


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--case")
    p.add_argument("--only")
    p.add_argument("--timeout", type=float, default=25)
    args = p.parse_args()
    if args.case:
        _child(args.case)
        return
    rows = []
    for cls, names in CASES.items():
        if args.only and args.only != cls:
            continue
        counts: dict[str, int] = {}
        for name in names:
            try:
                proc = subprocess.run([sys.executable, __file__, "--case", name], capture_output=True, text=True,
                                      timeout=args.timeout)
                lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
                verdict = json.loads(lines[-1])["verdict"] if lines else "traceback"
            except subprocess.TimeoutExpired:
                verdict = "hang"
            counts[verdict] = counts.get(verdict, 0) + 1
            if verdict != "ok":
                print(f"  {cls}: {name}: {verdict}", file=sys.stderr)
        rows.append((cls, len(names), counts))
    print("| class | cases | ok | traceback | hang | leak | escape | lost | bad |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for cls, n, c in rows:
        print(f"| {cls} | {n} | " + " | ".join(str(c.get(k, 0)) for k in
                                               ("ok", "traceback", "hang", "leak", "escape", "lost", "bad")) + " |")


if __name__ == "__main__":
    main()
