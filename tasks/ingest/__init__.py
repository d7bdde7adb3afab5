"""Ingest: fetching CI artifacts and unpacking them safely."""
