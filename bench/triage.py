"""Triage figures for docs/triage.md: verdicts by deciding check, records found, speed, network use.

    python bench/triage.py [--reports DIR] [--advisories DIR] [--workdir DIR]

1. Every report under ``--reports`` (default: the shared scanner fixtures,
   else tests/fixtures/scanners) is parsed and de-duplicated as the
   pipeline does, then triaged with the records in ``--advisories``
   (default: the shared OSV fixtures, else tests/fixtures/advisories):
   verdicts by deciding check and tool, the share of dependency findings
   with an advisory record, the false positives by reason.
2. Speed: the same findings varied into 10,000 unique ones (new ids and
   locations, the same packages, versions and advisory ids), triaged with a
   cold and with a warm record index.
3. Network: a workspace with the sample reports and ``triage.osv_api``
   pointed at a local OSV stand-in (a thread on 127.0.0.1 serving the
   fixture records by id and by package) is built to the triage task, then
   run again: the requests each run made are counted.
"""

from __future__ import annotations

import argparse
import copy
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tasks.core import atomic  # noqa: E402
from tasks.core.hashing import sha256_text  # noqa: E402
from tasks.findings.merge import merge_findings  # noqa: E402
from tasks.findings.parsers import parse_report  # noqa: E402
from tasks.triage.advisories import AdvisoryStore  # noqa: E402
from tasks.triage.step import triage  # noqa: E402

SHARED = Path("/work/shared/fixtures")


def findings_of(reports: Path) -> list[dict]:
    parsed = []
    for p in sorted(reports.rglob("*")):
        if not p.is_file() or p.suffix not in (".json", ".sarif", ".xml"):
            continue
        try:
            fs = parse_report(p, display_path=str(p.relative_to(reports))).findings
        except Exception:  # noqa: BLE001 - a fixture that is meant to fail parsing
            continue
        for f in fs:
            f["source"].update(run_id="1", commit=None, created_at="2026-01-01T00:00:00Z")
        parsed += fs
    return merge_findings(parsed)


def figures(findings: list[dict], advisories: Path, work: Path) -> None:
    fpath = work / "findings.jsonl"
    atomic.write_jsonl(fpath, findings)
    result = triage(fpath, work, {"advisories": {"path": str(advisories)}})
    recs = [json.loads(l) for l in (work / "triage.jsonl").read_text().splitlines()]
    deps = sum(1 for f in findings if f["kind"] == "dependency")
    print(f"{len(findings)} unique findings; {deps} dependency findings, {result['with_record']} with an advisory record "
          f"({result['with_record'] / max(deps, 1):.1%} of dependency findings, {result['with_record'] / len(findings):.1%} of all)\n")
    print("| verdict | deciding check | findings | tools |\n|---|---|---:|---|")
    by = Counter((r["verdict"], r["reasons"][0]["check"]) for r in recs)
    tools: dict = {}
    for r in recs:
        tools.setdefault((r["verdict"], r["reasons"][0]["check"]), Counter())[r["tool"]] += 1
    for (v, c), n in sorted(by.items()):
        print(f"| {v} | {c} | {n} | {', '.join(f'{t} {k}' for t, k in tools[(v, c)].most_common(4))} |")
    print("\n| false positives by reason (first words of the evidence) | findings |\n|---|---:|")
    fps = Counter(r["reasons"][0]["evidence"].split(":")[0][:60] for r in recs if r["verdict"] == "false_positive")
    for why, n in fps.most_common(12):
        print(f"| {why} | {n} |")


# A self-labelled check on the fixtures (not the held-out set): classes of findings whose verdict can be
# argued from the report, the records and the code the report shows.  (artifact, predicate, label, why, round)
# Round 1 labels came with the triage step; round 2 labels were added later, each after reading the finding
# (snippet, value class, advisory text) and written with its one-line evidence.
def _path(f) -> str:
    return str((f.get("location") or {}).get("path") or "")


def _pkg(f) -> str:
    return str((f.get("package") or {}).get("name") or "")


