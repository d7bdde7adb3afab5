"""Stage-2 targets: a concrete fix for a finding, in its own language and build tool - or no row.

``fix_for`` picks the fix source by the kind of finding:

- dependency -> the build tool that resolves it (tasks.fixes.ecosystems) and an upgrade to the advisory's
  own fixed version, or an honest "no fixed version" with mitigations (tasks.fixes.dependencies);
- secret -> rotate, purge, read from the platform's store (tasks.fixes.secrets);
- config / web -> the setting from the check's resolution text (tasks.fixes.iac);
- code -> the scanner's own fix applied as a diff (tasks.fixes.patches), else a
  pattern for the (weakness family, language) pair (tasks.fixes.patterns), with
  a diff where a safe line rewrite exists.

A wrong row is worse than none, so every path may answer ``None`` with the
reason, and nothing here ever falls back to another language's code.

May import: ``tasks.core``, ``tasks.ingest``, ``tasks.findings``, ``tasks.repository``, ``tasks.triage``.
"""

from __future__ import annotations

import re
import textwrap

from tasks.findings.model import Finding, as_finding
from tasks.fixes import (api_workflows, bound_params, dependencies, iac, line_fit, patches, patterns, scanner_fixes, secrets,
                         unpickle, web_alerts, workload)
from tasks.fixes.families import family_of
from tasks.fixes.languages import DISPLAY, language_of, platform_of
from tasks.fixes.patterns import python_hashes, python_timeouts
from tasks.fixes.xml_build import builds_xml
from tasks.fixes.validate import diff_is_sound

__all__ = ["fix_for", "language_of"]

_URL_ONLY = re.compile(r"^\s*https?://\S+\s*$")
_TEST_PATH = re.compile(r"(?:^|/)(?:tests?|testing|spec)/|(?:^|/)test_[^/]*\.py$|_test\.py$|(?:^|/)conftest\.py$")
_PARTIQL = re.compile(r"\.(?:execute_statement|batch_execute_statement|execute_transaction)\s*\(")  # boto3 DynamoDB
_FLASK = re.compile(r"\.flask\.|\bflask\b|\bmarkupsafe\b|\bjinja2\b|\bB704\b|\bMarkup\(")
_SQLALCHEMY = re.compile(r"\.execute\(\s*(?:sqlalchemy\.)?text\(")  # db.session.execute(text(sql))
# an Alembic migration's or an engine's connection: SQLAlchemy's execute, not a DB-API cursor (SQLAlchemy 2 refuses
# a string with a tuple of values: text() with named parameters is its form)
_SQLALCHEMY_CONN = re.compile(r"\bop\.get_bind\(\)|^\s*from alembic import op\b|\bcreate_engine\(|\bengine\.(?:connect|begin)\(", re.M)
_NOT_SECURITY = re.compile(r"\.(?:correctness|maintainability|best-practice|performance|portability|style)\.")  # no weakness


def fix_for(finding: Finding | dict, cwes: list[str], code: dict | None = None) -> tuple[str | None, str, dict]:
    """(answer or None, fix source label or reason dropped, extra meta) for one finding (a dict is read as a Finding)."""
    finding = as_finding(finding)
    kind = finding.kind
    path = (code or {}).get("path") or finding.path
    text = (code or {}).get("text") or finding.snippet
    whole = (code or {}).get("file") if isinstance((code or {}).get("file"), str) else None  # a shebang: render_template
    language = language_of(path, whole or text) if kind != "dependency" and path else None
    meta = {"language": language, "build_tool": None, "has_diff": False, "fix_family": None, "path": finding.path}
    platform = platform_of(path, language)
    if platform:
        meta["platform"] = platform
    if kind == "dependency":
        return _dependency(finding, code, meta)
    if kind == "secret":
        answer, extra = secrets.rotation(finding, language)
        return answer, "secret-rotation", meta | extra
    if kind == "config":
        read = api_workflows.fix(finding, language, (code or {}).get("file"))  # from the whole workflow or spec
        answer, label, extra = read if read is not None else iac.config_fix(finding, language, code)
        placed = {k: extra[k] for k in ("has_diff", "code") if k in extra}  # a setting placed in the flagged block
        return answer, label, meta | {"fix_family": extra.get("fix_family")} | {"language": extra.get("language") or language} | placed
    if kind == "web":
        answer, label, extra = web_alerts.web_fix(finding, family_of(finding, cwes))
        return answer, label, meta | extra
    return _code(finding, cwes, code, language, meta)


