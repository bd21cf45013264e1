"""Stage 4: the model's text -> a task's YAML text (name line + body) that parses.

The model writes the body under a `- name:` line we gave it. It may stop mid-line (token
limit) or add a stray line; we keep the longest prefix that parses as a one-task list.
"""
from __future__ import annotations


from codegen.ansible_files.yaml_load import UniqueKeyLoader, YamlError, load
from codegen.ansible_files.keywords import module_key



class ParseError(ValueError):
    pass


def _quote_name(name: str) -> str:
    """The name as a YAML scalar: plain when safe, double-quoted otherwise."""
    try:
        if load(f"k: {name}", UniqueKeyLoader) == {"k": name}:
            return name
    except YamlError:
        pass
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def load_tasks(text: str) -> list:
    try:
        data = load(text, UniqueKeyLoader)  # a repeated key in generated text is a defect
    except YamlError as exc:
        where = f" (line {exc.line})" if exc.line else ""
        raise ParseError(f"generated YAML does not parse{where}: {str(exc).removeprefix('not valid YAML: ')}") from exc
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
