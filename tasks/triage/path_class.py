"""Which kind of file a repository-relative path names (test, fixture, example, docs, vendored, a project template,
a development image...), from the path alone, and the words a reason says for each kind.

Split out of tasks.triage.context, which re-exports ``path_class``: the path's class decides check 4 (path) and
how much a secret in the file weighs.

May import: ``tasks.triage.paths``, ``tasks.triage.report_signals``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import PurePosixPath

from tasks.triage.paths import is_build_tooling, is_library
from tasks.triage.report_signals import code_dirs, is_test_path

FIXTURE_DIRS = {"fixture", "fixtures", "testdata", "test_data", "test-data", "__fixtures__", "__mocks__", "mocks",
                "snapshots", "__snapshots__", "unittests", "golden", "testfiles", "test-fixtures", "sample-data", "mock",
                "test-files", "test_files"}  # woodpecker's migration/test-files/postgres.sql (set 37)
EXAMPLE_DIRS = {"example", "examples", "sample", "samples", "demo", "demos", "tutorial", "tutorials",
                ".examples", ".example"}  # gatus keeps its docker-compose examples in .examples/ (set 42)
_EXAMPLE_NAME = re.compile(r"(?i)[._-](?:example|sample)(?:\.(?:ya?ml|json|toml|ini|cfg|conf|env|py|js|ts|tf))?$")
_EXAMPLE_DIR = re.compile(r"^(?:example|sample|demo)[-_][\w-]+$|^[\w-]+[-_](?:example|examples|sample|samples|demo)$")
_DEV_IMAGE = re.compile(r"^(?:dockerfile(?:[.-]\w+)*[.-](?:dev|development|local)|(?:dev|development|local)[.-]dockerfile)$")
_SCAFFOLD = re.compile(r"\{\{\s*cookiecutter\.|\{\{\s*_?copier|\{\{\s*project_(?:name|slug)")
DOC_DIRS = {"doc", "docs", "documentation", "site-docs"}
VENDOR_DIRS = {"vendor", "vendored", "third_party", "third-party", "thirdparty", "external", "extern", "bower_components",
               "node_modules", "site-packages", "dist-packages"}
DOC_SUFFIXES = {".md", ".rst", ".adoc"}


# a folder named for a release of another project inside a served folder: public/plugins/codemirror-5.17.0/,
# project-static/select2-4.0.13/, bootstrap-5.3.8-dist/ (held-out sets 35-36: gogs's CodeMirror demo pages)
_RELEASE_DIR = re.compile(r"^([a-z][a-z0-9_.]*?)[-_]v?(\d+\.\d+(?:\.\d+)*)(?:[-_.](?:dist|min|release|src|build))?$", re.I)
_SERVED = {"static", "public", "assets", "plugins", "vendor", "vendors", "lib", "libs", "www", "wwwroot", "webroot"}


_LIB_DIRS = {"lib", "libs", "vendor", "vendors", "plugins", "third_party", "third-party", "bower_components", "external"}


def library_label(path: str | None) -> str | None:
    """"the library shablon" for ui/public/libs/shablon/shablon.iife.js: the folder a library's copy sits in under
    libs/, vendor/, plugins/ ..., else the file's own name without version and .min (round 51's grader: a row that
    names no library says nothing the path did not)."""
    if not path:
        return None
    parts = PurePosixPath(path).parts
    at = max((i for i, p in enumerate(parts[:-1]) if p.lower() in _LIB_DIRS), default=None)
    if at is not None and at + 1 < len(parts) - 1:
        return f"the library {parts[at + 1]}"
    m = re.search(r"(?i)(?:[-_.]v?\d+(?:\.\d+)+)?(?:[.-]min)?(?:[.-](?:iife|umd|esm|bundle|pack))?\.m?js$", parts[-1])
    marked = m is not None and len(m.group(0).split(".")) > 2 or bool(m and re.search(r"\d", m.group(0)))
    name = parts[-1][:m.start()] if m else ""
    return f"the library {name}" if name and marked else None  # a version or `.min` says it is someone's release


def release_folder(path: str | None) -> str | None:
    """``codemirror-5.17.0/`` when a folder of ``path`` under a served folder is named for another project's release."""
    parts = PurePosixPath(str(path or "")).parts[:-1]
    served = next((i for i, d in enumerate(parts) if d.lower() in _SERVED or d.lower().endswith("-static")), None)
    return None if served is None else next((f"{d}/" for d in parts[served + 1:] if _RELEASE_DIR.match(d)), None)


# the files of a development stack: compose files, Dockerfiles, the services' configuration
_DEV_STACK_FILE = re.compile(r"(?:^|[-._])(?:docker-)?compose[-._\w]*\.ya?ml$|dockerfile|\.(?:toml|ya?ml|env|conf|ini)$")
_CONTRIB_FILE = re.compile(r"\.(?:ya?ml|json|tf|service|conf|ini|toml)$|dockerfile")  # deployment configs, not code
_DEPLOYED_ENV = {"environments", "envs", "env", "overlays", "deploy", "deployment", "deployments", "infra",
                 "infrastructure", "terraform", "k8s", "kubernetes", "helm", "charts", "stages"}
_TEST_ENV = re.compile(r"^test[-_]?env(?:ironment)?s?$")  # a stack started to test against: test-environments/, testenv/
_GITPOD = re.compile(r"^(?:\.gitpod\.(?:ya?ml|dockerfile)|(?:docker-)?compose[-._]gitpod\.ya?ml|.+\.gitpod\.ya?ml)$")


