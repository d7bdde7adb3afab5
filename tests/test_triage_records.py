"""Triage: advisory records (folder, tree, zip, OSV API) and the version checks against them."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from tasks.triage.advisories import AdvisoryStore, merged_ids
from tasks.triage.osv_api import OsvClient
from tasks.triage.versions import check_record, check_report

ADV = Path(__file__).parent / "fixtures" / "advisories"
NET = {"connect_timeout_seconds": 2, "read_timeout_seconds": 2, "retries": 1, "backoff_seconds": 0}


def npm(name, version, fixed=None, fixes=()):
    return {"name": name, "version": version, "ecosystem": "npm", "fixed_version": fixed, "fixed_versions": list(fixes)}


@pytest.fixture(scope="module")
def store():
    return AdvisoryStore(ADV)


def test_records_by_id_by_alias_and_pysec_yaml(store):
    assert store.get("GHSA-93q8-gq69-wqmw")["affected"][0]["package"]["name"] == "ansi-regex"
    assert [r["id"] for r in store.lookup(["CVE-2021-3807"])] == ["GHSA-93q8-gq69-wqmw"]
    ids = sorted(r["id"] for r in store.lookup(["CVE-2021-44420"]))
    assert ids == ["GHSA-v6rh-hp5x-86rv", "PYSEC-2021-439"]  # the YAML record and its GHSA twin
    merged = merged_ids(["PYSEC-2021-439"], store.lookup(["PYSEC-2021-439"]))
    assert merged[0] == "CVE-2021-44420" and "GHSA-v6rh-hp5x-86rv" in merged
    assert store.lookup(["CVE-1999-0001"]) == []


def test_tree_and_zip_layouts_and_the_cached_index(tmp_path):
    tree = tmp_path / "advisory-database" / "advisories" / "github-reviewed" / "2021" / "09" / "GHSA-93q8-gq69-wqmw"
    tree.mkdir(parents=True)
    shutil.copy(ADV / "GHSA-93q8-gq69-wqmw.json", tree)
    (tmp_path / "dump").mkdir()
    with zipfile.ZipFile(tmp_path / "dump" / "all.zip", "w") as zf:
        zf.write(ADV / "GHSA-57j2-w4cx-62h2.json", "GHSA-57j2-w4cx-62h2.json")
        zf.writestr("broken.json", "{not json")
    index = tmp_path / "index.json"
    s = AdvisoryStore(tmp_path, index)
    assert s.lookup(["CVE-2021-3807"])[0]["id"] == "GHSA-93q8-gq69-wqmw"
    assert s.lookup(["CVE-2020-36518"])[0]["affected"][0]["package"]["ecosystem"] == "Maven"
    assert s.skipped == 1
    cached = json.loads(index.read_text())
    cached["files"]["GHSA-93q8-gq69-wqmw"] = "elsewhere.json"  # the same folder state reuses the index as it is
    index.write_text(json.dumps(cached))
    assert AdvisoryStore(tmp_path, index).files["GHSA-93q8-gq69-wqmw"] == "elsewhere.json"


@pytest.mark.parametrize("version,status,fixed", [
    ("4.1.0", "affected", "4.1.1"),      # the fix of its own release line, not 5.0.1 or 6.0.1
    ("3.0.0", "affected", "3.0.1"),
    ("6.0.1", "not_affected", None),
    ("4.1.1", "not_affected", None),
])
def test_installed_version_against_the_ranges(store, version, status, fixed):
    out = check_record(npm("ansi-regex", version), store.lookup(["CVE-2021-3807"]))
    assert (out["status"], out["fixed"]) == (status, fixed)
    if status == "not_affected":
        assert out["evidence"].startswith(f"not affected: {version} is outside ") and ">=4.0.0,<4.1.1" in out["evidence"]
    else:
        assert f"{version} is inside" in out["evidence"]


def test_pypi_names_fold_and_maven_needs_group_and_artifact(store):
    django = {"name": "Django", "version": "3.2.9", "ecosystem": "pip"}
    assert check_record(django, store.lookup(["PYSEC-2021-439"]))["fixed"] == "3.2.10"
    jackson = {"name": "jackson-databind", "group": "com.fasterxml.jackson.core", "version": "2.12.6", "ecosystem": "java-archive"}
    out = check_record(jackson, store.lookup(["CVE-2020-36518"]))
    assert out["status"] == "affected" and out["fixed"] == "2.12.6.1"
    assert check_record(dict(jackson, version="2.13.2.1"), store.lookup(["CVE-2020-36518"]))["status"] == "not_affected"


def test_another_ecosystem_is_a_mismatch_but_a_distro_name_is_not(store):
    out = check_record(npm("jackson-databind", "2.12.0"), store.lookup(["CVE-2020-36518"]))
    assert out["status"] == "mismatch" and "not the npm package jackson-databind" in out["evidence"]
    distro = {"name": "libc6", "version": "2.28-10", "ecosystem": "deb"}
    record = {"id": "DEBIAN-CVE-X", "affected": [{"package": {"ecosystem": "Debian:10", "name": "glibc"},
                                                 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}
    assert check_record(distro, [record]) is None  # binary vs source package name: never a mismatch


def test_unparsable_version_is_unknown_not_outside(store):
    out = check_record(npm("ansi-regex", "not-a-version"), store.lookup(["CVE-2021-3807"]))
    assert out["status"] == "unknown"


def test_debian_epochs_and_withdrawn_records():
    rec = {"id": "DSA-1", "affected": [{"package": {"ecosystem": "Debian:10", "name": "openssl"},
                                        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:1.1.1d-0+deb10u7"}]}]}]}
    pkg = {"name": "openssl", "version": "1.1.1n-0+deb10u1", "ecosystem": "debian"}
    assert check_record(pkg, [rec])["status"] == "affected"  # no epoch = 0, below epoch 1
    assert check_record(dict(pkg, version="1:1.1.1n-0+deb10u1"), [rec])["status"] == "not_affected"
    gone = check_record(pkg, [dict(rec, withdrawn="2024-01-02T00:00:00Z")])
    assert gone["status"] == "not_affected" and "withdrawn" in gone["evidence"]


def test_scanner_contradicting_itself():
    out = check_report(npm("sprockets", "3.7.2", fixes=["3.7.2", "2.12.5"]))
    assert out["status"] == "contradiction" and "not above the installed 3.7.2" in out["evidence"]
    assert check_report(npm("sprockets", "3.7.1", "3.7.2", ["3.7.2"])) is None


# ----------------------------------------------------------------------------- the OSV API, against a local server


def test_osv_api_record_cache_and_404(tmp_path, httpserver):
    record = json.loads((ADV / "GHSA-74fj-2j2h-c42q.json").read_text())
    httpserver.expect_oneshot_request("/v1/vulns/GHSA-74fj-2j2h-c42q").respond_with_json(record)
    httpserver.expect_oneshot_request("/v1/vulns/CVE-2000-0001").respond_with_data("not found", status=404)
    c = OsvClient(tmp_path, httpserver.url_for("/"), NET)
    assert c.get("GHSA-74fj-2j2h-c42q")["id"] == "GHSA-74fj-2j2h-c42q"
    assert c.get("CVE-2000-0001") is None
    again = OsvClient(tmp_path, httpserver.url_for("/"), NET)  # warm: no request at all
    assert again.get("GHSA-74fj-2j2h-c42q")["id"] == "GHSA-74fj-2j2h-c42q" and again.get("CVE-2000-0001") is None
    assert again.requests == 0 and again.cache_hits == 2
    assert c.get("../etc/passwd") is None and not (tmp_path.parent / "etc").exists()


def test_osv_api_querybatch(tmp_path, httpserver):
    httpserver.expect_request("/v1/querybatch", method="POST").respond_with_json(
        {"results": [{"vulns": [{"id": "GHSA-93q8-gq69-wqmw", "modified": "x"}]}, {}]})
    c = OsvClient(tmp_path, httpserver.url_for("/"), NET)
    assert c.query_batch([("npm", "ansi-regex", "4.1.0"), ("npm", "ansi-regex", "4.1.1")]) == [["GHSA-93q8-gq69-wqmw"], []]
    sent = json.loads(httpserver.log[0][0].data)
    assert sent["queries"][0] == {"package": {"ecosystem": "npm", "name": "ansi-regex"}, "version": "4.1.0"}


def test_osv_api_failures_are_one_line_and_the_deadline_stops_asking(tmp_path, httpserver):
    httpserver.expect_request("/v1/vulns/GHSA-aaaa-bbbb-cccc").respond_with_data("boom", status=503)
    c = OsvClient(tmp_path, httpserver.url_for("/"), NET)
    assert c.get("GHSA-aaaa-bbbb-cccc") is None
    assert c.requests == 2 and "failed after 2 attempt(s): HTTP 503" in c.errors[0] and "\n" not in c.errors[0]
    now = [0.0]
    late = OsvClient(tmp_path / "late", httpserver.url_for("/"), NET, deadline_seconds=5, clock=lambda: now[0])
    now[0] = 6.0
    assert late.get("GHSA-dddd-eeee-ffff") is None and late.expired and late.requests == 0


def test_the_scanners_own_constraint():
    from tasks.triage.versions import check_constraint

    pb = {"name": "protobuf", "version": "3.20.3", "ecosystem": "python"}
    out = check_constraint(pb, ">= 4.21.0, < 4.21.6 || >= 3.19.0, < 3.19.5 (unknown)")
    assert out["status"] == "contradiction" and "3.20.3 is outside the constraint" in out["evidence"]
    assert check_constraint(dict(pb, version="3.19.4"), ">= 4.21.0, < 4.21.6 || >= 3.19.0, < 3.19.5 (unknown)") is None
    assert check_constraint(pb, "none (unknown)") is None
    assert check_constraint(dict(pb, version="weird~ver"), "< 4.9 (unknown)") is None
    deb = {"name": "libldap-2.4-2", "version": "2.4.47+dfsg-3+deb10u4", "ecosystem": "deb"}
    assert check_constraint(deb, "< 2.4.47+dfsg-3+deb10u5 (deb)") is None
    assert check_constraint(dict(deb, version="2.4.47+dfsg-3+deb10u6"), "< 2.4.47+dfsg-3+deb10u5 (deb)")["status"] == "contradiction"


def test_records_found_by_package_through_querybatch(tmp_path, httpserver):
    """A finding that names only the CVE gets the GHSA record (with the ranges) through the package."""
    from tasks.triage.step import triage

    ghsa = json.loads((ADV / "GHSA-93q8-gq69-wqmw.json").read_text())
    httpserver.expect_request("/v1/vulns/CVE-2021-3807").respond_with_json({"id": "CVE-2021-3807", "affected": []})
    httpserver.expect_request("/v1/querybatch", method="POST").respond_with_json(
        {"results": [{"vulns": [{"id": "GHSA-93q8-gq69-wqmw"}, {"id": "GHSA-other-0000-0000"}]}]})
    httpserver.expect_request("/v1/vulns/GHSA-93q8-gq69-wqmw").respond_with_json(ghsa)
    httpserver.expect_request("/v1/vulns/GHSA-other-0000-0000").respond_with_data("", status=404)
    f = {"id": "e" * 32, "tool": "trivy", "kind": "dependency", "rule_id": "CVE-2021-3807", "aliases": ["CVE-2021-3807"],
         "cve": ["CVE-2021-3807"], "ghsa": [], "location": {"path": "package-lock.json", "start_line": None, "end_line": None},
         "package": {"name": "ansi-regex", "version": "6.0.1", "ecosystem": "node-pkg", "fixed_version": None, "fixed_versions": []},
         "suppressed": False, "snippet": None}
    (tmp_path / "findings.jsonl").write_text(json.dumps(f) + "\n")
    cfg = {"osv_api": {"enabled": True, "url": httpserver.url_for("/"), "deadline_seconds": 30}}
    out = triage(tmp_path / "findings.jsonl", tmp_path, cfg, net=NET)
    rec = json.loads((tmp_path / "triage.jsonl").read_text())
    assert out["osv_api"]["requests"] >= 3 and rec["verdict"] == "false_positive"
    assert rec["reasons"][0]["evidence"].startswith("not affected: 6.0.1 is outside") and "GHSA-93q8-gq69-wqmw" in rec["vuln_ids"]
    sent = [json.loads(r.data) for r, _ in httpserver.log if r.path == "/v1/querybatch"]
    assert sent[0]["queries"] == [{"package": {"ecosystem": "npm", "name": "ansi-regex"}}]
