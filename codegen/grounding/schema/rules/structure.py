"""Rules on where a line may sit: which mapping it belongs to, and whether a list may go there.

`level` is the driver's Level: the mapping the line belongs to (its indent, the options allowed
there, whether its entries are list items)."""
from __future__ import annotations

from codegen.grounding.schema.rules import rule
from codegen.grounding.schema.text import FREE, MAPPING_KEY


@rule
def above_task_body(key_indent: int) -> bool:
    """A key left of column 2 would end the task (or start a play): the body is indented under its name."""
    return key_indent < 2


@rule
def module_args_as_list(level, is_item: bool, indent: int) -> bool:
    """A module's arguments are a mapping, never a list (`import_tasks:` then `- a.yml`)."""
    return is_item and indent == 4 and level.module_args


@rule
def scalar_in_list_of_dicts(level, is_item: bool, key_indent: int, key_text: str, complete: bool) -> bool:
    """An element of a list option whose elements are dicts (docker's mounts) is a mapping, not a
    plain string."""
    return level.items_are_maps and is_item and key_indent == level.indent and complete \
        and not MAPPING_KEY.match(key_text)


@rule
def mapping_under_scalar(level, is_item: bool, key_indent: int, key_text: str) -> bool:
    """An option that takes one value (path, number, bool) continued on the next lines as a mapping
    or a list: the model nests suboptions under it that do not exist. Options documented as str are
    not refused: docs call some mapping options str (include_tasks' apply)."""
    return level.scalar and key_indent >= level.indent and (is_item or MAPPING_KEY.match(key_text) is not None)


@rule
def suboptions_as_list(level, is_item: bool, indent: int) -> bool:
    """A dict option (a mapping of suboptions) written as a list, or a choice option given a list
    (timezone's hwclock then `- x`)."""
    return is_item and indent == level.indent and not level.list_items and not level.task_level \
        and level.options is not FREE


@rule
def list_item_at_task_level(level, is_item: bool) -> bool:
    """A list item beside the task's keywords would be a second task (or no YAML at all)."""
    return level.task_level and is_item


@rule
def not_a_key(level, is_item: bool, key_text: str, complete: bool) -> bool:
    """Where a key must come (the task's keys, a module's options), a line that cannot be a key
    ("(", "- ") is refused; only an empty key being started mid-line is allowed."""
    return (level.task_level or (level.options is not FREE and not is_item)) and (complete or key_text != "")
