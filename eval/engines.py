"""Local constrained decoding vs a llama.cpp server with and without the grammar (issue 19).

    ansible-codegen dataset external -o EXT      # the realistic set: whole projects held out
    python eval/engines.py --cases EXT/external.jsonl --sample 100 --seed 19 -o OUT \
        --systems local,local-raw --url http://127.0.0.1:PORT --model ansible-codegen
    python eval/engines.py ... --systems llamacpp-grammar,llamacpp-plain
    python eval/engines.py --report OUT

Systems (none repairs: schema-correct is measured before repair; one attempt per case):
- local: the local backend with the schema constraint (the default decoding);
- local-raw: the local backend unconstrained (to compare raw greedy text with the export);
- llamacpp-grammar / llamacpp-plain: `--backend openai` against the server, with / without the grammar.
Rows go to OUT/<system>.jsonl as they finish (resumable: cases already there are skipped). Each row
keeps the raw generation, so `--report` also gives the greedy agreement of the exported model
(llamacpp-plain) with the local one (local-raw) on the cases both have.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

SYSTEMS = ("local", "local-raw", "llamacpp-grammar", "llamacpp-plain")


class Recording:
    """Wraps a backend; keeps the raw text of its last completion."""

    def __init__(self, backend):
        self.backend, self.raw = backend, []

    def __getattr__(self, name):
        return getattr(self.backend, name)

    def complete(self, prompt, constraint=None, cancelled=None):
        generation = self.backend.complete(prompt, constraint=constraint, cancelled=cancelled)
        self.raw.append(generation.text)
        return generation


def make_pipeline(system: str, args, retriever):
    from codegen.catalog import load_catalog
    from codegen.pipeline import Pipeline

    if system.startswith("local"):
        import torch

        torch.set_num_threads(1)
        from codegen.backends.local import LocalBackend

        backend = LocalBackend()
    else:
        from codegen.backends.openai import OpenAIBackend

        backend = OpenAIBackend(args.url, args.model, timeout=args.timeout,
                                grammar="auto" if system == "llamacpp-grammar" else "off")
    recording = Recording(backend)
    constrain = system != "local-raw"
    return Pipeline(recording, load_catalog(quiet=True), lint=True, constrain=constrain, repair=False,
                    retriever=retriever), recording


def pick_cases(cases: list[dict], limit: int, sample: int | None, seed: int) -> list[dict]:
    """The first `limit` cases in file order, or with `sample`: the cases sorted by id, shuffled with
    random.Random(seed), the first `sample` of them (the same ones on every machine and run)."""
    if sample is None:
        return cases[:limit]
    import random

    ordered = sorted(cases, key=lambda c: c["id"])
    random.Random(seed).shuffle(ordered)
    return ordered[:sample]


def run(args) -> None:
    from codegen.evaluation.run import evaluate_case
    from codegen.grounding.retrieval import ExampleRetriever, common_rows
    from codegen.grounding.sources import read_index
    from codegen.backends.local import LocalBackend

    cases = pick_cases([json.loads(line) for line in Path(args.cases).read_text().splitlines() if line.strip()],
                       args.limit, args.sample, args.seed)
    if args.reverse:  # a second worker on the same sample, from its other end (merge the rows afterwards)
        cases = cases[::-1]
    index = LocalBackend().source_index_path()
    retriever = ExampleRetriever(read_index(index) + common_rows()) if index and index.is_file() else None
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    for system in args.systems.split(","):
        path = out / f"{system}.jsonl"
        done = set()
        if path.is_file():
            for line in path.read_text().splitlines():
                try:
                    done.add(json.loads(line)["id"])
                except (json.JSONDecodeError, KeyError):
                    pass  # a line cut by an interruption
        todo = [c for c in cases if c["id"] not in done]
        if not todo:
            continue
        pipeline, recording = make_pipeline(system, args, retriever)
        with open(path, "a") as fh:
            for number, case in enumerate(todo, 1):
                recording.raw = []
                started = time.perf_counter()
                try:
                    row = evaluate_case(system, case, pipeline, None)
                except Exception as exc:  # a server failure is a row too (it counts as a miss)
                    row = {"id": case["id"], "prediction": "", "module_match": 0.0, "schema_correct": 0.0,
                           "seconds": round(time.perf_counter() - started, 3), "error": f"{type(exc).__name__}: {exc}"}
                row["raw"] = recording.raw[:1]
                fh.write(json.dumps(row) + "\n")
                fh.flush()
                print(f"{system} {len(done) + number}/{len(cases)} schema={row['schema_correct']} "
                      f"module={row['module_match']} {row['seconds']:.1f}s", file=sys.stderr, flush=True)


def _answered(values: list[dict]) -> str:
    """Schema-correct among the rows the server answered (a timeout is a miss in the main column)."""
    answered = [r for r in values if not r.get("error")]
    return f"{sum(r['schema_correct'] for r in answered) / len(answered):.3f}" if answered else "-"


def report(folder: Path) -> str:
    rows = {}
    for system in SYSTEMS:
        path = folder / f"{system}.jsonl"
        if path.is_file():
            rows[system] = {r["id"]: r for r in map(json.loads, path.read_text().splitlines())}
    lines = []
    common = set.intersection(*(set(r) for r in rows.values())) if rows else set()
    for title, keep in (("all rows of each system", None), (f"the {len(common)} cases every system has", common)):
        lines += [f"On {title}:", "",
                  "| system | cases | schema-correct before repair | module accuracy | p50 latency (s) "
                  "| no answer (timeout, server error) | schema-correct of the answers |",
                  "|---|---|---|---|---|---|---|"]
        for system, by_id in rows.items():
            values = [r for i, r in by_id.items() if keep is None or i in keep]
            n = len(values)
            if not n:
                continue
            lines.append(f"| {system} | {n} | {sum(r['schema_correct'] for r in values) / n:.3f} | "
                         f"{sum(r['module_match'] for r in values) / n:.3f} | "
                         f"{statistics.median(r['seconds'] for r in values):.2f} | "
                         f"{sum(1 for r in values if r.get('error'))} | {_answered(values)} |")
        lines.append("")
    if "local-raw" in rows and "llamacpp-plain" in rows:
        common = sorted(set(rows["local-raw"]) & set(rows["llamacpp-plain"]))
        same = sum(rows["local-raw"][i]["raw"] == rows["llamacpp-plain"][i]["raw"] for i in common)
        lines.append("")
        lines.append(f"Greedy agreement, exported GGUF (llama.cpp, no grammar) vs local (unconstrained): "
                     f"{same}/{len(common)} identical raw answers")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="data3/realworld.jsonl")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--sample", type=int, default=None, help="a seeded sample of this many cases (see pick_cases)")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--reverse", action="store_true", help="run the picked cases last to first")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--systems", default="local")
    parser.add_argument("--url", default=None)
    parser.add_argument("--model", default="ansible-codegen")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--report", action="store_true", help="print the table of the rows in -o")
    args = parser.parse_args()
    if args.report:
        print(report(Path(args.output)))
    else:
        run(args)


if __name__ == "__main__":
    main()
