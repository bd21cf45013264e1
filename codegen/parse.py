"""Stage 4: the model's text -> a task's YAML text (name line + body) that parses.

The model writes the body under a `- name:` line we gave it. It may stop mid-line (token
limit) or add a stray line; we keep the longest prefix that parses as a one-task list.
"""
from __future__ import annotations

import yaml

from codegen.task_keys import module_key

class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """PyYAML keeps the last of two equal keys; Ansible and ruamel reject the mapping."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_LOADER = _UniqueKeyLoader


class ParseError(ValueError):
    pass


def _quote_name(name: str) -> str:
    """The name as a YAML scalar: plain when safe, double-quoted otherwise."""
    try:
        if yaml.load(f"k: {name}", Loader=_LOADER) == {"k": name}:
            return name
    except yaml.YAMLError:
        pass
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def load_tasks(text: str) -> list:
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise ParseError(f"generated YAML does not parse{where}: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
        raise ParseError("generated YAML is not a list of tasks")
    return data


def task_text(name: str, body: str) -> str:
    """Join the name line and the generated body; trim trailing lines until it parses as one task."""
    lines = [ln.rstrip() for ln in body.rstrip().split("\n")]
    head = f"- name: {_quote_name(name)}"
    while lines:
        candidate = "\n".join([head, *lines]).rstrip() + "\n"
        try:
            tasks = load_tasks(candidate)
            if len(tasks) == 1 and module_key(tasks[0]):
                return candidate
        except ParseError:
            pass
        lines.pop()
    raise ParseError("the model wrote no module call for this task")
