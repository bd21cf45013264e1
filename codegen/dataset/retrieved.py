"""Retrieved examples in the training prompt.

At inference `--retrieval` shows the model the two training examples whose requests are most
like the user's. Trained without them, the model copied their literal values into unrelated
requests; trained with them (leaving out the example's own task and source file, which inference
never has), it learns when to copy a module and argument names and when to ignore them. Half of
the rows get examples so the model stays good without retrieval too; rows of the modules real
playbooks use most are seen twice, once each way, which also weights them up.
"""
from __future__ import annotations

import random

from codegen.grounding.retrieval import ExampleRetriever
from codegen.grounding.sources import index_rows

SHARE_WITH_EXAMPLES = 0.5
TWICE = "ansible.builtin."


def _exclude_for(row: dict):
    source = row.get("source") or {}
    path, collection = source.get("path"), source.get("collection")

    def exclude(candidate: dict) -> bool:
        return candidate["task"] == row["completion"] or (
            bool(path) and candidate["path"] == path and candidate["collection"] == collection)
    return exclude


def with_examples(rows: list[dict], rng: random.Random) -> list[dict]:
    """Train rows -> rows where about half carry `examples`; ansible.builtin rows appear both ways."""
    rows = [r for r in rows if r.get("task") != "outline"]
    retriever = ExampleRetriever(index_rows(rows))
    out = []
    for row in rows:
        examples = retriever.examples(row["request"], exclude=_exclude_for(row))
        give = rng.random() < SHARE_WITH_EXAMPLES
        out.append({**row, "examples": examples if give else []})
        if row["module"].startswith(TWICE) and examples:
            out.append({**row, "id": row["id"] + "-x", "examples": [] if give else examples})
    rng.shuffle(out)
    return out
