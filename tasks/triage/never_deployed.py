"""Code that is never deployed: a function's source folder whose only Terraform references are commented out.

Serverless code reaches the cloud through the Terraform that packages it:
``data "archive_file" { source_dir = "lambda_source_code/NAME" }`` feeding
an ``aws_lambda_function`` (or an Azure/GCP function resource).  When every
line of the module's Terraform that names the folder is a comment (a
scenario left half-built, a function switched off by commenting its
resources out), ``terraform apply`` deploys nothing from it, so a SAST
finding in the folder is not in anything that runs: a false positive of
the deployed system, with the commented lines as evidence.

Conservative by construction: the folder must be named, by its path from
the Terraform file, on at least one commented line of a ``.tf`` file in
the folder's own module (a folder above it), and on no live line of the module's Terraform (``.tf``, ``.tfvars``, ``.hcl``
at any depth), of the scripts and pipelines beside it (``.sh``,
``.yml``/``.yaml``, ``.json``, ``.py``, ``Makefile`` in the module's folder
or one below) or of the repository's CI workflows; any live mention leaves the finding to the other checks.  A
secret-rule finding is left alone too: a committed credential is leaked
whether or not the code around it runs.

May import: ``tasks.core``, ``tasks.findings``.
"""

from __future__ import annotations

import re
import weakref
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.findings.secrets import tool_marks_secret

_DEPLOY_SUFFIXES = (".tf", ".tfvars", ".hcl", ".sh", ".yml", ".yaml", ".json", ".py")
MAX_DEPTH = 6       # folders tried from the finding's file upwards
MAX_FILES = 300     # deployment files read per folder


def _live_lines(lines: list[str], terraform: bool) -> list[bool]:
    """Per line: does it hold code (True) or only a comment (False)?  ``/* */`` blocks count in HCL files."""
    out, in_block = [], False
    for line in lines:
        text = line.strip()
        if terraform and in_block:
            out.append(False)
            in_block = "*/" not in text
            continue
        if terraform and text.startswith("/*"):
            in_block = "*/" not in text[2:]
            out.append(False)
            continue
        out.append(not (text.startswith("#") or (terraform and text.startswith("//"))))
    return out


def _mentions(name: str, rel: str, lines: list[str], terraform: bool) -> tuple[list[int], list[int], list[int]]:
    """(live lines naming the folder, commented lines naming it, commented lines giving its path ``rel``)."""
    by_name = re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w-])")
    by_path = re.compile(rf"(?<![\w.-]){re.escape(rel)}(?![\w-])") if rel else None
    live, dead, dead_path = [], [], []
    for n, (line, is_live) in enumerate(zip(lines, _live_lines(lines, terraform)), 1):
        if not by_name.search(line):
            continue
        if is_live:
            live.append(n)
        else:
            dead.append(n)
            if by_path is not None and by_path.search(line):
                dead_path.append(n)
    return live, dead, dead_path


def _deploy_files(files: list[str], module: str, folder: str) -> list[str] | None:
    """The module's Terraform (any depth), the scripts and pipelines beside it and the repository's CI workflows;
    None when there are more than MAX_FILES (no proof that nothing live names the folder)."""
    prefix = "" if module == "." else module + "/"
    out = []
    for p in files:
        if p.startswith(folder + "/"):
            continue
        inside = p.startswith(prefix)
        terraform = inside and p.endswith((".tf", ".tfvars", ".hcl"))
        beside = inside and p[len(prefix):].count("/") <= 1 and (p.endswith(_DEPLOY_SUFFIXES)
                                                               or PurePosixPath(p).name == "Makefile")
        workflow = p.startswith(".github/workflows/") and p.endswith((".yml", ".yaml"))
        if terraform or beside or workflow:
            out.append(p)
    return out if len(out) <= MAX_FILES else None


class _Terraform:
    """A repository's Terraform module folders and, per code folder, what its deployment files say (cached)."""

    def __init__(self, index):
        self.reader, self.files = index.reader, index.files
        self.dirs = {str(PurePosixPath(p).parent) for p in self.files if p.endswith(".tf")}
        self.folders: dict[str, str | bool | None] = {}

    def folder(self, folder: PurePosixPath) -> str | bool | None:
        """Evidence when only commented lines name ``folder``; False when something live names it or the files are
        too many to read; None when no Terraform names it (look further up)."""
        key = str(folder)
        if key not in self.folders:
            self.folders[key] = self._judge(folder)
        return self.folders[key]

    def _judge(self, folder: PurePosixPath) -> str | bool | None:
        modules = [m for m in self.dirs if m == "." or str(folder).startswith(m + "/")]
        if not modules:
            return None
        module = max(modules, key=len)  # the Terraform module the folder belongs to
        deploy = _deploy_files(self.files, module, str(folder))
        if deploy is None:
            return False
        live_any, dead_hits = False, []
        for p in deploy:
            lines = self.reader.lines(p, None) or []
            here = str(PurePosixPath(p).parent)
            rel = str(folder) if here == "." else (str(folder)[len(here) + 1:] if str(folder).startswith(here + "/") else "")
            live, dead, dead_path = _mentions(folder.name, rel, lines, p.endswith((".tf", ".tfvars", ".hcl")))
            live_any = live_any or bool(live)
            if p.endswith(".tf") and dead_path:
                dead_hits.append((p, dead))
        if live_any:
            return False  # something live names the folder: it may well be deployed
        if dead_hits:
            return f"{folder}/ is named only on commented lines: " + "; ".join(
                f"{p}:{','.join(map(str, dead[:6]))}" for p, dead in dead_hits[:3])
        return None


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # index -> its _Terraform, built once per triage run


def commented_out(path: str, index) -> str | None:
    """'<tf>:<lines>' evidence when the deepest folder of ``path`` that Terraform names is named only on commented lines."""
    if getattr(index, "reader", None) is None or not getattr(index, "files", None):
        return None
    tf = _CACHE.get(index)
    if tf is None:
        tf = _CACHE[index] = _Terraform(index)
    if not tf.dirs:
        return None
    for folder in [d for d in PurePosixPath(path).parents if str(d) != "."][:MAX_DEPTH]:
        said = tf.folder(folder)
        if said is False:
            return None
        if said:
            return said
    return None


def check_never_deployed(f: Finding | dict, index=None) -> dict | None:
    """A code finding in a function folder whose Terraform is commented out -> false-positive reason, else None."""
    f = as_finding(f)
    if f.kind != "code" or not f.path or tool_marks_secret(f.tool, str(f.rule_id), f.title or ""):
        return None
    where = commented_out(f.path, index)
    if not where:
        return None
    return {"check": "path", "status": "never_deployed",
            "evidence": f"never deployed: {where}; no live Terraform, script or pipeline line names the folder, so "
                        "`terraform apply` packages and deploys nothing from it"}
