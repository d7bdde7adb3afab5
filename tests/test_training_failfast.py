"""Fail fast, in one line: bad settings, names, data, base models and system errors before training."""

from __future__ import annotations

import json
import struct
import sys

import pytest
from conftest import clean_env, make_workspace, run_doit


def _cli(ws, monkeypatch, capsys, *args):
    from tasks.finetune import main

    monkeypatch.chdir(ws)
    rc = main(["--dataset", "fine-tuning/training_data/stage1_train.jsonl", "--profile", "smoke", *args])
    return rc, capsys.readouterr().err


@pytest.mark.parametrize("args, key", [
    (["--batch-size", "-1"], "fine_tuning.batch_size"),
    (["--batch-size", "0"], "fine_tuning.batch_size"),
    (["--max-iters", "-5"], "fine_tuning.max_iters"),
    (["--learning-rate", "nan"], "fine_tuning.learning_rate"),
    (["--max-epochs", "inf"], "fine_tuning.max_epochs"),
])
def test_standalone_settings_go_through_the_config_schema(workspace, monkeypatch, capsys, args, key):
    rc, err = _cli(workspace, monkeypatch, capsys, "--output-name", "mine", *args)
    assert rc == 2 and key in err and "command line" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (workspace / "fine-tuning/adapters/mine").exists()


@pytest.mark.parametrize("name", ["../../data", "", "..", "a/b", "/tmp/x", "stage1", ".hidden", "x" * 80])
def test_output_name_is_a_plain_name_and_nothing_outside_is_touched(workspace, monkeypatch, capsys, name):
    before = sorted(p.relative_to(workspace) for p in (workspace / "data").rglob("*"))
    adapters = sorted(p.name for p in (workspace / "fine-tuning/adapters").iterdir())
    rc, err = _cli(workspace, monkeypatch, capsys, "--output-name", name)
    assert rc == 2 and "--output-name" in err and len(err.strip().splitlines()) == 1
    assert sorted(p.relative_to(workspace) for p in (workspace / "data").rglob("*")) == before
    assert sorted(p.name for p in (workspace / "fine-tuning/adapters").iterdir()) == adapters


def test_data_formats_are_detected_per_file(tmp_path):
    from tasks.core.errors import SecftError
    from tasks.training.formats import read_rows_with_format

    cases = {
        "chat": {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "meta": {"x": 1}},
        "completions": {"prompt": "q", "completion": "a"},
        "text": {"text": "some text"},
    }
    for fmt, row in cases.items():
        path = tmp_path / f"{fmt}.jsonl"
        path.write_text(json.dumps(row) + "\n\n" + json.dumps(row) + "\n")
        rows, found = read_rows_with_format(path)
        assert found == fmt and len(rows) == 2 and "meta" not in rows[0]
    bad = {
        "other.jsonl": ('{"instruction": "q", "output": "a"}\n', "line 1: not an mlx-lm training row"),
        "mixed.jsonl": ('{"text": "a"}\n{"prompt": "q", "completion": "a"}\n', "line 2: completions row in a text file"),
        "broken.jsonl": ('{"text": "a"}\n{"text": \n', "line 2: malformed JSON"),
        "nocontent.jsonl": ('{"messages": [{"role": "user"}]}\n', "line 1: not an mlx-lm training row"),
        "list.jsonl": ('["text"]\n', "line 1"),
    }
    for name, (text, message) in bad.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(SecftError) as exc:
            read_rows_with_format(tmp_path / name)
        assert str(exc.value).startswith(f"{tmp_path / name}: {message}")
    (tmp_path / "latin1.jsonl").write_bytes('{"text": "caf\u00e9"}\n'.encode("latin-1"))
    (tmp_path / "folder.jsonl").mkdir()
    for name, message in {"latin1.jsonl": "not UTF-8 text", "folder.jsonl": "is a folder", "missing.jsonl": "dataset not found"}.items():
        with pytest.raises(SecftError, match=message):
            read_rows_with_format(tmp_path / name)


