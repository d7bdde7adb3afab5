"""Configuration: defaults, profile, environment overrides, one-line errors."""

from __future__ import annotations

import shutil

import pytest
from conftest import REPO

from tasks.core.config import load_config
from tasks.core.errors import SecftError


@pytest.fixture
def cfg_dir(tmp_path):
    shutil.copytree(REPO / "config", tmp_path / "config")
    return tmp_path / "config"


def test_defaults_are_the_real_model_with_upload_off():
    c = load_config(REPO / "config/pipeline.yaml", environ={})
    assert c["base_model"] == "allenai/OLMo-2-0425-1B-Instruct"
    ft = c["fine_tuning"]
    assert (ft["batch_size"], ft["learning_rate"], ft["max_epochs"], ft["sequential"]) == (2, 1e-5, 3, True)
    assert c["upload"]["enabled"] is False and c["profile"] == "default"


def test_smoke_profile_from_argument_or_environment():
    a = load_config(REPO / "config/pipeline.yaml", profile="smoke", environ={})
    b = load_config(REPO / "config/pipeline.yaml", environ={"SECFT_PROFILE": "smoke"})
    assert a == b
    assert a["base_model"] == "tiny" and a["upload"]["destination"] == "dir:fine-tuning/hub"
    assert a["fine_tuning"]["lora_rank"] == 4 and a["fine_tuning"]["batch_size"] == 2  # merged, not replaced


def test_environment_overrides():
    c = load_config(REPO / "config/pipeline.yaml", environ={
        "FINE_TUNING_BATCH_SIZE": "8", "FINE_TUNING_LEARNING_RATE": "3e-4",
        "FINE_TUNING_MAX_EPOCHS": "1.5", "FINE_TUNING_UPLOAD_ENABLED": "yes",
    })
    assert c["fine_tuning"]["batch_size"] == 8 and c["fine_tuning"]["learning_rate"] == 3e-4
    assert c["fine_tuning"]["max_epochs"] == 1.5 and c["upload"]["enabled"] is True


@pytest.mark.parametrize("env, message", [
    ({"FINE_TUNING_BATCH_SIZE": "two"}, "environment variable FINE_TUNING_BATCH_SIZE: expected an integer, got 'two'"),
    ({"FINE_TUNING_UPLOAD_ENABLED": "maybe"}, "environment variable FINE_TUNING_UPLOAD_ENABLED: expected true or false, got 'maybe'"),
    ({"FINE_TUNING_BATCH_SIZE": "0"}, "environment variable FINE_TUNING_BATCH_SIZE: fine_tuning.batch_size: 0 is less than the minimum of 1"),
])
def test_bad_environment_values(env, message):
    with pytest.raises(SecftError) as exc:
        load_config(REPO / "config/pipeline.yaml", environ=env)
    assert str(exc.value) == message


def test_unknown_key_names_file_and_key(cfg_dir):
    path = cfg_dir / "pipeline.yaml"
    path.write_text(path.read_text().replace("  batch_size: 2\n", "  batch_size: 2\n  batch_szie: 4\n"))
    with pytest.raises(SecftError) as exc:
        load_config(path, environ={})
    assert str(exc.value).startswith(f"{path}: unknown key fine_tuning.batch_szie (allowed here: ")


def test_unknown_key_in_profile_blames_the_profile(cfg_dir):
    (cfg_dir / "profiles" / "smoke.yaml").write_text("upload:\n  enabled: true\n  colour: blue\n")
    with pytest.raises(SecftError, match=r"profiles/smoke\.yaml: unknown key upload\.colour"):
        load_config(cfg_dir / "pipeline.yaml", profile="smoke", environ={})


def test_wrong_type_and_bad_yaml(cfg_dir):
    path = cfg_dir / "pipeline.yaml"
    original = path.read_text()
    path.write_text(original.replace("learning_rate: 1.0e-5", "learning_rate: fast"))
    with pytest.raises(SecftError, match=r"pipeline\.yaml: fine_tuning\.learning_rate: 'fast' is not of type 'number'"):
        load_config(path, environ={})
    path.write_text(original.replace("parse:\n", "parse:\n  - oops\n   bad: [\n"))
    with pytest.raises(SecftError, match=r"pipeline\.yaml: invalid YAML at line \d+ column \d+"):
        load_config(path, environ={})


