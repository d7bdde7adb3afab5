"""The last step every finding passes before it leaves the parsers.

Whatever a tool-specific parser forgot, this catches: CI workspace prefixes
in any text, and secrets - those the tool points at and those
``detect-secrets`` recognises - in every string field.  Doing it in one place
means a new parser cannot leak what the others redact.
"""

from __future__ import annotations

import re

from tasks.findings import paths, secret_keys, secrets
from tasks.findings.redact import secret_hash
from tasks.findings.secret_literals import ADDRESS, given_to_secret, not_a_value, only_key
from tasks.findings.secret_formats import PASSWORD_HASH, assigned_variable, issuer_values

TEXT_FIELDS = ("title", "description", "snippet", "fix_hint")
# hex digests this code computed, never scanner text: a short hex secret can occur inside one by chance
# (a Checkov record's id came out '0a[REDACTED ...]cc41...' and failed the schema, and with it the whole build)
# fields a secret never sits in, and whose values are enums or ids: a learnt "secret" that happens to be the word
# `code` (an OAuth response type) must not rewrite `kind: code` (pgadmin4, held-out set 23: the record failed its schema
# and the whole report's parse with it)
_IDENTITY = ("id", "secret_hash", "kind", "tool", "tool_version", "severity", "rule_id", "cwe", "cve", "ghsa", "aliases",
             "suppressed", "seen_count", "redacted", "first_seen", "last_seen", "source", "rule_tags", "module_inputs")
# the enum and number fields inside the other objects, which the schema checks: a learnt "secret" equal to an enum
# value must not rewrite it (glances, held-out set 24: the password 'placeholder' rewrote `secret_evidence.class` and
# failed the report's parse); their free text (a flow's message, a fix's diff, the evidence's "match") is scrubbed
_KEPT = {"secret_evidence": ("class", "entropy", "length", "format"), "package": ("fix_status",), "match": ("by",),
         "scanner_fix": ("kind",), "flow": ("via",)}


def _quoted_in(value: str, snippet: str | None) -> bool:
    """Whether the code shows ``value`` as a quoted string literal ('foo' or "foo")."""
    return bool(snippet) and any(f"{q}{value}{q}" in snippet for q in ("'", '"'))


