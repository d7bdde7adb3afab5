"""Check 8a, the report's own signals: findings a reviewer would accept rather than fix.

(Was tasks/enrich/triage.py; tasks.triage.verdict turns a signal into a verdict.)

Four signals, all from the report itself, never guessed:

* the check itself is obsolete (ZAP 10016, X-XSS-Protection), or it only
  identifies something for the scanner (ZAP 10109 'Modern Web Application',
  10111 'Authentication Request Identified', at informational risk);

* the rule's own confidence is LOW (Semgrep ``metadata.confidence``, Bandit
  ``issue_confidence``, ZAP's confidence): the rule author says the pattern
  often matches safe code -- unless the flagged code itself reads request
  data (tasks.triage.flow), which outweighs the rule's doubt;
* the rule is a code-quality rule (Semgrep's ``correctness``,
  ``maintainability``, ... groups; a SARIF rule tagged ``maintainability`` or
  ``reliability`` and not ``security``, as CodeQL tags its queries), not a
  security one;
* a Checkov check about availability, cost or operations (probes, resource
  limits, HEALTHCHECK, backups, lifecycle rules: tasks.triage.iac_rules), not
  a security control;
* a Checkov port check (SSH, RDP, HTTP) on a security-group rule whose
  protocol is ICMP, which has no ports (tasks.triage.iac_ports);
* an error-handling hygiene rule (Bandit B110 ``try/except/pass``, B112
  ``try/except/continue``): a swallowed exception is a code-quality matter,
  unless the shown code swallows the failure of a security check
  (verify, authenticate, permission...), which fails open;
* a rule that only matters in production code fired in a test file, such
  as Bandit B101 (``assert``; a test's own check, and tests never run
  under ``python -O``) or B311 (``random``; tests need no unpredictable
  numbers).

A triaged finding becomes a row that says why it is probably acceptable
(``datasets.triage: explain``), no row (``drop``), or an ordinary row
(``keep``).
"""

from __future__ import annotations

import ast
import re
import textwrap
from functools import lru_cache
from pathlib import PurePosixPath

from tasks.findings.model import Finding, as_finding
from tasks.triage.fails_closed import fails_closed, flagged_handler
from tasks.triage.iac_ports import icmp_only, range_from_variable
from tasks.triage.iac_rules import operational
from tasks.triage.test_site import assert_guard, test_site

# Semgrep's and CodeQL's rule groups for code quality: bugs or style, not security weaknesses
_DJANGO_USER = re.compile(r"\b((?:self\.)?(?:request\.)?user)\.(is_authenticated|is_anonymous|is_staff|is_superuser|is_active)\b(?!\s*\()")
NOT_SECURITY = re.compile(r"\.(correctness|maintainability|best-practice|performance|portability|style|compatibility)\.")
# CodeQL/LGTM rule tags (SARIF rule properties.tags) of quality queries; security queries carry 'security'
QUALITY_TAGS = {"maintainability", "reliability", "correctness", "useless-code", "readability", "convention", "performance",
                "language-features", "modularity", "complexity", "efficiency", "testability", "documentation", "style"}
_LOW_CONFIDENCE = re.compile(r"\bconfidence[\s:=]+low\b", re.I)
_TEST_DIRS = {"test", "tests", "testing", "__tests__", "__test__", "spec", "specs", "test_data", "testdata", "cypress",
              "e2e", "e2e-tests", "e2e_tests", "ui-tests", "ui_tests", "integration-tests", "integration_tests", "playwright",
              "testinfra",  # Ansible's role checks (Testinfra): securedrop, set 37
              "dredd", ".dredd",  # the Dredd API-test harness: semaphore's .dredd/hooks, deployment/docker/dredd (set 42)
              "integration_test", "integration-test", "functional_test", "functional-test", "acceptance_test",
              "e2e_test", "smoke_test", "unit_test"}  # singular: django-rq's integration_test/_tests.py (round 63)
# a folder of tests named for what they test: vikunja's pkg/webtests, pkg/caldavtests, pkg/e2etests (set 40)
_TESTS_DIR = re.compile(r"^(?!(?:con|pro|at|de)tests$)[a-z0-9]{2,}[-_]?tests$")
# a root test suite named for its project (test_haystack/, round 64); nested it may be anything (set 51's TP deploy/test_case_rsync/)
_TEST_PACKAGE = re.compile(r"^tests?_[a-z0-9_]+$")
# test files by name (tests.py: a Django app's test module; test.py: a project's test base classes, healthchecks' hc/test.py, set 41); a browser-test runner's own config (cypress.config.js, playwright.config.ts) sets up test runs
_TEST_FILE = re.compile(r"^(?:test_.+\.(?:py|sql)|_?tests?\.py|.+_test\.(?:py|go|rb)|conftest\.py|.+\.(?:test|spec)\.[cm]?[jt]sx?|.+Test\.(?:java|kt)|.+_spec\.rb"
                        r"|(?:cypress|playwright)\.config\.[cm]?[jt]s|\.env\.test(?:ing)?)$")  # dotenv loads .env.test under NODE_ENV=test

