"""The plain `model.generate` baseline: the untreated base model through transformers.
"""
from __future__ import annotations

import gc
import time

from codegen.bench.common import BenchError, Log, Settings, warmed_runs
from codegen.bench.warm import WarmRun, weight_bytes


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

    runs = warmed_runs(settings, log, "model.generate", one_pass, encoded)
    decoder = model.get_decoder()
    embeddings = model.get_output_embeddings().weight
    info = {"runs": [r.summary() for r in runs],
            "bytes_per_token": weight_bytes(decoder, embeddings.shape[0], embeddings.shape[1],
                                            embeddings.element_size())}
    del model
    gc.collect()
    return info


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
