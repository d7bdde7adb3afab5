"""The package layout holds: imports flow from later phases to earlier ones, never back, and no module
imports another that (directly or through others) imports it.

docs/architecture.md explains the phases; this test is what keeps them true.  It reads the source with
``ast`` (imports inside functions count too: a lazy import is still a dependency) and fails with the
offending edges or cycle named.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TASKS = Path(__file__).resolve().parents[1] / "tasks"
# pipeline order: a package may import itself and the packages before it
ORDER = ["core", "ingest", "findings", "repository", "triage", "fixes", "enrich", "datasets", "training",
         "evaluation", "publish", "service"]
# command entry points (python -m tasks.X) sit outside the phases and may import any of them
COMMANDS = {"finetune", "daemon", "models", "status", "prune", "variables", "fetch_artifacts"}
MAX_LINES = 300


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(TASKS.rglob("*.py")):
        parts = list(path.relative_to(TASKS.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The tasks modules ``name`` imports (``from pkg import mod`` counts as importing ``pkg.mod``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _phase(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ORDER else None


def test_every_package_is_a_known_phase_and_every_top_level_module_a_command():
    for module, path in MODULES.items():
        parts = module.split(".")
        if len(parts) == 1:
            continue
        if path.parent == TASKS:
            assert parts[1] in COMMANDS or parts[1] in ORDER, f"{module}: a top-level module that is not a command"
        else:
            assert parts[1] in ORDER, f"{module}: package {parts[1]} is not in the phase order"


def test_imports_flow_from_later_phases_to_earlier_ones():
    backward = []
    for module, deps in GRAPH.items():
        mine = _phase(module)
        if mine is None:  # tasks/__init__ or a command
            continue
        for dep in deps:
            theirs = _phase(dep)
            if dep != "tasks" and (theirs is None or ORDER.index(theirs) > ORDER.index(mine)):
                backward.append(f"{module} -> {dep}")
    assert not backward, "an earlier phase imports a later one:\n" + "\n".join(sorted(backward))


def test_no_import_cycles():
    # a submodule's implicit import of its own package's __init__ is not an edge (Python does it for every
    # submodule); everything written in an import statement is
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(GRAPH[node]):
            if state.get(dep) == 1:
                cycles.append(" -> ".join(stack[stack.index(dep):] + [dep]))
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(GRAPH):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_every_package_says_what_it_owns_and_may_import():
    for module, path in MODULES.items():
        if path.name == "__init__.py" and _phase(module) and module.count(".") == 1:
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            assert "May import" in doc, f"{path}: the package docstring does not say what it may import"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[module]}: {lines} lines (at most {MAX_LINES})"


def test_the_checker_sees_a_backward_import(tmp_path):
    """The rule is not vacuous: an edge from core to service is found as backward."""
    assert ORDER.index("core") < ORDER.index("service")
    GRAPH["tasks.core.errors"].add("tasks.service.units")
    try:
        with pytest.raises(AssertionError, match="tasks.core.errors -> tasks.service.units"):
            test_imports_flow_from_later_phases_to_earlier_ones()
    finally:
        GRAPH["tasks.core.errors"].discard("tasks.daemon")
