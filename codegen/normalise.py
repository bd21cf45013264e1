"""Normalise a model-written task list into the house style that ansible-lint's production profile wants.

What changes: module names become FQCNs (via the catalog, so redirects like `docker_container` land on
the collection that really runs them); keys go name, module call, other keywords, block/rescue/always;
unquoted YAML 1.1 booleans (`yes`/`no`/`on`/`off`) become `true`/`false`; octal file modes become
quoted strings; indentation is two spaces with nested lists indented under their key.

What does not: everything else as the model wrote it, quoting style and comments included. That is why
this is a ruamel.yaml round trip and never PyYAML: safe_dump would drop quotes and comments and turn
`0644` into 420.

ruamel.yaml reads YAML 1.2, ansible reads YAML 1.1. The two differences that matter here are handled
by hand: a plain `yes` is a string in 1.2 but a boolean to ansible, and `0644` is 644 in 1.2 but
octal 420 to ansible. We load as 1.2 (so `n: 1` stays a key named "n", which 1.1-mode ruamel would
turn into False) and convert only those scalars, so the result means to ansible what the input meant.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarint import OctalInt, ScalarInt
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from codegen.ansible_files import round_trip
from codegen.ansible_files.keywords import TASK_OR_BLOCK_KEYWORDS
from codegen.ansible_files.plays import BLOCK_KEYS

# PyYAML's (YAML 1.1) boolean spellings that YAML 1.2 reads as strings. true/True/TRUE etc. are
# booleans in both and ruamel already writes them back as true/false.
_TRUTHY = re.compile(r"^(?:yes|Yes|YES|on|On|ON)$")
_FALSY = re.compile(r"^(?:no|No|NO|off|Off|OFF)$")
_LAST_KEYS = BLOCK_KEYS  # a block's task lists go last
_ACTION_KEYS = ("action", "local_action")  # the module is inside their value: left as written


def is_keyword(key: object) -> bool:
    """A task's or a block's keyword (block/rescue/always included): never the module call."""
    return isinstance(key, str) and (key in TASK_OR_BLOCK_KEYWORDS or key.startswith("with_"))


def normalise_tasks(text: str, catalog) -> str:
    """YAML text of a task list -> the same tasks, normalised. ValueError (one line) if it does not parse."""
    try:
        data = round_trip.load(text)
    except YAMLError as exc:
        raise ValueError(f"the tasks are not valid YAML: {_one_line(exc)}") from None
    if data is None:
        raise ValueError("there are no tasks: the text is empty")
    if isinstance(data, CommentedMap):  # one task written without the leading "- "
        data = CommentedSeq([data])
    if not isinstance(data, CommentedSeq):
        raise ValueError(f"expected a list of tasks (each starting with '- name:'), got a {type(data).__name__}")
    _reject_complex_keys(data)
    _tasks(data, catalog)
    return _without_blank_lines(_without_trailing_spaces(
        round_trip.dump(data, explicit_start=text.lstrip().startswith("---"))))


def _without_blank_lines(text: str) -> str:
    """A small model sometimes writes empty lines inside a task (ruamel keeps them): drop each one
    followed by an indented line, unless that changes what the text loads as (a block scalar's)."""
    lines = text.split("\n")
    def next_text(i: int) -> str:
        return next((line for line in lines[i + 1:] if line.strip()), "")

    candidates = [i for i, line in enumerate(lines) if not line.strip() and next_text(i).startswith(" ")]
    if not candidates or len(candidates) > 20:  # bounded work: each try loads the text again
        return text
    try:
        meaning = round_trip.load(text)
        for i in reversed(candidates):
            trial = lines[:i] + lines[i + 1:]
            if round_trip.load("\n".join(trial)) == meaning:
                lines = trial
    except YAMLError:
        return text
    return "\n".join(lines)


def _without_trailing_spaces(text: str) -> str:
    """ruamel sometimes folds a long plain scalar after a space and keeps that space at the end of
    the line ("{{ " then the break): YAML drops it on load, ansible-lint still flags it. Strip such
    spaces, and keep the text as it was if that would change what it loads as."""
    stripped = "\n".join(line.rstrip() for line in text.split("\n"))
    if stripped == text:
        return text
    try:
        return stripped if round_trip.load(stripped) == round_trip.load(text) else text
    except YAMLError:
        return text


def _one_line(exc: YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark else str(problem)


def _reject_complex_keys(node) -> None:
    """`x: {{ var }}` is valid YAML 1.2 to ruamel (a mapping used as a key) but an error to ansible."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if isinstance(key, (Mapping, list, tuple)):
                line = node.lc.line + 1 if getattr(node, "lc", None) is not None else "?"
                raise ValueError(f"a value that starts with '{{{{' must be quoted, e.g. \"{{{{ var }}}}\" (near line {line})")
            _reject_complex_keys(value)
    elif isinstance(node, CommentedSeq):
        for value in node:
            _reject_complex_keys(value)


def _tasks(items: CommentedSeq, catalog) -> None:
    for item in items:
        if isinstance(item, CommentedMap):
            _task(item, catalog)


def _task(task: CommentedMap, catalog) -> None:
    renamed: dict[str, str] = {}
    modules: list[str] = []
    for key in list(task):
        if is_keyword(key):
            continue
        fqcn = catalog.resolve(key) if isinstance(key, str) else None
        new = fqcn or key  # unknown modules stay as written; validation reports them
        if new != key and (new in task or new in renamed):
            new = key  # `copy:` next to `ansible.builtin.copy:`: keep both for validation to flag
        renamed[new] = key
        modules.append(new)

    # Values: truthy everywhere; octal quoting only inside the module's arguments (and args:),
    # where `mode:` is a file mode rather than some keyword.
    for key, value in list(task.items()):
        if key in _LAST_KEYS and isinstance(value, CommentedSeq):
            _tasks(value, catalog)
        elif key in renamed.values() or key == "args":
            task[key] = _fix_values(value, in_args=True)
        else:
            task[key] = _fix_values(value, in_args=False)

    order = ["name"] + modules + [k for k in _ACTION_KEYS if k in task] + ["args"]
    old = {}
    for key in list(task):
        old[key] = (task[key], task.ca.items.pop(key, None))
    task.clear()
    keys = [k for k in order if renamed.get(k, k) in old]
    keys += [k for k in old if k not in keys and k not in renamed.values() and k not in _LAST_KEYS]
    keys += [k for k in _LAST_KEYS if k in old]
    for key in keys:
        value, comment = old[renamed.get(key, key)]
        task[key] = value
        if comment is not None:
            task.ca.items[key] = comment


def _fix_values(value, in_args: bool, key: str | None = None):
    if isinstance(value, CommentedMap):
        for k in list(value):
            value[k] = _fix_values(value[k], in_args, k)
        return value
    if isinstance(value, CommentedSeq):
        for i, v in enumerate(value):
            value[i] = _fix_values(v, in_args, key)
        return value
    if type(value) is str:  # plain scalar only: quoted ones load as *QuotedScalarString
        if _TRUTHY.match(value):
            return True
        if _FALSY.match(value):
            return False
        return value
    if in_args and _is_mode_key(key) and isinstance(value, ScalarInt) and not isinstance(value, bool):
        return _octal_text(value) or value
    return value


def _is_mode_key(key: str | None) -> bool:
    return isinstance(key, str) and (key == "mode" or key.endswith("_mode") or key == "umask")


def _octal_text(value: ScalarInt) -> DoubleQuotedScalarString | None:
    """`0644` (ansible reads octal 420) or `0o644` -> "0644"; a plain decimal like 644 is left alone."""
    if isinstance(value, OctalInt):
        return DoubleQuotedScalarString("0" + format(int(value), "o"))
    digits = str(int(value))
    width = getattr(value, "_width", None) or len(digits)
    if int(value) >= 0 and width > len(digits):  # written with leading zeros
        return DoubleQuotedScalarString(digits.rjust(width, "0"))
    return None
