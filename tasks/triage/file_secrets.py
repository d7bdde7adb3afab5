"""The value a secret rule flagged, read from the file when the report did not carry it.

Checkov masks what it flags (``T2kV**********``) and Semgrep may leave the
matched lines out, so the parser's ``secret_evidence`` says nothing; with
the repository (``source.repo_path``) the flagged lines are read and the
values on them get the parser's own classification
(tasks.findings.secret_evidence).  The value stays in memory: a record keeps
only its class.

May import: ``tasks.core``, ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding
from tasks.findings.secrets import tool_marks_secret
from tasks.repository.source import finding_lines


def file_evidence(f: Finding, reader) -> dict | None:
    """The class of the real value when the tool masked it (Checkov's ``T2kV**********``): read from the
    file at the flagged lines (``source.repo_path``), never kept or shown; None when the file is not there."""
    from tasks.findings.secret_evidence import classify, masked
    from tasks.findings.secrets import literal_values, quoted_values

    loc = f.location
    if reader is None or loc is None or not loc.path or not loc.start_line:
        return None
    lines = finding_lines(reader, f)
    end = max(loc.end_line or loc.start_line, loc.start_line)
    if not lines or loc.start_line > len(lines):
        return None
    text = "\n".join(lines[loc.start_line - 1:end])
    values = [v for v in literal_values(text, every=True) if not masked(v)]
    if str(f.rule_id).upper() in ("CKV_SECRET_6", "CKV_SECRET_19"):  # detect-secrets' entropy plugins: quoted strings only
        values = [v for v in quoted_values(text) if not masked(v)] or values  # not `headers=headers`, not `//host` of `http:`
        keys = set(re.findall(r"""(["'])([^"'\n]*)\1\s*:""", text))  # `"form.integration.betula_token": "Betula-tunnus"`:
        values = [v for v in values if ('"', v) not in keys and ("'", v) not in keys] or values  # the key is a name (set 32)
    ev = classify(values, f.rule_id, from_code=True) if values else None
    return ev if ev and ev.get("class") != "redacted-by-tool" else None


_FLAGGED_LINES = 5  # a secret rule flags an assignment, not a block: more lines than this is not one value


def with_file_evidence(f: Finding, reader) -> Finding:
    """``f`` with the class of the value its secret rule flagged, read from the file when the report carried no
    code to judge (Semgrep leaves ``extra.lines`` out, so the parser saw no value): the same classification the
    parser makes (tasks.findings.secret_evidence), on the flagged lines only.  The value stays in memory; a
    record keeps only its class, as with the parser's evidence.  Code findings only: a configuration check
    (Checkov's CKV2_GHA_1 on a workflow's permissions) points at a block, not at an assigned value.
    ``f`` itself when there is nothing to add."""
    from dataclasses import replace

    from tasks.findings.secret_evidence import classify
    from tasks.findings.secrets import literal_values

    loc = f.location
    if not f.secret_evidence and not f.snippet and f.tool == "checkov" and str(f.rule_id).upper().startswith("CKV_SECRET") \
            and reader is not None and loc is not None and loc.start_line:  # `--compact` left Checkov's code out (set 37)
        evidence = file_evidence(f, reader)
        lines = finding_lines(reader, f) or []
        code = lines[loc.start_line - 1].rstrip("\n") if loc.start_line <= len(lines) else None
        return replace(f, secret_evidence=evidence, snippet=code) if evidence and code else f
    if f.secret_evidence or f.kind != "code" or reader is None or loc is None or not loc.path or not loc.start_line or \
            not tool_marks_secret(f.tool, str(f.rule_id), f.title or ""):  # code: a config check's lines hold no value
        return f
    last = max(loc.end_line or loc.start_line, loc.start_line)
    lines = finding_lines(reader, f)
    if last - loc.start_line >= _FLAGGED_LINES or last > len(lines):
        return f
    code = "\n".join(line.rstrip("\n") for line in lines[loc.start_line - 1:last])
    values = _spanned(f, lines) or _pem_body(code) or literal_values(code, every=True)
    if re.search(r"(?i)jwt", str(f.rule_id)):  # a JWT rule flags the token, not the user name in the row (set 37)
        values = [v for v in values if v.startswith("eyJ")] or values
    if re.search(r"(?i)webhook|[-_]url\b|url$", str(f.rule_id)):  # a URL rule flags the URL, not the field's id beside
        values = [v for v in values if "://" in v] or values  # it (miniflux's Slack placeholder, set 32)
    evidence = classify(values, str(f.rule_id), from_code=True)
    return replace(f, secret_evidence=evidence, snippet=code) if evidence else f


def _spanned(f: Finding, lines: list[str]) -> list[str]:
    """The value the rule's match covers, when the report gave its columns on one line (Semgrep): not the key name
    or the URL around it (round 50: `"refreshToken": "dww5jwU..."` measured on `refreshToken`)."""
    from tasks.findings.secrets import literal_values

    n = f.location.start_line
    cols = f.columns(n)
    if not cols or not 0 < n <= len(lines):
        return []
    line = lines[n - 1].rstrip("\n")
    matched = line[cols[0] - 1:cols[1] - 1]
    if not matched.strip() or len(matched) == len(line.strip()) and matched.strip() == line.strip():
        return []  # the whole line: the literals of the line say more than the line itself
    inner = literal_values(matched, every=True)
    bare = matched.strip().strip("\"'`,;")
    return inner or ([bare] if bare else [])


_PEM = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(.*?)-----END [A-Z0-9 ]*PRIVATE KEY-----", re.S)


def _pem_body(code: str) -> list[str]:
    """The body of a private-key block the match covers, its comment lines left out: what the key is made of, not a
    URL in a comment inside it (lldap's seafile.md: `Your_Private_Key` and a link to Authelia's docs, round 50)."""
    m = _PEM.search(code)
    if not m:
        return []
    body = "".join(line.strip() for line in m.group(1).splitlines() if line.strip() and not line.strip().startswith("#"))
    return [body] if body else []
