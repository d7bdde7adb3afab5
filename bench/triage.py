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
# argued from the report and the records alone.  (artifact, predicate, label, why)
LABELS = [
    ("grype/TestSarifPresenter_image.sarif", lambda f: True, "false_positive", "grype's own test data (package-1, CVE-1999-0001)"),
    ("sarif/DefectDojo", lambda f: "/unittests/scans/" in str((f.get("location") or {}).get("path")), "false_positive",
     "DefectDojo's parser test data"),
    ("gitleaks/gitleaks_7.5.0.sarif", lambda f: "unittests" in str((f.get("location") or {}).get("path")), "false_positive",
     "AWS documentation keys in DefectDojo's tests"),
    ("trivy/alpine-310.sarif", lambda f: "testdata/fixtures" in str((f.get("location") or {}).get("path")), "false_positive",
     "Trivy's own test image"),
    ("grype/cxf-3.4.6.sarif", lambda f: bool(f.get("match")) and "jackson" not in str((f.get("package") or {}).get("name")),
     "false_positive", "Apache CXF/Geronimo CVEs matched by CPE to other jars"),
    ("bandit/", lambda f: f["rule_id"] == "B101" and "test" in str((f.get("location") or {}).get("path")), "false_positive",
     "assert in tests"),
    ("gitleaks/gitleaks8_many.json", lambda f: f["rule_id"] == "aws-access-token", "false_positive", "not an AWS key format"),
    ("semgrep/semgrepowasp-benchmark-sample.sarif", lambda f: True, "true_positive", "OWASP Benchmark: deliberately vulnerable"),
    ("trivy/juice-shop-v12.10.2.json", lambda f: f["kind"] == "dependency", "true_positive", "Juice Shop dependencies, records say affected"),
    ("osv_scanner/many_findings.json", lambda f: True, "true_positive", "OSV-Scanner: versions inside the records' ranges"),
]


def labelled(findings: list[dict], work: Path) -> None:
    recs = {json.loads(l)["finding_id"]: json.loads(l) for l in (work / "triage.jsonl").read_text().splitlines()}
    fp_total = fp_hit = tp_total = tp_flagged = 0
    rows = []
    for art, pred, label, why in LABELS:
        mine = [f for f in findings if art in f["source"]["artifact"] and pred(f)]
        verdicts = Counter(recs[f["id"]]["verdict"] for f in mine)
        if label == "false_positive":
            fp_total += len(mine)
            fp_hit += verdicts["false_positive"]
        else:
            tp_total += len(mine)
            tp_flagged += verdicts["false_positive"]
        rows.append(f"| {art} | {why} | {label} | {len(mine)} | {dict(verdicts)} |")
    print("\n| fixture (self-labelled) | why | label | findings | verdicts |\n|---|---|---|---:|---|")
    print("\n".join(rows))
    print(f"\nfalse positives flagged: {fp_hit}/{fp_total} ({fp_hit / max(fp_total, 1):.0%}); "
          f"true positives flagged false_positive: {tp_flagged}/{tp_total} ({tp_flagged / max(tp_total, 1):.1%})")


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
