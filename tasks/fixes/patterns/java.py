"""Java fix patterns (Servlet / JDBC / JCA era APIs as the scanned code uses them)."""

from __future__ import annotations

import re

PATTERNS = {
    "sql-injection": """Use a `PreparedStatement` with `?` placeholders; the driver sends the values separately from the SQL:
```java
String sql = "SELECT * FROM users WHERE username = ? AND password_hash = ?";
try (PreparedStatement stmt = connection.prepareStatement(sql)) {
    stmt.setString(1, username);
    stmt.setString(2, passwordHash);
    try (ResultSet rs = stmt.executeQuery()) {
        // ...
    }
}
```
With Spring's `JdbcTemplate` pass the values as arguments (`jdbcTemplate.query(sql, mapper, username)`); with JPA use named parameters (`setParameter`). Identifiers (table, column, ORDER BY) must come from an allowlist.""",
    "command-injection": """Do not build a command line from input for `Runtime.exec`. Pass the program and each argument separately with `ProcessBuilder`, and validate the arguments:
```java
ProcessBuilder pb = new ProcessBuilder("ping", "-c", "1", host);
pb.redirectErrorStream(true);
Process process = pb.start();
```
Never wrap the input in `sh -c` / `cmd /c`; check values such as `host` against a strict pattern or allowlist first.""",
    "xss": """Encode untrusted data for the HTML context before writing it (OWASP Java Encoder):
```java
import org.owasp.encoder.Encode;

response.getWriter().write("<p>" + Encode.forHtml(userValue) + "</p>");
```
Use `Encode.forHtmlAttribute` inside attributes and `Encode.forJavaScript` inside scripts; in JSP use `<c:out value="${...}"/>` rather than raw `${...}`.""",
    "path-traversal": """Normalise the path against the base directory and refuse anything outside it:
```java
Path base = Paths.get("/srv/app/files").toRealPath();
Path target = base.resolve(fileName).normalize();
if (!target.startsWith(base)) {
    throw new SecurityException("path outside the allowed directory");
}
```
Prefer mapping an id to a server-side file name over accepting names from the request.""",
    "deserialization": """Do not deserialise untrusted bytes with `ObjectInputStream`. Use a data format (JSON with a fixed target class), or if Java serialisation cannot be removed, restrict the classes with a filter (Java 9+):
```java
ObjectInputStream in = new ObjectInputStream(input);
in.setObjectInputFilter(ObjectInputFilter.Config.createFilter("com.example.dto.*;java.base/*;!*"));
```
With Jackson, do not enable default typing (`activateDefaultTyping`) for untrusted input.""",
    "code-injection": """Do not evaluate input with a `ScriptEngine`, EL/SpEL or OGNL. Parse the expected data and dispatch to fixed code; for SpEL on input use `SimpleEvaluationContext.forReadOnlyDataBinding()` instead of `StandardEvaluationContext`.""",
    "insecure-tls": """Do not install a trust-all `TrustManager` or a `HostnameVerifier` that returns true. Load the private CA into a trust store instead:
```java
KeyStore trust = KeyStore.getInstance("PKCS12");
try (InputStream in = Files.newInputStream(Paths.get("truststore.p12"))) {
    trust.load(in, trustStorePassword);
}
TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
tmf.init(trust);
SSLContext ctx = SSLContext.getInstance("TLS");
ctx.init(null, tmf.getTrustManagers(), null);
```""",
    "xxe": """Disable DTDs and external entities on the parser factory before parsing:
```java
DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
dbf.setFeature("http://xml.org/sax/features/external-general-entities", false);
dbf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
dbf.setXIncludeAware(false);
dbf.setExpandEntityReferences(false);
```
For `XMLInputFactory` set `XMLInputFactory.SUPPORT_DTD` and `IS_SUPPORTING_EXTERNAL_ENTITIES` to false; for `SAXParserFactory` set the same features.""",
    "insecure-random": """`java.util.Random` (and `Math.random`) is predictable. Use `SecureRandom` for tokens, ids and keys:
```java
SecureRandom random = new SecureRandom();
byte[] token = new byte[32];
random.nextBytes(token);
String value = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
```""",
    "weak-hash": """Replace MD5/SHA-1 with SHA-256 for integrity, and a password hash (PBKDF2, bcrypt, Argon2) for passwords:
```java
MessageDigest md = MessageDigest.getInstance("SHA-256");
byte[] digest = md.digest(data);
```
If the digest is only a non-security identifier, document that in the suppression instead of changing stored values.""",
    "weak-crypto": """Use AES in GCM mode (authenticated) with a fresh 12-byte IV per message instead of DES, ECB or CBC with padding:
```java
Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
byte[] iv = new byte[12];
new SecureRandom().nextBytes(iv);
cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
byte[] ciphertext = cipher.doFinal(plaintext);
```
The key must be an AES key (`KeyGenerator.getInstance("AES")`, 256 bits); store the IV with the ciphertext.""",
    "open-redirect": """Redirect only to relative paths or allowlisted hosts:
```java
URI target = URI.create(next);
if (target.isAbsolute() && !ALLOWED_HOSTS.contains(target.getHost())) {
    target = URI.create("/");
}
response.sendRedirect(target.toString());
```""",
    "ssrf": """Do not open connections to URLs taken from the request. Accept only https URLs to allowlisted hosts:
```java
URI uri = URI.create(url);
if (!"https".equals(uri.getScheme()) || !ALLOWED_HOSTS.contains(uri.getHost())) {
    throw new IllegalArgumentException("URL not allowed");
}
```
Also disable redirects to other hosts and block internal address ranges at the network level.""",
    "ldap-injection": """Escape user input for LDAP filters (or use the API's parameterised filter) instead of concatenating it:
```java
String filter = "(&(objectClass=person)(uid={0}))";
NamingEnumeration<SearchResult> results = ctx.search(base, filter, new Object[] {username}, controls);
```
JNDI's `search(name, filterExpr, filterArgs, controls)` escapes the `{0}` arguments.""",
    "xpath-injection": """Bind values as XPath variables instead of concatenating them into the expression:
```java
XPath xpath = XPathFactory.newInstance().newXPath();
xpath.setXPathVariableResolver(name -> "user".equals(name.getLocalPart()) ? username : null);
Node node = (Node) xpath.evaluate("//users/user[@name=$user]", doc, XPathConstants.NODE);
```""",
    "cookie-httponly": """Mark the cookie HttpOnly before adding it to the response, so scripts cannot read it:
```java
cookie.setHttpOnly(true);
response.addCookie(cookie);
```""",
    "cookie-secure": """Mark the cookie Secure so it is only sent over HTTPS:
```java
cookie.setSecure(true);
response.addCookie(cookie);
```""",
    "cookie-samesite": """`javax.servlet.http.Cookie` has no SameSite setter before Servlet 6.0. On Servlet 6 (Jakarta EE 10) set the attribute; on older containers configure it globally (Tomcat: `<CookieProcessor sameSiteCookies="strict"/>` in context.xml; Spring Boot: `server.servlet.session.cookie.same-site=strict`):
```java
cookie.setAttribute("SameSite", "Strict"); // jakarta.servlet 6.0+
response.addCookie(cookie);
```""",
    "format-string": """Do not use untrusted text as the format string of `String.format`/`printf`; pass it as an argument:
```java
logger.info(String.format("User %s logged in", username));
```""",
}

