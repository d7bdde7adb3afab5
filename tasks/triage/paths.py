"""Check 4 helpers: vendored web libraries, build tooling and seed data, told by the path (and a file's banner).

* **Library**: a deliberately vulnerable app ships jQuery, Bootstrap or Materialize as static files; a SAST rule that
  fires inside ``static/js/materialize.js`` reports the library's code, which the team upgrades and never patches.
  Recognised by a well-known library's file name, or a ``.min.js`` file, inside a web-asset folder (static, public,
  assets, vendor, lib, js ...), or by the ``/*! name v1.2.3 ... license`` banner minifiers keep at the top of a library
  (a plain ``/*`` one only above minified code: an application's own files carry a plain copyright header), or a
  plugin's top-level extension of the library's namespace (``THREE.EffectComposer = function``, ``$.fn.modal =
  function``), read from the report's snippet or, with ``source.repo_path``, the file's first lines.
* **CMS core**: a content-management system's own core shipped in the repository (Drupal 7 keeps core modules in
  ``modules/NAME/`` with a ``NAME.info`` that says ``package = Core`` and ``project = "drupal"``; Drupal 8+ in
  ``core/modules/NAME/NAME.info.yml`` with ``package: Core``): told by that manifest, read from the module's folder.
* **Build tooling**: Gruntfile.js, gulpfile.js, webpack/rollup/vite configs, Jakefile, Rakefile run on a developer's
  machine or in CI, not on the request path.
* **Seed data**: a seed, fixture or database-reset script under ``artifacts/``, ``seed(s)/`` or ``fixtures/`` (outside
  tests), or named so (``db_init_users.py``, ``seed_labs.py``, ``001-fixtures.sql``), creates demo accounts; their
  passwords are real if the script ever runs in production.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.triage.report_signals import code_dirs, is_test_path

WEB_ASSET_DIRS = {"static", "public", "assets", "vendor", "vendors", "lib", "libs", "js", "javascript", "javascripts",
                  "dist", "plugins", "bower_components", "node_modules", "third_party", "third-party",
                  "external", "wwwroot", "www", "webroot",
                  "scripts"}  # ASP.NET MVC's Scripts/ (NuGet's jQuery, Bootstrap, jquery.validate): a library by name only
# base names (no version, no .min) of widely shipped browser libraries
LIBRARIES = {
    "jquery", "bootstrap", "materialize", "angular", "angularjs", "react", "react-dom", "vue", "lodash", "underscore",
    "backbone", "moment", "d3", "handlebars", "mustache", "popper", "modernizr", "require", "requirejs", "knockout",
    "ember", "prototype", "mootools", "dojo", "highcharts", "select2", "datatables", "codemirror", "tinymce", "ckeditor",
    "socket.io", "three", "leaflet", "raphael", "sweetalert", "sweetalert2", "toastr", "axios", "zepto",
    "html5shiv", "respond", "es5-shim", "es6-shim", "json2", "sizzle", "hammer", "velocity", "fontawesome", "font-awesome",
    "semantic", "foundation", "uikit", "marked", "highlight", "prism", "swagger-ui", "swagger-ui-bundle", "pdf",
    "crypto-js", "sjcl", "forge", "showdown", "typeahead", "bloodhound", "clipboard", "feather", "alpine", "htmx",
    "riot", "mithril", "core-js", "babel-polyfill", "polyfill", "turbolinks", "rails-ujs", "jszip", "filesaver",
    "qrcode", "nprogress", "slick", "owl.carousel", "lightbox", "fancybox", "masonry", "isotope", "headroom", "fullcalendar", "flatpickr", "pikaday", "dropzone", "summernote", "quill", "ace", "mathjax",
    "katex", "plotly", "echarts", "cytoscape", "sortable", "dragula", "gsap", "immutable",
    "rxjs", "redux", "mobx", "ramda", "bluebird", "dayjs", "luxon", "numeral", "accounting",
    "purify", "dompurify", "js-cookie", "jquery.cookie", "localforage", "ext-all", "yui", "kendo", "webcomponents", "webcomponents-lite",
    "materialize-css", "tether", "prettify", "run_prettify", "bootbox", "bootstrap-datepicker", "bootstrap-select", "handsontable", "ag-grid"}
_VERSION = re.compile(r"(?:[-_.@]v?\d+(?:\.\d+)*(?:[-.][\w]+)*)$")
_SUFFIXES = re.compile(r"(?:[.-](?:min|slim|bundle|umd|esm|prod|production|dev|development|pack|all|full|core|debug))+$")
_APP_NAMES = {"app", "main", "index", "bundle", "scripts", "script", "site", "custom", "common", "application", "vendor",
              "client", "server", "runtime", "polyfills", "styles", "chunk"}
_BANNER = re.compile(r"/\*[!*][\s*]*(?:@license\s+)?([A-Za-z][\w.+ -]{1,40}?)\s+v?(\d+\.\d+(?:\.\d+)?)")
# a file that adds to a library's namespace at top level: three.js examples (THREE.EffectComposer = ...), jQuery plugins
_PLAIN_BANNER = re.compile(r"/\*\s*([A-Za-z][\w.+ -]{1,40}?)\s+v?(\d+\.\d+(?:\.\d+)?)\b")
_PLUGIN = re.compile(r"(?m)^(THREE|jQuery\.fn|\$\.fn|jQuery|L\.Control|Chart\.controllers|Backbone|d3)\.[A-Z$_a-z][\w$]*"
                     r"(?:\.prototype)?\s*=\s*(?:function\b|\{|Object\.(?:assign|create)\b)")
_MODULE = re.compile(r"(?m)^(?:import\s[^;\n]*\bfrom\s+['\"]|export\s+(?:default\b|const\b|function\b|class\b|\{))")
_LICENCE = re.compile(r"(?i)licen[cs]|\(c\)|copyright|\bMIT\b|\bBSD\b|Apache")
BUILD_FILES = re.compile(r"(?i)^(?:gruntfile|gulpfile(?:\.babel)?|jakefile|webpack(?:\.[\w-]+)*\.config|webpack\.config(?:\.[\w-]+)*"
                         r"|rollup\.config|vite\.config|babel\.config|postcss\.config|tailwind\.config|karma\.conf"
                         r"|protractor\.conf|brunch-config|snowpack\.config|esbuild\.config|\.eslintrc)\.(?:js|cjs|mjs|ts|coffee)$"
                         r"|^(?:rakefile|jakefile|gruntfile)$")
SEED_DIRS = {"seed", "seeds", "seeders", "seeding", "fixtures", "fixture"}
_SEED_FILE = re.compile(r"(?i)seed|fixture|db[-_]?reset|reset[-_]?db|db[-_]?init|init[-_]?db|init(?:ial(?:ise|ize)?)?[-_]?data"
                        r"|populate|demo[-_]?data|sample[-_]?data|bootstrap[-_]?data")
# a file whose name alone says it loads seed data (vulpy's db_init_users.py, a Django seed_labs command, 001-fixtures.sql)
_SEED_NAME = re.compile(r"(?i)^(?:\d+[-_])?(?:seeds?|seeders?|seeding|db[-_]?seed|db[-_]?reset|reset[-_]?db|db[-_]?init|init[-_]?db"
                        r"|init(?:ial(?:ise|ize)?)?[-_]?data|populate(?:[-_]?db)?|fixtures?|demo[-_]?data)(?:[-_.][\w-]+)*$")
_TEST_DATA = {"testdata", "test_data", "test-data", "unittests", "__fixtures__", "__mocks__", "mocks", "golden", "testfiles", "test-fixtures", "snapshots", "__snapshots__"}

# a build tool's content hash (Django's ManifestStaticFilesStorage `vendor.7606a4559e55.js`, webpack `[contenthash]`)
_CONTENT_HASH = re.compile(r"[.-][0-9a-f]{8,32}$")
# the bundle a JavaScript build makes of node_modules (webpack splitChunks, gulp/vite vendor bundles)
_VENDOR_BUNDLES = {"vendor", "vendors", "chunk-vendors", "vendors~main", "vendor-bundle"}
# Django apps whose static files `collectstatic` copies into the project's static folder
_COLLECTED_APPS = {"rest_framework", "debug_toolbar", "django_extensions", "drf-yasg", "drf_yasg", "drf_spectacular",
                   "grappelli", "import_export", "ckeditor"}
# Django admin's collected scripts: its own names anywhere, its common words only in a top static/ (set 51's review)
_DJANGO_ADMIN_JS = set("change_form jquery.init nav_sidebar popup_response prepopulate prepopulate_init selectbox "
                       "selectfilter2 unusable_password_field urlify datetimeshortcuts relatedobjectlookups".split())
_DJANGO_COMMON_JS = set("actions autocomplete calendar cancel collapse core filters inlines theme".split())


def _base(name: str) -> str:
    stem = _CONTENT_HASH.sub("", re.sub(r"\.(?:js|mjs|cjs|css)$", "", name.lower()))
    for _ in range(3):
        stem = _SUFFIXES.sub("", _VERSION.sub("", stem))
    return stem


def is_library(path: str | None) -> bool:
    """A well-known browser library's file, or a minified .min.js, inside a web-asset folder."""
    if not path:
        return False
    p = PurePosixPath(path)
    name = p.name.lower()
    if not name.endswith((".js", ".mjs")) or not set(code_dirs(path)) & WEB_ASSET_DIRS:
        return False
    base = _base(name)
    if base in LIBRARIES or base.startswith(("jquery.", "jquery-", "bootstrap-", "angular-", "materialize")):
        return True
    if base in _VENDOR_BUNDLES:  # the build's copy of third-party packages: upgraded in package.json, never patched
        return True
    parts = [d.lower() for d in p.parts[:-1]]
    if any(a in _COLLECTED_APPS and i and a not in parts[:i] or a == "admin" and i and parts[i - 1] == "static" and (
            base in _DJANGO_ADMIN_JS or "vendor" in parts[i + 1:] or i == 1 and base in _DJANGO_COMMON_JS) for i, a in enumerate(parts)):
        return True  # static/rest_framework/js/x.js: an app's files copied by collectstatic (not its own debug_toolbar/static/, set 56)
    served = next((i for i, a in enumerate(parts) if a in ("static", "public", "assets")), None)  # a Node lib/ is source
    if served is not None and ({"libs", "lib", "third_party", "3rdparty"} & set(parts[served + 1:])
                               or re.search(r"[-_.]v?\d+\.\d+(?:\.\d+)*(?:\.min)?\.m?js$", name)):
        return True  # static/js/libs/bar-ui.js, wysihtml5-0.0.3.js: copies of other projects' releases (held-out set 22)
    return name.endswith((".min.js", "-min.js")) and not name.endswith(("no-min.js", "non-min.js")) and base not in _APP_NAMES
    # Spirit's notification.no-min.js: its own CoffeeScript compiled *without* minifying (set 54: a harmful row)


