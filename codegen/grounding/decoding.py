"""Schema-guided decoding: the model's best token that keeps the task valid.

Candidates are tried in logit order (the top few cover nearly every step); each is checked by
the schema state machine on the text it would produce. If none can be (a dead end), decoding ends. Ending the task (EOS, or a line at
column 0) is allowed only when the task is complete: a module was written and its required
options are set.
"""
from __future__ import annotations

import torch

from codegen.grounding.schema import SchemaChecker
from codegen.model.generate import Constraint, end_of_task

# How far down the model's ranking a step may look for a valid token: the whole of a kept vocabulary
# (~14k rows), but not a 262k-row full one, where it made an untuned base model crawl.
DEEP_SCAN = 16384


class SchemaConstraint(Constraint):
    def __init__(self, checker: SchemaChecker):
        self.checker = checker
        self.interventions = 0  # steps where the model's first choice was refused
        self.dead_end = False  # no token could continue the task validly: decoding was ended there

    def _ok(self, text: str, candidate: str | None) -> bool:
        if candidate is None:  # end of sequence
            return self.checker.viable(text, final=True)
        cut = end_of_task(candidate)
        if cut is not None:
            return self.checker.viable(candidate[:cut], final=True)
        return self.checker.viable(candidate)

    def choose(self, text, logits, extend, to_full, eos) -> int:
        order = torch.argsort(logits, descending=True).tolist()
        # the top few cover nearly every step; rarely, the rest of the (kept) vocabulary is scanned
        # in order: a module or option name the training text never spelled may need single-byte tokens
        for rank, index in enumerate(order[:DEEP_SCAN]):
            full = to_full(index)
            if self._ok(text, None if full in eos else extend(full)):
                self.interventions += rank > 0
                return index
        # A dead end: no token keeps the task valid (a line at the width limit that may not end
        # yet). End here rather than write on unchecked; the caller keeps the valid lines before.
        self.dead_end = True
        return next((i for i in order if to_full(i) in eos), order[0])


class ModuleLock(SchemaConstraint):
    """The schema constraint, with one module chosen beforehand (a private module picked from its
    documentation, codegen.grounding.candidates): the body's first line must be that module's
    line, and no other module may follow. Everything else (options, choices, required options,
    keywords) is the schema checker's, unchanged."""

    def __init__(self, checker: SchemaChecker, module: str):
        super().__init__(checker)
        self.module = module
        self.head = f"  {module}:"

    def allows(self, body: str) -> bool:
        """May this task body (so far) still be a call of the chosen module?"""
        first, newline, rest = body.partition("\n")
        if not newline:  # the module line is still being written
            return self.head.startswith(first) or first == self.head or first.startswith(self.head + " ")
        if first != self.head and not first.startswith(self.head + " "):
            return False
        for line in rest.split("\n")[:-1]:  # complete lines: no second module at the task's level
            if line.startswith("  ") and not line.startswith("   "):
                key = line[2:].split(":", 1)[0]
                if key != self.module and key in self.checker.modules.exact:
                    return False
        return True

    def _ok(self, text: str, candidate: str | None) -> bool:
        whole = text if candidate is None else candidate
        cut = end_of_task(whole)
        if not self.allows(whole[:cut] if cut is not None else whole):
            return False  # cheap, so the model's many other module names are refused before the schema check
        if (candidate is None or cut is not None) and not whole.startswith(self.head):
            return False  # ending before the module line was written
        return super()._ok(text, candidate)
