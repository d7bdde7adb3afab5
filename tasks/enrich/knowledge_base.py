"""The offline security knowledge base and BM25 retrieval over it.

Built from data that ships with a package - the MITRE CWE catalogue inside
``cwe2`` (names, descriptions, consequences, mitigations) - so the pipeline
needs no network.  Each CWE is split into passages (description, each
consequence, each mitigation) so retrieval can pick the mitigation that
fits a finding rather than the whole entry.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Iterable

from tasks.core import atomic
from tasks.core.hashing import sha256_file

KB_BUILDER_VERSION = "2"  # 2: applicable platforms (languages, technologies) per entry

_PLATFORM_RE = re.compile(r"(LANGUAGE NAME|LANGUAGE CLASS|TECHNOLOGY NAME|TECHNOLOGY CLASS):([^:]+?)(?=:[A-Z ]+:|::|$)")
_FIELD_RE = re.compile(r"(SCOPE|IMPACT|NOTE|PHASE|STRATEGY|DESCRIPTION|EFFECTIVENESS|LIKELIHOOD):")


def _records(raw: str) -> list[dict]:
    """cwe2 packs lists as '::KEY:value:KEY:value::KEY:...'; unpack them."""
    out = []
    for chunk in (raw or "").split("::"):
        chunk = chunk.strip()
        if not chunk:
            continue
        parts = _FIELD_RE.split(chunk)
        rec: dict[str, list[str]] = {}
        for key, value in zip(parts[1::2], parts[2::2]):
            rec.setdefault(key.lower(), []).append(value.strip().rstrip(":").strip())
        if rec:
            out.append(rec)
    return out


def _catalogue_rows() -> dict[str, list[str]]:
    from cwe2.database import Database

    rows: dict[str, list[str]] = {}
    for path in Database.database_paths:
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                cwe_id = row.get("CWE-ID")
                if cwe_id and cwe_id.isdigit():
                    rows.setdefault(cwe_id, list(row.values())[0:-1])
    return rows


def platforms(raw: str) -> dict:
    """The catalogue's Applicable Platforms as lists: languages, language classes, technologies.

    This is what lets a narrative leave out C format-string advice for a
    JavaScript finding: CWE-134 names C, C++ and Perl, not JavaScript.
    """
    out: dict[str, list[str]] = {"languages": [], "language_classes": [], "technologies": []}
    key = {"LANGUAGE NAME": "languages", "LANGUAGE CLASS": "language_classes", "TECHNOLOGY NAME": "technologies", "TECHNOLOGY CLASS": "technologies"}
    for field, value in _PLATFORM_RE.findall(raw or ""):
        value = value.strip()
        if value and value not in out[key[field]]:
            out[key[field]].append(value)
    return out


def cwe_version() -> str:
    return metadata.version("cwe2")


def build_cwe_kb(out_path: Path) -> int:
    """Write one JSON line per CWE entry; returns the number of entries."""
    from cwe2.weakness import Weakness

    entries = []
    for cwe_id, row in sorted(_catalogue_rows().items(), key=lambda kv: int(kv[0])):
        w = Weakness(*row)
        consequences = []
        for rec in _records(w.common_consequences):
            scope = ", ".join(rec.get("scope", []))
            impact = ", ".join(rec.get("impact", []))
            note = " ".join(rec.get("note", []))
            consequences.append(" ".join(x for x in (f"{scope}: {impact}." if scope or impact else "", note) if x))
        mitigations = []
        for rec in _records(w.potential_mitigations):
            desc = " ".join(rec.get("description", []))
            if desc:
                phase = ", ".join(rec.get("phase", []))
                mitigations.append(f"{desc}" + (f" (phase: {phase})" if phase else ""))
        entries.append(
            {
                "id": f"CWE-{int(cwe_id)}",
                "name": w.name,
                "description": " ".join(w.description.split()),
                "extended_description": " ".join((w.extended_description or "").split())[:1500],
                "likelihood_of_exploit": w.likelihood_of_exploit or None,
                "consequences": [c for c in consequences if c],
                "mitigations": mitigations,
                "platforms": platforms(w.applicable_platforms),
                "url": f"https://cwe.mitre.org/data/definitions/{int(cwe_id)}.html",
            }
        )
    meta = {"source": "MITRE CWE via cwe2", "cwe2_version": cwe_version(), "builder": KB_BUILDER_VERSION}
    atomic.write_jsonl(out_path, [{"_meta": meta}] + entries)
    return len(entries)


@dataclass
class Passage:
    cwe: str
    kind: str  # description | consequence | mitigation
    text: str


class KnowledgeBase:
    """The CWE entries plus a BM25 index over their passages."""

    def __init__(self, path: Path):
        self.path = path
        self.version = sha256_file(path)[:16]
        self.entries: dict[str, dict] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if "_meta" not in row:
                self.entries[row["id"]] = row
        self.passages: list[Passage] = []
        self._by_cwe: dict[str, list[int]] = {}
        for entry in self.entries.values():
            texts = [("description", f"{entry['name']}. {entry['description']}")]
            texts += [("consequence", c) for c in entry["consequences"]]
            texts += [("mitigation", m) for m in entry["mitigations"]]
            for kind, text in texts:
                self._by_cwe.setdefault(entry["id"], []).append(len(self.passages))
                self.passages.append(Passage(entry["id"], kind, text))
        self._index = None
        self._entry_ids: list[str] = list(self.entries)
        self._entry_index = None

    def _tokenize(self, texts: list[str]):
        import bm25s

        return bm25s.tokenize(texts, stopwords="en", show_progress=False)

    def _passage_index(self):
        if self._index is None:
            import bm25s

            self._index = bm25s.BM25()
            self._index.index(self._tokenize([p.text for p in self.passages]), show_progress=False)
        return self._index

    def _entries_index(self):
        if self._entry_index is None:
            import bm25s

            self._entry_index = bm25s.BM25()
            corpus = [f"{e['name']}. {e['description']}" for e in self.entries.values()]
            self._entry_index.index(self._tokenize(corpus), show_progress=False)
        return self._entry_index

    def nearest_cwe(self, query: str, min_score: float) -> tuple[str | None, float]:
        """Best-matching CWE entry for a finding that names none."""
        if not query.strip():
            return None, 0.0
        index = self._entries_index()
        tokens = self._tokenize([query])
        if not tokens.vocab:
            return None, 0.0
        docs, scores = index.retrieve(tokens, k=1, show_progress=False)
        score = float(scores[0][0])
        return (self._entry_ids[int(docs[0][0])], score) if score >= min_score else (None, score)

    def nearest_cwes(self, query: str, min_score: float, k: int = 5) -> list[str]:
        """The k best-matching CWE entries scoring at least ``min_score``, best first."""
        if not query.strip():
            return []
        tokens = self._tokenize([query])
        if not tokens.vocab:
            return []
        index = self._entries_index()
        docs, scores = index.retrieve(tokens, k=min(k, len(self._entry_ids)), show_progress=False)
        return [self._entry_ids[int(d)] for d, sc in zip(docs[0], scores[0]) if float(sc) >= min_score]

    def passages_for(self, cwe: str, query: str, kind: str, k: int) -> list[str]:
        """The k passages of one CWE, of one kind, most relevant to ``query``.

        Ties (and an empty query) keep the catalogue's order, so the result
        is deterministic.
        """
        ids = [i for i in self._by_cwe.get(cwe, []) if self.passages[i].kind == kind]
        if not ids:
            return []
        tokens = self._tokenize([query]) if query.strip() else None
        if tokens is None or not tokens.vocab:
            return [self.passages[i].text for i in ids[:k]]
        import numpy as np

        index = self._passage_index()
        query_tokens = [w for w, _ in sorted(tokens.vocab.items(), key=lambda kv: kv[1])]
        scores = np.asarray(index.get_scores(query_tokens))
        ranked = sorted(ids, key=lambda i: (-float(scores[i]), i))
        return [self.passages[i].text for i in ranked[:k]]

    def get(self, cwe: str) -> dict | None:
        return self.entries.get(cwe)


def short_name(name: str) -> str:
    """The name a reader knows a weakness by: MITRE's alias in quotes when the name has one
    ("Improper Neutralization of ... ('Cross-site Scripting')" -> "Cross-site Scripting"), else the name."""
    alias = re.search(r"\('([^']+)'\)\s*$", name or "")
    return alias.group(1) if alias else (name or "").strip()


def known(kb: KnowledgeBase, cwes: Iterable[str]) -> list[str]:
    return [c for c in cwes if kb.get(c)]
