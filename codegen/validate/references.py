"""Check 5 (generated tasks): what a task refers to exists.

- `item` (or the loop_var) read by a task with no loop is an error: it is undefined when the task
  runs (seen: `name: '{{ item }}'` with no loop, which every other check passed).
- When the workspace around the file is known (ansible_files/workspace.py): a variable that
  nothing defines (the workspace, the file, an earlier task, the task itself, facts and magic
  names) is a warning, as is a `notify` naming no handler, a `template`/`copy` `src` that is
  not under the role's templates/ or files/, and an `include_tasks`/`import_tasks` of a file not
  under its tasks/ (files to create). ansible-lint, which sees the answer away from its role,
  cannot judge an include: validate_tasks leaves that to this check when the role is known.

Only for generated tasks: in a file a person wrote, a task list included with a loop reads `item`
at its top level, and its variables may come from anywhere the caller knows.
"""
from __future__ import annotations

from dataclasses import dataclass

from codegen.ansible_files.keywords import module_key
from codegen.ansible_files.template_vars import defines, loop_names, undefined
from codegen.ansible_files.workspace import included_file
from codegen.ansible_files.walk import flatten_tasks
from codegen.validate.problem import Problem, error, warning

CHECK = "references"
_SOURCES = {"template": "templates", "copy": "files"}  # module -> the role folder its relative src is in


@dataclass(frozen=True)
class References:
    """What the place a task goes into defines; None: not known (nothing is checked against it)."""
    variables: frozenset | None = None
    handlers: frozenset | None = None
    templates: frozenset | None = None
    files: frozenset | None = None
    task_files: frozenset | None = None  # under the role's tasks/ (what include_tasks may name)


def check_all(tasks: list, lines: list[int], refs: References) -> dict[int, list[Problem]]:
    """Problems per top-level task index, each task seeing what the tasks before it define."""
    known = set(refs.variables or ())
    found: dict[int, list[Problem]] = {}
    for index, top in enumerate(tasks):
        if not isinstance(top, dict):
            continue
        problems = []
        for task in flatten_tasks([top]):
            problems += _check(task, known, refs, index, lines[index])
            known |= defines(task)
        if problems:
            found[index] = problems
    return found


def _check(task: dict, known: set[str], refs: References, index: int, line: int) -> list[Problem]:
    problems: list[Problem] = []
    missing = undefined(task, known if refs.variables is not None else set())
    looped = loop_names(task)
    for name in missing:
        if name in looped:
            problems.append(error(CHECK, f"`{name}` is read but the task has no loop: add `loop:` or write the "
                                         f"value itself", index, line))
        elif refs.variables is not None:
            problems.append(warning(CHECK, f"reads `{name}`, which nothing in the workspace, the file or the "
                                           f"earlier tasks defines", index, line))
    if refs.handlers is not None:
        notify = task.get("notify")
        for name in notify if isinstance(notify, list) else [notify] if isinstance(notify, str) else []:
            if isinstance(name, str) and "{{" not in name and name not in refs.handlers:
                problems.append(warning(CHECK, f"notifies '{name}', which no handler defines: add that handler "
                                               f"(or notify one of: {_few(refs.handlers)})", index, line))
    problems += _missing_source(task, refs, index, line)
    problems += _missing_include(task, refs, index, line)
    return problems


def _missing_include(task: dict, refs: References, index: int, line: int) -> list[Problem]:
    name = included_file(task) if refs.task_files is not None else None
    if not name or name.startswith(("/", "~", "..")):
        return []  # outside the role's tasks/: not judged
    name = name.removeprefix("./").removeprefix("tasks/")
    if name in refs.task_files:
        return []
    return [warning(CHECK, f"includes '{name}', which is not a file under tasks/: create it", index, line)]


def _missing_source(task: dict, refs: References, index: int, line: int) -> list[Problem]:
    module = module_key(task) or ""
    folder = _SOURCES.get(module.rsplit(".", 1)[-1])
    names = refs.templates if folder == "templates" else refs.files if folder == "files" else None
    args = task.get(module)
    if names is None or not isinstance(args, dict) or "remote_src" in args and args["remote_src"] not in (False, "no"):
        return []
    src = args.get("src")
    if not isinstance(src, str) or not src or "{{" in src or src.startswith(("/", "~")) or src in names or \
            src.removeprefix(f"{folder}/") in names:
        return []
    return [warning(CHECK, f"src '{src}' is not a file under {folder}/: create it there", index, line)]


def _few(names) -> str:
    listed = sorted(names)
    return ", ".join(f"'{n}'" for n in listed[:5]) + (", ..." if len(listed) > 5 else "") if listed else "none yet"
