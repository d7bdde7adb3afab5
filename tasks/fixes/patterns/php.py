"""PHP fix patterns."""

from __future__ import annotations

import re

PATTERNS = {
    "sql-injection": """Use a prepared statement with bound parameters (PDO or mysqli), never string concatenation:
```php
$stmt = $pdo->prepare('SELECT * FROM users WHERE email = :email');
$stmt->execute(['email' => $email]);
$user = $stmt->fetch();
```""",
    "command-injection": """Avoid the shell; if a command must run, escape each argument (or use Symfony Process with an array):
```php
$output = shell_exec('convert ' . escapeshellarg($src) . ' ' . escapeshellarg($dst));
// or: (new Symfony\\Component\\Process\\Process(['convert', $src, $dst]))->mustRun();
```""",
    "xss": """Escape output for HTML when printing it:
```php
echo htmlspecialchars($value, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
```
In Twig or Blade keep auto-escaping (`{{ }}`) and do not use the `raw` filter or `{!! !!}` on input.""",
    "path-traversal": """Resolve the path and check it stays in the base directory:
```php
$base = realpath('/srv/app/files');
$target = realpath($base . DIRECTORY_SEPARATOR . $name);
if ($target === false || !str_starts_with($target, $base . DIRECTORY_SEPARATOR)) {
    throw new RuntimeException('path outside the allowed directory');
}
```""",
    "deserialization": """Do not call `unserialize` on input: it can instantiate arbitrary classes. Use JSON, or restrict the classes:
```php
$data = json_decode($body, true, 512, JSON_THROW_ON_ERROR);
$legacy = unserialize($value, ['allowed_classes' => false]);
```""",
    "code-injection": """Never pass input to `eval`, `assert` with strings, `create_function` or `preg_replace` with `/e`. Map input to known callables:
```php
$handlers = ['add' => fn($a, $b) => $a + $b];
$handler = $handlers[$op] ?? throw new InvalidArgumentException('unknown operation');
```""",
    "insecure-tls": """Keep certificate checks on: remove `CURLOPT_SSL_VERIFYPEER => false` and `CURLOPT_SSL_VERIFYHOST => 0`. Point cURL at a private CA instead:
```php
curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, true);
curl_setopt($ch, CURLOPT_SSL_VERIFYHOST, 2);
curl_setopt($ch, CURLOPT_CAINFO, '/etc/ssl/certs/internal-ca.pem');
```""",
    "xxe": """Do not enable entity substitution or network access when parsing untrusted XML:
```php
$doc = new DOMDocument();
$doc->loadXML($xml, LIBXML_NONET);
```
Never pass `LIBXML_NOENT` or `LIBXML_DTDLOAD` for input from outside (PHP 8 disables external entity loading by default).""",
    "insecure-random": """`rand()`, `mt_rand()` and `uniqid()` are predictable; use the CSPRNG:
```php
$token = bin2hex(random_bytes(32));
$code = random_int(100000, 999999);
```""",
    "weak-hash": """Use `password_hash`/`password_verify` for passwords and SHA-256 for integrity instead of MD5/SHA-1:
```php
$hash = password_hash($password, PASSWORD_DEFAULT);
$digest = hash('sha256', $data);
```""",
    "weak-crypto": """Use an authenticated cipher instead of DES, RC4 or ECB/CBC without a MAC - libsodium, or AES-256-GCM through OpenSSL:
```php
$nonce = random_bytes(SODIUM_CRYPTO_SECRETBOX_NONCEBYTES);
$ciphertext = sodium_crypto_secretbox($plaintext, $nonce, $key);
```
With OpenSSL: `openssl_encrypt($plaintext, 'aes-256-gcm', $key, OPENSSL_RAW_DATA, $iv, $tag)` with a fresh 12-byte `$iv`.""",
    "open-redirect": """Redirect only to local paths or allowlisted hosts:
```php
$host = parse_url($next, PHP_URL_HOST);
if ($host !== null && !in_array($host, $allowedHosts, true)) {
    $next = '/';
}
header('Location: ' . $next);
```""",
    "ssrf": """Do not fetch URLs from input as given; allow only https to known hosts:
```php
$parts = parse_url($url);
if (($parts['scheme'] ?? '') !== 'https' || !in_array($parts['host'] ?? '', $allowedHosts, true)) {
    throw new InvalidArgumentException('URL not allowed');
}
```""",
}


def curl_verify(line: str) -> str | None:
    out = re.sub(r"(CURLOPT_SSL_VERIFYPEER\s*(?:,|=>)\s*)(?:false|0)\b", r"\1true", line, flags=re.I)
    out = re.sub(r"(CURLOPT_SSL_VERIFYHOST\s*(?:,|=>)\s*)(?:false|0|1)\b", r"\g<1>2", out, flags=re.I)
    return out if out != line else None


REWRITES = {"insecure-tls": curl_verify}
