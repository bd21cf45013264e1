"""Walk task lists: cut a YAML task list into tasks keeping each task's original text (quoting,
comments, order), or flatten loaded tasks through their blocks.

PyYAML's composer gives every node its line span; we slice the source lines rather than
re-dumping, because re-dumping loses quoting and turns `mode: 0644` into 420.
"""
from __future__ import annotations

from dataclasses import dataclass

import yaml

from codegen.ansible_files.plays import BLOCK_KEYS, is_play
from codegen.ansible_files.yaml_load import SafeLoader

_LOADER = SafeLoader  # bounded: the file may be hostile


@dataclass
class RawTask:
    data: dict          # the parsed task
    text: str           # "- name: ...\n  module: ...", re-based to column 0
    line: int           # 1-based line in the source file
    preceding: list[str]  # texts of the earlier tasks of the same list (for context)


def _construct(node):
    loader = _LOADER("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _slice(lines: list[str], node) -> str | None:
    start, end = node.start_mark.line, node.end_mark.line
    # The end mark sits where the next token starts; that line belongs to this node only when
    # the node's own text runs up to it (e.g. the last line of a file without a newline).
    if end < len(lines) and lines[end][:node.end_mark.column].strip():
        end += 1
    col = node.start_mark.column
    chunk = lines[start:end]
    while chunk and (not chunk[-1].strip() or chunk[-1].lstrip().startswith("#")):
        chunk.pop()
    if not chunk or col < 2 or chunk[0][col - 2:col] != "- ":
        return None
    out = ["- " + chunk[0][col:]]
    for line in chunk[1:]:
        if line.strip() and line[:col].strip():
            return None  # outdented content: not a clean slice
        out.append(("  " + line[col:]) if line.strip() else "")
    return "\n".join(out).rstrip() + "\n"


def iter_tasks(text: str, _lines: list[str] | None = None, _node=None):
    """Yield RawTask for each task (blocks are descended into) of a YAML task list."""
    if _node is None:
        try:
            root = yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError:
            return
        lines = text.splitlines()
    else:
        root, lines = _node, _lines
    if isinstance(root, yaml.SequenceNode):
        yield from raw_tasks(text, lines, root.value)


def file_tasks(text: str, sections: tuple[str, ...] = ("pre_tasks", "tasks", "post_tasks")):
    """Yield RawTask for each task of a task file, or of a playbook's plays (their `sections`),
    blocks descended into."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return
    if not isinstance(root, yaml.SequenceNode):
        return
    lines = text.splitlines()
    keys = [{k.value: v for k, v in item.value if isinstance(k, yaml.ScalarNode)}
            if isinstance(item, yaml.MappingNode) else {} for item in root.value]
    if not any(is_play(k) for k in keys):
        yield from raw_tasks(text, lines, root.value)
        return
    for play in keys:
        for section in sections:
            if isinstance(play.get(section), yaml.SequenceNode):
                yield from iter_tasks(text, lines, play[section])


def raw_tasks(text: str, lines: list[str], items: list):
    """Yield RawTask for each task of these list items (nodes), descending into blocks."""
    earlier: list[str] = []
    for item in items:
        if not isinstance(item, yaml.MappingNode):
            continue
        children = {k.value: v for k, v in item.value if isinstance(k, yaml.ScalarNode)}
        if any(k in children for k in BLOCK_KEYS):
            for key in BLOCK_KEYS:
                if key in children:
                    yield from iter_tasks(text, lines, children[key])
            continue
        try:
            data = _construct(item)
        except yaml.YAMLError:
            continue
        sliced = _slice(lines, item)
        if sliced is None or not isinstance(data, dict):
            continue
        yield RawTask(data=data, text=sliced, line=item.start_mark.line + 1, preceding=list(earlier))
        earlier.append(sliced)


def flatten_tasks(tasks: list) -> list[dict]:
    """Every task of loaded data, blocks flattened (the block itself included)."""
    out = []
    for task in tasks or []:
        if not isinstance(task, dict):
            continue
        out.append(task)
        for key in BLOCK_KEYS:
            if isinstance(task.get(key), list):
                out.extend(flatten_tasks(task[key]))
    return out


def map_tasks(tasks: list, edit) -> list:
    """The loaded tasks, each task (blocks descended into) a copy passed through edit(task) -> task;
    what is not a task is kept as it is."""
    out = []
    for task in tasks:
        if isinstance(task, dict):
            task = edit(dict(task))
            for key in BLOCK_KEYS:
                if isinstance(task.get(key), list):
                    task[key] = map_tasks(task[key], edit)
        out.append(task)
    return out
