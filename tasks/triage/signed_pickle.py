"""``pickle.loads`` inside a serializer that Django's signing calls only after the signature checks out.

django-q's ``signing.py`` defines ``PickleSerializer.loads(data): return pickle.loads(data)`` and hands the class to
``signing.loads(obj, key=Conf.SECRET_KEY, salt=Conf.PREFIX, serializer=PickleSerializer)``.  Bandit B301 flags the
``pickle.loads``; round 63's grader: "it only runs after core_signing.loads checks the HMAC signature (TimestampSigner
with the secret key, constant-time compare); the row recommends 'verify an HMAC', which the code already does".
Django's ``signing.loads`` unsigns the text first and raises ``BadSignature`` before any deserialisation, so the
pickle reads only what a holder of the key signed.

The check holds only when the serializer class is used in its file as a ``serializer=`` argument of a ``loads``/
``dumps`` call of a module named ``signing`` (Django's, or a project copy such as django-q's ``core_signing``) that
passes a ``key=`` or none (Django then takes ``settings.SECRET_KEY``), and nowhere else in the file.

May import: ``tasks.findings``, ``tasks.triage.parsed_source``.
"""

from __future__ import annotations

import ast
import re

from tasks.findings.model import Finding, as_finding
from tasks.triage.parsed_source import enclosing_function, python_tree

_RULE = re.compile(r"(?i)^B301$|pickle")
_UNPICKLE = re.compile(r"\b(?:c?[Pp]ickle|dill|_pickle)\.loads?\(")


def _signing_call(node: ast.AST) -> bool:
    """``<...signing>.loads(...)``/``dumps(...)`` (Django's signing module or a copy of it named so)."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("loads", "dumps")
            and re.search(r"signing$", ast.unparse(node.func.value)) is not None)


def _dotted_name(node) -> bool:
    """``Conf.SECRET_KEY``, ``settings.SIGNING_KEY``: names and attributes only, no call, literal or operator."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def check_signed_pickle(f: Finding | dict, reader=None) -> dict | None:
    """{"check": "code", "status": "signed", "evidence"} when the flagged unpickling is a serializer's method that only
    Django's signing calls in its file, else None."""
    f = as_finding(f)
    if f.kind != "code" or not f.line or not _RULE.search(str(f.rule_id or "")):
        return None
    parsed = python_tree(reader, f)
    if not parsed:
        return None
    tree, source = parsed
    lines = source.splitlines()
    if not 0 < f.line <= len(lines) or not _UNPICKLE.search(lines[f.line - 1]):
        return None
    method = enclosing_function(tree, f.line)
    owner = next((c for c in ast.walk(tree) if isinstance(c, ast.ClassDef) and method in c.body), None)
    if method is None or owner is None or method.name != "loads":
        return None
    uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == owner.name]
    signed = [c for c in ast.walk(tree) if _signing_call(c)
              and any(k.arg == "serializer" and isinstance(k.value, ast.Name) and k.value.id == owner.name for k in c.keywords)]
    readers = [c for c in signed if c.func.attr == "loads"]
    if not readers or len(uses) != len(signed):  # the class used anywhere else: it may unpickle unsigned data
        return None
    call = readers[0]
    key = next((k.value for k in call.keywords if k.arg == "key"), None)
    if key is not None and not _dotted_name(key):  # a literal anywhere in it (a fallback, an .encode()): whoever
        return None  # reads the source may sign, and the row must not quote it (round 65's attack)
    keyed = "the project's SECRET_KEY (no `key=`: Django's default)" if key is None else f"the key `{ast.unparse(key)[:60]}`"
    return {"check": "code", "status": "signed", "evidence": (
        f"signed data only: the unpickling at {f.path}:{f.line} is {owner.name}.loads(), the serializer this file hands "
        f"to `{ast.unparse(call.func)}(..., serializer={owner.name})` (line {call.lineno}), which checks the data's "
        f"HMAC signature with {keyed} and raises BadSignature before it calls the serializer: only data signed with "
        "that key is unpickled, and whoever can forge it already holds the key")}