_PARSER = r"tools/[^/]+/parser(?:_xml)?\.py$"
LABELS = [
    ("grype/TestSarifPresenter_image.sarif", lambda f: True, "false_positive", "grype's own test data (package-1, CVE-1999-0001)", 1),
    ("sarif/DefectDojo", lambda f: "/unittests/scans/" in _path(f), "false_positive", "DefectDojo's parser test data", 1),
    ("gitleaks/gitleaks_7.5.0.sarif", lambda f: "unittests" in _path(f), "false_positive",
     "AWS documentation keys in DefectDojo's tests", 1),
    ("trivy/alpine-310.sarif", lambda f: "testdata/fixtures" in _path(f), "false_positive", "Trivy's own test image", 1),
    ("grype/cxf-3.4.6.sarif", lambda f: bool(f.get("match")) and "jackson" not in _pkg(f), "false_positive",
     "Apache CXF/Geronimo CVEs matched by CPE to other jars", 1),
    ("bandit/", lambda f: f["rule_id"] == "B101" and "test" in _path(f), "false_positive", "assert in tests", 1),
    ("gitleaks/gitleaks8_many.json", lambda f: f["rule_id"] == "aws-access-token", "false_positive", "not an AWS key format", 1),
    ("semgrep/semgrepowasp-benchmark-sample.sarif", lambda f: True, "true_positive", "OWASP Benchmark: deliberately vulnerable", 1),
    ("trivy/juice-shop-v12.10.2.json", lambda f: f["kind"] == "dependency", "true_positive", "Juice Shop dependencies, records say affected", 1),
    ("osv_scanner/many_findings.json", lambda f: True, "true_positive", "OSV-Scanner: versions inside the records' ranges", 1),
    # round 2
    ("grype/check_all_fields.json", lambda f: _pkg(f) == "redis", "false_positive",
     "CVE-2021-32626 is Redis server's Lua-script heap overflow (its NVD text); pkg:pypi/redis is the Python client, no Lua", 2),
    ("grype/many_vulns.json", lambda f: _pkg(f) == "mercurial", "true_positive",
     "CVE-2019-3902: 'Mercurial before 4.9'; the installed PyPI mercurial 4.8.2 is Mercurial itself", 2),
    ("semgrep/many_vulns.json", lambda f: f["rule_id"].endswith("md5") and re.search(_PARSER, _path(f)), "false_positive",
     "MD5 of a finding's title/description/severity as a de-duplication key in a report parser (snippet): no secret hashed", 2),
    ("bandit/", lambda f: f["rule_id"] == "B303" and re.search(_PARSER, _path(f)), "false_positive",
     "the same MD5 de-duplication keys in DefectDojo's parsers, found by Bandit (snippet)", 2),
    ("semgrep/many_vulns.json", lambda f: re.search(r"\.(correctness|maintainability|best-practice)\.", f["rule_id"]),
     "false_positive", "code-quality rules (useless ==, useless if/else, tempfile flush): no security weakness", 2),
    ("sarif/DefectDojo", lambda f: "/unittests/scans/" not in _path(f) and "js/unsafe-external-link" not in f["rule_id"],
     "false_positive", "LGTM quality queries (unused import/variable, catch-all except, ...; rule tags carry no 'security')", 2),
    ("sarif/DefectDojo", lambda f: "js/unsafe-external-link" in f["rule_id"], "true_positive",
     "target=_blank links without rel=noopener (LGTM tags it 'security', CWE-1022): reverse tabnabbing", 2),
    ("sarif/codeQL-output.sarif", lambda f: f["rule_id"] in ("py/unused-import", "py/unused-local-variable", "py/empty-except",
                                                            "py/commented-out-code", "py/unreachable-statement", "py/mixed-returns"),
     "false_positive", "CodeQL quality queries (tags maintainability/reliability, no 'security')", 2),
    ("sarif/codeQL-output.sarif", lambda f: f["rule_id"] in ("py/sql-injection", "py/path-injection") and _path(f).startswith("bad/"),
     "true_positive", "CodeQL traced request data (request.form/get_json) into SQL and file paths in the app's bad/ module", 2),
    ("semgrep/many_vulns.json", lambda f: f["rule_id"].endswith("use-defused-xml"), "true_positive",
     "DefectDojo's parsers read XML reports users upload with xml.dom/ElementTree, not defusedxml", 2),
    ("bandit/many_vulns.json", lambda f: f["rule_id"] == "B101" and _path(f) == "dojo/finding/views.py", "true_positive",
     "`assert user.is_staff` guards a view: python -O removes the authorisation check", 2),
    ("gitleaks/gitleaks8_many.json", lambda f: f["rule_id"] == "generic-api-key", "false_positive",
     "apikey in tests/api.py is home-row keyboard mash (dfjks...), typed by hand", 2),
    ("zap/", lambda f: f["rule_id"] in ("10109", "10111"), "false_positive",
     "ZAP's 'Modern Web Application' and 'Authentication Request Identified': informational, no weakness", 2),
    ("zap/", lambda f: f["rule_id"] in ("40012", "40018", "40026"), "true_positive",
     "ZAP's active scan attacks: an alert(1) payload echoed back, a DOM XSS payload, an arithmetic SQL injection (23-2)", 2),
    ("gitleaks/data_many.json", lambda f: True, "true_positive",
     "a 40-hex GitHub token and a MailChimp key with its -us11 datacenter suffix committed in .bashrc", 2),
    ("trivy/juice-shop-v12.10.2.json", lambda f: f["rule_id"] == "private-key", "true_positive",
     "Juice Shop's RSA private key for signing JWTs, hardcoded in lib/insecurity.js", 2),
]


