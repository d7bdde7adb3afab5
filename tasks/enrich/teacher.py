"""An optional teacher model writes the stage-1 analysis; the deterministic text stays unless its facts hold.

``enrich.teacher: {url, model}`` names any OpenAI-compatible chat endpoint
(vLLM, Ollama, llama.cpp's server, ``mlx_lm.server``).  It gets the finding
and everything retrieved for it - the traced path, the code, the advisory
text, the mechanism, the fix, the triage verdict - as the deterministic
narrative, and is asked to write the analysis a senior reviewer would.

A teacher is fluent, not reliable, so its answer replaces the
deterministic one only when it passes the same fact checks as a training
row: every version it names is one of the finding's (installed, fixed,
listed), every CWE is the finding's, every path is the finding's (none
absolute), the verdict agrees with triage, its code parses, it carries no
pipeline words and does not restate the prompt.  Answers are cached by
(prompt, model), so a rebuild asks nothing twice; each request has a
timeout, the whole pass a deadline, and after ``MAX_FAILURES`` failed
requests in a row the endpoint is left alone.  Nothing here fakes an
answer: a failure keeps the deterministic text and is counted.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

from tasks.core import atomic
from tasks.core.hashing import sha256_json
from tasks.enrich.wording import restating_sentence
from tasks.findings.model import NO_LOCATION, NO_PACKAGE, Finding, as_finding

MAX_FAILURES = 3
DEFAULTS = {"timeout_seconds": 60.0, "deadline_seconds": 1800.0, "max_tokens": 700}
SYSTEM = ("You are a senior application-security reviewer. Write the analysis of one scanner finding for a developer of "
          "this project, in Markdown sections '## What is wrong here', '## How it works', '## Who can reach it', '## How "
          "to fix it'. Use only the facts in the context: never invent a version, CWE, file or API. Say what is specific to "
          "this finding (the code path, the preconditions, who can reach it); do not repeat the finding's title or "
          "description. Leave a section out when the context says nothing about it.")
_VERSION = re.compile(r"(?<![\w.])v?\d+\.\d+(?:\.\d+)*(?:[-.]?(?:rc|alpha|beta|post|dev|r)\d*)?(?![\w.])")
_CWE = re.compile(r"\bCWE-\d+\b")
_PATH = re.compile(r"(?<![\w/.:-])(/?(?:[\w.-]+/)+[\w.-]+\.\w+)(?::\d+)?")
_MARKERS = re.compile(r"closest catalogue entry|<fix_family>|\bfix_family\b|\bcwe_source\b|\{[a-z_]+\}")
_FALSE_POSITIVE = re.compile(r"false positive|probably acceptable|not exploitable|can be accepted", re.I)


def finding_text(f: Finding | dict) -> str:
    """The finding as the teacher (and the restatement check) sees it."""


    f = as_finding(f)
    loc = f.location or NO_LOCATION
    pkg = f.package or NO_PACKAGE
    lines = [f"Tool: {f.tool}", f"Rule: {f.rule_id}", f"Title: {f.title}", f"Severity: {f.severity}"]
    lines += [f"CWE: {', '.join(f.cwe)}"] if f.cwe else []
    lines += [f"Advisories: {', '.join([*f.cve, *f.ghsa])}"] if f.cve or f.ghsa else []
    lines += [f"Package: {pkg.name} {pkg.version or ''}".rstrip()] if pkg else []
    lines += [f"Location: {loc.path}" + (f":{loc.start_line}" if loc.start_line else "")] if loc else []
    lines += [f"Description: {(f.description or '')[:800]}"] if f.description else []
    lines += [f"Code:\n```\n{f.snippet[:1500]}\n```"] if f.snippet else []
    return "\n".join(lines)


def user_prompt(prompt: str, narrative: dict) -> str:
    return f"Finding:\n{prompt}\n\nRetrieved context (facts you may use):\n{narrative['narrative'] or '(none)'}"


def fact_problems(answer: str, f: Finding | dict, narrative: dict, prompt: str) -> list[str]:
    """Why the teacher's answer may not replace the deterministic one (empty when it may)."""


    f = as_finding(f)
    from tasks.fixes.syntax import code_blocks, parses

    context = f"{prompt}\n{narrative['narrative']}"
    problems = []
    pkg = f.package or NO_PACKAGE
    known = {v.lstrip("v") for v in _VERSION.findall(context)}
    known |= {str(v).lstrip("v") for v in [pkg.version, pkg.fixed_version, *(pkg.fixed_versions or [])] if v}
    for v in _VERSION.findall(answer):
        if v.lstrip("v") not in known:
            problems.append(f"version {v} is not in the finding or its advisory data")
    for cwe in set(_CWE.findall(answer)) - set(narrative.get("cwe") or []) - set(f.cwe or []):
        problems.append(f"{cwe} is not the finding's CWE")
    paths = {f.path} | {s.get("path") for s in f.flow or []}
    for p in _PATH.findall(answer):
        if p.startswith("/") or (p not in paths and p not in context):
            problems.append(f"path {p} is not the finding's")
    verdict = narrative.get("triage")
    if bool(verdict) != bool(_FALSE_POSITIVE.search(answer)):
        problems.append("the verdict disagrees with triage" if verdict else "calls a finding without a triage verdict acceptable")
    for tag, body in code_blocks(answer):
        if parses(tag, body) is False:
            problems.append(f"a {tag} block does not parse")
    if _MARKERS.search(answer):
        problems.append("pipeline words in the answer")
    restated = restating_sentence(answer, prompt)
    if restated:
        problems.append(f"restates the prompt: {restated[:60]}")
    if len(answer.strip()) < 40:
        problems.append("empty answer")
    return problems


