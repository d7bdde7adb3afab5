"""Official Docker images whose own entrypoint takes root away before the service runs.

Checkov's CKV_DOCKER_3 asks every Dockerfile for a ``USER`` instruction.  An
image built ``FROM`` one of the official images below needs none: the
image's ``docker-entrypoint.sh`` starts as root only to fix the ownership of
the data folder, then re-executes the server as the image's own user
(``gosu``/``setpriv``), and the web-server images run their workers as an
unprivileged user while the master keeps the port.  Each entry says who runs
the service, how, and which commands the entrypoint drops root for: a
Dockerfile whose ``CMD`` starts something else (``/bin/sh start.sh``), or
that sets an ``ENTRYPOINT`` of its own, bypasses the switch and really runs
as root, so it keeps the finding.

The Kubernetes fixes (tasks.fixes.checkov_facts) take the non-root UID of
the same images from ``uid`` here.  Sources: each image's
docker-library repository (docker-entrypoint.sh, Dockerfile) and its Docker
Hub page.
"""

from __future__ import annotations

# image -> user, uid, how it drops root, commands (first word of CMD) the entrypoint drops root for;
# commands () means only the image's own CMD does (an added CMD replaces the foreground server)
ROOT_DROPPING: dict[str, dict] = {
    "mongo": {"user": "mongodb", "uid": 999, "how": "docker-entrypoint.sh re-executes mongod as mongodb with gosu",
              "commands": ("mongod", "mongos")},
    "postgres": {"user": "postgres", "uid": 999, "how": "docker-entrypoint.sh re-executes postgres as postgres with gosu",
                 "commands": ("postgres",)},
    "mysql": {"user": "mysql", "uid": 999, "how": "docker-entrypoint.sh re-executes mysqld as mysql with gosu",
              "commands": ("mysqld",)},
    "mariadb": {"user": "mysql", "uid": 999, "how": "docker-entrypoint.sh re-executes mariadbd as mysql with gosu",
                "commands": ("mariadbd", "mysqld")},
    "redis": {"user": "redis", "uid": 999, "how": "docker-entrypoint.sh re-executes redis-server as redis with gosu",
              "commands": ("redis-server",)},
    "rabbitmq": {"user": "rabbitmq", "uid": 999, "how": "docker-entrypoint.sh re-executes rabbitmq-server as rabbitmq with gosu",
                 "commands": ("rabbitmq-server",)},
    "httpd": {"user": "daemon", "uid": 1, "how": "httpd's configuration (User daemon) runs the workers that serve requests "
              "as daemon; only the master keeps root for the port", "commands": ()},
    "php-apache": {"user": "www-data", "uid": 33, "how": "apache2-foreground runs the Apache workers that execute PHP as "
                   "www-data; only the master keeps root for the port", "commands": ()},
}


def official_image(ref: str) -> str | None:
    """The table's name for an image reference (``postgres:16-alpine`` -> postgres, ``php:8.2-apache`` ->
    php-apache, ``docker.io/library/redis`` -> redis), or None for someone else's image or another variant."""
    ref = ref.split("@")[0].strip().lower()
    path, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "")
    parts = path.split("/")
    if parts[0] == "docker.io":
        parts = parts[1:]
    if len(parts) == 2 and parts[0] == "library":
        parts = parts[1:]
    if len(parts) != 1:
        return None  # someone else's build: its entrypoint is not known
    name = parts[0]
    if name == "php":
        return "php-apache" if tag.endswith("apache") or "-apache-" in tag else None
    return name if name in ROOT_DROPPING and name != "php-apache" else None
