"""Language-neutral fixes, used when no pattern exists for the file's language.

Precise prose and no code: a code block from another language is exactly
the error this package exists to avoid.
"""

from __future__ import annotations

PROSE = {
    "sql-injection": "Keep the SQL text constant and pass every value as a bound parameter of the database API (a prepared or parameterised statement); never concatenate or format input into the query. Identifiers such as table or column names cannot be parameters - pick them from an allowlist.",
    "command-injection": "Do not pass a command string through a shell. Start the program directly with its arguments as a separate list, validate each argument against an allowlist, and mark the end of options (`--`) before user-supplied values.",
    "xss": "Encode untrusted data for the context it is written into (HTML text, attribute, JavaScript, URL) using the template engine's automatic escaping, and do not mark input as safe or raw HTML; sanitise with a maintained HTML sanitiser where some markup must be allowed.",
    "path-traversal": "Resolve the requested path to its canonical absolute form and check that it is still inside the allowed base directory before opening it; better, map user input to server-chosen file names.",
    "deserialization": "Do not deserialise untrusted data with a format that can instantiate arbitrary types or run code; parse a data-only format such as JSON into a fixed type and validate it, or restrict deserialisation to an allowlist of classes.",
    "code-injection": "Never evaluate input as code. Parse the data format you expect, and dispatch to a fixed set of operations chosen by name from an allowlist.",
    "insecure-tls": "Keep TLS certificate and hostname verification on. To trust a private CA, add that CA to the client's trust store instead of disabling verification, and require TLS 1.2 or newer.",
    "xxe": "Configure the XML parser to refuse DTDs and external entities (and XInclude) before parsing untrusted documents, or use a parser that never resolves them.",
    "insecure-random": "Generate tokens, keys, session ids and reset codes with the platform's cryptographically secure random number generator, not the general-purpose pseudo-random one.",
    "weak-hash": "If the digest protects anything (integrity against tampering, signatures, tokens), replace MD5/SHA-1 with SHA-256 or stronger, and use a dedicated password hash (Argon2, bcrypt, scrypt, PBKDF2) for passwords. If it is only a non-security identifier such as a cache or de-duplication key, it is not a vulnerability: record that reason where the finding is suppressed.",
    "weak-crypto": "Replace DES, 3DES, RC4 and ECB/CBC-without-MAC with an authenticated mode (AES-GCM or ChaCha20-Poly1305) using a fresh random nonce per message and a 256-bit key from the platform's key-management facility.",
    "open-redirect": "Redirect only to relative paths inside the application or to hosts on an explicit allowlist; fall back to a fixed page for anything else.",
    "ssrf": "Do not make server-side requests to URLs taken from input. Allow only the schemes and hosts the feature needs, resolve the host and refuse private, loopback and link-local addresses, and do not follow redirects to other hosts.",
    "ldap-injection": "Escape user input for LDAP filter syntax (RFC 4515) or use the directory API's parameterised filters instead of concatenating it into the filter string.",
    "xpath-injection": "Bind values as XPath variables (or escape them) instead of concatenating input into the expression.",
    "cookie-httponly": "Set the HttpOnly attribute on session and authentication cookies so scripts cannot read them.",
    "cookie-secure": "Set the Secure attribute on cookies so browsers send them only over HTTPS.",
    "cookie-samesite": "Set the SameSite attribute (Lax or Strict) on session cookies to limit cross-site sending.",
    "csrf": "Require an unpredictable anti-CSRF token on every state-changing request (the framework's CSRF protection), and keep session cookies SameSite.",
    "debug-enabled": "Turn debug mode off outside development and read the setting from the environment, defaulting to off; a debug console in production lets anyone who reaches it run code.",
    "bind-all-interfaces": "Bind the service to the interface it is meant for, read from configuration, instead of all interfaces; restrict access at the network level where it must be public.",
    "insecure-temp-file": "Create temporary files with the platform's secure temporary-file API, which picks an unpredictable name and creates the file exclusively, instead of building a fixed path in a shared directory.",
    "csv-injection": "Quote every field in exported CSV and neutralise cells that begin with =, +, - or @ (prefix them with a single quote) so spreadsheets do not evaluate them as formulas.",
    "cleartext-protocol": "Replace the cleartext protocol with its encrypted counterpart (SSH/SFTP instead of telnet/FTP, HTTPS instead of HTTP) and do not send credentials over unencrypted connections.",
    "url-scheme": "Check the URL's scheme against an allowlist (http and https) before opening it, so file:// and custom schemes cannot be used to read local files.",
    "secret-in-log": "Log who and what, never the credential: pass the account's name or id to the log call and leave the password, token or key out of the message and its arguments (or mask it to its last four characters); a credential that did reach a log is rotated and the log's copies deleted.",
    "password-policy": "Run the framework's password validators on every password a user chooses before it is stored (Django: `django.contrib.auth.password_validation.validate_password(password, user)` before `user.set_password(password)`, and show its errors), so length, common-password and similarity rules apply; a password a test or a management command sets for a throwaway account needs no change.",
    "assert-used": "Do not rely on assertions for security or input checks in application code, since they can be disabled at run time; use an explicit check that raises an error.",
}
