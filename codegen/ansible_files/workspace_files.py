"""Reading files of someone else's workspace safely, and once.

Every file may be hostile: huge, an alias bomb, a symlink out of the tree, a FIFO, not UTF-8,
vault-encrypted. Each is read with a size cap through the bounded YAML loader, only inside the
workspace root, never executed; what cannot be read becomes a one-line note, never an exception.
Parsed files are kept by (path, mtime, size), so a second request on the same workspace reads only
what changed: the language server keeps one `WorkspaceFiles` warm for the whole session.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from codegen.ansible_files.yaml_load import Unreadable, YamlError, load, read_text

MAX_FILE_CHARS = 256 * 1024   # a vars/handlers/tasks file larger than this is not a real one: skipped
MAX_LISTED = 400              # entries taken from one folder listing (templates/, group_vars/, ...)
MAX_DEPTH = 4                 # folder levels listed below templates/ or files/
YAML_SUFFIXES = ("", ".yml", ".yaml", ".json")  # what ansible reads as a vars file


@dataclass
class Loaded:
    data: object = None
    note: str = ""       # why it could not be used ("" when it was)
    text: str = ""       # the text parsed (a task's own lines are cut from it)
    derived: dict = field(default_factory=dict)  # what a reader computed from this parse, kept with it


@dataclass
class WorkspaceFiles:
    """One workspace root's file cache. Not thread-safe: one per server or command."""
    root: Path
    _cache: dict = field(default_factory=dict)  # path -> (mtime_ns, size, Loaded)
    _real: dict = field(default_factory=dict)   # path -> resolved path inside the root, or None
    reads: int = 0  # files parsed (not served from the cache): for tests and the bench

    def inside(self, path: Path) -> Path | None:
        """The path resolved, if it stays inside the root (a symlink out of it is not followed).
        Remembered: resolving is most of a warm read's cost; `forget` drops it with the parse."""
        if path in self._real:
            return self._real[path]
        try:
            real = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            real = None
        real = real if real is not None and real.is_relative_to(self.root) else None
        if len(self._real) < 100_000:
            self._real[path] = real
        return real

    def load(self, path: Path) -> Loaded:
        """The file's YAML data, or a note saying why not (outside, not a file, too large, invalid)."""
        real = self.inside(path)
        if real is None:
            return Loaded(note=f"{self.relative(path)}: outside the workspace (a symlink?): not read")
        try:
            st = real.stat()
        except OSError:
            return Loaded(note=f"{self.relative(path)}: cannot be read: skipped")
        if not stat.S_ISREG(st.st_mode):
            return Loaded(note=f"{self.relative(path)}: not a regular file: skipped")
        key = (st.st_mtime_ns, st.st_size)
        cached = self._cache.get(real)
        if cached and cached[0] == key:
            return cached[1]
        loaded = self._parse(real, st.st_size)
        self._cache[real] = (key, loaded)
        self.reads += 1
        return loaded

    def _parse(self, real: Path, size: int) -> Loaded:
        name = self.relative(real)
        if size > MAX_FILE_CHARS * 4:  # UTF-8 is at most 4 bytes a character: surely over the cap
            return Loaded(note=f"{name}: larger than {MAX_FILE_CHARS:,} characters: skipped")
        try:
            _, text = read_text(real, MAX_FILE_CHARS)
        except Unreadable as exc:
            return Loaded(note=f"{name}: {str(exc).split(': ', 1)[-1]}: skipped")
        if text.lstrip().startswith("$ANSIBLE_VAULT"):
            return Loaded(note=f"{name}: vault-encrypted: its names are unknown")
        try:
            return Loaded(load(text), text=text)
        except YamlError as exc:
            return Loaded(note=f"{name}: {exc}: skipped")

    def forget(self, path: Path) -> None:
        """Drop a file's cached parse (a change notification); the next load reads it again."""
        self._real.pop(path, None)
        try:
            self._cache.pop(path.resolve(), None)
        except (OSError, RuntimeError):
            pass

    def listing(self, folder: Path, depth: int = 1, suffixes: tuple[str, ...] | None = None) -> list[Path]:
        """Regular files under `folder` (inside the root, sorted, at most MAX_LISTED, `depth`
        levels down), optionally only those with one of `suffixes`."""
        if self.inside(folder) is None or not folder.is_dir():
            return []
        found: list[Path] = []
        stack = [(folder, 0)]
        while stack and len(found) < MAX_LISTED:
            here, level = stack.pop()
            try:
                entries = sorted(os.scandir(here), key=lambda e: e.name)[:MAX_LISTED]
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                path = Path(entry.path)
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if level + 1 < depth:
                            stack.append((path, level + 1))
                    elif entry.is_file() and self.inside(path) is not None and (
                            suffixes is None or path.suffix in suffixes):
                        found.append(path)
                except OSError:
                    continue
                if len(found) >= MAX_LISTED:
                    break
        return sorted(found)

    def relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            try:
                return str(path.resolve().relative_to(self.root))
            except (ValueError, OSError, RuntimeError):
                return path.name
