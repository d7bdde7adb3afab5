"""One finding -> its triage record: the checks in order of authority, the first decisive one wins.

Authority, highest first:

1. a suppression the team wrote (``source: "suppression"``): beats everything;
2. the report's own signals (obsolete check, not a security rule, a
   rule harmless in test code; a LOW-confidence rule needs review);
3. where it is: a scanner's test data, test code, fixtures, examples, docs
   (not what is deployed); a vendored copy needs review;
4. the advisory record: not affected (the installed version outside every
   range), another ecosystem, a withdrawn advisory; affected with the range;
5. the report contradicting itself (fixed version <= installed);
6. the secret's value class (example, placeholder, protocol keyword), a demo login the README publishes or a docs
   page's sample block (documented_secret);
7. reachability: a direct dependency no source imports needs review.

Steps 4, 5 and 7 for a dependency finding are tasks.triage.dependency_verdict.

With ``source.repo_path`` the code decides more: code kept as data (as_data), constant data behind names and
across calls (constant_names, callers), a deserialiser fed only a committed file (repo_file_input), a request
without a timeout outside a handler (robustness), what a Dockerfile shows (docker: a container's bind address,
ADD of a local file, an image that drops root), what the deployment runs or enforces (deployed).  The checks that
settle a finding from its code alone, whatever its folder, are tasks.triage.code_checks'.

Dependency scope (dev/test only) is added as a reason and never changes the verdict.  Every record carries at
least one reason with evidence; when no check can decide, the verdict is ``needs_review`` and the reason says what
to check, except for findings no check applies to (code, config, web), which stay what the report says
(``true_positive``, source ``report``).
"""

from __future__ import annotations

from tasks.findings.model import Finding, as_finding
from tasks.findings.secrets import tool_marks_secret
from tasks.triage import (bandit_config, ci_service, code_checks, context, dev_cert, docs_include, example_config, flag_attrs,
                          report_signals, settings_user, suppressions, value_use)
from tasks.triage.advisories import is_advisory_id, merged_ids
from tasks.triage.as_data import DataFolders, check_code_as_data
from tasks.triage.callers import Callers
from tasks.triage.constant import check_constant, check_escaped_input
from tasks.triage.dependency_verdict import judge_dependency
from tasks.triage.help_page import check_documented, documented_example  # the README check, and every example check
from tasks.triage.suppressed import suppressed
from tasks.triage.flow import check_hash_use, check_user_input
from tasks.triage.tainted_callers import check_tainted_callers
from tasks.triage.test_detail import test_detail
from tasks.triage.openapi import check_spec_example
from tasks.triage.repo_file_input import check_repo_file_input
from tasks.triage.url_scheme import check_url_scheme

_LIB = " is vendored third-party library code"
_SIGNAL_FP = {"obsolete check", "not a security rule", "not a security weakness", "harmless in test code", "port check on an ICMP rule"}


def _package(f: Finding) -> dict | None:
    p = f.package
    return {"name": p.name, "ecosystem": p.ecosystem, "version": p.version} if p else None


def _ids(f: Finding) -> list[str]:
    return [i for i in [str(f.rule_id or "")] + list(f.aliases or []) + list(f.cve or [])
            + list(f.ghsa or []) if i and is_advisory_id(i)]


def record(f: Finding | dict, verdict: str, reasons: list[dict], source: str, vuln_ids: list[str]) -> dict:
    f = as_finding(f)
    return {"finding_id": f.id, "tool": f.tool, "rule_id": str(f.rule_id), "vuln_ids": vuln_ids,
            "package": _package(f), "path": f.path, "verdict": verdict,
            "reasons": [{"check": r["check"], "evidence": r["evidence"]} for r in reasons], "source": source}


