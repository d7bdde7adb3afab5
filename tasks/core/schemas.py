"""JSON Schema validation of everything secft writes (and of its config).

Two validators per schema, both built once per process: a compiled one
(fastjsonschema generates Python code for the schema, about 50x faster
than walking it) answers "valid or not" for every record, and jsonschema's
reference implementation, asked only when a record fails, words the one
line that names the file, the record and the offending field.  Formats are
not checked by either (jsonschema does not check them without a format
checker), so both accept exactly the same records (tests/test_schemas.py
compares them on mutated real findings).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Callable, Iterable

from tasks.core.errors import SecftError

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


@functools.lru_cache(maxsize=None)
def schema(name: str) -> dict:
    with open(SCHEMA_DIR / f"{name}.schema.json", encoding="utf-8") as fh:
        return json.load(fh)


@functools.lru_cache(maxsize=None)
def validator(name: str):
    """jsonschema's validator for schema ``name``."""
    import jsonschema

    full = schema(name)
    cls = jsonschema.validators.validator_for(full)
    cls.check_schema(full)
    return cls(full)


@functools.lru_cache(maxsize=None)
def compiled(name: str) -> Callable[[Any], bool]:
    """A fast yes/no check for schema ``name``."""
    import fastjsonschema

    check = fastjsonschema.compile(schema(name), use_formats=False)

    def is_valid(obj: Any) -> bool:
        try:
            check(obj)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return is_valid


def _where(error) -> str:
    return "/".join(str(p) for p in error.absolute_path) or "(top level)"


def first_error(name: str, obj: Any):
    """jsonschema's first error for ``obj``, or None; the compiled check first, so a valid record costs microseconds."""
    if compiled(name)(obj):
        return None
    return next(iter(validator(name).iter_errors(obj)), None)  # the reference has the last word


def validate(name: str, obj: Any, context: str) -> None:
    """Raise SecftError naming ``context`` and the first bad field."""
    error = first_error(name, obj)
    if error is not None:
        raise SecftError(f"{context}: invalid {name}: {_where(error)}: {error.message[:200]}")


def validate_all(name: str, rows: Iterable[Any], context: str) -> None:
    for i, row in enumerate(rows, 1):
        validate(name, row, f"{context} record {i}")
