"""How a weakness works and when it is exploitable: what a reviewer knows about a rule that its message omits.

One or two sentences per rule (Bandit's test ids, which name one API each)
or per CWE (for rules that only carry a CWE): the mechanism, the
precondition that decides whether it matters, and the safe API.  Facts
here are the libraries' documented behaviour (Python docs, PyYAML, requests,
PyTorch, huggingface_hub), not a catalogue paragraph; a rule absent from
both tables gets no mechanism sentence rather than a generic one.
"""

from __future__ import annotations

from tasks.findings.model import Finding, as_finding

BANDIT = {
    "B101": "Python removes `assert` statements when it runs with `-O` or `PYTHONOPTIMIZE`, so a check written as an assert "
            "disappears in optimised runs; it matters only where the assert guards something (input, permissions), not "
            "where it documents an invariant.",
    "B102": "`exec` runs whatever Python the string holds with this process's rights; it is exploitable only if part of the "
            "string can come from outside.",
    "B103": "A mode with group/other write (or world read on a secret) lets every local account change or read the file; it "
            "matters on multi-user hosts and for files that are later executed or trusted.",
    "B104": "Binding to 0.0.0.0 accepts connections on every interface, public ones included, not only on localhost.",
    "B105": "Bandit flags a string literal assigned to a name that looks like a password or token; it does not check that "
            "the value is a credential, so a field name, an empty string or a URL is a false positive.",
    "B106": "Bandit flags a string literal passed to a keyword named like a password or token; it does not check that the "
            "value is a credential, so a placeholder or a token *type* name is a false positive.",
    "B107": "Bandit flags a string default of a parameter named like a password; an empty or placeholder default is not a secret.",
    "B108": "A fixed name in a shared temp directory is predictable: another local user can create it first, or as a symlink, "
            "and read or redirect what this code writes; `tempfile.mkstemp()`/`TemporaryDirectory()` make unique names with "
            "owner-only rights.",
    "B110": "`except ...: pass` discards every error silently, including failures a caller should see; it is a security "
            "issue only where the skipped work is a check (permission, signature, cleanup of secrets).",
    "B112": "`except ...: continue` skips an item on any error without a trace; it matters where the loop enforces something.",
    "B113": "requests has no default timeout: a server that accepts the connection and never answers blocks this call forever "
            "(in an `async def` handler, the whole event loop); pass `timeout=(connect, read)`.",
    "B202": "`tarfile.extractall` without a filter writes members wherever their names point (`../`, absolute paths, links); "
            "Python 3.12+ takes `filter='data'`, which refuses them.",
    "B301": "Unpickling calls the constructors the data names (`__reduce__`), so whoever wrote the bytes runs code here; "
            "it is safe only for data this program wrote itself and nobody else can change.",
    "B302": "`marshal` data can crash the interpreter and is not meant for untrusted input; only load what this program wrote.",
    "B303": "MD5 and SHA-1 collisions can be computed (MD5 in seconds, SHA-1 since SHAttered in 2017); this matters where the "
            "digest must resist forgery (signatures, integrity checks, passwords), not for a cache key.",
    "B304": "This cipher or mode is broken or weak (DES, RC4, Blowfish, ECB); use AES-GCM or ChaCha20-Poly1305.",
    "B305": "ECB encrypts equal blocks to equal ciphertext, so patterns in the plaintext show; use an AEAD mode (GCM).",
    "B306": "`tempfile.mktemp` returns a name without creating the file, so another process can create it in between; "
            "`mkstemp()` creates and opens it atomically.",
    "B307": "`eval` runs any Python expression, including `__import__('os').system(...)`; `ast.literal_eval` parses literals only.",
    "B310": "`urllib.request.urlopen` also opens `file://` and other schemes, so a URL from outside can read local files; "
            "it is safe when the URL is a constant or its scheme is checked to be http(s).",
    "B311": "`random` is a Mersenne Twister: 624 consecutive outputs reveal its state and every later value; fine for "
            "simulations and sampling, wrong for tokens, passwords or nonces (`secrets`).",
    "B312": "Telnet sends everything, passwords included, in clear text.",
    "B321": "FTP sends the login and the data in clear text; use SFTP or FTPS.",
    "B323": "An unverified SSL context accepts any certificate, so anyone on the network path can impersonate the server.",
    "B324": "MD5 and SHA-1 collisions can be computed; for a cache key, ETag or de-duplication that does not matter and "
            "`usedforsecurity=False` (Python 3.9+) says so, for signatures, integrity or passwords it does.",
    "B401": "Importing telnetlib is only the start: the risk is the clear-text session it opens.",
    "B403": "Only the import: the risk is in `pickle.load`/`loads` on data someone else can write (B301).",
    "B404": "Only the import: the risk is in the calls (B602-B607), and whether their command can come from outside.",
    "B405": "The stdlib XML parsers are vulnerable to entity-expansion attacks on untrusted XML; `defusedxml` is a drop-in "
            "replacement. Harmless for XML this program writes itself.",
    "B413": "B413 is about a package, not an algorithm: PyCrypto (the `Crypto` package) has had no release since 2.6.1 "
            "in 2013 and keeps flaws no release fixes (CVE-2013-7459, a heap overflow in `AES.new` with a crafted IV; "
            "CVE-2018-6594, ElGamal keys without semantic security). The fix is the dependency: pycryptodome installs "
            "the same `Crypto` package (a drop-in for most code), or move to pyca/cryptography.",
    "B501": "`verify=False` turns off certificate checking, so anyone on the network path can read and change the traffic.",
    "B506": "`yaml.load` with `UnsafeLoader` (or, on PyYAML before 5.4, the default or `FullLoader`) builds Python objects "
            "from tags such as `!!python/object/apply`, so a document from outside can run code; `yaml.safe_load` builds "
            "plain types only.",
    "B602": "With `shell=True` the string goes to `/bin/sh -c`, which also runs what follows `;`, `|`, `$( )` or backticks; "
            "it is exploitable when any part of the command comes from outside, and a list argument without a shell is not.",
    "B603": "Without a shell there is no injection through metacharacters; what is left is who chooses the program and its "
            "arguments (an argument starting with `-` can still be read as an option).",
    "B604": "A `shell=True` argument to a function other than subprocess's: the command string is interpreted by a shell.",
    "B605": "`os.system`/`os.popen` always run the string through a shell, so `;`, `|` or `$( )` in any outside part "
            "runs extra commands; `subprocess.run([...])` takes a list and no shell.",
    "B606": "A process started without a shell: no metacharacter injection; the program path and arguments still decide what runs.",
    "B607": "A program named without its full path is looked up in `PATH` at run time, so whoever controls `PATH` or a "
            "writable directory early in it decides which binary runs.",
    "B608": "SQL built by string formatting lets a quote in the value end the literal and add SQL; bound parameters keep "
            "the value out of the SQL text.",
    "B609": "A `*` in a shell command expands to file names, and a file named like an option (`--checkpoint-action=...`) "
            "becomes an argument of the command.",
    "B614": "`torch.load` unpickles, so a checkpoint from outside can run code unless `weights_only=True` (the default since "
            "PyTorch 2.6); safetensors files hold tensors only.",
    "B615": "Without `revision=` pinned to a commit hash, a Hugging Face Hub download fetches whatever the repository holds "
            "at that moment, so a changed or compromised repository changes what this code loads.",
    "B701": "Jinja2's `autoescape` is off by default; templates that render HTML then insert `<script>` from any variable as "
            "markup (XSS). Text, e-mail or code templates need no escaping.",
    "B702": "Mako templates do not escape by default; rendering outside data into HTML allows XSS.",
    "B703": "`mark_safe` tells Django not to escape the string; outside data in it is rendered as HTML.",
    "B704": "`markupsafe.Markup` marks a string as already safe, so outside data in it is rendered as HTML unescaped; "
            "`Markup.escape()` or a format string with `Markup('...{}').format(value)` escapes the value.",
}

