"""What the file a task goes into tells us: preceding tasks, handlers, variables, become."""
from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from codegen.ansible_files import plays
from codegen.ansible_files.plays import is_play
from codegen.ansible_files.yaml_load import SafeLoader
from codegen.ansible_files.walk import iter_tasks

_LOADER = SafeLoader  # bounded: the file may be hostile
PROMPT_TASKS = 3  # the same number of preceding tasks the model saw in training


@dataclass
class FileContext:
    tasks: list[str] = field(default_factory=list)      # preceding tasks, re-based to column 0
    handlers: list[str] = field(default_factory=list)   # names (and listen topics) a task may notify
    variables: dict = field(default_factory=dict)       # play vars / role defaults given in the file
    become: bool | None = None

    def prompt_text(self) -> str:
        return "".join(self.tasks[-PROMPT_TASKS:])


def handler_names(text: str) -> list[str]:
    """Names and `listen` topics of the tasks in a handlers list (what a task may notify)."""
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError:
        return []
    return [n for task in data if isinstance(task, dict) for n in plays.handler_names(task)] \
        if isinstance(data, list) else []


def parse_context(text: str | None) -> FileContext:
    """Never fails: malformed or non-Ansible YAML gives an empty context."""
    ctx = FileContext()
    if not text or not text.strip():
        return ctx
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError:
        # The head may be cut (a window of a long file, a line half-typed at the top): read from the
        # first top-level list item on, once.
        start = min((i for i in (text.find("\n- "), text.find("\n---")) if i >= 0), default=-1)
        if start < 0:
            return ctx
        text = text[start + 1:]
        try:
            data = yaml.load(text, Loader=_LOADER)
        except yaml.YAMLError:
            return ctx
    if isinstance(data, dict):  # a vars/defaults file
        ctx.variables = {k: v for k, v in data.items() if isinstance(k, str)}
        return ctx
    if not isinstance(data, list):
        return ctx
    plays = [p for p in data if isinstance(p, dict) and is_play(p)]
    if not plays:
        ctx.tasks = [t.text for t in iter_tasks(text)]
        return ctx
    root = yaml.compose(text, Loader=_LOADER)
    lines = text.splitlines()
    for play, node in zip(data, root.value):
        if not isinstance(play, dict):
            continue
        if isinstance(play.get("vars"), dict):
            ctx.variables.update({k: v for k, v in play["vars"].items() if isinstance(k, str)})
        if "become" in play:
            ctx.become = bool(play["become"])
        for key, section in node.value if isinstance(node, yaml.MappingNode) else []:
            name = getattr(key, "value", None)
            if name in ("pre_tasks", "tasks", "post_tasks"):
                ctx.tasks += [t.text for t in iter_tasks(text, lines, section)]
            elif name == "handlers":
                ctx.handlers += [n for t in iter_tasks(text, lines, section) for n in handler_names(t.text)]
    return ctx
