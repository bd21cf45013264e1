"""The workspace around a file, as a colleague reads it before writing a task there.

For a file inside a role: the role's defaults/ and vars/ (names and values), its handlers (names
and `listen` topics), meta/ (argument_specs options, and the defaults of the roles it depends on),
the names of files under templates/ and files/, and its other task files (task names, and what
they `register`/`set_fact`). For a playbook: its plays' `vars_files` and the defaults of the roles
it uses. For any file: the inventory's group_vars/ and host_vars/ (beside the playbook, at the
root, in the inventory folders ansible.cfg names or the usual inventory/ and inventories/*/).

The root is found as ansible finds its project: the nearest folder above the file with an
ansible.cfg, a roles/ folder, a galaxy.yml (a collection) or a VCS folder. ansible.cfg is read as
text for two paths (inventory, roles_path) and nothing else: no plugin or module is ever loaded.
The file itself is never read from disk here: its text above the cursor is the caller's context
(an editor's buffer is newer than the disk, and what is below the cursor is not the model's).
"""
from __future__ import annotations

import configparser
from dataclasses import dataclass, field
from pathlib import Path

from codegen.ansible_files.keywords import module_key
from codegen.ansible_files.plays import PLAY_SECTIONS, handler_names, is_play
from codegen.ansible_files.variables import defined_in
from codegen.ansible_files.walk import flatten_tasks
from codegen.ansible_files.workspace_files import MAX_FILE_CHARS, YAML_SUFFIXES, WorkspaceFiles
from codegen.ansible_files.workspace_tasks import WorkspaceTask, pool
from codegen.ansible_files.yaml_load import Unreadable, read_text, try_load

ROOT_MARKERS = ("ansible.cfg", "roles", "galaxy.yml", ".git", ".hg")
ROLE_FOLDERS = ("tasks", "handlers", "defaults", "vars", "meta", "templates", "files")
MAX_LEVELS = 12    # folders climbed to find the root
MAX_ROLES = 8      # roles read for one file (its own, its dependencies, a playbook's roles)
MAX_TASK_FILES = 60  # a role's other task files read
MAX_INCLUDERS = 200  # files beside a task file searched for the plays that include it
INCLUDES = frozenset({"include_tasks", "import_tasks", "include"})
# Modules whose task names another file or role to read: with nothing written around the task
# (no file, no workspace) that file does not exist, so they are wrong unless the request asks for one.
NAMES_ANOTHER_FILE = INCLUDES | frozenset({"include_vars", "include_role", "import_role", "import_playbook"})


@dataclass(frozen=True)
class Variable:
    name: str
    value: object
    source: str   # the file that defines it, relative to the root


@dataclass
class Workspace:
    root: Path
    role: str | None = None                                  # the file's role folder, relative to the root
    variables: dict[str, Variable] = field(default_factory=dict)
    handlers: dict[str, str] = field(default_factory=dict)   # name or listen topic -> source
    templates: list[str] = field(default_factory=list)       # under the role's (or playbook's) templates/
    files: list[str] = field(default_factory=list)           # under files/
    tasks: list[str] = field(default_factory=list)           # names of the role's other tasks
    task_files: list[str] = field(default_factory=list)      # under the role's tasks/: what an include may name
    defined: dict[str, str] = field(default_factory=dict)    # registered / set_fact names -> source
    examples: list[WorkspaceTask] = field(default_factory=list)  # tasks the workspace already has
    read: list[str] = field(default_factory=list)            # the files used, relative to the root
    notes: list[str] = field(default_factory=list)           # files skipped, and why

    def names(self) -> set[str]:
        """Every variable name the workspace defines."""
        return set(self.variables) | set(self.defined)

    def note_used(self, source: str) -> None:
        if source not in self.read:
            self.read.append(source)


