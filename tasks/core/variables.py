"""The usage guide's command-line modes as doit variables (``doit sequential=0``).

People coming from the usage guide type ``--upload-model`` or
``--output-dir``; in secft each mode is a doit ``name=value`` variable next
to ``profile=``.  A variable that sets a config key becomes an override of
that key (``load_config(overrides=...)``): it wins over the files and the
environment, goes through the same schema, and changes the
``config_changed`` value of exactly the tasks that read the key, so
``doit sequential=0`` rebuilds the stages and what depends on them and
nothing else.  ``workspace=`` and ``artifacts_dir=`` are locations, not
settings: they are resolved here and must be existing folders.

``python -m tasks.variables`` prints the table (the README has the same).
No doit import here: dodo.py passes ``doit.get_var``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tasks.core.errors import SecftError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Variable:
    name: str
    key: str | None  # the config key it overrides; None for a location
    kind: str  # bool | str | model | dir
    guide_flag: str  # the usage guide's flag it replaces
    doc: str


VARIABLES = (
    Variable("upload", "upload.enabled", "bool", "--upload-model", "publish to upload.destination (1) or not (0)"),
    Variable("skip_fine_tuning", "fine_tuning.skip_fine_tuning", "bool", "--skip-fine-tuning",
             "build findings and datasets, skip both training stages"),
    Variable("sequential", "fine_tuning.sequential", "bool", "--disable-sequential-fine-tuning",
             "0 = one adapter trained on both datasets instead of stage 1 then stage 2"),
    Variable("base_model", "base_model", "model", "--model-name",
             "Hub id, local model folder (relative to where doit runs) or 'tiny'"),
    Variable("branch", "provenance.branch", "str", "--branch", "branch recorded for reports without a run.json"),
    Variable("commit", "provenance.commit", "str", "--commit",
             "commit (7-40 hex digits) recorded for reports without a run.json"),
    Variable("artifacts_dir", None, "dir", "--artifacts-dir",
             "read scanner reports from this folder instead of `<workspace>/data/artifacts`"),
    Variable("workspace", None, "dir", "--output-dir",
             "an existing folder that holds `data/` (artifacts, findings, kb, narratives) and `fine-tuning/` "
             "(outputs, doit's dep_file, the run lock); `config/` is still read from where doit runs"),
)
# variables read elsewhere in dodo.py (not overrides): listed so that a typo can be named
OTHER_VARIABLES = {"profile": "`config/profiles/NAME.yaml` merged over `config/pipeline.yaml` (or `SECFT_PROFILE`)",
                   "force": "1 = train even when the retrain policy would keep the adapter"}
BY_NAME = {v.name: v for v in VARIABLES}


def _bool(var: Variable, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SecftError(f"doit variable {var.name}={raw}: expected 1 or 0 (true/false, yes/no)")


def _model(raw: str, project: Path, moved: bool) -> str:
    """With workspace= a local model path becomes absolute (it was typed relative to where doit runs).

    Without, the value is kept as typed (it is what the model card names);
    a Hub id or 'tiny' always stays.
    """
    value = raw.strip()
    if not value or not moved or value == "tiny":
        return value
    candidate = Path(value).expanduser()
    if not candidate.is_absolute():
        candidate = project / candidate
    if value.startswith((".", "/", "~")) or candidate.is_dir():
        return str(candidate.resolve())
    return value


def overrides(get_var: Callable[[str, object], object], project: Path, moved: bool = False) -> tuple[dict, dict]:
    """(dotted key -> value, dotted key -> label) for the variables given on the command line.

    ``moved``: workspace= moves the run out of ``project``, so relative model paths are resolved first.
    """
    out: dict = {}
    labels: dict = {}
    for var in VARIABLES:
        raw = get_var(var.name, None)
        if raw is None or var.key is None:
            continue
        raw = str(raw)
        if var.kind == "bool":
            out[var.key] = _bool(var, raw)
        elif var.kind == "model":
            out[var.key] = _model(raw, project, moved)
        else:
            out[var.key] = raw.strip()
        labels[var.key] = f"doit variable {var.name}={raw}"
    return out, labels


def directory(get_var: Callable[[str, object], object], name: str, project: Path) -> Path | None:
    """A location variable resolved (``~`` expanded, relative to ``project``); None when not given.

    It must be an existing folder: a typo must not build an empty tree
    somewhere unexpected.
    """
    raw = get_var(name, None)
    if raw is None:
        return None
    raw = str(raw)
    if not raw.strip():
        raise SecftError(f"doit variable {name}=: expected a folder path")
    path = Path(raw).expanduser()
    path = (path if path.is_absolute() else project / path).resolve()
    if not path.is_dir():
        what = "is not a folder" if path.exists() else "does not exist"
        raise SecftError(f"doit variable {name}={raw}: {path} {what} (create it first)")
    return path


def unknown(names: list[str]) -> list[str]:
    """Command-line variables that secft does not read (probably typos)."""
    return sorted(n for n in names if n not in BY_NAME and n not in OTHER_VARIABLES)


def table() -> str:
    """The Markdown table of the variables (README, ``python -m tasks.variables``)."""
    rows = ["| doit variable | usage guide flag | sets | what it does |", "|---|---|---|---|"]
    for v in VARIABLES:
        example = {"bool": "1", "model": "PATH_OR_ID", "dir": "PATH"}.get(v.kind, "NAME" if v.name == "branch" else "SHA")
        example = "0" if v.name == "sequential" else example
        rows.append(f"| `{v.name}={example}` | `{v.guide_flag}` | {f'`{v.key}`' if v.key else '(location)'} | {v.doc} |")
    for name, doc in OTHER_VARIABLES.items():
        rows.append(f"| `{name}={'NAME' if name == 'profile' else '1'}` | - | - | {doc} |")
    return "\n".join(rows)


def main() -> int:
    print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main())