CWE = {
    "CWE-22": "A `../` or absolute path in the value walks out of the intended folder; resolve the joined path and check it "
              "is still under the base before opening it.",
    "CWE-78": "A shell interprets `;`, `|`, `$( )` and backticks in the command string; passing the program and its "
              "arguments as a list, without a shell, removes that.",
    "CWE-73": "A file name taken from outside can name any file the process may read: `../` walks out of the intended "
              "folder and an absolute path ignores it.",
    "CWE-79": "Outside data written into HTML without escaping runs as script in the victim's browser with the page's rights.",
    "CWE-89": "A quote in the value ends the SQL literal and the rest is read as SQL; bound parameters send the value "
              "separately from the query text.",
    "CWE-94": "Code built from strings runs whatever the string holds with this process's rights.",
    "CWE-295": "Without certificate validation anyone on the network path can impersonate the server.",
    "CWE-327": "The algorithm is broken or too weak for its use; what matters is whether it protects something (secrecy, "
               "integrity) or only identifies data.",
    "CWE-328": "Collisions can be computed for MD5 and SHA-1; it matters where the digest must resist forgery.",
    "CWE-330": "Values from a non-cryptographic generator are predictable from earlier outputs; tokens need a CSPRNG.",
    "CWE-338": "A non-cryptographic PRNG's state can be recovered from its outputs, so later values are predictable.",
    "CWE-377": "A predictable temporary file name can be created first by another local user.",
    "CWE-400": "Work proportional to an attacker's input (size, nesting, time) lets one request exhaust the server.",
    "CWE-502": "Deserialising a format that names its own types runs code chosen by whoever wrote the bytes.",
    "CWE-601": "A redirect target taken from the request sends users to any site under this site's name (phishing).",
    "CWE-611": "An XML parser that resolves external entities reads local files or makes requests named in the document.",
    "CWE-798": "A credential in the code is readable by everyone with access to the repository or its history, for as long "
               "as it is valid.",
    "CWE-918": "A URL taken from the request makes the server fetch internal addresses (cloud metadata, admin ports).",
    "CWE-1333": "A regular expression with nested or overlapping quantifiers backtracks exponentially on a crafted string, "
                "so one request can hold a CPU (ReDoS).",
}