def find_root(path: Path) -> Path | None:
    """The nearest folder above `path` holding a root marker (None: no project around it)."""
    here = path if path.is_dir() else path.parent
    for level, folder in enumerate([here, *here.parents]):
        if level > MAX_LEVELS:
            break
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            # roles/web/tasks/x.yml inside a repository: the folder holding roles/, not roles/ itself
            return folder
    return None


def role_of(path: Path) -> Path | None:
    """The role folder a file belongs to: tasks/ or handlers/ (or a folder below them) in a folder
    that looks like a role."""
    for folder in list(path.parents)[:3]:
        if folder.name in ("tasks", "handlers") and folder.parent.name not in ("", "/"):
            return folder.parent
    return None


class WorkspaceReader:
    """Reads workspaces, keeping each root's parsed files (one per server or command)."""

    def __init__(self):
        self._files: dict[Path, WorkspaceFiles] = {}

    def files(self, root: Path) -> WorkspaceFiles:
        if root not in self._files:
            self._files[root] = WorkspaceFiles(root)
        return self._files[root]

    def forget(self, path: str | Path) -> None:
        """A file changed on disk (an editor's notification): drop its cached parse."""
        path = Path(path)
        for root, files in self._files.items():
            if path.is_relative_to(root):
                files.forget(path)

    def read(self, path: str | Path, text: str | None = None, root: str | Path | None = None) -> Workspace | None:
        """The workspace of the file at `path` (None when no project is around it). text: the
        file's own text (an editor's buffer), for a playbook's vars_files and roles; root: the
        workspace folder when the caller knows it (an editor's workspace folder)."""
        path = Path(path).absolute()
        found = Path(root).absolute() if root else find_root(path)
        role = role_of(path)
        if found is None or not path.is_relative_to(found):
            found = role.parent if role is not None else None
        if found is None:
            return None
        found = found.resolve()
        files = self.files(found)
        ws = Workspace(found)
        role = role.resolve() if role is not None else None
        cfg = _config(found)
        roles_read: set[Path] = set()
        if role is not None and files.inside(role) is not None:
            ws.role = files.relative(role)
            _role(ws, files, role, roles_read, own=True, skip=path.resolve())
        data = try_load(text) if text else None
        here = path.parent.resolve()
        if isinstance(data, list) and any(isinstance(p, dict) and is_play(p) for p in data):
            _playbook(ws, files, here, data, cfg, roles_read)
            beside = role is None
        else:  # a task file a playbook includes: what the including play and task define
            beside = role is None and _includers(ws, files, path.resolve(), cfg, roles_read)
        if beside:  # a playbook's template and copy sources are found beside it
            _file_names(ws, files, here)
        for folder in _inventory_folders(found, path.parent.resolve(), cfg):
            for kind in ("group_vars", "host_vars"):
                for file in files.listing(folder / kind, depth=2, suffixes=YAML_SUFFIXES):
                    _vars_file(ws, files, file)
        ws.examples = pool(files, path, role)
        return ws


def _config(root: Path) -> dict[str, list[str]]:
    """inventory and roles_path from the root's ansible.cfg, as text: nothing else is acted on."""
    try:
        _, text = read_text(root / "ansible.cfg", MAX_FILE_CHARS)
    except Unreadable:
        return {}
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return {}
    section = parser["defaults"] if parser.has_section("defaults") else {}
    return {key: [p.strip() for p in section.get(key, "").replace(":", ",").split(",") if p.strip()]
            for key in ("inventory", "roles_path")}


def _inventory_folders(root: Path, here: Path, cfg: dict) -> list[Path]:
    folders = [here, root, root / "inventory"]
    for entry in cfg.get("inventory", []):
        where = (root / entry).resolve() if not entry.startswith(("/", "~")) else None
        if where is not None:
            folders.append(where if where.is_dir() else where.parent)
    inventories = root / "inventories"
    if inventories.is_dir():
        folders += sorted(p for p in inventories.iterdir() if p.is_dir())[:20]
    seen, out = set(), []
    for folder in folders:
        if folder not in seen and folder.is_relative_to(root):
            seen.add(folder)
            out.append(folder)
    return out


