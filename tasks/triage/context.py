"""Checks 4-6: where the finding is (path), what value a secret rule flagged, how the package is depended on.

4. ``path``: test code, fixtures and test data (a scanner's own test data too: ``package-1`` on CVE-1999-0001),
   examples, docs, vendored copies.  Test code, fixtures, examples and docs are not what is deployed, so a code or
   config finding there is a false positive of the deployed application; a vendored copy is real code that someone
   else maintains (``needs_review``: update the copy).
5. ``secret``: the parse-time ``secret_evidence`` (tasks.findings.secret_evidence): a documented example or
   placeholder is a false positive anywhere; a protocol keyword (``'POST'``) and a field's label (``password_title``)
   too; a low-entropy value in a test path is one (said with its test: tasks.triage.test_value), a slow password hash anywhere; a plain word
   elsewhere needs a look; a high-entropy value is real, even in a test path.
6. ``scope``: a dev/test-only dependency (npm ``dev``, Poetry/uv groups,
   Maven ``test`` scope) is lower priority, never a false positive by itself.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from tasks.findings.model import NO_DEPENDENCY, NO_PACKAGE, Finding, as_finding
from tasks.findings.secret_keys import CHOICE_SUFFIXES, SECRETISH_NAME
from tasks.findings.secrets import tool_marks_secret
from tasks.triage.bundles import bundled_packages, licensed_copy
from tasks.triage.commented_secret import commented_evidence
from tasks.triage.enum_member import enum_member
from tasks.triage.constant import flagged_code
from tasks.triage.decoy_hash import decoy_hash
from tasks.triage.file_secrets import file_evidence, with_file_evidence  # noqa: F401 - verdict reads context.with_file_evidence
from tasks.triage.paths import (  # noqa: F401 - check_seed is re-exported (verdict reads context.check_seed)
    check_seed, cms_core, library_banner, load_test, minified_copy, own_plugin, seed_data)
from tasks.triage.docs_site import reads_the_url
from tasks.triage.packaged import packaging_note
from tasks.triage.path_class import WHY, library_label, path_class, release_folder, static_site  # noqa: F401 - path_class re-exported
from tasks.triage.secret_text import describe
from tasks.triage.test_site import test_site
from tasks.triage.test_value import test_use
from tasks.triage.fixture_users import fixture_user
from tasks.triage.unreferenced import never_named
from tasks.triage.id_table import uuid_table
from tasks.triage.contrib_use import shipped_by_build
from tasks.triage.secret_names import field_name, pass_verb
from tasks.triage.secret_use import TEXT_SUFFIXES, form_label, translation_label
from tasks.findings.secret_evidence import WORDS
from tasks.repository.source import finding_lines

_SCANNER_TEST_PACKAGE = re.compile(r"^(?:package|pkg|lib)-\d+$")  # a scanner's own test data (grype's presenter tests)
_PLACEHOLDER_ID = re.compile(r"^CVE-1999-000\d")
DEV_GROUPS = {"dev", "development", "test", "tests", "testing", "lint", "docs", "typing", "devdependencies",
              "testimplementation", "testcompileonly", "testruntimeonly", "provided-test", "optional-dev"}


_SPHINX = "the documentation's Sphinx configuration, run by sphinx-build when the docs are built and never by the application"


def check_path(f: Finding | dict, reader=None, files=None) -> dict | None:
    """Check 4: {"check": "path", "status": "not_deployed"|"vendored"|"library"|"build_tooling"|"scanner_test_data",
    "evidence"} or None.  With a reader, a web asset whose first lines carry a library's licence banner is a library."""
    f = as_finding(f)
    pkg = f.package or NO_PACKAGE
    ids = [str(f.rule_id or "")] + list(f.aliases or [])
    if pkg.name and _SCANNER_TEST_PACKAGE.match(str(pkg.name)) and any(_PLACEHOLDER_ID.match(i) for i in ids):
        return {"check": "path", "status": "scanner_test_data",
                "evidence": f"scanner test data: package {pkg.name} with the placeholder id "
                            f"{next(i for i in ids if _PLACEHOLDER_ID.match(i))} is made up for a scanner's own tests"}
    path = f.path
    cls = path_class(path)
    cls = None if cls == "library" and own_plugin(path, reader, f.source.commit if f.source else None) or (
        cls == "contrib" and shipped_by_build(path, reader, files)) else cls  # a contrib/ file the release builds
    if f.kind == "web" or not path:
        return None
    if cls in (None, "vendored", "library") and f.kind == "code":  # a library folder's banner names what it is (set 26)
        commit = f.source.commit if f.source else None
        banner = (library_banner(path, f.snippet, reader, commit) or cms_core(path, reader, commit)
                  or minified_copy(path, reader, commit, files))
        if banner:
            return {"check": "path", "status": "library", "class": "library",
                    "evidence": f"{path} is vendored third-party library code ({banner}){never_named(path, reader, files)}"}
        copied = licensed_copy(path, files, reader, commit) if cls in (None, "vendored") else None
        if copied:  # another project's folder kept with its licence (set 48: audiobookshelf's server/libs/)
            return {"check": "path", "status": "library", "class": "library",
                    "evidence": f"{path} is vendored third-party library code ({copied})"}
    bundle = bundled_packages(path, files) if cls is None and f.kind == "code" else None
    if bundle:  # needs review, as any vendored copy: the application may call the flagged code
        return {"check": "path", "status": "vendored", "class": "vendored",
                "evidence": f"{path} is part of a copy of another project: {bundle[0]}/ holds {len(bundle[1])} bundled "
                            f"packages ({', '.join(bundle[1][:4])} ...) the application ships rather than installs"}
    if cls is None and f.kind == "code":
        loader = load_test(path, reader, f.source.commit if f.source else None)
        if loader:
            return {"check": "path", "status": "not_deployed", "class": "test", "lead": "test tooling",
                    "evidence": f"{path} is {loader}"}
    if cls is None:
        return None
    if f.kind == "dependency" and cls in ("docs", "vendored", "library", "build"):
        return None  # a manifest under docs/ or vendor/ is still installed somewhere
    if cls == "docs" and f.kind == "code" and reads_the_url(f, reader):
        return None  # a docs site's script that reads its URL runs for every reader (mitmproxy's search.js: set 39)
    status = {"vendored": "vendored", "library": "library", "build": "build_tooling"}.get(cls, "not_deployed")
    secret = tool_marks_secret(str(f.tool or ""), str(f.rule_id or ""), f.title or "")  # its line, never its statement
    site = test_site(f, reader, code=not secret, long_ok=cls not in ("vendored", "library")) if cls in (
        "test", "fixture", "example", "docs", "vendored", "library") and f.kind == "code" else ""
    web = static_site(path, files) if cls == "docs" and f.kind == "code" and not reads_the_url(f, reader) else None
    if web:  # a docs website's template: what "not run" would leave unsaid (set 39's graders)
        return {"check": "path", "status": "not_deployed", "class": cls,
                "lead": "static pages built from the project's own content", "evidence": (
            f"{path} is a template of the static website in {web[0]}/ ({web[1]}: {web[2]}), which renders it when "
            "the site is built, from the maintainers' own pages, data files and settings: no visitor's input reaches "
            "its values, and what it writes is static HTML")}
    why = _SPHINX if cls == "docs" and PurePosixPath(str(path)).name == "conf.py" else WHY[cls]  # set 25-26's graders:
    unloaded = never_named(path, reader, files) if cls in ("vendored", "library") and f.kind == "code" else ""
    unloaded += fixture_user(path, reader, files) if cls == "fixture" else ""  # the test that reads it (round 40)
    unloaded += packaging_note(path, reader, f, files if cls in ("docs", "example") else None) if cls in ("test", "fixture", "example", "docs") and f.kind == "code" else ""
    why += f" (its folder {release_folder(path)} is named for a release of another project)" if cls == "library" and release_folder(path) else (
        f" ({library_label(path)})" if cls == "library" and library_label(path) else "")
    lib = cls in ("vendored", "library")  # the flagged code goes in its own key: the verdict words a copy around it
    return {"check": "path", "status": status, "class": cls, "evidence": f"{path} is {why}{'' if lib else site}{unloaded}",
            **({"site": site} if lib and site else {}),  # conf.py: run
            **({"lead": "not what the project ships"} if cls == "example" else {})}  # an example runs where a user applies it