def _dependency(f: Finding, code: dict | None, meta: dict) -> tuple[str | None, str, dict]:
    pkg = f.package
    if not pkg:
        return None, "no package in the finding", meta
    code_text = (code or {}).get("text") or f.snippet
    meta |= {"fixed_version": pkg.fixed_version, "fix_status": pkg.fix_status}
    if pkg.fixed_version:
        answer, extra = dependencies.upgrade(f, code_text)
        from tasks.fixes.dependencies import same_line_max

        chosen = same_line_max(f, str(pkg.fixed_version))
        return answer, "fixed-version", meta | extra | {"fix_family": "upgrade"} | ({"fixed_version": chosen} if chosen else {})
    via_parent = dependencies.parent_upgrade(f)
    if via_parent:
        return via_parent[0], "fixed-version", meta | via_parent[1] | {"fix_family": "upgrade-parent"}
    answer, extra = dependencies.no_fix(f, code_text)
    label = "fixed-version" if pkg.fixed_versions and not pkg.version else "no-fix-published"
    return answer, label, meta | extra | {"fix_family": "upgrade-choose-line" if label == "fixed-version" else "no-fix"}


def _where(f: Finding) -> str:
    if not f.path:
        return ""
    return f.path + (f":{f.line}" if f.line else "")


# Bandit tests whose match is already the safe form or only an import: a rewrite would change nothing or break the code
_NOTHING_TO_REWRITE = {"B603": "the call already runs without a shell", "B606": "the call already runs without a shell",
                       "B607": "a bare program name: the fix is its full path, not the shell pattern",
                       **{f"B4{n:02d}": "an import only; the risk is in the calls" for n in range(1, 16)}}


