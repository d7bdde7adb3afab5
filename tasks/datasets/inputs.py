"""What the build_datasets task depends on, without importing the build (dodo.py reads it on every run)."""

from __future__ import annotations

from pathlib import Path


def task_inputs(config: dict, layout) -> tuple[dict, list[str]]:
    """(source settings, data dependencies) of the build_datasets task.

    The runs index matters only with a source repository (it maps runs to commits); a public corpus
    file is a dependency by content when it exists.
    """
    repo = (config.get("source") or {}).get("repo_path")
    source = {"repo_path": repo, "runs": str(layout.runs) if repo else None, "triage": str(layout.triage),
              "advisory_fixes": str(layout.advisory_fixes)}
    deps = [str(p) for p in (layout.findings, layout.narratives, layout.triage, layout.advisory_fixes, *([layout.runs] if repo else []))]
    public = config["datasets"].get("public_corpus")
    if public and Path(public["path"]).is_file():
        deps.append(str(public["path"]))
    return source, deps
