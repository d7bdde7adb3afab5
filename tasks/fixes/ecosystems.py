"""Which build tool owns a vulnerable dependency, and what that tool needs to upgrade it.

The review found ``mvn versions:use-dep-version`` taught for every Gradle
project: the ecosystem (``maven``) says which registry a package comes from,
not which tool resolves it.  The manifest or lockfile the scanner names
(``location.path``) decides; the ecosystem is only the fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from tasks.findings.model import NO_DEPENDENCY, NO_PACKAGE, Finding, Package, as_finding

# lockfile / manifest file name -> build tool
_FILES = {
    "gradle.lockfile": "gradle", "build.gradle": "gradle", "build.gradle.kts": "gradle",
    "settings.gradle": "gradle", "settings.gradle.kts": "gradle", "buildscript-gradle.lockfile": "gradle",
    "pom.xml": "maven",
    "package-lock.json": "npm", "npm-shrinkwrap.json": "npm", "yarn.lock": "yarn", "pnpm-lock.yaml": "pnpm",
    "bun.lockb": "bun", "bun.lock": "bun",
    "requirements.txt": "pip", "requirements.in": "pip", "setup.py": "pip", "setup.cfg": "pip",
    "poetry.lock": "poetry", "pipfile": "pipenv", "pipfile.lock": "pipenv", "uv.lock": "uv", "pdm.lock": "pdm",
    "go.mod": "go", "go.sum": "go",
    "cargo.lock": "cargo", "cargo.toml": "cargo",
    "gemfile": "bundler", "gemfile.lock": "bundler", "gems.rb": "bundler", "gems.locked": "bundler",
    "composer.json": "composer", "composer.lock": "composer",
    "packages.config": "nuget", "packages.lock.json": "nuget", "directory.packages.props": "nuget",
    "mix.lock": "mix", "pubspec.lock": "pub", "package.resolved": "swiftpm", "podfile.lock": "cocoapods",
}
# ecosystem as the scanners spell it (lower-cased) -> build tool when the path says nothing
_ECOSYSTEMS = {
    "npm": "npm", "node-pkg": "npm", "yarn": "yarn", "pnpm": "pnpm",
    "pypi": "pip", "pip": "pip", "python": "pip", "python-pkg": "pip", "poetry": "poetry", "pipenv": "pipenv",
    "go": "go", "gomod": "go", "go-module": "go", "gobinary": "go",
    "maven": "maven", "gradle": "gradle", "jar": "java-archive", "java-archive": "java-archive", "pom": "maven",
    "crates.io": "cargo", "cargo": "cargo", "rust-crate": "cargo",
    "rubygems": "bundler", "gem": "bundler", "bundler": "bundler", "gemspec": "bundler",
    "packagist": "composer", "composer": "composer", "php-pkg": "composer",
    "nuget": "nuget", "dotnet-core": "nuget", "dotnet-deps": "nuget", "dotnet": "nuget",
    "hex": "mix", "pub": "pub",
}
OS_ECOSYSTEMS = {"deb": "debian", "debian": "debian", "ubuntu": "debian", "dpkg": "debian",
                 "apk": "alpine", "alpine": "alpine", "wolfi": "alpine", "chainguard": "alpine",
                 "rpm": "rpm", "redhat": "rpm", "centos": "rpm", "rocky": "rpm", "alma": "rpm", "almalinux": "rpm",
                 "amazon": "rpm", "oracle": "rpm", "fedora": "rpm", "suse": "rpm", "opensuse": "rpm",
                 "cbl-mariner": "rpm", "azurelinux": "rpm", "photon": "rpm"}
_OS_DB = {"/var/lib/dpkg/status": "debian", "var/lib/dpkg/status": "debian", "lib/apk/db/installed": "alpine",
          "/lib/apk/db/installed": "alpine", "var/lib/rpm/packages": "rpm"}
# Trivy's OS target: "image:tag (debian 10.8)", "debian (debian 10.8)", "alpine-310.tar.gz (alpine 3.10.2)"
_OS_TARGET = re.compile(r"^(?P<image>.*?)\s*\((?P<os>[a-z][\w-]*)\s+(?P<ver>[^)]*)\)\s*$", re.I)
_IMAGE_FILE = re.compile(r"\.(?:tar|tar\.gz|tgz|oci)$", re.I)


# npm's own dependencies, shipped inside the global npm of a Node image
NPM_BUNDLED = re.compile(r"(?:^|/)lib/node_modules/npm/node_modules/")


@dataclass
class Target:
    """Who resolves the package: build tool, the file to edit, the image when it is an OS package."""

    tool: str | None
    manifest: str | None  # path as the scanner gave it
    image: str | None = None
    os: str | None = None
    gradle_dsl: str | None = None  # "kotlin" | "groovy" when the file tells


def target_of(finding: Finding | dict) -> Target:
    finding = as_finding(finding)
    eco = str((finding.package or NO_PACKAGE).ecosystem or "").lower()
    path = finding.path or ""
    m = _OS_TARGET.match(path)
    if m:
        os_name = OS_ECOSYSTEMS.get(m.group("os").lower(), m.group("os").lower())
        image = m.group("image").strip() or None
        if image and image.lower() == m.group("os").lower():  # "debian (debian 10.8)": a filesystem, not an image
            image = None
        return Target("os", None, image=image, os=os_name)
    name = PurePosixPath(path).name.lower()
    if path.lower() in _OS_DB or name in ("status",) and "dpkg" in path:
        return Target("os", None, os=_OS_DB.get(path.lower(), "debian"))
    if eco in OS_ECOSYSTEMS:
        image = path if _IMAGE_FILE.search(path) else None
        return Target("os", None, image=image, os=OS_ECOSYSTEMS[eco])
    if _IMAGE_FILE.search(path) and not eco:
        return Target("os", None, image=path)
    if eco == "binary" or (path.startswith("/") and eco in ("", "unknown")):
        return Target("binary", path or None)
    if NPM_BUNDLED.search(path):
        return Target("npm-bundled", path)  # a dependency of npm itself, not of the application
    if eco == "gobinary" or (eco in ("go", "gomod", "go-module") and path and name not in ("go.mod", "go.sum")
                              and not path.endswith("/")):
        return Target("go-binary", path or None)  # a compiled program: its module list is baked in at build time
    if name in _FILES:
        tool = _FILES[name]
        dsl = ("kotlin" if name.endswith(".kts") else "groovy") if name.startswith(("build.gradle", "settings.gradle")) else None
        return Target(tool, path, gradle_dsl=dsl)
    if name.endswith((".csproj", ".fsproj", ".vbproj", ".deps.json")):
        return Target("nuget", path)
    if name.endswith(".gemspec"):
        return Target("bundler", path)
    if re.match(r"requirements.*\.txt$", name):
        return Target("pip", path)
    if name == "pyproject.toml":
        return Target("poetry" if eco == "poetry" else "pip", path)
    if name == "package.json" or "node_modules/" in path or path.startswith("node_modules"):
        return Target("npm", path)
    if name.endswith(".jar") or name.endswith((".war", ".ear")):
        return Target("java-archive", path)
    if "site-packages/" in path or "dist-packages/" in path:
        return Target("pip", path)
    if finding.tool == "npm-audit":
        return Target("npm", path or None)
    if finding.tool == "pip-audit":
        return Target("pip", path or None)
    return Target(_ECOSYSTEMS.get(eco), path or None)


# ----------------------------------------------------------------------------- scope


def gradle_configurations(text: str | None, pkg: Package) -> list[str]:
    """The configurations a ``gradle.lockfile`` line gives for this package (``g:a:v=conf1,conf2``)."""
    if not text:
        return []
    group, name = maven_coordinates(pkg)
    want = f"{group}:{name}:" if group else f":{name}:"
    for line in text.splitlines():
        line = line.strip()
        if "=" in line and (line.startswith(want) if group else want in line):
            coord, confs = line.split("=", 1)
            if pkg.version and not coord.endswith(":" + str(pkg.version)):
                continue
            return [c.strip() for c in confs.split(",") if c.strip()]
    return []


_TEST_CONF = re.compile(r"^(?:test|androidTest|integrationTest|testFixtures|it)\w*$|Test\w*Classpath$", re.I)
_TOOL_CONF = re.compile(r"^(?:detekt|ktlint|spotbugs\w*|pmd|checkstyle|jacoco\w*|kapt\w*|annotationProcessor|"
                        r"lint\w*|errorprone|buildscript\w*|classpath|kotlinCompilerClasspath|kotlinCompilerPluginClasspath\w*)$", re.I)


def scope_of_configurations(confs: list[str]) -> str | None:
    """"test" / "tool" when no configuration ships in the application, "runtime" when one does."""
    if not confs:
        return None
    if all(_TEST_CONF.search(c) for c in confs):
        return "test"
    if all(_TEST_CONF.search(c) or _TOOL_CONF.search(c) for c in confs):
        return "tool"
    return "runtime"


def is_direct(finding: Finding | dict) -> bool | None:
    """True / False when the report says (npm audit isDirect or paths, Trivy Relationship) or the
    location shows it (nested ``node_modules``); None when unknown."""
    finding = as_finding(finding)
    direct = (finding.dependency or NO_DEPENDENCY).direct
    if isinstance(direct, bool):
        return direct
    path = finding.path or ""
    if path.count("node_modules/") >= 2:
        return False
    return None


def is_dev_only(finding: Finding | dict) -> bool:
    """The report marks the package development/test-only (npm audit ``dev``, OSV dependency groups)."""
    finding = as_finding(finding)
    return (finding.dependency or NO_DEPENDENCY).dev is True


def via_path(finding: Finding | dict) -> str | None:
    """npm audit's first dependency path, ``a > b > pkg``: ``a`` is the direct dependency to look at."""
    finding = as_finding(finding)
    paths = (finding.dependency or NO_DEPENDENCY).paths or []
    return " > ".join(paths[0].split(">")) if paths and ">" in paths[0] else None


def maven_coordinates(pkg: Package) -> tuple[str | None, str]:
    """(groupId, artifactId) from ``group``, a ``g:a`` name or a ``pkg:maven/g/a`` purl."""
    name = str(pkg.name or "")
    group = pkg.group
    if ":" in name:
        g, a = name.rsplit(":", 1)
        return (group or g), a
    purl = str(pkg.purl or "")
    if not group and purl.startswith("pkg:maven/"):
        parts = purl[len("pkg:maven/"):].split("@")[0].split("/")
        if len(parts) >= 2:
            return parts[0], parts[1]
    return group, name