def own_plugin(path: str | None, reader, commit: str | None = None) -> bool:
    """A file counted a library by its ``jquery.``/``bootstrap-`` name alone whose first lines carry no licence, no
    copyright and no version: the project's own plugin (ckan's plugins/jquery.slug-preview.js, set 31), not a copy; or
    whose header says it is part of another project than the library (Shuup's own dropzone.js, set 56)."""
    if not path or reader is None:
        return False
    base = _base(PurePosixPath(path).name.lower())
    named = base.startswith(("jquery.", "jquery-", "bootstrap-", "angular-")) and base not in LIBRARIES | _VENDOR_BUNDLES
    head = _head(path, reader, commit) if named or base in LIBRARIES else ""  # umap's modules/clipboard.js (round 52):
    plain = bool(head) and not _LICENCE.search(head[:3000]) and not re.search(r"(?i)@version|\bv\d+\.\d+", head[:3000])
    part = re.search(r"(?i)this file is (?:a )?part of\s+([\w.-]+)", head[:800])
    return plain and (named or bool(re.search(r"""(?m)^import\s[^;\n]*\bfrom\s+['"]\.{1,2}/""", head))) or bool(part) and base not in part.group(1).lower()


def _head(path: str, reader, commit: str | None) -> str:
    """The file's first lines at the run's commit ('' without a reader or when unreadable: no evidence)."""
    if reader is None:
        return ""
    try:
        return "\n".join((reader.lines(path, reader.resolve(commit)) or [])[:60])[:6000]
    except Exception:  # noqa: BLE001 - an unreadable file gives no evidence
        return ""