def _other_secret(value: str, snippet: str | None) -> bool:
    """Beside the password Bandit quoted, whether another value of its snippet may be a secret too (an FTP login's
    password, an HMAC key): a quoted literal, not a name the code uses (`_feed_rest`, found after ``=``) nor a
    mechanism's name (``b"SCRAM-SHA-256\\x00"``: sqlmap's SCRAM test, set 40)."""
    bare = re.sub(r"\\x[0-9a-fA-F]{2}|\\[0nrt]", "", value)  # prose (a docstring, a message: round 45) only when no
    return _quoted_in(value, snippet) and (given_to_secret(value, snippet or "") or not not_a_value(value) and not
                                            ADDRESS.fullmatch(value) and not only_key(value, snippet or "")) and not \
        re.fullmatch(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+", bare)  # secret's name is before it (the review of 750ff3a)


def _key_material(finding: dict):
    """The snippet a secret rule flagged; for a private-key rule only the lines of blocks that hold key material
    (a Semgrep private-key match runs from a header over the rest of a docs page: mitmproxy's certificates.md shows
    `<private key>` between the markers, and every quoted word of the next 50 lines was taken for the key; set 39)."""
    snippet = finding.get("snippet")
    if not isinstance(snippet, str) or not secret_keys.private_key_rule(finding.get("rule_id"), finding.get("title")):
        return snippet
    lines = snippet.splitlines()
    keep = secret_keys.key_block_lines(lines, 1, len(lines))
    block = "\n".join(lines[n - 1] for n in sorted(keep)) if keep is not None else snippet
    return block if re.search(r"[A-Za-z0-9+/=]{32,}", block) else ""


def finalise(finding: dict) -> dict:
    """Scrub CI prefixes and secrets from every string field of ``finding`` (in place)."""
    _scrub_paths(finding)
    found: list[str] = []
    if secrets.tool_marks_secret(finding["tool"], finding["rule_id"], finding.get("title") or ""):
        loc = finding.get("location") or {}
        snippet = _key_material(finding)
        flagged = secrets.literal_values(snippet, loc.get("start_line"), loc.get("end_line"), every=True, path=loc.get("path"))
        found += secrets.literal_values(snippet, loc.get("start_line"), loc.get("end_line"), path=loc.get("path"))
        if finding["tool"] == "bandit":  # B105-B107 quote the password itself: "Possible hardcoded password: '...'"
            quoted = secrets.quoted_values(finding.get("title")) + secrets.quoted_values(finding.get("description"))
            named = secrets.bandit_value(finding.get("title"))  # '' or 'x': too short for quoted_values, and exact
            # Bandit quotes exactly the string it flagged: that value alone is weighed, not the line's other
            # literals ({'username': "blah1'", 'password': 'blah'} is 'blah', a test password, not a 10-character key)
            exact = named is not None and (len(named.strip()) <= 1 or named in flagged  # or a short value ('foo') the
                                           or _quoted_in(named, finding.get("snippet"))  # literal reader leaves out
                                           or named in ("True", "False", "None"))  # `"change_password": True` (set 24)
            flagged = [named] if exact else flagged + quoted
            if exact:  # a B107 spans its whole function: of its other values keep the quoted ones that may be
                found = [v for v in found if v == named or _other_secret(v, finding.get("snippet"))]  # secrets
            # taken without their context ("password: 'Fail'" is Bandit's wording, not an assignment): only
            # values shaped like a secret; an assigned password is taken from the snippet with its context
            found += [v for v in quoted if secrets.plausible(v)]
        header = re.search(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----", snippet or "") if snippet else None
        if header:  # a key block with its body: the block is the evidence, not a short literal inside its base64
            flagged = [header.group(0)]  # (navidrome's test_key.pem was "a low-entropy value of 8 characters": set 40)
        _keep_secret_evidence(finding, flagged)  # the triage weighs every flagged value; only secrets are redacted
    path = (finding.get("location") or {}).get("path")
    for key in TEXT_FIELDS:
        found += secrets.detect(finding.get(key), path)
    for ref in finding.get("references") or []:
        found += secrets.detect(ref)
    for inst in finding.get("instances") or []:
        for value in inst.values():
            found += secrets.detect(value)
    for key, value in finding.items():  # any other text a parser carries (a scanner's fix, a message ...)
        if key not in TEXT_FIELDS and key not in ("references", "instances") and key not in _IDENTITY:
            found += [s for text in _strings(value) for s in secrets.detect(text)]
    if secret_keys.translation_catalogue(path):  # Tandoor's locales/nl.json (set 26): "API-sleutel" and
        found = [v for v in found if not secret_keys.ui_words(v)]  # "Toegangstoken" are text a person reads
    snippet = str(finding.get("snippet") or "")  # the user and the database named like the password (set 39)
    hashes = [m.group(0) for key in TEXT_FIELDS for m in PASSWORD_HASH.finditer(str(finding.get(key) or ""))]
    found = [v for v in found if not secret_keys.named_elsewhere(v, snippet) and not any(v.strip() in h for h in hashes)
             and not secret_keys.id_valued(v, snippet)]
    if not found:
        return finding
    for key in TEXT_FIELDS:
        finding[key] = secrets.scrub(finding.get(key), found)
    if not finding["title"]:
        finding["title"] = finding["rule_id"]
    finding["references"] = [secrets.scrub(r, found) for r in finding.get("references") or []]
    if finding.get("instances"):
        finding["instances"] = [{k: secrets.scrub(v, found) for k, v in i.items()} for i in finding["instances"]]
    for key, value in list(finding.items()):
        if key not in TEXT_FIELDS and key not in ("references", "instances") and key not in _IDENTITY:
            finding[key] = _kept(value, _scrub_all(value, found), _KEPT.get(key, ()))
    finding["redacted"] = True
    if finding["kind"] == "secret" and "secret_hash" not in finding:
        finding["secret_hash"] = secret_hash(sorted(found, key=len, reverse=True)[0])
    return finding


def _scrub_paths(finding: dict) -> None:
    for key in TEXT_FIELDS:
        finding[key] = paths.scrub_text(finding.get(key))
    if not finding["title"]:
        finding["title"] = finding["rule_id"]
    finding["references"] = [paths.scrub_text(r) for r in finding.get("references") or []]
    if finding.get("instances"):
        finding["instances"] = [{k: paths.scrub_text(v) for k, v in i.items()} for i in finding["instances"]]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _scrub_all(value, found: list[str]):
    return paths.map_strings(value, lambda text: secrets.scrub(text, found))


def _kept(before, after, fields: tuple):
    """``after`` (a scrubbed object, or list of objects) with ``fields`` as they were in ``before``."""
    if isinstance(before, dict) and isinstance(after, dict):
        return {**after, **{k: before[k] for k in fields if k in before}}
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [_kept(b, a, fields) for b, a in zip(before, after)]
    return after


def _variable(finding: dict) -> dict | None:
    """A secret rule's line in a program that assigns a variable, no literal (wger's ``HEADLESS_JWT_PRIVATE_KEY =
    _jwt_private_pem``, set 44): the evidence that what was flagged is a name."""
    path = str((finding.get("location") or {}).get("path") or "")
    snippet = str(finding.get("snippet") or "")
    line = snippet.splitlines()[0] if snippet else ""
    m = re.search(r"(?:[:=]|=>|:=)\s*([A-Za-z_$][\w$]*)\s*;?\s*$", line)
    if not m or secrets.quoted_values(line) or not assigned_variable(m.group(1), path, line) or secrets.detect(line, path):
        return None  # a comment's or a string's value, a key's shape, a detect-secrets hit: a value (the review of 9a2f23f)
    return {"class": "name", "entropy": 0.0, "length": len(m.group(1)), "format": None,
            "match": f"the variable `{m.group(1)}`, which the code reads at run time"}


def _keep_secret_evidence(finding: dict, values: list[str]) -> None:
    """The kind of value a secret rule flagged (tasks.findings.secret_evidence), kept before it is redacted."""
    from tasks.findings.secret_evidence import classify

    if "secret_evidence" not in finding:
        values = issuer_values(finding.get("rule_id"), finding.get("snippet")) or values  # the key, not the line's words
        evidence = classify(values, finding.get("rule_id"), from_code=True) or _variable(finding)
        if evidence:
            finding["secret_evidence"] = evidence