# the checks that flag each false-positive class for the right reason (a flag by another check is counted apart)
RIGHT = {"grype's own test data": {"path"}, "DefectDojo's parser test data": {"path", "report"},
         "AWS documentation keys": {"secret", "path"}, "Trivy's own test image": {"path"}, "Apache CXF": {"ecosystem", "advisory"},
         "assert in tests": {"report"}, "not an AWS key format": {"secret"}, "CVE-2021-32626": {"ecosystem", "advisory"},
         "MD5 of a finding": {"code"}, "the same MD5": {"code"}, "code-quality rules": {"report"},
         "LGTM quality": {"report"}, "CodeQL quality": {"report"}, "apikey in tests": {"secret"},
         "ZAP's 'Modern": {"report"}}


def _right(why: str, check: str) -> bool:
    return any(why.startswith(k) and check in v for k, v in RIGHT.items())


def labelled(findings: list[dict], work: Path) -> dict:
    """FP recall and TP false-flag rate over the labels, overall, per round and per tool."""
    recs = {json.loads(l)["finding_id"]: json.loads(l) for l in (work / "triage.jsonl").read_text().splitlines()}
    seen: set[str] = set()
    rows, per_tool, per_round = [], {}, {}
    for art, pred, label, why, rnd in LABELS:
        mine = [f for f in findings if art in f["source"]["artifact"] and pred(f) and f["id"] not in seen]
        seen.update(f["id"] for f in mine)
        verdicts = Counter(recs[f["id"]]["verdict"] for f in mine)
        wrong = 0
        for f in mine:
            rec = recs[f["id"]]
            hit = rec["verdict"] == "false_positive"
            if hit and label == "false_positive" and not _right(why, rec["reasons"][0]["check"]):
                hit, wrong = False, wrong + 1  # flagged, but not for the reason the label gives
            for bucket in (per_tool.setdefault(f["tool"], Counter()), per_round.setdefault(rnd, Counter()),
                           per_round.setdefault("all", Counter())):
                bucket[(label, hit)] += 1
        rows.append(f"| {art} | {why} | {label} | {rnd} | {len(mine)} | {dict(verdicts)}{f' ({wrong} for another reason)' if wrong else ''} |")
    print("\n| fixture (self-labelled) | why | label | round | findings | verdicts |\n|---|---|---|---|---:|---|")
    print("\n".join(rows))

    def line(name, c):
        fp, fp_hit = c[("false_positive", True)] + c[("false_positive", False)], c[("false_positive", True)]
        tp, tp_hit = c[("true_positive", True)] + c[("true_positive", False)], c[("true_positive", True)]
        return (f"| {name} | {fp_hit}/{fp} ({fp_hit / max(fp, 1):.0%}) | {tp_hit}/{tp} ({tp_hit / max(tp, 1):.1%}) |")
    print("\n| labels | false positives flagged for the right reason | true positives flagged false_positive |\n|---|---:|---:|")
    for key in (1, 2, "all"):
        if key in per_round:
            print(line({1: "round 1", 2: "round 2 (added)", "all": "all"}[key], per_round[key]))
    for tool in sorted(per_tool):
        print(line(tool, per_tool[tool]))
    return per_round.get("all", Counter())