def _code(f: Finding, cwes: list[str], code: dict | None, language: str | None, meta: dict) -> tuple[str | None, str, dict]:
    if f.tool == "bandit" and str(f.rule_id).upper() in _NOTHING_TO_REWRITE:
        return None, _NOTHING_TO_REWRITE[str(f.rule_id).upper()], meta
    family = None if _NOT_SECURITY.search(str(f.rule_id or "")) else family_of(f, cwes)
    meta["fix_family"] = family
    if family == "hardcoded-secret":
        answer, extra = secrets.rotation(f, language, fix_family="secret-in-code")
        return answer, "secret-rotation", meta | extra
    c = patches.code_of(f, code)
    where = _where(f)
    lang_name = DISPLAY.get(language or "", language or "the file's language")
    # 1. the scanner's own fix, applied to the matched code
    if c and isinstance(f.scanner_fix, dict) and not f.redacted:
        new = patches.apply_scanner_fix(c, f.scanner_fix)
        diff = patches.unified_diff(c, new) if new else None
        if diff and diff_is_sound(language, c, new):
            removed = [l[1:] for l in diff.splitlines() if l.startswith("-") and not l.startswith("---")]
            added = [l[1:] for l in diff.splitlines() if l.startswith("+") and not l.startswith("+++")]
            refusal, note = scanner_fixes.review(family, removed, added, (code or {}).get("file") or "\n".join(c.lines))
            if refusal and family is None:
                return None, refusal, meta
            if not refusal:
                answer = (f"{f.tool}'s proposed fix for {where}, applied to the code:\n{patches.fence(diff)}\n"
                          f"Reason: {_reason(f)}" + (f"\n{note}" if note else ""))
                return answer, "scanner-fix", meta | {"has_diff": True, "code": c.as_meta(), "fix_family": family or "scanner-fix"}
    if family is None:
        return None, "no fix pattern (not a security weakness family)", meta
    if family == "assert-used" and _TEST_PATH.search(f.path or ""):
        return None, "assert in test code (nothing to fix)", meta
    # 2. a pattern for (family, language), with a diff where a safe rewrite exists
    text, is_code = patterns.lookup(family, meta.get("platform") or language)
    if family == "sql-injection" and _PARTIQL.search((code or {}).get("below") or (code or {}).get("text") or f.snippet or ""):
        if language != "python":  # a DB-API or JDBC template would be wrong for DynamoDB's PartiQL API
            return None, "a DynamoDB PartiQL statement: no parameter pattern for it in this language", meta
        text, _ = patterns.lookup("sql-injection-partiql", "python")
        text = bound_params.fit(text, code, f.location.start_line if f.location else None)  # the code's own table and call
        family = meta["fix_family"] = "sql-injection-partiql"
    elif family == "sql-injection" and language == "python" and (
            _SQLALCHEMY.search((code or {}).get("below") or "")
            or _SQLALCHEMY_CONN.search(((code or {}).get("below") or "") + str((code or {}).get("imports") or ""))):
        text, _ = patterns.lookup("sql-injection-sqlalchemy", "python")
        text = bound_params.fit(text, code, f.location.start_line if f.location else None, "sqlalchemy")
        family = meta["fix_family"] = "sql-injection-sqlalchemy"
    elif family == "xss" and language == "python" and _FLASK.search(f"{f.rule_id} {(code or {}).get('imports') or ''} {f.snippet or ''}") \
            and not re.search(r"\bdjango\b", f"{(code or {}).get('imports') or ''} {f.snippet or ''}"):  # a Flask rule on Django code
        text, meta["framework"] = patterns.lookup("xss-flask", "python")[0], "flask"  # Markup/Jinja, and stage 1 too
    if family in line_fit.FAMILIES and language == "python" and is_code and text:  # the flagged call's own safe form
        fitted = _fit_line(f, family, text, c, code)
        meta["fitted"], text = fitted != text, fitted
    if family == "deserialization" and language == "python" and text:  # the code's own pickle.loads call
        fitted = unpickle.fit(text, code, f.location.start_line if f.location else None)
        meta["fitted"], text = fitted != text, fitted  # stage 1 takes it too (tasks.datasets.file_fixes)
    if family == "container-root-user" and text:  # a non-root user breaks images that need root (tasks.fixes.workload)
        refused, facts = workload.gate(text, f.snippet, language, None, f.path, (code or {}).get("start") if isinstance(code, dict) else None)
        if refused:
            return None, refused, meta
        text = (facts["first"] + "\n" + text) if facts.get("first") else text
        if facts.get("uid") is not None:  # an official image's own user, and fsGroup for the volumes it writes
            text = text.replace("runAsUser: 10001", f"runAsUser: {facts['uid']}\n  fsGroup: {facts['uid']}")
    rewrite = patterns.rewrite_for(family, language)
    if family == "xxe" and language == "python" and rewrite and c is not None:  # defusedxml cannot build elements
        whole = (code or {}).get("file")
        builds = builds_xml(c.lines[max(0, min(len(c.lines) - 1, c.target[0] - c.start_line))],
                            whole or c.text, 1 if whole else c.start_line)
        if builds:
            etree = "etree" in builds.lower() or "ElementTree" in builds  # a builder, or a name the swap unbinds
            rewrite, text = None, (f"Keep the `xml.etree` import: this file also builds XML with it ({builds}), which "
                                   "`defusedxml.ElementTree` cannot do. Parse untrusted input with `defusedxml.ElementTree."
                                   "fromstring`/`parse` where the file parses, and only there.") if etree else (
                f"Keep the import: this file also uses {builds}, which swapping the import for defusedxml would leave "
                "undefined (defusedxml provides the parsing functions only). Add `import defusedxml.minidom` beside it "
                "and call `defusedxml.minidom.parseString`/`parse` where the file parses untrusted input, and only there.")
    if family == "insecure-tls" and language == "python" and text and not _public_https(c):
        rewrite = None  # verify=True breaks every call to a server whose certificate no public CA signed
        text = (f"Only once the server's certificate chains to a CA this client trusts: the URL here is not a literal "
                f"public https:// address, and against a self-signed or internal certificate `verify=True` fails every "
                f"call, so point `verify` at the bundle of the CA that signed it.\n{text}")
    if family == "weak-hash" and language == "python":
        text, rewrite, meta["fix_family"] = _python_hash(c, (code or {}).get("file"), (code or {}).get("python_floor"))
    if family == "weak-hash" and language != "python" and python_hashes.hash_purpose(_target_text(c)) == "non-security":
        rewrite = None  # an identifier digest: changing the algorithm would change stored keys for nothing
    diff = None
    if rewrite and c:
        new = patches.rewrite_lines(c, rewrite)
        if new is None and rewrite is python_hashes.add_usedforsecurity:
            new = patches.rewrite_block(c, python_hashes.add_usedforsecurity_block)
        if new is None and rewrite is python_timeouts.add_timeout:  # a call split over lines
            new = patches.rewrite_block(c, python_timeouts.add_timeout_block)
        diff = patches.unified_diff(c, new) if new else None
        if diff and not diff_is_sound(language, c, new):
            diff = None
    if family == "deserialization" and language == "python" and text and not meta.get("fitted") and c is not None and c.exact:
        fitted = line_fit.yaml_load(text, c.lines, c.start_line, c.target[0], example=not diff)  # its yaml.load call
        meta["fitted"], text = fitted != text, fitted
    if text is None:
        hint = (f.fix_hint or "").strip()
        if hint and not _URL_ONLY.match(hint) and f.tool != "semgrep":
            return f"Fix{' at ' + where if where else ''}: {hint}\nReason: {_reason(f)}", "scanner-fix", meta
        return None, f"no fix pattern for {family} in {language or 'an unknown language'}", meta
    head = f"In {where or 'the reported code'} ({lang_name}):"  # no pipeline words ("Fix (<family>)") in an answer
    parts = [head]
    if diff:
        parts.append(patches.fence(diff))
    if diff and family == "request-timeout":  # the example is the flagged call with its timeout (stage 1 has no diff)
        added = textwrap.dedent(_call_lines(new, c.target[0] - c.start_line))
        text = line_fit.drop_example(text).rstrip(".") + f"; on line {c.target[0]}:\n```python\n{added}\n```" \
            + python_timeouts.test_note(code)
    parts.append(text)
    meta |= {"has_diff": bool(diff)}
    if diff:
        meta["code"] = c.as_meta()
    return "\n".join(parts), "pattern", meta