# error-handling hygiene rules: why they report code quality, not a weakness
QUALITY_RULES = {("bandit", "B110"): "try/except/pass", ("bandit", "B112"): "try/except/continue"}
# a swallowed failure of one of these fails open: a security matter after all
_SECURITY_CALL = re.compile(r"(?i)verif|authent|authori[sz]|permission|check_pass|csrf|signature|\bsign\(|validat|"
                            r"\blogin|decrypt|\bdecode\(.*token|jwt|access|privilege|sanitiz|escape")
# a flag read in a condition raises nothing: an exception in the guarded code skips it (fails closed), so
# `if request.user.is_authenticated:` around exec(...) is no swallowed security check; B102 reports the exec itself
_FLAG = re.compile(r"\.is_(?:authenticated|anonymous|active|staff|superuser)\b")


def _checks_security(text: str | None) -> bool:
    """The code calls a security check (its calls when it parses: a token fetch's `access_token` is none), else its text."""
    text = _FLAG.sub("", text or "")
    try:
        text = " ".join(ast.unparse(n.func) + "(" for n in ast.walk(ast.parse(textwrap.dedent(text))) if isinstance(n, ast.Call))
    except (SyntaxError, ValueError, RecursionError):
        pass  # earlier handlers in the body: the text
    return bool(_SECURITY_CALL.search(text))


# (tool, rule) -> why it is acceptable in a test file, and how to silence it there
TEST_ONLY_RULES = {
    ("bandit", "B101"): (
        "an `assert` in a test file is how the test checks its own results (a failing one fails the test), "
        "and B101's concern, a check that `python -O` strips from a running application, has no application "
        "to protect there",
        "exclude the test directories from B101 (`bandit -r . --skip B101` for tests, or `exclude_dirs: [tests]` "
        "in the Bandit configuration) or mark the line `# nosec B101`",
        "replace the `assert` with an explicit check that raises (`if not ok: raise ValueError(...)`).",
    ),
    ("bandit", "B311"): (
        "pseudo-random values in a test file make test data (ids, names, sample values) that no attacker ever sees, "
        "so they are not a security weakness unless the test uses them as secrets",
        "exclude the test directories from B311 or mark the line `# nosec B311`",
        "use the `secrets` module (`secrets.token_hex()`, `secrets.randbelow()`) where the value must be unpredictable.",
    ),
}


# deployment-environment folders: kustomize overlays/test, environments/testing, envs/dev are environments, not test code
ENV_DIRS = {"overlays", "overlay", "environments", "environment", "envs", "env", "stages", "stage", "clusters", "deployments"}


def code_dirs(path: str) -> list[str]:
    """The folders of ``path`` (lower case), less the one that names an environment under an environment folder."""
    parts = [part.lower() for part in PurePosixPath(path).parts[:-1]]
    return [p for i, p in enumerate(parts) if not (i and parts[i - 1] in ENV_DIRS)]


# a settings module only the test suite or CI loads (babybuddy/settings/ci.py, myapp/settings/test.py)
_CODE_FILE = re.compile(r"(?i)\.(?:py|js|mjs|ts|tsx|jsx|go|java|kt|rb|php|cs|rs)$")  # chem/molecule/views.py is an app
_TEST_SETTINGS = {"ci.py", "test.py", "tests.py", "testing.py", "test_settings.py"}


@lru_cache(maxsize=65536)
def is_test_path(path: str | None) -> bool:
    if not path:
        return False
    p = PurePosixPath(path)
    if p.name.lower() in _TEST_SETTINGS and p.parent.name.lower() in ("settings", "config", "conf"):
        return True
    dirs = path.lower().split("/")[:-1]  # Ansible Molecule's molecule/<scenario>/ data (not chem/molecule/views.py)
    molecule = "molecule" in dirs[:-1] and not _CODE_FILE.search(p.name)
    behave = any(a == "features" and b == "steps" for a, b in zip(dirs, dirs[1:])) or (  # behave's BDD steps and hooks
        p.name == "environment.py" and dirs[-1:] == ["features"])  # (DjangoGoat's features/, held-out set 53)
    found = _TEST_DIRS & set(code_dirs(path))
    if found <= {"spec", "specs"} and dirs[:1] not in (["spec"], ["specs"]) and not _SPEC_CODE.search(p.name):
        found = set()  # an API spec inside a package (django-allauth's headless/spec/doc/openapi.yaml, set 55), not RSpec's
    return molecule or behave or bool(found) or bool(_TEST_FILE.match(p.name)) or bool(
        dirs and _TEST_PACKAGE.match(dirs[0])) or any(
        _TESTS_DIR.match(d) for d in code_dirs(path))


