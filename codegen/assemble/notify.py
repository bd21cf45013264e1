"""Dropping notify names from a snippet's text, keeping every other line as it was written."""
from __future__ import annotations

import re

import yaml

from codegen.ansible_files import round_trip
from codegen.ansible_files.plays import BLOCK_KEYS
from codegen.ansible_files.round_trip import NO_FOLDING
from codegen.ansible_files.walk import flatten_tasks, map_tasks
from codegen.assemble.snippets import checked_edit, notify_names, parse_tasks, scalar


def _without(tasks: list, dropped: set[str]) -> list:
    """The parsed tasks as they should read once the dropped notify names are gone."""
    def edit(task: dict) -> dict:
        if "notify" in task:
            kept = [n for n in notify_names(task) if n not in dropped]
            if not kept:
                del task["notify"]
            elif isinstance(task["notify"], list):
                task["notify"] = kept
        return task

    return map_tasks(tasks, edit)


_NOTIFY_LINE = re.compile(r"^(?P<indent> *)(?P<dash>- )?notify:(?P<value>.*)$")


def _drop_notify_text(text: str, dropped: set[str]) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        match = _NOTIFY_LINE.match(line)
        if not match or match.group("dash"):
            out.append(line)
            i += 1
            continue
        indent = len(match.group("indent"))
        value = match.group("value").strip()
        if value and not value.startswith("#"):
            parsed = yaml.safe_load(value)
            items = parsed if isinstance(parsed, list) else [parsed]
            kept = [v for v in items if str(v) not in dropped]
            if len(kept) == len(items):
                out.append(line)
            elif kept:
                out.append(f"{' ' * indent}notify: [{', '.join(scalar(v) for v in kept)}]")
            i += 1
            continue
        # block sequence under notify:, indented or not
        j = i + 1
        items: list[tuple[str, bool]] = []
        while j < len(lines):
            nxt = lines[j]
            stripped = nxt.lstrip(" ")
            depth = len(nxt) - len(stripped)
            if not stripped:
                break
            if depth > indent or (depth == indent and stripped.startswith("- ")):
                if not stripped.startswith("- "):
                    raise ValueError("a multi-line notify item")
                item = yaml.safe_load(stripped[2:])
                items.append((nxt, str(item) in dropped))
                j += 1
            else:
                break
        kept_lines = [item_line for item_line, drop in items if not drop]
        if kept_lines:
            out.append(line)
            out.extend(kept_lines)
        i = j
    return "\n".join(out)


def drop_notify(text: str, dropped: set[str]) -> str:
    """Remove the dropped names from the notify lists in the snippet text, keeping all else."""
    if not dropped or not any(n in dropped for t in flatten_tasks(parse_tasks(text)) for n in notify_names(t)):
        return text
    expected = _without(parse_tasks(text), dropped)
    edited = checked_edit(lambda: _drop_notify_text(text, dropped), expected)
    if edited is not None:
        return edited
    # An unusual layout: fall back to a round trip that keeps quotes and comments.
    data = round_trip.load(text)

    def strip(seq):
        for task in seq:
            if not isinstance(task, dict):
                continue
            if "notify" in task:
                value = task["notify"]
                if isinstance(value, str):
                    if value in dropped:
                        del task["notify"]
                else:
                    for k in range(len(value) - 1, -1, -1):
                        if str(value[k]) in dropped:
                            del value[k]
                    if not value:
                        del task["notify"]
            for key in BLOCK_KEYS:
                if isinstance(task.get(key), list):
                    strip(task[key])

    strip(data)
    return round_trip.dump(data, NO_FOLDING).rstrip("\n")