def _vars_file(ws: Workspace, files: WorkspaceFiles, path: Path) -> None:
    loaded = files.load(path)
    if loaded.note:
        ws.notes.append(loaded.note)
        return
    if not isinstance(loaded.data, dict):
        return
    source = files.relative(path)
    _add_variables(ws, loaded.data, source)
    ws.note_used(source)


def _add_variables(ws: Workspace, mapping, source: str) -> None:
    """A mapping's variables (vars files, `vars:` of a play or an include), the first definition kept."""
    for name, value in mapping.items() if isinstance(mapping, dict) else []:
        if isinstance(name, str) and name.isidentifier():
            ws.variables.setdefault(name, Variable(name, value, source))


def _role(ws: Workspace, files: WorkspaceFiles, role: Path, roles_read: set[Path], own: bool = False,
          skip: Path | None = None) -> None:
    """A role's variables (and, for the file's own role, its handlers, templates, files and tasks)."""
    if role in roles_read or len(roles_read) >= MAX_ROLES:
        return
    roles_read.add(role)
    for kind in ("vars", "defaults"):  # vars/ first: it wins over defaults/ in ansible
        for file in files.listing(role / kind, depth=2, suffixes=YAML_SUFFIXES):
            _vars_file(ws, files, file)
    _meta(ws, files, role, roles_read)
    if not own:
        return
    for file in files.listing(role / "handlers", depth=2, suffixes=YAML_SUFFIXES):
        loaded = files.load(file)
        ws.notes += [loaded.note] if loaded.note else []
        for task in flatten_tasks(loaded.data) if isinstance(loaded.data, list) else []:
            for name in handler_names(task):
                ws.handlers.setdefault(name, files.relative(file))
        if isinstance(loaded.data, list):
            ws.note_used(files.relative(file))
    _file_names(ws, files, role)
    listed = files.listing(role / "tasks", depth=2, suffixes=YAML_SUFFIXES)
    ws.task_files += [str(p.relative_to(role / "tasks")) for p in listed]
    for file in listed[:MAX_TASK_FILES]:
        if file.resolve() == skip:
            continue
        loaded = files.load(file)
        ws.notes += [loaded.note] if loaded.note else []
        if not isinstance(loaded.data, list):
            continue
        tasks = flatten_tasks(loaded.data)
        ws.tasks += [t["name"] for t in tasks if isinstance(t.get("name"), str)][:50]
        source = files.relative(file)
        for name in defined_in(tasks):
            ws.defined.setdefault(name, source)
        ws.note_used(source)


def _meta(ws: Workspace, files: WorkspaceFiles, role: Path, roles_read: set[Path]) -> None:
    """argument_specs options (names a caller may set) and the roles this one depends on."""
    for name in ("main.yml", "main.yaml", "argument_specs.yml", "argument_specs.yaml"):
        path = role / "meta" / name
        if not path.is_file():
            continue
        loaded = files.load(path)
        if loaded.note or not isinstance(loaded.data, dict):
            ws.notes += [loaded.note] if loaded.note else []
            continue
        source = files.relative(path)
        specs = loaded.data.get("argument_specs")
        for entry in specs.values() if isinstance(specs, dict) else []:
            options = entry.get("options") if isinstance(entry, dict) else None
            for option, spec in options.items() if isinstance(options, dict) else []:
                if isinstance(option, str) and option.isidentifier():
                    default = spec.get("default") if isinstance(spec, dict) else None
                    ws.variables.setdefault(option, Variable(option, default, source))
                    ws.note_used(source)
        for dependency in loaded.data.get("dependencies") or [] if isinstance(loaded.data.get("dependencies"),
                                                                              list) else []:
            found = _find_role(files, role.parent, _role_name(dependency), [])
            if found is not None:
                _role(ws, files, found, roles_read)


def _role_name(entry) -> str | None:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        name = entry.get("role", entry.get("name"))
        return name if isinstance(name, str) else None
    return None


