"""A Go file that a build constraint excludes from every build: ``//go:build ignore`` / ``// +build ignore``.

statping-ng's ``source/generate_help.go`` opens with ``// +build ignore`` and is run by ``//go:generate go run
generate_help.go`` (held-out set 46, both labellers: a developer's code generator, not compiled into the binary).
``go build`` and ``go test`` never compile a file whose constraint names the tag ``ignore`` (no build sets it); such a
file runs only when a developer names it to ``go run``.  A finding in it is not in the shipped program; what the
generator writes (a page, a table) is judged where it lands.

The constraint must stand in the file's header, before the ``package`` clause, as a line comment of its own, and
say only ``ignore`` (``//go:build ignore``, ``// +build ignore``), followed by a blank line (else Go reads it as the
package's doc comment); where a ``//go:build`` line exists only it counts.  Any other expression (``linux &&
!ignore``) may be satisfied by a real build and keeps the finding.  Where a ``//go:generate`` line of the same folder runs it, the
evidence names that line.

May import: ``tasks.findings``, ``tasks.repository``.
"""

from __future__ import annotations

import posixpath
import re

from tasks.findings.model import Finding, as_finding
from tasks.repository.source import finding_lines

_IGNORE = re.compile(r"^\s*//(?:go:build\s+ignore|\s*\+build\s+ignore)\s*$")
_PACKAGE = re.compile(r"^\s*package\s+\w+")
HEADER = 60


def check_go_ignored(f: Finding | dict, reader=None, files=None) -> dict | None:
    """{"check": "path", "status": "not_built", "evidence"} for a finding in a Go file no build compiles, else None."""
    f = as_finding(f)
    path = str(f.path or "")
    if reader is None or f.kind != "code" or not path.endswith(".go") or path.endswith("_test.go"):
        return None
    lines = finding_lines(reader, f)
    at, go_build = None, None
    for n, line in enumerate(lines[:HEADER], 1):
        if _PACKAGE.match(line):
            break
        if line.lstrip().startswith("//go:build"):
            go_build = n  # Go reads only the //go:build line when there is one, never a `// +build` beside it
        if _IGNORE.match(line):
            at = n
    else:
        return None  # no package clause in the header: not read
    if go_build is not None:
        at = go_build if _IGNORE.match(lines[go_build - 1]) else None
    if at is None:
        return None
    follows = next((line for line in lines[at:n] if not line.lstrip().startswith("//")), "")
    if follows.strip():
        return None  # a constraint must be followed by a blank line, else it is the package's doc comment
    name, folder = posixpath.basename(path), posixpath.dirname(path)
    runner = None
    for other in [p for p in files or [] if posixpath.dirname(p) == folder and p.endswith(".go") and p != path][:200]:
        hit = next((n for n, line in enumerate(finding_lines(reader, f, other), 1)
                    if line.lstrip().startswith("//go:generate") and name in line), None)
        if hit:
            runner = f"{other}:{hit}"
            break
    return {"check": "path", "status": "not_built",
            "evidence": f"not part of the shipped program: {path}:{at} carries the build constraint "
                        f"`{lines[at - 1].strip()}`, which excludes the file from every `go build` and `go test`; it runs "
                        "only when a developer passes it to `go run`"
                        + (f" (the `//go:generate` line at {runner})" if runner else "")}
