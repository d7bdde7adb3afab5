"""Dependency fixes name the build tool the scanner's manifest or lockfile belongs to, and only advisory versions."""

import pytest
from fixes_helpers import assert_versions_from_advisory, finding

from tasks.fixes import fix_for

LOCK = """# This is a Gradle generated file for dependency locking.
com.fasterxml.jackson.core:jackson-databind:2.13.0=compileClasspath,runtimeClasspath
junit:junit:4.12=testCompileClasspath,testRuntimeClasspath
empty=annotationProcessor
"""


def dep(path, name, version, fixed, eco, tool="trivy", **kw):
    pkg = {"name": name, "version": version, "fixed_version": fixed, "ecosystem": eco, **kw.pop("pkg", {})}
    return finding("dependency", tool, kw.pop("rule", "CVE-2022-42003"), path=path, package=pkg,
                   cve=kw.pop("cve", ["CVE-2022-42003"]), **kw)


def test_gradle_lockfile_uses_constraints_and_write_locks_not_maven():
    f = dep("app/gradle.lockfile", "com.fasterxml.jackson.core:jackson-databind", "2.13.0", "2.13.4.1", "gradle",
            pkg={"group": "com.fasterxml.jackson.core", "fixed_versions": ["2.13.4.1", "2.12.7.1"]})
    answer, label, meta = fix_for(f, [], {"path": "app/gradle.lockfile", "text": LOCK, "start_line": 1, "commit": None})
    assert label == "fixed-version" and meta["build_tool"] == "gradle"
    assert 'implementation("com.fasterxml.jackson.core:jackson-databind:2.13.4.1")' in answer
    assert "constraints {" in answer and "./gradlew dependencies --write-locks" in answer
    assert "mvn" not in answer and "pom.xml" not in answer and "<dependency>" not in answer
    assert meta["dependency_scope"] == "runtime" and "runtimeClasspath" in answer
    assert_versions_from_advisory(answer, f)


def test_gradle_test_only_configuration_lowers_priority():
    f = dep("gradle.lockfile", "junit:junit", "4.12", "4.13.1", "gradle", cve=["CVE-2020-15250"], rule="CVE-2020-15250")
    answer, _, meta = fix_for(f, [], {"path": "gradle.lockfile", "text": LOCK, "start_line": 1, "commit": None})
    assert meta["dependency_scope"] == "test"
    assert "Priority: lower" in answer and 'testImplementation("junit:junit:4.13.1")' in answer


@pytest.mark.parametrize("manifest,dsl", [("build.gradle.kts", "```kotlin"), ("build.gradle", "```groovy")])
def test_gradle_build_file_names_its_dsl(manifest, dsl):
    f = dep(manifest, "org.yaml:snakeyaml", "1.30", "1.31", "gradle")
    answer, _, meta = fix_for(f, [])
    assert dsl in answer and f"In {manifest}," in answer and meta["build_tool"] == "gradle"


def test_maven_splits_group_and_artifact():
    f = dep("pom.xml", "org.apache.logging.log4j:log4j-core", "2.14.1", "2.17.1", "maven", tool="osv-scanner")
    answer, _, meta = fix_for(f, [])
    assert meta["build_tool"] == "maven"
    assert "<groupId>org.apache.logging.log4j</groupId>" in answer and "<artifactId>log4j-core</artifactId>" in answer
    assert "<dependencyManagement>" in answer and "<version>2.17.1</version>" in answer
    assert "gradle" not in answer.lower()


@pytest.mark.parametrize("lock,tool,cmd,field", [
    ("web/package-lock.json", "npm", "npm install lodash@4.17.21", '"overrides"'),
    ("web/yarn.lock", "yarn", "yarn add lodash@4.17.21", '"resolutions"'),
    ("web/pnpm-lock.yaml", "pnpm", "pnpm add lodash@4.17.21", '"pnpm"'),
])
def test_js_lockfile_decides_the_command(lock, tool, cmd, field):
    f = dep(lock, "lodash", "4.17.15", "4.17.21", "npm", tool="osv-scanner")
    answer, _, meta = fix_for(f, [])
    assert meta["build_tool"] == tool and cmd in answer and field in answer
    assert_versions_from_advisory(answer, f)


