"""Content source matching: which training examples a generated task most resembles.

Like Lightspeed's content matches, offline: the index holds the training examples the shipped
adapter learned from (request, module, task text, and where each came from: collection,
version, path, licence). Similarity is BM25 over the task's words, among examples of the same
module first; the score is normalised so that an identical task scores 1.0.
"""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from codegen.catalog.store import Bm25

INDEX_FILE = "sources.jsonl.gz"
_TOKEN = re.compile(r"[A-Za-z0-9_./-]+")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _TOKEN.findall(text)]


def index_rows(rows: list[dict]) -> list[dict]:
    """Keep the fields a match shows; one example per distinct task text."""
    seen, out = set(), []
    for row in rows:
        if row["completion"] in seen or row.get("task") == "outline":
            continue
        seen.add(row["completion"])
        source = row.get("source") or {}  # hand-made or --from data may carry no source
        out.append({"request": row["request"], "module": row.get("module", ""), "task": row["completion"],
                    **{k: source.get(k, "") for k in ("kind", "collection", "version", "path", "licence", "line")}})
    return out


def write_index(rows: list[dict], path: Path) -> None:
    with gzip.open(path, "wt") as fh:
        for row in index_rows(rows):
            fh.write(json.dumps(row) + "\n")


def read_index(path: Path) -> list[dict]:
    with gzip.open(path, "rt") as fh:
        return [json.loads(line) for line in fh if line.strip()]


class SourceIndex:
    def __init__(self, rows: list[dict]):
        self.rows = rows
        self.by_module: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            self.by_module.setdefault(row["module"], []).append(i)
        self.index = Bm25({str(i): _words(r["task"]) for i, r in enumerate(rows)})

    @classmethod
    def load(cls, path: Path) -> "SourceIndex":
        return cls(read_index(path))

    def match(self, task_yaml: str, module: str | None, k: int = 3) -> list[dict]:
        body = task_yaml.split("\n", 1)[1] if task_yaml.startswith("- name:") else task_yaml
        query = _words(body)
        if not query:
            return []
        self_score = self.index.score_text(query, query) or 1.0
        scored = self.index.top(query, 200)
        same = [(d, s) for d, s in scored if self.rows[int(d)]["module"] == module]
        ranked = (same + [x for x in scored if x not in same])[:k]
        out = []
        for doc, s in ranked:
            row = self.rows[int(doc)]
            out.append({"collection": row["collection"], "version": row["version"], "module": row["module"],
                        "path": row["path"], "line": row.get("line"), "licence": row["licence"],
                        "kind": row["kind"], "request": row["request"], "score": round(min(1.0, s / self_score), 3)})
        return out
