"""Greedy decoding with a KV cache, logits over the kept vocabulary, and an exact stop at the end of a task.

The kept vocabulary is the fine-tune's head: the ~14k tokens its training text used. A request
or a workspace brings words training never spelled (a role named `nova`, a package `htop`), whose
tokens that head lacks: the model could only spell them from smaller pieces, and after `{{ ` it
would write `not` rather than `n` + `ova`. So each prompt's own tokens outside the kept rows join
the head for that decoding (their rows of the base model's tied output embedding, after the kept
ones): whatever the prompt shows, the answer can copy. Switch: CODEGEN_PROMPT_TOKENS ("0" off).

A hand-written loop (rather than `model.generate`) because three things need a seam here:
logits only for the kept vocabulary rows (the fine-tune's head), a constraint hook that masks
tokens during decoding, and stopping as soon as the task's YAML block ends.

One loop, `Generator.steps`, serves both `Generator.generate` (the pipeline) and the OpenAI
server (`codegen.serving.server.Engine.stream`). Two speed-ups sit inside it, neither of which
changes which token is chosen at a position (the choice is made by exactly the same call on
exactly the same text; only how the forward passes are batched changes):

* prompt-lookup decoding: the answer often copies spans of its prompt (the file's preceding
  tasks, retrieved examples, the task name). The last n-gram of prompt + output is looked up
  earlier in that sequence, and up to `draft_tokens` tokens that followed it (fewer after a
  shorter match) are verified in the same forward pass as the last chosen token; every draft token equal to the token the loop
  chooses there is kept, the cache is cut back after the first that is not;
* a prefix cache: the KV cache (and its token ids) of the previous decoding is kept, and the
  next prompt reuses its longest common token prefix (the same BOS + file context in the
  language server; the same template head in batch runs).

Both need a KV cache that can be cut back to any length. Gemma 3's sliding-window layers keep
only their last `sliding_window - 1` positions, so a cut would lose positions they need: they are
asked to record their whole past (`activate_past_recording`), which leaves the states attention
sees (and so the numerics) exactly as before, and `_truncate` cuts every layer by slicing. A
model whose cache has any other kind of layer decodes plainly (`Generator.rollback` is False).
The native Gemma 3 decoder (`codegen.model.gemma_native`, what LocalBackend runs the embedded
model on) brings its own cache (`new_cache`, cut back by `truncate`) and a prepacked output-head
matmul (`head_matmul`); both give exactly the bits of the transformers path.
Switches: `Generator(lookup=..., prefix_cache=...)`, else the environment variables
CODEGEN_LOOKUP / CODEGEN_PREFIX_CACHE ("1" turns on, "0" off), else ON for a float32 model (what
the local backend loads on a CPU without bf16 instructions: codegen.model.hardware) and OFF for
bf16. Off for bf16 because with bf16 weights the logits (computed in bf16) are quantised coarsely enough (0.125 near 20)
that exact ties between the top tokens are common, and a multi-token forward pass (or a prompt
run in two pieces) moves the hidden states by a few bf16 ulps, which breaks such ties the other
way: on real prompts prompt lookup changed the output of 4 of 8 schema-guided requests (each
time at a tie or near-tie), although it was several times faster. In float32 both are exact;
with the native decoder's float16-held weights (its default in float32) a multi-row pass may move a
logit by about 1e-5 relative, and on the measured sets no answer changed (docs/speed.md).
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch

from codegen.backends.base import Constraint, Generation, end_of_task

LOOKUP_ENV = "CODEGEN_LOOKUP"
PREFIX_CACHE_ENV = "CODEGEN_PREFIX_CACHE"
DRAFT_TOKENS = 8  # the most tokens proposed per verifying pass (after a 3-token match; see Lookup.draft)
# A longer prompt's prefill runs in pieces of this many tokens, with a cancellation check between
# them (a 30k-token prompt took minutes on a CPU, deaf to its client leaving). Prompts up to this
# length still run in one pass, so their outputs keep the same bits as before; the chunks depend on
# the prompt's length only, not on the caller, so `serve` and the local backend still agree.
PREFILL_CHUNK = 2048
PROMPT_TOKENS_ENV = "CODEGEN_PROMPT_TOKENS"
NGRAM = 3  # longest suffix looked up; shorter ones (down to one token) are tried when it is not found


def _switch(value: bool | None, env: str, default: bool = False) -> bool:
    if value is not None:
        return bool(value)
    raw = os.environ.get(env, "").strip().lower()
    if not raw:
        return default
    return raw not in ("0", "false", "no", "off")


class Lookup:
    """Prompt-lookup drafts: what followed the most recent earlier occurrence of the sequence's
    last n-gram (n = `ngram` down to 1)."""

    def __init__(self, ids: list[int], ngram: int = NGRAM):
        self.seq: list[int] = []
        self.ngram = max(1, ngram)
        self.index: dict[tuple[int, ...], int] = {}  # n-gram -> the position right after its latest occurrence
        for token in ids:
            self.append(token)

    def append(self, token: int) -> None:
        seq = self.seq
        end = len(seq)  # the n-grams ending just before `token` now have a continuation: `token`
        for n in range(1, min(self.ngram, end) + 1):
            self.index[tuple(seq[end - n:end])] = end
        seq.append(token)

    def draft(self, limit: int) -> list[int]:
        """Up to `limit` tokens, and up to 2**n after a match of n tokens: a verifying pass costs
        more per token drafted (on 2 cores, 18.5 ms for one token, 29 ms for seven), and a match of
        one token is right far less often than one of three. On the realistic bench this verified
        16% fewer tokens in 2% fewer passes than a flat 6 (the same answers)."""
        seq = self.seq
        if limit <= 0:
            return []
        for n in range(min(self.ngram, len(seq)), 0, -1):
            at = self.index.get(tuple(seq[len(seq) - n:]))
            if at is not None:
                return seq[at:at + min(limit, 2 ** n)]
        return []


@dataclass
class Decoding:
    """What one run of `Generator.steps` did; filled in while it runs."""
    prompt_tokens: int
    started: float = field(default_factory=time.perf_counter)
    pieces: list[int] = field(default_factory=list)
    text: str = ""
    stopped: str = "max_tokens"  # "eos" | "max_tokens"; the caller sets its own reasons when it stops early
    first_token_seconds: float = 0.0
    drafted: int = 0
    accepted: int = 0
    forwards: int = 0
    reused_prompt_tokens: int = 0


def _truncate(cache, length: int) -> None:
    """Cut every layer of a past-recording cache back to its first `length` positions."""
    if not hasattr(cache, "layers"):  # the native decoder's cache (codegen.model.gemma_native) cuts itself
        cache.truncate(length)
        return
    for layer in cache.layers:
        if not getattr(layer, "is_initialized", False) or layer.keys is None:
            continue
        layer.keys = layer.keys[..., :length, :]
        layer.values = layer.values[..., :length, :]
        if hasattr(layer, "cumulative_length"):
            layer.cumulative_length = length


class Generator:
    def __init__(self, model, tokenizer, kept: list[int] | None = None, max_new_tokens: int = 200,
                 lookup: bool | None = None, prefix_cache: bool | None = None,
                 draft_tokens: int = DRAFT_TOKENS, ngram: int = NGRAM):
        self.tokenizer = tokenizer
        self.max_new_tokens = max_new_tokens
        base = model.get_base_model() if hasattr(model, "get_base_model") else model
        self.decoder = base.get_decoder()
        weight = base.get_output_embeddings().weight.detach()
        self.kept = torch.tensor(kept) if kept else None
        self.head = weight[self.kept].contiguous() if kept else weight
        self._weight = weight  # every row, for the prompt's own tokens outside the kept ones
        packed = getattr(self.decoder, "head_matmul", None)  # the native decoder's (same bits, faster)
        head = self.head
        self._head_mm = packed(head) if packed is not None else lambda hidden: hidden @ head.T
        self._kept_set = set(kept) if kept else None
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
        self.draft_tokens, self.ngram = max(0, draft_tokens), ngram
        self.rollback = self._new_cache() is not None  # can this model's cache be cut back?
        exact = self.head.dtype == torch.float32  # both speed-ups give the plain tokens (see above)
        self.lookup = _switch(lookup, LOOKUP_ENV, exact) and self.rollback and self.draft_tokens > 0
        self.prefix_cache = _switch(prefix_cache, PREFIX_CACHE_ENV, exact) and self.rollback
        self.prompt_tokens = _switch(None, PROMPT_TOKENS_ENV, True) and self.kept is not None
        self._kept_lock = threading.Lock()
        self._kept_cache: tuple[object, list[int]] | None = None  # (cache, the ids it holds)
        self.totals = {"drafted": 0, "accepted": 0, "forwards": 0, "reused_prompt_tokens": 0}

    # -- the KV cache --------------------------------------------------------------------------
    def _new_cache(self):
        """A cache that `_truncate` can cut back to any length, or None when this model's cannot be."""
        native = getattr(self.decoder, "new_cache", None)  # codegen.model.gemma_native: always can
        if native is not None:
            return native()
        try:
            from transformers.cache_utils import (
                DynamicCache,
                DynamicLayer,
                DynamicSlidingWindowLayer,
            )
        except ImportError:
            return None
        config = getattr(self.decoder, "config", None)
        try:
            cache = DynamicCache(config=config) if config is not None else DynamicCache()
        except (TypeError, ValueError, KeyError, AttributeError):  # a layout it cannot make: decode plainly
            return None
        for layer in getattr(cache, "layers", None) or []:
            if type(layer) is DynamicLayer:
                continue
            if type(layer) is DynamicSlidingWindowLayer and hasattr(layer, "activate_past_recording"):
                layer.activate_past_recording()  # keep every position, so that a cut loses nothing
                continue
            return None
        return cache if hasattr(cache, "layers") else None

    def variant(self, lookup: bool | None = None, prefix_cache: bool | None = None) -> Generator:
        """The same model and tokenizer with other switches, and a prefix cache of its own."""
        import copy

        other = copy.copy(self)
        other.lookup = self.lookup if lookup is None else bool(lookup) and self.rollback and self.draft_tokens > 0
        other.prefix_cache = self.prefix_cache if prefix_cache is None else bool(prefix_cache) and self.rollback
        other._kept_lock, other._kept_cache = threading.Lock(), None
        other.totals = dict.fromkeys(self.totals, 0)
        return other

    def clear_prefix_cache(self) -> None:
        with self._kept_lock:
            self._kept_cache = None

    def _forward(self, ids: list[int], cache) -> tuple[object, torch.Tensor]:
        """Run `ids` after what `cache` holds; the new cache and the hidden states of every position."""
        kwargs = {self._cache_arg: cache} if cache is not None else {}
        out = self.decoder(input_ids=torch.tensor([ids]), use_cache=True, **kwargs)
        return getattr(out, self._cache_arg, None), out.last_hidden_state[0]

    def _step(self, ids: list[list[int]], cache=None):
        kwargs = {self._cache_arg: cache} if cache is not None else {}
        out = self.decoder(input_ids=torch.tensor(ids), use_cache=True, **kwargs)
        return getattr(out, self._cache_arg, None), out.last_hidden_state[:, -1]

    def _prefill(self, ids: list[int], run: Decoding, cancelled: Callable[[], bool] | None = None):
        """(cache, hidden state of the last prompt position, the ids the cache holds); None when
        `cancelled` said so between two chunks of a long prompt."""
        cache, start = None, 0
        if self.lookup or self.prefix_cache:
            kept = None
            if self.prefix_cache:
                with self._kept_lock:
                    kept, self._kept_cache = self._kept_cache, None
            if kept is not None:
                cache, held = kept
                # the longest common prefix, less at least the last prompt token (its hidden state is needed)
                limit = min(len(held), len(ids) - 1)
                while start < limit and held[start] == ids[start]:
                    start += 1
                if start:
                    _truncate(cache, start)
                else:
                    cache = None
            if cache is None:
                cache = self._new_cache()
        run.reused_prompt_tokens = start
        while True:
            end = len(ids) if len(ids) - start <= PREFILL_CHUNK else start + PREFILL_CHUNK
            cache, hidden = self._forward(ids[start:end], cache)
            run.forwards += 1
            if end == len(ids):
                return cache, hidden[-1:], list(ids)
            start = end
            if cancelled is not None and cancelled():
                return None

    # -- text ------------------------------------------------------------------------------------
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

    def _prompt_rows(self, ids: list[int]) -> tuple[list[int], torch.Tensor | None]:
        """The prompt's tokens outside the kept vocabulary (not special ones) and their output rows."""
        if not self.prompt_tokens:
            return [], None
        special = set(getattr(self.tokenizer, "all_special_ids", None) or []) | self.eos | {self.bos}
        extra = sorted(set(ids) - self._kept_set - special)
        return extra, (self._weight[torch.tensor(extra)].float() if extra else None)

    def _logits(self, hidden: torch.Tensor, extra_rows: torch.Tensor | None = None) -> torch.Tensor:
        # In the weights' own dtype: converting the head every step cost more than the matmul.
        logits = self._head_mm(hidden.to(self.head.dtype)).float()
        if extra_rows is not None:  # the prompt's own tokens, after the kept rows
            logits = torch.cat([logits, hidden.float() @ extra_rows.T], dim=-1)
        if self.softcap:
            logits = torch.tanh(logits / self.softcap) * self.softcap
        return logits

    def _to_full(self, index: int, extra: list[int] = ()) -> int:
        if self.kept is None:
            return index
        return int(self.kept[index]) if index < len(self.kept) else extra[index - len(self.kept)]

    # -- the decoding loop -------------------------------------------------------------------------
    def steps(self, ids: list[int], max_tokens: int, constraint: Constraint | None = None,
              run: Decoding | None = None, cancelled: Callable[[], bool] | None = None) -> Iterator[tuple[int, str]]:
        """The one greedy decoding loop: yields (token, decoded text so far) per new token.

        Stops by itself at EOS (not yielded; run.stopped = "eos") or after `max_tokens`; the
        caller stops it earlier by leaving the loop (end of task, stop strings, cancellation)
        and closing the iterator; `cancelled`, polled between the chunks of a long prompt's
        prefill, ends it before the first token (run.stopped = "cancelled"). Each token is the
        argmax of its logits, or the constraint's choice on the text before it: prompt-lookup
        drafts only change how positions are batched into forward passes, never which token is chosen.
        """
        run = run if run is not None else Decoding(prompt_tokens=len(ids))
        run.prompt_tokens = len(ids)
        # inference mode around the work only: a generator's `with` would stay entered across its yields
        with torch.inference_mode():
            prefilled = self._prefill(ids, run, cancelled)
        if prefilled is None:
            run.stopped = "cancelled"
            return
        cache, rows, held = prefilled
        extra, extra_rows = self._prompt_rows(ids)
        allowed = self._kept_set | set(extra) if self._kept_set is not None else None

        def to_full(index: int) -> int:
            return self._to_full(index, extra)

        lookup = Lookup(ids, self.ngram) if self.lookup else None
        pieces = run.pieces
        drafts: list[int] = []
        whole = True  # does `held` describe `cache` (not so if a forward pass failed half way)?
        try:
            if max_tokens <= 0:
                return
            while True:
                for r in range(rows.shape[0]):
                    with torch.inference_mode():
                        logits = self._logits(rows[r:r + 1], extra_rows)[0]
                        if constraint is not None:
                            index = constraint.choose(run.text, logits, self.extend_fn(pieces, run.text),
                                                      to_full, self.eos)
                        else:
                            index = int(torch.argmax(logits))
                    token = to_full(index)
                    if not run.first_token_seconds:
                        run.first_token_seconds = time.perf_counter() - run.started
                    if token in self.eos:
                        run.stopped = "eos"
                        return
                    pieces.append(token)
                    run.text = self.tokenizer.decode(pieces)
                    if lookup is not None:
                        lookup.append(token)
                    yield token, run.text
                    if len(pieces) >= max_tokens:
                        return
                    if r >= len(drafts) or token != drafts[r]:
                        break
                    run.accepted += 1
                drafts_left = len(drafts) - r  # the cache holds [previous token] + drafts: drop those not kept
                drafts = self._draft(lookup, max_tokens - len(pieces) - 1, allowed)
                run.drafted += len(drafts)
                whole = False
                with torch.inference_mode():
                    if drafts_left > 0:
                        held = held[:len(held) - drafts_left]
                        _truncate(cache, len(held))
                    cache, rows = self._forward([token] + drafts, cache)
                held = held + [token] + drafts
                whole = True
                run.forwards += 1
        finally:
            for key in self.totals:
                self.totals[key] += getattr(run, key)
            if self.prefix_cache and whole and cache is not None:
                with self._kept_lock:
                    self._kept_cache = (cache, held)

    def _draft(self, lookup: Lookup | None, limit: int, allowed: set[int] | None = None) -> list[int]:
        if lookup is None:
            return []
        drafts = lookup.draft(min(limit, self.draft_tokens))
        if allowed is not None:  # a token outside the head (kept and prompt tokens) can never be chosen
            for i, token in enumerate(drafts):
                if token not in allowed:
                    return drafts[:i]
        return drafts

    def generate(self, prompt: str, constraint: Constraint | None = None,
                 cancelled: Callable[[], bool] | None = None,
                 on_text: Callable[[str], None] | None = None) -> Generation:
        started = time.perf_counter()
        ids = self.encode(prompt)
        run = Decoding(prompt_tokens=len(ids), started=started)
        steps = self.steps(ids, self.max_new_tokens, constraint, run, cancelled)
        try:
            for _, text in steps:
                if on_text is not None:
                    on_text(text)
                cut = end_of_task(text)
                if cut is not None:
                    run.text, run.stopped = text[:cut], "end_of_task"
                    break
                if cancelled is not None and cancelled():
                    run.stopped = "cancelled"
                    break
        finally:
            steps.close()
        return Generation(text=run.text, new_tokens=len(run.pieces), prompt_tokens=len(ids),
                          seconds=time.perf_counter() - run.started, first_token_seconds=run.first_token_seconds,
                          stopped=run.stopped, drafted=run.drafted, accepted=run.accepted,
                          reused_prompt_tokens=run.reused_prompt_tokens)
