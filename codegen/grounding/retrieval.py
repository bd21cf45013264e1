"""Retrieval: training examples whose requests resemble this one, shown to the model as
preceding tasks (the form of context it was trained on), so it can copy the right module
and argument names."""
from __future__ import annotations

from typing import Callable

from codegen.catalog.store import Bm25, words

MAX_EXAMPLE_LINES = 12


class ExampleRetriever:
    def __init__(self, rows: list[dict], k: int = 2):
        """rows: the index rows (grounding.sources.index_rows / read_index)."""
        self.rows, self.k = rows, k
        self.bm25 = Bm25({str(i): words(r["request"]) for i, r in enumerate(rows)})

    def examples(self, request: str, exclude: Callable[[dict], bool] | None = None) -> list[str]:
        """The k most similar examples as task text; `exclude` drops rows (training leaves out
        the example's own task and file, as inference never sees them)."""
        out = []
        for doc, _ in self.bm25.top(words(request), self.k * 6):
            row = self.rows[int(doc)]
            body = row["task"]
            if body.count("\n") > MAX_EXAMPLE_LINES or (exclude and exclude(row)):
                continue
            name = " ".join(row["request"].split())
            out.append(f"- name: {name}\n{body}")
            if len(out) == self.k:
                break
        return out[::-1]  # the most similar example sits right above the request
