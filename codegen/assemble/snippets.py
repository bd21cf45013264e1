"""Task snippets as YAML text: reading them (tasks, module calls, notify names), and writing
values and variables the way the playbook layout wants them."""
from __future__ import annotations

import json
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
