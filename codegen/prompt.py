"""Stage 2 of the pipeline: a request (plus optional file context) -> the text the model continues.

Training and inference render the same template, so what the model learned is what it sees.
"""
from __future__ import annotations

import re
from functools import lru_cache

import jinja2

from codegen.paths import prompts_dir

CONTEXT_CHARS = 900  # the tail of the file we show; longer context costs prompt time on a CPU


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(prompts_dir())), keep_trailing_newline=True,
                              autoescape=False, undefined=jinja2.StrictUndefined)


# "a & b": one task per part. Only an ampersand that stands apart (a space on one side at least) and is
# not part of a shell "&&" separates requests: "Galera up&running", "R&D" and "make && make install"
# are each one request (a real role's "up&running" had become a second task named "Running").
_SPLIT = re.compile(r"(?<!&)(?:(?<=\s)&|&(?=\s))(?!&)")


def split_requests(prompt: str) -> list[str]:
    """The requests of one prompt, one task each."""
    return [part.strip() for part in _SPLIT.split(prompt) if part.strip()]


def task_name(request: str) -> str:
    """The request as a task name: one line, capitalised (ansible-lint's name[casing])."""
    text = " ".join(request.split())
    return text[:1].upper() + text[1:] if text else text


def trim_context(context: str | None, limit: int = CONTEXT_CHARS) -> str:
    """Keep the end of the context, cut at a line boundary, ending in a newline."""
    if not context or not context.strip():
        return ""
    text = context.rstrip() + "\n"
    if len(text) > limit:
        text = text[-limit:]
        text = text[text.index("\n") + 1:] if "\n" in text else ""
    return text


def render_task_prompt(request: str, context: str | None = None, examples: list[str] | None = None,
                       summary: str = "", workspace: str = "") -> str:
    """workspace: comment lines naming what the workspace around the file defines
    (grounding/workspace_context.py), shown just above the file's own text."""
    return environment().get_template("task.j2").render(
        name=task_name(request), context=trim_context(context), examples=examples or [], summary=summary,
        workspace=workspace)


def render_outline_prompt(request: str) -> str:
    return environment().get_template("outline.j2").render(request=" ".join(request.split()))


def render_prompt(row: dict, examples: list[str] | None = None, context: str | None = None) -> str:
    """The training prompt of a dataset row: an outline request or a task request."""
    if row.get("task") == "outline":
        return render_outline_prompt(row["request"])
    return render_task_prompt(row["request"], row.get("context") if context is None else context, examples,
                              workspace=row.get("workspace", ""))