# the application's own signing or session key (Flask/Django SECRET_KEY, JWT and session secrets), from the rule or the code
_APP_KEY = re.compile(r"(?i)\bSECRET_KEY\b|\bsecret_key\b|app\.secret|\[['\"]SECRET['\"]\]|jwt[-_.]?(?:secret|key)|"
                      r"jwt\.(?:sign|encode)\b|signing[-_]?key|session[-_]?secret|cookie[-_]?secret|token[-_]?secret|"
                      r"\bsecret\s*:|hardcoded[-_]?(?:jwt|config)|session\(\s*\{|cookieParser\(")
_TYPED = ("one character repeated", "a counting sequence", "keys typed along one keyboard row")
_KEY_NAME = re.compile(r"(?i)(?:api|access|auth)[-_]?key|key\b|token|secret|passw|credential")
_DEV_COMPOSE = re.compile(r"(?i)(?:^|/)(?:docker-)?compose[-._](dev|development|local|test)\.ya?ml$"
                          r"|(?:^|/)(dev|local)[-._](?:docker-)?compose\.ya?ml$")
_GENERIC_RULE = re.compile(r"(?i)generic|entropy|CKV_SECRET_(?:6|19)\b")  # not a rule for one issuer's token format
_ID_VALUE = re.compile(r"(?:[0-9a-f]{16,64}|[0-9]{6,24}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                       r"|[A-Za-z0-9]{10,40}\.apps\.googleusercontent\.com)", re.I)  # one value, no scheme, no prefix
_CLIENT_ID = re.compile(r"""(?i)^\s*(?:export\s+|-\s+)?["']?([\w.-]*(?:client|client_?id|app_?id|application_?id))["']?\s*[:=]""")
_PASSWORD_FIELD = re.compile(r"(?i)passw|\bpwd\b|passwd|pass_?hash|password_?hash|\bhashed")
_SEEDED = re.compile(r"(?i)\binsert\s+into\s+[`\"'\[]?\w*(?:user|account|admin|member|login)s?\b")


