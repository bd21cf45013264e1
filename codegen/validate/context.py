"""What ansible knows about a task from where it is written: a handler or a task, which collections
its short module names are looked up in, and which modules the repository brings itself.

- A role inside a collection (`ansible_collections/<ns>/<name>/roles/...`, or a collection's source
  tree with its galaxy.yml) calls that collection's modules by their short names, as ansible
  allows; so do roles and plays with a `collections:` keyword (the role's meta/main.yml).
- Modules and action plugins in `library/`, `action_plugins/`, `plugins/modules/` folders (beside a
  playbook, in a role, or above them, as kolla-ansible and tripleo-ansible keep theirs) exist for
  ansible even though the catalog does not know them. Only their file names are read: never their code.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path

from codegen.ansible_files.yaml_load import load, read_text

_MAX_META = 256 * 1024  # a role's meta/main.yml larger than this is not read (a hostile file)
_MAX_MODULES = 5000  # names taken from one folder
_LEVELS = 4  # folders above the file searched for library/ and galaxy.yml
# Where a repository keeps modules and action plugins (both can be a task's action): beside a
# playbook or in a role (library/, action_plugins/), or as a collection tree or a share/ansible
# layout installs them (plugins/modules/, plugins/action/).
_PLUGIN_FOLDERS = ("library", "action_plugins", "plugins/modules", "plugins/action")


@dataclass(frozen=True)
class Context:
    handlers: bool = False  # the list is handlers (listen: is a keyword there)
    collections: tuple[str, ...] = ()  # searched for short module names, as ansible does
    local_modules: frozenset[str] = field(default_factory=frozenset)  # the repository's own modules
    path: str | None = None  # the file (its repository's lint settings are found from it)

    def for_handlers(self, handlers: bool) -> Context:
        return replace(self, handlers=handlers)

    def with_collections(self, names) -> Context:
        extra = tuple(n for n in names if isinstance(n, str) and n not in self.collections)
        return replace(self, collections=self.collections + extra) if extra else self

    def lint_settings(self):
        """The lint_config.RepoLint for this file (as for a repository without a config when it has no path).
        Raises lint_config.BadConfig."""
        from codegen.validate.lint_config import for_file, without_config

        return for_file(self.path) if self.path else without_config()

    def is_local(self, name: str) -> bool:
        return name in self.local_modules or name.rsplit(".", 1)[-1] in self.local_modules and any(
            name.startswith(c + ".") for c in self.collections)


def for_path(path: str | Path | None, handlers: bool = False) -> Context:
    """The context of a file at `path` (None: nothing known but `handlers`)."""
    if path is None:
        return Context(handlers)
    collections, local = _of_folder(Path(path).resolve().parent)
    return Context(handlers, collections, local, str(path))


@functools.lru_cache(maxsize=512)
def _of_folder(folder: Path) -> tuple[tuple[str, ...], frozenset[str]]:
    collections: list[str] = []
    local: set[str] = set()
    parts = folder.parts
    if "ansible_collections" in parts:
        at = len(parts) - 1 - parts[::-1].index("ansible_collections")
        if at + 2 < len(parts):
            collections.append(f"{parts[at + 1]}.{parts[at + 2]}")
    role = folder.parent if folder.name in ("tasks", "handlers") else None
    if role is not None:
        collections += [c for c in _meta_collections(role / "meta") if c not in collections]
    for level, above in enumerate([folder, *folder.parents]):
        if level > _LEVELS:
            break
        for where in _PLUGIN_FOLDERS:
            local |= _names(above / where)
        galaxy = above / "galaxy.yml"
        if galaxy.is_file():  # a collection's source tree: its own modules, by their short names too
            name = _collection_name(galaxy)
            if name and name not in collections:
                collections.append(name)
    return tuple(collections), frozenset(local)


def _names(folder: Path) -> set[str]:
    try:
        if not folder.is_dir():
            return set()
        names = set()
        for index, entry in enumerate(folder.iterdir()):
            if index >= _MAX_MODULES:
                break
            if not entry.name.startswith(("_", ".")) and entry.suffix in (".py", ".ps1", ".sh", ""):
                names.add(entry.stem)
        return names
    except OSError:
        return set()


def _small_yaml(path: Path):
    try:
        if not path.is_file() or path.stat().st_size > _MAX_META:
            return None
        return load(read_text(path)[1])
    except Exception:  # unreadable, not YAML, too deep: nothing known
        return None


def _meta_collections(meta: Path) -> list[str]:
    for name in ("main.yml", "main.yaml"):
        data = _small_yaml(meta / name)
        if isinstance(data, dict) and isinstance(data.get("collections"), list):
            return [c for c in data["collections"] if isinstance(c, str)]
    return []


def _collection_name(galaxy: Path) -> str | None:
    data = _small_yaml(galaxy)
    if isinstance(data, dict) and isinstance(data.get("namespace"), str) and isinstance(data.get("name"), str):
        return f"{data['namespace']}.{data['name']}"
    return None
