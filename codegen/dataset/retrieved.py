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
# A private module reaches the model only through its documentation: inference shows its own
# EXAMPLES as the retrieved examples (grounding/candidates.module_examples). Rows of documented
# modules learn that situation: a share shows the module's other EXAMPLES tasks, never the row's own.
SHARE_OWN_EXAMPLES = 0.3


def _tokens(text: str) -> set[str]:
    return set(text.replace('"', " ").replace("'", " ").split())


def own_examples(catalog, row: dict) -> list[str]:
    """The row module's EXAMPLES tasks as inference shows a private module's, less the row's own task."""
    from codegen.grounding.candidates import module_examples

    mine = _tokens(row["completion"])
    return [ex for ex in module_examples(catalog, row["module"], row["request"], k=4)
            if ex.split("\n", 1)[0] != f"- name: {row['request']}" and not mine <= _tokens(ex)][-2:]


def _exclude_for(row: dict):
    source = row.get("source") or {}
    path, collection = source.get("path"), source.get("collection")

    def exclude(candidate: dict) -> bool:
        return candidate["task"] == row["completion"] or (
            bool(path) and candidate["path"] == path and candidate["collection"] == collection)
    return exclude


def with_examples(rows: list[dict], rng: random.Random, catalog=None, blocks=None) -> list[dict]:
    """Train rows -> rows where about half carry `examples`; ansible.builtin rows appear both ways;
    with a catalog, a share of the rows from module EXAMPLES shows the module's own documentation;
    with blocks (dataset.workspace_rows.WorkspaceBlocks), a role row's examples include its
    workspace's own tasks as inference shows them."""
    rows = [r for r in rows if r.get("task") != "outline"]
    retriever = ExampleRetriever(index_rows(rows))
    out = []
    for row in rows:
        if catalog is not None and row["source"]["kind"] == "example" and not row["module"].startswith(TWICE) \
                and rng.random() < SHARE_OWN_EXAMPLES:
            own = own_examples(catalog, row)
            if own:
                out.append({**row, "examples": own, "shown": "documentation"})
                continue
        examples = retriever.examples(row["request"], exclude=_exclude_for(row))
        from_workspace = 0
        if blocks is not None:
            examples, from_workspace = blocks.examples(row, examples)
        shown = {"examples": examples, **({"workspace_examples": from_workspace} if from_workspace else {})}
        give = rng.random() < SHARE_WITH_EXAMPLES
        out.append({**row, **(shown if give else {"examples": []})})
        if row["module"].startswith(TWICE) and examples:
            out.append({**row, "id": row["id"] + "-x", **({"examples": []} if give else shown)})
    rng.shuffle(out)
    return out
