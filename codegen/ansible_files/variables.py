"""What variables a list of tasks defines for the tasks after it."""
from __future__ import annotations

from codegen.ansible_files.walk import flatten_tasks
from codegen.ansible_files.yaml_load import try_load
from codegen.ansible_files.template_vars import defines


def defined_by(snippets: list[str]) -> set[str]:
    """Variables the tasks themselves define: `register` names, `set_fact` keys, loop variables."""
    names: set[str] = set()
    for text in snippets:
        tasks = try_load(text) or []
        names |= defined_in(flatten_tasks(tasks) if isinstance(tasks, list) else [])
    return names


def defined_in(tasks: list[dict]) -> set[str]:
    """What these (flattened, loaded) tasks define for the tasks after them."""
    return set().union(*(defines(t) for t in tasks if isinstance(t, dict)))
