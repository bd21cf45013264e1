"""One measured pass of the requests benchmark, in a process of its own (`bench --prompts`).

Run as a script (`python worker.py SPEC.json OUT.json`) so that the tree measured is whichever
`codegen` comes first on PYTHONPATH: the same instrumentation times this tree and a baseline
checkout (`bench --against DIR`). It uses only what every version of the pipeline has
(Pipeline.run, LocalBackend.complete, validate_tasks, lint_tasks) and times them from outside:
per request its wall time and where it went (prefill, decode, constraint checks, validation,
lint, the tries after the first), tokens and tries, and the answer (to compare trees).
"""
from __future__ import annotations

import json
import sys
import time


class Clock:
    """Seconds spent inside wrapped calls, by name (nested calls are counted by each wrapper)."""

    def __init__(self):
        self.spent: dict[str, float] = {}

    def wrap(self, name: str, fn):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent[name] = self.spent.get(name, 0.0) + time.perf_counter() - started
        return timed


class Recorder:
    """A backend that times each generation and its constraint's per-token choices."""

    def __init__(self, inner, clock: Clock):
        self.inner, self.clock, self.calls = inner, clock, []

    def complete(self, prompt, constraint=None, cancelled=None):
        before = dict(self.clock.spent)
        if constraint is not None:
            constraint.choose = self.clock.wrap("constraint", constraint.choose)
        started = time.perf_counter()
        generation = self.inner.complete(prompt, constraint=constraint, cancelled=cancelled)
        wall = time.perf_counter() - started
        checks = self.clock.spent.get("constraint", 0.0) - before.get("constraint", 0.0)
        self.calls.append({"wall": wall, "prompt_tokens": generation.prompt_tokens,
                           "new_tokens": generation.new_tokens, "first_token": generation.first_token_seconds,
                           "stopped": generation.stopped, "constraint": checks,
                           "reused": getattr(generation, "reused_prompt_tokens", 0)})
        return generation

    def __getattr__(self, name):
        return getattr(self.inner, name)


def measure(spec: dict) -> dict:
    import torch._dynamo  # noqa: F401 - before ansible (see codegen.bench.measure.run_bench)

    import codegen
    import codegen.pipeline as pipeline_module
    import codegen.validate.lint as lint_module
    from codegen.backends.local import LocalBackend
    from codegen.catalog import load_catalog
    from codegen.pipeline import Pipeline

    clock = Clock()
    pipeline_module.validate_tasks = clock.wrap("validate", pipeline_module.validate_tasks)
    lint_module.lint_tasks = clock.wrap("lint", lint_module.lint_tasks)
    catalog = load_catalog(quiet=True)
    backend = LocalBackend(base=spec.get("base"), adapter=spec.get("adapter", "default"))
    backend.load()
    recorder = Recorder(backend, clock)
    pipeline = Pipeline(recorder, catalog, lint=True)  # the language server's and the CLI's default
    sets = spec["sets"]
    for case in next(iter(sets.values()))[:spec.get("warmup", 1)]:  # first-call costs paid, unmeasured
        pipeline.run(case["prompt"], case.get("context"))
    out = {}
    for name, cases in sets.items():
        out[name] = rows = []
        for number, case in enumerate(cases, 1):
            rows.append(_one(pipeline, recorder, clock, case))
            print(f"{name} {number}/{len(cases)} {rows[-1]['seconds']:.2f} s", file=sys.stderr, flush=True)
    return {"tree": str(codegen.__file__), "sets": out}


def _one(pipeline, recorder: Recorder, clock: Clock, case: dict) -> dict:
    """One request, timed: its figures and its answer."""
    recorder.calls.clear()
    clock.spent.clear()
    started = time.perf_counter()
    result = pipeline.run(case["prompt"], case.get("context"), id=case.get("id"))
    seconds = time.perf_counter() - started
    calls = recorder.calls
    prefill = sum(c["first_token"] for c in calls)
    generation = sum(c["wall"] for c in calls)
    constraint = sum(c["constraint"] for c in calls)
    validate, lint = clock.spent.get("validate", 0.0), clock.spent.get("lint", 0.0)
    return {
        "id": case.get("id"), "seconds": seconds, "yaml": result.yaml, "valid": result.valid,
        "problems": result.problems,
        "first_token": calls[0]["first_token"] if calls else 0.0,
        "tokens": sum(c["new_tokens"] for c in calls), "prompt_tokens": sum(c["prompt_tokens"] for c in calls),
        "reused_prompt_tokens": sum(c["reused"] for c in calls),
        "tries": len(calls), "stopped": [c["stopped"] for c in calls],
        "breakdown": {
            "prefill": prefill,  # to each try's first token: tokenise, prefill, the first choice
            "decode": max(0.0, generation - prefill - constraint),
            "constraint": constraint,  # the schema constraint's per-token choices
            "validation": max(0.0, validate - lint),
            "lint": lint,
            "other": max(0.0, seconds - generation - validate),  # prompt, retrieval, parse, repair
        },
        # of all the above, the part spent on the tries after the first (their generation)
        "retries": sum(c["wall"] for c in calls[1:]),
    }


def main() -> None:
    spec = json.loads(open(sys.argv[1]).read())
    result = measure(spec)
    with open(sys.argv[2], "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