def test_unknown_profile(cfg_dir):
    with pytest.raises(SecftError, match=r"unknown profile 'nope' \(known: cpu, smoke\)"):
        load_config(cfg_dir / "pipeline.yaml", profile="nope", environ={})


def test_cache_is_invalidated_by_any_input_change(cfg_dir, tmp_path):
    cache = tmp_path / "cache.json"
    path = cfg_dir / "pipeline.yaml"
    assert load_config(path, environ={}, cache=cache)["fine_tuning"]["batch_size"] == 2
    assert cache.exists()
    path.write_text(path.read_text().replace("  batch_size: 2\n", "  batch_size: 6\n"))
    assert load_config(path, environ={}, cache=cache)["fine_tuning"]["batch_size"] == 6
    assert load_config(path, environ={"FINE_TUNING_BATCH_SIZE": "3"}, cache=cache)["fine_tuning"]["batch_size"] == 3


def test_overrides_win_and_are_validated_with_their_label():
    c = load_config(REPO / "config/pipeline.yaml", environ={"FINE_TUNING_BATCH_SIZE": "3"},
                    overrides={"fine_tuning.batch_size": 5, "upload.enabled": True})
    assert c["fine_tuning"]["batch_size"] == 5 and c["upload"]["enabled"] is True
    with pytest.raises(SecftError, match=r"^doit variable batch_size \(fine_tuning.batch_size\): fine_tuning.batch_size: 0 is less than"):
        load_config(REPO / "config/pipeline.yaml", environ={}, overrides={"fine_tuning.batch_size": 0},
                    overrides_label="doit variable batch_size")


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "NaN"])
def test_non_finite_numbers_are_refused(raw):
    with pytest.raises(SecftError, match="FINE_TUNING_LEARNING_RATE"):
        load_config(REPO / "config/pipeline.yaml", environ={"FINE_TUNING_LEARNING_RATE": raw})
    with pytest.raises(SecftError, match="fine_tuning.max_epochs: must be a finite number"):
        load_config(REPO / "config/pipeline.yaml", environ={}, overrides={"fine_tuning.max_epochs": float(raw)})


def test_yaml_nan_in_the_file_is_refused(tmp_path):
    path = tmp_path / "pipeline.yaml"
    text = (REPO / "config/pipeline.yaml").read_text().replace("learning_rate: 1.0e-5", "learning_rate: .nan")
    path.write_text(text)
    with pytest.raises(SecftError, match=r"pipeline.yaml: fine_tuning.learning_rate: must be a finite number"):
        load_config(path, environ={})


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b", ".hidden", "x" * 80])
def test_profile_names_are_plain(name):
    with pytest.raises(SecftError, match="a profile is a plain name"):
        load_config(REPO / "config/pipeline.yaml", profile=name, environ={})


def test_non_utf8_config_is_one_line(tmp_path):
    path = tmp_path / "pipeline.yaml"
    path.write_bytes((REPO / "config/pipeline.yaml").read_bytes() + b"# caf\xe9\n")
    with pytest.raises(SecftError, match=r"pipeline.yaml: not UTF-8 text \(byte 0xe9 at offset \d+\)"):
        load_config(path, environ={})


def test_config_cache_that_cannot_be_written_is_no_error(tmp_path):
    """A read-only workspace (here: a file where the cache's folder should be) still loads the config."""
    (tmp_path / "fine-tuning").write_text("in the way")
    cache = tmp_path / "fine-tuning" / ".config-cache.json"
    c = load_config(REPO / "config/pipeline.yaml", profile="smoke", environ={}, cache=cache)
    assert c["base_model"] == "tiny" and not cache.exists()


def test_cpu_profile_is_the_real_model():
    c = load_config(REPO / "config/pipeline.yaml", profile="cpu", environ={})
    assert c["base_model"] == "smollm2-135m"
    assert c["upload"]["destination"] == "dir:fine-tuning/hub" and c["upload"]["enabled"] is True
    assert c["fine_tuning"]["max_iters"] and c["evaluation"]["max_rows"] >= 30  # enough rows for an interval, bounded for the 20-minute job
