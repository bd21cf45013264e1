"""Module documentation as people read it: Ansible's doc markup as Markdown, first sentences.

Used wherever documentation is shown: hovers, `explain`, completion details.
"""
from __future__ import annotations

import re

_MARKUP = re.compile(r"\b(M|C|V|O|RV|E|P|I|B|U|L)\(([^()]*)\)")


def plain(text) -> str:
    """Ansible doc markup (C(x), M(x), O(x), L(text,url)...) -> Markdown."""
    if isinstance(text, list):
        text = " ".join(str(t) for t in text)
    text = str(text or "")

    def convert(found: re.Match) -> str:
        kind, inner = found.group(1), found.group(2)
        if kind == "I":
            return f"*{inner}*"
        if kind == "B":
            return f"**{inner}**"
        if kind == "U":
            return inner
        if kind == "L":
            label, _, url = inner.partition(",")
            return f"[{label.strip()}]({url.strip()})" if url else label
        if kind == "P":
            inner = inner.split("#", 1)[0]
        return f"`{inner}`"

    return _MARKUP.sub(convert, text).replace("HORIZONTALLINE", "---")


def first_sentence(text: str, limit: int = 140) -> str:
    text = " ".join(plain(text).split())
    cut = re.search(r"(?<=[.!?])\s", text)
    if cut and cut.start() <= limit:
        return text[:cut.start()]
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
