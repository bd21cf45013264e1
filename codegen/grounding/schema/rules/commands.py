"""Rules on command and shell tasks (the tables are codegen/ansible_files/commands.py)."""
from __future__ import annotations

from codegen.ansible_files.commands import COMMAND_AND_SHELL, LINT_REJECTS, program
from codegen.grounding.schema.rules import rule

CHANGE_REPORTING = COMMAND_AND_SHELL  # tasks ansible-lint's no-changed-when wants changed_when on


@rule
def command_has_module(module: str, arguments: str, complete: bool) -> bool:
    """ansible-lint's command-instead-of-module: `command: curl ...` where get_url exists. Refused
    as soon as the program's name is out (a space after it), not at the end of the line."""
    return module in CHANGE_REPORTING and (complete or " " in arguments.strip()) \
        and program(arguments) in LINT_REJECTS
