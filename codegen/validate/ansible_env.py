"""The ansible our checks run: this installation's own tools and plugins, never a checked repository's.

Two things the shell or the repository being checked could otherwise change:
- which `ansible-*` commands run. ansible-lint and lint_cache call them by name, so the folder of
  this interpreter's console scripts goes first on PATH: called by absolute path, or installed
  with pipx, only our entry point is on the user's PATH.
- which plugin code ansible imports. An ansible.cfg (`library`, `module_utils`, `*_plugins`),
  ANSIBLE_* variables, and plugin folders beside a playbook or inside a role (`library/`,
  `filter_plugins/`...), which ansible adds while loading them, would make ansible, and
  ansible-lint's `args` rule (which imports a module's file and runs its main()), execute the
  repository's code from a pre-commit hook or an editor. So ansible reads an empty config, the
  ANSIBLE_* variables are dropped (ANSIBLE_COLLECTIONS_PATH stays: it names the installed
  collections the catalog is built from), and guard() refuses any plugin folder or module file
  outside ansible itself and the installed collections.

prepare() must run before ansible is imported (its constants and loaders read the config once).
"""
from __future__ import annotations

import functools
import os
import sys
import sysconfig
from pathlib import Path

KEPT = ("ANSIBLE_CODEGEN_", "ANSIBLE_COLLECTIONS_PATH")  # ours; the installed collections
_PREPARED = False
_GUARDED = False


def tools_dir() -> Path:
    """Where this environment's console scripts (ansible-playbook, ansible-config...) are."""
    scripts = Path(sysconfig.get_path("scripts"))
    if (scripts / "ansible-playbook").exists():
        return scripts
    return Path(sys.executable).parent


def empty_config() -> Path:
    """An ansible.cfg with nothing in it, in our cache folder."""
    from codegen.atomic import write_text
    from codegen.paths import cache_dir

    path = cache_dir() / "ansible" / "empty.cfg"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, "# ansible-codegen runs ansible with no user or repository configuration\n")
    return path


def guarded_tools() -> Path:
    """A folder holding an `ansible-playbook` that runs guard() first (see guarded_playbook)."""
    import shlex

    from codegen.atomic import write_text
    from codegen.paths import cache_dir

    folder = cache_dir() / "ansible" / "bin"
    script = folder / "ansible-playbook"
    text = f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m codegen.validate.guarded_playbook \"$@\"\n"
    if not script.is_file() or script.read_text() != text:
        write_text(script, text)
        script.chmod(0o755)
    return folder


def clean_environ(environ: dict[str, str]) -> dict[str, str]:
    """A copy of the environment that ansible reads no user or repository configuration from."""
    out = {k: v for k, v in environ.items() if not k.startswith("ANSIBLE_") or k.startswith(KEPT)}
    out.pop("ANSIBLE_COLLECTIONS_PATHS", None)
    out["ANSIBLE_CONFIG"] = str(empty_config())  # so no ./ansible.cfg, ~/.ansible.cfg, /etc/ansible
    tools = str(tools_dir())
    path = [p for p in out.get("PATH", "").split(os.pathsep) if p]
    if not path or path[0] != tools:
        out["PATH"] = os.pathsep.join([tools] + [p for p in path if p != tools])
    return out


def prepare() -> None:
    """Set this process's environment as clean_environ() says (once; before ansible is imported)."""
    global _PREPARED
    if _PREPARED:
        return
    cleaned = clean_environ(dict(os.environ))
    for key in [k for k in os.environ if k not in cleaned]:
        del os.environ[key]
    os.environ.update(cleaned)
    _PREPARED = True


def allowed_roots() -> list[Path]:
    """Folders whose plugin code may be loaded: ansible's own and the installed collections."""
    import ansible

    from codegen.catalog.store import collection_roots

    user = [Path.home() / ".ansible" / "plugins", Path("/usr/share/ansible/plugins")]  # ansible's defaults
    return [Path(ansible.__file__).resolve().parent, *collection_roots(), *user]


def is_allowed(path: str | bytes | Path | None, roots: list[Path] | None = None) -> bool:
    if not path:
        return False
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    return _inside(str(path), tuple(roots or allowed_roots()))


@functools.lru_cache(maxsize=4096)
def _inside(path: str, roots: tuple[Path, ...]) -> bool:  # asked per task by the args rule: resolve once
    resolved = Path(path).resolve()
    return any(resolved == root or root in resolved.parents for root in roots)


def guard() -> None:
    """Make ansible, in this process, refuse plugin folders outside the allowed roots: those it adds
    beside a playbook or in a role, and a playbook's adjacent `collections/` folder (once)."""
    global _GUARDED
    if _GUARDED:
        return
    from ansible.plugins.loader import PluginLoader, get_all_plugin_loaders
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    roots = allowed_roots()
    add_directory = PluginLoader.add_directory

    def guarded_add_directory(self, directory, with_subdir=False):
        if is_allowed(directory, roots):
            add_directory(self, directory, with_subdir)

    PluginLoader.add_directory = guarded_add_directory
    # Paths from a config ansible read before prepare() (the process imported ansible first).
    for _, loader in get_all_plugin_loaders():
        if isinstance(loader.config, list):
            loader.config = [p for p in loader.config if is_allowed(p, roots)]
        loader._extra_dirs = [p for p in loader._extra_dirs if is_allowed(p, roots)]  # noqa: SLF001
        loader._clear_caches()  # noqa: SLF001
    # ansible (and ansible-lint) point the collection finder at `<playbook dir>/collections`:
    # a repository's own collections are its code too.
    _AnsibleCollectionFinder.set_playbook_paths = lambda self, paths: None
    _GUARDED = True
