"""The other helpers' pieces, behind one small surface: fixes, source code, mined fixes.

* ``fix(f, cwes, code)`` -> (answer, fix source, meta) from ``tasks.fixes.fix_for``;
* ``Source`` reads each finding's code at its run's commit (``tasks.repository.source``)
  and the fixes the team made, mined from git history (``tasks.fixes.mined``).

Secret findings never get source code: the file holds the secret the
parser redacted.  Every code text is scrubbed with detect-secrets as well.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

from tasks.core.errors import SecftError
from tasks.datasets.python_floor import python_floor
from tasks.findings.model import NO_LOCATION, Finding, as_finding
from tasks.fixes import fix_for
from tasks.fixes.suppression_diff import SCRIPT_SUFFIXES


def fix(f: Finding | dict, cwes: list[str], code: dict | None) -> tuple[str | None, str, dict]:
    """``fix_for`` as a 3-tuple (older fix_for took no code and returned no meta)."""
    f = as_finding(f)
    try:
        result = fix_for(f, cwes, code)
    except TypeError:
        result = fix_for(f, cwes)
    if len(result) == 2:
        return result[0], result[1], {}
    return result[0], result[1], dict(result[2] or {})


def _scrub(text: str, path: str) -> str:
    from tasks.findings.secrets import detect, scrub

    return scrub(text, detect(text, path))


_TIMEOUT_RULE = re.compile(r"(?i)^B113$|timeout")


def _commit(f: Finding) -> str | None:
    for seen in (f.last_seen, f.first_seen):
        if seen and seen.commit:
            return seen.commit
    return None


# files whose whole text the fix reads: a workflow (its steps), an OpenAPI/Swagger spec (its operations and schemes),
# a Terraform file (the resources around the flagged one, its provider pin)
_DOCKERFILE = re.compile(r"(?i)(?:^|/)(?:Dockerfile(?:[._-][\w.-]+)?|[\w.-]+\.dockerfile|Containerfile)$")
_WHOLE_FILE = re.compile(r"(?i)(?:^|/)\.github/workflows/[^/]+\.ya?ml$|(?:openapi|swagger)[^/]*\.(?:ya?ml|json)$|\.tf$"
                         r"|(?:^|/)(?:[^/]*\.)?(?-i:Dockerfile)(?:\.(?!py$)[\w-]+)?$")  # a USER fix's place (iac_file)


_COMPOSE = re.compile(r"(?i)(?:^|/)(?:docker-)?compose(?:[.-][\w-]+)?\.ya?ml$")


class Source:
    """The configured checkout (or none): code per finding and mined fixes."""

    def __init__(self, repo_path: str | None, runs_path: Path | None, context_lines: int):
        self.context_lines = context_lines
        self.reader = None
        self._callers = None
        self._whole: dict[tuple, str | list | dict | None] = {}
        self.runs_path = runs_path
        self._imports = None  # tasks.triage.reachability.ImportIndex, made once (_index)
        if repo_path:
            try:
                from tasks.repository.source import SourceReader
            except ImportError:
                raise SecftError(f"source.repo_path is set ({repo_path}) but this secft has no source reader (tasks.repository.source)") from None
            self.reader = SourceReader(Path(repo_path))

    def code(self, f: Finding | dict, lines: int | None = None) -> dict | None:
        """The finding's code at its run's commit, or None (no checkout, no file, a secret, a package);
        ``lines`` either side instead of ``datasets.context_lines`` (the verdict's evidence reads further up)."""

        f = as_finding(f)
        loc = f.location or NO_LOCATION
        if self.reader is None or f.kind in ("secret", "dependency", "web") or not loc.path:
            return None
        from tasks.repository.source import private_key_rule, secret_finding

        ctx = self.reader.context(loc.path, _commit(f), loc.start_line, lines or self.context_lines,
                                  end_line=loc.end_line, mark_secret=secret_finding(f),
                                  key_rule=private_key_rule(f.rule_id, f.title))
        if not ctx or not ctx.get("text"):
            return None
        out = {"path": ctx["path"], "text": _scrub(ctx["text"], ctx["path"]), "start_line": int(ctx["start_line"]),
               "commit": ctx.get("commit"), "note": ctx.get("note")}
        if f.kind == "code" and loc.start_line:  # the sink a flagged string reaches a few lines on (a PartiQL call)
            below = self.reader.lines(loc.path, self.reader.resolve(_commit(f))) or []
            out["below"] = _scrub("".join(below[loc.start_line - 1:loc.start_line + 24]), ctx["path"])
            from tasks.fixes.scan_scope import generated_mark

            mark = generated_mark("".join(below[:12])[:4000])  # a generator's file: a comment in it is lost (round 48)
            if mark:
                out["generated"] = mark
            if loc.path.endswith((".py", ".go")) and len(below) <= 20000:  # what else the file does with a module a fix
                # swaps (set 50: Gokapi's demoData.go calls rand.Intn 17 times outside the window; crypto/rand has none)
                key = (loc.path, _commit(f))
                if key not in self._whole:  # scrubbed once per file, shared by its findings
                    self._whole[key] = _scrub("".join(below), ctx["path"])
                out["file"] = self._whole[key]
                out["python_floor"] = python_floor(self.reader, self.reader.resolve(_commit(f)), self._whole) if loc.path.endswith(".py") else None
            elif loc.path.endswith(SCRIPT_SUFFIXES) and len(below) <= 20000:  # a template literal a comment must not enter
                key = (loc.path, _commit(f))
                if key not in self._whole:
                    self._whole[key] = _scrub("".join(below), ctx["path"])
                out["script"] = self._whole[key]
            # the modules the file imports: which DB driver's placeholder a query fix takes (tasks.fixes.sql_fit)
            out["imports"] = "".join(l for l in below[:300] if re.match(r"\s*(?:import|from)\s+\w", l))[:4000]
            if loc.path.endswith(".py") and _TIMEOUT_RULE.search(str(f.rule_id or "")):  # tests that pin the call's
                out["asserts"] = self._asserts(f, out["below"])  # arguments (round 49: linkding's favicon tests)
            sites = self._sites(f)
            if sites:  # who calls the enclosing function, and with what (tasks.enrich.call_sites)
                out["sites"] = {k: _scrub(v, ctx["path"]) for k, v in sites.items()}
        if f.kind == "config" and loc.path.endswith((".yaml", ".yml")):  # an image this repository builds (postgres-based)
            built = self._built(f.snippet or ctx["text"])
            if built:
                out["built"] = built
        if f.kind == "config" and _DOCKERFILE.search(loc.path):  # what its start script does as root
            start = self._start(loc.path, _commit(f))
            if start:
                out["start"] = start
        if f.kind == "config" and _WHOLE_FILE.search(loc.path):  # a workflow's steps, a spec's operations decide the fix
            key = (loc.path, _commit(f))
            if key not in self._whole:  # scrubbed once per file: a Terraform file carries many findings
                lines = self.reader.lines(loc.path, self.reader.resolve(_commit(f)))
                self._whole[key] = _scrub("".join(lines), ctx["path"]) if lines and len(lines) <= 20000 else None
            if self._whole[key]:
                out["file"] = self._whole[key]
            if loc.path.endswith(".tf"):  # what the project's CI does with its buckets (tasks.enrich.iac_context)
                out["ci"] = self._ci(_commit(f))
                out["module"] = self._module(loc.path, _commit(f))  # a resource the fix would add may exist next door
        return out

    def _sites(self, f: Finding) -> dict[str, str]:
        """The repository's calls of the function the flagged Python line sits in, per parameter; the file list and
        parsed modules are read once per build (tasks.triage.callers)."""
        from tasks.enrich.analysis import origins_matter

        if not (f.path or "").endswith(".py") or not origins_matter(f):  # only those rows say where values come from
            return {}
        from tasks.enrich.call_sites import parameter_sites

        key = ("sites", f.path, (f.location or NO_LOCATION).start_line)
        if key not in self._whole:
            self._whole[key] = parameter_sites(f, self.reader, self._call_sites())
        return self._whole[key]

    def _asserts(self, f: Finding, below: str) -> list[str]:
        """``path:line`` of the test lines that assert the exact arguments of the flagged requests call: a test file
        that names the flagged module, patches ``requests.<method>`` and calls ``assert_called_with`` (at most 4)."""
        from tasks.triage.report_signals import is_test_path

        call = re.search(r"\b(?:requests|httpx)\.(get|post|put|patch|delete|head|options|request)\(", below)
        if call is None:
            return []
        stem, found = PurePosixPath(str(f.path)).stem, []
        patched = re.compile(rf"""patch\(\s*["'][\w.]*requests\.{call.group(1)}["'][^)]*\)\s+as\s+(\w+)""")
        for path, text in self._call_sites().sources().items():
            if not is_test_path(path) or stem not in text or f"requests.{call.group(1)}" not in text:
                continue
            mocks = set(patched.findall(text))  # only the requests mock's own asserts (the review of the set-45 change)
            found += [f"{path}:{n}" for n, line in enumerate(text.splitlines(), 1) if mocks and re.search(
                rf"\b(?:{'|'.join(map(re.escape, mocks))})\.assert_(?:called_with|called_once_with|any_call)\(", line)]
        return found[:4]

    def _built(self, text: str) -> dict | None:
        """The repository's Dockerfile that builds the first image the manifest text runs (tasks.triage.built_images)."""
        from tasks.triage.built_images import built_by, manifest_images

        images = manifest_images(text)
        if not images:
            return None
        key = ("built", images[0])
        if key not in self._whole:
            self._whole[key] = built_by(images[0], self._index().files, lambda p: self.reader.lines(p, None),
                                        self.reader.repo.name)
        return self._whole[key]

    def _start(self, path: str, commit: str | None) -> dict | None:
        """The Dockerfile's start script and whether it needs or drops root (tasks.triage.entrypoint), once per file."""
        key = ("start", path, commit)
        if key not in self._whole:
            from tasks.triage.docker import instructions
            from tasks.triage.entrypoint import compose_target, drops_root, needs_root, repo_file, start_script

            resolved = self.reader.resolve(commit)
            read = lambda p: self.reader.lines(p, resolved) or []  # noqa: E731
            files = self._index().files
            script = start_script(instructions(read(path)), path, files, read)
            need = needs_root(script["lines"]) if script else None
            drop = drops_root(script["lines"], read, lambda name: repo_file(name, path, files, [])) if script else None
            clean = lambda hit: [hit[0], hit[1], _scrub(hit[2], script["path"]), *hit[3:]] if hit else None  # noqa: E731
            target = compose_target(path, files, read)  # compose runs another stage than the last
            if ("socket", commit) not in self._whole:  # the compose files, read once per commit, not per Dockerfile
                self._whole[("socket", commit)] = next((c for c in files if _COMPOSE.search(c) and "docker.sock" in "".join(read(c)[:2000])), None)
            socket = self._whole[("socket", commit)]
            self._whole[key] = None if not script and not target and not socket else {
                "path": script and script["path"], "line": script and script["line"], "needs_root": clean(need),
                "drops_root": clean(drop), **({"compose_target": list(target)} if target else {}),
                **({"docker_socket": socket} if socket else {})}  # set 50: dockge drives Docker through the host's socket
        return self._whole[key]

    def _call_sites(self):
        """The repository's call-site index (tasks.triage.callers), built once per build."""
        if self._callers is None:
            from tasks.triage.callers import Callers

            self._callers = Callers(self._index())
        return self._callers

    def _index(self):
        """The repository's tracked files (one `git ls-files` per build), shared by the call sites and the images."""
        if self._imports is None:
            from tasks.triage.reachability import ImportIndex

            self._imports = ImportIndex(self.reader)
        return self._imports

    def _module(self, path: str, commit: str | None) -> str:
        """The other ``.tf`` files of the flagged file's folder (its Terraform module), scrubbed, read once per folder:
        a fix must not declare a resource the module already has (``terraform init``: "Duplicate resource")."""
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        key = ("module", folder, commit)
        if key not in self._whole:
            from tasks.repository.source import run_git, safe_path

            resolved = self.reader.resolve(commit) if commit else None
            where = ["--", safe_path(folder) + "/"] if folder and safe_path(folder) else []
            try:
                code, listing = run_git(self.reader.repo, ["ls-tree", "-z", "--name-only", resolved or "HEAD", *where],
                                        max_bytes=1 << 20, ok_codes=(0, 128))
            except Exception:  # noqa: BLE001 - an unreadable listing gives no module, never a failure
                code, listing = 1, b""
            names = [n for n in listing.decode("utf-8", "replace").split("\x00") if n.endswith(".tf") and n != path]
            texts = [f"# file: {n}\n" + "".join(self.reader.lines(n, resolved) or []) for n in names[:30]]
            self._whole[key] = _scrub("\n".join(texts), path)[:400000] if texts else ""
        return self._whole[key]

    def _ci(self, commit: str | None) -> list[tuple[str, int, str]]:
        """(path, line number, line) of the lines of the CI workflows that name an S3 bucket (``s3://``,
        ``--bucket``), scrubbed; read once per commit."""
        if ("ci", commit) not in self._whole:
            resolved = self.reader.resolve(commit) if commit else None
            found = []
            for path in self.reader.tracked(resolved, ".github/workflows", limit=50):
                if not re.search(r"\.ya?ml$", path):
                    continue
                for n, line in enumerate(self.reader.lines(path, resolved) or [], 1):
                    if re.search(r"s3://|--bucket\b", line) and len(found) < 200:
                        found.append((path, n, _scrub(line.strip(), path)[:300]))
            self._whole[("ci", commit)] = found
        return self._whole[("ci", commit)]

    def applies(self, row: dict, f: Finding | dict, commit: str | None) -> bool | None:
        """``git apply --check`` of a stage-2 row's diff against its file at ``commit`` (the run's, or the mined
        fix's before-commit); None without a checkout or a diff."""
        meta = row["meta"]
        code = meta.get("code") or {}
        if self.reader is None or not meta.get("has_diff") or not meta.get("expected_diff") or not code.get("path"):
            return None
        from tasks.fixes.patch_check import git_apply_check

        resolved = self.reader.resolve(commit) if commit else None
        lines = self.reader.lines(code["path"], resolved)
        if lines is None:
            return False
        return git_apply_check(meta["expected_diff"], code["path"], "".join(lines))

    def mined(self, findings: list[dict]) -> dict[str, dict]:
        """finding id -> the fix the team made (before code and diff), from git history.

        Also teaches the reader every secret finding's values first, so no window
        of code shows a secret another finding pointed at.
        """
        if self.reader is None:
            return {}
        self.reader.learn_secrets(findings)
        if self.runs_path is None or not self.runs_path.is_file():
            return {}
        try:
            from tasks.fixes.mined import mine_fixes
        except ImportError:
            return {}
        runs = [json.loads(l) for l in self.runs_path.read_text(encoding="utf-8").splitlines() if l.strip()]
        usable = [f for f in findings if as_finding(f).kind not in ("secret", "dependency", "web")]  # mine_fixes reads the JSON form
        out = {}
        for m in mine_fixes(usable, runs, self.reader, self.context_lines):
            m = dict(m, before=_scrub(m["before"], m["path"]), diff=_scrub(m["diff"], m["path"]))
            out.setdefault(m["finding_id"], m)
        return out