class Teacher:
    """One pass of teacher calls over a build, with its cache, deadline and counts."""

    def __init__(self, cfg: dict, cache_path: Path, environ=os.environ, clock=time.monotonic):
        self.cfg = DEFAULTS | {k: v for k, v in cfg.items() if v is not None}
        self.url = self.cfg["url"].rstrip("/") + "/chat/completions"
        self.cache_path, self.clock = Path(cache_path), clock
        self.deadline = clock() + float(self.cfg["deadline_seconds"])
        key_env = self.cfg.get("api_key_env")
        self.token = environ.get(key_env) if key_env else None
        self.cache: dict[str, str] = {}
        if self.cache_path.exists():
            for line in self.cache_path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                    self.cache[row["key"]] = row["answer"]
                except (ValueError, KeyError, TypeError):
                    continue  # a damaged cache line is asked again, never trusted
        self.failures, self.stats = 0, {"asked": 0, "cached": 0, "accepted": 0, "rejected": 0, "failed": 0, "skipped": 0}
        self.last_error: str | None = None

    def key(self, user: str) -> str:
        return sha256_json({"system": SYSTEM, "user": user, "model": self.cfg["model"]})

    def _ask(self, user: str) -> str | None:
        body = json.dumps({"model": self.cfg["model"], "temperature": 0, "max_tokens": int(self.cfg["max_tokens"]),
                           "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]}).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"  # only ever to the configured endpoint
        timeout = min(float(self.cfg["timeout_seconds"]), max(0.1, self.deadline - self.clock()))
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                doc = json.loads(response.read(4 << 20).decode("utf-8"))
            return str(doc["choices"][0]["message"]["content"])
        except (urllib.error.URLError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            self.last_error = f"{self.url}: {type(exc).__name__}: {str(exc)[:120]}"
            return None

    def analysis(self, f: Finding | dict, narrative: dict, prompt: str) -> tuple[str | None, list[str]]:
        """(the teacher's answer when its facts hold, else None; why it was not used)."""

        f = as_finding(f)
        user = user_prompt(prompt, narrative)
        key = self.key(user)
        answer = self.cache.get(key)
        if answer is not None:
            self.stats["cached"] += 1
        elif self.failures >= MAX_FAILURES or self.clock() >= self.deadline:
            self.stats["skipped"] += 1
            return None, ["teacher not asked (deadline passed or endpoint failing)"]
        else:
            self.stats["asked"] += 1
            answer = self._ask(user)
            if answer is None:
                self.failures += 1
                self.stats["failed"] += 1
                return None, [self.last_error or "no answer"]
            self.failures = 0
            self.cache[key] = answer
        problems = fact_problems(answer, f, narrative, prompt)
        self.stats["rejected" if problems else "accepted"] += 1
        return (None, problems) if problems else (answer.strip(), [])

    def save(self) -> None:
        atomic.write_jsonl(self.cache_path, [{"key": k, "answer": v} for k, v in sorted(self.cache.items())])
