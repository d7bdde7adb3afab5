"""Semgrep CLI JSON (old reports without ``version`` and 1.x reports)."""

from __future__ import annotations

from typing import Any

from tasks.findings.parsers import base

_PLACEHOLDER = "requires login"  # what Semgrep writes without a login instead of code
# semgrep-rules' top-level folders: a registry rule's published id starts with one (python.flask.security.open-redirect)
_REGISTRY_FOLDERS = frozenset(
    "ai apex bash c clojure csharp dockerfile elixir generic go html java javascript json kotlin libsonnet ocaml php "
    "problem-based-packs python ruby rust scala solidity swift terraform trusted_python typescript yaml".split())
# the folder a registry rule sits in one or two levels down (dockerfile.security.missing-user, python.lang.security...)
_CATEGORIES = frozenset("security audit correctness best-practice maintainability performance portability compatibility "
                        "lang secrets".split())


def published_id(check_id):
    """The rule's id without the folder Semgrep was given: run with ``--config /tmp/rules`` on a copy of
    semgrep-rules, Semgrep reports ``tmp.rules.python.flask.security.open-redirect``; the registry, its docs and a
    reader know ``python.flask.security.open-redirect`` (held-out round 54: "pipeline internals" in nine rows).
    Only a tail that starts at one of semgrep-rules' top-level folders with a category folder one or two levels down
    (``security``, ``audit``, ``correctness``, ``lang`` ...) is taken, so a team's own
    ``rules.sast.dev.generic.internal.cdn-check`` keeps its name.  ``# nosemgrep: <tail>`` still matches:
    Semgrep compares a suppression's id with the rule's at a dot boundary (checked with Semgrep 1.x)."""
    if not isinstance(check_id, str):
        return check_id
    parts = check_id.split(".")
    starts = [i for i, p in enumerate(parts[1:-2], 1)  # the last such start: /home/go/rules/python/...
              if p in _REGISTRY_FOLDERS and _CATEGORIES & set(parts[i + 1:i + 3])]
    return ".".join(parts[starts[-1]:]) if starts else check_id


def detect(doc: Any) -> bool:
    if not (isinstance(doc, dict) and isinstance(doc.get("results"), list) and "errors" in doc):
        return False
    if "metrics" in doc or "generated_at" in doc:  # Bandit
        return False
    return all(isinstance(r, dict) and "check_id" in r for r in doc["results"])


def count_raw(doc: dict) -> int:
    return len(doc["results"])


def parse(doc: dict) -> list[dict]:
    version = doc.get("version")
    out = []
    for r in doc["results"]:
        extra = r.get("extra") or {}
        meta = extra.get("metadata") or {}
        message = extra.get("message") or ""
        out.append(_with_span(r, _with_scanner_fix(r, extra,
            base.finding(
                tool="semgrep",
                tool_version=version,
                rule_id=published_id(r.get("check_id")),
                title=message or published_id(r.get("check_id")),
                description=message + _confidence(meta),
                kind="code",
                severity_value=base.severity(extra.get("severity")),
                cwe=base.cwe_ids(meta.get("cwe")),
                cve=base.cve_ids(meta.get("cve"), meta.get("references")),
                location_value=base.location(r.get("path"), (r.get("start") or {}).get("line"), _end_line(r)),
                column=(r.get("start") or {}).get("col"),
                snippet=_lines(r, extra),
                fix_hint=_fix(extra),
                suppressed=bool(extra.get("is_ignored")),
                references=base.as_list(meta.get("references")) + base.as_list(meta.get("source-rule-url")) + base.as_list(meta.get("source")),
                # no fingerprint: the SARIF of the same scan must give the same id (rule, path, line, column)
            )
        )))
    return out


def _with_span(r: dict, f: dict) -> dict:
    """The matched columns when the match lies on one line: which of the line's values the rule flagged (lldap's
    `"refreshToken": "dww5jwU..."` was measured on the key name, searxng's YouTube key on the whole URL: round 50)."""
    start, end = r.get("start") or {}, r.get("end") or {}
    line, a, b = start.get("line"), start.get("col"), end.get("col")
    if end.get("line") != line:
        b = None if _end_line(r) != line else 1 << 20  # a match that takes its newline runs to the end of the line
    if all(isinstance(v, int) and not isinstance(v, bool) and 0 < v < 1 << 21 for v in (line, a, b)) and b > a:
        f["span"] = {"line": line, "start_col": a, "end_col": b}
    return f


def _end_line(r: dict) -> int | None:
    """The last line the match covers: a regex match that takes its line's newline ends at column 1 of the next line
    (lldap's `bind_password: "password"`, set 46, was weighed with the next line's `"(objectClass=person)"`), as the
    SARIF parser already reads it."""
    start, end = (r.get("start") or {}).get("line"), (r.get("end") or {}).get("line")
    if (r.get("end") or {}).get("col") == 1 and isinstance(start, int) and isinstance(end, int) and end > start:
        return end - 1
    return end


def _lines(r: dict, extra: dict) -> str | None:
    """Semgrep's matched lines (None for its "requires login" placeholder), without a next line the match only touches."""
    text = extra.get("lines")
    if not isinstance(text, str) or text.strip() == _PLACEHOLDER:
        return None
    start, end = (r.get("start") or {}).get("line"), _end_line(r)
    if isinstance(start, int) and isinstance(end, int) and end < (r.get("end") or {}).get("line"):
        text = "\n".join(text.split("\n")[:end - start + 1])
    return text


def _confidence(meta: dict) -> str:
    """The rule's own confidence, as Bandit's description carries it (read by tasks.triage.report_signals)."""
    value = meta.get("confidence")
    return f" (confidence {value.lower()})" if isinstance(value, str) and value.strip() else ""


def _with_scanner_fix(r: dict, extra: dict, f: dict) -> dict:
    """Keep Semgrep's fix with the span it applies to, so tasks.fixes can apply it as Semgrep would
    (``fix`` replaces the matched span; ``fix_regex`` substitutes inside it)."""
    start, end = r.get("start") or {}, r.get("end") or {}
    span = {"start_line": start.get("line"), "start_col": start.get("col"), "end_line": end.get("line"), "end_col": end.get("col")}
    if not all(isinstance(v, int) and v > 0 for v in span.values()):
        return f
    if isinstance(extra.get("fix"), str) and extra["fix"]:
        f["scanner_fix"] = {"kind": "semgrep-fix", **span, "text": extra["fix"]}
    elif isinstance(extra.get("fix_regex"), dict) and isinstance(extra["fix_regex"].get("regex"), str):
        rx = extra["fix_regex"]
        count = rx.get("count")
        f["scanner_fix"] = {"kind": "semgrep-fix-regex", **span, "regex": rx["regex"],
                            "replacement": str(rx.get("replacement") or ""),
                            "count": count if isinstance(count, int) and count > 0 else 0}
    return f


def _fix(extra: dict) -> str | None:
    if extra.get("fix"):
        return extra["fix"]
    regex = extra.get("fix_regex")
    return regex.get("replacement") if isinstance(regex, dict) else None