_INTERNAL_HOST = re.compile(r"(?i)^(?:localhost|[\d.]+|[\w-]+|.*\.(?:local|internal|svc|cluster\.local|lan|corp|test))$")


def _public_https(c: patches.Code | None) -> bool:
    """A literal https:// URL to a public host (a dotted name, not localhost, an IP or an internal suffix) within the
    statement's lines above the flagged one: there the public CA store verifies the server."""
    if c is None:
        return False
    at = c.target[0] - c.start_line
    window = "\n".join(c.lines[max(0, at - 12):at + 3])
    hosts = re.findall(r"['\"]https://([\w.-]+)", window)
    return bool(hosts) and all(not _INTERNAL_HOST.match(h) for h in hosts)


def _call_lines(lines: list[str], at: int) -> str:
    """The statement that starts at ``lines[at]`` and closes its parentheses (a call split over lines), as text."""
    out, depth = [], 0
    for line in lines[at:at + 40]:
        out.append(line)
        depth += line.count("(") - line.count(")")
        if depth <= 0:
            break
    return "\n".join(out)


def _fit_line(f: Finding, family: str, text: str, c: patches.Code | None, code: dict | None) -> str:
    """The family's Python pattern with its example written for the flagged statement (tasks.fixes.line_fit)."""
    bare = line_fit.fit(family, text, [], 0, None)
    if c is None:
        return bare
    extra = (code or {}).get("below") or ""
    known = c.text + extra + str((code or {}).get("imports") or "")  # the file's imports name its DB driver
    if c.exact:
        return line_fit.fit(family, text, c.lines, c.start_line, c.target[0], f.title or "", extra, known)
    # a context snippet of unknown start (SARIF, Semgrep): the one line that the family's fit reads is the finding's
    line = c.target[0]
    fits = {line_fit.fit(family, text, c.lines, line - i, line, f.title or "", "", c.text) for i in range(len(c.lines))
            if c.lines[i].strip()} - {bare}
    return fits.pop() if len(fits) == 1 else bare


