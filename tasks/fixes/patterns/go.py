"""Go fix patterns (standard library first)."""

from __future__ import annotations

import re

PATTERNS = {
    "sql-injection": """Use placeholders and pass the values as arguments; database/sql sends them separately:
```go
rows, err := db.QueryContext(ctx, "SELECT id, name FROM users WHERE email = $1", email)
```
(MySQL drivers use `?`.) Never build the query with `fmt.Sprintf` or `+`.""",
    "command-injection": """Call the program directly with separate arguments; do not run `sh -c` with input:
```go
cmd := exec.CommandContext(ctx, "git", "log", "--oneline", "--", file)
out, err := cmd.Output()
```
Validate arguments against an allowlist; put `--` before values that could start with `-`.""",
    "path-traversal": """Clean the name and check it stays under the base directory (Go 1.20+: `filepath.IsLocal`; Go 1.24+: `os.Root`):
```go
if !filepath.IsLocal(name) {
	return errors.New("path outside the allowed directory")
}
f, err := os.Open(filepath.Join(baseDir, name))
```""",
    "xss": """Render HTML with `html/template`, which escapes by context; `text/template` does not:
```go
import "html/template"

tmpl := template.Must(template.New("page").Parse(`<p>{{.Name}}</p>`))
err := tmpl.Execute(w, data)
```
Do not convert input to `template.HTML`.""",
    "insecure-tls": """Remove `InsecureSkipVerify: true`. To trust a private CA, add it to a cert pool:
```go
pool := x509.NewCertPool()
pool.AppendCertsFromPEM(caPEM)
client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
```""",
    "insecure-random": """`math/rand` is predictable; use `crypto/rand` for tokens and keys:
```go
b := make([]byte, 32)
if _, err := rand.Read(b); err != nil {
	return err
}
token := base64.RawURLEncoding.EncodeToString(b)
```""",
    "weak-hash": """Use SHA-256 (`crypto/sha256`) for integrity and a password hash (`golang.org/x/crypto/bcrypt` or argon2) for passwords instead of MD5/SHA-1:
```go
sum := sha256.Sum256(data)
```""",
    "weak-crypto": """Use AES-GCM with a random nonce instead of DES, RC4 or unauthenticated modes:
```go
block, err := aes.NewCipher(key) // 32-byte key
gcm, err := cipher.NewGCM(block)
nonce := make([]byte, gcm.NonceSize())
_, err = rand.Read(nonce)
ciphertext := gcm.Seal(nonce, nonce, plaintext, nil)
```""",
    "ssrf": """Do not fetch URLs from the request as given. Parse them and allow only https to known hosts:
```go
u, err := url.Parse(raw)
if err != nil || u.Scheme != "https" || !allowedHosts[u.Hostname()] {
	return errors.New("URL not allowed")
}
```
A custom `net.Dialer.Control` can also refuse private and loopback addresses.""",
    "open-redirect": """Redirect only to local paths or allowlisted hosts:
```go
u, err := url.Parse(next)
if err != nil || u.IsAbs() || u.Host != "" {
	next = "/"
}
http.Redirect(w, r, next, http.StatusFound)
```""",
    "format-string": """Do not pass untrusted text as the format of `fmt.Printf`/`log.Printf`/`fmt.Errorf`; use a constant format:
```go
log.Printf("request failed: %s", msg)
```""",
    "xxe": """`encoding/xml` does not resolve external entities, so prefer it for untrusted input. With libxml2 bindings, do not enable entity substitution (`XML_PARSE_NOENT`) or DTD loading.""",
    "deserialization": """Decode untrusted input into a concrete struct with `encoding/json` and reject unknown fields; avoid `encoding/gob` for data from outside:
```go
dec := json.NewDecoder(r.Body)
dec.DisallowUnknownFields()
var req CreateUserRequest
if err := dec.Decode(&req); err != nil {
	return err
}
```""",
    "bind-all-interfaces": """Listen on the interface the service is meant for, from configuration, rather than every interface:
```go
addr := os.Getenv("LISTEN_ADDR") // for example "127.0.0.1:8080"
log.Fatal(http.ListenAndServe(addr, mux))
```""",
}

_SKIP_VERIFY = re.compile(r"InsecureSkipVerify\s*:\s*true")


def tls_verify(line: str) -> str | None:
    return _SKIP_VERIFY.sub("InsecureSkipVerify: false", line) if _SKIP_VERIFY.search(line) else None


REWRITES = {"insecure-tls": tls_verify}
