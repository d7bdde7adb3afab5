"""The typed finding: what every phase after parsing reads, by attribute.

A parser builds a plain dict (``tasks.findings.parsers.base``), the registry validates it against
``schemas/finding.schema.json`` and the merge writes ``findings.jsonl``; from there on a finding is a
:class:`Finding`.  ``Finding.from_dict`` and ``Finding.to_dict`` are the one place a finding is
(de)serialised, and they round-trip exactly: the same keys, in the same order, optional keys only
where the record had them, so ``findings.jsonl`` stays byte-identical through a load and save.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable, Iterator

from tasks.core.errors import SecftError


@dataclass(slots=True)
class Location:
    """Repository-relative path and lines; ``original_path`` is what the report wrote when it differs."""

    path: str
    start_line: int | None = None
    end_line: int | None = None
    original_path: str | None = None
    extra: dict = field(default_factory=dict)  # keys a later phase added


@dataclass(slots=True)
class Package:
    """The dependency a finding is about (dependency findings only)."""

    name: str
    version: str | None = None
    fixed_version: str | None = None
    ecosystem: str | None = None
    fix_status: str = "unknown"
    fixed_versions: list[str] = field(default_factory=list)
    purl: str | None = None
    group: str | None = None
    extra: dict = field(default_factory=dict)  # keys a later phase added


@dataclass(slots=True)
class Source:
    """The report a finding came from and the CI run that made it."""

    artifact: str
    sha256: str
    branch: str | None = None
    commit: str | None = None
    run_id: str | None = None
    created_at: str | None = None
    extra: dict = field(default_factory=dict)  # keys a later phase added


@dataclass(slots=True)
class Seen:
    """One sighting across runs (``first_seen`` / ``last_seen`` of a merged finding)."""

    run_id: str | None = None
    commit: str | None = None
    created_at: str | None = None
    artifact: str | None = None
    extra: dict = field(default_factory=dict)  # keys a later phase added


@dataclass(slots=True)
class Dependency:
    """How the package is depended on, as the report says (npm audit, Trivy, OSV-Scanner groups)."""

    direct: bool | None = None
    dev: bool | None = None
    groups: list[str] | None = None
    paths: list[str] | None = None
    extra: dict = field(default_factory=dict)  # keys a later phase added


@dataclass(slots=True)
class Finding:
    """One normalised, redacted finding (schemas/finding.schema.json).

    The schema, checked where findings are parsed and merged, says which keys a finding must have;
    the type gives every field a default so that a phase can also read a partial record (a test's,
    a hand-written one) without inventing values.
    """

    id: str = ""
    tool: str = ""
    kind: str = ""
    rule_id: str = ""
    title: str = ""
    severity: str = ""
    tool_version: str | None = None
    description: str = ""
    cwe: list[str] = field(default_factory=list)
    cve: list[str] = field(default_factory=list)
    ghsa: list[str] = field(default_factory=list)
    location: Location | None = None
    package: Package | None = None
    snippet: str | None = None
    fix_hint: str | None = None
    suppressed: bool = False
    references: list[str] = field(default_factory=list)
    instances: list[dict] | None = None
    source: Source | None = None
    aliases: list[str] = field(default_factory=list)
    redacted: bool | None = None
    secret_hash: str | None = None
    first_seen: Seen | None = None
    last_seen: Seen | None = None
    seen_count: int | None = None
    scanner_fix: dict | None = None
    span: dict | None = None             # the matched columns on one line (Semgrep): which value of the line was flagged
    dependency: Dependency | None = None
    match: dict | None = None            # how the scanner matched package and advisory (grype: by CPE, constraint)
    secret_evidence: dict | None = None  # the kind of value a secret finding flagged, judged before redaction
    flow: list[dict] | None = None       # the traced path (SARIF codeFlows / relatedLocations), source first
    rule_tags: list[str] | None = None  # the rule's category tags (CodeQL 'security' / 'maintainability'), for triage
    module_inputs: list[dict] | None = None  # a module's resource: the call arguments checkov traced the checked values to
    checked_keys: list[str] | None = None  # the attributes a Checkov check read (its evaluated_keys, "a/[0]/b")
    # keys the type does not know (a later phase's annotations, a hand-made record's): kept, never dropped
    extra: dict = field(default_factory=dict)
    # the keys the record had and their order, so that to_dict() gives back exactly what from_dict() read
    _keys: tuple = ()

    # ------------------------------------------------------------------ reading
    @property
    def path(self) -> str | None:
        return self.location.path if self.location else None

    @property
    def line(self) -> int | None:
        return self.location.start_line if self.location else None

    def columns(self, line: int | None) -> tuple[int, int] | None:
        """(start, end) of Semgrep's one-line match (1-based columns, end exclusive) when it lies on ``line``, else
        None: on a minified line, which call the rule matched (tasks.findings.parsers.semgrep sets ``span``)."""
        span = self.span if isinstance(self.span, dict) else None
        if span is None or line is None or span.get("line") != line:
            return None
        start, end = span.get("start_col"), span.get("end_col")
        return (start, end) if isinstance(start, int) and isinstance(end, int) else None

    @property
    def advisory_ids(self) -> list[str]:
        """Every advisory id, CVE first (``aliases`` holds them all; ``cve``/``ghsa`` the typed ones)."""
        return list(dict.fromkeys([*self.cve, *self.ghsa, *self.aliases]))

    @property
    def is_dev_dependency(self) -> bool:
        return bool(self.dependency and self.dependency.dev)

    # ------------------------------------------------------------------ (de)serialising
    @classmethod
    def from_dict(cls, data: dict) -> "Finding":
        """A finding from its JSON form (already validated by the parse, or read back from findings.jsonl)."""
        try:
            kw = {k: v for k, v in data.items() if k in _FIELDS}
            kw["location"] = _sub(Location, data.get("location"))
            kw["package"] = _sub(Package, data.get("package"))
            kw["source"] = _sub(Source, data.get("source"))
            kw["first_seen"] = _sub(Seen, data.get("first_seen"))
            kw["last_seen"] = _sub(Seen, data.get("last_seen"))
            kw["dependency"] = _sub(Dependency, data.get("dependency"))
            finding = cls(**kw, extra={k: v for k, v in data.items() if k not in _FIELDS})
            finding._keys = _key_order(data)
        except (TypeError, AttributeError) as exc:
            raise SecftError(f"finding {data.get('id', '?') if isinstance(data, dict) else '?'}: not a finding ({exc})") from None
        return finding

    def to_dict(self) -> dict:
        """The JSON form: the keys ``from_dict`` read, in its order (all required keys for a new finding)."""
        keys = self._keys or _REQUIRED + tuple(k for k in _OPTIONAL if getattr(self, k) is not None) + tuple(self.extra)
        out: dict[str, Any] = {}
        for key in keys:
            name, _, sub = key.partition("/")
            if sub:
                continue
            if name not in _FIELDS:
                out[name] = self.extra[name]
                continue
            value = getattr(self, name)
            if value is not None and hasattr(value, "__slots__"):
                value = _sub_dict(value, [k.partition("/")[2] for k in keys if k.startswith(name + "/")])
            out[name] = value
        return out


_FIELDS = {f.name for f in fields(Finding) if f.name not in ("_keys", "extra")}
_REQUIRED = ("id", "tool", "tool_version", "kind", "rule_id", "title", "description", "severity", "cwe", "cve", "ghsa",
             "location", "package", "snippet", "fix_hint", "suppressed", "references", "instances", "source", "aliases")
_OPTIONAL = ("redacted", "match", "secret_evidence", "secret_hash", "first_seen", "last_seen", "seen_count", "flow", "scanner_fix", "span",
             "dependency", "rule_tags", "module_inputs", "checked_keys")


def _sub(kind, data):
    if data is None:
        return None
    if not isinstance(data, dict):
        raise TypeError(f"{kind.__name__.lower()} is not an object")
    known = {f.name for f in fields(kind)} - {"extra"}
    return kind(**{k: v for k, v in data.items() if k in known}, extra={k: v for k, v in data.items() if k not in known})


def _key_order(data: dict) -> tuple:
    keys = []
    for key, value in data.items():
        keys.append(key)
        if isinstance(value, dict) and key in ("location", "package", "source", "first_seen", "last_seen", "dependency"):
            keys += [f"{key}/{k}" for k in value]
    return tuple(keys)


def _sub_dict(obj, keys: list[str]) -> dict:
    names = keys or [s for s in obj.__slots__ if s != "extra" and (getattr(obj, s) is not None or s in _ALWAYS.get(type(obj), ()))]
    names = names + [k for k in obj.extra if k not in names]
    return {k: obj.extra[k] if k in obj.extra else getattr(obj, k) for k in names}


# sub-object keys written even when null for a finding made in code (the schema requires them)
_ALWAYS = {Location: ("path", "start_line", "end_line"),
           Package: ("name", "version", "fixed_version", "ecosystem", "fix_status", "fixed_versions", "purl", "group"),
           Source: ("artifact", "sha256")}


NO_LOCATION = Location(path="")
NO_PACKAGE = Package(name="")
NO_DEPENDENCY = Dependency()


def as_finding(value: "Finding | dict") -> "Finding":
    """A Finding from either form: what a phase's entry point does with what it is handed."""
    return value if isinstance(value, Finding) else Finding.from_dict(value)


def as_package(value: "Package | dict") -> "Package":
    """A Package from either form (a record's own package dict, a test's)."""
    return value if isinstance(value, Package) else _sub(Package, value)


def read_findings(path: Path) -> Iterator[Finding]:
    """The findings of a ``findings.jsonl`` file, one clear line for a damaged one."""
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield Finding.from_dict(json.loads(line))
            except (ValueError, SecftError) as exc:
                raise SecftError(f"{path}:{number}: not a finding: {exc}") from None


def as_dicts(findings: Iterable[Finding]) -> list[dict]:
    return [f.to_dict() for f in findings]
