"""The figures beside tools rather than models: catalog load (vs ansible-doc) and validation
(vs ansible-lint as a command).
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from codegen.bench.common import BenchError, Log, REFERENCE_TASKS, Settings, _repeat, skipped, stats
from codegen.bench.processes import _last_line, timed_process


def catalog_figures(settings: Settings, log: Log) -> tuple[dict, object]:
    from codegen.catalog import load_catalog
    from codegen.catalog import store

    def load() -> float:
        store._LOADED.clear()  # from the on-disk cache each time, as a fresh process does
        started = time.perf_counter()
        load_catalog(quiet=True)
        return time.perf_counter() - started

    ours = _repeat(settings, load, log, "catalog load")
    catalog = load_catalog(quiet=True)
    doc = shutil.which("ansible-doc") or str(Path(sys.executable).parent / "ansible-doc")
    if Path(doc).is_file():
        def ansible_doc() -> float:
            run = timed_process([doc, "--json", "ansible.builtin.copy"], timeout=300)
            if run.returncode != 0:
                raise BenchError(f"ansible-doc failed: {_last_line(run.stderr)}")
            return run.seconds

        baseline = stats(_repeat(settings, ansible_doc, log, "ansible-doc baseline"))
    else:
        baseline = skipped("ansible-doc not found")
    figure = {
        "unit": "s", "better": "lower",
        "description": "load the module catalog (every installed module's argument spec) from its cache, in process",
        "ours": stats(ours),
        "baselines": {"ansible_doc": baseline},
        "baseline_notes": {"ansible_doc": "`ansible-doc --json ansible.builtin.copy` as a command: the documentation "
                                          "of ONE module without the catalog"},
    }
    return figure, catalog


def validation_figure(settings: Settings, catalog, log: Log) -> dict:
    from codegen.validate import validate_tasks

    def ours() -> float:
        started = time.perf_counter()
        for task in REFERENCE_TASKS:
            validate_tasks(task, catalog, lint=True)
        return (time.perf_counter() - started) * 1000 / len(REFERENCE_TASKS)

    values = _repeat(settings, ours, log, "validation")
    lint = shutil.which("ansible-lint") or str(Path(sys.executable).parent / "ansible-lint")
    if Path(lint).is_file():
        root = Path(tempfile.mkdtemp(prefix="codegen-bench-lint-"))
        tasks = root / "roles" / "bench" / "tasks" / "main.yml"
        tasks.parent.mkdir(parents=True)
        tasks.write_text("---\n" + REFERENCE_TASKS[0])

        def ansible_lint() -> float:
            run = timed_process([lint, "--offline", "-q", "--profile", "production", str(tasks)], timeout=600)
            if run.returncode not in (0, 2):
                raise BenchError(f"ansible-lint failed: {_last_line(run.stderr)}")
            return run.seconds * 1000

        try:
            baseline = stats(_repeat(settings, ansible_lint, log, "ansible-lint baseline"))
        finally:
            shutil.rmtree(root, ignore_errors=True)
    else:
        baseline = skipped("ansible-lint not found")
    return {
        "unit": "ms", "better": "lower",
        "description": f"validate one task in process (syntax, module load, argument spec, Jinja, ansible-lint "
                       f"production profile), mean over {len(REFERENCE_TASKS)} known-good tasks",
        "ours": stats(values, 2),
        "baselines": {"ansible_lint": baseline},
        "baseline_notes": {"ansible_lint": "`ansible-lint --offline --profile production` as a command on a role "
                                           "tasks file holding one of the same tasks"},
    }
