"""Per-build-tool edits and commands for an upgrade (used by tasks.fixes.dependencies).

Each helper returns answer lines for one tool; the version passed in is always
the advisory's own fixed version.
"""

from __future__ import annotations

from pathlib import PurePosixPath as PurePath

from tasks.findings.model import Finding, Package, as_finding
from tasks.fixes import ecosystems
from tasks.fixes.ecosystems import Target, maven_coordinates


def advisory_ids(f: Finding | dict) -> str:
    """The advisory ids, or for npm audit's "via:" entries the vulnerable dependencies they name."""
    f = as_finding(f)
    ids = [*f.cve, *f.ghsa] or [a for a in f.aliases if not a.startswith("via:")]
    rule = str(f.rule_id or "")
    if not ids and rule.startswith("via:"):
        return "the vulnerable dependencies it pulls in (" + ", ".join(rule[4:].split(",")) + ")"
    return ", ".join(dict.fromkeys(ids or [rule]))


def block(lang: str, text: str) -> str:
    return f"```{lang}\n{text.rstrip()}\n```"


def go_version(v: str) -> str:
    return v if v.startswith("v") else f"v{v}"


# lockfile classpaths whose constraint goes on a declarable configuration of the same tool
TOOL_CONFS = ("annotationProcessor", "kapt", "ksp", "detekt", "ktlint", "spotbugs", "pmd", "checkstyle", "errorprone")


def gradle_configuration(scope: str | None, confs: list[str]) -> tuple[str, bool]:
    """(configuration to constrain, in the buildscript block?) for the lockfile's configurations."""
    if scope == "test":
        return "testImplementation", False
    if scope == "tool":
        if any(c == "classpath" or c.startswith("buildscript") for c in confs):
            return "classpath", True
        for c in confs:
            for tool in TOOL_CONFS:
                if c.lower().startswith(tool.lower()):
                    return tool, False
    return "implementation", False


def gradle(name: str, fixed: str, pkg: Package, t: Target, f: Finding | dict, scope: str | None, confs: list[str]) -> list[str]:
    f = as_finding(f)
    group, artifact = maven_coordinates(pkg)
    coord = f"{group}:{artifact}" if group else artifact
    conf, buildscript = gradle_configuration(scope, confs)
    build = "build.gradle.kts" if t.gradle_dsl == "kotlin" else "build.gradle" if t.gradle_dsl == "groovy" else "build.gradle(.kts)"
    out = []
    if not group:
        out.append(f"The report gives no Maven groupId for {artifact}; find it with "
                   f"`./gradlew dependencyInsight --dependency {artifact}` before editing.")
    out.append(f"In {build}, raise the resolved version with a dependency constraint (it applies whether "
               f"{artifact} is declared directly or arrives transitively; the syntax below is valid in both "
               "the Kotlin and the Groovy DSL):")
    body = (f"dependencies {{\n    constraints {{\n        {conf}(\"{coord}:{fixed}\") {{\n"
            f"            because(\"{advisory_ids(f)}\")\n        }}\n    }}\n}}")
    if buildscript:
        body = "buildscript {\n" + "\n".join("    " + l for l in body.splitlines()) + "\n}"
    fence = {"kotlin": "kotlin", "groovy": "groovy"}.get(t.gradle_dsl or "", "gradle")
    out.append(block(fence, body))
    out.append("If it is declared directly, change the version in that declaration (or in the version "
               "catalog, gradle/libs.versions.toml) instead.")
    if (t.manifest or "").endswith("gradle.lockfile"):
        out.append(f"Then regenerate {t.manifest}: `./gradlew dependencies --write-locks`, and check with "
                   f"`./gradlew dependencyInsight --dependency {artifact}`.")
    return out


def maven(name: str, fixed: str, pkg: Package, t: Target, f: Finding | dict) -> list[str]:
    f = as_finding(f)
    group, artifact = maven_coordinates(pkg)
    if not group:
        return [f"The report gives no groupId for {artifact}; find it with "
                f"`mvn dependency:tree -Dincludes=:{artifact}`, then pin version {fixed} in pom.xml."]
    xml = (f"<dependency>\n  <groupId>{group}</groupId>\n  <artifactId>{artifact}</artifactId>\n"
           f"  <version>{fixed}</version>\n</dependency>")
    direct = ecosystems.is_direct(f)
    if direct is True:
        return [f"In {t.manifest or 'pom.xml'}, {group}:{artifact} is declared directly: set its version to {fixed}:",
                block("xml", xml),
                f"Check the resolved version with `mvn dependency:tree -Dincludes={group}:{artifact}`."]
    lead = (f"{group}:{artifact} arrives transitively; pin it" if direct is False else
            f"if {group}:{artifact} is declared directly, set its <version> to {fixed}; if it arrives transitively, pin it")
    return [
        f"In {t.manifest or 'pom.xml'}: {lead} in <dependencyManagement>:",
        block("xml", "<dependencyManagement>\n  <dependencies>\n" + "\n".join("    " + l for l in xml.splitlines())
               + "\n  </dependencies>\n</dependencyManagement>"),
        f"Check the resolved version with `mvn dependency:tree -Dincludes={group}:{artifact}`.",
    ]


