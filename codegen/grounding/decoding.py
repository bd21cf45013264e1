"""Schema-guided decoding: the model's best token that keeps the task valid.

Candidates are tried in logit order (the top few cover nearly every step); each is checked by
the schema state machine on the text it would produce. If none can be (a dead end), decoding ends. Ending the task (EOS, or a line at
column 0) is allowed only when the task is complete: a module was written and its required
options are set.
"""
from __future__ import annotations

import re

import torch

from codegen.catalog.store import words
from codegen.grounding.grammar_resume import first_repeat
from codegen.grounding.schema import SchemaChecker
from codegen.grounding.slots import CHOICE_PARTICLES, STOP
from codegen.backends.base import Constraint, end_of_task

# the request's grammar, never a value of its own ("build_id: during"); not "down" or "no", which may be
FUNCTION_WORDS = STOP - CHOICE_PARTICLES

# How far down the model's ranking a step may look for a valid token: the whole of a kept vocabulary
# (~14k rows), but not a 262k-row full one, where it made an untuned base model crawl.
DEEP_SCAN = 16384
TOP_FIRST = 64  # ranks tried before the whole vocabulary is sorted


class SchemaConstraint(Constraint):
    def __init__(self, checker: SchemaChecker):
        self.checker = checker
        self.interventions = 0  # steps where the model's first choice was refused
        self.dead_end = False  # no token could continue the task validly: decoding was ended there
        self.repeat_at: int | None = None  # where a repeated line starts, when decoding was ended at it
        self._whole_lines = 0  # whole lines of the text already looked at for a repeat

    def _ok(self, text: str, candidate: str | None) -> bool:
        if candidate is None:  # end of sequence
            return self.checker.viable(text, final=True)
        cut = end_of_task(candidate)
        if cut is not None:
            return self.checker.viable(candidate[:cut], final=True)
        return self.checker.viable(candidate)

    def choose(self, text, logits, extend, to_full, eos) -> int:
        if self._ends_at_repeat(text):
            # A model that loops writes the same list item until its token budget runs out (seen:
            # one loop path five times, then cut at 200 tokens): end at the first repeat instead;
            # the caller drops the repeated line (repeat_at).
            return _best_end(torch.argsort(logits, descending=True).tolist(), to_full, eos)
        # the top few cover nearly every step (sorting all ~14k logits took two fifths of the constraint's
        # time); rarely, the rest of the (kept) vocabulary is scanned in order: a module or option
        # name the training text never spelled may need single-byte tokens
        top = torch.topk(logits, min(TOP_FIRST, logits.numel())).indices.tolist()
        for rank, index in enumerate(top):
            full = to_full(index)
            if self._ok(text, None if full in eos else extend(full)):
                self.interventions += rank > 0
                return index
        order = torch.argsort(logits, descending=True).tolist()
        for index in order[len(top):DEEP_SCAN]:
            full = to_full(index)
            if self._ok(text, None if full in eos else extend(full)):
                self.interventions += 1
                return index
        # A dead end: no token keeps the task valid (a line at the width limit that may not end
        # yet). End here rather than write on unchecked; the caller keeps the valid lines before.
        self.dead_end = True
        return _best_end(order, to_full, eos)

    def _ends_at_repeat(self, text: str) -> bool:
        """Does the last whole line repeat the one before it (a list item) or a key, with the task
        before that line complete? Then decoding ends there (repeat_at)."""
        lines = text.count("\n")  # a token may end a line and begin the next one's indent
        if lines == self._whole_lines:
            return False
        self._whole_lines = lines
        at = first_repeat(text)
        if at is None or not self._ok(text[:at], None):
            return False
        self.repeat_at = at
        return True


def _best_end(order: list[int], to_full, eos) -> int:
    """The best-ranked end-of-sequence token of `order` (else its best token)."""
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

    def allows(self, body: str, final: bool = False) -> bool:
        """May this task body (so far) still be a call of the chosen module? final: it ends here."""
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
        final = candidate is None or cut is not None
        if not self.allows(whole[:cut] if cut is not None else whole, final):
            return False  # cheap, so the model's many other module names are refused before the schema check
        if final and not whole.startswith(self.head):
            return False  # ending before the module line was written
        return super()._ok(text, candidate)


_WORD_CHAR = re.compile(r"[\w./:@-]")


