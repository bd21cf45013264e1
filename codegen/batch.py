"""`ansible-codegen batch`: JSONL in, one JSONL record out per input line, in order.

The interface benchmarks and evaluations use. A failing case still gets its line (empty yaml,
the reason in problems). Finished lines survive Ctrl-C, and a re-run resumes after them; the
output file is only ever replaced whole (atomically).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from codegen.atomic import write_text
from codegen.progress import bar


def read_cases(path: Path) -> list[dict]:
    """Validate the whole input before any work, so bad input fails fast and writes nothing."""
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc.__class__.__name__}") from exc
    cases, seen = [], set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(case, dict) or not isinstance(case.get("id"), str) or not isinstance(case.get("prompt"), str):
            raise ValueError(f"{path}:{number}: each line needs {{\"id\": str, \"prompt\": str}}")
        if "context" in case and case["context"] is not None and not isinstance(case["context"], str):
            raise ValueError(f"{path}:{number}: \"context\" must be a string")
        if case["id"] in seen:
            raise ValueError(f"{path}:{number}: duplicate id {case['id']!r}")
        seen.add(case["id"])
        cases.append(case)
    return cases


def _finished(output: Path, ids: set[str]) -> dict[str, dict]:
    """Records already in `output` from an earlier, interrupted run of the same input."""
    done = {}
    if output.is_file():
        for line in output.read_text().splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and record.get("id") in ids:
                done[record["id"]] = record
    return done


def run_case(pipeline, case: dict) -> dict:
    started = time.perf_counter()
    try:
        return pipeline.run(case["prompt"], context=case.get("context"), id=case["id"]).record()
    except Exception as exc:  # one bad case must not lose the rest of the batch
        return {"id": case["id"], "yaml": "", "module": None, "valid": False,
                "problems": [f"error [generate] {exc.__class__.__name__}: {exc}"],
                "seconds": round(time.perf_counter() - started, 3)}


def run_batch(pipeline, cases: list[dict], output: Path) -> bool:
    """Process every case; returns False when interrupted (finished lines are kept)."""
    done = _finished(output, {c["id"] for c in cases})

    def flush():
        write_text(output, "".join(json.dumps(done[c["id"]]) + "\n" for c in cases if c["id"] in done))

    with bar() as progress:
        job = progress.add_task("Generating", total=len(cases), completed=len(done), info="")
        try:
            for case in cases:
                if case["id"] in done:
                    continue
                done[case["id"]] = run_case(pipeline, case)
                progress.update(job, advance=1, info=f"{case['id']}")
                if len(done) % 10 == 0:
                    flush()  # a killed run keeps what it finished
        except KeyboardInterrupt:
            flush()
            return False
    flush()
    return True
