"""The stage-2 answer for a finding inside an installed third-party package: take the folder out of the scan.

Triage (tasks.triage.installed) calls a SAST finding in ``site-packages/``, ``.python_packages/``,
``node_modules/`` or a package ``pip install -t`` put next to a Lambda's code a false positive: the library's
own internals, not this project's code.  The usual suppression row would add ``# nosec`` inside the installed
copy, which a reinstall overwrites and which hides the library's code from the next reviewer; a blind grader
called one such row harmful (azure-core's ``pickle.loads`` has a published CVE: the fix there is the upgrade).
So the row says to exclude the install folder in the scanner's own configuration, and where the library's
known vulnerabilities are looked at instead (a dependency scanner on the manifest that installs it).

May import: ``tasks.core``, ``tasks.findings``, ``tasks.triage.installed`` (the install folder it named),
``tasks.triage.docs_include`` (its mark).
"""

from __future__ import annotations

import posixpath
import re

from tasks.triage.docs_include import MARK
from tasks.triage.installed import install_dir

PREFIX = "installed third-party package, not this project's code:"
VENDORED = "vendored third-party library code, not this project's to patch ("  # triage's evidence for a library copy
_PIP_T = re.compile(r"manifest: (\S+?\.(?:dist|egg)-info)/\S+?:\d+ (?:lists (\S+)|names the package `([\w.-]+)`)")
_VENDOR = re.compile(r"^(.*?\bvendor)/")


# Semgrep's built-in ignore list (semgrep-core 1.x) applies only while the repository has no .semgrepignore of its own
SEMGREPIGNORE_NOTE = ("(Where the repository has no .semgrepignore yet, a new one replaces Semgrep's built-in list, which "
                      "skips test/, tests/, *_test.go, node_modules/, vendor/, build/, dist/ and *.min.js: copy those "
                      "entries into it too, or the next scan reports them.)")


def installed_root(path: str | None, evidence: str) -> str | None:
    """The folder to leave out of the scan: the install folder, or the package folder ``pip install -t`` made."""
    if not evidence.startswith(PREFIX) or not path:
        return None
    m = _PIP_T.search(evidence)
    if m:
        target = posixpath.dirname(m.group(1))
        top = (m.group(2) or m.group(3) or "").split("/")[0]
        return posixpath.join(target, top) if top else None
    where = install_dir(path)  # the same install folder triage named ("is inside <where>/")
    if where:
        return where
    m = _VENDOR.match(path) if "vendor/ folder" in evidence else None
    return m.group(1) if m else None


_FIXTURE_DIRS = {"testdata", "test_data", "test-data", "fixtures", "fixture", "__fixtures__", "golden", "snapshots",
                 "__snapshots__", "testfiles", "test-fixtures", "sample-data", "test-files", "test_files"}