def library_banner(path: str | None, snippet: str | None, reader=None, commit: str | None = None) -> str | None:
    """'its banner names <lib> <version> with a licence' when a web asset starts with a library's banner (etherpad's vendors/jquery.ts)."""
    if not path or not str(path).lower().endswith((".js", ".mjs", ".cjs", ".ts")) or not set(code_dirs(path)) & WEB_ASSET_DIRS:
        return None
    texts = [snippet or "", _head(path, reader, commit)] if reader is not None or "/*" in (snippet or "") else []
    for text in texts:
        if _MODIFIED.search(text[:600]):
            return None  # "// based on https://github.com/...": the project's own changed copy (round 56, harmful row)
        minified = max(map(len, text.splitlines()[1:3]), default=0) > MINIFIED_LINE  # a plain /* banner over minified code
        plain = _PLAIN_BANNER.match(text.lstrip()) if minified else None  # (webfont.js, set 43): its licence in the banner
        m = _BANNER.search(text[:2000]) or plain  # itself, not a `function(c)` of the code (the review of cc48935)
        said = text.lstrip()[:text.lstrip().find("*/")] if m is plain and m else text[m.start():m.start() + 400] if m else ""
        if m and _LICENCE.search(said) and not re.fullmatch(r"(?i)version|build|release|v|rev(?:ision)?", m.group(1).strip()):
            return f"its banner names {m.group(1).strip()} {m.group(2)} with a licence"
        plugin = _PLUGIN.search(text[:6000])
        if plugin and not _MODULE.search(text[:6000]):  # an ES module of the project (CTFd's utils.js: round 49)
            return f"a plugin of a published library: it extends {plugin.group(1)} (line '{plugin.group(0).strip()[:40]}')"
    return None