_POSTMAN = re.compile(r"(?:^|[._-])postman(?:[._-]collection)?\.json$")  # not an environment, where Postman keeps keys


@lru_cache(maxsize=65536)
def path_class(path: str | None) -> str | None:
    """scaffold | devcontainer | dev_env | dev_stack | test_env | dev_image | fixture | test | library | build | vendored |
    example | docs | contrib | None, from the repository-relative path.

    A folder named test under an environment folder (kustomize ``overlays/test``) is an environment, not test code.
    """
    if not path:
        return None
    parts = [p.lower() for p in PurePosixPath(path).parts]
    if any(_SCAFFOLD.search(p) for p in parts[:-1]):  # contrib/cookiecutter/ext/{{cookiecutter.project}}/ (set 31)
        return "scaffold"
    if ".devcontainer" in parts[:-1]:
        return "devcontainer"
    if _GITPOD.search(parts[-1]):  # .gitpod.yml, docker-compose.gitpod.yaml (woodpecker: set 37)
        return "dev_env"
    if parts[0] in ("dev", "development") and len(parts) > 1 and _DEV_STACK_FILE.search(parts[-1]):
        return "dev_stack"  # listmonk's dev/docker-compose.yml ("exists only for local development"): set 39
    if any(_TEST_ENV.match(p) for p in parts[:-1]) and not set(parts[:-1]) & _DEPLOYED_ENV \
            and not parts[-1].endswith((".tf", ".tfvars", ".hcl")):  # linkding's scripts/test-environments/ (set 45); not
        return "test_env"  # infra/environments/test-env/rds.tf, a cloud environment (the review of the set-45 change)
    if _DEV_IMAGE.match(parts[-1]):  # Dockerfile.dev, Dockerfile.amavis.dev, dev.Dockerfile (modoboa: set 32)
        return "dev_image"
    dirs = set(code_dirs(path))
    if dirs & FIXTURE_DIRS or _POSTMAN.search(parts[-1]):  # a Postman collection: API tests and their saved example
        return "fixture"  # responses (statping-ng's dev/postman.json, run by newman in CI: set 46)
    if is_test_path(path):
        return "test"
    if is_library(path) or release_folder(path):
        return "library"
    if is_build_tooling(path):
        return "build"
    if dirs & VENDOR_DIRS or parts[-1].endswith((".min.js", ".bundle.js")):
        return "vendored"
    if dirs & EXAMPLE_DIRS or _EXAMPLE_NAME.search(parts[-1]) or any(_EXAMPLE_DIR.match(d) for d in parts[:-1]):
        return "example"  # docker-compose.example.yml, .env.sample (set 30); ckanext/example_flask_iblueprint (set 31)
    if dirs & DOC_DIRS or PurePosixPath(path).suffix.lower() in DOC_SUFFIXES:
        return "docs"
    if parts[0] == "contrib" and len(parts) > 1 and _CONTRIB_FILE.search(parts[-1]):  # navidrome's contrib/k8s (set 40)
        return "contrib"
    return None


WHY = {"fixture": "a test fixture or test data file", "test": "test code", "example": "example code",
        "scaffold": "part of a project template (cookiecutter): it generates the files of a new project and is never "
                    "run or deployed as this repository's own",
        "devcontainer": "a development container's configuration (.devcontainer/): it runs a developer's tools against "
                        "a checkout and is never deployed",
        "dev_env": "a cloud development workspace's configuration (Gitpod: its name says so): it starts a developer's "
                   "workspace and the services they test against, and is never deployed",
        "dev_stack": "a file of the top-level dev/ folder, which holds what developers run and try (local stacks, "
                     "demo and sample manifests), not the configuration the project releases or deploys",
        "test_env": "part of a test environment (its folder is named so): it starts the services a developer tests the "
                    "code against on their own machine, and no deployment uses it",
        "dev_image": "a development image (its name marks it for development): it is built for a developer's machine, "
                     "not for a deployment",
        "docs": "documentation", "vendored": "a vendored copy of third-party code",
        "contrib": "a community-contributed sample configuration (the top-level contrib/ folder, which no build or "
                   "release file of the repository names): users copy and adapt it to their own setup",
        "library": "vendored third-party library code", "build": "build tooling, not part of the deployed application"}


_SITE_DIRS = {"layouts": "Hugo", "_layouts": "Jekyll", "_includes": "Jekyll", "_templates": "Sphinx",  # Sphinx: set 49
              "_theme": "Sphinx", "_themes": "Sphinx"}  # a theme beside conf.py (round 60: shuup's doc/_theme/)
_SITE_CONFIGS = {"Hugo": ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml", "config.yml",
                          ".hugo_build.lock"),
                 "Jekyll": ("_config.yml", "_config.yaml"), "Sphinx": ("conf.py", "source/conf.py")}


def static_site(path: str | None, files) -> tuple[str, str, str] | None:
    """(site root, generator, its config file) when ``path`` is a template of a static site generator's tree
    (``docs/site/layouts/partials/header.html`` beside ``docs/site/config.toml``): it renders at build time from
    the site's own content, so no visitor's input reaches its values (set 39's graders on listmonk.app)."""
    parts = PurePosixPath(str(path or "")).parts
    if not files or PurePosixPath(str(path or "")).suffix.lower() not in (".html", ".htm", ".xml", ".json"):
        return None
    known = set(files)
    for i, part in enumerate(parts[:-1]):
        generator = _SITE_DIRS.get(part)
        root = "/".join(parts[:i])
        for name in _SITE_CONFIGS.get(generator or "", ()):
            config = f"{root}/{name}" if root else name
            if config in known:
                return root or ".", generator, config
    return None