_SPEC_CODE = re.compile(r"(?i)\.(?:rb|erb|[cm]?[jt]sx?|coffee)$")  # RSpec's and Jasmine's spec/ folders hold these


def confidence_of(f: Finding | dict) -> str | None:
    """The rule's confidence as the report states it (a field, or Bandit's "confidence low" text)."""
    f = as_finding(f)
    value = f.extra.get("confidence")  # not a schema key: a hand-made or later-annotated record may carry it
    if isinstance(value, str) and value:
        return value.lower()
    tagged = [t.split()[0].lower() for t in f.rule_tags or () if re.fullmatch(r"(?i)(?:LOW|MEDIUM|HIGH) CONFIDENCE", str(t))]
    return "low" if _LOW_CONFIDENCE.search(f.description or "") else tagged[0] if tagged else None  # Semgrep's SARIF tags


# checks whose advice is out of date: following them would teach the wrong fix
OBSOLETE_CHECKS = {
    ("zap", "10016"): (
        "ZAP's 'Web Browser XSS Protection Not Enabled' check is obsolete: current browsers removed the XSS auditor "
        "that the X-XSS-Protection header controlled, and enabling it could itself be abused",
        "do not set `X-XSS-Protection: 1`; send `X-XSS-Protection: 0` (or omit the header) and rely on a "
        "Content-Security-Policy, and disable the check in the ZAP scan policy",
    ),
}


# ZAP rules that identify something about the application for the scan's own use and flag no weakness
# (ZAP's alert pages call them informational: the AJAX spider hint, the login and session requests it found)
IDENTIFICATION_ALERTS = {
    ("zap", "10109"): "'Modern Web Application' tells the scanner to try the AJAX spider",
    ("zap", "10111"): "'Authentication Request Identified' marks the login request for ZAP's authentication setup",
    ("zap", "10112"): "'Session Management Response Identified' marks the session token for ZAP's session handling",
    ("zap", "10104"): "'User Agent Fuzzer' lists responses that differ by user agent for a tester to compare",
}


def _reads_request(f: Finding) -> bool:
    from tasks.triage.flow import check_user_input

    return check_user_input(f) is not None


def _try_body_shown(snippet: str | None) -> bool:
    """Whether the snippet shows a line other than the ``except``/``pass``/``continue`` (the end of the try body)."""
    return any(not re.match(r"^\d*\s*(?:except\b.*|pass|continue)?\s*$", line) for line in (snippet or "").splitlines())


def try_body(f: Finding, reader) -> str | None:
    """With the file: the ``try`` body (its handlers before the flagged one included) whose ``except`` a B110/B112
    finding flags, else None (no file, no ``except`` at or above the line, no ``try`` within 200 lines)."""
    found = flagged_handler(f, reader) if (f.tool, str(f.rule_id).upper()) in QUALITY_RULES else None
    if found is None:  # an unreadable file or no handler: the snippet decides
        return None
    lines, first = found
    indent = len(lines[first]) - len(lines[first].lstrip())
    body = []
    for n in range(first - 1, max(first - 200, -1), -1):
        text = lines[n]
        if text.strip() and len(text) - len(text.lstrip()) == indent and re.match(r"^\s*try\s*:", text):
            return "".join(reversed(body))
        body.append(text if text.endswith("\n") else text + "\n")
    return None


def swallows_security_check(f: Finding | dict, reader) -> bool:
    """With the file: whether the ``try`` body whose ``except`` a B110/B112 finding flags calls a security check,
    and the code after the handler does not deny (a check that fails closed swallows nothing that matters)."""
    return _checks_security(try_body(as_finding(f), reader)) and not fails_closed(f, reader)