def test_nested_node_modules_is_transitive_and_uses_overrides():
    f = dep("juice-shop/node_modules/wide-align/node_modules/ansi-regex/package.json", "ansi-regex", "3.0.0", "3.0.1",
            "node-pkg", pkg={"fixed_versions": ["6.0.1", "5.0.1", "4.1.1", "3.0.1"]})
    answer, _, _ = fix_for(f, [])
    assert "transitive" in answer and '"overrides"' in answer and "npm install ansi-regex" not in answer
    assert_versions_from_advisory(answer, f)


def test_npm_audit_via_entry_names_the_parent_upgrade_not_a_fake_advisory():
    f = dep("node_modules/@vercel/fun", "@vercel/fun", None, "32.3.0", "npm", tool="npm-audit", rule="via:debug,semver",
            cve=[], fix_hint="Upgrade vercel to 32.3.0 (semver-major)", pkg={"fix_status": "fixed"})
    f["package"]["name"] = "vercel"
    answer, _, _ = fix_for(f, [])
    assert "via:" not in answer and "debug, semver" in answer


@pytest.mark.parametrize("path,eco,tool,needle", [
    ("requirements.txt", "pip", "pip", "django>=3.2.10"),
    ("poetry.lock", "PyPI", "poetry", 'poetry add "django>=3.2.10"'),
    ("Pipfile.lock", "PyPI", "pipenv", 'pipenv install "django>=3.2.10"'),
    ("Gemfile.lock", "RubyGems", "bundler", "bundle update django --conservative"),
    ("composer.lock", "Packagist", "composer", "composer require django:^3.2.10"),
    ("src/App/App.csproj", "NuGet", "nuget", "dotnet add package django --version 3.2.10"),
    ("Cargo.lock", "crates.io", "cargo", "cargo update -p django --precise 3.2.10"),
])
def test_each_build_tool_gets_its_command(path, eco, tool, needle):
    f = dep(path, "django", "3.2.0", "3.2.10", eco, tool="osv-scanner")
    answer, _, meta = fix_for(f, [])
    assert meta["build_tool"] == tool and needle in answer
    foreign = {"npm ", "mvn ", "gradlew", "go get", "pip install"} - ({"pip install"} if tool == "pip" else set())
    for other in foreign:
        assert other not in answer, (other, answer)


def test_go_module_gets_v_prefix_and_tidy():
    f = dep("go.mod", "github.com/gogo/protobuf", "1.3.1", "1.3.2", "Go", tool="osv-scanner")
    answer, _, meta = fix_for(f, [])
    assert meta["build_tool"] == "go" and "go get github.com/gogo/protobuf@v1.3.2 && go mod tidy" in answer


def test_os_package_in_named_image_rebuilds_on_patched_base():
    f = dep("bkimminich/juice-shop:v12.10.2 (alpine 3.11.12)", "busybox", "1.31.1-r10", "1.31.1-r11", "alpine")
    answer, _, meta = fix_for(f, [])
    assert meta["build_tool"] == "os" and meta["image"] == "bkimminich/juice-shop:v12.10.2"
    assert "bkimminich/juice-shop:v12.10.2" in answer and "apk upgrade --no-cache busybox" in answer
    assert "apt-get" not in answer
    assert_versions_from_advisory(answer, f)


def test_debian_package_uses_apt():
    f = dep("gcr.io/google_samples/gb-redis-follower:v2 (debian 10.4)", "apt", "1.8.2.1", "1.8.2.2", "debian")
    answer, _, _ = fix_for(f, [])
    assert "apt-get install -y --only-upgrade apt" in answer and "apk" not in answer


def test_no_fix_published_is_honest_and_invents_no_version():
    f = dep("debian (debian 10.8)", "apt", "1.8.2.2", None, "debian", rule="CVE-2011-3374", cve=["CVE-2011-3374"],
            pkg={"fix_status": "none published"})
    answer, label, meta = fix_for(f, [])
    assert label == "no-fix-published" and meta["fix_family"] == "no-fix"
    assert "No fixed version of apt 1.8.2.2 is published" in answer and "as of the scan" in answer
    assert "Mitigate" in answer
    assert_versions_from_advisory(answer, f)


def test_unknown_installed_version_lists_the_advisory_fixes_only():
    f = dep("node_modules/acorn", "acorn", None, None, "npm", tool="npm-audit", rule="1488", cve=[],
            pkg={"fix_status": "unknown", "fixed_versions": ["5.7.4", "6.4.1", "7.1.1"]})
    answer, label, _ = fix_for(f, [])
    assert label == "fixed-version" and "5.7.4, 6.4.1, 7.1.1" in answer and "npm ls acorn" in answer
    assert_versions_from_advisory(answer, f)


