"""The sections of a stage-1 analysis: what is wrong here, how it works, how to fix it, and their rendering.

Split from tasks.enrich.narrative (which chooses CWEs and composes the
remediation): each function returns only what is specific to the finding,
or an empty string, so the answer says less rather than something generic.
"""

from __future__ import annotations

import re

from tasks.enrich import mechanisms, specifics, wording
from tasks.enrich.wording import split_sentences
from tasks.findings.model import Finding, as_finding

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _sentences(text: str, n: int) -> str:
    parts = [p.strip() for p in _SENTENCE_END.split(" ".join((text or "").split())) if p.strip()]
    return " ".join(parts[:n])


def version_like(value) -> bool:
    """A fixed version that is a version (grype's test data has "fix_1")."""
    return isinstance(value, str) and bool(re.match(r"^v?\d", value.strip()))


def _advisory_ids(f: Finding) -> str:
    rule = str(f.rule_id)
    if not (f.cve or f.ghsa) and rule.startswith("via:"):  # npm audit: vulnerable through a dependency
        return f"the advisories of its dependency {rule[4:]}"
    return ", ".join(f.cve or f.ghsa or [rule])


_NOT_A_CONTROL = ("Here the digest serves as an identifier (a de-duplication or cache key), not as a security control, so the "
                  "catalogue's consequences for broken cryptography do not apply; crafted colliding inputs could at most make two "
                  "records share a key.")
_ADVISORY_TAIL = re.compile(r"^#+\s*(?:References|For more information|Credits?|Acknowledge?ments?|Timeline|Resources)\b",
                            re.M | re.I)
PROMPT_DESCRIPTION_CHARS = 800  # what the prompt shows of the description (tasks.datasets.prompts)
HEADINGS = {"weakness": "What is wrong here", "impact": "Who can reach it", "exploitation": "How it works",
            "remediation": "How to fix it"}


def beyond_prompt(f: Finding | dict) -> str:
    """The advisory's own text past what the prompt shows: its mechanism and preconditions (OSV ``details``)."""
    f = as_finding(f)
    text = f.description or ""
    if len(text) <= PROMPT_DESCRIPTION_CHARS:
        return ""
    rest = text[PROMPT_DESCRIPTION_CHARS:]
    if text[:PROMPT_DESCRIPTION_CHARS].count("```") % 2:  # the cut lands inside a code block: start after it
        rest = rest.split("```", 1)[1] if "```" in rest else ""
    start = rest.find("\n")  # the cut lands mid-paragraph: start at the next whole one, never mid-thought
    if start < 0:
        return ""
    rest = _ADVISORY_TAIL.split(rest[start:], 1)[0]  # references, credits, contacts: no mechanism there
    rest = re.sub(r"```.*?(?:```|$)", " ", rest, flags=re.S)  # a proof of concept's code, joined into prose, is noise
    rest = re.sub(r"^\s*#+\s.*$", " ", rest, flags=re.M)  # section headings ("### Impact") are no sentence
    sentences = [s for s in split_sentences(" ".join(rest.split()), ".!?") if s.count("`") % 2 == 0]
    return " ".join(sentences[:3])


def origins_matter(f: Finding) -> bool:
    """Where the flagged line's values come from matters to injection rules and to what a weak hash digests;
    for others ("`app` is set on line 15 from `Flask(...)`") it only repeats the code shown."""
    from tasks.enrich.evidence import injection_rule

    return injection_rule(f) or str(f.rule_id).upper() in ("B303", "B324") or bool({"CWE-327", "CWE-328"} & set(f.cwe or []))


