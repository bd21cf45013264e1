"""The tasks a workspace already has: before writing a task, a colleague looks up how this project
already does that thing (the same package installed in a sibling role, the same service restarted
by another playbook) and writes it the same way.

Read from the file's own role (its other task files), the files beside it, and the other roles
under the same roles/ folder; the file itself never (its text above the cursor is the caller's
context, and what is below the cursor is not the model's). Bounded like every workspace read:
files through WorkspaceFiles (size caps, no symlink out of the root, nothing executed), a fixed
number of files and of tasks per file; each file's tasks are kept with its parse, so a warm read
only checks that files did not change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from codegen.ansible_files.keywords import module_key
from codegen.ansible_files.walk import file_tasks
from codegen.ansible_files.workspace_files import WorkspaceFiles

MAX_POOL_FILES = 300   # task files read for one request's pool
MAX_FILE_TASKS = 100   # tasks taken from one file
MAX_ROLES = 150        # other roles looked into
TASK_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True)
class WorkspaceTask:
    name: str
    text: str     # as written, re-based to column 0, its `- name:` line first
    source: str   # the file, relative to the workspace root
    own: bool     # in the file's own role, or beside the file (not another role)
    role: str = ""  # the other role's folder name (own tasks: "")


def _tasks(files: WorkspaceFiles, path: Path, own: bool, role: str = "") -> list[WorkspaceTask]:
    loaded = files.load(path)
    if loaded.note or not isinstance(loaded.data, list) or not loaded.text:
        return []
    if "tasks" not in loaded.derived:  # computed once per parse of the file
        found = []
        for raw in file_tasks(loaded.text):
            name = raw.data.get("name")
            if isinstance(name, str) and name.strip() and module_key(raw.data):
                found.append((" ".join(name.split()), raw.text))
            if len(found) == MAX_FILE_TASKS:
                break
        loaded.derived["tasks"] = found
    source = files.relative(path)
    return [WorkspaceTask(name, text, source, own, role) for name, text in loaded.derived["tasks"]]


def _task_files(files: WorkspaceFiles, role: Path) -> list[Path]:
    return files.listing(role / "tasks", depth=2, suffixes=TASK_SUFFIXES)


def pool(files: WorkspaceFiles, path: Path, role: Path | None) -> list[WorkspaceTask]:
    """The workspace's tasks a request in the file at `path` may take after, its own role's and
    the files beside it first."""
    skip = path.resolve()
    own = _task_files(files, role) if role is not None else \
        files.listing(path.parent, depth=1, suffixes=TASK_SUFFIXES)
    roles_folder = role.parent if role is not None else files.root / "roles"
    others: list[tuple[Path, str]] = []
    if files.inside(roles_folder) is not None and roles_folder.is_dir():
        try:
            siblings = sorted(p for p in roles_folder.iterdir() if p.is_dir() and p != role)[:MAX_ROLES]
        except OSError:
            siblings = []
        for sibling in siblings:
            if len(own) + len(others) >= MAX_POOL_FILES:
                break
            others += [(file, sibling.name) for file in _task_files(files, sibling)]
    out: list[WorkspaceTask] = []
    for file, other in ([(file, "") for file in own] + others)[:MAX_POOL_FILES]:
        if files.inside(file) != skip:
            out += _tasks(files, file, not other, other)
    return out


def in_role(task: WorkspaceTask, role: str | None, names: set[str]) -> str:
    """Another role's task as it would read in `role` (a folder name): a variable named after
    the other role (`aodh_git_repository`) becomes this role's (`nova_git_repository`) where this
    workspace defines that name, as a colleague adapts a sibling role's task."""
    if not task.role or not role:
        return task.text
    theirs, ours = (re.sub(r"\W", "_", r.lower()) for r in (task.role, role))

    def ours_if_defined(match: re.Match) -> str:
        candidate = ours + match.group(0)[len(theirs):]
        return candidate if candidate in names else match.group(0)

    return re.sub(rf"\b{re.escape(theirs)}_\w+", ours_if_defined, task.text)
