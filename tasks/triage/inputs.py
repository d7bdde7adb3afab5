"""What the triage task depends on, without importing the checks (dodo.py reads it on every run)."""

from __future__ import annotations

from pathlib import Path


def task_inputs(cfg: dict, repo: str | None, shipped) -> tuple[list[str], dict]:
    """(file dependencies, config_changed settings) of the triage task: the advisory folder's files and
    state, the VEX documents named in the config, the repository's ignore files.

    ``shipped`` maps a project-relative path to the workspace (``Layout.shipped``); VEX paths that are
    absolute or climb out with ``..`` are not dependencies (the step refuses them itself).
    """
    from tasks.triage.advisories import folder_deps

    adv = (cfg.get("advisories") or {}).get("path")
    adv_files, adv_state = folder_deps(shipped(adv) if adv and not Path(adv).is_absolute() else adv)
    extra = [str(shipped(p)) for p in cfg.get("vex_inputs") or []
             if not Path(p).is_absolute() and ".." not in Path(p).parts and shipped(p).is_file()]
    if repo:  # the repository's ignore files; its suppression comments and imports are read at its working tree
        extra += [str(Path(repo) / n) for n in (".trivyignore", ".gitleaksignore") if (Path(repo) / n).is_file()]
    return adv_files + extra, {"triage": cfg, "repo_path": repo, **adv_state}