def triage(f: Finding | dict, reader=None) -> dict | None:
    """{"signal", "reason", "action", "fix"} when the finding is a likely false positive, else None; ``reader``:
    the file, for a B110/B112 whose snippet shows only the ``except`` and ``pass`` (Bandit's context lines)."""
    f = as_finding(f)
    obsolete = OBSOLETE_CHECKS.get((f.tool, str(f.rule_id)))
    if obsolete:
        return {"signal": "obsolete check", "reason": f"{obsolete[0]}.", "action": obsolete[1], "fix": None}
    ident = IDENTIFICATION_ALERTS.get((f.tool, str(f.rule_id)))
    if ident and str(f.severity).lower() in ("info", "informational", "none", ""):
        return {"signal": "not a security rule", "reason": f"ZAP's {ident}; it is informational and reports no weakness.",
                "action": "keep it out of the findings to fix (ZAP's alert filter can set it to 'false positive')",
                "fix": None}
    if f.kind not in ("code", "config"):
        return None
    ops = operational(f.tool, str(f.rule_id))
    if ops:
        return {"signal": "not a security weakness", "reason": f"{f.rule_id} checks {ops}, not a security control",
                "action": "handle it with the platform's operational standards (`#checkov:skip` with the reason where the "
                "team decided otherwise); it needs no security review", "fix": None}
    no_ports = icmp_only(f)
    if no_ports:
        return {"signal": "port check on an ICMP rule", "reason": no_ports,
                "action": f"suppress it on the resource (`#checkov:skip={f.rule_id}` with this reason); what to review is "
                "whether ICMP from the whole internet is wanted, not the port", "fix": None}
    by_variable = range_from_variable(f)
    if by_variable:  # not in _SIGNAL_FP: needs review, never a false positive
        return {"signal": "range from a variable", "reason": by_variable,
                "action": "check the value the variable gets where the configuration is applied (tfvars, CI, the "
                "module call): a range of 0.0.0.0/0 there is the finding", "fix": None}
    path = f.path
    shown = f.snippet or ""
    attribute = _DJANGO_USER.search(shown) if str(f.rule_id).endswith("is-function-without-parentheses") \
        and len(re.findall(r"\.is_\w+", shown)) == 1 else None  # the one flag on the line, on a user
    if attribute:  # on an access check the rule's group decides nothing (set 20's reason audit): what the name is does
        what = "a property (a bool) since Django 1.10" if attribute.group(2) in ("is_authenticated", "is_anonymous") \
            else "a model field (BooleanField) of Django's User"
        return {"signal": "not a security rule", "reason": f"`{attribute.group(0)}` is {what}, so no call is "
                "missing: the rule's premise (a method used without parentheses is always true) does not hold here",
                "action": "nothing to change for this rule; it needs no security review", "fix": None}
    group = NOT_SECURITY.search(str(f.rule_id))
    if group:
        return {
            "signal": "not a security rule",
            "reason": f"the rule {f.rule_id} belongs to the {group.group(1)} group: it reports a code-quality problem, "
            "not a security weakness",
            "action": "fix it as an ordinary bug if it is one (the rule's message says how); it needs no security review",
            "fix": None,
        }
    tags = [str(t).lower() for t in f.rule_tags or []]
    if tags and "security" not in tags and set(tags) & QUALITY_TAGS:
        return {
            "signal": "not a security rule",
            "reason": f"the rule {f.rule_id} is tagged {', '.join(tags[:4])} and not 'security': it reports a code-quality "
            "problem, not a security weakness",
            "action": "fix it as an ordinary bug if it is one; it needs no security review",
            "fix": None,
        }
    quality = QUALITY_RULES.get((f.tool, str(f.rule_id).upper()))
    shown = f.snippet if quality and _try_body_shown(f.snippet) else None  # the try body's end is shown
    body = shown or (try_body(f, reader) if quality else None)  # else the whole body, from the file
    full = body if quality and not shown else try_body(f, reader) if quality else None  # the file's body, read once
    closed = fails_closed(f, reader) if full and _checks_security(full) else None
    if quality and body and body.strip() and (closed or not _checks_security(body)):
        why = (f"the try body at {path}:{f.line or '?'} makes a security check, but a swallowed error falls through to "
               f"{closed}, which refuses: the check fails closed" if closed else f"the {'shown code' if shown else 'try body'} "
               f"at {path}:{f.line or '?'} swallows an exception around code that makes no security check (no verify, "
               "authenticate, permission, signature or decrypt call), so nothing fails open")
        return {"signal": "not a security rule",
                "reason": f"{f.rule_id} ({quality}) is a code-quality rule about error-handling hygiene: {why}",
                "action": "log the exception or narrow the `except` as ordinary hygiene; it needs no security review",
                "fix": None}
    rule = TEST_ONLY_RULES.get((f.tool, str(f.rule_id).upper()))
    if rule and is_test_path(path):
        guard = assert_guard(f, reader) if str(f.rule_id).upper() == "B101" else None  # a helper's own arguments
        return {"signal": "harmless in test code", "reason": f"{path} is a test file{test_site(f, reader)}"
                + (f"{guard}. {rule[0][0].upper()}{rule[0][1:]}." if guard else f" and {rule[0]}."),
                "action": rule[1], "fix": rule[2]}
    if confidence_of(f) == "low" and not _reads_request(f):  # the code outweighs the rule's own doubt
        return {
            "signal": "low-confidence rule",
            "reason": f"the rule {f.rule_id} rates its own confidence LOW: its pattern also matches code that is safe, "
            "so this match needs a look before any change",
            "action": "check whether the flagged value can come from outside (user input, a request, a file an attacker "
            "controls); if it cannot, record the finding as accepted (a `nosemgrep`/`nosec` comment with the reason)",
            "fix": None,
        }
    return None
