"""Ruby (and Rails) fix patterns."""

from __future__ import annotations

PATTERNS = {
    "sql-injection": """Let ActiveRecord bind the values instead of interpolating them into SQL:
```ruby
User.where("email = ? AND active = ?", email, true)
User.where(email: email)
```
For raw SQL use `sanitize_sql_array` or bind parameters; column names in `order` must come from an allowlist.""",
    "command-injection": """Pass the command and its arguments separately so no shell is involved (never interpolate into backticks, `system("...")` or `%x`):
```ruby
require "open3"

stdout, status = Open3.capture2("git", "log", "--oneline", "--", file)
```""",
    "xss": """Keep Rails' automatic escaping: do not call `html_safe` or `raw` on input. If some markup is allowed, sanitise it:
```ruby
<%= sanitize(comment.body, tags: %w[b i a], attributes: %w[href]) %>
```""",
    "path-traversal": """Expand the path and check it stays under the base directory:
```ruby
base = File.expand_path("/srv/app/files")
target = File.expand_path(name, base)
raise ArgumentError, "path outside the allowed directory" unless target.start_with?(base + File::SEPARATOR)
```""",
    "deserialization": """Do not `Marshal.load` or `YAML.load` untrusted data. Use JSON, or `YAML.safe_load` with the classes you expect:
```ruby
data = JSON.parse(body)
config = YAML.safe_load(text, permitted_classes: [Date])
```""",
    "code-injection": """Never pass input to `eval`, `instance_eval`, `send`/`public_send` or `constantize`. Map input to known methods:
```ruby
ACTIONS = { "archive" => :archive!, "restore" => :restore! }.freeze
method = ACTIONS.fetch(params[:action_name])
record.public_send(method)
```""",
    "insecure-tls": """Keep certificate verification on: remove `verify_mode = OpenSSL::SSL::VERIFY_NONE`. To trust a private CA, point the client at it:
```ruby
http = Net::HTTP.new(uri.host, uri.port)
http.use_ssl = true
http.verify_mode = OpenSSL::SSL::VERIFY_PEER
http.ca_file = "/etc/ssl/certs/internal-ca.pem"
```""",
    "insecure-random": """Use `SecureRandom` for tokens and ids (`rand` and `Random` are predictable):
```ruby
require "securerandom"

token = SecureRandom.urlsafe_base64(32)
```""",
    "weak-hash": """Use SHA-256 for integrity and bcrypt (`has_secure_password`) for passwords instead of MD5/SHA-1:
```ruby
require "digest"

digest = Digest::SHA256.hexdigest(data)
```""",
    "weak-crypto": """Use AES-256-GCM (authenticated) with a fresh IV instead of DES, RC4 or ECB/CBC without a MAC:
```ruby
cipher = OpenSSL::Cipher.new("aes-256-gcm").encrypt
cipher.key = key
iv = cipher.random_iv
ciphertext = cipher.update(plaintext) + cipher.final
tag = cipher.auth_tag
```
In Rails, `ActiveSupport::MessageEncryptor` (AES-256-GCM by default) or Active Record encryption does this for you.""",
    "open-redirect": """Redirect only within the application (Rails 7: `allow_other_host: false` is the default):
```ruby
redirect_to(url_from(params[:return_to]) || root_path)
```""",
    "xxe": """Parse XML with Nokogiri's defaults (no external entities, no network); do not add the `NOENT` or `DTDLOAD` options:
```ruby
doc = Nokogiri::XML(xml) { |config| config.strict.nonet }
```""",
    "ssrf": """Fetch only allowlisted https hosts, never a URL taken as-is from the request:
```ruby
uri = URI.parse(url)
raise ArgumentError, "URL not allowed" unless uri.is_a?(URI::HTTPS) && ALLOWED_HOSTS.include?(uri.host)
```""",
}

def verify_peer(line: str) -> str | None:
    return line.replace("OpenSSL::SSL::VERIFY_NONE", "OpenSSL::SSL::VERIFY_PEER") if "OpenSSL::SSL::VERIFY_NONE" in line else None


REWRITES = {"insecure-tls": verify_peer}
