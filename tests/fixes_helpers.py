"""Findings shaped like the real reports (see tests/fixtures/scanners), for the tests of tasks.fixes."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tasks.core.schemas import validate_all
from tasks.fixes.patch_check import apply_patch, extract_diff, no_foreign_language

_ID = "0" * 32


def finding(kind: str, tool: str, rule_id: str, *, path: str | None = None, start: int | None = None,
            end: int | None = None, snippet: str | None = None, package: dict | None = None, cwe=(),
            title: str | None = None, description: str = "", fix_hint: str | None = None, **extra) -> dict:
    f = {
        "id": _ID, "tool": tool, "tool_version": None, "kind": kind, "rule_id": rule_id,
        "title": title or rule_id, "description": description, "severity": "high", "cwe": list(cwe),
        "cve": extra.pop("cve", []), "ghsa": extra.pop("ghsa", []),
        "location": {"path": path, "start_line": start, "end_line": end if end is not None else start} if path else None,
        "package": None, "snippet": snippet, "fix_hint": fix_hint, "suppressed": False, "references": [],
        "instances": extra.pop("instances", None), "source": {"artifact": "a.json", "sha256": "0" * 64},
        "aliases": extra.pop("aliases", []),
    }
    if package is not None:
        f["package"] = {"name": package["name"], "version": package.get("version"),
                        "fixed_version": package.get("fixed_version"), "ecosystem": package.get("ecosystem"),
                        "fix_status": package.get("fix_status", "fixed" if package.get("fixed_version") else "none published"),
                        "fixed_versions": package.get("fixed_versions", [package["fixed_version"]] if package.get("fixed_version") else []),
                        "purl": package.get("purl"), "group": package.get("group")}
    f.update(extra)
    validate_all("finding", [f], "test finding")
    return f


def versions_in(text: str) -> set[str]:
    """Every version-looking token of an answer (1.2, 2.13.4.1, 1.31.1-r11, v1.3.2)."""
    return {m.lstrip("v") for m in re.findall(r"\bv?\d+(?:\.\d+)+(?:[-+.][\w.]+)?\b", text)}


def assert_versions_from_advisory(answer: str, f: dict) -> None:
    """Every version in the answer comes from the finding: its package, advisory fixes, hint or location."""
    pkg = f["package"]
    sources = [str(v) for v in [pkg.get("name"), pkg.get("version"), pkg.get("fixed_version"), *pkg.get("fixed_versions", []),
                                f.get("fix_hint"), (f.get("location") or {}).get("path"), f.get("title")] if v]
    invented = {v for v in versions_in(answer) if not any(v in s or s.startswith(v) for s in sources)}
    assert not invented, f"versions not in the advisory data: {invented}\n{answer}"


def assert_own_language(answer: str, language: str, path: str | None = None) -> None:
    ok = no_foreign_language(answer, {"language": language, "path": path})
    assert ok is not False, f"code of another language than {language}:\n{answer}"


def assert_diff_applies(answer: str, code: dict, tmp_path: Path) -> str:
    """The answer's diff applies to the code: with unidiff (tasks.fixes.patch_check) and with git apply --check."""
    diff = extract_diff(answer)
    assert diff, answer
    patched = apply_patch(diff, code)
    assert patched is not None, f"diff does not apply:\n{diff}"
    repo = tmp_path / "repo"
    target = repo / code["path"]
    target.parent.mkdir(parents=True, exist_ok=True)
    filler = [f"# line {i}" for i in range(1, int(code.get("start_line") or 1))]
    target.write_text("\n".join(filler + code["text"].splitlines()) + "\n", encoding="utf-8")
    (tmp_path / "fix.diff").write_text(diff, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    res = subprocess.run(["git", "apply", "--check", str(tmp_path / "fix.diff")], cwd=repo, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr + diff
    return patched
