"""Core: errors, atomic writes, hashing, schemas, settings, network, run lock, doit's database."""
