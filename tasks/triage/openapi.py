"""Check 3f: an OpenAPI array bound (Checkov CKV_OPENAPI_21, "arrays have a maximum number of items") on a
*response* schema.

``maxItems`` on a request body or parameter keeps a client from sending an
unbounded list (resource exhaustion, CWE-770); on a response schema it only
documents what the API itself returns, which no client controls.  The check
reads the spec around the flagged line (the file with ``source.repo_path``,
else the report's code block) and follows the YAML indentation up to the
operation: an ancestor key ``responses`` (and no ``requestBody`` or
``parameters`` between) makes it a false positive, with the keys as evidence.
A schema under ``components`` may be used by requests too: left alone.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_KEY = re.compile(r"^(\s*)(?:-\s+)?['\"]?([^'\":#]+?)['\"]?\s*:(?:\s|$)")
RULES = {"CKV_OPENAPI_21"}
MAX_UP = 400  # lines walked up from the flagged line


def ancestors(lines: list[str], index: int) -> list[tuple[int, str]]:
    """(line number, key) of the YAML mapping keys that enclose line ``index`` (0-based), innermost first."""
    out, depth = [], None
    for i in range(index, max(-1, index - MAX_UP), -1):
        m = _KEY.match(lines[i])
        if not m or not lines[i].strip() or lines[i].lstrip().startswith("#"):
            continue
        indent = len(m.group(1))
        if depth is None or indent < depth:
            out.append((i + 1, m.group(2).strip()))
            depth = indent
            if indent == 0:
                break
    return out


def check_response_schema(f: Finding | dict, reader=None) -> dict | None:
    f = as_finding(f)
    if f.tool != "checkov" or str(f.rule_id).upper() not in RULES or not f.path or not f.location or not f.location.start_line:
        return None
    if not re.search(r"(?i)\.ya?ml$", f.path):
        return None
    lines = finding_lines(reader, f)
    if not lines or f.location.start_line > len(lines):
        return None
    keys = ancestors([l.rstrip("\n") for l in lines], f.location.start_line - 1)
    names = [k for _, k in keys]
    if "responses" not in names:
        return None
    inner = names[: names.index("responses")]
    if any(k in ("requestBody", "parameters", "components", "definitions") for k in inner):
        return None
    where = next(n for n, k in keys if k == "responses")
    path = " > ".join(k for _, k in reversed(keys))
    return {"check": "report", "status": "response_schema",
            "evidence": f"the array is in a response schema ({f.path}:{where} `responses`; {path[:160]}): maxItems there "
                        "only documents what the API returns; it bounds no input a client sends"}


_EXAMPLE = re.compile(r"^\s*(?:-\s+)?['\"]?(?:example|examples|x-example|default)['\"]?\s*:")
_SPEC = re.compile(r"^(?:['\"]?(?:openapi|swagger)['\"]?\s*:\s*['\"]?[23]\.\d|\s+\"(?:openapi|swagger)\"\s*:\s*\"[23]\.\d)", re.M)
_SPEC_BODY = re.compile(r"^['\"]?(?:paths|definitions|components)['\"]?\s*:|^\s+\"(?:paths|definitions|components)\"\s*:", re.M)


def _ancestors(lines: list[str], n: int, limit: int = 300) -> set[str]:
    """The YAML keys that enclose line ``n`` by indentation ("examples" of django-allauth's
    ``components: examples: X: value: meta: session_token:``, set 55), ``examples`` read as ``example``."""
    indent = len(lines[n - 1]) - len(lines[n - 1].lstrip())
    keys: set[str] = set()
    for line in reversed(lines[max(0, n - 1 - limit):n - 1]):
        stripped = line.lstrip()
        if not stripped.strip() or stripped.startswith("#"):
            continue
        width = len(line) - len(stripped)
        key = re.match(r"-?\s*([\w.-]+)\s*:", stripped)
        if width < indent and key:
            keys.add("example" if key.group(1).lower() in ("examples", "x-example", "x-examples") else key.group(1).lower())
            indent = width
        if indent == 0:
            break
    return keys


def check_spec_example(f: Finding | dict, reader=None) -> dict | None:
    """A secret finding on an ``example:`` value of an OpenAPI/Swagger document: the API's documentation shows a
    sample token or password there (a login response's example JWT); it authenticates nothing by being there."""
    f = as_finding(f)
    if reader is None or not f.path or not f.location or not f.location.start_line or not re.search(r"(?i)\.(?:ya?ml|json)$", f.path):
        return None
    lines = finding_lines(reader, f)
    n = f.location.start_line
    text = "".join(lines)  # swag writes `swagger: "2.0"` last; a Helm values file's `swagger:` toggle is no spec
    if not lines or n > len(lines) or not _SPEC.search(text) or not _SPEC_BODY.search(text):
        return None
    if not _EXAMPLE.match(lines[n - 1]) and not (n >= 2 and _EXAMPLE.match(lines[n - 2]) and lines[n - 2].rstrip().endswith(":")) \
            and "example" not in _ancestors(lines, n):
        return None
    return {"check": "secret", "status": "spec_example",
            "evidence": f"a documented example in the API specification: {f.path}:{n} is an `example` value of an "
                        "OpenAPI/Swagger schema, shown to readers of the API docs; check that it is not also a live token"}
