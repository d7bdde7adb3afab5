"""Upgrade advice for a vulnerable dependency, written for the tool that resolves it.

Versions come only from the finding's advisory data (``package.fixed_version``
and ``package.fixed_versions``); when the scan lists none the answer says so
and gives mitigations instead of a number - the model must learn that "no
fixed version as of the scan" is a complete answer.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath as PurePath

from tasks.fixes import ecosystems
from tasks.fixes.ecosystems import Target, maven_coordinates


def _ids(f: dict) -> str:
    """The advisory ids, or for npm audit's "via:" entries the vulnerable dependencies they name."""
    ids = list(f.get("cve") or []) + list(f.get("ghsa") or [])
    ids = ids or [a for a in f.get("aliases") or [] if not a.startswith("via:")]
    rule = str(f.get("rule_id") or "")
    if not ids and rule.startswith("via:"):
        return "the vulnerable dependencies it pulls in (" + ", ".join(rule[4:].split(",")) + ")"
    return ", ".join(dict.fromkeys(ids or [rule]))


def _block(lang: str, text: str) -> str:
    return f"```{lang}\n{text.rstrip()}\n```"


def _go_version(v: str) -> str:
    return v if v.startswith("v") else f"v{v}"


def _gradle(name: str, fixed: str, pkg: dict, t: Target, f: dict, scope: str | None) -> list[str]:
    group, artifact = maven_coordinates(pkg)
    coord = f"{group}:{artifact}" if group else artifact
    conf = "testImplementation" if scope == "test" else "implementation"
    build = "build.gradle.kts" if t.gradle_dsl == "kotlin" else "build.gradle" if t.gradle_dsl == "groovy" else "build.gradle(.kts)"
    out = []
    if not group:
        out.append(f"The report gives no Maven groupId for {artifact}; find it with "
                   f"`./gradlew dependencyInsight --dependency {artifact}` before editing.")
    out.append(f"In {build}, raise the resolved version with a dependency constraint (it applies whether "
               f"{artifact} is declared directly or arrives transitively; the syntax below is valid in both "
               "the Kotlin and the Groovy DSL):")
    out.append(_block("kotlin" if t.gradle_dsl == "kotlin" else "groovy",
                      f"dependencies {{\n    constraints {{\n        {conf}(\"{coord}:{fixed}\") {{\n"
                      f"            because(\"{_ids(f)}\")\n        }}\n    }}\n}}"))
    out.append("If it is declared directly, change the version in that declaration (or in the version "
               "catalog, gradle/libs.versions.toml) instead.")
    if (t.manifest or "").endswith("gradle.lockfile"):
        out.append(f"Then regenerate {t.manifest}: `./gradlew dependencies --write-locks`, and check with "
                   f"`./gradlew dependencyInsight --dependency {artifact}`.")
    return out


def _maven(name: str, fixed: str, pkg: dict, t: Target, f: dict) -> list[str]:
    group, artifact = maven_coordinates(pkg)
    if not group:
        return [f"The report gives no groupId for {artifact}; find it with "
                f"`mvn dependency:tree -Dincludes=:{artifact}`, then pin version {fixed} in pom.xml."]
    xml = (f"<dependency>\n  <groupId>{group}</groupId>\n  <artifactId>{artifact}</artifactId>\n"
           f"  <version>{fixed}</version>\n</dependency>")
    return [
        f"In {t.manifest or 'pom.xml'}: if {group}:{artifact} is declared directly, set its <version> to {fixed}; "
        "if it arrives transitively, pin it in <dependencyManagement>:",
        _block("xml", "<dependencyManagement>\n  <dependencies>\n" + "\n".join("    " + l for l in xml.splitlines())
               + "\n  </dependencies>\n</dependencyManagement>"),
        f"Check the resolved version with `mvn dependency:tree -Dincludes={group}:{artifact}`.",
    ]


