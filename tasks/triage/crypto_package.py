"""Check 2d: Bandit B413 ("pyCrypto is no longer maintained") on code whose ``Crypto`` package is PyCryptodome.

B413 flags every ``import Crypto...``: PyCrypto, the package that used to
provide that namespace, is abandoned and has known flaws (CVE-2013-7459).
PyCryptodome is its maintained drop-in and installs the same ``Crypto``
namespace, so when the repository's manifests install ``pycryptodome`` and
nothing installs ``pycrypto``, the rule's premise does not hold: the import is
of a maintained library.  (Whatever the code *does* with it -- a mode, a key,
padding -- is judged by the rules about that, not by this one.)

Manifests read (tracked files of ``source.repo_path``, at most ``MAX_MANIFESTS``):
``requirements*.txt``/``*.in``, ``setup.py``, ``setup.cfg``, ``pyproject.toml``,
``Pipfile``, ``environment.yml``.  The evidence names the file and line.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines
from tasks.triage.report_signals import is_test_path

MAX_MANIFESTS = 50
_MANIFEST = re.compile(r"^(?:requirements[\w.-]*\.(?:txt|in)|setup\.py|setup\.cfg|pyproject\.toml|Pipfile|environment\.ya?ml)$")
# a requirement naming the package: at a line start (requirements), or quoted (setup.py, pyproject, Pipfile keys)
_REQ = r"(?:^\s*(?:-\s*)?|[\"'])\s*{name}\s*(?:$|[\s<>=~!;\[\"',@])"
_DOME = re.compile(_REQ.format(name="pycryptodome"), re.I | re.M)
_OLD = re.compile(_REQ.format(name="pycrypto"), re.I | re.M)
_USES = re.compile(r"(?i)\b(?:uses?|using|requires?|needs?|depends on|installs?)\b.*\bpycryptodome\b|\bpycryptodome\b.{0,40}"
                   r"\b(?:is|as) (?:an? )?(?:optional )?dependency")
_PLANNED = re.compile(r"(?i)\btodo\b|fixme|migrat|move to|switch to|replac|instead of|\bpycrypto\b")
_INSTALLERS = re.compile(r"(?i)(?:^|/)(?:[^/]*dockerfile[^/]*|\.github/workflows/[^/]+\.ya?ml|[^/]+\.sh|tox\.ini|Makefile)$")
_PIP_OLD = re.compile(r"(?i)\bpip3?\s+install\b[^\n]*\bpycrypto\b(?!dome)")


def _is_b413(f: Finding) -> bool:
    return f.tool == "bandit" and str(f.rule_id).upper() == "B413"


def check_crypto_package(f: Finding | dict, reader=None, index=None) -> dict | None:
    """{"check": "ecosystem", "evidence"} when B413's Crypto package is PyCryptodome, else None."""
    f = as_finding(f)
    if reader is None or index is None or not _is_b413(f):
        return None
    manifests = [p for p in getattr(index, "files", []) if _MANIFEST.match(PurePosixPath(p).name)
                 and "node_modules/" not in p][:MAX_MANIFESTS]
    found = None
    for path in manifests:
        lines = [line.rstrip("\n") for line in reader.lines(path, None) or []]
        for no, line in enumerate(lines, 1):
            text = line.split("#", 1)[0] if not path.endswith(".py") else line
            if _OLD.search(text):  # PyCrypto itself: the package is the finding, at the code that ships
                if is_test_path(f.path):
                    return None  # a test's import: the path check says it is not deployed; the app's imports carry it
                return {"check": "ecosystem", "verdict": "true_positive", "evidence": (
                    f"{path}:{no} installs pycrypto (`{text.strip()[:60]}`), the unmaintained PyCrypto (last release "
                    "2.6.1, 2013), and this line imports its Crypto package: B413 is about that dependency, not this "
                    "file, and replacing it (pycryptodome installs the same Crypto package) clears every such import")}
            if found is None and _DOME.search(text):
                found = f"{path}:{no}"
    if found is None:  # an optional dependency no manifest lists: the importing file's own comment says it uses it
        said = next((n for n, line in enumerate(finding_lines(reader, f), 1) if line.lstrip().startswith("#")
                     and _USES.search(line) and not _PLANNED.search(line)), None)
        pip = [p for p in getattr(index, "files", []) if _INSTALLERS.search(p)][:MAX_MANIFESTS]
        if said is None or any(_PIP_OLD.search("".join(reader.lines(p, None) or [])) for p in pip):
            return None  # a Dockerfile or CI script that pip-installs pycrypto itself (the review of set 40)
        return {"check": "ecosystem", "evidence": (
            f"not the abandoned library: {f.path}:{said} says the code uses pycryptodome (an optional dependency no "
            "manifest lists), the maintained drop-in that provides the same Crypto package, and no manifest installs "
            "pycrypto, so B413's premise (PyCrypto is unmaintained) does not hold for this import")}
    return {"check": "ecosystem", "evidence": (
        f"not the abandoned library: {found} installs pycryptodome, the maintained drop-in that provides the same "
        "Crypto package, and no manifest installs pycrypto, so B413's premise (PyCrypto is unmaintained) does not "
        "hold for this import")}
