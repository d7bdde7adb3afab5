"""Service: running secft unattended and reporting on it.

Owns ``daemon`` (poll CI, fetch, rebuild), ``units`` (launchd plist and systemd units, the 0600
environment file), ``status`` (the pipeline's state as JSON) and ``prune`` (archive old runs).

May import: every other package (it is the outermost layer).
"""