_MODIFIED = re.compile(r"(?i)\b(?:based on|adapted from|modified (?:from|version of)|forked from|derived from)\b")
# files that build JavaScript: a repository with none of them cannot have produced a minified bundle itself
_JS_BUILD = re.compile(r"(?:^|/)(?:package\.json|(?:webpack|rollup|vite|esbuild)\.config\.\w+|gulpfile\.\w+|Gruntfile\.\w+)$")
MINIFIED_LINE, MINIFIED_MEAN = 500, 250


def minified_copy(path: str | None, reader=None, commit: str | None = None, files=None) -> str | None:
    """'minified (...) and the repository builds no JavaScript ...' for a web asset nobody wrote by hand here.

    A minified file without a banner (Google's Charts loader, a Closure bundle) is either this repository's own
    build output or a copied library.  With the repository's file list, no ``package.json`` or bundler config
    anywhere (outside node_modules) rules out the first: it was copied in."""
    if not files or not path or not str(path).lower().endswith((".js", ".mjs")) or not set(code_dirs(path)) & WEB_ASSET_DIRS:
        return None
    if any(_JS_BUILD.search(p) and "node_modules/" not in p for p in files):
        return None
    try:
        lines = (reader.lines(path, reader.resolve(commit)) or [])[:50] if reader is not None else []
    except Exception:  # noqa: BLE001 - an unreadable file gives no evidence
        return None
    sizes = [len(line.rstrip("\r\n")) for line in lines if line.strip()]
    mean = sum(sizes) // len(sizes) if sizes else 0
    if mean < MINIFIED_MEAN or max(sizes, default=0) < MINIFIED_LINE:  # people write lines of 40-100 characters
        return None
    return (f"minified (its longest line runs to {max(sizes):,} characters), and the repository builds no JavaScript "
            "(no package.json or bundler config), so it is a copied bundle")


_DRUPAL7 = re.compile(r"(?m)^\s*package\s*=\s*\"?Core\"?\s*$")
_DRUPAL7_PROJECT = re.compile(r"(?m)^\s*project\s*=\s*\"drupal\"\s*$")
_DRUPAL8 = re.compile(r"(?m)^\s*package\s*:\s*['\"]?Core['\"]?\s*$")


def cms_core(path: str | None, reader=None, commit: str | None = None) -> str | None:
    """'it is part of Drupal core (<manifest>:<line> ...)' when a core module's manifest owns the file, else None."""
    if not path or reader is None:
        return None
    p = PurePosixPath(path)
    # a core module is a folder right under modules/ (Drupal 7) or core/modules/ (8+): one manifest to read, not a search
    for folder in [f for f in list(p.parents)[:6] if f.parent.name == "modules"][:1]:
        for manifest, pkg, project in ((folder / f"{folder.name}.info", _DRUPAL7, _DRUPAL7_PROJECT),
                                       (folder / f"{folder.name}.info.yml", _DRUPAL8, None)):
            text = _head(str(manifest), reader, commit)
            hit = pkg.search(text) if text else None
            if not hit or (project and not project.search(text)) or (project is None and "core/modules/" not in f"/{manifest}"):
                continue
            line = text[:hit.start()].count("\n") + 1
            return f"it is part of Drupal core: {manifest}:{line} declares the module `{hit.group(0).strip()}`"
    return None


def is_build_tooling(path: str | None) -> bool:
    return bool(path) and bool(BUILD_FILES.match(PurePosixPath(path).name))