class Judge:
    """Holds what the checks share: records (store, API), suppressions, the repository's imports."""

    def __init__(self, store=None, client=None, repo_suppressions=None, reader=None, imports=None):
        self.store, self.client = store, client
        self.dev_packages: dict[str, str] = {}
        if reader is not None:
            from tasks.triage.manifests import dev_only_packages

            self.dev_packages = dev_only_packages(reader)
        self.repo_suppressions, self.reader, self.imports = repo_suppressions, reader, imports
        self.folders: DataFolders | None = None  # folders the application reads as text (tasks.triage.as_data)
        self.callers: Callers | None = None  # call sites of functions (tasks.triage.callers)
        self.with_record = 0
        self.by_package: dict[tuple[str, str], list[dict]] = {}  # OSV records found by package (tasks.triage.lookup)
        self.fixes: dict[str, dict] = {}  # finding id -> the record's fix for the installed line
        self.osv_answered: dict[tuple[str, str], int] = {}  # package -> how many advisories OSV's querybatch listed

    def osv_answer(self, f: Finding) -> int | None:
        """How many advisories OSV's querybatch listed for the package of ``f`` (None: not asked)."""
        if not self.osv_answered:
            return None
        from tasks.triage.lookup import osv_package

        return self.osv_answered.get(osv_package(f.package))

    def records(self, ids: list[str]) -> list[dict]:
        found = self.store.lookup(ids) if self.store else []
        if not found and self.client is not None:
            seen = set()
            for vid in ids:
                rec = self.client.get(vid)
                if rec and rec["id"] not in seen:
                    seen.add(rec["id"])
                    found.append(rec)
        return found

    def judge(self, f: Finding | dict) -> dict:
        f = as_finding(f)
        ids = _ids(f)
        recs = self.records(ids) if f.kind == "dependency" and ids else []
        if f.kind == "dependency" and f.package and self.by_package:
            from tasks.triage.lookup import osv_package

            seen = {r["id"] for r in recs}
            recs += [r for r in self.by_package.get(osv_package(f.package), []) if r["id"] not in seen]
        self.with_record += bool(recs)
        vuln_ids = merged_ids(ids, recs)
        scope = context.check_scope(f)
        if scope is None and self.dev_packages and f.kind == "dependency":
            from tasks.triage.manifests import check_manifest_scope

            scope = check_manifest_scope(f, self.dev_packages)
        extra = [scope] if scope else []

        sup = self._suppression(f, vuln_ids)
        if sup:
            return suppressed(self, f, [{"check": "suppression", "evidence": sup}] + extra, vuln_ids, record)
        flag = flag_attrs.check_flag_attribute(f, self.reader, self.imports)  # before the rule's group: what the name is
        signal = None if flag else report_signals.triage(f, self.reader)
        if signal and signal["signal"] in _SIGNAL_FP and report_signals.swallows_security_check(f, self.reader):
            signal = None  # the file shows the swallowed code checks security: it fails open
        if signal and signal["signal"] in _SIGNAL_FP:  # a test's value: where it goes too (round 60)
            use = value_use.value_use(f, self.reader) if signal["signal"] == "harmless in test code" else None
            return record(f, "false_positive", [{"check": "report", "evidence": f"{signal['signal']}: {signal['reason']}"}]
                          + ([use] if use else []), "report", vuln_ids)
        robust = flag or code_checks.settled_by_code(f, self.reader, self.imports)
        if robust:
            return record(f, robust.pop("verdict", "false_positive"), [robust], "evidence", vuln_ids)
        path = context.check_path(f, self.reader, getattr(self.imports, "files", None))
        if path and path["status"] == "scanner_test_data":
            return record(f, "false_positive", [path], "evidence", vuln_ids)
        f = context.with_file_evidence(f, self.reader)  # the flagged value, when the report quoted no code
        example = check_spec_example(f, self.reader) or dev_cert.check_dev_cert(f, self.reader) if f.kind == "secret" or tool_marks_secret(
            f.tool, str(f.rule_id), f.title or "") else None
        if example:
            return record(f, "false_positive", [example], "evidence", vuln_ids)
        if f.kind == "secret" or f.secret_evidence:
            return self._secret(f, path, vuln_ids)
        empty = context.check_empty_secret(f, self.reader)
        if empty:
            return record(f, "false_positive", [empty], "evidence", vuln_ids)
        secret_rule = tool_marks_secret(f.tool, str(f.rule_id), f.title or "")  # a secret rule whose value was not seen
        documented = check_documented(f, self.reader, self.imports) if secret_rule else None
        if documented:
            return record(f, "false_positive", [documented], "evidence", vuln_ids)
        seed = context.check_seed(f, self.reader, getattr(self.imports, 'files', None)) if secret_rule else None
        if seed:
            return record(f, "needs_review", [seed], "evidence", vuln_ids)
        if self.imports is not None and f.kind == "code" and not secret_rule:  # before request data: such code never runs
            if self.folders is None:
                self.folders = DataFolders(self.imports)
            as_data = check_code_as_data(f, self.folders)
            if as_data:
                return record(f, "false_positive", [as_data], "evidence", vuln_ids)
        taint = check_user_input(f, self.reader)
        hash_use = check_hash_use(f, self.reader)
        if hash_use:
            return record(f, "false_positive", [hash_use], "evidence", vuln_ids)
        applied = path and (path.get("class") in ("example", "test", "contrib") or path.get("class") == "docs"
                            and not str(f.rule_id).upper().startswith(("CKV_OPENAPI", "CKV2_OPENAPI")))  # a spec is text
        if path and path["status"] == "not_deployed" and f.kind == "config" and applied:
            # a Terraform module's examples/ and tests, a manifest under docs/, are applied by whoever runs them (README
            # `terraform apply`, terratest) - but not as this project's infrastructure: 114 of 114 blind labels over seven
            # held-out sets called such findings false positives
            return record(f, "false_positive", [{"check": "path", "evidence": example_config.not_deployed(f, path, self.reader)}] + extra,
                          "evidence", vuln_ids)
        if path and path["status"] == "not_deployed" and (f.kind != "dependency" or path["class"] in ("test", "fixture")):
            if taint:  # the path alone does not outweigh request data reaching the sink
                return record(f, "needs_review", [{"check": "path", "evidence": f"{path['evidence']}, but {taint['evidence']}: "
                              "check whether this code is deployed or served"}, taint], "evidence", vuln_ids)
            return record(f, "false_positive", [{"check": "path", "evidence": f"{path.get('lead', 'not run by the application')}: {path['evidence']}"}]
                          + test_detail(f, self, path.get("class")) + extra, "evidence", vuln_ids)
        if path and path["status"] == "library" and f.kind in ("code", "config"):
            where, _, unloaded = (path["evidence"] + _LIB).split(_LIB)[1].partition("; no template")  # text after the marker
            return record(f, "false_positive", [{"check": "path", "evidence": "vendored third-party library code, not this "
                          f"project's to patch ({path['evidence'].split(' is ', 1)[0]}{where} is a copy of a published library"
                          + (f"; the rule flags {path['site'].strip()[1:-1]})" if path.get("site") else ")")
                          + (f"; no template{unloaded}" if unloaded else ": a fix is a newer release of it where one exists, "
                             "or replacing it")}] + extra, "evidence", vuln_ids)
        if self.imports is not None and self.callers is None:
            self.callers = Callers(self.imports)
        scheme = check_url_scheme(f, self.reader, self.callers)  # B310 audits the scheme alone: request data elsewhere
        if scheme:                                                 # in the URL is another rule's finding
            return record(f, "false_positive", [scheme], "evidence", vuln_ids)
        constant = (check_constant(f, self.reader, self.callers) or check_repo_file_input(f, self.reader, self.imports)
                    if not taint else None)
        if constant:
            return record(f, "false_positive", [constant], "evidence", vuln_ids)
        taint = taint or check_tainted_callers(f, self.reader, self.callers)  # request data through a parameter
        escaped = check_escaped_input(f, self.reader) if taint else None  # request data, escaped on its way (round 62)
        if escaped:
            return record(f, "false_positive", [escaped], "evidence", vuln_ids)
        if path and path["status"] == "build_tooling" and f.kind == "code" and not secret_rule:
            return record(f, "needs_review", [{"check": "path", "evidence": f"build tooling, not part of the deployed "
                          f"application: {path['evidence'].split(' is ', 1)[0]} runs on a developer's machine or in CI; "
                          "check whether its input can come from outside"}] + extra, "evidence", vuln_ids)
        if signal and taint:  # a LOW-confidence rule, but the code shows the input
            return record(f, "true_positive", [taint, {"check": "report", "evidence": f"the rule rates itself LOW confidence, "
                          f"but {taint['evidence']}"}], "evidence", vuln_ids)
        if signal:  # low-confidence rule
            return record(f, "needs_review", [{"check": "report", "evidence": f"{signal['signal']}: {signal['reason']}"}],
                          "report", vuln_ids)
        if path and path["status"] == "vendored":
            return record(f, "needs_review", [{"check": "path", "evidence": f"{path['evidence']}{path.get('site', '')}: check whether the copy is "
                                               "used and update it from upstream"}] + extra, "evidence", vuln_ids)
        if f.kind == "dependency" and f.package:
            return record(f, *judge_dependency(self, f, recs, extra, vuln_ids), vuln_ids)
        if taint:
            return record(f, "true_positive", [taint], "evidence", vuln_ids)
        where = f.path
        place = (f"{where} is not a test, fixture, example, docs or vendored path" if where and f.kind != "web"
                 else f"{where or 'the target'} is the scanned application")
        return record(f, "true_positive", [{"check": "report", "evidence": f"{place}, nothing suppresses the finding and "
                                            f"the rule does not rate itself LOW confidence: {f.tool}'s report stands"}],
                      "report", vuln_ids)

    def _suppression(self, f: Finding, vuln_ids: list[str]) -> str | None:
        if getattr(self, "inner", False):  # the judgement under a team's suppression (tasks.triage.suppressed)
            return None
        if f.suppressed:
            return "the report marks the finding suppressed (a reviewer accepted it)"
        return suppressions.in_code(f, self.reader) or (self.repo_suppressions.match(f, vuln_ids) if self.repo_suppressions else None) \
            or bandit_config.excluded(f, self.reader)

    def _secret(self, f: Finding, path: dict | None, vuln_ids: list[str]) -> dict:
        sec = context.check_secret(f, path, self.reader)
        if sec and sec["status"] == "not_a_secret":  # in a test the path says whose it is too (set 31's audit)
            test = path and path.get("class") in ("test", "fixture")  # "tests set up" said once (round 52)
            return record(f, "false_positive", [sec] + ([{"check": "path", "evidence": f"and {path['evidence']}: a test's password opens only what the tests set up"}] if test and "tests set up" not in sec["evidence"] else [])
                          + [u for u in [test and (value_use.value_use(f, self.reader) or settings_user.named_by(
                              f, self.reader, getattr(self.imports, "files", None)))] if u]
                          + ([{"check": "path", "evidence": path["evidence"]}] if path and docs_include.MARK in path["evidence"]
                             else []), "evidence", vuln_ids)  # the page that shows the file (round 62)
        documented = documented_example(f, self.reader, self.imports, path) or ci_service.check_ci_service(  # a CI
            f, self.reader, getattr(self.imports, "files", None))  # service container's (set 57)
        if documented:
            return record(f, "false_positive", [documented] + ([sec] if sec and "shaped like" not in sec["evidence"] else []), "evidence", vuln_ids)
        reasons = [sec] if sec else []
        seed = context.check_seed(f, self.reader, getattr(self.imports, 'files', None))
        if seed:
            return record(f, "needs_review", [seed] + reasons, "evidence", vuln_ids)
        if sec and sec["status"] == "weak_key":  # a guessable value as the application's own key: worse, not better
            return record(f, "true_positive", reasons, "evidence", vuln_ids)
        fits = str((f.secret_evidence or {}).get("format") or "").startswith("fits")
        key_material = (f.secret_evidence or {}).get("class") == "key-header"  # a private key in test code: still a key
        if path and (path.get("class") in ("fixture", "test_env") or path.get("class") == "test" and not key_material) and not fits:
            return record(f, "false_positive", [{"check": "path", "evidence": f"not run by the application: {path['evidence']}, which holds "
                          "sample data: a test's key or password opens only what the tests set up"}]  # no format claim: a
                          + [r for r in reasons if "shaped like a real" not in r["evidence"]]  # uuid4 is LNbits' key
                          + [u for u in [value_use.value_use(f, self.reader) or settings_user.named_by(  # who loads
                              f, self.reader, getattr(self.imports, "files", None))] if u], "evidence", vuln_ids)  # it (round 62)
        if path and path["status"] in ("not_deployed", "vendored", "library"):
            return record(f, "needs_review", reasons + [{"check": "path", "evidence": f"{path['evidence']}: a real credential "
                          "in it is still leaked; check whether the value is a live credential"}], "evidence", vuln_ids)
        if sec and sec["status"] == "weak_evidence":
            return record(f, "needs_review", [{"check": "secret", "evidence": sec["evidence"] + ": check whether it is a "
                                               "live password or an ordinary word"}], "evidence", vuln_ids)
        if sec:
            return record(f, "true_positive", reasons, "evidence", vuln_ids)
        return record(f, "true_positive", [{"check": "report", "evidence": f"{f.tool} reports a {f.rule_id} secret; "
                                            "the value was not available to check"}], "report", vuln_ids)
