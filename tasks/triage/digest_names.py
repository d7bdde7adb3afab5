"""Where a weak digest ends up, for tasks.triage.digest_use: the name it is stored under (an attribute, a name, a
subscript or dict key: ``self.custom_css_hash``, ``current_md5``, ``update_obj["previous_md5"]``), whether it is
compared with something that is no stored fingerprint (an integrity check), and whether it only becomes a number
(``int(digest[:4], 16)``: a colour hue, a shard).  Split from digest_use to keep each module small.
"""

from __future__ import annotations

import ast
import re

STORED_ID = re.compile(r"(?i)(?:^|_)(?:hash|etag|checksum|fingerprint|cache_?key|md5|sha1|username|slug|version|guid|uuid)$")  # x.custom_css_hash = md5()


def as_number(use, parents) -> bool:
    """The use reaches ``int(..., 16)`` only through slicing and ``.hexdigest()``: the digest becomes a number."""
    node = use
    for _ in range(4):
        p = parents.get(node)
        if isinstance(p, ast.Call) and isinstance(p.func, ast.Name) and p.func.id == "int" and len(p.args) == 2 \
                and p.args[0] is node and isinstance(p.args[1], ast.Constant) and p.args[1].value == 16:
            return True
        if not (isinstance(p, ast.Subscript) and p.value is node or isinstance(p, ast.Attribute) and p.attr == "hexdigest"
                or isinstance(p, ast.Call) and p.func is node):
            return False
        node = p
    return False


def checked_against_other(func, name: str, parents) -> bool:
    """``name`` is compared with something other than another fingerprint (``digest == req.media["expected"]``,
    unlike ``current_md5 == previous_md5``): an integrity or access check, where collisions matter."""
    for use in (n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)):
        cmp = parents.get(use)
        if isinstance(cmp, ast.Compare):
            others = [x for x in [cmp.left, *cmp.comparators] if x is not use]
            if any(not STORED_ID.search(re.sub(r"\W+$", "", re.sub(r"['\"\])]", "", ast.unparse(o)))) for o in others):
                return True
    return False


_METHODS = {"hexdigest", "digest", "rstrip", "strip", "decode", "encode", "lower", "upper"}
_ENCODINGS = {"hexdigest", "digest", "b64encode", "urlsafe_b64encode", "b32encode", "rstrip", "strip", "decode",
              "encode", "str", "smart_str", "force_str", "lower", "upper"}


def _encoded(node, calls, depth: int = 0) -> bool:
    """``node`` is the digest itself, or only re-encodes it (pontoon's username: `smart_str(urlsafe_b64encode(
    sha1(email).digest()).rstrip(b"="))`, set 33): no other value is mixed in."""
    if node in calls:
        return True
    if depth > 8 or not isinstance(node, ast.Call):
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id if isinstance(node.func, ast.Name) else ""
    method = name in _METHODS and isinstance(node.func, ast.Attribute)  # `.rstrip(b"=")` works on its receiver
    inner = [node.func.value] if method else node.args[:1]
    return name in _ENCODINGS and len(inner) == 1 and _encoded(inner[0], calls, depth + 1)


def stored_name(func, calls, line: int) -> tuple[str, str] | None:
    """(name, as written) of what the digest on ``line`` is stored under: an attribute (``self.css_hash``), a name
    (``current_md5``), a subscript key (``update_obj["previous_md5"]``), a dict literal's key
    (``{'previous_md5': md5(...)}``) or a keyword argument (``guid=sha1(...).hexdigest()``), or None."""
    for n in ast.walk(func):
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and n.lineno <= line <= (n.end_lineno or n.lineno) \
                and any(c in set(ast.walk(n.value)) for c in calls):
            t = n.targets[0]
            key = t.slice if isinstance(t, ast.Subscript) else None
            name = t.attr if isinstance(t, ast.Attribute) else t.id if isinstance(t, ast.Name) else \
                key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
            direct = _encoded(n.value, calls)  # md5(x), md5(x).hexdigest(), smart_str(b64encode(sha1(x).digest()))
            if name and direct:
                return name, ast.unparse(t)
        if isinstance(n, ast.keyword) and n.arg and getattr(n.value, "lineno", 0) <= line <= (getattr(n.value, "end_lineno", 0) or 0) \
                and _encoded(n.value, calls):  # quokka's RSSItem(guid=hashlib.sha1(...).hexdigest()) (round 56)
            return n.arg, f"the argument `{n.arg}=`"
        if isinstance(n, ast.Dict):
            for k, v in zip(n.keys, n.values):
                if isinstance(k, ast.Constant) and isinstance(k.value, str) and getattr(v, "lineno", 0) == line \
                        and any(c in set(ast.walk(v)) for c in calls):
                    return k.value, f"the key '{k.value}'"
    return None
