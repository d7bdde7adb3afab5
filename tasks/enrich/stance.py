"""One piece of evidence for a verdict, shared by the code reader (tasks.enrich.evidence) and the
infrastructure reader (tasks.enrich.iac_reach) without either importing the other."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Evidence:
    stance: str  # "outside" | "benign" | "config" | "confirmed"
    text: str    # one clause, with the line numbers and code it rests on
