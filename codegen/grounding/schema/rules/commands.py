"""Rules on command and shell tasks."""
from __future__ import annotations

from codegen.grounding.schema.rules import rule

CHANGE_REPORTING = {"ansible.builtin.command", "ansible.builtin.shell"}
# Commands ansible-lint (command-instead-of-module) wants done by a module instead.
HAS_MODULE = {"apt-get", "chkconfig", "curl", "git", "hg", "letsencrypt", "mktemp", "mount", "patch", "rpm", "rsync",
              "sed", "service", "supervisorctl", "svn", "systemctl", "tar", "unzip", "wget", "yum"}


def first_command(text: str) -> str:
    """The program a command line runs, without its directory."""
    words = text.strip().strip("'\"").split()
    return words[0].rsplit("/", 1)[-1] if words else ""


@rule
def command_has_module(module: str, arguments: str, complete: bool) -> bool:
    """ansible-lint's command-instead-of-module: `command: curl ...` where get_url exists. Refused
    as soon as the program's name is out (a space after it), not at the end of the line."""
    return module in CHANGE_REPORTING and (complete or " " in arguments.strip()) \
        and first_command(arguments) in HAS_MODULE