def npm_family(tool: str, name: str, fixed: str, t: Target, f: Finding | dict) -> list[str]:
    f = as_finding(f)
    direct = ecosystems.is_direct(f)
    dev = ecosystems.is_dev_only(f)
    hint = str(f.fix_hint or "")
    out = []
    parent = None
    if hint.startswith("Upgrade ") and " to " in hint:
        parent = hint[len("Upgrade "):].split(" to ")[0].strip()
    if parent and (" " in parent or parent.startswith("to")):
        parent = None  # npm 6's "Upgrade to version 1.14.8 or later" names no parent
    if parent and parent != name:
        out.append(f"npm audit's fix is to upgrade the direct dependency {parent} ({hint[len('Upgrade '):]})"
                   + ("; a semver-major upgrade can break callers, so run the tests after it." if "semver-major" in hint else "."))
    flag = {"npm": " --save-dev", "yarn": " --dev", "pnpm": " --save-dev", "bun": " --dev"}[tool] if dev else ""
    install = {"npm": f"npm install{flag} {name}@{fixed}", "yarn": f"yarn add{flag} {name}@{fixed}",
               "pnpm": f"pnpm add{flag} {name}@{fixed}", "bun": f"bun add{flag} {name}@{fixed}"}[tool]
    field = {"npm": '"overrides"', "yarn": '"resolutions"', "pnpm": '"pnpm": { "overrides" }', "bun": '"overrides"'}[tool]
    override = ({"pnpm": f'{{\n  "pnpm": {{\n    "overrides": {{\n      "{name}": "^{fixed}"\n    }}\n  }}\n}}'}
                .get(tool, f'{{\n  "{field.strip(chr(34))}": {{\n    "{name}": "^{fixed}"\n  }}\n}}'))
    lock = {"npm": "package-lock.json", "yarn": "yarn.lock", "pnpm": "pnpm-lock.yaml", "bun": "bun.lock"}[tool]
    chain = ecosystems.via_path(f)
    if direct is True:
        out.append(f"{name} is a direct dependency: `{install}` (updates package.json and {lock}).")
    elif direct is False:
        where = f"via {chain}" if chain else f.path
        out.append(f"{name} is a transitive dependency here ({where}); upgrade the package that pulls it in if a "
                   f"release of it allows {fixed}, otherwise force the fixed release with {field} in package.json "
                   f"and reinstall to update {lock}:")
        out.append(block("json", override))
    else:
        out.append(f"If {name} is a direct dependency: `{install}` (updates package.json and {lock}). "
                   f"If it is transitive, force it with {field} in package.json:")
        out.append(block("json", override))
    if "npm audit fix" in hint and tool == "npm":
        out.append("`npm audit fix` applies the non-breaking upgrades for you.")
    why = {"npm": f"npm ls {name}", "yarn": f"yarn why {name}", "pnpm": f"pnpm why {name}", "bun": "bun pm ls"}[tool]
    out.append(f"Check which version is resolved with `{why}`.")
    return out


def python(tool: str, name: str, fixed: str, t: Target, transitive: bool = False) -> list[str]:
    manifest = t.manifest or "requirements.txt"
    if tool == "poetry":
        return [f"`poetry add \"{name}>={fixed}\"` if {name} is a direct dependency in pyproject.toml; if it is "
                f"transitive, `poetry update {name}` (when the parent's range allows {fixed}) and commit poetry.lock.",
                f"Check with `poetry show {name}`."]
    if tool == "pipenv":
        return [f"`pipenv install \"{name}>={fixed}\"` (updates Pipfile and Pipfile.lock), or `pipenv update {name}` "
                "when it is transitive.", "Check with `pipenv graph`."]
    if tool == "uv":
        return [f"`uv add \"{name}>={fixed}\"` for a direct dependency, or `uv lock --upgrade-package {name}` "
                "for a transitive one; commit uv.lock."]
    if manifest.endswith((".txt", ".in")) and transitive:
        return [f"{name} is not listed directly; it is pulled in by another requirement. Add a constraint so the "
                f"resolver picks the fixed release, and install with it:", block("text", f"{name}>={fixed}"),
                f"in constraints.txt, then `pip install -r {PurePath(manifest).name} -c constraints.txt`."]
    if manifest.endswith((".txt", ".in")):
        shown = manifest if not manifest.startswith("/") else PurePath(manifest).name  # a scan machine's path is no repo path
        return [f"In {shown}, require the fixed release:", block("text", f"{name}>={fixed}"),
                f"then `pip install -r {PurePath(manifest).name}`. If the file is compiled by pip-tools, change "
                f"requirements.in and run `pip-compile --upgrade-package {name}`."]
    return [f"Upgrade the installed package: `pip install --upgrade \"{name}>={fixed}\"`, and raise the "
            "requirement where the image or environment is built so the next build keeps it."]


def os_packages(name: str, fixed: str | None, t: Target) -> list[str]:
    where = f"the image {t.image}" if t.image else "the container image"
    cmd = {"debian": f"RUN apt-get update \\\n && apt-get install -y --only-upgrade {name} \\\n && rm -rf /var/lib/apt/lists/*",
           "alpine": f"RUN apk upgrade --no-cache {name}",
           "rpm": f"RUN dnf upgrade -y {name} && dnf clean all"}.get(t.os or "")
    out = [f"{name} is an operating-system package in {where}. Rebuild on a patched base image: pull the newest "
           "patch release of the FROM image (or a newer tag) and rebuild, then re-scan."]
    if cmd:
        out.append("If the base image has no release with the fix yet, upgrade the package in the Dockerfile:")
        out.append(block("dockerfile", cmd))
    if fixed:
        out.append(f"The re-scan should show {name} at {fixed} or later.")
    return out
