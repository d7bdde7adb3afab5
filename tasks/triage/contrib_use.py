"""Whether the project's own build ships a file from its top-level ``contrib/`` folder after all.

``contrib/`` holds what the community contributed for others to adapt (navidrome's ``contrib/k8s/manifest.yml``,
held-out set 40); but a release workflow may build ``contrib/docker/Dockerfile`` or a packager install
``contrib/systemd/app.service``, and then it is shipped (the review of set 40).  The build files are read for the
path: GitHub workflows, Makefiles, GoReleaser and nFPM configs, Debian and RPM packaging, Dockerfiles.

May import: ``tasks.repository``.
"""

from __future__ import annotations

import re

_BUILD = re.compile(r"(?:^|/)(?:\.github/workflows/[^/]+\.ya?ml|Makefile|GNUmakefile|[^/]*\.mk|\.goreleaser\.ya?ml|"
                    r"nfpm\.ya?ml|[^/]*\.spec|debian/[^/]+|Dockerfile[^/]*|[^/]*\.dockerfile|docker-compose[^/]*\.ya?ml|"
                    r"compose[^/]*\.ya?ml|setup\.py|pyproject\.toml|package\.json|\.gitlab-ci\.yml)$")
MAX_BUILD_FILES = 200


def shipped_by_build(path: str, reader=None, files=None) -> str | None:
    """"`.github/workflows/release.yml` names it" when a build or packaging file names ``path``, else None."""
    if reader is None or not files:
        return None
    for p in [p for p in files if _BUILD.search(p) and p != path][:MAX_BUILD_FILES]:
        if path in "".join(reader.lines(p, None) or []):
            return f"{p} names it"
    return None
