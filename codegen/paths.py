"""Where things live: the user cache dir and the resources shipped in the wheel."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def cache_dir() -> Path:
    """The cache root: $ANSIBLE_CODEGEN_CACHE, else $XDG_CACHE_HOME/ansible-codegen."""
    override = os.environ.get("ANSIBLE_CODEGEN_CACHE")
    if override:
        root = Path(override)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = Path(xdg) / "ansible-codegen"
    root.mkdir(parents=True, exist_ok=True)
    return root


def prompts_dir() -> Path:
    """Jinja templates: `prompts/` in a checkout, `codegen/prompts` inside the wheel."""
    shipped = PACKAGE_DIR / "prompts"
    if shipped.is_dir():
        return shipped
    return PACKAGE_DIR.parent / "prompts"


def example_collections_dir() -> Path:
    """The `collections/` folder with the example private collection."""
    shipped = PACKAGE_DIR / "collections"
    if shipped.is_dir():
        return shipped
    return PACKAGE_DIR.parent / "collections"
