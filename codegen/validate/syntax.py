"""Check 1: the text is YAML and a list of task mappings.

Parsed with libyaml (CSafeLoader), which reads YAML 1.1 like ansible does, so `yes` and `0644` mean
here what they mean to ansible. Keeps each top-level task's line so later checks can point at it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from codegen.ansible_files.yaml_load import SafeLoader, describe_failure
from codegen.validate.problem import Problem, error

_LOADER = SafeLoader  # bounded: an alias bomb or a recursive alias is a YAML error, not a hang
CHECK = "syntax"


@dataclass
class Parsed:
    tasks: list  # the top-level items as loaded; non-mappings are kept so indexes stay right
    lines: list[int] = field(default_factory=list)  # 1-based first line of each item
    problems: list[Problem] = field(default_factory=list)

    def task_at_line(self, line: int | None) -> int | None:
        """Index of the top-level task that holds `line`."""
        if line is None:
            return None
        found = None
        for index, start in enumerate(self.lines):
            if start <= line:
                found = index
        return found


def parse(text: str) -> Parsed:
    """Parse the task list; on failure `tasks` is empty and `problems` says why."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        line, message = describe_failure(exc, text)
        return Parsed([], problems=[error(CHECK, message, line=line)])
    finally:
        loader.dispose()
    if data is None:
        return Parsed([], problems=[error(CHECK, "there are no tasks: the text is empty")])
    if isinstance(data, dict):
        return Parsed([], problems=[error(CHECK, "expected a list of tasks, got a single mapping: start each task with '- name:'", line=1)])
    if not isinstance(data, list):
        return Parsed([], problems=[error(CHECK, f"expected a list of tasks (each starting with '- name:'), got a {type(data).__name__}", line=1)])
    parsed = Parsed(data, [item.start_mark.line + 1 for item in node.value])
    for index, task in enumerate(data):
        if not isinstance(task, dict):
            parsed.problems.append(error(CHECK, f"a task must be a mapping (name:, a module, keywords), got a {type(task).__name__}: {str(task)[:60]!r}",
                                         task=index, line=parsed.lines[index]))
    for key, line in _duplicate_keys(node):
        parsed.problems.append(error(CHECK, f"key '{key}' appears twice in one mapping; the first value would be silently lost",
                                     task=parsed.task_at_line(line), line=line))
    if not data:
        parsed.problems.append(error(CHECK, "the task list is empty"))
    return parsed


def _duplicate_keys(node) -> list[tuple[str, int]]:
    """libyaml keeps the last of two equal keys without a word; ansible warns, yamllint fails."""
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        found.append((key.value, key.start_mark.line + 1))
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return sorted(found, key=lambda kv: kv[1])
