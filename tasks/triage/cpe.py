"""Check 2 without a record: a language package the scanner matched only by CPE.

A CPE match (grype's ``cpe-match`` / ``*CpeMatch`` rules, NVD data) says only
that NVD's vendor:product string resembles the package; it is how Atlassian's
Jira *server* CVEs land on the npm and PyPI packages named ``jira`` and how
Redis-server CVEs land on the ``redis`` client library.  What the report
itself shows is weighed, and every verdict quotes it:

* the CPE's ``target_sw`` names another platform than the package's
  ecosystem (``node.js`` on a PyPI package) -> false positive;
* no matched CPE's product is this package's name, even loosely (separators,
  ``python-``/``-js``/``node-`` affixes, a trailing major number such as
  jinja2/jinja, npm scope, Maven artifact and group; a Maven artifact named
  ``<product>-<module>`` counts as the product's module) -> false positive:
  ``jira_server`` is not the npm package ``jira``;
* the scanner's own CPE for the package (grype ``searchedBy.cpes``) names
  another vendor than the advisory's CPE (npm ``jira`` searched as
  ``jira:jira``, the CVE's ``atlassian:jira``): the match was on the product
  name alone -> false positive (a wildcard vendor decides nothing; Java
  artifacts, whose vendors are guessed from group and manifest, are left out);
* a Java API or specification jar (``-api``, ``-spi``, ``_spec``:
  ``log4j-api`` under Log4Shell, ``geronimo-jta_1.1_spec`` under Geronimo
  server CVEs) -> false positive: it holds interfaces, not the product's code;
* the advisory's text names the package as a server product ("Jira Server
  and Data Center") while the package is a library in npm/PyPI/... -> false
  positive;
* the OSV API was asked for every advisory of the package (querybatch) and
  none is this id or an alias -> false positive: the ecosystem's own
  advisory data does not list the CVE for the package;
* otherwise (the product is the package's name, offline) -> needs review,
  naming the vendor: a server and a library can share a name, and only an
  advisory of the ecosystem can say which one the CVE is about.
"""

from __future__ import annotations

import re

from tasks.findings.model import Finding, as_finding

LANGUAGE_FAMILIES = {"npm", "pypi", "maven", "golang", "cargo", "gem", "nuget", "composer"}
# CPE target_sw values that name one language platform -> the version families they stand for
TARGET_SW = {"node.js": "npm", "nodejs": "npm", "npm": "npm", "python": "pypi", "pypi": "pypi", "ruby": "gem",
             "rails": "gem", "rubygems": "gem", "rust": "cargo", "go": "golang", "golang": "golang",
             ".net": "nuget", "asp.net": "nuget", "nuget": "nuget", "php": "composer", "java": "maven",
             "wordpress": "composer", "drupal": "composer", "joomla\\!": "composer", "jenkins": "maven"}
_AFFIX = re.compile(r"^(?:python|py|node|nodejs|js|ruby|rb|php|go|golang|rust|rs|lib|dotnet|net)(?=.)|"
                    r"(?<=.)(?:python|py|js|node|nodejs|ruby|rb|php|go|golang|rs|rust|lib|dotnet|net|sdk|client)$")


def parse_cpe(cpe: str) -> dict | None:
    """vendor, product, target_sw of a CPE 2.3 (or 2.2 ``cpe:/a:``) string, unescaped."""
    text = str(cpe or "")
    if text.startswith("cpe:2.3:"):
        parts = re.split(r"(?<!\\):", text)
        if len(parts) < 6:
            return None
        clean = [p.replace("\\", "") for p in parts]
        return {"vendor": clean[3].lower(), "product": clean[4].lower(),
                "target_sw": clean[10].lower() if len(clean) > 10 else "*"}
    if text.startswith("cpe:/"):
        parts = text[5:].split(":")
        if len(parts) < 3:
            return None
        return {"vendor": parts[1].lower(), "product": parts[2].lower(), "target_sw": "*"}
    return None


def _squash(word: str) -> str:
    return re.sub(r"[-_.\s]+", "", word.lower())


def _forms(word: str) -> set[str]:
    """A name and its loose variants: without separators, language affixes, or a trailing major number."""
    base = _squash(word)
    bare = {base, _AFFIX.sub("", base) or base}
    return {w for w in bare | {re.sub(r"(?<=[a-z])\d$", "", w) for w in bare} if w}


def _names(f: Finding) -> list[str]:
    pkg = f.package
    name = str(pkg.name or "")
    names = [name]
    if name.startswith("@") and "/" in name:  # npm scope: @angular/core -> angular, core
        names += name[1:].split("/", 1)
    if ":" in name:  # Maven group:artifact
        names += name.split(":")
    if "/" in name and not name.startswith("@"):  # Go module path: the last segments
        names += [s for s in name.split("/")[1:] if s and not re.fullmatch(r"v\d+", s)]
    if pkg.group:
        names += [pkg.group.split(".")[-1]]
    return [n for n in names if n]