def test_standalone_trains_on_completions_and_text_and_uploads_like_the_pipeline(workspace):
    import subprocess

    data = workspace / "mine"
    data.mkdir()
    rows = [json.loads(line) for line in (workspace / "fine-tuning/training_data/stage1_train.jsonl").read_text().splitlines()][:12]
    (data / "train.jsonl").write_text("".join(
        json.dumps({"prompt": r["messages"][1]["content"][:300], "completion": r["messages"][2]["content"][:200]}) + "\n" for r in rows))
    (data / "valid.jsonl").write_text("".join(json.dumps({"text": r["messages"][2]["content"][:300]}) + "\n" for r in rows[:4]))
    cmd = [sys.executable, "-m", "tasks.finetune", "--dataset", "mine/train.jsonl", "--valid-dataset", "mine/valid.jsonl",
           "--output-name", "my-adapter", "--max-iters", "2", "--profile", "smoke", "--upload"]
    done = subprocess.run(cmd, cwd=workspace, env=clean_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    metrics = json.loads((workspace / "fine-tuning/adapters/my-adapter/metrics.json").read_text())
    assert metrics["status"] == "trained" and metrics["valid_rows"] == 4 and metrics["iterations"] == 2
    hub = workspace / "fine-tuning/hub"
    model = hub / "models/local/my-adapter"
    assert (model / "adapters.safetensors").read_bytes() == (workspace / "fine-tuning/adapters/my-adapter/adapters.safetensors").read_bytes()
    assert "library_name" in (model / "README.md").read_text()  # the pipeline's model card
    assert len((hub / "datasets/local/my-adapter-data/stage1_train.jsonl").read_text().splitlines()) == 12
    marker = json.loads((workspace / "fine-tuning/uploaded-my-adapter.json").read_text())
    assert set(marker["repos"]) == {"dataset", "stage1"}
    # the pipeline's own published repos were not touched
    assert (hub / "models/local/secft-olmo2-stage1-analysis/adapters.safetensors").read_bytes() == \
        (workspace / "fine-tuning/adapters/stage1/adapters.safetensors").read_bytes()


def _truncate(path, keep):
    data = path.read_bytes()
    path.write_bytes(data[:keep])


def test_safetensors_header_is_checked_against_the_file_size(smoke_workspace, tmp_path):
    from tasks.core.errors import SecftError
    from tasks.training.base_model import verify_model, verify_safetensors

    good = smoke_workspace / "fine-tuning/models/tiny-base/model.safetensors"
    verify_safetensors(good)
    data = good.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    cases = {
        "truncated": (data[:-100], "the header describes"),
        "grown": (data + b"\0" * 8, "the header describes"),
        "tiny": (data[:5], "shorter than its 8-byte header length"),
        "huge-header": (struct.pack("<Q", 10**12) + data[8:], "header of 1000000000000 bytes"),
        "not-json": (data[:8] + b"\xff" * n + data[8 + n:], "its header is not JSON"),
    }
    for name, (content, message) in cases.items():
        f = tmp_path / f"{name}.safetensors"
        f.write_bytes(content)
        with pytest.raises(SecftError) as exc:
            verify_safetensors(f)
        assert message in str(exc.value) and str(f) in str(exc.value)
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    with pytest.raises(SecftError, match="no \\*.safetensors weights"):
        verify_model(folder)


def test_truncated_base_model_fails_the_build_in_one_line(workspace):
    _truncate(workspace / "fine-tuning/models/tiny-base/model.safetensors", 4096)
    before = (workspace / "fine-tuning/adapters/stage1/adapters.safetensors").read_bytes()
    run = run_doit(workspace, "profile=smoke", "stage1_analysis")
    assert run.returncode != 0
    assert "corrupted or truncated safetensors file" in run.output and "Traceback" not in run.output
    assert "model.safetensors" in run.output and not run.ran("stage1_analysis")
    assert (workspace / "fine-tuning/adapters/stage1/adapters.safetensors").read_bytes() == before


def test_local_base_model_files_are_tracked_by_content(workspace):
    import shutil

    local = workspace / "my-model"
    shutil.copytree(workspace / "fine-tuning/models/tiny-base", local)
    path = workspace / "config/profiles/smoke.yaml"
    path.write_text(path.read_text().replace("base_model: tiny", "base_model: ./my-model"))
    run = run_doit(workspace, "profile=smoke", "base_model")
    assert run.returncode == 0 and run.ran("base_model"), run.output[-2000:]
    marker = json.loads((workspace / "fine-tuning/models/base_model.json").read_text())
    assert marker["files"]["model.safetensors"]["size"] == (local / "model.safetensors").stat().st_size
    again = run_doit(workspace, "profile=smoke", "base_model")
    assert "base_model" in again.uptodate
    config = local / "config.json"
    config.write_text(config.read_text().replace('"rms_norm_eps": 1e-06', '"rms_norm_eps": 1e-05'))
    changed = run_doit(workspace, "profile=smoke", "base_model")
    assert changed.ran("base_model")
    assert json.loads((workspace / "fine-tuning/models/base_model.json").read_text())["files"] != marker["files"]


def test_skip_fine_tuning_needs_no_base_model(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    path = ws / "config/pipeline.yaml"
    path.write_text(path.read_text().replace("  skip_fine_tuning: false", "  skip_fine_tuning: true"))
    # the default base model is the 1B Hub model, and the Hugging Face cache is empty and offline
    run = run_doit(ws, "stage2_codefix", env=clean_env(HF_HUB_CACHE=str(tmp_path / "empty-cache")))
    assert run.returncode == 0, run.output[-3000:]
    assert run.ran("base_model") and run.ran("stage1_analysis") and run.ran("stage2_codefix")
    for stage in ("stage1", "stage2"):
        assert json.loads((ws / f"fine-tuning/adapters/{stage}/metrics.json").read_text())["status"] == "skipped"
    assert not (tmp_path / "empty-cache").exists() or not any((tmp_path / "empty-cache").iterdir())


def test_nan_loss_fails_the_stage_and_nothing_is_uploaded(workspace):
    before = (workspace / "fine-tuning/adapters/stage1/adapters.safetensors").read_bytes()
    marker = (workspace / "fine-tuning/uploaded.json").read_text()
    path = workspace / "config/profiles/smoke.yaml"
    text = path.read_text()
    assert "learning_rate: 5.0e-4" in text  # the replacement below must hit, or the test proves nothing
    path.write_text(text.replace("learning_rate: 5.0e-4", "learning_rate: 1.0e+30"))
    run = run_doit(workspace, "profile=smoke")
    assert run.returncode != 0
    assert "training loss became nan" in run.output and "Traceback" not in run.output
    assert not run.ran("upload") and not run.ran("stage2_codefix")
    metrics = json.loads((workspace / "fine-tuning/adapters/stage1/metrics.json").read_text())
    assert metrics["status"] == "failed" and metrics["train_loss"]
    assert (workspace / "fine-tuning/adapters/stage1/adapters.safetensors").read_bytes() == before  # nothing lost
    assert (workspace / "fine-tuning/uploaded.json").read_text() == marker
    # and the failed stage is not taken as built: the next run tries again
    assert run_doit(workspace, "profile=smoke", "stage1_analysis").ran("stage1_analysis")


def _stage1(ws, monkeypatch):
    from tasks.core.config import load_config
    from tasks.training.stages import stage1

    monkeypatch.chdir(ws)
    config = load_config(ws / "config/pipeline.yaml", "smoke", environ={}, overrides={"fine_tuning.min_new_rows": 0})
    ft = ws / "fine-tuning"
    return lambda: stage1(config, ft / "training_data", ft / "adapters/stage1", ft / "checkpoints/stage1", ft / "logs/stage1.log")


def test_system_errors_are_one_line_before_training(workspace, monkeypatch):
    from tasks.core.errors import SecftError

    run = _stage1(workspace, monkeypatch)
    # mlx missing
    monkeypatch.setitem(sys.modules, "mlx_lm", None)
    with pytest.raises(SecftError, match="training needs mlx and mlx-lm"):
        run()
    monkeypatch.delitem(sys.modules, "mlx_lm")
    # an output folder that cannot be created (a file in the way; tests run as root, so chmod proves nothing)
    import shutil

    shutil.rmtree(workspace / "fine-tuning/checkpoints", ignore_errors=True)
    (workspace / "fine-tuning/checkpoints").write_text("in the way")
    with pytest.raises(SecftError) as exc:
        run()
    assert "fine-tuning/checkpoints: output folder is not writable: a file is in the way" in str(exc.value)
    (workspace / "fine-tuning/checkpoints").unlink()
    # a full disk
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(SecftError, match="not enough disk space"):
        run()
    assert not (workspace / "fine-tuning/logs/stage1.log").read_text().count("resuming")