def test_no_package_is_no_row():
    f = finding("dependency", "osv-scanner", "CVE-2023-50094", path="/tmp/rengine")
    assert fix_for(f, [])[0] is None


def test_no_fix_for_an_essential_os_package_does_not_suggest_removing_it():
    f = dep("/var/lib/dpkg/status", "libc6", "2.28-10", None, "deb", tool="grype", rule="CVE-2021-33574",
            cve=["CVE-2021-33574"], pkg={"fix_status": "none published"})
    answer, label, meta = fix_for(f, [])
    assert label == "no-fix-published" and meta["build_tool"] == "os"
    assert "cannot be removed" in answer and "remove it in the Dockerfile" not in answer


def test_the_version_check_itself_catches_an_invented_version():
    f = dep("requirements.txt", "django", "3.2.0", "3.2.10", "pip")
    with pytest.raises(AssertionError):
        assert_versions_from_advisory("Upgrade django to 4.2.1.", f)


def _npm(rel, name):
    from test_fixes_config import FIXTURES

    from tasks.findings.parse import parse_file

    return next(f for f in parse_file(FIXTURES / rel, FIXTURES, "raise", 10**8)["findings"] if f["package"]["name"] == name)


def test_npm_audit_dev_and_transitive_path_change_the_advice():
    f = _npm("npm_audit/one_vuln.json", "growl")  # dev: true, path mocha-jenkins-reporter>mocha>growl
    assert f["dependency"] == {"dev": True, "direct": False, "paths": ["mocha-jenkins-reporter>mocha>growl"]}
    answer, _, meta = fix_for(f, [])
    assert meta["dependency_scope"] == "dev" and "Priority: lower" in answer
    assert "via mocha-jenkins-reporter > mocha > growl" in answer and '"overrides"' in answer
    assert "is a direct dependency" not in answer


def test_npm7_direct_dependency_is_installed_not_overridden():
    f = _npm("npm_audit/npm7plus_many_vulns.json", "vercel")  # isDirect: true
    answer, _, _ = fix_for(f, [])
    assert "vercel is a direct dependency: `npm install vercel@32.3.0`" in answer and "overrides" not in answer


def test_maven_direct_dependency_edits_the_declaration():
    f = dep("pom.xml", "org.yaml:snakeyaml", "1.30", "1.31", "maven", dependency={"direct": True})
    answer, _, _ = fix_for(f, [])
    assert "declared directly: set its version to 1.31" in answer and "<dependencyManagement>" not in answer


def test_grype_gradle_lockfile_package_is_gradle_with_purl_coordinates():
    f = dep("/app/gradle.lockfile", "jackson-databind", "2.13.0", "2.13.4.1", "java-archive", tool="grype",
            pkg={"purl": "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.0"})
    answer, _, meta = fix_for(f, [])
    assert meta["build_tool"] == "gradle"
    assert 'implementation("com.fasterxml.jackson.core:jackson-databind:2.13.4.1")' in answer and "mvn" not in answer


def test_osv_maven_ecosystem_in_gradle_lockfile_is_gradle():
    f = dep("/src/app/gradle.lockfile", "org.yaml:snakeyaml", "1.30", "1.31", "Maven", tool="osv-scanner")
    answer, _, meta = fix_for(f, [])
    assert meta["build_tool"] == "gradle" and "./gradlew dependencies --write-locks" in answer
    assert "pom.xml" not in answer


def test_gradle_annotation_processor_constraint_goes_on_that_configuration():
    lock = "com.google.dagger:dagger-compiler:2.40=annotationProcessor\n"
    f = dep("gradle.lockfile", "com.google.dagger:dagger-compiler", "2.40", "2.41", "gradle")
    answer, _, meta = fix_for(f, [], {"path": "gradle.lockfile", "text": lock, "start_line": 1, "commit": None})
    assert meta["dependency_scope"] == "tool" and 'annotationProcessor("com.google.dagger:dagger-compiler:2.41")' in answer
    assert "```gradle" in answer  # a lockfile does not tell the DSL


def test_pip_transitive_requirement_uses_a_constraints_file():
    f = dep("requirements.txt", "urllib3", "1.26.3", "1.26.5", "pip", dependency={"direct": False})
    answer, _, _ = fix_for(f, [])
    assert "-c constraints.txt" in answer and "urllib3>=1.26.5" in answer