def speed(findings: list[dict], advisories: Path, work: Path, n: int = 10000) -> None:
    out = []
    for i in range(n):
        f = copy.deepcopy(findings[i % len(findings)])
        f["id"] = sha256_text(f"{f['id']}-{i}")[:32]
        if f.get("location") and f["location"].get("start_line"):
            f["location"]["start_line"] += i
        out.append(f)
    fpath = work / "findings10k.jsonl"
    atomic.write_jsonl(fpath, out)
    cfg = {"advisories": {"path": str(advisories)}}
    (work / "advisory_index.json").unlink(missing_ok=True)
    times = []
    for _ in range(2):
        t = time.perf_counter()
        triage(fpath, work, cfg)
        times.append(time.perf_counter() - t)
    print(f"\n| {n:,} findings | cold record index | warm record index |\n|---|---:|---:|\n| triage | {times[0]:.2f} s | {times[1]:.2f} s |")


class _Osv(http.server.BaseHTTPRequestHandler):
    store: AdvisoryStore
    count = 0

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).count += 1
        rec = self.store.get(self.path.rsplit("/", 1)[-1]) or (self.store.lookup([self.path.rsplit("/", 1)[-1]]) or [None])[0]
        body = json.dumps({k: v for k, v in (rec or {}).items() if k != "_file"}).encode()
        self.send_response(200 if rec else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):  # noqa: N802 - /v1/querybatch: every stored record naming the package
        type(self).count += 1
        queries = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}").get("queries") or []
        results = []
        for q in queries:
            p = q.get("package") or {}
            ids = [rid for rid in self.store.files if any(
                (a.get("package") or {}).get("name", "").lower() == str(p.get("name", "")).lower()
                for a in (self.store.get(rid) or {}).get("affected") or [] if isinstance(a, dict))]
            results.append({"vulns": [{"id": i} for i in ids]})
        body = json.dumps({"results": results}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def network(advisories: Path, work: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import clean_env, make_workspace, run_doit

    _Osv.store = AdvisoryStore(advisories)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Osv)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ws = make_workspace(work / "ws")
    (ws / "data" / "advisories").rename(ws / "data" / "no-advisories")  # every record must come from the API
    cfg = ws / "config" / "profiles" / "netbench.yaml"
    cfg.write_text(f"triage:\n  osv_api:\n    enabled: true\n    url: http://127.0.0.1:{server.server_port}\n")
    rows = []
    for label in ("first build", "no-op build", "after `doit forget triage` (warm cache)"):
        if label.startswith("after"):
            subprocess.run([sys.executable, "-m", "doit", "-f", str(ROOT / "dodo.py"), "-d", str(ws), "forget", "triage"],
                           env=clean_env(), capture_output=True, check=True)
        before = _Osv.count
        t = time.perf_counter()
        run = run_doit(ws, "triage", "profile=netbench")
        rows.append((label, "triage" in run.executed, _Osv.count - before, time.perf_counter() - t))
        assert run.returncode == 0, run.output[-2000:]
    server.shutdown()
    print("\n| run (sample reports, OSV API on 127.0.0.1) | triage ran | OSV requests | wall time |\n|---|---|---:|---:|")
    for label, ran, n, t in rows:
        print(f"| {label} | {'yes' if ran else 'no (up to date)'} | {n} | {t:.1f} s |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=Path, default=SHARED / "scanners" if (SHARED / "scanners").is_dir() else ROOT / "tests/fixtures/scanners")
    ap.add_argument("--advisories", type=Path, default=SHARED / "advisories" if (SHARED / "advisories").is_dir() else ROOT / "tests/fixtures/advisories")
    ap.add_argument("--workdir", type=Path)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="secft-triage-"))
    os.environ.setdefault("PYTHONHASHSEED", "0")
    findings = findings_of(args.reports)
    print(f"reports: {args.reports}\nrecords: {args.advisories}\n")
    figures(findings, args.advisories, work)
    labelled(findings, work)
    speed(findings, args.advisories, work)
    network(args.advisories, work)


if __name__ == "__main__":
    main()
