"""Check 4c: code kept as data -- a source file that the application reads as text and nothing runs.

Some applications ship source files as content: coding-challenge snippets
shown to the user, templates a generator copies, examples a page displays.
A SAST rule fires on them like on any code, but they are never executed.

With ``source.repo_path`` (tasks.triage.reachability's ``ImportIndex`` gives
the tracked files and their import lines), a code finding in folder ``D`` is a
false positive "code stored as data, never executed" when all of these hold:

* a source file outside ``D`` (not a test) names ``D`` in a string literal
  (``'data/snippets'``, ``'./data/snippets/' + name``) and reads it on that
  line or through the name the literal is assigned to (``fs.readFileSync``,
  ``readdirSync``, ``readFile``, ``createReadStream``, Python ``open``,
  ``read_text``, ``os.listdir``); the reading file loads or runs no code
  dynamically (no ``require``/``import()`` of a computed name, ``eval``,
  ``exec``, ``compile``, ``vm.run*``, ``importlib``, a child process, a
  worker, a JavaScript content type, a transpiler, a bundler ``entry:``) and
  is not build tooling (Gruntfile, ``*.config.*``), which would make the text
  code again;
* no source file imports the flagged file (by its module name) or ``D``;
* no manifest or start-up file (package.json, Dockerfile, Procfile,
  docker-compose, setup.py, pyproject.toml, Makefile) names the file.

Work is bounded: at most ``MAX_FILES`` reading candidates, ``MAX_LINES``
lines each, ``MAX_CHARS`` in all, read once per triage run.  The evidence
names the reading file and lines; a secret in such a file is still leaked and
is never judged here.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath

from tasks.triage.paths import is_build_tooling
from tasks.triage.report_signals import is_test_path

MAX_FILES = 5000
MAX_LINES = 3000
MAX_CHARS = 32 << 20
SOURCES = {".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".py"}
_SKIP = ("node_modules/", "/vendor/", "bower_components/", "site-packages/")
_LITERAL = re.compile(r"""(?<![\w$])(?:[rfb]{0,2})(['"`])((?:\.{1,2}/)*[\w@.-]+(?:/[\w@.-]+)+/?|(?:\.{1,2}/)*[\w@.-]+/)(?:\1|\$\{|\{)""")
_READ = re.compile(r"\b(?:readFileSync|readFile|readdirSync|readdir|createReadStream|read_text|read_bytes|listdir|scandir|iterdir"
                   r"|(?<![\w.])open)\s*\(")
_LISTING = re.compile(r"readdir|listdir|scandir|iterdir")
_DYNAMIC = re.compile(r"\brequire\s*\(\s*(?!['\"][^'\"`$]*['\"]\s*\))|\bimport\s*\(\s*(?!['\"][^'\"`$]*['\"]\s*\))"
                      r"|(?<![\w.])(?:eval|exec|compile)\s*\(|\bvm\.(?:run|Script|compile)|\bnew\s+Function\b|\bimportlib\b"
                      r"|__import__|\brunpy\b|\bchild_process\b|\b(?:fork|spawn|execFile|execSync)\s*\(|\bsubprocess\b"
                      r"|\bnew\s+Worker\s*\(|\bimportScripts\b|(?:application|text)/(?:x-)?javascript|\btranspile|\bentry\s*:")
_ASSIGNED = re.compile(r"^\s*(?:export\s+)?(?:(?:const|let|var)\s+)?([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*")
_JS_IMPORT = re.compile(r"""(?:\brequire\s*\(\s*|\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"]([^'"\n]+?)(?:\.[cm]?[jt]sx?)?['"]""")
_PY_IMPORT = re.compile(r"^\s*(?:from\s+(\.*[\w.]*)\s+import\s+(.*)|import\s+([\w.]+))")
_MANIFESTS = re.compile(r"(?:^|/)(?:package\.json|Dockerfile[^/]*|Procfile|docker-compose[^/]*\.ya?ml|compose\.ya?ml|setup\.py"
                        r"|setup\.cfg|pyproject\.toml|Makefile|[^/]*\.service)$")


def _norm(literal: str) -> str:
    while literal.startswith(("./", "../")):
        literal = literal.split("/", 1)[1]
    return literal.strip("/")


class DataFolders:
    """String literals naming folders, and the files that load code dynamically, read once from the repository."""

    def __init__(self, index):
        self.index, self.reader = index, index.reader
        self._literals: dict[str, list[tuple[str, int]]] | None = None
        self._manifests: str | None = None
        self.imported: set[str] = set()  # import specifiers, relative ones resolved to repository paths

    def _scan(self) -> dict[str, list[tuple[str, int]]]:
        if self._literals is None:
            self._literals, chars, seen = {}, 0, 0
            for path in self.index.files:
                if PurePosixPath(path).suffix not in SOURCES or any(s in path for s in _SKIP) or is_test_path(path):
                    continue
                seen += 1
                if seen > MAX_FILES or chars > MAX_CHARS:
                    break
                lines = self.reader.lines(path, None) or []
                chars += sum(len(line) for line in lines[:MAX_LINES])
                here = PurePosixPath(path).parent
                for n, line in enumerate(lines[:MAX_LINES], 1):
                    for m in _LITERAL.finditer(line):
                        self._literals.setdefault(_norm(m.group(2)), []).append((path, n))
                    for m in _JS_IMPORT.finditer(line):
                        spec = m.group(1)
                        self.imported.add(posixpath.normpath(str(here / spec)) if spec.startswith(".") else spec.lstrip("@~/"))
                    m = _PY_IMPORT.match(line)
                    if m:
                        self._python_import(here, m)
        return self._literals

    def _python_import(self, here: PurePosixPath, m: re.Match) -> None:
        raw = m.group(1) if m.group(1) is not None else m.group(3)
        dots = len(raw) - len(raw.lstrip("."))
        mod = raw.lstrip(".").replace(".", "/")
        if dots:  # relative: from . import x, from ..pkg import y
            base = here
            for _ in range(dots - 1):
                base = base.parent
            mod = posixpath.normpath(str(base / mod)) if mod else str(base)
        self.imported.add(mod)
        for name in (m.group(2) or "").replace("(", " ").replace(")", " ").split(","):  # from pkg import module
            name = name.strip().split(" ")[0]
            if name.isidentifier():
                self.imported.add(f"{mod}/{name}" if mod not in ("", ".") else name)

    def imports(self, module: str) -> bool:
        """Whether some source imports ``module`` (a repository path without suffix), its folder or its index."""
        self._scan()
        folder = posixpath.dirname(module)
        for spec in self.imported:
            for target in (module, folder, f"{folder}/index"):
                if spec == target or target.endswith("/" + spec):
                    return True
        return False

    def manifests(self) -> str:
        if self._manifests is None:
            paths = [p for p in self.index.files if _MANIFESTS.search(p) and not any(s in p for s in _SKIP)][:200]
            self._manifests = "\n".join("".join((self.reader.lines(p, None) or [])[:MAX_LINES]) for p in paths)
        return self._manifests

    def reading(self, folder: str) -> tuple[str, int, int, str] | None:
        """(file, literal line, read line, call) of a file outside ``folder`` that reads it as text, else None."""
        hits = list(self._scan().get(folder, []))  # the folder itself: one file read by name says nothing of the rest
        for path, n in sorted(hits, key=lambda h: (h[0], h[1])):
            if path.startswith(folder + "/") or is_build_tooling(path) or ".config." in PurePosixPath(path).name:
                continue  # a bundler's or task runner's config reading a folder builds it into code
            lines = self.reader.lines(path, None) or []
            text = "".join(lines[:MAX_LINES])
            if _DYNAMIC.search(text):
                continue
            line = lines[n - 1]
            call = _READ.search(line)
            if call:
                return path, n, n, call.group(0).rstrip("( ")
            name = _ASSIGNED.match(line)
            if not name:
                continue
            word = re.compile(rf"(?<![\w$.]){re.escape(name.group(1))}(?![\w$])")
            uses = [(k, call.group(0).rstrip("( ")) for k, other in enumerate(lines[:MAX_LINES], 1)
                    if k != n and word.search(other) for call in _READ.finditer(other)]
            uses.sort(key=lambda u: (_LISTING.match(u[1]) is not None, u[0]))  # a read of the contents says "as text" best
            if uses:
                return path, n, uses[0][0], uses[0][1]
        return None


def check_code_as_data(f, folders: DataFolders | None) -> dict | None:
    """{"check": "path", "status": "code_as_data", "evidence"} when the flagged source file is data the app reads."""
    path = str(f.path or "")
    if folders is None or f.kind != "code" or PurePosixPath(path).suffix not in SOURCES or "/" not in path:
        return None
    folder = str(PurePosixPath(path).parent)
    found = folders.reading(folder)
    if not found:
        return None
    stem = PurePosixPath(path).stem
    if folders.imports(str(PurePosixPath(path).with_suffix(""))):
        return None
    if re.search(rf"(?<![\w-]){re.escape(stem)}(?![\w-])", folders.manifests()):
        return None
    reader, lit, read, call = found
    via = f"reads it with {call} on that line" if lit == read else f"reads it with {call} at {reader}:{read}"
    return {"check": "path", "status": "code_as_data",
            "evidence": f"code stored as data, never executed: {reader}:{lit} names the folder {folder} and {via}, as text; "
                        f"no source file imports {path} or its folder, and no manifest or start-up file names it"}