def _npm_family(tool: str, name: str, fixed: str, t: Target, f: dict) -> list[str]:
    transitive = ecosystems.npm_is_transitive(f)
    hint = str(f.get("fix_hint") or "")
    out = []
    parent = None
    if hint.startswith("Upgrade ") and " to " in hint:
        parent = hint[len("Upgrade "):].split(" to ")[0].strip()
    if parent and parent != name:
        out.append(f"npm audit's fix is to upgrade the direct dependency {parent} ({hint[len('Upgrade '):]}); "
                   "a semver-major upgrade can break callers, so run the tests after it.")
    install = {"npm": f"npm install {name}@{fixed}", "yarn": f"yarn add {name}@{fixed}",
               "pnpm": f"pnpm add {name}@{fixed}", "bun": f"bun add {name}@{fixed}"}[tool]
    field = {"npm": '"overrides"', "yarn": '"resolutions"', "pnpm": '"pnpm": { "overrides" }', "bun": '"overrides"'}[tool]
    override = ({"pnpm": f'{{\n  "pnpm": {{\n    "overrides": {{\n      "{name}": "^{fixed}"\n    }}\n  }}\n}}'}
                .get(tool, f'{{\n  "{field.strip(chr(34))}": {{\n    "{name}": "^{fixed}"\n  }}\n}}'))
    lock = {"npm": "package-lock.json", "yarn": "yarn.lock", "pnpm": "pnpm-lock.yaml", "bun": "bun.lock"}[tool]
    if transitive:
        out.append(f"{name} is a transitive dependency here ({(f.get('location') or {}).get('path')}); "
                   f"force the fixed release with {field} in package.json and reinstall to update {lock}:")
        out.append(_block("json", override))
    else:
        out.append(f"If {name} is a direct dependency: `{install}` (updates package.json and {lock}). "
                   f"If it is transitive, force it with {field} in package.json:")
        out.append(_block("json", override))
    if "npm audit fix" in hint and tool == "npm":
        out.append("`npm audit fix` applies the non-breaking upgrades for you.")
    why = {"npm": f"npm ls {name}", "yarn": f"yarn why {name}", "pnpm": f"pnpm why {name}", "bun": f"bun pm ls"}[tool]
    out.append(f"Check which version is resolved with `{why}`.")
    return out


def _python(tool: str, name: str, fixed: str, t: Target) -> list[str]:
    manifest = t.manifest or "requirements.txt"
    if tool == "poetry":
        return [f"`poetry add \"{name}>={fixed}\"` if {name} is a direct dependency in pyproject.toml; if it is "
                f"transitive, `poetry update {name}` (when the parent's range allows {fixed}) and commit poetry.lock.",
                f"Check with `poetry show {name}`."]
    if tool == "pipenv":
        return [f"`pipenv install \"{name}>={fixed}\"` (updates Pipfile and Pipfile.lock), or `pipenv update {name}` "
                "when it is transitive.", f"Check with `pipenv graph`."]
    if tool == "uv":
        return [f"`uv add \"{name}>={fixed}\"` for a direct dependency, or `uv lock --upgrade-package {name}` "
                "for a transitive one; commit uv.lock."]
    if manifest.endswith((".txt", ".in")):
        return [f"In {manifest}, pin the fixed release:", _block("text", f"{name}>={fixed}"),
                f"then `pip install -r {PurePath(manifest).name}`. If the file is compiled by pip-tools, change "
                f"requirements.in and run `pip-compile --upgrade-package {name}`."]
    return [f"Upgrade the installed package: `pip install --upgrade \"{name}>={fixed}\"`, and raise the "
            "requirement where the image or environment is built so the next build keeps it."]


def _os(name: str, fixed: str | None, t: Target) -> list[str]:
    where = f"the image {t.image}" if t.image else "the container image"
    cmd = {"debian": f"RUN apt-get update \\\n && apt-get install -y --only-upgrade {name} \\\n && rm -rf /var/lib/apt/lists/*",
           "alpine": f"RUN apk upgrade --no-cache {name}",
           "rpm": f"RUN dnf upgrade -y {name} && dnf clean all"}.get(t.os or "")
    out = [f"{name} is an operating-system package in {where}. Rebuild on a patched base image: pull the newest "
           "patch release of the FROM image (or a newer tag) and rebuild, then re-scan."]
    if cmd:
        out.append("If the base image has no release with the fix yet, upgrade the package in the Dockerfile:")
        out.append(_block("dockerfile", cmd))
    if fixed:
        out.append(f"The re-scan should show {name} at {fixed} or later.")
    return out


# packages every Debian/Alpine/RPM base image needs: "remove it" is no mitigation for these
_ESSENTIAL = re.compile(r"^(?:libc6|libc-bin|libc-l10n|glibc\S*|musl\S*|busybox\S*|apt|libapt\S*|dpkg|base-files|bash|"
                        r"coreutils|util-linux|libgcc\S*|libstdc\+\+\S*|gcc-\d+-base|perl-base|tar|login|passwd|"
                        r"libsystemd0|libudev1|zlib1g|zlib|libzstd1|liblzma5|libbz2-1\.0|libselinux1|libpcre\S*|"
                        r"libtinfo6|ncurses-base|ncurses-bin|sed|grep|gzip|findutils|mount|libmount1|libblkid1|"
                        r"libuuid1|libsmartcols1|libcap2|libgcrypt20|libgnutls30|libssl\S*|openssl|ca-certificates|"
                        r"alpine-baselayout|apk-tools|libcrypto\S*|rpm|rpm-libs|bash-completion|sensible-utils|"
                        r"debianutils|hostname|init-system-helpers|libdb5\.3|libsemanage\S*|libsepol1|libaudit\S*|"
                        r"libpam\S*|libacl1|libattr1|libdebconfclient0|debconf|tzdata)$")


