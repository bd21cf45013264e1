"""Modules that run a command line, and the programs a module does better. Defined once, here.

The schema constraint refuses `command: curl ...` while decoding (what ansible-lint's
command-instead-of-module would reject after generation); `explain` flags such tasks for a
reviewer, over a wider list. Both read the program the same way and name the same module.
"""
from __future__ import annotations

# Modules whose argument is a command line (or a script) rather than options.
COMMAND_MODULES = frozenset({"ansible.builtin.command", "ansible.builtin.shell", "ansible.builtin.raw",
                             "ansible.builtin.script", "ansible.windows.win_command", "ansible.windows.win_shell"})
# The two that ansible-lint's command rules (no-changed-when, command-instead-of-module) look at.
COMMAND_AND_SHELL = frozenset({"ansible.builtin.command", "ansible.builtin.shell"})

# A program run by command/shell -> the module(s) that do its work idempotently and in check mode.
MODULE_FOR = {
    "apt-get": "ansible.builtin.apt", "apt": "ansible.builtin.apt", "yum": "ansible.builtin.dnf",
    "dnf": "ansible.builtin.dnf", "rpm": "ansible.builtin.dnf or ansible.builtin.rpm_key",
    "systemctl": "ansible.builtin.systemd_service", "service": "ansible.builtin.service",
    "chkconfig": "ansible.builtin.service", "supervisorctl": "community.general.supervisorctl",
    "git": "ansible.builtin.git", "hg": "community.general.hg", "svn": "ansible.builtin.subversion",
    "wget": "ansible.builtin.get_url", "curl": "ansible.builtin.get_url or ansible.builtin.uri",
    "mkdir": "ansible.builtin.file", "chmod": "ansible.builtin.file", "chown": "ansible.builtin.file",
    "ln": "ansible.builtin.file", "rm": "ansible.builtin.file", "touch": "ansible.builtin.file",
    "mktemp": "ansible.builtin.tempfile", "cp": "ansible.builtin.copy", "rsync": "ansible.posix.synchronize",
    "sed": "ansible.builtin.lineinfile or ansible.builtin.replace", "patch": "ansible.posix.patch",
    "unzip": "ansible.builtin.unarchive", "tar": "ansible.builtin.unarchive",
    "useradd": "ansible.builtin.user", "groupadd": "ansible.builtin.group",
    "pip": "ansible.builtin.pip", "pip3": "ansible.builtin.pip", "crontab": "ansible.builtin.cron",
    "hostname": "ansible.builtin.hostname", "mount": "ansible.posix.mount",
    "letsencrypt": "community.crypto.acme_certificate",
}
# The programs of MODULE_FOR that ansible-lint's command-instead-of-module rejects (its own list):
# the ones the schema constraint refuses while decoding. `mkdir`, `cp`... are only flagged by explain.
LINT_REJECTS = frozenset({"apt-get", "chkconfig", "curl", "git", "hg", "letsencrypt", "mktemp", "mount", "patch",
                          "rpm", "rsync", "sed", "service", "supervisorctl", "svn", "systemctl", "tar", "unzip",
                          "wget", "yum"})
# Words that run the real program after them (`sudo apt-get ...`).
_WRAPPERS = ("sudo", "env", "-y", "exec")


def program(command_line: str, *, past_wrappers: bool = False) -> str:
    """The program a command line runs, without its directory. past_wrappers: look past `sudo`,
    `env` and VAR=value words, as a reviewer would (ansible-lint reads the first word only)."""
    words = command_line.strip().strip("'\"").split()
    if past_wrappers:
        words = [w for w in words if "=" not in w or w.startswith("-")]
        while words and words[0] in _WRAPPERS:
            words = words[1:]
    return words[0].rsplit("/", 1)[-1] if words else ""
