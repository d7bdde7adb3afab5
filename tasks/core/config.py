"""Pipeline configuration: YAML file + optional profile + environment overrides + doit variables.

``load_config`` returns a plain dict validated against
``schemas/config.schema.json``.  Every problem - bad YAML, an unknown key, a
wrong type, a bad environment value - is one line that names the file (or
variable) and the key.  The doit variables (``doit sequential=0``, see
``tasks.core.variables``) arrive as ``overrides`` and win over everything else.
"""

from __future__ import annotations

import copy
import math
import os
import re
from pathlib import Path
from typing import Any, Mapping

from tasks.core.errors import SecftError
from tasks.core.textio import read_utf8

DEFAULT_CONFIG = Path("config/pipeline.yaml")
PROFILE_DIR = Path("config/profiles")

# name -> (config path, parser) ; the names are those of the usage guide
ENV_OVERRIDES = {
    "FINE_TUNING_BATCH_SIZE": (("fine_tuning", "batch_size"), "int"),
    "FINE_TUNING_LEARNING_RATE": (("fine_tuning", "learning_rate"), "float"),
    "FINE_TUNING_MAX_EPOCHS": (("fine_tuning", "max_epochs"), "float"),
    "FINE_TUNING_UPLOAD_ENABLED": (("upload", "enabled"), "bool"),
    "SECFT_BASE_MODEL": (("base_model",), "str"),
    "SECFT_SOURCE_REPO": (("source", "repo_path"), "str"),
}

