"""Which kind of weakness a code finding is: the key fix patterns are stored under.

A finding names its weakness in three ways, none complete: a CWE (many
Semgrep and Bandit results carry none), a rule id that spells it
(``java.lang.security.audit.formatted-sql-string``, ``py/sql-injection``),
or a Bandit test id (``B303``).  The rule id is read first because it is
the most specific (a CWE-327 finding may be a weak hash or a weak cipher).
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding

# rule-id / title keywords -> family, most specific first
_KEYWORDS = [
    (r"cookie.*httponly|httponly", "cookie-httponly"),
    (r"cookie.*samesite|samesite", "cookie-samesite"),
    (r"cookie.*secure|insecure-cookie|secure-flag", "cookie-secure"),
    (r"sql[-_. ]?injection|formatted-sql|sqli\b|raw-?query|tainted-sql|string-sql|\bsql\b", "sql-injection"),
    (r"ldap[-_]?injection|tainted[-_]ldap|ldap[-_]filter", "ldap-injection"),
    (r"xpath", "xpath-injection"),
    (r"command[-_ ]?injection|shell[-_]injection|os[-_]command|tainted[-_]cmd|cmd[-_]injection|shell[-_]?true|subprocess|runtime[-_.]?exec|child[-_]process|"
     r"dangerous[-_]exec|spawn-shell|\bexec[-_]cmd", "command-injection"),
    (r"xml[-_]?decoder|xstream", "deserialization"),
    (r"\bxxe\b|defused[-_]?xml|xml[-_]?external|external[-_]entit|xmlinputfactory|documentbuilder|"
     r"saxparser|xml-?parser|\bxml\b", "xxe"),
    (r"\bxss\b|cross[-_ ]site[-_ ]scripting|mark[-_]safe|innerhtml|dangerouslysetinnerhtml|html[-_]?safe|"
     r"autoescape|reflective-xss|raw-html|document-write|\|\s*safe\b", "xss"),
    (r"open[-_]?redirect|unvalidated[-_]redirect|url-redirect", "open-redirect"),
    (r"ssrf|server[-_ ]side[-_ ]request|request-forgery-server|tainted[-_]url", "ssrf"),
    (r"path[-_ ]?traversal|path[-_]injection|directory[-_]traversal|zip[-_]?slip|tainted-path", "path-traversal"),
    (r"deseriali[sz]|pickle|marshal|yaml[-_.]?load|unsafe-yaml|objectinputstream|binaryformatter|"
     r"unserialize|insecure-deserial", "deserialization"),
    (r"\beval\b|code[-_ ]injection|exec[-_]detected|\bexec\b|new-function|function-constructor|"
     r"script-engine|expression-injection|el[-_]injection|spel|ognl", "code-injection"),
    (r"format[-_ ]?string|formatstring|printf", "format-string"),
    (r"md5|sha1\b|sha-1|weak[-_]hash|insecure[-_]hash|hash[-_]algorithm", "weak-hash"),
    (r"\bdes\b|3des|desede|rc4|blowfish|\becb\b|cbc[-_]padding|padding[-_]oracle|weak[-_]cipher|"
     r"insecure[-_]cipher|weak[-_]crypto|broken[-_]crypto|no-?padding|null[-_]cipher|weak[-_]rsa|rsa[-_]?key|weak[-_]key",
     "weak-crypto"),
    (r"verify[-_=]?false|cert[-_]?verif|insecure[-_]?tls|ssl[-_]?verif|tls[-_]?verif|"
     r"insecureskipverify|reject[-_]?unauthorized|trust[-_]?all|trust[-_]?manager|hostname[-_]?verif|ssl[-_]?version|"
     r"insecure[-_]ssl|weak[-_]ssl", "insecure-tls"),
    (r"insecure[-_]?random|weak[-_]?random|pseudo[-_]random|math[-_.]random|\brandom\b", "insecure-random"),
    (r"csrf", "csrf"),
    (r"debuggable", "debug-enabled"),
    (r"allow[-_]?backup", "android-backup"),
    (r"cleartext[-_]?traffic", "cleartext-protocol"),
    (r"exported[-_]?(?:activity|service|receiver|provider|component)|android[-_.]exported", "android-exported"),
    (r"pull[-_]request[-_]target", "gha-pull-request-target"),
    (r"(?:third[-_]party|unpinned)[-_]action|action[-_]not[-_]pinned|pinned[-_]to[-_](?:commit|sha)", "gha-unpinned-action"),
    (r"missing[-_]user|last[-_]user[-_]is[-_]root|run[-_]as[-_]root|runasnonroot|non[-_]root", "container-root-user"),
    # a password accepted without the framework's strength validators (Semgrep's unvalidated-password): not a secret in code
    (r"unvalidated[-_]password|password[-_](?:validation|validator|policy|strength)|weak[-_]password[-_]policy", "password-policy"),
    # a log call that may write a credential (Semgrep's python-logger-credential-disclosure): no secret in code to rotate
    (r"(?:^|[-_.])(?:logger|logging|log)[-_](?:credential|secret|password)|credential[-_]disclosure|"
     r"sensitive[-_](?:data[-_])?log(?:ging)?\b", "secret-in-log"),
    (r"hard[-_]?coded|hardcoded|secret|password|credential|api[-_]?key|token", "hardcoded-secret"),
    (r"flask[-_]debug|debug[-_]?(?:mode|enabled|true)|django-debug", "debug-enabled"),
    (r"bind[-_]?all|0\.0\.0\.0|all[-_]interfaces", "bind-all-interfaces"),
    (r"mktemp|insecure[-_]temp|tempfile|hardcoded[-_]tmp", "insecure-temp-file"),
    (r"csv[-_]?(?:writer|injection)|formula[-_]injection", "csv-injection"),
    (r"\bassert", "assert-used"),
]
_KEYWORD_RE = [(re.compile(p, re.I), fam) for p, fam in _KEYWORDS]

# Bandit test ids (https://bandit.readthedocs.io/en/latest/plugins/)
_BANDIT = {
    "B101": "assert-used", "B102": "code-injection", "B104": "bind-all-interfaces",
    "B105": "hardcoded-secret", "B106": "hardcoded-secret", "B107": "hardcoded-secret",
    "B108": "insecure-temp-file", "B113": "request-timeout", "B201": "debug-enabled", "B301": "deserialization",
    "B302": "deserialization", "B303": "weak-hash", "B304": "weak-crypto", "B305": "weak-crypto",
    "B306": "insecure-temp-file", "B307": "code-injection", "B308": "xss", "B310": "url-scheme",
    "B311": "insecure-random", "B313": "xxe", "B314": "xxe", "B315": "xxe", "B316": "xxe", "B317": "xxe",
    "B318": "xxe", "B319": "xxe", "B320": "xxe", "B321": "cleartext-protocol", "B323": "insecure-tls",
    "B324": "weak-hash", "B401": "cleartext-protocol", "B402": "cleartext-protocol",
    "B403": "deserialization", "B404": "command-injection", "B405": "xxe", "B406": "xxe", "B407": "xxe",
    "B408": "xxe", "B409": "xxe", "B410": "xxe", "B411": "xxe", "B413": "weak-crypto",
    "B501": "insecure-tls", "B502": "insecure-tls", "B503": "insecure-tls", "B504": "insecure-tls",
    "B505": "weak-crypto", "B506": "deserialization", "B507": "insecure-tls", "B601": "command-injection",
    "B602": "command-injection", "B603": "command-injection", "B604": "command-injection",
    "B605": "command-injection", "B606": "command-injection", "B607": "command-injection",
    "B608": "sql-injection", "B609": "command-injection", "B610": "sql-injection", "B611": "sql-injection",
    "B701": "xss", "B702": "xss", "B703": "xss",
}

_CWE = {
    "CWE-89": "sql-injection", "CWE-564": "sql-injection", "CWE-943": "sql-injection",
    "CWE-78": "command-injection", "CWE-77": "command-injection", "CWE-88": "command-injection",
    "CWE-79": "xss", "CWE-80": "xss", "CWE-83": "xss", "CWE-116": "xss",
    "CWE-22": "path-traversal", "CWE-23": "path-traversal", "CWE-36": "path-traversal", "CWE-73": "path-traversal",
    "CWE-502": "deserialization",
    "CWE-798": "hardcoded-secret", "CWE-259": "hardcoded-secret", "CWE-321": "hardcoded-secret",
    "CWE-328": "weak-hash", "CWE-916": "weak-hash", "CWE-759": "weak-hash",
    "CWE-327": "weak-crypto", "CWE-326": "weak-crypto", "CWE-696": "weak-crypto", "CWE-780": "weak-crypto",
    "CWE-295": "insecure-tls", "CWE-297": "insecure-tls",
    "CWE-611": "xxe", "CWE-776": "xxe", "CWE-827": "xxe",
    "CWE-330": "insecure-random", "CWE-338": "insecure-random",
    "CWE-601": "open-redirect",
    "CWE-94": "code-injection", "CWE-95": "code-injection",
    "CWE-918": "ssrf",
    "CWE-134": "format-string",
    "CWE-90": "ldap-injection", "CWE-643": "xpath-injection",
    "CWE-614": "cookie-secure", "CWE-1004": "cookie-httponly", "CWE-1275": "cookie-samesite",
    "CWE-215": "debug-enabled", "CWE-489": "debug-enabled",
    "CWE-605": "bind-all-interfaces", "CWE-377": "insecure-temp-file", "CWE-379": "insecure-temp-file",
    "CWE-532": "secret-in-log", "CWE-1236": "csv-injection", "CWE-352": "csrf", "CWE-319": "cleartext-protocol",
}

def family_of(finding: Finding | dict, cwes: list[str]) -> str | None:
    """The weakness family, or None when the finding names none (code-quality rules)."""
    finding = as_finding(finding)
    rule = str(finding.rule_id or "")
    if finding.tool == "bandit" or re.fullmatch(r"B\d{3}", rule):
        fam = _BANDIT.get(rule.upper())
        if fam:
            return fam
    for rx, fam in _KEYWORD_RE:
        if rx.search(rule):
            return fam
    for cwe in list(cwes or []) + list(finding.cwe or []):
        if cwe in _CWE:
            return _CWE[cwe]
    title = str(finding.title or "")
    for rx, fam in _KEYWORD_RE:
        if fam not in ("hardcoded-secret", "insecure-random", "xxe", "sql-injection", "assert-used") and rx.search(title):
            return fam
    return None
