"""Task snippets as YAML text: reading them (tasks, module calls, notify names), and writing
values and variables the way the playbook layout wants them."""
from __future__ import annotations

import json
import re
import textwrap
from typing import Callable

import yaml

from codegen.ansible_files.keywords import TASK_OR_BLOCK_KEYWORDS

# Keys of a task that are not the module call: the task keywords, plus blocks.
_KEYWORDS = TASK_OR_BLOCK_KEYWORDS


def scalar(value) -> str:
    """A value as a one-line YAML scalar: plain when YAML reads it back unchanged, else quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if text and "\n" not in text and text == text.strip() and not text.startswith(("{", "[", "*", "&", "!", "%",
                                                                                       "@", "`", "'", '"', "#",
                                                                                       "|", ">", "?", "-", ",")):
        try:
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


class IndentedDumper(yaml.SafeDumper):
    """Dumps sequences indented under their key (`key:\\n  - item`), as normalised tasks are."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def dump(data) -> str:
    """Plain data (parsed tasks, variables) as block YAML, keys in their order, lines never folded."""
    return yaml.dump(data, Dumper=IndentedDumper, default_flow_style=False, sort_keys=False, allow_unicode=True,
                     width=4096)


def dump_vars(variables: dict) -> str:
    return dump(variables).rstrip("\n")


def normalise_snippet(text: str) -> str:
    """Snippet text at column 0, no document markers, no trailing spaces or blank lines."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    lines = [line for line in lines if line not in ("---", "...")]
    body = textwrap.dedent("\n".join(lines)).strip("\n")
    if not body.strip():
        return ""
    data = yaml.safe_load(body)
    if isinstance(data, dict):  # a single task written as a mapping: make it a one-item list
        out = []
        for i, line in enumerate(body.split("\n")):
            out.append(("- " if i == 0 else "  ") + line if line else line)
        body = "\n".join(out)
    return body


def parse_tasks(text: str) -> list[dict]:
    data = yaml.safe_load(text) if text.strip() else []
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
        raise ValueError("a task snippet must be a YAML list of task mappings")
    return data


def checked_edit(edit: Callable[[], str], expected: list) -> str | None:
    """The text a line-level edit gives when it parses to what the edit should mean (layout,
    quotes and comments kept); None for a layout the edit cannot handle (then re-dump instead)."""
    try:
        edited = edit()
        return edited if parse_tasks(edited) == expected else None
    except (ValueError, yaml.YAMLError):
        return None


def module_of(task: dict) -> tuple[str | None, object]:
    """(module name as written, its arguments) of a task; (None, None) for blocks and odd tasks."""
    keys = [k for k in task if isinstance(k, str) and k not in _KEYWORDS and not k.startswith("with_")]
    if len(keys) == 1:
        return keys[0], task[keys[0]]
    if "action" in task or "local_action" in task:
        value = task.get("action", task.get("local_action"))
        if isinstance(value, dict) and "module" in value:
            return str(value["module"]), {k: v for k, v in value.items() if k != "module"}
        if isinstance(value, str) and value.split():
            return value.split()[0], " ".join(value.split()[1:])
    return None, None


def short_name(module: str) -> str:
    return module.rsplit(".", 1)[-1]


def notify_names(task: dict) -> list[str]:
    value = task.get("notify")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int, float))]
    return []


def args_dict(args) -> dict:
    """A module's arguments as a mapping (free-form `key=value` text read too)."""
    if isinstance(args, dict):
        return args
    if isinstance(args, str):  # free-form `key=value` arguments
        out = {}
        for part in args.split():
            if "=" in part:
                key, _, value = part.partition("=")
                out[key] = value.strip("'\"")
        return out
    return {}


# Removing keys from a snippet (the keys nobody asked for, grounding/unasked.py), layout kept.
_TASK_KEY = re.compile(r"^(?:- |  )(?P<key>[A-Za-z_][A-Za-z0-9_]*):")


_OPTION_KEY = re.compile(r"^    (?P<key>[A-Za-z_][A-Za-z0-9_]*):")


def _strip_keys_text(text: str, drop: list[set[str]]) -> str:
    """Remove keys of top-level tasks (normalised layout: tasks at column 0, keys at 2, module
    options at 4); "MODULE.OPTION" in a set names an option of the task's module."""
    out: list[str] = []
    index, skipping, skipping_option, current = -1, False, False, ""
    for line in text.split("\n"):
        if not line:  # blank lines (and the text's final newline) are never part of a dropped key
            out.append(line)
            continue
        if line.startswith("- "):
            index += 1
        match = _TASK_KEY.match(line)
        option = _OPTION_KEY.match(line)
        if match and index >= 0:
            current = match.group("key")
            skipping, skipping_option = current in drop[index], False
            if skipping and line.startswith("- "):
                raise ValueError("the first key of a task")
        elif option and index >= 0:
            skipping_option = f"{current}.{option.group('key')}" in drop[index]
        elif line and not line.startswith("   ") and not line.startswith("  -"):
            skipping = False
        elif line and not line.startswith("     ") and not line.startswith("    -"):
            skipping_option = False
        if not (skipping or skipping_option):
            out.append(line)
    return "\n".join(out)


def strip_keys(text: str, drop: list[set[str]]) -> str:
    """The snippet without the given keys (one set per top-level task), layout kept."""
    if not any(drop):
        return text
    expected = [_without(task, keys) for task, keys in zip(parse_tasks(text), drop)]
    edited = checked_edit(lambda: _strip_keys_text(text, drop), expected)
    return edited if edited is not None else dump(expected)


def _without(task: dict, keys: set[str]) -> dict:
    out = {k: v for k, v in task.items() if k not in keys}
    for key, value in out.items():
        if isinstance(value, dict):
            out[key] = {k: v for k, v in value.items() if f"{key}.{k}" not in keys}
    return out