_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _read_yaml(path: Path) -> dict:
    import yaml

    text = read_utf8(path, "config file")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SecftError(f"{path}: invalid YAML{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SecftError(f"{path}: expected a mapping of settings at the top level, got {type(data).__name__}")
    return data


def _merge(base: dict, over: Mapping) -> dict:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _parse_env(name: str, raw: str, kind: str) -> Any:
    value = raw.strip()
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
            return number
    except ValueError:
        raise SecftError(f"environment variable {name}: expected a{'n integer' if kind == 'int' else ' number'}, got {raw!r}") from None
    if kind == "bool":
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise SecftError(f"environment variable {name}: expected true or false, got {raw!r}")
    return value


def _has_path(data: Any, path: list) -> bool:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return False
        data = data[part]
    return True


def _non_finite(data: Any, path: list[str]) -> list[str] | None:
    """The key path of the first NaN or infinite number (YAML's .nan / .inf), or None."""
    if isinstance(data, float) and not math.isfinite(data):
        return path
    if isinstance(data, dict):
        for key, value in data.items():
            found = _non_finite(value, path + [str(key)])
            if found is not None:
                return found
    return None


def _validate(merged: dict, sources: list[tuple[str, dict]]) -> None:
    from tasks.core.schemas import validator

    bad = _non_finite(merged, [])
    if bad is not None:
        blame = next((src for src, data in reversed(sources) if _has_path(data, bad)), sources[0][0])
        raise SecftError(f"{blame}: {'.'.join(bad)}: must be a finite number, not NaN or infinity")

    errors = sorted(validator("config").iter_errors(merged), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    error = errors[0]
    path = [str(p) for p in error.absolute_path]
    if error.validator == "additionalProperties":
        allowed = set((error.schema.get("properties") or {}).keys())
        unknown = sorted(k for k in error.instance if k not in allowed)
        key = ".".join(path + unknown[:1])
        blame = next((src for src, data in reversed(sources) if _has_path(data, path + unknown[:1])), sources[0][0])
        raise SecftError(f"{blame}: unknown key {key} (allowed here: {', '.join(sorted(allowed))})")
    key = ".".join(path) or "(top level)"
    blame = next((src for src, data in reversed(sources) if _has_path(data, path)), sources[0][0])
    if error.validator == "pattern" and error.schema.get("description"):  # say what is expected, not the regex
        raise SecftError(f"{blame}: {key}: {error.instance!r} is not {error.schema['description']}")
    raise SecftError(f"{blame}: {key}: {error.message}")


def _cache_key(path: Path, profile: str | None, environ: Mapping[str, str], overrides: Mapping[str, Any]) -> str | None:
    from tasks.core.hashing import sha256_json
    from tasks.core.schemas import SCHEMA_DIR

    try:
        files = [path.read_bytes().hex()]
        if profile:
            files.append((path.parent / "profiles" / f"{profile}.yaml").read_bytes().hex())
        files.append((SCHEMA_DIR / "config.schema.json").read_bytes().hex())
    except OSError:
        return None
    env = {k: environ.get(k, "") for k in ENV_OVERRIDES}
    return sha256_json({"files": files, "profile": profile, "env": env, "overrides": dict(overrides)})


def load_config(
    path: str | os.PathLike = DEFAULT_CONFIG,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
    cache: str | os.PathLike | None = None,
    overrides: Mapping[str, Any] | None = None,
    overrides_label: str | Mapping[str, str] = "command line",
) -> dict:
    """Load, merge and validate the configuration.

    ``profile`` defaults to ``$SECFT_PROFILE``; ``environ`` defaults to
    ``os.environ`` (tests pass their own mapping).  With ``cache`` (a file
    path), a configuration already validated from identical inputs is
    reused: importing jsonschema costs more than a whole no-op doit run.

    ``overrides`` maps dotted keys (``"fine_tuning.batch_size"``) to typed
    values; they win over the file, the profile and the environment, go
    through the same schema, and an error names ``overrides_label`` (for
    example ``command line``) and the key; a mapping gives each dotted key
    its own label (``doit variable sequential=maybe``).
    """

    environ = os.environ if environ is None else environ
    path = Path(path)
    profile = profile or environ.get("SECFT_PROFILE") or None
    overrides = dict(overrides or {})
    if profile is not None and not _PROFILE_NAME.match(profile):
        raise SecftError(f"profile {profile!r}: a profile is a plain name (letters, digits, '-', '_') of a file in {PROFILE_DIR}")
    key = _cache_key(path, profile, environ, overrides) if cache else None
    if key:
        from tasks.core import state as state_files

        from tasks.core.hashing import sha256_json

        cached = state_files.load(cache, dict, "config cache") or {}
        if cached.get("key") == key:
            # the cached config is used only when it is the one this code validated and wrote (its content
            # hash matches): a damaged or hand-edited one ({} or "triage": {"advisories": 5}) broke every command
            if isinstance(cached.get("config"), dict) and cached.get("sha256") == sha256_json(cached["config"]):
                return cached["config"]
            if "sha256" in cached:  # a cache written before the hash existed is just rebuilt, without a word
                state_files.set_aside(cache, "its content does not match the hash recorded with it", "config cache")
    config = _load(path, profile, environ, overrides, overrides_label)
    if key:
        from tasks.core import atomic

        try:
            from tasks.core.hashing import sha256_json

            atomic.write_json(cache, {"key": key, "config": config, "sha256": sha256_json(config)})
        except OSError:  # a read-only workspace: the cache only saves time, `doit list` must still work
            pass
    return config


def _override_source(dotted: str, value: Any) -> dict:
    over: dict = {}
    node = over
    keys = dotted.split(".")
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    node[keys[-1]] = value
    return over


def _load(path: Path, profile: str | None, environ: Mapping[str, str],
          overrides: Mapping[str, Any] | None = None, overrides_label: str | Mapping[str, str] = "command line") -> dict:
    sources: list[tuple[str, dict]] = [(str(path), _read_yaml(path))]
    merged = sources[0][1]
    if profile:
        profile_path = path.parent / "profiles" / f"{profile}.yaml"
        if not profile_path.exists():
            known = sorted(p.stem for p in (path.parent / "profiles").glob("*.yaml"))
            raise SecftError(f"{profile_path}: unknown profile {profile!r} (known: {', '.join(known) or 'none'})")
        data = _read_yaml(profile_path)
        sources.append((str(profile_path), data))
        merged = _merge(merged, data)
    for name, (keys, kind) in ENV_OVERRIDES.items():
        if environ.get(name, "") != "":
            value = _parse_env(name, environ[name], kind)
            over: dict = {}
            node = over
            for k in keys[:-1]:
                node = node.setdefault(k, {})
            node[keys[-1]] = value
            sources.append((f"environment variable {name}", over))
            merged = _merge(merged, over)
    for dotted, value in (overrides or {}).items():
        over = _override_source(dotted, value)
        if isinstance(overrides_label, Mapping):
            label = overrides_label.get(dotted, f"command line ({dotted})")
        else:
            label = f"{overrides_label} ({dotted})"
        sources.append((label, over))
        merged = _merge(merged, over)
    _validate(merged, sources)
    merged["profile"] = profile or "default"
    return merged


def section(config: Mapping, *names: str) -> dict:
    """The parts of the config a task reads, for doit's ``config_changed``."""
    return {name: copy.deepcopy(config[name]) for name in names}
