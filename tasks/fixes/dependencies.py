"""Upgrade advice for a vulnerable dependency, written for the tool that resolves it.

Versions come only from the finding's advisory data (``package.fixed_version``
and ``package.fixed_versions``); when the scan lists none the answer says so
and gives mitigations instead of a number - the model must learn that "no
fixed version as of the scan" is a complete answer.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding
from tasks.fixes import ecosystems
from tasks.fixes.build_tools import (
    advisory_ids,
    block,
    go_version,
    gradle,
    maven,
    npm_family,
    os_packages,
    python,
)
from tasks.fixes.ecosystems import maven_coordinates

# packages every Debian/Alpine/RPM base image needs: "remove it" is no mitigation for these
_ESSENTIAL = re.compile(r"^(?:bsdutils|e2fsprogs|mawk|diffutils|libc6|libc-bin|libc-l10n|glibc\S*|musl\S*|busybox\S*|apt|libapt\S*|dpkg|base-files|bash|"
                        r"coreutils|util-linux|libgcc\S*|libstdc\+\+\S*|gcc-\d+-base|perl-base|tar|login|passwd|"
                        r"libsystemd0|libudev1|zlib1g|zlib|libzstd1|liblzma5|libbz2-1\.0|libselinux1|libpcre\S*|"
                        r"libtinfo6|ncurses-base|ncurses-bin|sed|grep|gzip|findutils|mount|libmount1|libblkid1|"
                        r"libuuid1|libsmartcols1|libcap2|libgcrypt20|libgnutls30|libssl\S*|openssl|ca-certificates|"
                        r"alpine-baselayout|apk-tools|libcrypto\S*|rpm|rpm-libs|bash-completion|sensible-utils|"
                        r"debianutils|hostname|init-system-helpers|libdb5\.3|libsemanage\S*|libsepol1|libaudit\S*|"
                        r"libpam\S*|libacl1|libattr1|libdebconfclient0|debconf|tzdata)$")


def upgrade(f: Finding | dict, code_text: str | None) -> tuple[str, dict]:
    """Answer for a package with a fixed version (from the advisory data) and the meta it adds."""
    f = as_finding(f)
    pkg = f.package
    t = ecosystems.target_of(f)
    fixed = str(pkg.fixed_version)
    name = pkg.name
    installed = pkg.version
    merged = same_line_max(f, fixed)  # several advisories in one finding: the line's release that fixes them all
    fixed = merged or fixed
    confs = ecosystems.gradle_configurations(code_text, pkg) if t.tool == "gradle" else []
    scope = ecosystems.scope_of_configurations(confs)
    head = f"Upgrade {name}" + (f" from {installed}" if installed else "") + f" to {fixed}, the release the advisory data lists as fixing {advisory_ids(f)}."
    others = [v for v in pkg.fixed_versions or [] if v != fixed and _major(v) != _major(fixed)]
    if merged:  # per other line, only the release that fixes every merged advisory
        others = [max((v for v in others if _major(v) == m), key=_key) for m in dict.fromkeys(map(_major, others))]
    if merged:
        head += (f" The finding merges several advisories; {pkg.fixed_version} fixes only the first of them, "
                 f"{fixed} is the release of the same line that fixes every one.")
    if others:
        head += f" (The advisory also lists {', '.join(others)} for other release lines.)"
    lines = [head]
    crossing = None
    for version in [installed] if installed else installed_versions(f):  # npm audit: several copies, no one version
        crossing = crossing or (major_crossing(version, fixed) if t.tool != "npm-bundled" else None)
    if crossing:
        lines.append(crossing.format(name=name))
    if scope is None and ecosystems.is_dev_only(f):
        scope = "dev"
        lines.append("Priority: lower - the report marks it a development dependency, so it does not ship in the "
                     "production build; still upgrade it, since it runs on developer and CI machines.")
    if scope in ("test", "tool"):
        lines.append(f"Priority: lower - the lockfile puts it only in {', '.join(confs)} ({scope}-only), so it does "
                     "not ship in the application; still upgrade it, since build and test code runs on CI machines.")
    elif scope == "runtime":
        lines.append(f"It is on {', '.join(confs)}, so it ships with the application.")
    if t.tool == "gradle":
        lines += gradle(name, fixed, pkg, t, f, scope, confs)
    elif t.tool == "maven":
        lines += maven(name, fixed, pkg, t, f)
    elif t.tool in ("npm", "yarn", "pnpm", "bun"):
        lines += npm_family(t.tool, name, fixed, t, f)
    elif t.tool in ("pip", "poetry", "pipenv", "uv", "pdm"):
        lines += python("pip" if t.tool == "pdm" else t.tool, name, fixed, t, ecosystems.is_direct(f) is False)
    elif t.tool == "go":
        lines += [f"`go get {name}@{go_version(fixed)} && go mod tidy` (updates go.mod and go.sum).",
                  f"Check with `go list -m {name}`."]
    elif t.tool == "cargo":
        lines += [f"`cargo update -p {name} --precise {fixed}` (updates Cargo.lock); if Cargo.toml pins an older "
                  f"requirement, raise it to `{name} = \"{fixed}\"` first."]
    elif t.tool == "bundler":
        lines += [f"`bundle update {name} --conservative` (updates Gemfile.lock); if the Gemfile constrains it, "
                  f"change it to `gem \"{name}\", \">= {fixed}\"` first."]
    elif t.tool == "composer":
        lines += [f"`composer require {name}:^{fixed}` if it is in composer.json, otherwise "
                  f"`composer update {name} --with-dependencies`; commit composer.lock."]
    elif t.tool == "nuget":
        lines += [f"`dotnet add package {name} --version {fixed}` in the project that references it. For a transitive "
                  "package, add a direct PackageReference at that version (or a PackageVersion with "
                  "CentralPackageTransitivePinningEnabled when Central Package Management is used).",
                  block("xml", f'<PackageReference Include="{name}" Version="{fixed}" />')]
    elif t.tool == "os":
        lines += os_packages(name, fixed, t)
    elif t.tool == "java-archive":
        group, artifact = maven_coordinates(pkg)
        coord = f"{group}:{artifact}" if group else artifact
        lines += [f"The scanner found the jar {t.manifest or artifact} in the build output or image. Upgrade {coord} "
                  f"to {fixed} in the build that produces it (pom.xml or build.gradle), rebuild, and re-scan."]
    elif t.tool == "npm-bundled":
        lines += [npm_bundled(name, fixed)]
    elif t.tool == "go-binary":
        program = t.manifest or "the binary"
        lines += [f"{name} is compiled into the Go program {program}; `go get` in this repository does not change it. "
                  f"If the program is built here, raise {name} to {go_version(fixed)} in its go.mod (`go get "
                  f"{name}@{go_version(fixed)} && go mod tidy`) and rebuild; if it is a third-party program copied into "
                  f"the image, upgrade to a release of that program built with {name} {fixed} or later, then rebuild "
                  "the image and re-scan."]
    elif t.tool == "binary":
        lines += [f"The scanner identified {name} {installed or ''} from the binary {t.manifest}; it comes with the "
                  f"image's base layer or a copied tool. Rebuild on a base image that ships {name} {fixed} or later."]
    return "\n".join(lines), {"build_tool": t.tool, "image": t.image, "dependency_scope": scope}


def npm_bundled(name: str, fixed: str | None) -> str:
    """Advice for a package inside the image's global npm: the app's manifest cannot change it."""
    which = f"{name} {fixed} or later" if fixed else f"a fixed {name} once one is released"
    return (f"{name} here is a dependency of npm itself, bundled in the image's global npm (lib/node_modules/npm): the "
            "application's package.json, lockfile and \"overrides\" do not reach it. Upgrade npm in the image to a "
            f"release that bundles {which} (`npm install -g npm@latest` in the Dockerfile, or a newer Node base image), "
            "or leave npm out of the runtime image, which does not need it to run the application.")


def installed_versions(f: Finding | dict) -> list[str]:
    """The versions npm audit lists when several copies are installed ("Installed versions: 5.5.2, 6.10.0")."""
    f = as_finding(f)
    m = re.search(r"Installed versions: ([^\n]+)", f.description or "")
    return [v.strip() for v in m.group(1).split(",")] if m else []


def _major(version) -> int | None:
    m = re.match(r"^v?(\d+)\.", str(version or "").strip())
    return int(m.group(1)) if m else None


def _key(v: str):
    from packaging.version import InvalidVersion, Version

    try:
        return Version(v)
    except InvalidVersion:
        return Version("0")


def same_line_max(f: Finding, fixed: str) -> str | None:
    """For a finding that merges several advisories (psr7: GHSA-q7rv fixed in 1.8.4, GHSA-wxmh in 1.9.1), the highest
    listed fixed version on the fixed version's major line; None for one advisory (qs's backports stay 6.5.3)."""
    from packaging.version import InvalidVersion, Version

    pkg = f.package
    if len(set(f.ghsa)) < 2 and len(set(f.cve)) < 2:
        return None
    try:
        base = Version(fixed)
        same = [Version(v) for v in pkg.fixed_versions or [] if _major(v) == _major(fixed)]
    except InvalidVersion:
        return None
    best = max([base, *same])
    return str(best) if best > base and str(best) in (pkg.fixed_versions or []) else None


def major_crossing(installed, fixed) -> str | None:
    """A warning when the upgrade crosses a major version (3.x -> 5.x breaks APIs), else None."""
    old, new = _major(installed), _major(fixed)
    if old is None or new is None or new <= old:
        return None
    span = "a major version" if new == old + 1 else f"{new - old} major versions"
    return (f"This crosses {span} ({old}.x -> {new}.x) and is a breaking upgrade: read {{name}}'s release notes "
            f"and migration guides for every major release in between, check the APIs this project calls, and run "
            f"the tests before merging.")


def no_fix(f: Finding | dict, code_text: str | None) -> tuple[str, dict]:
    """Answer when the scan lists no fixed version: say so, then mitigate."""
    f = as_finding(f)
    pkg = f.package
    t = ecosystems.target_of(f)
    name, installed = pkg.name, pkg.version
    status = pkg.fix_status
    listed = pkg.fixed_versions or []
    what = f"{name}" + (f" {installed}" if installed else "")
    if listed and not installed:
        # the advisory has fixes for several lines, but the installed version is unknown
        tool = t.tool or "the package manager"
        body = (f"The advisory ({advisory_ids(f)}) lists fixed releases {', '.join(listed)}, one per release line, but the "
                f"report does not say which version of {name} is installed. Find it "
                + {"npm": f"with `npm ls {name}`", "yarn": f"with `yarn why {name}`", "pnpm": f"with `pnpm why {name}`"}
                .get(tool, f"with {tool}") + ", then upgrade to the listed fixed release of that line.")
        return body, {"build_tool": t.tool, "image": t.image, "dependency_scope": None}
    if status == "none published":
        first = f"No fixed version of {what} is published for {advisory_ids(f)} as of the scan."
    else:
        first = f"The scan lists no fixed version of {what} for {advisory_ids(f)}; check the advisory for a release before upgrading."
    lines = [first, "Mitigate until a fix exists:"]
    if t.tool == "npm-bundled":
        lines = [first, npm_bundled(name, None)]
        return "\n".join(lines), {"build_tool": t.tool, "image": t.image, "dependency_scope": None}
    if t.tool in ("os", "binary"):
        where = f"the image {t.image}" if t.image else "the image"
        if _ESSENTIAL.match(name):
            lines.append(f"- {name} is part of the base system of {where} and cannot be removed; a smaller base "
                         "(distroless, or a minimal variant of the same distribution) reduces what else is exposed;")
        else:
            lines.append(f"- if nothing in {where} needs {name}, remove it in the Dockerfile (or move to a slimmer or "
                         "distroless base image that does not ship it);")
        lines += [
                  "- check whether the vulnerable code path is reachable in your container (many OS-package CVEs "
                  "need local access or a specific use);",
                  "- watch the distribution's security tracker and rebuild on the base image update that fixes it."]
    else:
        lines += [f"- check whether your code reaches the vulnerable part of {name} (the advisory describes it) "
                  "and avoid or guard that use;",
                  f"- if {name} is not needed, remove the dependency; if a maintained alternative exists, plan a move;",
                  "- watch the advisory and upgrade as soon as a fixed release is published."]
    return "\n".join(lines), {"build_tool": t.tool, "image": t.image, "dependency_scope": None}


_PARENT_FIX = re.compile(r"^Upgrade (\S+) to (\S+?)(?: \((semver-major)\))?$")


def parent_upgrade(f: Finding | dict) -> tuple[str, dict] | None:
    """npm audit's ``fixAvailable`` names another (direct) package to upgrade when this one has no own fix."""
    f = as_finding(f)
    m = _PARENT_FIX.match(str(f.fix_hint or "").strip())
    pkg = f.package
    if f.tool != "npm-audit" or not m or m.group(1) == pkg.name:
        return None
    t = ecosystems.target_of(f)
    parent, version, major = m.group(1), m.group(2), m.group(3)
    lines = [f"{pkg.name} has no fixed release of its own in the report, but npm audit resolves it by upgrading the "
             f"direct dependency {parent} to {version}, which no longer pulls in the vulnerable code ({advisory_ids(f)}).",
             f"`npm install {parent}@{version}` (updates package.json and package-lock.json)."]
    if major:
        lines.append(f"This is a semver-major upgrade of {parent}: read its changelog and run the tests.")
    lines.append(f"Then check with `npm ls {pkg.name}` and re-run `npm audit`.")
    return "\n".join(lines), {"build_tool": t.tool, "image": None, "dependency_scope": None}

