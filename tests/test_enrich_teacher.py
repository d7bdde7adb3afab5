"""The optional teacher: a local OpenAI-compatible server (pytest-httpserver) answers; good answers replace the
deterministic analysis, answers with a wrong fact do not, answers are cached, a dead endpoint costs a bounded
number of tries."""

from __future__ import annotations

import json

import pytest

from datasets_rows import dependency, finding
from tasks.enrich import step
from tasks.enrich.teacher import Teacher, fact_problems, finding_text

PYYAML = dependency("pyyaml", "PyYAML", "5.3.1", "5.4", cve=["CVE-2020-14343"])
PYYAML["cwe"] = ["CWE-20"]
PYYAML["description"] = ("A vulnerability was discovered in the PyYAML library in versions before 5.4, where it is "
                         "susceptible to arbitrary code execution when it processes untrusted YAML files through the "
                         "full_load method or with the FullLoader loader.")
NARRATIVE = {"finding_id": PYYAML["id"], "cwe": ["CWE-20"], "cwe_source": "report", "language": None,
             "sections": {"weakness": "", "impact": "", "exploitation": "", "remediation": "Upgrade PyYAML to 5.4."},
             "narrative": "## How to fix it\n- Upgrade PyYAML from 5.3.1 to 5.4, the fixed release.", "triage": None,
             "triage_narrative": None, "references": [], "kb_version": "kb", "template_version": "3"}
GOOD = ("## How it works\n`yaml.full_load` and `FullLoader` still construct `!!python/object/new` tags, so a YAML "
        "document from outside runs code in this process; `yaml.safe_load` builds plain types only.\n\n"
        "## How to fix it\n- Upgrade PyYAML from 5.3.1 to 5.4 in requirements.txt and load untrusted files with "
        "`yaml.safe_load`.\n```python\nconfig = yaml.safe_load(stream)\n```")
WRONG = {
    "version": GOOD.replace("to 5.4 in", "to 6.0.1 in"),
    "cwe": GOOD + "\nThis is CWE-918 (SSRF).",
    "path": GOOD.replace("requirements.txt", "/home/runner/work/app/requirements.txt"),
    "parse": GOOD.replace("yaml.safe_load(stream)", "yaml.safe_load(stream"),
    "verdict": "## Verdict\nThis is a false positive and can be accepted: PyYAML is only used at build time by CI scripts.",
    "restated": GOOD + "\n\nPyYAML 5.3.1 is vulnerable: a vulnerability was discovered in the PyYAML library in versions before 5.4.",
}


def _chat(content: str) -> dict:
    return {"id": "x", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}


def test_a_good_answer_passes_the_fact_checks():
    assert fact_problems(GOOD, PYYAML, NARRATIVE, finding_text(PYYAML)) == []


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_each_wrong_answer_is_refused(kind):
    assert fact_problems(WRONG[kind], PYYAML, NARRATIVE, finding_text(PYYAML))


def test_teacher_against_a_local_server_keeps_only_checked_answers_and_caches(httpserver, tmp_path):
    other = finding("sqli-teacher")
    other_n = dict(NARRATIVE, finding_id=other["id"], cwe=["CWE-89"], narrative="## How to fix it\n- Bind the value.")
    answers = {PYYAML["id"]: GOOD, other["id"]: WRONG["cwe"]}

    def handler(request):
        from werkzeug import Response

        body = json.loads(request.data)
        assert body["model"] == "olmo-teacher" and body["messages"][0]["role"] == "system"
        user = body["messages"][1]["content"]
        fid = PYYAML["id"] if "PyYAML" in user else other["id"]
        return Response(json.dumps(_chat(answers[fid])), content_type="application/json")

    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_handler(handler)
    cfg = {"url": httpserver.url_for("/v1"), "model": "olmo-teacher", "timeout_seconds": 5}
    findings = tmp_path / "findings.jsonl"
    findings.write_text("".join(json.dumps(f) + "\n" for f in (PYYAML, other)))
    rows, stats = step.taught([NARRATIVE, other_n], findings, cfg, tmp_path / "teacher_cache.jsonl")
    assert rows[0]["narrative"] == GOOD and rows[0]["author"] == "teacher:olmo-teacher"
    assert rows[1] == other_n  # CWE-918 is not the finding's CWE: the deterministic text stays
    assert stats | {} == {"asked": 2, "cached": 0, "accepted": 1, "rejected": 1, "failed": 0, "skipped": 0}
    # a second pass asks nothing: both answers come from the cache (the rejected one is rejected again)
    httpserver.clear()
    rows2, stats2 = step.taught([NARRATIVE, other_n], findings, cfg, tmp_path / "teacher_cache.jsonl")
    assert rows2 == rows and stats2["asked"] == 0 and stats2["cached"] == 2


def test_a_dead_endpoint_is_tried_a_bounded_number_of_times(httpserver, tmp_path, capsys):
    httpserver.expect_request("/v1/chat/completions").respond_with_data("overloaded", status=503)
    cfg = {"url": httpserver.url_for("/v1"), "model": "m", "timeout_seconds": 5}
    many = [dict(NARRATIVE, finding_id=f"{i:032x}") for i in range(6)]
    findings = tmp_path / "findings.jsonl"
    findings.write_text("".join(json.dumps(dict(PYYAML, id=n["finding_id"])) + "\n" for n in many))
    rows, stats = step.taught(many, findings, cfg, tmp_path / "teacher_cache.jsonl")
    assert rows == many and stats["failed"] == 3 and stats["skipped"] == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "/v1/chat/completions" in err[0] and "503" in err[0]


def test_the_deadline_stops_asking(tmp_path):
    now = [0.0]
    teacher = Teacher({"url": "http://127.0.0.1:9/v1", "model": "m", "deadline_seconds": 10}, tmp_path / "c.jsonl",
                      clock=lambda: now[0])
    now[0] = 11.0
    assert teacher.analysis(PYYAML, NARRATIVE, finding_text(PYYAML))[0] is None and teacher.stats["skipped"] == 1


def test_the_token_goes_only_to_the_configured_endpoint(httpserver, tmp_path):
    seen = []

    def handler(request):
        from werkzeug import Response

        seen.append(request.headers.get("Authorization"))
        return Response(json.dumps(_chat(GOOD)), content_type="application/json")

    httpserver.expect_request("/v1/chat/completions").respond_with_handler(handler)
    teacher = Teacher({"url": httpserver.url_for("/v1"), "model": "m", "api_key_env": "TEACHER_KEY"},
                      tmp_path / "c.jsonl", environ={"TEACHER_KEY": "sk-local-test"})
    assert teacher.analysis(PYYAML, NARRATIVE, finding_text(PYYAML))[0] == GOOD.strip()
    assert seen == ["Bearer sk-local-test"]
