"""OWASP ZAP reports: XML (2.9 - 2.16, xml-plus) and traditional JSON(-plus).

One finding per alert per site; the alert's instances stay inside it.
"""

from __future__ import annotations

from typing import Any

from tasks.findings.parsers import base

_RISK = {"3": "high", "2": "medium", "1": "low", "0": "info"}
_INSTANCE_KEYS = ("uri", "method", "param", "attack", "evidence")


def detect(doc: Any) -> bool:
    if isinstance(doc, dict):
        return isinstance(doc.get("site"), (list, dict)) and ("@version" in doc or "@programName" in doc)
    return getattr(doc, "tag", None) == "OWASPZAPReport"


def _sites_from_json(doc: dict) -> list[tuple[str, str | None, list[dict]]]:
    sites = doc["site"] if isinstance(doc["site"], list) else [doc["site"]]
    return [(s.get("@name", ""), doc.get("@version"), s.get("alerts") or []) for s in sites]


def _sites_from_xml(root: Any) -> list[tuple[str, str | None, list[dict]]]:
    out = []
    for site in root.findall("site"):
        alerts = []
        for item in site.findall("./alerts/alertitem"):
            alert = {child.tag: (child.text or "") for child in item if child.tag != "instances"}
            alert["instances"] = [
                {c.tag: (c.text or "") for c in inst} for inst in item.findall("./instances/instance")
            ]
            alerts.append(alert)
        out.append((site.get("name", ""), root.get("version"), alerts))
    return out


def _sites(doc: Any):
    return _sites_from_json(doc) if isinstance(doc, dict) else _sites_from_xml(doc)


def count_raw(doc: Any) -> int:
    return sum(len(alerts) for _, _, alerts in _sites(doc))


def parse(doc: Any) -> list[dict]:
    out = []
    for site, version, alerts in _sites(doc):
        for a in alerts:
            instances = [
                {k: str(i.get(k) or "") for k in _INSTANCE_KEYS if i.get(k)} for i in a.get("instances") or []
            ]
            rule = str(a.get("pluginid") or a.get("alertRef") or "")
            out.append(
                base.finding(
                    tool="zap",
                    tool_version=version,
                    rule_id=rule,
                    title=a.get("alert") or a.get("name"),
                    description=a.get("desc"),
                    kind="web",
                    severity_value=_RISK.get(str(a.get("riskcode", "")).strip(), "medium"),
                    cwe=base.cwe_ids(a.get("cweid")),
                    location_value=base.location(site),
                    snippet=(instances[0].get("evidence") if instances else None) or None,
                    fix_hint=a.get("solution"),
                    references=[l for l in base.plain_text(a.get("reference")).splitlines() if l.startswith("http")],
                    instances=instances,
                )
            )
    return out