def check_secret(f: Finding | dict, path_check: dict | None, reader=None) -> dict | None:
    """Check 5: {"check": "secret", "status": "not_a_secret"|"weak_evidence"|"credential_like", "evidence"} or None (a
    value the tool masked is judged only from the file, ``reader``; without it, not at all)."""
    f = as_finding(f)
    member = enum_member(f, reader) or pass_verb(f, reader)  # an Enum's `PASSWORD = "password"`, `pass_parameter=`
    if member:
        return member
    ev = f.secret_evidence
    ev = file_evidence(f, reader) if isinstance(ev, dict) and ev.get("class") == "redacted-by-tool" else ev
    if isinstance(ev, dict) and ev.get("class") == "name":  # every flagged string names a setting (or a variable)
        said = f"value is {ev['match']}" if str(ev.get("match") or "").startswith("the variable") else "strings are identifiers made of words (the shape of a key's or a setting's name)"
        return {"check": "secret", "status": "not_a_secret", "evidence": f"not a credential: the flagged {said}, not a secret's value"}
    if not isinstance(ev, dict) or ev.get("class") in (None, "redacted-by-tool", "name"):
        return None
    flagged = flagged_code(f, through_end=False)  # read once: the rule's text, the form label and the catalogue entry
    code = f"{f.rule_id} {flagged}"
    table = uuid_table(f, reader) if ev["class"] == "uuid" else None
    if table:
        return {"check": "secret", "status": "not_a_secret", "evidence": f"an identifier, not a credential: {table}"}
    named = re.search(r"([\w.]*\b(?:id|uuid|guid|[\w]+_id))[\"'\]]?\s*(?:=|:)\s*[\"'`]", flagged, re.I)  # set 39:
    if ev["class"] == "uuid" and named and not _KEY_NAME.search(flagged) and not SECRETISH_NAME.search(flagged):  # `.id =`
        return {"check": "secret", "status": "not_a_secret", "evidence": f"an identifier, not a credential: `{named.group(1)}` "
                "is given a UUID, the form of a record's id, and its name is no secret's"}
    if ev["class"] == "uuid" and _KEY_NAME.search(re.sub(r"\[REDACTED[^\]]*\]", "", flagged)):  # Heroku's API keys
        ev = ev | {"class": "high-entropy"}  # are UUIDs (the rule's own id, `generic-api-key`, names no key of a value)
    said = str(ev.get("match") or "")
    shown = "url" if said.startswith("the password of a ") else "typed" if said.startswith(_TYPED) else "phrase" if said.startswith("a phrase of") else \
        "dummy" if said.startswith("dummy/fake/sample value") else ev["class"]  # round 27: nothing "documented" about `test`
    word = said.rpartition(": ")[2] if said.startswith("dummy/fake/sample value: ") else "dummy, fake, sample, mock or test"
    at = f" at {f.path}:{f.line}" if f.path and f.line else ""  # an answer names the place (set 40: a TP row said nothing of it)
    text = f"the flagged value{at} is " + describe(shown, ev, word)
    in_tests = bool(path_check) and path_check.get("class") in ("test", "fixture", "example", "docs")
    label = form_label(flagged)
    field = field_name(flagged) if ev["class"] in ("plain-word", "weak", "low-entropy", "placeholder") else None
    if field:  # a form input's field name, not its value
        return {"check": "secret", "status": "not_a_secret", "evidence": f"a field's name, not a credential: the flagged "
                f"value is {field}" + ("" if " gives " in field else ", which names the field the input binds")}
    words = translation_label(f.path, flagged) if ev["class"] not in ("hash", "high-entropy") or said == WORDS else None
    if words:
        return {"check": "secret", "status": "not_a_secret", "evidence": f"a translated UI string, not a credential: {words}"}
    client = _CLIENT_ID.match(flagged or "") if _GENERIC_RULE.search(str(f.rule_id)) else None
    value = (flagged or "")[client.end():].strip().strip("'\"") if client else ""
    if client and not re.search(r"(?i)secret|passw|token|private|key", client.group(1)) and _ID_VALUE.fullmatch(value):
        return {"check": "secret", "status": "not_a_secret", "evidence": f"an OAuth client id, not a credential: "
                f"`{client.group(1)}` names the application's public identifier, which the provider puts in every "
                "authorization URL a browser opens; the credential is the client secret, set apart from it"}
    if label and re.search(rf"(?i)_(?:{CHOICE_SUFFIXES})$", label) and ev["class"] != "key-header":
        return {"check": "secret", "status": "not_a_secret", "evidence": f"not a credential: `{label}` names which algorithm, "
                "type or method is used, and the flagged value is that choice, not a secret"}  # password_algorithm (round 40)
    if label and ev["class"] in ("plain-word", "weak", "low-entropy", "message", "example", "placeholder"):
        return {"check": "secret", "status": "not_a_secret", "evidence": f"a form label, not a credential: `{label}` holds "
                f"the text shown to a person beside the field ({text.split(' is ', 1)[1]})"}
    if label and re.search(rf"(?i)_(?:{TEXT_SUFFIXES})$", label) and ev["class"] == "high-entropy":
        return {"check": "secret", "status": "not_a_secret", "evidence": f"a text, not a credential: `{label}` holds what a "
                f"person reads (an e-mail's or page's subject, title or body); its letters vary as prose does (zou, set 36)"}
    if ev["class"] == "hash":
        slow = ev.get("match") in ("a bcrypt hash", "an argon2 hash", "a PBKDF2 hash") or said.startswith("the base64 of a ")  # for passwords
        if slow and _SEEDED.search(code):  # umami's migration inserts its admin (set 46, both labellers: a default login)
            return {"check": "secret", "status": "credential_like", "evidence": f"a seeded account: {f.path}:{f.line} inserts a "
                    "user row with this password hash, so every installation that runs it gets the same login"}
        if slow or _PASSWORD_FIELD.search(code):  # mealie's verify_fake_password (round 48): a timing equaliser's decoy
            return {"check": "secret", "status": "not_a_secret", "evidence": (slow and (decoy_hash(f, reader) or commented_evidence(f, reader))) or f"a stored password hash, not a usable credential: "
                    f"{text}" + ("" if slow else " in a password field; check that the hash function is a slow one (bcrypt, argon2, PBKDF2)")}
        return {"check": "secret", "status": "credential_like", "evidence": f"the flagged value is a high-entropy value ({ev.get('length')} characters), shaped like a key"}
    key = _APP_KEY.search(code)
    test = in_tests and (path_check or {}).get("class") in ("test", "fixture")  # SECRET_KEY = "1" (round 55), a test
    ev = dict(ev, **{"class": "weak" if key else "plain-word"}) if (key or test) and ev.get("match") == "a single character" else ev  # user's "p" (round 63)
    test_cls = _test_class(f, reader) if str(f.path or "").endswith(".py") and not in_tests else None  # a pytest class
    # TestSettings in a test file is a test case, not settings a suite loads (set 36's grade): the path check says test
    if test_cls:  # CTFd's class TestingConfig: SECRET_KEY = "AAAAAAAAAAAAAAAAAAAA"
        return {"check": "secret", "status": "not_a_secret", "evidence": f"test configuration: the value sits in {test_cls[0]} "
                f"(line {test_cls[1]}), the settings the test suite loads; the deployed configuration sets its own key"}
    typed = ev["class"] == "placeholder" and str(ev.get("match") or "").startswith(_TYPED)  # hand-typed filler, no marker
    typed = typed or ev["class"] == "example" and said.startswith("dummy/fake/sample value")  # SECRET_KEY = "test_key"
    if (ev["class"] in ("weak", "plain-word", "low-entropy") or typed) and key and not in_tests and not (path_check or {}).get("class"):
        return {"check": "secret", "status": "weak_key",
                "evidence": f"a weak key in use: the application's own {key.group(0).strip(chr(39) + chr(34) + '[.(:{ ')} "
                            f"in application code is {text.split(' is ', 1)[1]}; a guessable key is worse than a random "
                            "one, not a placeholder"}
    dev = _DEV_COMPOSE.search(str(f.path or ""))
    if dev and ev["class"] in ("low-entropy", "plain-word", "weak", "dummy", "example", "placeholder") and not in_tests:
        return {"check": "secret", "status": "not_a_secret",  # privacyidea's compose-dev.yml MARIADB_PASSWORD (set 29)
                "evidence": f"a local development credential, not a secret: {text} in {f.path}, the development stack's "
                            f"compose file (its name says {dev.group(1) or dev.group(2)}); it sets the password of a container that stack "
                            "starts on a developer's machine and guards nothing deployed"}
    if str(ev.get("format") or "").startswith("does not fit") and ev["class"] in ("low-entropy", "plain-word", "weak") \
            and not _PASSWORD_FIELD.search(flagged):  # checkov lowers its entropy bar for a PASSWORD key (set 29)
        return {"check": "secret", "status": "not_a_secret",
                "evidence": f"not a credential: {text}, and it {ev['format']} that the rule looks for"}
    if ev["class"] == "empty":
        use = secret_use(f, reader)  # what the line does with it: a blanked field, a default a later line replaces
        return {"check": "secret", "status": "not_a_secret",
                "evidence": f"no hardcoded credential: {use}" if use else
                            f"no hardcoded credential: {text} ({f.rule_id} matched the name of the variable or argument)"}
    if ev["class"] in ("example", "expired", "placeholder", "code-word", "message", "url") and not (typed and in_tests):
        return {"check": "secret", "status": "not_a_secret", "evidence": f"not a credential: {text}"}
    if (ev["class"] in ("low-entropy", "plain-word", "weak", "uuid") or typed) and in_tests:  # a test's 12345678 opens
        # its test users' accounts: a test credential, not "not a credential" (vikunja's caldavtests: set 40's audit)
        return {"check": "secret", "status": "not_a_secret",
                "evidence": (f"a test credential, not a secret: {text} in {path_check['evidence'].split(' is ', 1)[-1]}; "
                             f"{test_use(f, reader)}it opens only what the tests set up") if path_check.get("class") in ("test", "fixture") else
                            f"a sample value, not a secret: {text} in {path_check['evidence'].split(' is ', 1)[-1]}"}
    # set 25: a CI account's password is a credential; set 27: a value in the docs is no test's
    if ev["class"] in ("low-entropy", "plain-word", "weak", "uuid"):
        return {"check": "secret", "status": "weak_evidence", "evidence": text}
    return {"check": "secret", "status": "credential_like", "evidence": text}