def names_product(f: Finding, fam: str, product: str) -> bool:
    """Whether the CPE product may name this package (loosely; a Maven module of the product counts)."""
    wanted = _forms(product)
    for name in _names(f):
        if _forms(name) & wanted:
            return True
        if fam == "maven" and re.match(rf"^{re.escape(product.replace('_', '-'))}[-_.]", name.lower().replace("_", "-")):
            return True  # cxf-core, tomcat-embed-core, log4j-core: modules of the product
    return False


# API/specification jars: geronimo-jta_1.1_spec, tomcat-servlet-api, log4j-api (Log4Shell is in log4j-core)
_API_JAR = re.compile(r"(?i)(?:[-_.](?:api|spi)|[-_]spec|_\d+(?:\.\d+)*_spec)$")
_SERVER = r"(?:Server|Data Center|Datacenter|Enterprise Server|Server Edition)\b"


def _server_product(f: Finding, fam: str) -> str | None:
    """'Jira Server and Data Center' when the advisory's text names the package as a server product
    (a registry of libraries holds no such thing; Java artifacts are left out: servers ship as jars)."""
    if fam == "maven":
        return None
    name = re.escape(str(f.package.name).split("/")[-1])
    hit = re.search(rf"(?i:\b{name})\s+{_SERVER}(?:\s+and\s+{_SERVER})?", f.description or "")
    return hit.group(0) if hit else None


def check_cpe_only(f: Finding | dict, fam: str | None, osv_answer: int | None = None) -> dict | None:
    """{"check": "ecosystem", "status": "mismatch"|"unconfirmed", "evidence"} for a CPE-only match, else None."""
    f = as_finding(f)
    match = f.match or {}
    if match.get("by") != "cpe" or fam not in LANGUAGE_FAMILIES or not f.package:
        return None
    p = f.package
    raw = [c for c in match.get("cpes") or [] if isinstance(c, str)]
    cpes = [(c, parse_cpe(c)) for c in raw]
    cpes = [(c, d) for c, d in cpes if d]
    where = f"{p.ecosystem} package {p.name}"
    shown = ", ".join(raw[:3]) or "a CPE (the scanner's rule says so, without the CPE)"
    namespace = f" from {match['namespace']}" if match.get("namespace") else ""
    if cpes:
        platforms = {d["target_sw"] for _, d in cpes}
        known = {TARGET_SW.get(t) for t in platforms}
        if None not in known and fam not in known:
            return {"check": "ecosystem", "status": "mismatch",
                    "evidence": f"ecosystem mismatch: matched only by CPE{namespace} ({shown}), whose target software "
                                f"{', '.join(sorted(platforms))} is not the {p.ecosystem} ecosystem of {p.name}"}
        if not any(names_product(f, fam, d["product"]) for _, d in cpes):
            products = ", ".join(sorted({f"{d['vendor']}:{d['product']}" for _, d in cpes}))
            return {"check": "ecosystem", "status": "mismatch",
                    "evidence": f"not this package: matched only by CPE{namespace} ({shown}); the CPE names "
                                f"{products}, which is not the {where}"}
        searched = [d for d in (parse_cpe(c) for c in match.get("searched") or []) if d]
        mine = {d["vendor"] for d in searched}
        theirs = {d["vendor"] for _, d in cpes}
        if searched and fam != "maven" and not mine & {"*", "-", ""} and not mine & theirs:
            return {"check": "ecosystem", "status": "mismatch",
                    "evidence": f"not this package: matched only by CPE{namespace} on the product name; the scanner's own "
                                f"CPE for the {where} has vendor {', '.join(sorted(mine))}, the advisory's "
                                f"({shown}) vendor {', '.join(sorted(theirs))}"}
    api = _API_JAR.search(str(p.name)) if fam == "maven" else None
    if api:
        return {"check": "ecosystem", "status": "mismatch",
                "evidence": f"not this package: matched only by CPE{namespace} ({shown}); {p.name} is an API or "
                            f"specification jar (its name ends in {api.group(0)!r}): interfaces a product implements, "
                            "not the product's code the advisory is about, and no advisory names the jar"}
    server = _server_product(f, fam)
    if server:
        return {"check": "ecosystem", "status": "mismatch",
                "evidence": f"not this package: matched only by CPE{namespace} ({shown}); the advisory describes "
                            f"{server}, a server product, and the {where} is a library of the same name"}
    ids = ", ".join([str(f.rule_id)] + [a for a in f.aliases or [] if a != f.rule_id][:2])
    if osv_answer is not None:
        return {"check": "ecosystem", "status": "mismatch",
                "evidence": f"not this package: matched only by CPE{namespace} ({shown}); OSV lists {osv_answer} "
                            f"advisories for the {where} and none is {ids} or an alias of it"}
    vendors = sorted({d["vendor"] for _, d in cpes})
    vendor = f" (vendor {', '.join(vendors)})" if vendors else ""
    return {"check": "ecosystem", "status": "unconfirmed",
            "evidence": f"matched only by CPE{namespace}: {shown}{vendor}; no advisory record names the {where}: "
                        "check that the advisory is about this package and not a product of the same name"}
