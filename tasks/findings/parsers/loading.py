"""Reading a report file safely: size limit, encoding, JSON or XML, one-line errors.

XML goes through defusedxml with DTDs forbidden, so a hostile report cannot
expand entities (billion laughs) or reach external resources.

Encodings: UTF-8 (with or without BOM) and UTF-16/32 with a BOM (Windows
tools write those) are decoded.  Stray non-UTF-8 bytes inside an otherwise
UTF-8 report are replaced but *counted*, so the summary can say how many
were lost instead of hiding it.  A file that is mostly not UTF-8 gets a
message naming the encoding problem rather than "line 1 column 1".
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from tasks.core.errors import SecftError
from tasks.core.textio import NotReadable
from tasks.core.textio import read_regular as read_regular_file
from tasks.findings.parsers.sniff import ignored_kind, looks_like_html, named_kind

DEFAULT_MAX_BYTES = 256 * 1024 * 1024

EMPTY = object()
"""Returned for a 0-byte file: OSV-Scanner writes nothing when it finds nothing."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECL = re.compile(r"^<\?xml[^>]*\?>")
_MAX_INVALID_SHARE = 0.05  # more than this many undecodable bytes: not UTF-8 at all


@dataclass
class Loaded:
    data: bytes
    doc: Any = None
    ignored: str | None = None      # kind of a non-report file (html, markdown, pdf, ...)
    invalid_utf8_bytes: int = 0


def decode(data: bytes) -> tuple[str | None, int, str | None]:
    """(text, invalid byte count, problem) - text None with a problem when undecodable."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), 0, None
            except UnicodeDecodeError as exc:
                return None, 0, f"invalid {codec.upper()} text after its byte-order mark at byte {exc.start + len(bom)}"
    if len(data) >= 2 and b"\x00" in data[:64]:
        if data[0] and not data[1]:
            return _strict(data, "utf-16-le")
        if not data[0] and data[1]:
            return _strict(data, "utf-16-be")
        return None, 0, "binary content (NUL bytes), not a text report"
    try:
        return data.decode("utf-8"), 0, None  # the usual case, in C; counting bad bytes is for the rest
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="surrogateescape")
    bad = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
    if bad and bad > max(16, _MAX_INVALID_SHARE * len(data)):
        return None, bad, f"not UTF-8 text ({bad} of {len(data)} bytes undecodable; save the report as UTF-8 or UTF-16 with BOM)"
    if bad:
        text = "".join("\ufffd" if "\udc80" <= ch <= "\udcff" else ch for ch in text)
    return text, bad, None


def _strict(data: bytes, codec: str) -> tuple[str | None, int, str | None]:
    try:
        return data.decode(codec), 0, None
    except UnicodeDecodeError:
        return None, 0, f"looks like {codec.upper()} without a byte-order mark but does not decode as such"


def load(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Loaded:
    """Read, sniff and decode one file; parse it when it is a report candidate."""
    data = read_regular(path, max_bytes)
    text, bad, problem = decode(data)
    kind = ignored_kind(path.name, data, text)
    if kind:
        return Loaded(data, ignored=kind, invalid_utf8_bytes=bad)
    if text is None:
        raise SecftError(f"{path}: {problem}")
    text = text.strip()
    if not text:
        return Loaded(data, EMPTY, invalid_utf8_bytes=bad)
    if text.startswith("<"):
        if looks_like_html(text):  # e.g. a login or error page saved under the report's name
            raise SecftError(f"{path}: an HTML page under a report name, not a machine report")
        try:
            # expat decodes the raw bytes itself (declared encoding, BOM); stray bytes
            # already counted above go in as the replacement character instead
            payload = data if not bad else _XML_DECL.sub("", text, count=1).encode("utf-8")
            root = SafeET.fromstring(payload, forbid_dtd=True)
        except DefusedXmlException as exc:
            raise SecftError(f"{path}: unsafe XML refused ({type(exc).__name__})") from None
        except SafeET.ParseError as exc:
            if named_kind(path.name):  # e.g. Markdown opening with "<!-- ... -->": that file, not broken XML
                return Loaded(data, ignored=named_kind(path.name), invalid_utf8_bytes=bad)
            raise SecftError(f"{path}: malformed XML: {exc}") from None
        return Loaded(data, root, invalid_utf8_bytes=bad)
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        if named_kind(path.name):  # a log of "[INFO] ..." lines, a README opening with "[![badge]"
            return Loaded(data, ignored=named_kind(path.name), invalid_utf8_bytes=bad)
        raise SecftError(f"{path}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise SecftError(f"{path}: JSON nested too deeply") from None
    except ValueError as exc:
        raise SecftError(f"{path}: {exc}") from None
    return Loaded(data, doc, invalid_utf8_bytes=bad)


def read_regular(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular report of at most ``max_bytes``; anything else is one line (``core.textio.read_regular``,
    following a link: the artifacts' own check refuses links that leave the artifacts folder)."""
    try:
        return read_regular_file(path, max_bytes, follow_links=True)
    except NotReadable as exc:
        if exc.kind == "type":
            raise SecftError(f"{path}: not a regular file ({exc.detail}); refused") from None
        if exc.kind == "size":
            size = f"is {exc.detail} bytes, " if exc.detail is not None else "is "
            raise SecftError(f"{path}: report {size}over the parse.max_bytes limit of {max_bytes}") from None
        raise SecftError(f"{path}: cannot read report: {exc.detail}") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON number {name} refused")


def load_report(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, Any]:
    """Return (raw bytes, document) where the document is JSON data, an XML root or EMPTY."""
    loaded = load(path, max_bytes)
    if loaded.ignored:
        raise SecftError(f"{path}: not a machine report ({loaded.ignored})")
    return loaded.data, loaded.doc
