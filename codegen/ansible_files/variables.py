"""What variables a list of tasks defines for the tasks after it."""
from __future__ import annotations

from codegen.ansible_files.walk import flatten_tasks
from codegen.ansible_files.yaml_load import try_load
from codegen.ansible_files.keywords import module_key


def defined_by(snippets: list[str]) -> set[str]:
    """Variables the tasks themselves define: `register` names, `set_fact` keys, loop variables."""
    names: set[str] = set()
    for text in snippets:
        tasks = try_load(text) or []
        for task in flatten_tasks(tasks) if isinstance(tasks, list) else []:
            if isinstance(task.get("register"), str):
                names.add(task["register"])
            control = task.get("loop_control")
            if isinstance(control, dict) and isinstance(control.get("loop_var"), str):
                names.add(control["loop_var"])
            module = module_key(task)
            if module and module.rsplit(".", 1)[-1] == "set_fact" and isinstance(task.get(module), dict):
                names.update(k for k in task[module] if k != "cacheable")
    return names
