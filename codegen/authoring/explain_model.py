"""The data model of `ansible-codegen explain`: what was read from a playbook, tasks file or role.

explain.py fills it in (reading and walking), explain_rules.py adds the review flags and
explain_markdown.py renders it; the few facts about values all three need (is it a template,
does it look like a secret, how was it written) live here too, so those modules never import
each other in a circle.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from codegen.ansible_files import yaml_load
from codegen.ansible_files.commands import COMMAND_MODULES
from codegen.ansible_files.plays import BLOCK_KEYS
from codegen.grounding.secret_strings import SECRET_NAME

PLAY_SECTIONS = {"pre_tasks": "Pre-tasks", "tasks": "Tasks", "post_tasks": "Post-tasks", "handlers": "Handlers"}
# The ways a task or play may write false and true.
FALSE = (False, "false", "False", "no", "No", "off", 0)
TRUE = (True, "true", "True", "yes", "Yes", "on")


class ExplainError(ValueError):
    """Input explain cannot read: one line for the user (the CLI turns it into exit code 2)."""


# ---------------------------------------------------------------------------------------------
# Values as the reader in explain.py builds them (it also keeps each mapping's line number)


Vaulted = yaml_load.Vaulted  # an ansible-vault value: never shown, never decoded


class SourceInt(int):
    """An integer that remembers how it was written (a file mode 0644 and 644 differ)."""

    raw = ""


# ---------------------------------------------------------------------------------------------
# The model of what was read: entries (numbered tasks and blocks), sections, plays


@dataclass
class Flag:
    rule: str
    message: str
    number: int | None  # the task's number; None for a play's or a role's variables
    where: str  # "task 3 'Install nginx'" or "play 1 vars"


@dataclass
class Entry:
    """One numbered item of a task list: a task or a block."""

    number: int
    task: dict
    section: str  # tasks | handlers | pre_tasks | post_tasks | block | rescue | always
    source: str  # the file it sits in (relative, for a role)
    parent: int | None = None  # the enclosing block's number
    inherited_no_log: bool = False  # no_log from an enclosing block or the play
    key: str | None = None  # the module key as written
    fqcn: str | None = None
    doc: object = None
    args: dict = field(default_factory=dict)
    children: dict[str, list[int]] = field(default_factory=dict)  # a block's numbers per part
    flags: list[Flag] = field(default_factory=list)

    @property
    def is_block(self) -> bool:
        return any(k in self.task for k in BLOCK_KEYS)

    @property
    def name(self) -> str | None:
        name = self.task.get("name")
        return " ".join(str(name).split()) if name not in (None, "") else None

    @property
    def label(self) -> str:
        return f"task {self.number}" + (f" '{self.name}'" if self.name else "")

    @property
    def no_log(self) -> bool:
        value = self.task.get("no_log")
        return (value in TRUE or is_template(value)) if value is not None else self.inherited_no_log

    def command_text(self) -> str:
        """The command line of a command-like task ('' for other modules)."""
        if self.fqcn not in COMMAND_MODULES:
            return ""
        text = self.args.get("_raw_params") or self.args.get("cmd") or self.args.get("free_form") or ""
        argv = self.args.get("argv")
        if not text and isinstance(argv, list):
            text = " ".join(map(str, argv))
        return str(text)


@dataclass
class Section:
    title: str
    entries: list[Entry]


@dataclass
class Play:
    number: int
    data: dict
    sections: list[Section]


@dataclass
class Explained:
    path: Path
    kind: str  # playbook | tasks | handlers | role
    plays: list[Play] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)  # a tasks file's or a role's
    variables: list[tuple[str, dict]] = field(default_factory=list)  # a role's defaults/vars
    entries: list[Entry] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    def entry(self, number: int) -> Entry:
        if not 1 <= number <= len(self.entries):
            count = len(self.entries)
            raise ExplainError(f"--task {number}: {self.path} has {count} task(s)"
                               + (f", numbered 1-{count}" if count else ""))
        return self.entries[number - 1]

    def modules(self) -> dict[str, list[int]]:
        """Each module used (FQCN, or the name as written when unknown) -> the tasks using it."""
        used: dict[str, list[int]] = {}
        for entry in self.entries:
            if entry.key:
                used.setdefault(entry.fqcn or entry.key, []).append(entry.number)
        return used

    def handlers(self, scope: list[Section]) -> dict[str, int]:
        """Handler names (and `listen` topics) -> task numbers, within one play or the role."""
        found: dict[str, int] = {}
        for section in scope:
            if section.title.startswith("Handlers"):
                for entry in section.entries:
                    for name in [entry.task.get("name"), *as_list(entry.task.get("listen"))]:
                        if name:
                            found.setdefault(str(name), entry.number)
        return found


# ---------------------------------------------------------------------------------------------
# Facts about values that the rules and the rendering both need


def as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def is_template(value) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def is_secret_option(key: str, value, spec: dict) -> bool:
    """A secret by its name (or its doc's no_log), unless the doc says it is a flag, a choice or a path."""
    if value in (None, "") or isinstance(value, (bool, dict, list)):
        return False
    if spec.get("no_log"):
        return True
    if spec.get("choices") or spec.get("type") in ("bool", "path"):
        return False  # update_password: on_create, password_lock: true, private_key: /path/key
    return bool(SECRET_NAME.search(key))


def code(text) -> str:
    """Text as Markdown inline code (review messages are Markdown too)."""
    text = str(text)
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def plain_value(value) -> str:
    """A value as written, on one line (integers as in the file: 0644 stays 0644)."""
    if isinstance(value, Vaulted):
        return "!vault (encrypted)"
    if isinstance(value, SourceInt) and value.raw:
        return value.raw
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str, ensure_ascii=False)
    return " ".join(str(value).split())
