"""BM25 over each module's own documentation: name, short description, description, option
names and descriptions, and the task names of its EXAMPLES. Unlike `Catalog.search` (names and
descriptions), it finds a module by what its options and examples say, the words a request uses.

Building it reads every record (~7 s on a busy CPU for 9,500 modules), so it is saved beside the
catalog under the catalog's key and read back (~1 s) while nothing installed changes.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

from codegen.atomic import write_text
from codegen.catalog.store import words
from codegen.paths import cache_dir

FORMAT = "docsearch-3"
OPTION_CHARS = 160  # of each option's description: its first sentence says what it is
MAX_EXAMPLE_NAMES = 12


_QUIET = {"into", "onto"}  # say where, not what: "unpack X into /opt/app"
_SENTENCE = re.compile(r"(?<=[.;])\s+")


def terms(plain: list[str]) -> list[str]:
    """Words folded to a common form: a plural or third-person "s" dropped ("Unpacks an archive"
    answers "unpack", "flags" answers "flag"). Nothing more: no stemmer for nine thousand docs."""
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in plain if w not in _QUIET]


def own_sentences(text: str, fqcn: str) -> str:
    """The description without its sentences about other modules ("unpack the files with other
    modules, for example M(ansible.builtin.unarchive)"): they say what this module does not do."""
    return " ".join(s for s in _SENTENCE.split(text) if "M(" not in s or f"M({fqcn})" in s)


def example_names(examples: str) -> list[str]:
    """The `- name:` lines of an EXAMPLES text (read as lines: the text is documentation, not run)."""
    out = []
    for line in examples.splitlines():
        stripped = line.strip()
        if stripped.startswith("- name:"):
            out.append(stripped[len("- name:"):].strip().strip("'\""))
            if len(out) == MAX_EXAMPLE_NAMES:
                break
    return out


def doc_words(record: dict, examples: str) -> list[str]:
    """The words a module's documentation offers a request; its name and short description count more."""
    fqcn = record["fqcn"]
    text = [record.get("short_description") or "", record.get("short_description") or "",
            own_sentences((record.get("description") or "")[:600], fqcn)]
    for name, spec in (record.get("options") or {}).items():
        text.append(f"{name} {str(spec.get('description') or '')[:OPTION_CHARS]}")
    text += example_names(examples)
    return terms(words(fqcn.rsplit(".", 1)[-1]) * 3 + words(" ".join(text)))


class DocIndex:
    """BM25 (k1 1.2, b 0.75, as catalog.store.Bm25) kept as postings, so it saves and loads as JSON."""

    def __init__(self, names: list[str], lengths: list[int], postings: dict[str, list[list[int]]],
                 k1: float = 1.2, b: float = 0.75):
        self.names, self.lengths, self.postings, self.k1, self.b = names, lengths, postings, k1, b
        self.avg = sum(lengths) / max(1, len(lengths))
        n = len(names)
        self.idf = {w: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for w, p in postings.items()}

    @classmethod
    def from_words(cls, docs: dict[str, list[str]]) -> "DocIndex":
        names = list(docs)
        postings: dict[str, list[list[int]]] = {}
        for i, name in enumerate(names):
            for w, tf in Counter(docs[name]).items():
                postings.setdefault(w, []).append([i, tf])
        return cls(names, [len(docs[n]) for n in names], postings)

    def top(self, query: list[str], limit: int, among=None) -> list[tuple[str, float]]:
        """The best `limit` modules for the query words; `among(fqcn)` keeps only some."""
        scores: Counter = Counter()
        for w in set(terms(query)):
            idf = self.idf.get(w)
            for i, tf in self.postings.get(w, ()):
                norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avg)
                scores[i] += idf * tf * (self.k1 + 1) / (tf + norm)
        ranked = ((self.names[i], round(s, 3)) for i, s in scores.most_common())
        out = []
        for name, score in ranked:
            if among is None or among(name):
                out.append((name, score))
                if len(out) == limit:
                    break
        return out

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "names": self.names, "lengths": self.lengths,
                           "postings": self.postings})


def build_index(catalog) -> DocIndex:
    docs = {}
    for fqcn in catalog.names():
        record = json.loads(catalog._raw[fqcn])
        docs[fqcn] = doc_words(record, catalog.examples(fqcn))
    return DocIndex.from_words(docs)


def _cache_path(catalog) -> Path | None:
    key = getattr(catalog, "key", None)
    return cache_dir() / "catalog" / f"{key}.docsearch.json" if key else None


def doc_index(catalog) -> DocIndex:
    """The catalog's documentation index: read from the cache when its key matches, else built
    (and saved when the catalog has a key). Kept on the catalog for the process's next request."""
    cached = getattr(catalog, "_doc_index", None)
    if cached is not None:
        return cached
    path = _cache_path(catalog)
    index = None
    if path is not None and path.is_file():
        try:
            data = json.loads(path.read_text())
            if data.get("format") == FORMAT and len(data["names"]) == len(catalog):
                index = DocIndex(data["names"], data["lengths"], data["postings"])
        except (OSError, ValueError, KeyError, TypeError):
            index = None  # a cut or foreign file: rebuild it
    if index is None:
        index = build_index(catalog)
        if path is not None:
            write_text(path, index.to_json())
    catalog._doc_index = index
    return index
