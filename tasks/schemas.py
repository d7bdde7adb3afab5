"""JSON Schema validation of everything secft writes (and of its config).

Validators are compiled once per schema and cached; errors become one line
naming the file, the record and the offending field.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Iterable

from tasks.errors import SecftError

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"


@functools.lru_cache(maxsize=None)
def validator(name: str):
    import jsonschema

    with open(SCHEMA_DIR / f"{name}.schema.json", encoding="utf-8") as fh:
        schema = json.load(fh)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _where(error) -> str:
    return "/".join(str(p) for p in error.absolute_path) or "(top level)"


def validate(name: str, obj: Any, context: str) -> None:
    """Raise SecftError naming ``context`` and the first bad field."""
    error = next(iter(validator(name).iter_errors(obj)), None)
    if error is not None:
        raise SecftError(f"{context}: invalid {name}: {_where(error)}: {error.message[:200]}")


def validate_all(name: str, rows: Iterable[Any], context: str) -> None:
    for i, row in enumerate(rows, 1):
        validate(name, row, f"{context} record {i}")
