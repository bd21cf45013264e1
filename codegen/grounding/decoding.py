"""Schema-guided decoding: the model's best token that keeps the task valid.

Candidates are tried in logit order (the top few cover nearly every step); each is checked by
the schema state machine on the text it would produce. Ending the task (EOS, or a line at
column 0) is allowed only when the task is complete: a module was written and its required
options are set.
"""
from __future__ import annotations

import torch

from codegen.grounding.schema import SchemaChecker
from codegen.model.generate import Constraint, end_of_task

TOP_K = 64
# The rare deep scan covers a kept vocabulary (~14k rows) whole, but not a 262k-row full one,
# where it made an untuned base model crawl.
DEEP_SCAN = 16384


class SchemaConstraint(Constraint):
    def __init__(self, checker: SchemaChecker, top_k: int = TOP_K):
        self.checker, self.top_k = checker, top_k
        self.interventions = 0  # steps where the model's first choice was refused

    def _ok(self, text: str, candidate: str | None) -> bool:
        if candidate is None:  # end of sequence
            return self.checker.viable(text, final=True)
        cut = end_of_task(candidate)
        if cut is not None:
            return self.checker.viable(candidate[:cut], final=True)
        return self.checker.viable(candidate)

    def choose(self, text, logits, extend, to_full, eos) -> int:
        order = torch.argsort(logits, descending=True)
        for rank, index in enumerate(order.tolist()):
            if rank == self.top_k:
                order = order[rank:]
                break
            full = to_full(index)
            if self._ok(text, None if full in eos else extend(full)):
                self.interventions += rank > 0
                return index
        else:
            return int(order[0])
        # rare: scan the rest of the (kept) vocabulary in order before giving up to the model's choice;
        # a module or option name the training text never spelled may need single-byte tokens
        for index in order[:DEEP_SCAN].tolist():
            full = to_full(index)
            if self._ok(text, None if full in eos else extend(full)):
                self.interventions += 1
                return index
        return int(torch.argmax(logits))