def seed_data(path: str | None) -> str | None:
    """What makes ``path`` seed data (a seeds/ folder, a db-reset script under artifacts/), outside tests; else None."""
    if not path or is_test_path(path):
        return None
    dirs = code_dirs(path)
    if set(dirs) & _TEST_DATA:
        return None
    name = PurePosixPath(path).name
    seed_dir = next((d for d in dirs if d in SEED_DIRS), None)
    if seed_dir:
        return f"in a {seed_dir}/ folder"
    if set(dirs) & {"artifacts", "migrations", "db", "database", "sql", "commands"} and _SEED_FILE.search(name):
        return "a seed or database-reset script"
    if _SEED_NAME.match(PurePosixPath(name).stem):
        return "a seed or database-initialisation script (by its name)"
    return None


# a load-testing tool's script: Locust (Python) or k6 (JavaScript) imports, read from the file's first lines
_LOAD_TEST = re.compile(r"(?m)^\s*(?:from\s+locust(?:\.\w+)*\s+import\b|import\s+locust\b"
                        r"|import\s+[\w{}\s,*]+\s+from\s+['\"]k6(?:/[\w/-]+)?['\"])")


def load_test(path: str | None, reader=None, commit: str | None = None) -> str | None:
    """'a Locust load-test script (it imports locust)' for a load generator's own code, else None.

    A load generator (microservices-demo's ``src/loadgenerator/locustfile.py``) sends made-up traffic to the
    application: its random product picks and fake card numbers are test data, not part of what is served."""
    if not path or not str(path).lower().endswith((".py", ".js", ".mjs", ".ts")):
        return None
    m = _LOAD_TEST.search(_head(path, reader, commit))
    if not m:
        return None
    tool = "k6" if "k6" in m.group(0) else "Locust"
    return (f"a {tool} load-test script (it imports {tool.lower()}): it sends made-up traffic to the application, so its "
            "values are test data even where the load generator runs beside the application")


# scripts that make sample records for a development or demo database (Django's `manage.py fake`, CTFd's populate.py)
_DEMO_SCRIPT = re.compile(r"(?i)^(?:fake|fakes|fake[-_]?data|faker|generate[-_]fake\w*|populate(?:[-_]?db)?|dummy[-_]?data"
                          r"|sample[-_]?data|demo[-_]?data|mock[-_]?data|dummy[-_](?:data[-_]|generator[-_]?)[\w-]*)\.py$")


# a Django management command that fills the database with sample data (shynet's `manage.py demo`, set 30)
_DEMO_COMMAND = re.compile(r"(?i)(?:^|/)management/commands/(?:demo|seed|seed[-_]?data|fake|populate|generate[-_]demo"
                           r"|create[-_]demo[-_]?data|load[-_]demo)\.py$")


def demo_data(path: str | None) -> str | None:
    """'a demo-data generator' for a script that makes sample records, outside tests; else None.

    Its random picks and digests make made-up rows (a fake feeding's note, a fake file's folder name): B311 and weak
    hash rules there protect nothing.  Secrets in such scripts are left to the secret checks (a demo login)."""
    if not path or is_test_path(path) or not (_DEMO_SCRIPT.match(PurePosixPath(path).name) or _DEMO_COMMAND.search(path)):
        return None
    return f"{path} is a demo-data generator (a script that fills a database with made-up sample records)"


_DEMO_RULES = re.compile(r"(?i)^B311$|^B30[34]$|^B324$|weak[-_]?hash|insecure[-_]hash|md5|sha1|insecure[-_]random|random")


def check_demo_data(f) -> dict | None:
    """B311 or a weak-hash rule in a demo-data generator (``demo_data``): {"check": "code", "evidence"}, else None."""
    demo = demo_data(f.path) if f.kind == "code" and _DEMO_RULES.search(str(f.rule_id)) else None
    if not demo:
        return None
    return {"check": "code", "status": "not_security_use",
            "evidence": f"not a security use: {demo}; its {'random picks' if _RANDOM.search(str(f.rule_id)) else 'digests'} "
                        "make up sample data that nobody has to guess and nothing checks"}  # set 26: B311 named digests too


_RANDOM = re.compile(r"(?i)^B311$|random")


def check_seed(f, reader=None, files=None) -> dict | None:
    """A credential in seed data for demo accounts (NodeGoat's artifacts/db-reset.js, a seeds/ folder): needs review;
    not a fixtures/ folder a test-fixture library loads (tasks.triage.fixture_loader)."""
    from tasks.findings.model import as_finding
    from tasks.triage.fixture_loader import test_loader

    f = as_finding(f)
    where = seed_data(f.path)
    if not where or test_loader(f.path, reader, files, f):
        return None
    return {"check": "path", "status": "seed_data",
            "evidence": f"seed data for demo accounts: {f.path} is {where}; make sure it never runs in production "
                        "and that the accounts it creates do not exist there"}

