"""Another project's idioms in an answer: debops-style `name__var` variables, `| d(...)` defaults and
`meta::` tags, written where neither the file above the task nor the human's own task has any.

A model trained on one large project copies its house style into everyone's files; the
real-projects issue holds answers carrying it where the workspace has none to at most 1%.
"""
from __future__ import annotations

import re

IDIOMS = {
    "double_underscore_variable": re.compile(r"\{\{[^}]*\b[a-z][a-z0-9_]*[a-z0-9]__[a-z0-9_]+"),
    "d_filter": re.compile(r"\|\s*d\("),
    "meta_tag": re.compile(r"\bmeta::"),
}


def idioms_in(text: str) -> set[str]:
    return {name for name, pattern in IDIOMS.items() if pattern.search(text or "")}


def foreign_idiom(answer: str, context: str, reference: str = "") -> float:
    """1.0 when the answer carries an idiom that neither the file above it nor the reference task has."""
    return float(bool(idioms_in(answer) - idioms_in(context) - idioms_in(reference)))