def what_is_wrong(f: Finding | dict, cwes: list[str], cwe_source: str) -> str:
    """The vulnerable path, the origins of the flagged values, or the advisory's facts - never the prompt again."""
    f = as_finding(f)
    parts: list[str] = []
    if f.kind in ("code", "config", "web"):
        flow = specifics.flow_path(f)
        if flow:
            parts.append(flow)
        from tasks.enrich.evidence import signing_key_use

        cipher = specifics.cipher_choice(f) if f.kind == "code" else None
        if cipher:
            parts.append(cipher)
        key = signing_key_use(f) if f.kind == "code" else None
        if key:  # a literal signing key: what the framework signs with it is what a reader of the repository can forge
            line = key.text.split(" sets it", 1)[0]
            parts.append(f"{line[0].upper()}{line[1:]} sets the application's signing key: whoever reads it can forge what the "
                         "framework signs with it (Flask session cookies; Django signed cookies, sessions stored in "
                         "cookies and password-reset tokens).")
        parts += specifics.value_origins(f) if not flow and origins_matter(f) else []
        if f.kind == "code" and f.secret_evidence:  # a secret rule on code (Semgrep's google-api-key: round 46)
            from tasks.enrich.credentials import what_it_grants

            parts.append(what_it_grants(f))
        guessed = _guessable_token(f) if f.kind == "code" else None
        if guessed:
            parts.append(guessed)
    elif f.kind == "dependency":
        # the affected range and fixed release are the verdict's evidence (tasks/triage): not said twice
        detail = beyond_prompt(f)
        if detail:
            parts.append(f"The advisory goes on: {detail}")
    elif f.kind == "secret":
        from tasks.enrich.credentials import what_it_grants

        parts.append(what_it_grants(f))  # what this kind of credential grants and how to see if it is live
        if re.search(r"\.tfstate(?:\.backup)?$", f.path or ""):
            parts.append(f"{f.path} is Terraform state, which holds the attributes of every resource it manages, "
                         "secrets included, in clear text: keep state in an encrypted remote backend and out of git "
                         "(`*.tfstate*` in .gitignore).")
    return " ".join(parts)


def _guessable_token(f: Finding) -> str | None:
    """A token hashed from values an attacker knows (tasks.fixes.patterns.python_hashes): what it is made from."""
    from tasks.fixes.patterns.python_hashes import _GUESSABLE, predictable_token

    line = next((l for l in (f.snippet or "").splitlines() if predictable_token(re.sub(r"^\s*\d+\s", "", l))), None)
    if not line:
        return None
    found = [m + ("()" if "." in m else "") for m in dict.fromkeys(_GUESSABLE.findall(line))]
    inputs = " and ".join(f"`{m}`" for m in found)
    return (f"Line {f.line} makes the token from {inputs}: values an attacker knows or can narrow down to a few seconds, "
            "so hashing them hides nothing and anyone can compute the same token.")


def how_it_works(f: Finding | dict, cwes: list[str], cwe_source: str, fix_meta: dict) -> str:
    f = as_finding(f)
    if str(fix_meta.get("fix_family") or "").endswith("-not-security"):
        return _NOT_A_CONTROL
    if fix_meta.get("fix_family") == "weak-hash-predictable-token":
        return ""  # MD5's collisions are not the flaw: the token's inputs are (said under "What is wrong here")
    if cwe_source == "retrieved" or f.kind in ("secret", "dependency"):
        return ""  # a guessed CWE is no fact; a secret's risk is said above; an advisory's own text beats its CWE's
    # (a CWE sentence on a dependency misled: socket.io-parser's CWE-89 is no quoted SQL value)
    from tasks.enrich.tied_mechanisms import tied

    return tied(f) or mechanisms.mechanism(f, cwes) or ""  # said of the flagged call where the rule names one


def fix_items(f: Finding | dict, fix: list[str]) -> list[str]:
    """The remediation without the catalogue's generic mitigations (the same paragraph in every row of a CWE)
    and without items that only repeat the finding ("Ensure the key vault is recoverable: make it recoverable")."""


    f = as_finding(f)
    said = set(wording.content_words(" ".join([str(f.rule_id), f.title, f.description or ""])))
    out = []
    for item in fix:
        if item.startswith(("Mitigation (CWE-", "The report gives no fix for")) or " to resolve what check " in item:
            continue
        kept = wording.drop_restating(item, said)
        if kept:
            out.append(kept)
    return out


def render(parts: list[tuple[str, str]]) -> str:
    """Markdown sections, empty ones left out; a verdict line can be put in front of the result."""
    return "\n\n".join(f"## {heading}\n{body}" for heading, body in parts if body and body.strip())
