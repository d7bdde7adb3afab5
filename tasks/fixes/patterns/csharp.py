"""C# / .NET fix patterns."""

from __future__ import annotations

PATTERNS = {
    "sql-injection": """Use a parameterised command; never concatenate or interpolate input into `CommandText`:
```csharp
using var cmd = new SqlCommand("SELECT * FROM Users WHERE Email = @email", connection);
cmd.Parameters.Add("@email", SqlDbType.NVarChar, 256).Value = email;
using var reader = cmd.ExecuteReader();
```
With Entity Framework use LINQ or `FromSqlInterpolated`/`FromSql` (which parameterise), not `FromSqlRaw` with concatenated strings.""",
    "command-injection": """Start the program directly with an argument list (no `cmd.exe /c`, no `UseShellExecute`):
```csharp
var psi = new ProcessStartInfo("git") { UseShellExecute = false, RedirectStandardOutput = true };
psi.ArgumentList.Add("log");
psi.ArgumentList.Add("--");
psi.ArgumentList.Add(file);
using var process = Process.Start(psi);
```""",
    "xss": """Let Razor encode output (`@value`); never emit input through `Html.Raw` or `HtmlString`. When building HTML in code, encode it:
```csharp
var safe = HtmlEncoder.Default.Encode(userValue);
```""",
    "path-traversal": """Resolve the full path and check it stays under the base directory:
```csharp
var baseDir = Path.GetFullPath("/srv/app/files") + Path.DirectorySeparatorChar;
var target = Path.GetFullPath(Path.Combine(baseDir, fileName));
if (!target.StartsWith(baseDir, StringComparison.Ordinal))
    throw new UnauthorizedAccessException("path outside the allowed directory");
```""",
    "deserialization": """Do not use `BinaryFormatter`, `NetDataContractSerializer`, `SoapFormatter` or Json.NET with `TypeNameHandling` other than `None` on untrusted data. Deserialise into a fixed type with System.Text.Json:
```csharp
var request = JsonSerializer.Deserialize<CreateUserRequest>(body);
```""",
    "insecure-tls": """Remove `ServerCertificateCustomValidationCallback = (...) => true` (and `ServicePointManager.ServerCertificateValidationCallback` returning true). Trust a private CA by installing it in the machine's trust store, or validate against it explicitly with `X509Chain` and a `CustomTrustStore` (.NET 5+).""",
    "xxe": """Parse XML with DTD processing prohibited and no resolver:
```csharp
var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
using var reader = XmlReader.Create(stream, settings);
var doc = new XmlDocument { XmlResolver = null };
doc.Load(reader);
```""",
    "insecure-random": """`System.Random` is predictable; use `RandomNumberGenerator` for tokens and keys:
```csharp
var bytes = RandomNumberGenerator.GetBytes(32);
var token = Convert.ToBase64String(bytes);
```""",
    "weak-hash": """Use SHA-256 for integrity and a password hasher (ASP.NET Core Identity's `PasswordHasher`, or `Rfc2898DeriveBytes.Pbkdf2`) for passwords instead of MD5/SHA-1:
```csharp
var digest = SHA256.HashData(data);
```""",
    "weak-crypto": """Use `AesGcm` (authenticated) instead of DES, TripleDES, RC2 or ECB/CBC without a MAC:
```csharp
using var aes = new AesGcm(key, AesGcm.TagByteSizes.MaxSize);
var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
var ciphertext = new byte[plaintext.Length];
var tag = new byte[AesGcm.TagByteSizes.MaxSize];
aes.Encrypt(nonce, plaintext, ciphertext, tag);
```""",
    "open-redirect": """Redirect only to local URLs:
```csharp
if (!Url.IsLocalUrl(returnUrl))
    returnUrl = "/";
return LocalRedirect(returnUrl);
```""",
    "ssrf": """Do not request URLs taken from input; allow only https to known hosts:
```csharp
var uri = new Uri(raw);
if (uri.Scheme != Uri.UriSchemeHttps || !AllowedHosts.Contains(uri.Host))
    throw new ArgumentException("URL not allowed");
```""",
    "cookie-httponly": """Set HttpOnly (and Secure, SameSite) on the cookie:
```csharp
Response.Cookies.Append("session", value, new CookieOptions { HttpOnly = true, Secure = true, SameSite = SameSiteMode.Lax });
```""",
    "cookie-secure": """Send the cookie only over HTTPS:
```csharp
Response.Cookies.Append("session", value, new CookieOptions { Secure = true, HttpOnly = true, SameSite = SameSiteMode.Lax });
```""",
}

REWRITES = {}
