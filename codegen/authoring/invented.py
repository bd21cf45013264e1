"""What a generated task may carry: keys the request never implied are invented and removed.

Invented: `tags` the request never mentions, a `when:` that reads no variable registered by the
tasks generated so far (the request gave no condition), a package module's `use:` the request
never named. A `when:`/`until:` on a registered result is the task checking its own work, kept.
Removal edits the snippet's lines (layout kept); only a layout it cannot edit is re-dumped.
"""
from __future__ import annotations

import re

from codegen.ansible_files.keywords import module_key
from codegen.assemble.snippets import checked_edit, dump, parse_tasks
from codegen.authoring.families import PACKAGE

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


def _words(value) -> set[str]:
    text = " ".join(map(str, value)) if isinstance(value, list) else str(value)
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))


def invented_keys(task: dict, registered: set[str], request: str) -> set[str]:
    """Keys the request never implied: tags (unless it speaks of tags), a `when:` on nothing
    registered, a package module's `use:` (which package manager) the request never named."""
    keys = set()
    lowered = request.lower()
    module = module_key(task)
    args = task.get(module) if module else None
    if module and module.rsplit(".", 1)[-1] == "package" and isinstance(args, dict) and "use" in args \
            and not all(word in PACKAGE and re.search(rf"\b{word}\b", lowered) for word in _words(args["use"]) or {""}):
        keys.add(f"{module}.use")
    if "tags" in task and not re.search(r"\btag", lowered):
        keys.add("tags")
    if "when" in task and not (_words(task["when"]) & registered) and not re.search(r"\b(if|when|only|unless)\b", lowered):
        keys.add("when")
    return keys
