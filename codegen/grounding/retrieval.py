"""Retrieval: training examples whose requests resemble this one, shown to the model as
preceding tasks (the form of context it was trained on), so it can copy the right module
and argument names."""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Callable

from codegen.catalog.store import Bm25, words

COMMON_TASKS = Path(__file__).with_name("common_tasks.yml")

MAX_EXAMPLE_LINES = 12
# Real playbooks are mostly ansible.builtin, then the common sysadmin collections; a vendor module
# whose example request shares a word ("Create new user quota ...") should not beat them. Measured on
# the realworld split (578 cases): the nearest example's module is right 0.43 -> 0.48 of the time and
# one of the two shown has it 0.52 -> 0.59 (the weights were flat from 1.5x to 2x).
COLLECTION_WEIGHT = {"ansible.builtin": 1.8, "ansible.posix": 1.3, "community.general": 1.3}


# Words of how a request is phrased rather than what it asks ("make sure gcsfuse" is no motd
# example), and the parts of URLs and paths every one of them has: a download URL should not find
# `git clone https://...` examples by its "https", "com" and "tmp"; its file name still counts.
_PHRASING = {"make", "sure", "ensure", "please", "should", "will", "want", "need"}
_LITERAL = re.compile(r"\S*[/:]\S*")
_LITERAL_NOISE = {"http", "https", "www", "com", "org", "net", "io", "tmp", "etc", "usr", "var", "opt", "srv",
                  "home", "local", "bin", "lib", "share"}


def plain_words(request: str) -> list[str]:
    """The request's own words: what it asks, without phrasing words, URLs and paths."""
    return [w for w in words(_LITERAL.sub(" ", request)) if w not in _PHRASING]


def query_words(request: str) -> list[str]:
    """The request's words for retrieval: phrasing words and the boilerplate of URLs and paths left out."""
    plain = plain_words(request)
    return plain + [w for w in words(" ".join(_LITERAL.findall(request))) if w not in _LITERAL_NOISE]


class ExampleRetriever:
    def __init__(self, rows: list[dict], k: int = 2):
        """rows: the index rows (grounding.sources.index_rows / read_index)."""
        self.rows, self.k = rows, k
        self.bm25 = Bm25({str(i): words(r["request"]) for i, r in enumerate(rows)})

    def examples(self, request: str, exclude: Callable[[dict], bool] | None = None) -> list[str]:
        """The k most similar examples as task text; `exclude` drops rows (training leaves out
        the example's own task and file, as inference never sees them)."""
        ranked = []
        for doc, score in self.bm25.top(query_words(request), self.k * 30):
            row = self.rows[int(doc)]
            collection = ".".join(row["module"].split(".")[:2])
            ranked.append((score * COLLECTION_WEIGHT.get(collection, 1.0), int(doc)))
        ranked.sort(key=lambda pair: (-pair[0], pair[1]))
        out, bodies = [], set()
        for _, doc in ranked:
            row = self.rows[doc]
            body = row["task"]
            if body.count("\n") > MAX_EXAMPLE_LINES or body in bodies or (exclude and exclude(row)):
                continue
            bodies.add(body)
            name = " ".join(row["request"].split())
            out.append(f"- name: {name}\n{body}")
            if len(out) == self.k:
                break
        return out[::-1]  # the most similar example sits right above the request


# A workspace task is shown when its name carries at least this share of the request's words,
# each word weighted by how rare it is in the workspace (a word the workspace never uses weighs
# most): a task that merely shares "install" with the request is no guide to how this project
# does the thing asked.
WORKSPACE_SIMILARITY = 0.5


_INDEXES: list[tuple[list, list, list[set[str]], Bm25]] = []  # the last few pools ranked, by identity
_KEEP_INDEXES = 4


def _index(tasks: list) -> tuple[list, list[set[str]], Bm25]:
    """The pool's tasks short enough to show, their name words and BM25 statistics; kept for the
    same pool (a training file's rows, a command's requests) so that it is built once."""
    for held, usable, names, bm25 in _INDEXES:
        if held is tasks:
            return usable, names, bm25
    usable = [t for t in tasks if t.text.count("\n") <= MAX_EXAMPLE_LINES + 1]
    names = [set(words(t.name)) for t in usable]
    bm25 = Bm25({str(i): list(n) for i, n in enumerate(names)})
    _INDEXES.insert(0, (tasks, usable, names, bm25))
    del _INDEXES[_KEEP_INDEXES:]
    return usable, names, bm25


def workspace_examples(tasks: list, request: str, k: int, exclude: Callable[[str], bool] | None = None) -> list:
    """The at most k workspace tasks (ansible_files.workspace_tasks.WorkspaceTask) most like the
    request, least similar first (the most similar sits right above the request); the file's own
    role and the files beside it before other roles' at the same share. exclude(task text): never shown."""
    query = set(query_words(request))
    usable, names, bm25 = _index(tasks)
    if not query or not usable:
        return []
    unseen = math.log(1 + (len(usable) + 0.5) / 0.5)
    weight = {w: bm25.idf.get(w, unseen) for w in query}
    total = sum(weight.values())
    ranked = []
    for doc in {d for w in query for d in bm25.postings.get(w, ())}:
        share = sum(weight[w] for w in query & names[int(doc)]) / total
        if share >= WORKSPACE_SIMILARITY:
            ranked.append((-share, not usable[int(doc)].own, int(doc)))
    out, bodies = [], set()
    for _, _, doc in sorted(ranked):
        task = usable[doc]
        body = task.text.split("\n", 1)[-1]
        if body not in bodies and not (exclude and exclude(task.text)):
            bodies.add(body)
            out.append(task)
        if len(out) == k:
            break
    return out[::-1]


def with_workspace_examples(examples: list[str], ws, request: str, names: set[str], redact_text,
                            exclude: Callable[[str], bool] | None = None) -> tuple[list[str], list[str]]:
    """The retrieved examples with the workspace's own most similar tasks in the places nearest the
    request (how this project already does the thing asked beats how others do it), each shown as
    it would read in the file's role (`names`: the variables defined there) and passed through
    `redact_text`; and the workspace files they came from. exclude(task text): tasks never shown
    (training leaves out the row's own task, as the retrieved examples do). The pipeline and the
    training rows both call this, so the model is trained on what it is shown."""
    from codegen.ansible_files.workspace_tasks import in_role

    own = workspace_examples(ws.examples, request, len(examples), exclude)
    role = ws.role.rsplit("/", 1)[-1] if ws.role else None
    texts = [redact_text(in_role(task, role, names)) for task in own]
    return examples[len(own):] + texts, [task.source for task in own]


def common_rows(path: Path = COMMON_TASKS) -> list[dict]:
    """The hand-written everyday examples (common_tasks.yml) as index rows, each task's text as
    written: plain requests ("install nginx") find a plain answer there rather than a role's task."""
    import yaml

    from codegen.ansible_files.keywords import module_key

    rows, lines = [], path.read_text().split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("- name: ")] + [len(lines)]
    for start, end in zip(starts, starts[1:]):
        body = "\n".join(line for line in lines[start + 1:end] if not line.startswith("#")).rstrip("\n") + "\n"
        task = yaml.safe_load("\n".join(lines[start:end]))[0]
        rows.append({"request": lines[start][len("- name: "):], "module": module_key(task) or "", "task": body,
                     "kind": "hand-written", "collection": "ansible-codegen", "version": "", "path": path.name,
                     "licence": "MIT", "line": start + 1})
    return rows
