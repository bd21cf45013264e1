"""Collection folders a project brings with it: `collections/` beside the playbook (the current
directory) and the `collections_path` of its ansible.cfg, read as text, never executed."""
from __future__ import annotations

import configparser
import os
from pathlib import Path

MAX_CFG_BYTES = 256 * 1024  # an ansible.cfg is a few KB; more is not one


def _config_file(cwd: Path) -> Path | None:
    """The ansible.cfg ansible would read first: $ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg."""
    for candidate in (os.environ.get("ANSIBLE_CONFIG"), cwd / "ansible.cfg", Path.home() / ".ansible.cfg"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def cfg_collection_paths(path: Path) -> list[Path]:
    """[defaults] collections_path (or the older collections_paths) of an ansible.cfg; relative
    entries are taken from the file's folder. Unreadable or odd files give nothing."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_CFG_BYTES + 1)
    except OSError:
        return []
    if len(raw) > MAX_CFG_BYTES:
        return []
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(raw.decode("utf-8", errors="replace"))
    except configparser.Error:
        return []
    value = parser.get("defaults", "collections_path", fallback=None) or \
        parser.get("defaults", "collections_paths", fallback=None) or ""
    out = []
    for entry in value.split(os.pathsep):
        entry = os.path.expandvars(os.path.expanduser(entry.strip()))
        if entry:
            out.append(Path(entry) if os.path.isabs(entry) else path.parent / entry)
    return out


def workspace_roots(cwd: Path | None = None) -> list[Path]:
    """Roots (folders that may hold `ansible_collections/`) of the project in `cwd`."""
    cwd = cwd or Path.cwd()
    roots = []
    config = _config_file(cwd)
    if config is not None:
        roots += cfg_collection_paths(config)
    local = cwd / "collections"
    if (local / "ansible_collections").is_dir():
        roots.append(local)
    return roots