def _reason(f: Finding) -> str:
    """The rule's message as a whole sentence: a title cut by the parser ("MD5 is not", "on(build") is never quoted."""
    title, desc = " ".join(str(f.title or "").split()), " ".join(str(f.description or "").split())
    text = desc if desc and (not title or desc.startswith(title.rstrip("…. ")[:40])) else title
    if len(text) <= 240:
        return text
    m = re.match(r"(.{20,240}[.!?])(?:\s)", text)  # whole sentences, never a cut one
    return (m.group(1) if m else text[:240].rsplit(" ", 1)[0] + " ...").strip()


def _target_text(c: patches.Code | None) -> str:
    """The finding's own lines (all of a snippet whose start is unknown)."""
    if not c:
        return ""
    lo, hi = c.target
    return "\n".join(l for i, l in enumerate(c.lines) if not c.exact or lo <= c.start_line + i <= hi)


def _python_hash(c: patches.Code | None, whole: str | None = None, floor: str | None = None):
    """MD5/SHA-1 in Python: a dedup or cache key gets ``usedforsecurity=False``, a security use SHA-256, a unique
    stored identity SHA-256 with a data migration (no one-line diff: the stored digests change)."""
    purpose = python_hashes.hash_purpose(_target_text(c))
    field = python_hashes.content_identity(whole, _target_text(c)) if purpose != "security" else None
    if field:
        return python_hashes.WEAK_HASH["identity"].replace("{field}", field), None, "weak-hash-identity"
    algorithm = re.search(r"hashlib\.(md5|sha1|new)\b", _target_text(c))
    if purpose == "unknown" and algorithm and algorithm.group(1) == "sha1":  # the advice names the call as written
        return python_hashes.WEAK_HASH[purpose].replace("hashlib.md5(data", "hashlib.sha1(data"), None, "weak-hash"
    if purpose == "non-security":  # no usedforsecurity= where the file still runs on Python < 3.9 (sqlmap: set 40)
        return (*python_hashes.non_security(whole, floor, _target_text(c)), "weak-hash-not-security")  # floor: the repository's (set 56)
    if purpose == "protocol":  # no diff: another algorithm breaks the exchange
        return python_hashes.WEAK_HASH[purpose], None, "weak-hash-protocol"
    if purpose == "security" and re.search(r"(?i)(?:hashlib\.\w+|\b(?:md5|sha1))\([^)]*pass(?:word|wd|phrase)?", _target_text(c)):
        # a password needs a salted, slow hash and a stored format: an unsalted SHA-256 line is no fix to merge
        return python_hashes.WEAK_HASH["password"], None, "weak-hash-password"
    if python_hashes.predictable_token(_target_text(c)):  # SHA-256 of the same guessable input is as guessable
        return python_hashes.WEAK_HASH["predictable"], python_hashes.to_random_token, "weak-hash-predictable-token"
    if purpose == "security":
        return python_hashes.WEAK_HASH[purpose], python_hashes.to_sha256, "weak-hash-upgrade"
    return python_hashes.WEAK_HASH[purpose], None, "weak-hash"
