"""Python fix patterns, and the line rewrites that turn some of them into diffs."""

from __future__ import annotations

import re

from tasks.fixes.patterns.python_timeouts import PATTERN as TIMEOUT_PATTERN
from tasks.fixes.patterns.python_timeouts import add_timeout

PATTERNS = {
    "sql-injection": """Pass the values as query parameters and keep the SQL text constant; the driver quotes them:
```python
cursor.execute("SELECT * FROM users WHERE username = %s AND active = %s", (username, True))
```
(sqlite3 uses `?` placeholders; with the Django ORM use `Model.objects.filter(...)` or `raw(sql, params)`; with SQLAlchemy `text("... :name")` and bound parameters.) Table or column names cannot be parameters: choose them from an allowlist.""",
    "sql-injection-partiql": """This is a DynamoDB PartiQL statement (boto3 `execute_statement`), not a DB-API cursor: keep the statement constant, put `?` where each value goes, and pass the values in `Parameters`, in DynamoDB's typed form:
```python
response = client.execute_statement(
    Statement='SELECT * FROM "users" WHERE name = ?',
    Parameters=[{"S": name}],
)
```
One `?` per parameter, in order; `{"S": ...}` is a string, `{"N": str(n)}` a number. A table name cannot be a parameter: choose it from a fixed list.""",
    "sql-injection-sqlalchemy": """The query runs through SQLAlchemy (a session's or a connection's `execute`, which SQLAlchemy 2 gives a string only inside `text()`): keep the SQL text constant in `text()` with a named placeholder and pass the value as a bound parameter:
```python
from sqlalchemy import text

result = db.session.execute(text("SELECT * FROM users WHERE username = :username"), {"username": username})
```
Or use the ORM (`User.query.filter_by(username=username).first()`). Table or column names cannot be parameters: choose them from an allowlist.""",
    "command-injection": """Run the program without a shell and pass the input as one argument in a list, so shell metacharacters are not interpreted:
```python
import subprocess

subprocess.run(["convert", src_path, dst_path], check=True)
```
Never use `shell=True` or `os.system` with data from outside; validate the arguments against an allowlist where their values are known in advance.""",
    "xss": """Let the template engine escape the value instead of marking it safe. In Django, build HTML with `format_html`, which escapes every argument:
```python
from django.utils.html import format_html

message = format_html('Saved. You may edit it <a href="{}">here</a>.', url)
```
Reserve `mark_safe` for constant markup; in Flask/Jinja keep autoescaping on and do not use `|safe` or `Markup()` on input.""",
    "xss-flask": """Let Jinja escape the value instead of marking it safe. Build markup with `Markup.format` (or `markupsafe.escape`), which escapes every argument:
```python
from markupsafe import Markup

message = Markup('Saved. You may edit it <a href="{}">here</a>.').format(url)
```
Keep autoescaping on (Flask's `render_template` turns it on for `.html` templates) and do not use `|safe` or `Markup()` on data from outside.""",
    "path-traversal": """Resolve the requested path and check that it stays inside the base directory before using it:
```python
from pathlib import Path

BASE = Path("/srv/app/files").resolve()

def safe_path(name: str) -> Path:
    path = (BASE / name).resolve()
    if not path.is_relative_to(BASE):
        raise ValueError("path outside the allowed directory")
    return path
```
Better still, map user input to server-chosen names (an id looked up in a table) instead of accepting paths.""",
    "deserialization": """Do not unpickle or `yaml.load` data that can come from outside: pickle and the full YAML loader execute code. Use a data-only format:
```python
import json
import yaml

data = json.loads(payload)      # or
config = yaml.safe_load(text)
```
If the data must be signed objects between your own services, verify an HMAC before loading - but prefer JSON.""",
    "code-injection": """Never evaluate input as Python. Parse the data format you expect instead:
```python
import ast
import json

value = ast.literal_eval(text)  # literals only: numbers, strings, lists, dicts
data = json.loads(text)
```
For an expression language, use a small parser with an allowlist of operations instead of `eval`/`exec`.""",
    "insecure-tls": """Keep certificate verification on; to trust a private CA, point the client at its bundle instead of disabling checks:
```python
import requests

response = requests.get(url, timeout=10, verify="/etc/ssl/certs/internal-ca.pem")
```
For `ssl`, use `ssl.create_default_context()` and never set `check_hostname = False` or `verify_mode = ssl.CERT_NONE`.""",
    "xxe": """Parse untrusted XML with `defusedxml`, which refuses external entities and entity-expansion bombs; it mirrors the standard-library APIs:
```python
import defusedxml.ElementTree as ET

tree = ET.parse(path)
```
For lxml, create the parser with `lxml.etree.XMLParser(resolve_entities=False, no_network=True)`.
defusedxml is a separate package: add it to the project's requirements (`pip install defusedxml`), or the import fails.
It changes behaviour for a document that declares entities or refers to an external resource: by default it raises
`EntitiesForbidden` or `ExternalReferenceForbidden` (`ValueError` subclasses, not `ParseError`; a DTD alone still parses
unless `forbid_dtd=True`), so where the code catches `ParseError` around the parse it must catch
`defusedxml.DefusedXmlException` too, or such a file that parsed before now stops the caller.""",
    "insecure-random": """Use the `secrets` module for anything an attacker must not guess (tokens, passwords, reset codes, session ids):
```python
import secrets
import string

token = secrets.token_urlsafe(32)
code = "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(12))
```
The `random` module is fine for simulations and non-security choices - if this use is one, say so in a `# nosec` comment with the reason.""",
    "open-redirect": """Redirect only to paths on your own site, or to hosts on an allowlist; a check of `netloc` alone is not enough, since browsers read `/\\evil.com` and `///evil.com` as a link to evil.com:
```python
import re
from urllib.parse import urlsplit

def safe_next(url: str, allowed_hosts: set[str]) -> str:
    url = re.sub(r"[\\t\\n\\r]", "", url).replace("\\\\", "/")  # what browsers drop, and a backslash read as "/"
    parsed = urlsplit(url)
    if parsed.netloc:
        return url if parsed.scheme in ("", "https") and parsed.netloc in allowed_hosts else "/"
    if parsed.scheme or not url.startswith("/") or url.startswith("//"):
        return "/"
    return url
```""",
    "ssrf": """Do not fetch arbitrary URLs from input. Allow only known hosts and schemes, and resolve the host to refuse internal addresses:
```python
import ipaddress
import socket
from urllib.parse import urlparse

ALLOWED_HOSTS = {"api.example.com"}

def check_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme != "https" or parsed.hostname not in ALLOWED_HOSTS:
        raise ValueError("URL not allowed")
    for info in socket.getaddrinfo(parsed.hostname, 443):
        if not ipaddress.ip_address(info[4][0]).is_global:
            raise ValueError("URL resolves to an internal address")
    return url
```""",
    "request-timeout": TIMEOUT_PATTERN,
    "url-scheme": """`urllib.request.urlopen` also opens `file://` and custom schemes. Check the scheme before opening, and pass a timeout:
```python
from urllib.parse import urlparse
from urllib.request import urlopen

if urlparse(url).scheme not in ("http", "https"):
    raise ValueError("only http(s) URLs are allowed")
with urlopen(url, timeout=10) as response:
    body = response.read()
```""",
    "debug-enabled": """Never run with the debugger on outside development: Flask's debugger executes code for anyone who reaches it. Read the flag from the environment, off by default:
```python
import os

# only debug changes: keep the call's other arguments (host, port) as they are
app.run(debug=os.environ.get("FLASK_DEBUG") == "1")
```
In production run the app under a WSGI server (gunicorn, uWSGI) instead of `app.run`.""",
    "bind-all-interfaces": """Bind to the interface the service is meant for, from configuration, instead of every interface (0.0.0.0):
```python
import os

host = os.environ.get("BIND_HOST", "127.0.0.1")
```
If the service must be reachable from outside (in a container, for example), keep 0.0.0.0 but document it and restrict access at the network level.""",
    "insecure-temp-file": """Create temporary files with `tempfile`, which picks an unpredictable name and opens it exclusively:
```python
import tempfile

with tempfile.NamedTemporaryFile("w", delete=False) as handle:
    handle.write(data)
```
Do not build paths like `/tmp/name` by hand or use `tempfile.mktemp`.""",
    "assert-used": """`assert` statements are removed when Python runs with `-O`, so a check written as an assert disappears in optimised builds. For a real check in application code, raise explicitly:
```python
if not user.is_admin:
    raise PermissionError("admin rights required")
```
In test code (pytest), asserts are the intended style and this finding can be ignored.""",
    "csv-injection": """Quote every field when writing CSV meant for spreadsheets, and neutralise cells that start with `=`, `+`, `-` or `@`:
```python
import csv

writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
```""",
    "cleartext-protocol": """Use an encrypted protocol instead of telnet or plain FTP: SSH (paramiko) or SFTP, or FTP over TLS:
```python
from ftplib import FTP_TLS

ftp = FTP_TLS(host)
ftp.login(user, password)
ftp.prot_p()
```""",
    "weak-crypto": """Use authenticated encryption from the `cryptography` package instead of DES, RC4 or ECB/CBC without a MAC:
```python
import os
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

key = AESGCM.generate_key(bit_length=256)
nonce = os.urandom(12)
ciphertext = AESGCM(key).encrypt(nonce, plaintext, associated_data)
```
Store the nonce with the ciphertext and never reuse it with the same key.""",
    "cookie-httponly": """Set HttpOnly (and Secure, SameSite) when setting the cookie, so scripts cannot read it:
```python
response.set_cookie("session", value, httponly=True, secure=True, samesite="Lax")
```
For Django's own cookies use `SESSION_COOKIE_HTTPONLY = True` (the default) and `CSRF_COOKIE_HTTPONLY = True` in settings.""",
    "cookie-secure": """Send the cookie only over HTTPS:
```python
response.set_cookie("session", value, secure=True, httponly=True, samesite="Lax")
```
In Django settings: `SESSION_COOKIE_SECURE = True` and `CSRF_COOKIE_SECURE = True`; in Flask: `SESSION_COOKIE_SECURE = True`.""",
    "cookie-samesite": """Set the SameSite attribute:
```python
response.set_cookie("session", value, samesite="Lax", secure=True, httponly=True)
```""",
    "csrf": """Keep CSRF protection on for state-changing views: in Django remove `@csrf_exempt` and keep `CsrfViewMiddleware`; in Flask use Flask-WTF's `CSRFProtect`:
```python
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect(app)
```""",
}

