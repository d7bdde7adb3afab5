"""Check 7: is the vulnerable package imported anywhere in the repository (``source.repo_path``)?

A dependency no source file imports is often a transitive or leftover one,
but a package can still be loaded by a framework, a plugin entry point or a
build tool, so "never imported" is ``needs_review`` with the evidence (how
many files were searched, for which import forms), never a false positive.
An import found is evidence the other way, and is reported too.

The tracked files (``git ls-files``) are read from the working tree, at most
``MAX_FILES`` of them and ``MAX_BYTES`` each; only Python, JS/TS, Go and
Java/Kotlin sources, for the ecosystems whose import names follow the
package name (PyPI with its normalisations, npm, Go modules, Maven group ids).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.core.errors import SecftError
from tasks.findings.model import NO_DEPENDENCY, NO_PACKAGE, Finding, as_finding

MAX_FILES = 20000
MAX_BYTES = 512 * 1024
LANGS = {"pypi": (".py",), "npm": (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".vue", ".svelte"),
         "golang": (".go",), "maven": (".java", ".kt", ".scala", ".groovy")}


class ImportIndex:
    """The import texts of a repository's sources, read once per triage run."""

    def __init__(self, reader):
        from tasks.repository.source import run_git

        self.reader = reader
        try:
            _, out = run_git(reader.repo, ["ls-files", "-z"], max_bytes=64 << 20)
        except SecftError:
            out = b""
        self.files = [p for p in out.decode("utf-8", "replace").split("\x00") if p][:MAX_FILES]
        self._text: dict[str, str] = {}

    def sources(self, fam: str) -> list[str]:
        suffixes = LANGS.get(fam, ())
        return [p for p in self.files if PurePosixPath(p).suffix in suffixes and "node_modules/" not in p and "/vendor/" not in p]

    def text(self, fam: str) -> str:
        if fam not in self._text:
            chunks = []
            for p in self.sources(fam):
                lines = self.reader.lines(p, None)
                if lines:
                    chunks.append("".join(l for l in lines[:4000] if "import" in l or "require" in l or "from" in l)[:MAX_BYTES])
            self._text[fam] = "\n".join(chunks)
        return self._text[fam]


def _patterns(fam: str, name: str, group: str | None) -> list[re.Pattern]:
    if fam == "pypi":
        mods = {name.lower().replace("-", "_"), name.lower().replace("-", ""), name.lower().split("-")[0]}
        if name.lower().startswith("python-"):
            mods.add(name.lower()[7:].replace("-", "_"))
        alt = "|".join(sorted(re.escape(m) for m in mods if m))
        return [re.compile(rf"(?m)^\s*(?:import|from)\s+(?:{alt})\b", re.I)]
    if fam == "npm":
        n = re.escape(name)
        return [re.compile(rf"""(?:require\(\s*|from\s+|import\s*\(\s*|import\s+)['"]{n}(?:/[^'"]*)?['"]""")]
    if fam == "golang":
        return [re.compile(rf'"{re.escape(name)}(?:/[^"]*)?"')]
    if fam == "maven" and group:
        return [re.compile(rf"(?m)^\s*import\s+(?:static\s+)?{re.escape(group)}\.")]
    return []


def check_reachability(f: Finding | dict, fam: str | None, index: ImportIndex | None) -> dict | None:
    f = as_finding(f)
    pkg = f.package or NO_PACKAGE
    if index is None or f.kind != "dependency" or fam not in LANGS or not pkg.name:
        return None
    name = str(pkg.name)
    group = pkg.group or (name.split(":")[0] if ":" in name else None)
    pats = _patterns(fam, name.split(":")[-1] if fam != "maven" else name, group)
    files = index.sources(fam)
    if not pats or not files:
        return None
    text = index.text(fam)
    if any(p.search(text) for p in pats):
        return {"check": "reachability", "status": "imported", "evidence": f"{name} is imported in the repository's sources"}
    direct = (f.dependency or NO_DEPENDENCY).direct
    return {"check": "reachability", "status": "not_imported",
            "evidence": f"{name} is never imported in the {len(files)} {fam} source file(s) of the repository"
                        + (" (a transitive dependency)" if direct is False else "")
                        + ": check whether anything loads it at run time before acting"}
