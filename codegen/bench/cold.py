"""Cold figures (a new process per run: start to output, peak memory) and the memory-bandwidth floor.
"""
from __future__ import annotations

import gc
import math
import shutil
import sys
import time
from pathlib import Path

from codegen.bench.common import BenchError, COLD_PROMPT, Log, Settings, _repeat, skipped, stats
from codegen.bench.llama_baseline import _LLAMA_SCRIPT, _llama_reason
from codegen.bench.processes import _last_line, timed_process
from codegen.bench.generate_baseline import _GENERATE_SCRIPT


def cold_figures(settings: Settings, base_path: str, cold_prompt: tuple[str, int] | None, gguf: Path | None,
                 llama: str | None, log: Log) -> tuple[dict, dict]:
    """(cold_cli_s figure, peak_memory_mb figure): each cold run's wall time and peak RSS."""
    cli = shutil.which("ansible-codegen") or str(Path(sys.executable).parent / "ansible-codegen")
    ours_time, ours_rss = [], []

    def ours() -> float:
        run = timed_process([cli, "task", COLD_PROMPT, "--no-lint", *settings.model_args()])
        if run.returncode not in (0, 1):  # 1: no valid task (a random test model); 2+: an error
            raise BenchError(f"cold `ansible-codegen task` failed (exit {run.returncode}): {_last_line(run.stderr)}")
        ours_rss.append(run.maxrss_mb)
        return run.seconds

    ours_time = _repeat(settings, ours, log, "cold CLI (ours)")
    ours_rss = ours_rss[settings.warmup:]
    baselines_t, baselines_m = {}, {}
    if cold_prompt is None:
        baselines_t["transformers_generate"] = baselines_m["transformers_generate"] = skipped("no generation to mirror")
    else:
        prompt, count = cold_prompt
        baselines_t["transformers_generate"], baselines_m["transformers_generate"] = _process_baseline(
            settings, log, "model.generate", [sys.executable, "-c", _GENERATE_SCRIPT, str(base_path), prompt, str(count)])
    if llama and gguf is not None and cold_prompt is not None:
        import torch

        prompt, count = cold_prompt
        baselines_t["llama_cpp"], baselines_m["llama_cpp"] = _process_baseline(
            settings, log, "llama.cpp", [sys.executable, "-c", _LLAMA_SCRIPT, str(gguf), prompt, str(count),
                                         str(torch.get_num_threads())])
    else:
        reason = _llama_reason(llama, gguf)
        baselines_t["llama_cpp"] = baselines_m["llama_cpp"] = skipped(reason)
    cold = {"unit": "s", "better": "lower",
            "description": f"`ansible-codegen task \"{COLD_PROMPT}\" --no-lint` in a new process: start to output "
                           "(imports, model load, catalog, generation, validation)",
            "ours": stats(ours_time, 3), "baselines": baselines_t,
            "baseline_notes": {"transformers_generate": "a new Python process: import transformers, load the "
                                                        "untreated base, model.generate the same number of tokens",
                               "llama_cpp": "a new Python process: load the GGUF in llama.cpp, complete the same "
                                            "prompt for the same number of tokens"}}
    memory = {"unit": "MB", "better": "lower",
              "description": "peak resident memory (maxrss) of the cold process above",
              "ours": stats(ours_rss, 1), "baselines": baselines_m}
    return cold, memory


def read_bandwidth(settings: Settings, log: Log) -> list[float]:
    """GB/s reading a large float32 tensor (sum), best of 3 per run, on torch's threads."""
    import torch

    count = max(1, settings.bandwidth_mb) * (1 << 20) // 4
    data = torch.ones(count, dtype=torch.float32)
    nbytes = data.numel() * 4

    def one() -> float:
        best = math.inf
        for _ in range(3):
            started = time.perf_counter()
            data.sum()
            best = min(best, time.perf_counter() - started)
        return nbytes / best / 1e9

    try:
        return _repeat(settings, one, log, f"read bandwidth ({settings.bandwidth_mb} MB)")
    finally:
        del data
        gc.collect()


def _process_baseline(settings, log, what: str, argv: list[str]) -> tuple[dict, dict]:
    """(seconds, peak RSS MB) statistics of a baseline run as a whole new process each time."""
    rss: list[float] = []

    def once() -> float:
        run = timed_process(argv)
        if run.returncode != 0:
            raise BenchError(f"cold {what} baseline failed: {_last_line(run.stderr)}")
        rss.append(run.maxrss_mb)
        return run.seconds

    return stats(_repeat(settings, once, log, f"cold {what}"), 3), stats(rss[settings.warmup:], 1)