class GroundedValues:
    """Where a private module's option values may come from. The adapter never saw the module, so
    given its option names it fills them with values from its training (`app: testing`) or from the
    shown examples (`instance: backup01`) as readily as from the request. A plain value of a plain
    option (a string, path or number with no choices) must be a run of whole words of the request;
    a required option may also take a value its EXAMPLES give it (the team's usual one, when the
    request does not say). Templates (`{{ var }}`) are the schema checker's, as for any module."""

    def __init__(self, doc, request: str, example_values: dict[str, set[str]] | None = None,
                 slots: dict | None = None):
        self.doc, self.request = doc, request
        self.lower = request.lower()
        self.example_values = example_values or {}
        self.slots = slots or {}  # option -> what the request says it is (grounding/slots.py)
        self.conditional = doc.conditionally_required()  # once, not per candidate token
        # a value made only of the module's or its options' names says nothing ("name: service account")
        self.name_words = set(words(doc.name)).union(*(words(n) for n in doc.option_names()))

    def _slot_allows(self, value, slot, complete: bool) -> bool:
        if isinstance(slot, list):
            return True  # a list's items are on later lines: fill() sets them
        want = str(slot) if not isinstance(slot, bool) else None
        got = value.strip().strip("'\"") if complete else value.lstrip("'\"")
        if want is None:  # a boolean: YAML's spellings of it
            spellings = ("true", "yes", "on") if slot else ("false", "no", "off")
            got = got.lower()
            return got in spellings if complete else any(s.startswith(got.rstrip("'\"")) for s in spellings)
        if not complete and got[-1:] in ("'", '"'):
            return got[:-1] == want  # the closing quote: the value is whole
        return got == want if complete else want.startswith(got)

    def _plain_spec(self, key: str) -> dict | None:
        name = self.doc.canonical_option(key)
        spec = self.doc.options.get(name) if name else None
        if not spec or spec.get("choices") or spec.get("type", "str") not in ("str", "path", "int", "float"):
            return None
        return spec

    def _in_request(self, value: str, complete: bool) -> bool:
        value = value.lower()
        start = self.lower.find(value)
        while start >= 0:
            end = start + len(value)
            before_ok = start == 0 or not _WORD_CHAR.match(self.lower[start - 1])
            after_ok = not complete or end == len(self.lower) or not _WORD_CHAR.match(self.lower[end]) \
                or (self.lower[end] in ".:" and (end + 1 == len(self.lower) or self.lower[end + 1] == " "))
            if before_ok and after_ok:
                return True
            start = self.lower.find(value, start + 1)
        return False

    def allows(self, key: str, raw: str, complete: bool) -> bool:
        """May option `key` (at the module's top level) take the value written so far?"""
        value = raw.strip()
        name = self.doc.canonical_option(key)
        if name in self.slots and value:
            return self._slot_allows(raw if not complete else value, self.slots[name], complete)
        spec = self._plain_spec(key)
        if spec is None or not value:
            return True
        quote = value[0] if value[0] in "'\"" else ""
        if quote:
            value = value[1:]
            if complete or value.endswith(quote):
                value = value[:-1] if value.endswith(quote) else value
        if value.startswith("{{") or "{{".startswith(value):
            return True  # a template (or its start): the schema checker judges its variables
        # (text around a template, "test {{ x }}", is text: it must come from the request)
        if complete and spec.get("type") == "path" and "/" not in value:
            return False  # a path option takes a path, not one of the request's other words
        if complete and (not words(value) or set(words(value)) <= self.name_words | set(words(key))
                         or value.lower() in FUNCTION_WORDS):
            return False  # "service: service", "name: the", "build_id: during": a name or a stop word says nothing
        if self._in_request(value, complete):
            return True
        name = self.doc.canonical_option(key)
        if self.doc.options[name].get("required") or name in self.conditional:
            given = self.example_values.get(name, set())
            return value in given if complete else any(v.startswith(value) for v in given)
        return False


class GroundedModuleLock(ModuleLock):
    """ModuleLock, and the module's plain option values taken from the request (GroundedValues)."""

    def __init__(self, checker: SchemaChecker, module: str, values: GroundedValues):
        super().__init__(checker, module)
        self.values = values

    def allows(self, body: str, final: bool = False) -> bool:
        if not super().allows(body, final):
            return False
        lines = body.split("\n")
        for number, line in enumerate(lines[1:], 1):
            if not line.startswith("    ") or line.startswith("     ") or ":" not in line:
                continue
            key, _, rest = line[4:].partition(":")
            complete = final or number < len(lines) - 1
            if rest.startswith(" ") and not self.values.allows(key, rest[1:], complete):
                return False
        return True
