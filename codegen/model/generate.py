"""Greedy decoding with a KV cache, logits over the kept vocabulary, and an exact stop at the end of a task.

A hand-written loop (rather than `model.generate`) because three things need a seam here:
logits only for the kept vocabulary rows (the fine-tune's head), a constraint hook that masks
tokens during decoding, and stopping as soon as the task's YAML block ends.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import torch

class Constraint:
    """Chooses the next token under rules the model cannot be trusted to keep.

    `choose` gets the text so far, the logits (over the kept rows), `extend(full_id) -> text`
    (the decoded text if that token were appended), `to_full(index) -> full_id`, and the EOS
    ids; it returns the logits index to emit.
    """

    def choose(self, text: str, logits: torch.Tensor, extend, to_full, eos: set[int]) -> int:
        raise NotImplementedError


@dataclass
class Generation:
    text: str
    new_tokens: int
    prompt_tokens: int
    seconds: float
    first_token_seconds: float
    stopped: str  # "eos" | "end_of_task" | "max_tokens" | "cancelled"


def end_of_task(text: str) -> int | None:
    """Index where the task body ends: the first non-blank line that starts at column 0."""
    start = 0
    while True:
        nl = text.find("\n", start)
        if nl < 0 or nl + 1 >= len(text):
            return None
        nxt = text[nl + 1]
        if nxt not in " \n\t":
            return nl + 1
        start = nl + 1


class Generator:
    def __init__(self, model, tokenizer, kept: list[int] | None = None, max_new_tokens: int = 200):
        self.tokenizer = tokenizer
        self.max_new_tokens = max_new_tokens
        base = model.get_base_model() if hasattr(model, "get_base_model") else model
        self.decoder = base.get_decoder()
        weight = base.get_output_embeddings().weight.detach()
        self.kept = torch.tensor(kept) if kept else None
        self.head = weight[self.kept].contiguous() if kept else weight
        self.softcap = getattr(base.config, "final_logit_softcapping", None)
        configured = getattr(getattr(base, "generation_config", None), "eos_token_id", None)
        configured = configured if isinstance(configured, list) else [configured]
        self.eos = {tokenizer.eos_token_id, *[e for e in configured if e is not None]}
        self.bos = tokenizer.bos_token_id
        # transformers 5.x renamed past_key_values to cache; speak whichever this version knows.
        import inspect

        params = inspect.signature(self.decoder.forward).parameters
        self._cache_arg = "cache" if "cache" in params else "past_key_values"
        self._concat: bool | None = None
        self._piece_text: dict[int, str] = {}

    def _step(self, ids: list[list[int]], cache=None):
        kwargs = {self._cache_arg: cache} if cache is not None else {}
        out = self.decoder(input_ids=torch.tensor(ids), use_cache=True, **kwargs)
        return getattr(out, self._cache_arg, None), out.last_hidden_state[:, -1]

    def _concatenative(self) -> bool:
        """Does decoding token by token give the same text as decoding the whole sequence?"""
        probe = self.tokenizer("  ansible.builtin.apt:\n    name: nginx\n    state: present\n",
                               add_special_tokens=False)["input_ids"]
        return self.tokenizer.decode(probe) == "".join(self.tokenizer.decode([i]) for i in probe)

    def extend_fn(self, pieces: list[int], text: str):
        """text-if-this-token-were-next, cheap when the tokenizer decodes token by token."""
        if self._concat is None:
            self._concat = self._concatenative()
        if not self._concat:
            return lambda full: self.tokenizer.decode(pieces + [full])
        cache = self._piece_text

        def extend(full: int) -> str:
            piece = cache.get(full)
            if piece is None:
                piece = cache[full] = self.tokenizer.decode([full])
            return text + piece

        return extend

    def encode(self, prompt: str) -> list[int]:
        ids = self.tokenizer(prompt, add_special_tokens=False)["input_ids"]
        return ([self.bos] if self.bos is not None else []) + ids

    def _logits(self, hidden: torch.Tensor) -> torch.Tensor:
        # In the weights' own dtype: converting the head every step cost more than the matmul.
        logits = (hidden.to(self.head.dtype) @ self.head.T).float()
        if self.softcap:
            logits = torch.tanh(logits / self.softcap) * self.softcap
        return logits

    def _to_full(self, index: int) -> int:
        return int(self.kept[index]) if self.kept is not None else index

    @torch.inference_mode()
    def generate(self, prompt: str, constraint: Constraint | None = None,
                 cancelled: Callable[[], bool] | None = None) -> Generation:
        started = time.perf_counter()
        ids = self.encode(prompt)
        past, hidden = self._step([ids])
        pieces: list[int] = []
        text, first, stopped = "", 0.0, "max_tokens"
        for _ in range(self.max_new_tokens):
            logits = self._logits(hidden)[0]
            if constraint is not None:
                index = constraint.choose(text, logits, self.extend_fn(pieces, text), self._to_full, self.eos)
            else:
                index = int(torch.argmax(logits))
            token = self._to_full(index)
            if not first:
                first = time.perf_counter() - started
            if token in self.eos:
                stopped = "eos"
                break
            pieces.append(token)
            text = self.tokenizer.decode(pieces)
            cut = end_of_task(text)
            if cut is not None:
                text, stopped = text[:cut], "end_of_task"
                break
            if cancelled is not None and cancelled():
                stopped = "cancelled"
                break
            past, hidden = self._step([[token]], past)
        return Generation(text=text, new_tokens=len(pieces), prompt_tokens=len(ids),
                          seconds=time.perf_counter() - started, first_token_seconds=first, stopped=stopped)
