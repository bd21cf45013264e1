"""The measurements behind `ansible-codegen bench`.

Every figure is a median with min and max over `runs` runs, after `warmup` unmeasured runs
(for the warm decoding figures a warm-up is one task: loading and first-call costs are paid
by then, and a whole unmeasured pass would only lengthen the bench), and sits beside baselines
measured in the same process on the same prompts:

* `transformers_generate`: plain `model.generate` (greedy) on the untreated base model (no
  adapter, full-vocabulary head), loaded by transformers from the same converted folder, asked
  for exactly as many new tokens as our decoder produced for that prompt;
* `llama_cpp`: llama.cpp decoding the base GGUF (the same untreated model, Q4_K_M), only when
  `llama-cpp-python` is importable and the base is a GGUF (the embedded one, or a .gguf);
* tool baselines where a model baseline means nothing: `ansible-lint` as a command for
  validation, `ansible-doc` as a command for module documentation;
* switched off, for our own speed-ups (`speedup_figures`): prompt-lookup decoding and the
  prefix cache, each on and off on the same loaded model, prompts interleaved on/off.

The memory-bandwidth floor: bytes of weights read per decoded token (non-embedding weights +
the head rows scored + one embedding row) divided by the machine's measured read bandwidth
(a large tensor summed): the speed no decoder can beat on this machine.
"""
from __future__ import annotations

import os
import platform
import statistics
import time

from codegen.bench.cold import cold_figures, read_bandwidth
from codegen.bench.common import COLD_PROMPT, BenchError, Log, Settings, skipped, stats
from codegen.bench.llama_baseline import _llama_reason, gguf_bytes_per_token, gguf_for, llama_cpp_available, llama_warm
from codegen.bench.processes import self_maxrss_mb
from codegen.bench.generate_baseline import transformers_warm
from codegen.bench.speedups import speedup_figures
from codegen.bench.tools import catalog_figures, validation_figure
from codegen.bench.warm import ours_warm


def _decode_figures(ours: dict, base: dict | None, llama: dict | None, llama_reason: str) -> dict:
    def pick(info, key, digits=4):
        return stats([r[key] for r in info["runs"]], digits)

    def baselines(key, digits=4):
        result = {"transformers_generate": pick(base, key, digits) if base else skipped("not measured")}
        result["llama_cpp"] = pick(llama, key, digits) if llama else skipped(llama_reason)
        return result

    notes = {"transformers_generate": "plain model.generate (greedy, untreated base, full vocabulary head), the "
                                      "same prompts, exactly as many new tokens as ours produced",
             "llama_cpp": "llama.cpp on the base GGUF, same prompts and token counts"}
    return {
        "warm_latency_p50_s": {"unit": "s", "better": "lower",
                               "description": "one task with the model already loaded (as in the language "
                                              "server, with its defaults): prompt, generation, parse, normalise, "
                                              "validation including ansible-lint; median over the prompts",
                               "ours": pick(ours, "p50"), "baselines": baselines("p50"), "baseline_notes": notes},
        "warm_latency_p95_s": {"unit": "s", "better": "lower", "description": "as above, 95th percentile",
                               "ours": pick(ours, "p95"), "baselines": baselines("p95"), "baseline_notes": notes},
        "first_token_s": {"unit": "s", "better": "lower",
                          "description": "time to first token: tokenise, prefill the prompt, choose one token",
                          "ours": pick(ours, "ttft"), "baselines": baselines("ttft"), "baseline_notes": notes},
        "decode_tok_s": {"unit": "tok/s", "better": "higher",
                         "description": "decoding speed after the first token",
                         "ours": pick(ours, "decode", 2), "baselines": baselines("decode", 2),
                         "baseline_notes": notes},
    }


def run_bench(settings: Settings, log: Log = lambda message: None) -> dict:
    import torch
    import torch._dynamo  # noqa: F401 - before ansible: ansible replaces sys.intern, which dynamo's import rejects

    if settings.runs < 1:
        raise BenchError("--runs must be at least 1")
    if not settings.prompts:
        raise BenchError("no prompts to run")
    started = time.perf_counter()
    llama = llama_cpp_available()
    gguf = gguf_for(settings.base)
    llama_reason = _llama_reason(llama, gguf)

    if settings.speedups_only:
        from codegen.catalog import load_catalog

        speedups = speedup_figures(settings, load_catalog(quiet=True), log)
        return _report(settings, {}, speedups, None, started)
    catalog_fig, catalog = catalog_figures(settings, log)
    validation_fig = validation_figure(settings, catalog, log)
    ours = ours_warm(settings, catalog, log)
    if not ours["prompts"]:
        raise BenchError("our model produced no generation (is the model usable?)")
    base = transformers_warm(settings, ours["base_path"], ours["prompts"], log)
    llama_info = llama_warm(settings, gguf, ours["prompts"], ours["vocab"], log) if llama and gguf else None
    bench_rss = self_maxrss_mb()
    cold_prompt = ours["prompts"].get(COLD_PROMPT) or next(iter(ours["prompts"].values()))
    cold_fig, memory_fig = cold_figures(settings, ours["base_path"], cold_prompt, gguf, llama, log)
    bandwidth = read_bandwidth(settings, log)
    speedups = speedup_figures(settings, catalog, log)

    figures = {"cold_cli_s": cold_fig, **_decode_figures(ours, base, llama_info, llama_reason),
               "validation_ms": validation_fig, "catalog_load_s": catalog_fig, "peak_memory_mb": memory_fig}
    gbs = statistics.median(bandwidth)
    per_token = {"ours": ours["bytes_per_token"], "transformers_generate": base["bytes_per_token"]}
    if llama_info:
        per_token["llama_cpp"] = llama_info["bytes_per_token"]
    elif gguf is not None:
        per_token["llama_cpp"] = gguf_bytes_per_token(gguf, ours["vocab"])
    floors = {name: round(gbs * 1e9 / b, 1) for name, b in per_token.items()}
    figures["decode_tok_s"]["floor_tok_s"] = floors
    report = _report(settings, figures, speedups, llama, started)
    report["model"] = {**ours["model"], "kept_head_rows": ours["head_rows"],
                       "tokens_per_prompt": {r: n for r, (_, n) in ours["prompts"].items()}}
    report["bandwidth"] = {
            "read_gb_s": stats(bandwidth, 2),
            "method": f"sum of a {settings.bandwidth_mb} MB float32 tensor, best of 3 per run, "
                      f"{torch.get_num_threads()} threads",
            "weight_bytes_per_token": per_token,
            "floor_tok_s": floors,
            "note": "weights only (KV cache and activations not counted): no decoder on this machine can "
                    "beat these speeds",
    }
    report["bench_process_peak_mb"] = round(bench_rss, 1)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def _report(settings: Settings, figures: dict, speedups: dict, llama: str | None, started: float) -> dict:
    import torch

    return {
        "schema": 1,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "settings": {"runs": settings.runs, "warmup": settings.warmup, "base": settings.base,
                     "adapter": settings.adapter, "prompts": settings.prompts,
                     "max_new_tokens": settings.max_new_tokens, "bandwidth_mb": settings.bandwidth_mb,
                     "speedups_only": settings.speedups_only},
        "machine": {"platform": platform.platform(), "machine": platform.machine(), "cpus": os.cpu_count(),
                    "torch_threads": torch.get_num_threads(), "python": platform.python_version(),
                    "torch": torch.__version__, "transformers": _version("transformers"),
                    "llama_cpp": llama},
        "figures": {**figures, **speedups},
        "seconds": round(time.perf_counter() - started, 1),
    }


def _version(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None
