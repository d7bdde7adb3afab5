"""Model history and upload folders against links and damage (docs/reliability.md, "Symlinks" and
"Damaged state"): a link is never followed out of a history entry or an upload folder, a damaged
build.json is moved aside and rebuilt, and none of it ends in a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO, clean_env
from test_cli_modes import _fake_stage  # one fake trained stage for the history tests

from tasks.core import atomic
from tasks.core.errors import SecftError
from tasks.training import model_history as builds


@pytest.fixture
def history(tmp_path):
    root = tmp_path / "ws" / "fine-tuning"
    names = [builds.record({"fine_tuning": {"keep_builds": 5}}, _fake_stage(root, "stage1", bytes([i]))) for i in range(2)]
    secret = tmp_path / "token.txt"
    secret.write_text("hf_outside_the_workspace_token")
    return root, names, secret


def _restore(root, name):
    return subprocess.run([sys.executable, "-m", "tasks.models", "--workspace", str(root.parent), "restore", name],
                          cwd=REPO, env=clean_env(), capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("where", ["file", "folder", "entry-subfolder"])
def test_restore_never_follows_a_link_out_of_a_history_entry(history, where):
    root, names, secret = history
    entry = root / "history" / names[0]
    if where == "file":
        (entry / "adapters/stage1/adapter_config.json").symlink_to(secret)
    elif where == "folder":
        (entry / "adapters/stage1/extra").symlink_to(secret.parent)
    else:
        outside = secret.parent / "elsewhere"
        (outside / "stage1").mkdir(parents=True)
        (outside / "stage1" / "metrics.json").write_text("{}")
        (outside / "stage1" / "token").symlink_to(secret)
        import shutil
        shutil.rmtree(entry / "adapters")
        (entry / "adapters").symlink_to(outside)
    live_before = (root / "adapters/stage1/adapters.safetensors").read_bytes()
    done = _restore(root, names[0])
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "symbolic link" in done.stderr
    assert (root / "adapters/stage1/adapters.safetensors").read_bytes() == live_before  # nothing touched
    assert not any("hf_outside" in p.read_text(errors="replace") for p in (root / "adapters").rglob("*") if p.is_file())


def test_a_history_entry_that_is_itself_a_link_is_refused(history, tmp_path):
    root, names, _ = history
    import shutil
    moved = tmp_path / "moved"
    shutil.move(root / "history" / names[0], moved)
    (root / "history" / names[0]).symlink_to(moved)
    done = _restore(root, names[0])
    assert done.returncode == 2 and "symbolic link" in done.stderr and "Traceback" not in done.stderr


def test_record_refuses_a_link_in_the_trained_folder(tmp_path, capsys):
    root = tmp_path / "fine-tuning"
    metrics = _fake_stage(root, "stage1", b"a")
    (root / "adapters/stage1/leak").symlink_to("/etc/hostname")
    assert builds.record({"fine_tuning": {}}, metrics) is None
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "symbolic link" in err[0]
    assert not list((root / "history").glob("*/adapters/stage1/leak"))


@pytest.mark.parametrize("damage", ["{not json", "[" * 100000, json.dumps({"name": "x"}), "null",
                                    "BUILD:created_ns=str", "BUILD:summary=list", "BUILD:folders=int"])
def test_a_damaged_build_json_is_moved_aside_and_rebuilt(history, damage, capsys):
    root, names, _ = history
    path = root / "history" / names[0] / "build.json"
    if damage.startswith("BUILD:"):
        key, kind = damage[6:].split("=")
        build = json.loads(path.read_text())
        build[key] = {"str": "yesterday", "list": [1, 2], "int": 7}[kind]
        path.write_text(json.dumps(build))
    else:
        path.write_text(damage)
    capsys.readouterr()
    kept = builds.entries(root / "history")
    assert [p.name for p, _ in kept] == names  # nothing lost, order kept (created_ns from the name)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "damaged; moved aside to" in err[0] and str(path) in err[0]
    assert list((root / "history").glob(f".{names[0]}.build.json.damaged-*"))
    rebuilt = json.loads(path.read_text())
    assert rebuilt["adapter"] == "stage1" and rebuilt["folders"] == ["adapters/stage1"] and rebuilt["kind"] == "rebuilt"
    # later stages go on: a new training rotates and lists the history, a restore works
    builds.record({"fine_tuning": {"keep_builds": 2}}, _fake_stage(root, "stage1", b"\x09"))
    assert len(builds.entries(root / "history")) == 2 and builds.list_builds(root)
    builds.restore(builds.entries(root / "history")[0][0].name, root)


def test_upload_staging_refuses_an_outside_link_in_one_line(tmp_path):
    folder = tmp_path / "peft" / "stage1"
    folder.mkdir(parents=True)
    (folder / "adapter_model.safetensors").write_bytes(b"x")
    (folder / "token").symlink_to(tmp_path / "nowhere")
    with pytest.raises(SecftError, match=r"token is a symbolic link .*refused"):
        atomic.regular_files(folder, "upload folder")
    from tasks.publish.upload import _copy_file, peft_digest
    with pytest.raises(SecftError, match="symbolic link"):
        peft_digest(tmp_path / "peft")
    link = tmp_path / "train.jsonl"
    link.symlink_to("/etc/hostname")
    with pytest.raises(SecftError, match="train.jsonl is a symbolic link; refused"):
        _copy_file(link, tmp_path / "copy.jsonl")


def test_dataset_card_with_a_rejected_artifact_has_no_traceback():
    from tasks.publish.cards import dataset_card
    info = {"files": {"train.jsonl": {"rows": 1, "sha256": None}},
            "counts": {s: {"train": 1, "valid": 0, "test": 0} for s in ("stage1", "stage2")}, "stage2_dropped": {}}
    summary = {"artifacts": [{"artifact": "run/link.json", "tools": [], "format": None, "findings": 0, "sha256": None}]}
    card = dataset_card(info, summary)
    assert "`run/link.json` (rejected, 0 findings, sha256 `none`)" in card
