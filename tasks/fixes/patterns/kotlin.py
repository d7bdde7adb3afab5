"""Kotlin fix patterns (JVM APIs in Kotlin syntax; Android where the API differs)."""

from __future__ import annotations

import re

PATTERNS = {
    "sql-injection": """Bind the values instead of concatenating them into the SQL:
```kotlin
connection.prepareStatement("SELECT * FROM users WHERE email = ?").use { stmt ->
    stmt.setString(1, email)
    stmt.executeQuery().use { rs -> /* ... */ }
}
```
On Android use `db.rawQuery("SELECT * FROM users WHERE email = ?", arrayOf(email))` or Room's `@Query` with `:email` parameters.""",
    "command-injection": """Pass the program and its arguments separately; never run input through a shell:
```kotlin
val process = ProcessBuilder("ping", "-c", "1", host)
    .redirectErrorStream(true)
    .start()
```
Validate `host` against a strict pattern first.""",
    "path-traversal": """Normalise against the base directory and refuse paths that leave it:
```kotlin
val base = Paths.get("/srv/app/files").toRealPath()
val target = base.resolve(fileName).normalize()
require(target.startsWith(base)) { "path outside the allowed directory" }
```""",
    "deserialization": """Do not read untrusted data with `ObjectInputStream`; use kotlinx.serialization or another data-only format with a fixed type:
```kotlin
val user = Json.decodeFromString<UserDto>(body)
```""",
    "insecure-random": """Use `SecureRandom` for tokens and keys (`kotlin.random.Random` and `java.util.Random` are predictable):
```kotlin
val bytes = ByteArray(32).also { SecureRandom().nextBytes(it) }
val token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)
```""",
    "weak-hash": """Use SHA-256 for integrity and a password hash (PBKDF2, bcrypt, Argon2) for passwords instead of MD5/SHA-1:
```kotlin
val digest = MessageDigest.getInstance("SHA-256").digest(data)
```""",
    "weak-crypto": """Use AES-GCM with a fresh 12-byte IV per message:
```kotlin
val cipher = Cipher.getInstance("AES/GCM/NoPadding")
val iv = ByteArray(12).also { SecureRandom().nextBytes(it) }
cipher.init(Cipher.ENCRYPT_MODE, key, GCMParameterSpec(128, iv))
val ciphertext = cipher.doFinal(plaintext)
```""",
    "insecure-tls": """Remove trust-all `X509TrustManager`s and `HostnameVerifier { _, _ -> true }`. Trust a private CA through a trust store (on Android, a `network_security_config.xml` with the CA in `<trust-anchors>`), and keep hostname verification on.""",
    "xxe": """Disable DTDs and external entities before parsing:
```kotlin
val factory = DocumentBuilderFactory.newInstance().apply {
    setFeature("http://apache.org/xml/features/disallow-doctype-decl", true)
    setFeature("http://xml.org/sax/features/external-general-entities", false)
    setFeature("http://xml.org/sax/features/external-parameter-entities", false)
    isXIncludeAware = false
    isExpandEntityReferences = false
}
```""",
    "open-redirect": """Redirect only to local paths or allowlisted hosts:
```kotlin
val target = URI.create(next)
val safe = if (target.isAbsolute && target.host !in allowedHosts) "/" else target.toString()
```""",
    "ssrf": """Do not fetch URLs taken from the request as given; allow only https to known hosts:
```kotlin
val uri = URI.create(url)
require(uri.scheme == "https" && uri.host in allowedHosts) { "URL not allowed" }
```""",
    "xss": """Encode untrusted values for HTML before writing them (OWASP Java Encoder works from Kotlin):
```kotlin
val html = "<p>${Encode.forHtml(userValue)}</p>"
```
With kotlinx.html or a template engine, keep its escaping on.""",
}

_RANDOM = re.compile(r"\b(?:java\.util\.)?Random\(\s*\)")


def secure_random(line: str) -> str | None:
    """``java.util.Random()`` -> ``java.security.SecureRandom()`` (a subclass: the type still fits)."""
    if "kotlin.random" in line or not _RANDOM.search(line):
        return None
    return _RANDOM.sub("java.security.SecureRandom()", line)


REWRITES = {"insecure-random": secure_random}
