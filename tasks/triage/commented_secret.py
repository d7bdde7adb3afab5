"""A guessable or placeholder value on a commented-out line of a configuration file: a default shown to the reader.

lldap's ``lldap_config.docker_template.toml`` (the configuration its image copies into place) documents the SMTP
settings as ``#password="password"``; Semgrep's gitleaks rule ``hashicorp-tf-password`` flags it (held-out set 46,
both labellers: a placeholder).  A line comment is not read by the program, and a value that is a common word, a
placeholder or a low-entropy string on it is a default for the reader to replace, not a credential in use.

Only a secret finding on one flagged line that is a line comment of its file type (``#`` in TOML, YAML, INI, env,
shell, Python, Ruby, properties, Dockerfiles; ``;`` in INI; ``//`` in C-like languages and JSONC), and only a value
the parser classed as weak, placeholder, plain word, low entropy or a dummy: a high-entropy value or an issuer's
format on a comment line is still a leaked credential (a key pasted into a comment), and stays a finding; a password
hash or a PEM block whose body is a few characters (pocketbase's doc comments, held-out set 48) is an example.  The
value is never echoed.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import posixpath
import re

from tasks.findings.model import Finding, as_finding
from tasks.findings.secrets import tool_marks_secret
from tasks.repository.source import finding_lines

WEAK = ("weak", "placeholder", "plain-word", "low-entropy", "dummy", "example", "code-word")
_HASH = (".toml", ".yaml", ".yml", ".ini", ".cfg", ".conf", ".env", ".sh", ".bash", ".py", ".rb", ".properties",
         ".example", ".sample", ".dist", ".tmpl", ".template", ".service", ".tf", ".hcl")
_SLASH = (".js", ".ts", ".jsx", ".tsx", ".mjs", ".cjs", ".go", ".java", ".kt", ".rs", ".c", ".cc", ".cpp", ".h", ".cs",
          ".php", ".swift", ".jsonc", ".json5", ".tf", ".hcl")
_NAMES = ("Dockerfile", "Containerfile", ".env", "Makefile")


def _markers(path: str) -> tuple[str, ...]:
    name = posixpath.basename(path)
    suffix = posixpath.splitext(name)[1].lower()
    marks: tuple[str, ...] = ()
    if suffix in _HASH or name in _NAMES or name.startswith((".env.", "Dockerfile.")):
        marks += ("#",)
    if suffix in (".ini", ".cfg", ".conf"):
        marks += (";",)
    if suffix in _SLASH:
        marks += ("//", "* ")  # `//` and a block comment's continuation line (JSDoc, Go's generated .d.ts)
    return marks


def check_commented_value(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "secret", "status": "not_a_secret", "evidence"} for a weak value on a commented-out line, else None."""
    f = as_finding(f)
    loc, ev = f.location, f.secret_evidence or {}
    if reader is None or not loc or not loc.start_line or (loc.end_line or loc.start_line) != loc.start_line \
            or not (f.kind == "secret" or tool_marks_secret(f.tool, str(f.rule_id), f.title or "")):
        return None
    marks = _markers(str(f.path or ""))
    lines = finding_lines(reader, f)
    if not marks or not 0 < loc.start_line <= len(lines):
        return None
    if ev.get("class") not in WEAK and _kind(ev, lines[loc.start_line - 1]) not in ("hash", "pem"):
        return None  # pocketbase's doc comments: a bcrypt hash of "123456", `-----BEGIN PRIVATE KEY----- X ...` (set 48)
    line = lines[loc.start_line - 1].lstrip()
    mark = next((m for m in marks if line.startswith(m)), None)
    if mark is None:
        return None
    said = {"hash": f"{ev.get('match') or 'a password hash'} shown as an example (a hash is what a program stores and "
                    "checks against, not a login anyone types)",
            "pem": "a PEM block whose body is a placeholder of a few characters, showing the format a key is pasted in"
            }.get(_kind(ev, line), f"a {str(ev.get('class')).replace('-', ' ')} value ({ev.get('length')} characters)")
    return {"check": "secret", "status": "not_a_secret",
            "evidence": f"commented out: {f.path}:{loc.start_line} is a `{mark}` comment, which the program does not read; the "
                        f"value on it is {said}, a default or an example shown to whoever reads the file, not a "
                        "credential in use"}


_PEM = re.compile(r"-----BEGIN [A-Z0-9 ]{1,60}-----")


def _kind(ev: dict, line: str) -> str:
    """"hash" for a password hash, "pem" for a PEM block with a placeholder body, else the parser's class."""
    if ev.get("class") == "hash":
        return "hash"
    begin = _PEM.search(line) if "-----END " in line else None  # found with str.find: no backtracking on padding
    end = line.find("-----END ", begin.end()) if begin else -1
    return "pem" if end >= 0 and len(line[begin.end():end].strip()) < 16 else str(ev.get("class"))


def commented_evidence(f: Finding | dict, reader=None) -> str | None:
    """check_commented_value's evidence alone (tasks.triage.context's password-hash branch reads it first)."""
    found = check_commented_value(f, reader)
    return found["evidence"] if found else None