_ADD_COOKIE = re.compile(r"^(\s*)(\w+)\.addCookie\(\s*(\w+)\s*\)\s*;")


def _cookie_setter(setter: str):
    def rewrite(line: str) -> str | None:
        m = _ADD_COOKIE.match(line)
        if not m:
            return None
        return f"{m.group(1)}{m.group(3)}.{setter}(true);\n{line}"
    return rewrite


_RANDOM = re.compile(r"\bnew\s+(?:java\.util\.)?Random\(\s*\)")
_WEAK_DIGEST = re.compile(r"MessageDigest\.getInstance\(\s*\"(?:MD5|MD2|SHA1|SHA-1)\"\s*\)")


def secure_random(line: str) -> str | None:
    """``new Random()`` -> ``new java.security.SecureRandom()``: a subclass, so the declared type still fits."""
    return _RANDOM.sub("new java.security.SecureRandom()", line) if _RANDOM.search(line) else None


def sha256_digest(line: str) -> str | None:
    return _WEAK_DIGEST.sub('MessageDigest.getInstance("SHA-256")', line) if _WEAK_DIGEST.search(line) else None


REWRITES = {"cookie-httponly": _cookie_setter("setHttpOnly"), "cookie-secure": _cookie_setter("setSecure"),
            "insecure-random": secure_random, "weak-hash": sha256_digest}
