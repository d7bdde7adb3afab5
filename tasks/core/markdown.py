"""Inline code in Markdown answers, the CommonMark way.

A quoted line of JavaScript or shell often holds a backtick itself (a template
literal, a command substitution).  Wrapped in single backticks it ends the span
early, and the rest of the paragraph renders as broken code (held-out set 39:
a Cypress test's ``const htmlBody = `<strong>...`` line was quarantined for
unbalanced inline code).  CommonMark closes a span only with a backtick run of
the opening run's length, so a span opened with a run longer than any run
inside is always whole; a space pads a span that starts or ends with a backtick.
"""

from __future__ import annotations

import re

_RUN = re.compile(r"`+")
# a CommonMark code span: a backtick run, then the shortest text up to a run of exactly the same length
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)


def code_span(text: str) -> str:
    """``text`` as one inline code span, whatever backticks it holds."""
    longest = max((len(m.group(0)) for m in _RUN.finditer(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def without_code_spans(text: str) -> str:
    """``text`` with every whole code span replaced by ``C`` (what is left of an unbalanced one stays)."""
    return CODE_SPAN.sub("C", text)


def line_span(first: int, last: int) -> str:
    """"line 7" or "lines 7-9": a one-line range written as ``lines 7-7`` reads as a template's artefact (round 59)."""
    return f"line {first}" if first >= last else f"lines {first}-{last}"
