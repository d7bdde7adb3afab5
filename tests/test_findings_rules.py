"""The rules of phase 1, one at a time: encodings, what is ignored, hostile numbers, paths, versions, merge."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from conftest import FIXTURES

from tasks.core.errors import SecftError
from tasks.findings import paths, versions
from tasks.findings.merge import merge
from tasks.findings.parse import parse_file
from tasks.findings.parsers.registry import parse_report

SEMGREP_ONE = FIXTURES / "semgrep/one_finding.json"


def _artifact(tmp_path: Path, rel: str, data: bytes) -> tuple[Path, Path]:
    root = tmp_path / "artifacts"
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path, root


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_bom_and_utf16_reports_decode(tmp_path, encoding):
    text = SEMGREP_ONE.read_text(encoding="utf-8")
    data = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):  # what PowerShell's Out-File writes: BOM first
        data = (codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE) + data
    path, _ = _artifact(tmp_path, "win/semgrep.json", data)
    report = parse_report(path)
    assert report.format == "semgrep" and len(report.findings) == 1 and report.invalid_utf8_bytes == 0


def test_stray_bytes_are_counted_not_hidden(tmp_path):
    data = SEMGREP_ONE.read_bytes().replace(b"Using CBC", b"Using \xff\xfeCBC", 1)
    path, root = _artifact(tmp_path, "run/semgrep.json", data)
    record = parse_file(path, root, "fail", 10**6)
    assert record["status"] == "ok" and record["invalid_utf8_bytes"] == 2
    assert "\ufffd\ufffdCBC" in json.dumps(record["findings"], ensure_ascii=False)
    out = tmp_path / "rec.json"
    out.write_text(json.dumps(record))
    summary = merge([out], tmp_path / "f.jsonl", tmp_path / "s.json")
    assert summary["invalid_utf8_bytes"] == 2 and summary["invalid_utf8"] == [{"artifact": record["artifact"], "bytes": 2}]


def test_undecodable_report_names_the_encoding_problem(tmp_path):
    latin = '{"results": [], "errors": [], "note": "' + "é" * 200 + '"}'
    path, _ = _artifact(tmp_path, "x/report.json", latin.encode("latin-1"))
    with pytest.raises(SecftError, match=r"report\.json: not UTF-8 text \(200 of \d+ bytes undecodable"):
        parse_report(path)
    path, _ = _artifact(tmp_path, "x/blob.sarif", b"\x00\x00\x00\x01" * 40)
    with pytest.raises(SecftError, match=r"blob\.sarif: binary content"):
        parse_report(path)


@pytest.mark.parametrize("name, data, kind", [
    ("report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "pdf"),
    ("screenshot.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image"),
    ("zap.html", b"<!DOCTYPE html>\n<html><head><title>ZAP</title>", "html"),
    ("scan.log", b"2024-05-01T10:00:00Z INFO starting scan\n", "log"),
    ("summary.txt", b"3 findings, 1 high\n", "text"),
    ("SUMMARY", b"# Scan summary\n\n| a | b |\n", "markdown"),
    ("report.xhtml", b'<?xml version="1.0"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml">', "html"),
])
def test_files_that_are_not_reports_are_ignored(tmp_path, name, data, kind):
    path, root = _artifact(tmp_path, f"run/{name}", data)
    record = parse_file(path, root, "fail", 10**6)
    assert (record["status"], record["kind"], record["findings"]) == ("ignored", kind, [])


def test_report_shaped_garbage_still_fails(tmp_path):
    path, root = _artifact(tmp_path, "run/results.json", b"scan finished: 3 findings\n")
    with pytest.raises(SecftError, match=r"results\.json: malformed JSON at line 1"):
        parse_file(path, root, "fail", 10**6)
    path, root = _artifact(tmp_path, "run/report.sarif", b"<!DOCTYPE html><html><body>Sign in</body></html>")
    with pytest.raises(SecftError, match=r"report\.sarif: an HTML page under a report name"):
        parse_file(path, root, "fail", 10**6)
    path, root = _artifact(tmp_path, "run/data.json", b'{"hello": 1}')
    with pytest.raises(SecftError, match="unrecognised report format"):
        parse_file(path, root, "fail", 10**6)


def _sarif(results: list, **run) -> bytes:
    return json.dumps({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "demo"}}, "results": results, **run}]}).encode()


def _result(line, uri="src/a.py", fp=None):
    r = {"ruleId": "R1", "message": {"text": "m"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line}}}]}
    if fp is not None:
        r["partialFingerprints"] = {"primaryLocationLineHash": fp}
    return r


def test_hostile_numbers_never_traceback(tmp_path):
    raw = _sarif([_result(1), _result(-5), _result(10**30), _result("x"), _result(True), _result(7.5)])
    raw = raw.replace(b'"startLine": 1}', b'"startLine": 1e999}', 1)
    path, root = _artifact(tmp_path, "run/hostile.sarif", raw)
    for on_error in ("fail", "skip"):
        record = parse_file(path, root, on_error, 10**6)
        assert record["status"] == "ok"
        assert [f["location"]["start_line"] for f in record["findings"]] == [None] * 6


def test_broken_structure_is_one_line_with_skip(tmp_path):
    path, root = _artifact(tmp_path, "run/odd.sarif", json.dumps({"version": "2.1.0", "runs": [{"results": {"a": 1}}]}).encode())
    record = parse_file(path, root, "skip", 10**6)
    assert record["status"] == "rejected" and "\n" not in record["error"] and "odd.sarif" in record["error"]
    with pytest.raises(SecftError):
        parse_file(path, root, "fail", 10**6)


def test_run_json_that_is_a_list_is_one_line(tmp_path):
    path, root = _artifact(tmp_path, "run-7/semgrep.json", SEMGREP_ONE.read_bytes())
    (root / "run-7" / "run.json").write_text("[1, 2]")
    record = parse_file(path, root, "skip", 10**6)
    assert record["status"] == "rejected" and "run.json" in record["error"] and "\n" not in record["error"]


def test_placeholder_and_shared_fingerprints_are_not_identity(tmp_path):
    results = [_result(n, fp="requires login") for n in (1, 2, 3)] + [_result(n, uri="b.py", fp="abc") for n in (4, 5)]
    path, _ = _artifact(tmp_path, "x/r.sarif", _sarif(results))
    assert len({f["id"] for f in parse_report(path).findings}) == 5
    real = [_result(n, uri=f"f{n}.py", fp=f"hash{n}") for n in (1, 2)]
    moved = [_result(n + 10, uri=f"f{n}.py", fp=f"hash{n}") for n in (1, 2)]  # same code, lines shifted
    a, _ = _artifact(tmp_path, "a/r.sarif", _sarif(real))
    b, _ = _artifact(tmp_path, "b/r.sarif", _sarif(moved))
    assert [f["id"] for f in parse_report(a).findings] == [f["id"] for f in parse_report(b).findings]


def test_uri_base_ids_resolve_and_strip(tmp_path):
    run = {"originalUriBaseIds": {"SRC": {"uri": "src/", "uriBaseId": "ROOT"}, "ROOT": {"uri": "file:///github/workspace/"}}}
    res = _result(3, uri="app/main.py")
    res["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] = "SRC"
    path, _ = _artifact(tmp_path, "x/r.sarif", _sarif([res, _result(4, uri="file:///home/runner/work/r/r/lib/x.py")], **run))
    locs = [f["location"] for f in parse_report(path).findings]
    assert locs[0] == {"path": "app/main.py", "start_line": 3, "end_line": 3, "original_path": "file:///github/workspace/src/app/main.py"}
    assert locs[1]["path"] == "lib/x.py"


@pytest.mark.parametrize("written, expected", [
    ("/home/runner/work/shop/shop/src/a.py", "src/a.py"),
    ("D:\\a\\shop\\shop\\src\\Program.cs", "src/Program.cs"),
    ("file:///D:/a/shop/shop/src/x.cs", "src/x.cs"),
    ("/github/workspace/package-lock.json", "package-lock.json"),
    ("/builds/group/project/main.tf", "main.tf"),
    ("/var/lib/jenkins/workspace/job/pom.xml", "pom.xml"),
    ("/workspace/go.mod", "go.mod"),
    ("/__w/shop/shop/app.js", "app.js"),
    ("./src/a.py", "src/a.py"),
    ("/usr/lib/python3/dist-packages/x.py", "/usr/lib/python3/dist-packages/x.py"),
    ("/src/app.py", "/src/app.py"),
])
def test_ci_prefixes_are_stripped(written, expected):
    assert paths.normalise(written)[0] == expected


def test_ci_prefixes_are_scrubbed_from_text():
    text = "at /home/runner/work/a/a/x.py:3 and file:///github/workspace/y.js; keep /usr/home/runner/work/a/b/c"
    assert paths.scrub_text(text) == "at x.py:3 and y.js; keep /usr/home/runner/work/a/b/c"


@pytest.mark.parametrize("installed, fixes, eco, expected", [
    ("1.3.5", ["1.5.13", "1.3.15"], "maven", ("1.3.15", "fixed")),
    ("4.1.100.Final", ["4.2.4.Final", "4.1.124.Final"], "jar", ("4.1.124.Final", "fixed")),
    ("31.1-jre", ["32.0.1-android"], "jar", ("32.0.1-jre", "fixed")),
    ("32.0.0-jre", ["32.0.0-android", "32.0.1-jre"], "maven", ("32.0.1-jre", "fixed")),
    ("1.2.0", versions.split_list("1.2.3, 1.3.4"), "npm", ("1.2.3", "fixed")),
    ("1.3.1", versions.split_list("1.2.3, 1.3.4"), "npm", ("1.3.4", "fixed")),
    ("2.0.0", ["3.0.0-rc1", "2.5.1"], "npm", ("2.5.1", "fixed")),
    ("1.1.1c-r0", ["1.1.1d-r0"], "alpine", ("1.1.1d-r0", "fixed")),
    ("1:2.3-4", ["1:2.3-4+deb10u1"], "deb", ("1:2.3-4+deb10u1", "fixed")),
    ("3.2.9", ["3.2.10", "2.2.24", "3.1.12"], "PyPI", ("3.2.10", "fixed")),
    ("1.0.0", [], "npm", (None, "none published")),
    ("5.0.0", ["4.0.0"], "npm", (None, "unknown")),
])
def test_fix_for_the_installed_line(installed, fixes, eco, expected):
    assert versions.choose_fix(installed, fixes, eco) == expected


def test_osv_range_containing_the_installed_version():
    affected = [{"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "4.1.124.Final"}]},
                            {"type": "ECOSYSTEM", "events": [{"introduced": "4.2.0.Alpha1"}, {"fixed": "4.2.4.Final"}]},
                            {"type": "GIT", "events": [{"introduced": "0"}, {"fixed": "abc123"}]}]}]
    assert versions.fix_from_osv_ranges("4.1.100.Final", affected, "Maven")[:2] == ("4.1.124.Final", "fixed")
    assert versions.fix_from_osv_ranges("4.2.1.Final", affected, "Maven")[:2] == ("4.2.4.Final", "fixed")
    open_ended = [{"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"last_affected": "2.0.0"}]}]}]
    assert versions.fix_from_osv_ranges("1.0.0", open_ended, "npm")[:2] == (None, "none published")


def test_merge_reads_batched_records_and_keeps_provenance_bounded(tmp_path):
    recs = []
    for n, created in enumerate(["2024-03-01T00:00:00Z", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"]):
        path, root = _artifact(tmp_path, f"run-{n}/semgrep.json", SEMGREP_ONE.read_bytes())
        rec = parse_file(path, root, "fail", 10**6)
        for f in rec["findings"]:
            f["source"].update(run_id=str(n), created_at=created)
        recs.append(rec)
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps({"records": recs[:2]}))
    single = tmp_path / "single.json"
    single.write_text(json.dumps(recs[2]))
    merge([batch, single], tmp_path / "f.jsonl", tmp_path / "s.json")
    (f,) = [json.loads(line) for line in (tmp_path / "f.jsonl").read_text().splitlines()]
    assert f["seen_count"] == 3 and "also_seen_in" not in f
    assert f["first_seen"]["run_id"] == "1" and f["last_seen"]["run_id"] == "0"
    assert f["source"]["run_id"] == "1"


def test_checkov_repo_paths_are_repository_relative():
    f = parse_report(FIXTURES / "checkov/checkov-report-multiple-check_type.json").findings[0]
    assert f["location"]["path"] == "infra/terraform/aws/db-app.tf"
    assert f["location"]["original_path"] == "/infra/terraform/aws/db-app.tf"
