"""Core: what every phase shares and nothing phase-specific.

Owns the validated settings (``config``: load, profiles, overrides; ``variables``: the doit
``name=value`` modes), the JSON schemas at the boundaries (``schemas``), the one-line error type
(``errors``), atomic writes (``atomic``), content hashes (``hashing``), the bounded HTTP client
(``network``) and the workspace's run lock (``runlock``).

May import: nothing else in ``tasks`` (every other package may import this one).
"""
