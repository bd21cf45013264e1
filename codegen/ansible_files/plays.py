"""What makes a YAML item a play, and where a play and a block keep their task lists.

Defined once: the hooks, the language server, the context reader, `explain` and the dataset
builder all decide "is this a playbook?" from these names (`ansible.legacy.import_playbook`
counts everywhere, as ansible reads it).
"""
from __future__ import annotations

IMPORT_PLAYBOOK = ("import_playbook", "ansible.builtin.import_playbook", "ansible.legacy.import_playbook")
PLAY_KEYS = frozenset({"hosts", *IMPORT_PLAYBOOK})
PLAY_SECTIONS = ("pre_tasks", "tasks", "post_tasks", "handlers")  # a play's task lists, in run order
BLOCK_KEYS = ("block", "rescue", "always")  # a block's task lists


def is_play(keys) -> bool:
    """A mapping with these keys (or a mapping itself) is a play: it names hosts or imports a playbook."""
    return any(isinstance(k, str) and k in PLAY_KEYS for k in keys)


def handler_names(task: dict) -> list[str]:
    """What a handler answers to: its name and its `listen` topics (what a task may notify)."""
    names = [task["name"]] if isinstance(task.get("name"), str) else []
    listen = task.get("listen")
    return names + ([listen] if isinstance(listen, str) else [x for x in listen if isinstance(x, str)]
                    if isinstance(listen, list) else [])
