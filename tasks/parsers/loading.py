"""Reading a report file safely: size limit, JSON or XML, one-line errors.

XML goes through defusedxml with DTDs forbidden, so a hostile report cannot
expand entities (billion laughs) or reach external resources.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from tasks.errors import SecftError

DEFAULT_MAX_BYTES = 256 * 1024 * 1024

EMPTY = object()
"""Returned for a 0-byte file: OSV-Scanner writes nothing when it finds nothing."""


def load_report(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, Any]:
    """Return (raw bytes, document) where the document is JSON data, an XML root or EMPTY."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SecftError(f"{path}: cannot read report: {exc.strerror}") from None
    if size > max_bytes:
        raise SecftError(f"{path}: report is {size} bytes, over the parse.max_bytes limit of {max_bytes}")
    data = path.read_bytes()
    text = data.decode("utf-8-sig", errors="replace").strip()
    if not text:
        return data, EMPTY
    if text.startswith("<"):
        try:
            return data, SafeET.fromstring(data, forbid_dtd=True)
        except DefusedXmlException as exc:
            raise SecftError(f"{path}: unsafe XML refused ({type(exc).__name__})") from None
        except SafeET.ParseError as exc:
            raise SecftError(f"{path}: malformed XML: {exc}") from None
    try:
        return data, json.loads(text)
    except json.JSONDecodeError as exc:
        raise SecftError(f"{path}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise SecftError(f"{path}: JSON nested too deeply") from None
