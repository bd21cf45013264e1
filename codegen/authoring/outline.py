"""Outlines: a request -> numbered plain-English steps (the model's work) -> an editable file -> steps.

The model was trained on real roles' task names under their role's purpose (see
codegen/dataset/outlines.py), so it writes steps in the order real roles run them: packages,
configuration, services. A request that already lists its steps ("a & b & c") is its own outline.
"""
from __future__ import annotations

import re

from codegen.pipeline import split_requests
from codegen.prompt import render_outline_prompt

MAX_STEPS = 12
OUTLINE_KEY = "outline"  # the request of an outline, to the scripted test backend
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


def generate_outline(backend, request: str) -> list[str]:
    """The steps for a request; '&' in the request means the user gave them already."""
    given = split_requests(request)
    if len(given) > 1:
        return [s for s in (clean_step(g) for g in given) if s]
    answer = backend.complete(render_outline_prompt(request)).text
    steps = parse_steps(answer)[:MAX_STEPS]
    # A model that wrote nothing usable still leaves the user with their own request as one step.
    return steps or [s for s in (clean_step(request),) if s]


def format_outline(steps: list[str], request: str, hosts: str | None = None) -> str:
    """The outline file a person edits: a header, then one numbered step per line."""
    lines = [f"# Request: {' '.join(request.split())}"]
    if hosts:
        lines.append(f"# hosts: {hosts}")
    lines += ["# One step per line, in the order they should run. Edit, reorder, add or delete lines;",
              "# lines starting with # are ignored. Then: ansible-codegen playbook --from-outline FILE", ""]
    lines += [f"{i}. {step}" for i, step in enumerate(steps, 1)]
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


def review(steps: list[str], request: str, hosts: str | None = None, *, echo=None, choose=None, edit=None) -> list[str]:
    """At a terminal: show the outline, then generate from it, edit it in $EDITOR, or stop ([]).

    echo/choose/edit default to click's; tests pass their own."""
    import click

    echo, edit = echo or click.echo, edit or click.edit
    choose = choose or (lambda: click.prompt("Generate from this outline? [y]es, [e]dit, [n]o", default="y",
                                             type=click.Choice(["y", "e", "n"]), show_choices=False))
    while True:
        echo(format_outline(steps, request, hosts))
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
