"""Typed settings: every schema key has its field, the shipped config and profiles load into them, and
a phase reads attributes while dict-style reads still work."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest

from tasks.core.config import load_config
from tasks.core.settings import _SECTIONS, Settings

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "schemas/config.schema.json").read_text())


@pytest.mark.parametrize("name", sorted(_SECTIONS))
def test_each_typed_section_has_exactly_the_schema_keys(name):
    assert {f.name for f in fields(_SECTIONS[name])} == set(SCHEMA["properties"][name]["properties"])


def test_every_top_level_section_is_a_field():
    assert set(SCHEMA["properties"]) == {f.name for f in fields(Settings)}


@pytest.mark.parametrize("profile", [None, "smoke", "cpu"])
def test_the_shipped_config_and_profiles_load_into_the_types(profile):
    config = load_config(ROOT / "config/pipeline.yaml", profile=profile, environ={})
    s = Settings.of(config)
    for name in _SECTIONS:
        assert s[name].as_dict() == {k: v for k, v in config[name].items()} | {
            k: getattr(s[name], k) for k in s[name].as_dict() if k not in config[name]}
    assert s.evaluation.max_rows == config["evaluation"]["max_rows"]
    assert s.fine_tuning["batch_size"] == s.fine_tuning.batch_size == config["fine_tuning"]["batch_size"]
    assert s.base_model == config["base_model"]


def test_a_section_is_frozen_and_a_missing_key_is_a_key_error():
    s = Settings.of({"evaluation": {"max_rows": 3, "max_tokens": 9}})
    assert s.evaluation.batch_size == 8  # the documented default for an optional key
    with pytest.raises(KeyError):
        s.evaluation["nope"]
    with pytest.raises(Exception):
        s.evaluation.max_rows = 4
