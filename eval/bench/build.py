"""Build eval/bench/realistic.jsonl: the benchmark of record's requests (`bench --prompts`).

Drawn from the external split (`ansible-codegen dataset external -o DIR`: kayobe, tripleo-ansible,
community.zabbix, never trained on): per project, three files with at least three usable tasks,
three consecutive tasks from each (what `batch` on one file and a person typing in the editor send:
the same file prefix again and again), the file above each task as its context.
Usage: python eval/bench/build.py DIR/external.jsonl [-o eval/bench/realistic.jsonl]
"""
from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

SEED = "bench-realistic-1"
FILES_PER_PROJECT = 3
TASKS_PER_FILE = 3


def build(rows: list[dict]) -> list[dict]:
    by_file: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        if row.get("context", "").strip():  # a case with file context: what this set is about
            by_file[(row["project"], row["path"])].append(row)
    cases = []
    for project in sorted({p for p, _ in by_file}):
        files = sorted(k for k, v in by_file.items() if k[0] == project and len(v) >= TASKS_PER_FILE)
        for key in random.Random(f"{SEED}:{project}").sample(files, min(FILES_PER_PROJECT, len(files))):
            tasks = sorted(by_file[key], key=lambda r: r["source"]["line"])
            start = random.Random(f"{SEED}:{key}").randrange(len(tasks) - TASKS_PER_FILE + 1)
            for row in tasks[start:start + TASKS_PER_FILE]:
                # indent: where the task's `- name:` line sits (inside a block, a play's tasks...), so
                # that the language server's bench types it where the person would
                cases.append({"id": row["id"], "prompt": row["request"], "context": row["context"],
                              "indent": row.get("indent", 0)})
    return cases


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("external")
    parser.add_argument("-o", "--output", default=str(Path(__file__).with_name("realistic.jsonl")))
    args = parser.parse_args()
    rows = [json.loads(line) for line in Path(args.external).read_text().splitlines() if line.strip()]
    cases = build(rows)
    Path(args.output).write_text("".join(json.dumps(c) + "\n" for c in cases))
    print(f"{len(cases)} cases -> {args.output}")


if __name__ == "__main__":
    main()