def upgrade(f: dict, code_text: str | None) -> tuple[str, dict]:
    """Answer for a package with a fixed version (from the advisory data) and the meta it adds."""
    pkg = f["package"]
    t = ecosystems.target_of(f)
    fixed = str(pkg["fixed_version"])
    name = pkg["name"]
    installed = pkg.get("version")
    confs = ecosystems.gradle_configurations(code_text, pkg) if t.tool == "gradle" else []
    scope = ecosystems.scope_of_configurations(confs)
    head = f"Upgrade {name}" + (f" from {installed}" if installed else "") + f" to {fixed}, the release the advisory data lists as fixing {_ids(f)}."
    others = [v for v in pkg.get("fixed_versions") or [] if v != fixed]
    if others:
        head += f" (The advisory also lists {', '.join(others)} for other release lines.)"
    lines = [head]
    if scope in ("test", "tool"):
        lines.append(f"Priority: lower - the lockfile puts it only in {', '.join(confs)} ({scope}-only), so it does "
                     "not ship in the application; still upgrade it, since build and test code runs on CI machines.")
    elif scope == "runtime":
        lines.append(f"It is on {', '.join(confs)}, so it ships with the application.")
    if t.tool == "gradle":
        lines += _gradle(name, fixed, pkg, t, f, scope)
    elif t.tool == "maven":
        lines += _maven(name, fixed, pkg, t, f)
    elif t.tool in ("npm", "yarn", "pnpm", "bun"):
        lines += _npm_family(t.tool, name, fixed, t, f)
    elif t.tool in ("pip", "poetry", "pipenv", "uv", "pdm"):
        lines += _python("pip" if t.tool == "pdm" else t.tool, name, fixed, t)
    elif t.tool == "go":
        lines += [f"`go get {name}@{_go_version(fixed)} && go mod tidy` (updates go.mod and go.sum).",
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
                  _block("xml", f'<PackageReference Include="{name}" Version="{fixed}" />')]
    elif t.tool == "os":
        lines += _os(name, fixed, t)
    elif t.tool == "java-archive":
        group, artifact = maven_coordinates(pkg)
        coord = f"{group}:{artifact}" if group else artifact
        lines += [f"The scanner found the jar {t.manifest or artifact} in the build output or image. Upgrade {coord} "
                  f"to {fixed} in the build that produces it (pom.xml or build.gradle), rebuild, and re-scan."]
    elif t.tool == "binary":
        lines += [f"The scanner identified {name} {installed or ''} from the binary {t.manifest}; it comes with the "
                  f"image's base layer or a copied tool. Rebuild on a base image that ships {name} {fixed} or later."]
    return "\n".join(lines), {"build_tool": t.tool, "image": t.image, "dependency_scope": scope}


def no_fix(f: dict, code_text: str | None) -> tuple[str, dict]:
    """Answer when the scan lists no fixed version: say so, then mitigate."""
    pkg = f["package"]
    t = ecosystems.target_of(f)
    name, installed = pkg["name"], pkg.get("version")
    status = pkg.get("fix_status")
    listed = pkg.get("fixed_versions") or []
    what = f"{name}" + (f" {installed}" if installed else "")
    if listed and not installed:
        # the advisory has fixes for several lines, but the installed version is unknown
        tool = t.tool or "the package manager"
        body = (f"The advisory ({_ids(f)}) lists fixed releases {', '.join(listed)}, one per release line, but the "
                f"report does not say which version of {name} is installed. Find it "
                + {"npm": f"with `npm ls {name}`", "yarn": f"with `yarn why {name}`", "pnpm": f"with `pnpm why {name}`"}
                .get(tool, f"with {tool}") + ", then upgrade to the listed fixed release of that line.")
        return body, {"build_tool": t.tool, "image": t.image, "dependency_scope": None}
    if status == "none published":
        first = f"No fixed version of {what} is published for {_ids(f)} as of the scan."
    else:
        first = f"The scan lists no fixed version of {what} for {_ids(f)}; check the advisory for a release before upgrading."
    lines = [first, "Mitigate until a fix exists:"]
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
