"""Task keywords, and which key of a task mapping is the module call. Defined once, here.

The set is ansible-core's own (Task and Handler attributes) written out, so that reading a task
never imports ansible; tests/test_yaml_load.py holds it against ansible's attributes.
"""
from __future__ import annotations

from codegen.ansible_files.plays import BLOCK_KEYS

# Task keywords of ansible-core 2.19 (Task.fattributes) plus the with_* loop forms.
TASK_KEYWORDS = frozenset({
    "action", "any_errors_fatal", "args", "async", "become", "become_exe", "become_flags",
    "become_method", "become_user", "changed_when", "check_mode", "collections", "connection",
    "debugger", "delay", "delegate_facts", "delegate_to", "diff", "environment", "failed_when",
    "ignore_errors", "ignore_unreachable", "local_action", "loop", "loop_control", "module_defaults",
    "name", "no_log", "notify", "poll", "port", "register", "remote_user", "retries", "run_once",
    "tags", "throttle", "timeout", "until", "vars", "when", "listen",
})


# The value each keyword takes (ansible-core's Task attributes, and ansible-lint's playbook schema,
# which types them more strictly than ansible): the schema checker and the engines' grammar both
# read these.
BOOL_KEYWORDS = frozenset({"become", "check_mode", "diff", "no_log", "run_once", "delegate_facts", "any_errors_fatal",
                           "ignore_unreachable", "ignore_errors"})
UNTEMPLATED_BOOL_KEYWORDS = frozenset({"delegate_facts"})  # lint's schema: a plain boolean, no template
INT_KEYWORDS = frozenset({"retries", "delay", "throttle", "timeout", "async", "poll"})
CONDITION_KEYWORDS = ("when", "changed_when", "failed_when", "until")
STRING_KEYWORDS = frozenset({"become_user", "become_method", "become_flags", "become_exe", "delegate_to",
                             "remote_user", "connection"})


# What may sit beside the module in a task or a block: never a module name.
TASK_OR_BLOCK_KEYWORDS = TASK_KEYWORDS | frozenset(BLOCK_KEYS)


def is_keyword(key: object) -> bool:
    return isinstance(key, str) and (key in TASK_KEYWORDS or key.startswith("with_"))


def is_loop(key: object) -> bool:
    """`loop` and the `with_*` forms: a task has at most one of them."""
    return key == "loop" or (isinstance(key, str) and key.startswith("with_"))


def module_key(task: dict) -> str | None:
    """The one non-keyword key of a task, or None when there is none or more than one."""
    keys = [k for k in task if isinstance(k, str) and not is_keyword(k)]
    return keys[0] if len(keys) == 1 else None