# --------------------------------------------------------------------------- other rewrites

_XML_IMPORTS = [
    (re.compile(r"^(\s*)import xml\.etree\.(?:c?ElementTree) as (\w+)\s*$"), r"\1import defusedxml.ElementTree as \2"),
    (re.compile(r"^(\s*)from xml\.etree import (?:c?ElementTree)( as \w+)?\s*$"), r"\1from defusedxml import ElementTree\2"),
    (re.compile(r"^(\s*)from xml\.etree\.c?ElementTree import (parse|fromstring|iterparse|XMLParser)((?:, (?:parse|fromstring|iterparse|XMLParser))*)\s*$"),
     r"\1from defusedxml.ElementTree import \2\3"),
    (re.compile(r"^(\s*)from xml\.dom import (minidom|pulldom)( as \w+)?\s*$"), r"\1from defusedxml import \2\3"),
    (re.compile(r"^(\s*)import xml\.dom\.minidom\s*$"), r"\1import defusedxml.minidom"),
    (re.compile(r"^(\s*)import xml\.sax\s*$"), r"\1import defusedxml.sax"),
]


def defuse_import(line: str) -> str | None:
    for rx, rep in _XML_IMPORTS:
        if rx.match(line):
            return rx.sub(rep, line)
    return None


def safe_yaml(line: str) -> str | None:
    if "yaml.load(" in line and "Loader" not in line:
        return line.replace("yaml.load(", "yaml.safe_load(")
    m = re.search(r"yaml\.load\(([^()]*),\s*Loader\s*=\s*yaml\.(?:Unsafe|Full)?Loader\)", line)
    if m:
        return line[:m.start()] + f"yaml.safe_load({m.group(1)})" + line[m.end():]
    return None


def verify_on(line: str) -> str | None:
    out = re.sub(r"\bverify\s*=\s*False\b", "verify=True", line)
    out = out.replace("ssl._create_unverified_context(", "ssl.create_default_context(")
    return out if out != line else None


def debug_off(line: str) -> str | None:
    if re.search(r"\.run\(.*\bdebug\s*=\s*True\b", line):
        return re.sub(r"\bdebug\s*=\s*True\b", "debug=False", line)
    return None


REWRITES = {"request-timeout": add_timeout, "xxe": defuse_import, "deserialization": safe_yaml, "insecure-tls": verify_on, "debug-enabled": debug_off}
