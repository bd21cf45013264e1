"""`bench --prompts FILE` on requests in their files: the benchmark of record.

FILE is batch JSONL ({"id", "prompt", "context"}; eval/bench/realistic.jsonl ships one built from
the external split). Each run is one new process per tree measured (codegen/bench/worker.py: the
model loaded and one request answered before the clock starts, then every request of the file,
then the five short built-in ones as a second row), with the pipeline as the CLI and the
language server run it (schema-guided decoding, repair, retries, lint on). `--against DIR` times a
second checkout (a baseline commit) in the same bench, runs alternating between the two, so a busy
machine slows both alike; their answers are compared request by request. A cold CLI figure
(`ansible-codegen task "install nginx"` in a new process, lint on, as users run it) comes with each.

Per run: p50/p95/max of the request times, first token, tokens and tries per request, and where
the time went per request (prefill, decode, constraint, validation, lint, other; retries: the part
of it spent on tries after the first). Each figure is the median over the runs.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

WORKER = Path(__file__).with_name("worker.py")
PARTS = ("prefill", "decode", "constraint", "validation", "lint", "other")
COLD_PROMPT = "install nginx"
Log = Callable[[str], None]


class RequestsBenchError(RuntimeError):
    """A run that failed; one line."""


@dataclass
class RequestsSettings:
    cases: list[dict]
    short: list[str]
    runs: int = 3
    against: str | None = None  # a checkout's root, measured as the baseline
    base: str | None = None
    adapter: str | None = "default"
    cold: bool = True
    partial: Path | None = None  # where each finished run's raw figures are written as the bench goes


def _tree_env(root: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root)] + [p for p in [env.get("PYTHONPATH")] if p])
    return env


def _python(code: str, args: list[str], env: dict, cwd: str, timeout: float = 3600) -> subprocess.CompletedProcess:
    # `-c` with a scratch working folder: no file of this package's own folder shadows a module
    return subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def _worker(root: Path, spec: Path, scratch: str) -> dict:
    out = Path(scratch) / "out.json"
    code = "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
    done = _python(code, [str(WORKER), str(spec), str(out)], _tree_env(root), scratch)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RequestsBenchError(f"the requests run on {root} failed: {tail}")
    return json.loads(out.read_text())


def _cold(root: Path, scratch: str, model_args: list[str]) -> float:
    import time

    code = "import sys; from codegen.cli import main; sys.argv = ['ansible-codegen', *sys.argv[1:]]; main()"
    started = time.perf_counter()
    done = _python(code, ["task", COLD_PROMPT, *model_args], _tree_env(root), scratch, timeout=900)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RequestsBenchError(f"cold `ansible-codegen task` on {root} failed (exit {done.returncode})")
    return seconds


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary(rows: list[dict]) -> dict:
    """One run of one set: the figures of its requests."""
    seconds = [r["seconds"] for r in rows]
    n = len(rows)
    return {
        "p50": percentile(seconds, 0.5), "p95": percentile(seconds, 0.95), "max": max(seconds),
        "first_token": statistics.median(r["first_token"] for r in rows),
        "tokens": sum(r["tokens"] for r in rows) / n, "tries": sum(r["tries"] for r in rows) / n,
        "valid": sum(bool(r["valid"]) for r in rows),
        "cut_at_token_limit": sum("max_tokens" in r["stopped"] for r in rows),
        "breakdown": {part: sum(r["breakdown"][part] for r in rows) / n for part in PARTS},
        "retries": sum(r["retries"] for r in rows) / n,
    }


def _median_of(runs: list[dict]) -> dict:
    out = {}
    for key, value in runs[0].items():
        if isinstance(value, dict):
            out[key] = _median_of([r[key] for r in runs])
        else:
            out[key] = round(statistics.median(r[key] for r in runs), 3)
    return out


def identical(ours: list[dict], other: list[dict]) -> dict:
    """How many requests got the same answer (YAML and problems) from both trees."""
    theirs = {r["id"]: r for r in other}
    same = [r["id"] for r in ours if r["id"] in theirs and (r["yaml"], r["problems"]) ==
            (theirs[r["id"]]["yaml"], theirs[r["id"]]["problems"])]
    same_yaml = [r["id"] for r in ours if r["id"] in theirs and r["yaml"] == theirs[r["id"]]["yaml"]]
    return {"requests": len(ours), "same_yaml": len(same_yaml), "same_yaml_and_problems": len(same),
            "differ": [r["id"] for r in ours if r["id"] not in same_yaml]}


def run_requests_bench(settings: RequestsSettings, log: Log = lambda message: None) -> dict:
    import codegen

    trees = {"ours": Path(codegen.__file__).resolve().parents[1]}
    if settings.against:
        root = Path(settings.against).resolve()
        if not (root / "codegen" / "pipeline.py").is_file():
            raise RequestsBenchError(f"--against {settings.against}: not a checkout of this project")
        trees["against"] = root
    model_args = [*(["--base", settings.base] if settings.base else []),
                  *(["--adapter", str(settings.adapter)] if settings.adapter is not None else [])]
    short = [{"id": f"short-{i}", "prompt": p} for i, p in enumerate(settings.short, 1)]
    raw: dict[str, list[dict]] = {name: [] for name in trees}
    cold: dict[str, list[float]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory(prefix="codegen-bench-") as scratch:
        spec = Path(scratch) / "spec.json"
        spec.write_text(json.dumps({"sets": {"realistic": settings.cases, "short": short}, "warmup": 1,
                                    "base": settings.base, "adapter": settings.adapter}))
        for run in range(settings.runs):
            order = list(trees) if run % 2 == 0 else list(reversed(trees))  # alternate: drift hits both alike
            for name in order:
                log(f"run {run + 1}/{settings.runs}: {name} ({trees[name]})")
                raw[name].append(_worker(trees[name], spec, scratch))
                if settings.cold:
                    cold[name].append(_cold(trees[name], scratch, model_args))
                if settings.partial is not None:  # a bench stopped half way keeps what it measured
                    from codegen.atomic import write_text

                    write_text(settings.partial, json.dumps({"raw": raw, "cold": cold}))
    report = {"settings": {"runs": settings.runs, "requests": len(settings.cases), "short": settings.short,
                           "trees": {k: str(v) for k, v in trees.items()}},
              "figures": {}, "raw": raw}
    for name in trees:
        report["figures"][name] = {
            set_name: _median_of([summary(r["sets"][set_name]) for r in raw[name]])
            for set_name in ("realistic", "short")}
        if cold[name]:
            report["figures"][name]["cold_cli_s"] = round(statistics.median(cold[name]), 3)
            report["figures"][name]["cold_cli_runs"] = [round(c, 3) for c in cold[name]]
    if "against" in trees:
        report["identical"] = {
            set_name: [identical(a["sets"][set_name], b["sets"][set_name]) for a, b in zip(raw["ours"], raw["against"])]
            for set_name in ("realistic", "short")}
    return report


def table_rows(report: dict) -> list[list[str]]:
    rows = []
    for tree, figures in report["figures"].items():
        for set_name in ("realistic", "short"):
            f = figures[set_name]
            b = f["breakdown"]
            rows.append([f"{set_name} ({tree})", f"{f['p50']:.2f}", f"{f['p95']:.2f}", f"{f['max']:.2f}",
                         f"{f['first_token']:.2f}", f"{f['tokens']:.0f}", f"{f['tries']:.2f}",
                         " ".join(f"{part} {b[part]:.2f}" for part in PARTS) + f" | retries {f['retries']:.2f}",
                         f"{figures['cold_cli_s']:.2f}" if "cold_cli_s" in figures and set_name == "realistic" else ""])
    return rows


def print_table(report: dict, file=None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"ansible-codegen bench --prompts: seconds per request, median of {report['settings']['runs']} "
                        "runs (breakdown: mean seconds per request)")
    for column in ("requests (tree)", "p50", "p95", "max", "1st token", "tok/req", "tries/req", "where the time goes",
                   "cold CLI"):
        table.add_column(column)
    for row in table_rows(report):
        table.add_row(*row)
    console = Console(file=file or sys.stdout, width=200)
    console.print(table)
    for set_name, runs in report.get("identical", {}).items():
        same = ", ".join(f"{r['same_yaml']}/{r['requests']}" for r in runs)
        console.print(f"{set_name}: same answer (YAML) as --against, per run: {same}")