_CODE = (".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".go", ".rb", ".java", ".kt", ".php", ".cs", ".rs", ".sh")


def fixture_root(path: str | None, evidence: str) -> str | None:
    """The fixture folder of a data file (not code) triage called test data: a suppression comment inside it would
    change the data the tests read (fider's golden HTML, compared byte for byte: round 40's harmful row)."""
    if not path or "is a test fixture or test data file" not in evidence or path.lower().endswith(_CODE):
        return None
    parts = path.split("/")
    at = next((i for i, d in enumerate(parts[:-1]) if d.lower() in _FIXTURE_DIRS), None)
    return "/".join(parts[:at + 1]) if at is not None else None


def excluded(path: str | None, rec: dict) -> tuple[str, str] | None:
    """(folder or file to leave out of the scan, "installed" | "fixture" | "vendored"), or None."""
    reasons = rec.get("reasons") or [{}]
    first = str(reasons[0].get("evidence", ""))
    root = installed_root(path, first)
    fixture = None if root else fixture_root(path, " ".join(str(r.get("evidence", "")) for r in reasons))
    vendored = path if not (root or fixture) and first.startswith(VENDORED) else None
    shown = docs_root(path) if not (root or fixture or vendored) and MARK in " ".join(str(r.get("evidence", "")) for r in reasons) else None
    found = root or fixture or vendored or shown
    if found is None or found.startswith(("/", "..")) or "\n" in found:
        return None
    return found, "installed" if root else "fixture" if fixture else "vendored" if vendored else "docs"




def docs_root(path: str | None) -> str | None:
    """The documentation folder a page's included code file sits in (its first ``docs``/``doc`` folder)."""
    parts = (path or "").split("/")
    at = next((i for i, d in enumerate(parts[:-1]) if d.lower() in ("docs", "doc", "documentation")), None)
    return "/".join(parts[:at + 1]) if at is not None else None


def exclusion_place(tool: str, path: str | None, rec: dict) -> str | None:
    """What a stage-1 answer says to do instead of a suppression comment: "leave pkg/db/fixtures out of the semgrep
    scan" (set 40's rows said "the installed package's folder" of a test fixture folder)."""
    found = excluded(path, rec) if tool in ("bandit", "semgrep", "checkov") else None
    return f"leave {found[0]} out of the {tool} scan" if found else None


def exclusion_answer(tool: str, path: str | None, rec: dict) -> str | None:
    """The stage-2 text for an installed package's finding, a test fixture's or a vendored library copy's, or None when
    it is none of them (or the tool has no scope)."""
    reasons = rec.get("reasons") or [{}]
    evidence = " ".join(str(r.get("evidence", "")) for r in reasons)
    found = excluded(path, rec)
    if found is None:
        return None
    root, kind = found
    fixture, vendored = (root if kind == "fixture" else None), (root if kind == "vendored" else None)
    if kind == "docs" and tool in ("bandit", "semgrep", "checkov"):  # django-ninja's tutorial code (round 62: harmful)
        block = (f'```toml\n# pyproject.toml (bandit -c pyproject.toml -r .)\n[tool.bandit]\nexclude_dirs = ["{root}"]\n```'
                 if tool == "bandit" else f"```\n# .semgrepignore\n{root}/\n```\n{SEMGREPIGNORE_NOTE}" if tool == "semgrep"
                 else f"`checkov -d . --skip-path {root}`")
        return (f"False positive: {str(reasons[0].get('evidence', '')).rstrip('.')}. Do not add a suppression comment to {path}: "
                f"the page shows the file as it is, so the comment would appear in the published documentation and shift "
                f"any lines the page highlights. Leave {root} out of the {tool} scan instead:\n{block}\n")
    if tool == "bandit":
        block = f'```toml\n# pyproject.toml (bandit -c pyproject.toml -r .)\n[tool.bandit]\nexclude_dirs = ["{root}"]\n```\n' \
                f"or on the command line: `bandit -r . -x ./{root}`."
    elif tool == "semgrep":
        block = f"```\n# .semgrepignore\n{root}{'' if vendored else '/'}\n```\n{SEMGREPIGNORE_NOTE}"
    elif tool == "checkov":
        block = f"`checkov -d . --skip-path {root}` (or `skip-path: [{root}]` in .checkov.yaml)."
    else:
        return None
    if vendored:  # shiori's vue.js 2.6.8 (set 38): seven nosemgrep comments in a copy the next upgrade replaces
        return (f"False positive: {str(reasons[0].get('evidence', '')).rstrip('.')}. Do not add suppression comments to the "
                f"vendored copy: the next upgrade replaces the file and every comment with it, and a copy edited by hand "
                f"no longer matches its release. Leave {root} out of the {tool} scan instead:\n{block}\n")
    if fixture:
        return (f"False positive: {str(reasons[0].get('evidence', '')).rstrip('.')}. Do not add a suppression comment to {path}: it "
                f"is data the tests read, and a comment changes what they compare or parse. Leave {root} out of the "
                f"{tool} scan instead:\n{block}\n")
    manifest, scanners = (("package.json / package-lock.json", "npm audit, osv-scanner") if "node_modules" in root else
                          ("go.mod", "govulncheck, osv-scanner") if re.search(r"go mod vendor|vendor/modules\.txt", evidence)
                          else ("requirements file", "pip-audit, osv-scanner"))  # remark42's chroma: a Go module (round 48)
    return (f"False positive: {evidence.rstrip('.')}. Do not edit the installed copy (a reinstall overwrites it, and a "
            f"suppression comment there hides the library's code from the next review): leave {root} out of the "
            f"{tool} scan instead:\n{block}\nKeep the library itself current with a dependency scanner on the "
            f"{manifest} that installs it ({scanners}): a known vulnerability in it is fixed by upgrading it there.\n")


# a generator's own mark in a file's first lines (Go's "Code generated ... DO NOT EDIT.", protoc, OpenAPI Generator);
# Django's "Generated by Django" migrations are written once and then owned by the project: no mark
GENERATED = re.compile(r"(?i)\bdo not edit\b|\bcode generated by\b|@generated\b|\bopenapi[- ]generator\b|\bswagger[- ]codegen\b"
                       r"|\bauto-?generated by\b|\bgenerated by the protocol buffer compiler\b")


def generated_mark(head: str) -> str | None:
    """The first of a file's opening lines that says a generator writes it, or None."""
    for line in head.splitlines()[:12]:
        if GENERATED.search(line) and "generated by django" not in line.lower():
            return " ".join(line.strip(" \t#/*-;").split())[:120]
    return None


def generated_place(tool: str, path: str | None, code: dict | None) -> str | None:
    """What a stage-1 answer says for a false positive in generated code: leave the file out of the scan."""
    if tool not in ("bandit", "semgrep", "checkov") or not path or not (code or {}).get("generated"):
        return None
    return f"leave {path} out of the {tool} scan (a generated file: a comment written into it is lost when it is regenerated)"


def generated_answer(tool: str, path: str | None, rec: dict, code: dict | None) -> str | None:
    """The stage-2 text for a false positive in a generated file (round 47's protobuf module, round 48's OpenAPI client):
    a suppression comment written into it is gone at the next generation, so the file leaves the scan instead."""
    if generated_place(tool, path, code) is None or path.startswith(("/", "..")) or "\n" in path:
        return None
    evidence = str(((rec.get("reasons") or [{}])[0]).get("evidence", "")).rstrip(".")
    block = {"bandit": f'```toml\n# pyproject.toml (bandit -c pyproject.toml -r .)\n[tool.bandit]\nexclude_dirs = ["{path}"]\n```',
             "semgrep": f"```\n# .semgrepignore\n{path}\n```\n{SEMGREPIGNORE_NOTE}",
             "checkov": f"`checkov -d . --skip-path {re.escape(path)}` (or `skip-path` in .checkov.yaml)"}[tool]
    return (f"False positive: {evidence}. Do not add a suppression comment to {path}: a generator writes it "
            f"(\"{code['generated']}\"), and the next generation drops the comment and the finding returns. Leave the "
            f"file out of the {tool} scan instead:\n{block}\nIf the generator's template is in this repository, a comment "
            "there reaches every generated file.\n")

