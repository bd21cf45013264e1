"""What every backend is: the protocol the pipeline talks to, and the types it passes. No torch.

A backend turns a prompt into the text of one task (`complete`), optionally steered token by
token by a `Constraint` (local backends only: it needs the model's scores) and stopped early by
`cancelled`. The local model, a remote OpenAI-compatible server and the scripted test backend
all return a `Generation`, so the pipeline, the language server and `serve` never ask which.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


class Constraint:
    """Chooses the next token under rules the model cannot be trusted to keep.

    `choose` gets the text so far, the logits (over the kept rows), `extend(full_id) -> text`
    (the decoded text if that token were appended), `to_full(index) -> full_id`, and the EOS
    ids; it returns the logits index to emit.
    """

    def choose(self, text: str, logits: Any, extend, to_full, eos: set[int]) -> int:
        raise NotImplementedError


@dataclass
class Generation:
    text: str
    new_tokens: int = 0
    prompt_tokens: int = 0
    seconds: float = 0.0
    first_token_seconds: float = 0.0
    stopped: str = "eos"  # "eos" | "end_of_task" | "max_tokens" | "cancelled"
    drafted: int = 0  # prompt-lookup tokens proposed
    accepted: int = 0  # ... and kept (each saved one single-token forward pass)
    reused_prompt_tokens: int = 0  # prompt tokens whose keys/values came from the prefix cache


class Backend(Protocol):
    """`on_text`, when given, is called with the text so far as it grows (after each token, or each
    chunk a remote engine streams): the language server shows a task's first line before the rest."""

    def complete(self, prompt: str, constraint: Constraint | None = None,
                 cancelled: Callable[[], bool] | None = None,
                 on_text: Callable[[str], None] | None = None) -> Generation: ...


def source_index_path(backend) -> Path | None:
    """The retrieval index a backend's model was trained with, when it has one (local backends)."""
    return getattr(backend, "source_index_path", lambda: None)()


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
