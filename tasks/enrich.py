"""Phase 2: findings -> analysis narratives, with knowledge-base retrieval.

A narrative explains what the weakness is, why it matters at this
location or package, how it is exploited, how to fix it, and where to read
more.  It is a pure function of (finding, KB version, template version), so
narratives are cached under a hash of those three: a new artifact enriches
only its new findings.

The rule for findings with no CWE, in order:
1. a kind default where the kind fixes the weakness: secrets are CWE-798
   (hard-coded credentials), vulnerable dependencies CWE-1395 (dependency on
   a vulnerable third-party component);
2. otherwise the nearest CWE entry by BM25 over the catalogue (query: title
   and description), kept only above ``MIN_RETRIEVAL_SCORE`` and marked
   ``cwe_source: retrieved``;
3. otherwise no CWE: the narrative uses the report's own texts only and
   says so (``cwe_source: none``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tasks import atomic
from tasks.hashing import sha256_json
from tasks.knowledge_base import KnowledgeBase, known

TEMPLATE_VERSION = "1"
MIN_RETRIEVAL_SCORE = 12.0
KIND_DEFAULT_CWE = {"secret": "CWE-798", "dependency": "CWE-1395"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


# where and how often a finding was seen changes with every CI run, never its narrative
_NOT_IN_KEY = ("source", "also_seen_in", "first_seen", "last_seen", "seen_count")


def cache_key(finding: dict, kb_version: str) -> str:
    core = {k: v for k, v in finding.items() if k not in _NOT_IN_KEY}
    return sha256_json({"finding": core, "kb": kb_version, "template": TEMPLATE_VERSION})


def _sentences(text: str, n: int) -> str:
    parts = [p.strip() for p in _SENTENCE_END.split(" ".join((text or "").split())) if p.strip()]
    return " ".join(parts[:n])


def _place(f: dict) -> str:
    if f.get("package"):
        p = f["package"]
        where = f"package {p['name']}" + (f" {p['version']}" if p.get("version") else "")
        if p.get("ecosystem"):
            where += f" ({p['ecosystem']})"
        if f.get("location"):
            where += f" found in {f['location']['path']}"
        return where
    loc = f.get("location")
    if loc:
        line = f":{loc['start_line']}" if loc.get("start_line") else ""
        if f["kind"] == "web":
            return f"the web application at {loc['path']}"
        return f"{loc['path']}{line}"
    return "the scanned target"


def choose_cwes(kb: KnowledgeBase, f: dict) -> tuple[list[str], str]:
    cwes = known(kb, f.get("cwe") or [])
    if cwes:
        return cwes, "report"
    if f["kind"] in KIND_DEFAULT_CWE:
        return [KIND_DEFAULT_CWE[f["kind"]]], "kind-default"
    cwe, _ = kb.nearest_cwe(f"{f['title']} {_sentences(f['description'], 2)}", MIN_RETRIEVAL_SCORE)
    if cwe:
        return [cwe], "retrieved"
    return [], "none"


def narrative_for(kb: KnowledgeBase, f: dict, top_k: int) -> dict:
    cwes, cwe_source = choose_cwes(kb, f)
    primary = kb.get(cwes[0]) if cwes else None
    query = f"{f['title']} {f['description'][:500]} {f.get('snippet') or ''}"
    place = _place(f)
    sev = f["severity"]

    if primary:
        weakness = f"{primary['id']} {primary['name']}: {_sentences(primary['description'], 2)}"
        if cwe_source == "retrieved":
            weakness += " (The scanner named no CWE; this is the closest catalogue entry.)"
    else:
        weakness = f"{f['title']}. The report names no CWE and none in the catalogue matches closely."

    report_text = _sentences(f["description"], 3) or f["title"]
    why = f"{f['tool']} reported '{f['title']}' ({f['rule_id']}) in {place} with {sev} severity. {report_text}"
    if f.get("suppressed"):
        why += " The finding is marked as suppressed in the report (accepted or a false positive)."
    if f.get("instances"):
        why += f" It was observed at {len(f['instances'])} URL(s), e.g. {f['instances'][0].get('uri', '')}."

    consequences = kb.passages_for(primary["id"], query, "consequence", top_k) if primary else []
    exploit = []
    if consequences:
        exploit.append("Consequences: " + " ".join(_sentences(c, 2) for c in consequences))
    if primary and primary.get("likelihood_of_exploit"):
        exploit.append(f"Likelihood of exploit: {primary['likelihood_of_exploit']}.")
    if f["kind"] == "dependency":
        ids = ", ".join(f.get("cve") or f.get("ghsa") or [f["rule_id"]])
        exploit.append(f"An attacker who can reach the vulnerable code path of {place} can use the publicly known flaw ({ids}).")
    elif f["kind"] == "secret":
        exploit.append("Anyone with read access to the repository or its history can use the credential until it is revoked.")
    if not exploit:
        exploit.append("The report does not describe an exploitation path; treat it according to its severity.")

    mitigations = kb.passages_for(primary["id"], query, "mitigation", top_k) if primary else []
    fix = []
    if f.get("fix_hint"):
        fix.append(f"Scanner's fix: {_sentences(f['fix_hint'], 3)}")
    if f.get("package") and f["package"].get("fixed_version"):
        fix.append(f"Upgrade {f['package']['name']} to {f['package']['fixed_version']} or later.")
    fix += [f"Mitigation ({primary['id']}): {_sentences(m, 3)}" for m in mitigations]
    if not fix:
        fix.append("No fix is published yet; reduce exposure (remove or isolate the component) and watch for an update.")

    references = ([primary["url"]] if primary else []) + [r for r in f.get("references") or [] if r.startswith("http")][:4]
    sections = {
        "weakness": weakness,
        "impact": why,
        "exploitation": " ".join(exploit),
        "remediation": " ".join(fix),
    }
    text = (
        f"## What the weakness is\n{sections['weakness']}\n\n"
        f"## Why it matters here\n{sections['impact']}\n\n"
        f"## How it is exploited\n{sections['exploitation']}\n\n"
        f"## How to fix it\n" + "\n".join(f"- {x}" for x in fix) + "\n\n"
        "## References\n" + ("\n".join(f"- {r}" for r in references) or "- (none in the report)")
    )
    return {
        "finding_id": f["id"],
        "cwe": cwes,
        "cwe_source": cwe_source,
        "sections": sections,
        "narrative": text,
        "references": references,
        "kb_version": kb.version,
        "template_version": TEMPLATE_VERSION,
    }


def enrich(findings_path: Path, kb_path: Path, out_path: Path, cache_path: Path, top_k: int) -> dict:
    """Write narratives.jsonl (one per finding, in findings order); returns stats."""
    from tasks.schemas import validate

    kb = KnowledgeBase(kb_path)
    cache: dict[str, dict] = {}
    if cache_path.exists():
        for line in cache_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                cache[row["key"]] = row["narrative"]
    rows, used, new = [], {}, 0
    for line in findings_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        f = json.loads(line)
        key = cache_key(f, kb.version)
        if key in cache:
            n = cache[key]
        else:
            n = narrative_for(kb, f, top_k)
            validate("narrative", n, f"narrative for finding {f['id']}")
            new += 1
        used[key] = n
        rows.append(n)
    atomic.write_jsonl(out_path, rows)
    atomic.write_jsonl(cache_path, [{"key": k, "narrative": used[k]} for k in sorted(used)])
    return {"narratives": len(rows), "generated": new, "from_cache": len(rows) - new}
