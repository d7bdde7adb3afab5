"""JavaScript fix patterns (Node.js and browser); TypeScript uses the same code."""

from __future__ import annotations

import re

PATTERNS = {
    "sql-injection": """Use placeholders and pass the values separately; never build the SQL string from input:
```javascript
const [rows] = await pool.execute("SELECT * FROM users WHERE email = ? AND active = ?", [email, true]);
```
(node-postgres uses `$1, $2`: `client.query("SELECT ... WHERE id = $1", [id])`; with an ORM use its query builder or `replacements`/`bind` options.)""",
    "command-injection": """Do not pass a command string to a shell (`exec`, `execSync`, `shell: true`). Call the program directly with an argument array:
```javascript
const { execFile } = require("node:child_process");

execFile("git", ["log", "--oneline", "--", file], (err, stdout) => { /* ... */ });
```
Validate arguments against an allowlist, and put `--` before values that could start with `-`.""",
    "xss": """Insert untrusted data as text, not HTML:
```javascript
element.textContent = userValue;
```
If HTML is really needed, sanitise it first (`DOMPurify.sanitize(html)`); in React avoid `dangerouslySetInnerHTML`, and on the server keep the template engine's escaping (`{{ }}` in Handlebars, `<%= %>` in EJS) instead of the raw forms.""",
    "path-traversal": """Resolve the path against the base directory and refuse anything that leaves it:
```javascript
const path = require("node:path");

const BASE = path.resolve("/srv/app/files");

function safePath(name) {
  const target = path.resolve(BASE, name);
  if (target !== BASE && !target.startsWith(BASE + path.sep)) {
    throw new Error("path outside the allowed directory");
  }
  return target;
}
```""",
    "deserialization": """Do not deserialise untrusted input with libraries that revive functions or classes (`node-serialize`, `serialize-javascript` eval, YAML loaders with custom types). Parse plain data and validate its shape:
```javascript
const data = JSON.parse(body);
if (typeof data.name !== "string") throw new Error("invalid payload");
```
For YAML use `yaml.load(text, { schema: yaml.JSON_SCHEMA })` (js-yaml 4 is safe by default).""",
    "code-injection": """Never pass input to `eval`, `new Function`, `setTimeout`/`setInterval` with a string, or `vm.runInContext`. Parse data instead, and dispatch to known functions:
```javascript
const data = JSON.parse(text);
const handlers = { add: (a, b) => a + b, sub: (a, b) => a - b };
const handler = Object.hasOwn(handlers, op) ? handlers[op] : null;
```""",
    "insecure-tls": """Keep certificate checks on: remove `rejectUnauthorized: false` and never set `NODE_TLS_REJECT_UNAUTHORIZED=0`. To trust a private CA, pass it:
```javascript
const https = require("node:https");
const fs = require("node:fs");

const agent = new https.Agent({ ca: fs.readFileSync("/etc/ssl/certs/internal-ca.pem") });
```""",
    "xxe": """Parse XML with external entities disabled. With libxmljs keep `noent: false` (the default) and `nonet: true`:
```javascript
const doc = libxmljs.parseXml(xml, { noent: false, nonet: true });
```
Parsers such as `fast-xml-parser` do not resolve external entities at all and are a safe choice for untrusted input.""",
    "insecure-random": """`Math.random()` is predictable. Use the crypto API for tokens, ids and secrets:
```javascript
const crypto = require("node:crypto");

const token = crypto.randomBytes(32).toString("base64url");
const id = crypto.randomUUID();
```
In browsers use `crypto.getRandomValues(new Uint8Array(32))`.""",
    "open-redirect": """Redirect only to local paths or allowlisted hosts:
```javascript
function safeRedirect(target) {
  const url = new URL(target, "https://app.example.com");
  return url.origin === "https://app.example.com" ? url.pathname + url.search : "/";
}
res.redirect(safeRedirect(req.query.next));
```""",
    "ssrf": """Fetch only allowlisted hosts over https; do not pass user-supplied URLs straight to `fetch`/`axios`:
```javascript
const ALLOWED = new Set(["api.example.com"]);

function checkUrl(raw) {
  const url = new URL(raw);
  if (url.protocol !== "https:" || !ALLOWED.has(url.hostname)) throw new Error("URL not allowed");
  return url;
}
```
Also refuse redirects to other hosts (`redirect: "manual"`) and block internal address ranges at the network level.""",
    "format-string": """Node's `util.format` (used by `console.log`/`console.error`) treats `%s`, `%d`, `%j`, `%o` in the first argument as placeholders, so untrusted text there can change or hide the output. Pass a constant format and the value as an argument:
```javascript
console.error("Failed to load %s", userInput);
```""",
    "hardcoded-secret": None,  # handled by tasks.fixes.secrets
    "weak-hash": """Use SHA-256 (or a password hash for passwords) instead of MD5/SHA-1:
```javascript
const crypto = require("node:crypto");

const digest = crypto.createHash("sha256").update(data).digest("hex");
```
For passwords use `crypto.scrypt` or a library such as `argon2`/`bcrypt`. If the MD5 value is only a cache or de-duplication key, it is not a security control - record that in the finding's suppression instead.""",
    "weak-crypto": """Use AES-GCM from the crypto module instead of DES, RC4 or ECB/CBC without a MAC:
```javascript
const crypto = require("node:crypto");

const iv = crypto.randomBytes(12);
const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
const tag = cipher.getAuthTag();
```""",
    "cookie-httponly": """Set `httpOnly` (and `secure`, `sameSite`) on session cookies:
```javascript
res.cookie("session", value, { httpOnly: true, secure: true, sameSite: "lax" });
```""",
    "cookie-secure": """Send the cookie only over HTTPS:
```javascript
res.cookie("session", value, { secure: true, httpOnly: true, sameSite: "lax" });
```""",
    "cookie-samesite": """Set the SameSite attribute:
```javascript
res.cookie("session", value, { sameSite: "lax", secure: true, httpOnly: true });
```""",
    "csrf": """Protect state-changing routes with a CSRF token (or SameSite cookies plus an Origin check). With Express, `csrf-csrf` or `csurf`-style middleware issues and checks the token:
```javascript
const { doubleCsrf } = require("csrf-csrf");

const { doubleCsrfProtection } = doubleCsrf({ getSecret: () => process.env.CSRF_SECRET });
app.use(doubleCsrfProtection);
```""",
}


def tls_verify(line: str) -> str | None:
    out = re.sub(r"\brejectUnauthorized\s*:\s*false\b", "rejectUnauthorized: true", line)
    return out if out != line else None


REWRITES = {"insecure-tls": tls_verify}
