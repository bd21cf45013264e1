"""Warm decoding through our pipeline: latency, first token and decoding speed per run.
"""
from __future__ import annotations

import gc
import statistics
import time

from dataclasses import dataclass

from codegen.bench.common import Log, Settings, percentile


class _Recorder:
    """A backend wrapper that keeps each (prompt, Generation)."""

    def __init__(self, inner):
        self.inner, self.calls = inner, []

    def complete(self, prompt, constraint=None, cancelled=None):
        generation = self.inner.complete(prompt, constraint=constraint, cancelled=cancelled)
        self.calls.append((prompt, generation))
        return generation

    def __getattr__(self, name):
        return getattr(self.inner, name)


@dataclass
class WarmRun:
    latencies: list[float]
    first_token: list[float]
    decode_tokens: int = 0
    decode_seconds: float = 0.0

    def add_decode(self, new_tokens: int, seconds: float, first: float) -> None:
        if new_tokens > 1 and seconds > first:
            self.decode_tokens += new_tokens - 1
            self.decode_seconds += seconds - first

    def summary(self) -> dict:
        return {"p50": percentile(self.latencies, 0.5), "p95": percentile(self.latencies, 0.95),
                "ttft": statistics.median(self.first_token),
                "decode": self.decode_tokens / self.decode_seconds if self.decode_seconds else 0.0}


def weight_bytes(decoder, head_rows: int, hidden: int, element_size: int) -> int:
    """Bytes of weights read to decode one token: all but the embedding table, the head rows
    scored, and the one embedding row looked up."""
    body = sum(p.numel() * p.element_size() for name, p in decoder.named_parameters()
               if "embed_tokens" not in name and "lm_head" not in name)
    return body + (head_rows + 1) * hidden * element_size


def ours_warm(settings: Settings, catalog, log: Log) -> dict:
    """Warm pipeline runs on our backend; returns per-run summaries and what the baselines need."""
    from codegen.backends.local import LocalBackend
    from codegen.pipeline import Pipeline

    backend = LocalBackend(base=settings.base, adapter=settings.adapter, max_new_tokens=settings.max_new_tokens)
    log("loading our model (base + adapter, kept-vocabulary head)")
    generator = backend.load()
    recorder = _Recorder(backend)
    pipeline = Pipeline(recorder, catalog, lint=True)  # the language server's default
    runs: list[WarmRun] = []
    prompts_seen: dict[str, tuple[str, int]] = {}

    def one_pass(requests: list[str]) -> WarmRun:
        run = WarmRun([], [])
        for request in requests:
            recorder.calls.clear()
            started = time.perf_counter()
            pipeline.run(request)
            run.latencies.append(time.perf_counter() - started)
            for prompt, generation in recorder.calls:
                run.first_token.append(generation.first_token_seconds)
                run.add_decode(generation.new_tokens, generation.seconds, generation.first_token_seconds)
            if recorder.calls:
                prompt, generation = recorder.calls[0]
                prompts_seen[request] = (prompt, max(1, generation.new_tokens))
        return run

    for i in range(settings.warmup):
        log(f"warm latency (ours): warm-up {i + 1}/{settings.warmup}")
        one_pass(settings.prompts[:1])
    for i in range(settings.runs):
        log(f"warm latency (ours): run {i + 1}/{settings.runs}")
        runs.append(one_pass(settings.prompts))
    element = generator.head.element_size()
    hidden = generator.head.shape[1]
    info = {
        "runs": [r.summary() for r in runs],
        "prompts": prompts_seen,
        "bytes_per_token": weight_bytes(generator.decoder, generator.head.shape[0], hidden, element),
        "head_rows": int(generator.head.shape[0]),
        "vocab": int(getattr(generator.decoder.config, "vocab_size", 0) or 0),
        "model": {**backend.info, "dtype": str(generator.head.dtype).replace("torch.", "")},
        "base_path": backend.info.get("base_path"),
    }
    del backend, generator, recorder, pipeline
    gc.collect()
    return info