_EMPTY = re.compile(r"(?i)hard-?coded password:\s*(?:''|\"\")\s*$")


def check_empty_secret(f: Finding, reader=None) -> dict | None:
    """Bandit B105-B107 quoting an empty string (``password = ''``, an initial or reset value): no credential at all."""
    if f.tool != "bandit" or str(f.rule_id).upper() not in ("B105", "B106", "B107") or not _EMPTY.search(f.title or ""):
        return None
    use = secret_use(f, reader)
    return {"check": "secret", "status": "not_a_secret",
            "evidence": f"no hardcoded credential: {use}" if use else f"no hardcoded credential: the flagged value is "
                        f"an empty string ({f.rule_id} matched the name of the variable or argument)"}


def secret_use(f: Finding, reader) -> str | None:
    """What a Bandit B105-B107 line does with the flagged literal (tasks.triage.secret_use), read from the file."""
    from tasks.triage.secret_use import describe

    if f.tool != "bandit" or str(f.rule_id).upper() not in ("B105", "B106", "B107") or reader is None \
            or f.location is None or not f.location.start_line:
        return None
    lines = finding_lines(reader, f)
    return describe(lines, f.location.start_line, str(f.rule_id)) if lines else None


def check_scope(f: Finding | dict) -> dict | None:
    """Check 6: a dev/test-only dependency, from what the report says (npm dev, groups, scope)."""
    f = as_finding(f)
    dep = f.dependency or NO_DEPENDENCY
    groups = [str(g) for g in dep.groups or []]
    dev_groups = [g for g in groups if g.lower().replace("_", "").replace("-", "") in DEV_GROUPS or g.lower() in DEV_GROUPS]
    if dep.dev is True:
        return {"check": "scope", "status": "dev_only", "evidence": "dev-only dependency (the report marks it dev: true): lower priority"}
    if groups and len(dev_groups) == len(groups):
        return {"check": "scope", "status": "dev_only",
                "evidence": f"dependency only in the {', '.join(dev_groups)} group(s): lower priority"}
    return None


def _test_class(f: Finding, reader) -> tuple[str, int] | None:
    """(name, line) of the class around the flagged line when it is a test configuration (TestingConfig, TestConfig)."""
    import ast

    from tasks.triage.parsed_source import python_tree

    parsed = python_tree(reader, f) if f.location and f.location.start_line else None
    if parsed is None:
        return None
    line = f.location.start_line
    for node in ast.walk(parsed[0]):
        if isinstance(node, ast.ClassDef) and node.lineno <= line <= (node.end_lineno or node.lineno) \
                and re.match(r"(?i)^test(?:ing)?(?:_?config|_?settings)?$|^(?:\w+_?)?test(?:ing)?_?config$", node.name):
            return f"class {node.name}", node.lineno
        if isinstance(node, ast.If) and node.lineno < line <= max(getattr(b, "end_lineno", 0) or 0 for b in node.body) \
                and re.fullmatch(r"(?:settings\.)?(?:TESTING|TEST_MODE|IS_TEST(?:ING)?|RUNNING_TESTS)", ast.unparse(node.test)):
            return f"the block `if {ast.unparse(node.test)}:`", node.lineno  # oncall's settings/dev.py (round 40)
    return None