def _find_role(files: WorkspaceFiles, near: Path, name: str | None, roles_path: list[str]) -> Path | None:
    """A role by name: beside `near`, in roles/ under the root, or on ansible.cfg's roles_path.
    A role of a collection (a dotted name) is not in the workspace: None."""
    if not name or "{{" in name or "." in name or "/" in name:
        return None
    candidates = [near / name, near / "roles" / name, files.root / "roles" / name]
    candidates += [(files.root / p / name) for p in roles_path if not p.startswith(("/", "~"))]
    for candidate in candidates:
        if candidate.is_dir() and files.inside(candidate) is not None and \
                any((candidate / part).is_dir() for part in ROLE_FOLDERS):
            return candidate.resolve()
    return None


def _file_names(ws: Workspace, files: WorkspaceFiles, folder: Path) -> None:
    """The names under a role's (or a playbook's) templates/ and files/: what a src may name."""
    for kind, names in (("templates", ws.templates), ("files", ws.files)):
        names += [str(p.relative_to(folder / kind)) for p in files.listing(folder / kind, depth=4)]


def _playbook(ws: Workspace, files: WorkspaceFiles, here: Path, plays: list, cfg: dict, roles_read: set) -> None:
    for play in plays:
        if not isinstance(play, dict):
            continue
        vars_files = play.get("vars_files")
        for entry in vars_files if isinstance(vars_files, list) else [vars_files] if vars_files else []:
            for name in entry if isinstance(entry, list) else [entry]:  # a list: the first found is used
                if isinstance(name, str) and "{{" not in name and not name.startswith(("/", "~")):
                    if (here / name).is_file():
                        _vars_file(ws, files, here / name)
                        break
        for entry in play.get("roles") or [] if isinstance(play.get("roles"), list) else []:
            found = _find_role(files, here, _role_name(entry), cfg.get("roles_path", []))
            if found is not None:
                _role(ws, files, found, roles_read)


def included_file(task: dict) -> str | None:
    """The file an include_tasks / import_tasks task names (None: not one, or templated)."""
    module = module_key(task)
    if not module or module.rsplit(".", 1)[-1] not in INCLUDES:
        return None
    value = task.get(module)
    value = value.get("file") if isinstance(value, dict) else value
    return value if isinstance(value, str) and "{{" not in value else None


def _includers(ws: Workspace, files: WorkspaceFiles, path: Path, cfg: dict, roles_read: set) -> bool:
    """The plays and task lists beside a task file that include it: the including task's `vars`,
    its loop variable, and what the including play defines (vars, vars_files, roles, its tasks'
    register/set_fact). As a colleague greps for who includes the file before editing it. True
    when a play includes it (its template and copy sources are then beside the playbook)."""
    by_play = False
    for candidate in files.listing(path.parent, depth=1, suffixes=(".yml", ".yaml"))[:MAX_INCLUDERS]:
        if candidate.resolve() == path:
            continue
        loaded = files.load(candidate)
        if not isinstance(loaded.data, list):
            continue
        source = files.relative(candidate)
        plays = [p for p in loaded.data if isinstance(p, dict) and is_play(p)]
        lists = [[t for key in PLAY_SECTIONS if isinstance(p.get(key), list) for t in p[key]] for p in plays] \
            if plays else [loaded.data]
        for play, tasks in zip(plays or [None], lists):
            flat = flatten_tasks(tasks)
            including = [t for t in flat if (included_file(t) or "").rsplit("/", 1)[-1] == path.name]
            if not including:
                continue
            for task in including:
                _add_variables(ws, task.get("vars"), source)
            for name in defined_in(flat):
                ws.defined.setdefault(name, source)
            if play is not None:
                _add_variables(ws, play.get("vars"), source)
                _playbook(ws, files, candidate.parent, [play], cfg, roles_read)
                by_play = True
            ws.note_used(source)
    return by_play