def test_npm_audit_parent_upgrade_when_the_package_has_no_own_fix():
    f = _npm("npm_audit/npm7plus_many_vulns.json", "undici")  # fixAvailable: vercel 32.3.0, semver-major
    answer, label, meta = fix_for(f, [])
    assert label == "fixed-version" and meta["fix_family"] == "upgrade-parent"
    assert "`npm install vercel@32.3.0`" in answer and "semver-major" in answer
    assert_versions_from_advisory(answer, f)


def test_a_go_module_inside_a_compiled_binary_is_rebuilt_not_go_get():
    # Trivy reports the modules of a Go program in an image (gitea) with the binary as the target
    f = dep("usr/local/bin/gitea", "golang.org/x/crypto", "0.14.0", "0.17.0", "gobinary", tool="trivy")
    answer, _, meta = fix_for(f, [])
    assert meta["build_tool"] == "go-binary"
    assert "does not change it" in answer and "usr/local/bin/gitea" in answer and "rebuild" in answer
    assert not answer.startswith("`go get")


def test_a_major_upgrade_says_it_breaks():
    f = dep("package.json", "express", "3.21.2", "5.0.0", "npm", tool="osv-scanner")
    answer, _, _ = fix_for(f, [])
    assert "2 major versions (3.x -> 5.x)" in answer and "breaking" in answer
    minor = dep("requirements.txt", "PyYAML", "5.3.1", "5.4", "PyPI", tool="pip-audit")
    assert "major" not in fix_for(minor, [])[0]


def test_a_package_bundled_in_the_images_npm_is_fixed_by_upgrading_npm():
    f = dep("usr/local/lib/node_modules/npm/node_modules/ip/package.json", "ip", "1.1.5", "1.1.9", "node-pkg", tool="trivy")
    answer, _, meta = fix_for(f, [])
    assert meta["build_tool"] == "npm-bundled" and "npm install -g npm@latest" in answer
    assert '"overrides"' in answer and "do not reach it" in answer and "```json" not in answer


def test_a_private_key_in_source_code_is_not_deleted_with_its_module():
    f = {"id": "1" * 32, "tool": "trivy", "kind": "secret", "rule_id": "private-key", "title": "Asymmetric Private Key",
         "description": "AsymmetricPrivateKey secret", "location": {"path": "src/auth/tokens.ts", "start_line": 23, "end_line": 23},
         "snippet": None, "cwe": ["CWE-798"], "package": None, "fix_hint": None}
    answer, _, meta = fix_for(f, ["CWE-798"])
    assert "Do not delete src/auth/tokens.ts" in answer and "--invert-paths" not in answer
    # Juice Shop's lib/insecurity.ts holds its key on purpose: no incident, and nothing deleted either
    demo = fix_for(dict(f, location={"path": "lib/insecurity.ts", "start_line": 23, "end_line": 23}), ["CWE-798"])[0]
    assert "deliberately vulnerable" in demo and "--invert-paths" not in demo
    key_file = dict(f, location={"path": "deploy/id_rsa", "start_line": 1, "end_line": 1})
    assert "--invert-paths --path deploy/id_rsa" in fix_for(key_file, ["CWE-798"])[0]


def test_an_absolute_scan_path_is_not_shown_as_the_manifest():
    f = dep("/tmprengine/web/requirements.txt", "django", "3.2.4", "3.2.12", "PyPI", tool="osv-scanner")
    answer, _, _ = fix_for(f, [])
    assert "In requirements.txt, require" in answer and "/tmprengine" not in answer


def test_a_zero_major_upgrade_to_a_later_major_says_it_breaks():
    f = dep("package.json", "jsonwebtoken", "0.4.0", "9.0.0", "npm", tool="trivy")
    assert "9 major versions (0.x -> 9.x)" in fix_for(f, [])[0]


def test_several_installed_copies_below_the_fixed_major_are_warned_about():
    # npm audit: ajv 5.5.2 and 6.10.0 installed, the advisory's only fix is 6.12.3
    f = dep("package-lock.json", "ajv", None, "6.12.3", "npm", tool="npm-audit")
    f["description"] = "Prototype pollution in ajv.validate().\n\nInstalled versions: 5.5.2, 6.10.0"
    assert "a major version (5.x -> 6.x)" in fix_for(f, [])[0]