# rules whose name says more than their CWE (Semgrep ids, by a word in them)
BY_NAME = (
    ("jwt", {"CWE-798", "CWE-321", "CWE-522"},
     "Whoever knows a JWT signing secret can sign a token for any user or role the application trusts, so a secret in "
     "the repository is a login for everyone who can read it; changing it logs every user out."),
    ("mode-without-authentication", {"CWE-327"},  # set 32: "the algorithm is broken" said of AES-CBC
     "The cipher itself (AES) is sound; the mode (CBC, CTR, ECB) without a MAC is not: whoever can change the ciphertext "
     "changes the plaintext undetected, and a server that reports bad padding decrypts it byte by byte (a padding "
     "oracle); it matters where ciphertext comes back from outside, and data already written this way stays readable "
     "only by the old code, so a switch to authenticated encryption (AES-GCM, Fernet) keeps a decrypt path for it."),
)


def mechanism(f: Finding | dict, cwes: list[str]) -> str | None:
    """The rule's mechanism and precondition, by rule for Bandit, else by the first CWE with an entry."""
    f = as_finding(f)
    if f.tool == "bandit":
        text = BANDIT.get(str(f.rule_id).upper())
        if text:
            return text
    rule = str(f.rule_id).lower()
    for word, when, text in BY_NAME:
        if word in rule and when & set(cwes):
            return text
    for cwe in cwes:
        if cwe in CWE:
            return CWE[cwe]
    return None
