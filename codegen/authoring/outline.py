"""Outlines: a request -> numbered plain-English steps (the model's work) -> an editable file -> steps.

The model was trained on real roles' task names under their role's purpose (see
codegen/dataset/outlines.py), so it writes steps in the order real roles run them: packages,
configuration, services. A request that already lists its steps ("a & b & c") is its own outline.
"""
from __future__ import annotations

import re

from codegen.prompt import render_outline_prompt, split_requests

MAX_STEPS = 12
_ITEM = re.compile(r"^\s*(?:-|\*|\d+[.)])\s+(?P<text>.+?)\s*$")
_HEADER = re.compile(r"^#\s*(?P<key>playbook|request|hosts)\s*:\s*(?P<value>.*?)\s*$", re.IGNORECASE)


def clean_step(text: str) -> str | None:
    text = " ".join(text.replace("{{", "").replace("}}", "").split()).strip(" .;")
    if len(text) < 3 or not re.search(r"[A-Za-z]", text):
        return None
    return text[:1].upper() + text[1:]


def parse_steps(text: str) -> list[str]:
    """Steps of a model answer or of an edited outline file: list items ('- x', '1. x', '* x');
    comments and other lines are ignored, repeats dropped."""
    steps: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        match = _ITEM.match(line)
        step = clean_step(match.group("text")) if match else None
        if step and step.casefold() not in {s.casefold() for s in steps}:
            steps.append(step)
    return steps


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def repeats(text: str) -> bool:
    """Greedy decoding of a small model loops ('Create user group group group'): a word said twice
    in a row, or a three-word run said twice in the outline, is a loop, not a step."""
    words = _words(text.replace("\n  - ", " | "))
    if any(a == b for a, b in zip(words, words[1:])):
        return True
    runs = [tuple(words[i:i + 3]) for i in range(len(words) - 2)]
    return len(runs) != len(set(runs))


def _stems(text: str) -> set[str]:
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in _words(text)}


def near_duplicate(step: str, earlier: list[str]) -> bool:
    """A step that only repeats an earlier one ('Configure SSH clients' after 'Configure SSH
    client'), or is one cut short ('Configure web' after 'Configure webservers')."""
    words = _stems(step)
    for other in earlier:
        theirs = _stems(other)
        if other.lower().startswith(step.lower()) or (words and len(words & theirs) / len(words | theirs) >= 0.75):
            return True
    return False


class OutlineConstraint:
    """The model's best next token that keeps the outline a list of steps without loops, and
    that ends it once ending is nearly as likely as another step: a small model asked for steps
    keeps inventing variants of the last one long after the real ones are listed."""

    TOP_K = 32
    END_MARGIN = 2.5  # logits; ending wins at a line start, after MIN_STEPS, when this close to the best
    MIN_STEPS = 3

    def __init__(self):
        self._ends: list[int] | None = None  # logits rows that end the text, found once

    def choose(self, text, logits, extend, to_full, eos) -> int:
        import torch

        order = torch.argsort(logits, descending=True)[: self.TOP_K].tolist()
        if text.endswith("\n") and text.count("\n") >= self.MIN_STEPS:
            if self._ends is None:
                self._ends = [i for i in range(len(logits)) if to_full(i) in eos]
            best_end = max(self._ends, key=lambda i: float(logits[i]), default=None)
            if best_end is not None and float(logits[best_end]) >= float(logits[order[0]]) - self.END_MARGIN:
                return best_end
        for index in order:
            full = to_full(index)
            if full in eos:
                if text.strip():
                    return index
                continue
            candidate = extend(full)
            if text.count("\n") >= MAX_STEPS and len(candidate) > len(text.rstrip(" ")):
                continue  # enough steps: only the end may come
            if candidate.startswith("  - "[: len(candidate)]) and not repeats(candidate):
                return index
        return order[0]


def generate_outline(backend, request: str) -> list[str]:
    """The steps for a request; '&' in the request means the user gave them already."""
    given = split_requests(request)
    if len(given) > 1:
        return [s for s in (clean_step(g) for g in given) if s]
    answer = backend.complete(render_outline_prompt(request), constraint=OutlineConstraint()).text
    steps: list[str] = []
    for step in parse_steps(answer):
        if not near_duplicate(step, steps):
            steps.append(step)
    steps = steps[:MAX_STEPS]
    # A model that wrote nothing usable still leaves the user with their own request as one step.
    return steps or [s for s in (clean_step(request),) if s]


def format_outline(steps: list[str], request: str, hosts: str | None = None, marks: list[str] | None = None) -> str:
    """The outline file a person edits: a header, then one numbered step per line; marks: comment
    lines after the steps (what each step is checked for), ignored when the file is read back."""
    lines = [f"# Request: {' '.join(request.split())}"]
    if hosts:
        lines.append(f"# hosts: {hosts}")
    lines += ["# One step per line, in the order they should run. Edit, reorder, add or delete lines;",
              "# lines starting with # are ignored. Then: ansible-codegen playbook --from-outline FILE", ""]
    lines += [f"{i}. {step}" for i, step in enumerate(steps, 1)]
    lines += [f"# {mark}" for mark in marks or []]
    return "\n".join(lines) + "\n"


def read_outline(text: str) -> tuple[list[str], dict[str, str]]:
    """(steps, header fields: request, hosts) of an outline file; raises ValueError when it has no step."""
    header: dict[str, str] = {}
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if match and match.group("value"):
            header[match.group("key").lower()] = match.group("value")
    steps = parse_steps(text)
    if not steps:
        raise ValueError("the outline has no steps: write one step per line, e.g. '1. Install nginx'")
    return steps, header


def review(steps: list[str], request: str, hosts: str | None = None, *, echo=None, choose=None, edit=None,
           marks=None) -> list[str]:
    """At a terminal: show the outline, then generate from it, edit it in $EDITOR, or stop ([]).

    echo/choose/edit default to click's; tests pass their own. marks: steps -> comment lines
    (codegen/authoring/steps.py mark_outline)."""
    import click

    echo, edit = echo or click.echo, edit or click.edit
    choose = choose or (lambda: click.prompt("Generate from this outline? [y]es, [e]dit, [n]o", default="y",
                                             type=click.Choice(["y", "e", "n"]), show_choices=False))
    while True:
        echo(format_outline(steps, request, hosts, marks(steps) if marks else None))
        answer = choose()
        if answer == "y":
            return steps
        if answer == "n":
            return []
        edited = edit(format_outline(steps, request, hosts), extension=".txt")
        if edited is None:  # the editor was closed without saving: keep the outline as it was
            continue
        try:
            steps, _ = read_outline(edited)
        except ValueError as exc:
            echo(f"error: {exc}")
