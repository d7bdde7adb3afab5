"""Check 6 from the repository: packages the manifests declare for development or tests only.

Read from the working tree of ``source.repo_path`` (root manifests only):
package.json ``devDependencies`` (and not in ``dependencies``), pyproject.toml
Poetry groups other than main and PEP 735 ``[dependency-groups]``, Maven
``<scope>test</scope>``, Gradle ``testImplementation``/``testRuntimeOnly``/
``testCompileOnly``.  A dev-only package is lower priority, never a false
positive: dev tools run on developer machines and in CI, where a
compromised package still does harm.
"""

from __future__ import annotations

import json
import re

from tasks.findings.model import NO_PACKAGE, Finding, as_finding

_POM_DEP = re.compile(r"<dependency>(.*?)</dependency>", re.S)
_GRADLE_TEST = re.compile(r"""\btest(?:Implementation|RuntimeOnly|CompileOnly|Api)\s*\(?\s*['"]([^:'"]+):([^:'"]+)""")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.strip().lower())


def dev_only_packages(reader) -> dict[str, str]:
    """{normalised package name: where it is declared dev/test-only}."""
    out: dict[str, str] = {}
    text = "".join(reader.lines("package.json", None) or [])
    if text:
        try:
            doc = json.loads(text)
            prod = set((doc.get("dependencies") or {}) if isinstance(doc, dict) else {})
            for name in (doc.get("devDependencies") or {}) if isinstance(doc, dict) else {}:
                if name not in prod:
                    out[_norm(name)] = "package.json devDependencies"
        except (ValueError, AttributeError):
            pass
    text = "".join(reader.lines("pyproject.toml", None) or [])
    if text:
        try:
            import tomllib

            doc = tomllib.loads(text)
            groups = ((doc.get("tool") or {}).get("poetry") or {}).get("group") or {}
            for group, body in groups.items():
                if group != "main":
                    for name in (body or {}).get("dependencies") or {}:
                        out[_norm(name)] = f"pyproject.toml Poetry group {group}"
            for group, items in (doc.get("dependency-groups") or {}).items():
                for item in items or []:
                    if isinstance(item, str):
                        out[_norm(re.split(r"[<>=!~\[; ]", item, 1)[0])] = f"pyproject.toml dependency group {group}"
        except (ValueError, AttributeError, TypeError):
            pass
    pom = "".join(reader.lines("pom.xml", None) or [])
    for dep in _POM_DEP.findall(pom):
        if re.search(r"<scope>\s*test\s*</scope>", dep):
            m = re.search(r"<artifactId>\s*([^<\s]+)\s*</artifactId>", dep)
            if m:
                out[_norm(m.group(1))] = "pom.xml test scope"
    for path in ("build.gradle", "build.gradle.kts"):
        for _group, artifact in _GRADLE_TEST.findall("".join(reader.lines(path, None) or [])):
            out[_norm(artifact)] = f"{path} test configuration"
    return out


def check_manifest_scope(f: Finding | dict, dev: dict[str, str]) -> dict | None:
    f = as_finding(f)
    name = str((f.package or NO_PACKAGE).name or "")
    where = dev.get(_norm(name.split(":")[-1])) if name else None
    if not where:
        return None
    return {"check": "scope", "status": "dev_only", "evidence": f"{name} is a development/test dependency ({where}): lower priority"}
