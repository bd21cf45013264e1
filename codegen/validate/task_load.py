"""Check 2: ansible itself can load the task (Task.load / Block.load, as ansible-playbook would).

This is what catches an unknown module, a misspelled keyword (`whne:`), two modules in one task and
free-form text given to a module that takes none. It also tells the later checks which module really
runs (redirects followed) and with which arguments (free-form text arrives as `_raw_params`).

Loading needs ansible's plugin loader pointed at the same collections the catalog was built from;
that is process-global state, set up once by ensure_plugin_loader().
"""
from __future__ import annotations

import copy
import difflib
import re
import threading
from dataclasses import dataclass

from codegen.validate.problem import Problem, error

CHECK = "task_load"
_LOCK = threading.Lock()
_LOADER = None


@dataclass
class Action:
    fqcn: str  # the module that runs, e.g. community.docker.docker_container
    args: dict  # its arguments; free-form text is under "_raw_params"
    written: str  # the module name as the task wrote it


def ensure_plugin_loader(extra_roots: list[str] | None = None) -> None:
    """Point ansible's collection finder at the catalog's collection roots (once per process).

    If something else (ansible-lint's runtime) installed a finder first, it is rebuilt with the
    union of its paths and ours rather than replaced, so both keep working.
    """
    from ansible.plugins.loader import init_plugin_loader
    from ansible.utils.collection_loader import AnsibleCollectionConfig
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    from codegen.catalog.store import collection_roots
    from codegen.validate import ansible_env

    ansible_env.prepare()  # no-ops after the first call; see there: never a repository's plugins
    ansible_env.guard()
    wanted = [str(p) for p in collection_roots()] + list(extra_roots or [])
    with _LOCK:
        finder = AnsibleCollectionConfig.collection_finder
        if finder is None:
            init_plugin_loader(wanted)
            return
        have = AnsibleCollectionConfig.collection_paths
        missing = [p for p in wanted if p not in have and _has_collections(p)]
        if missing:
            _AnsibleCollectionFinder._remove()
            init_plugin_loader(missing + [p for p in have if not p.endswith("_internal")])


def _has_collections(root: str) -> bool:
    import os

    return os.path.isdir(os.path.join(root, "ansible_collections"))


def _data_loader():
    global _LOADER
    if _LOADER is None:
        from ansible.parsing.dataloader import DataLoader

        _LOADER = DataLoader()
    return _LOADER


def load(task: dict, index: int | None = None, line: int | None = None, catalog=None) -> tuple[list[Action], list[Problem]]:
    """Load one top-level task (a block loads with all its children) -> (actions, problems)."""
    from ansible.errors import AnsibleError
    from ansible.playbook.block import Block
    from ansible.playbook.task import Task

    ensure_plugin_loader()
    ds = copy.deepcopy(task)  # ansible may annotate or rewrite what it is given
    try:
        if any(key in ds for key in ("block", "rescue", "always")):
            loaded = Block.load(ds, play=None, loader=_data_loader())
        else:
            loaded = Task.load(ds, loader=_data_loader())
    except AnsibleError as exc:
        return [], [error(CHECK, _explain(exc, task, catalog), task=index, line=line)]
    except Exception as exc:  # ansible raises plain errors for some malformed input
        return [], [error(CHECK, f"ansible cannot load this task: {_first_line(str(exc))}", task=index, line=line)]
    return list(_actions(loaded)), []


def _actions(item):
    from ansible.playbook.block import Block

    if isinstance(item, Block):
        for child in (item.block or []) + (item.rescue or []) + (item.always or []):
            yield from _actions(child)
        return
    fqcn = getattr(item, "resolved_action", None) or item.action
    yield Action(fqcn=fqcn, args=dict(item.args or {}), written=item.action)


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else "unknown error"


def _explain(exc, task: dict, catalog) -> str:
    """ansible's message, first line, plus a 'did you mean' where we can guess."""
    message = _first_line(getattr(exc, "message", None) or str(exc))
    if message.startswith("couldn't resolve module/action"):
        found = re.search(r"module/action '([^']+)'", message)
        name = found.group(1) if found else ""
        hits, exact = _close_modules(name, catalog)
        listed = " or ".join(f"'{h}'" for h in hits)
        if exact:
            message = f"unknown module '{name}': write its full name, {listed} (only ansible.builtin modules may be called by their short name)"
        else:
            message = f"unknown module '{name}': no installed collection provides it" + (f"; did you mean {listed}?" if hits else "")
    elif "is not a valid attribute for a" in message:
        from codegen.normalise import task_keywords

        found = re.search(r"'([^']+)' is not a valid attribute", message)
        bad = found.group(1) if found else ""
        guess = difflib.get_close_matches(bad, sorted(task_keywords()), n=1)
        message = f"'{bad}' is not a task keyword" + (f"; did you mean '{guess[0]}'?" if guess else
                                                      " (module options go indented under the module name)")
    elif message.startswith("conflicting action statements"):
        message += " (one task runs exactly one module; split it into two tasks)"
    elif message.startswith("no module/action detected in task"):
        message = "no module in this task: add one (e.g. ansible.builtin.debug:) with its options indented under it"
    elif "has extra params" in message:
        found = re.search(r"task '([^']+)' has extra params", message)
        module = found.group(1) if found else "this module"
        message = f"'{module}' takes no free-form text: write its options as a mapping (key: value) under it"
    return message


_SHORT: dict[int, dict[str, list[str]]] = {}


def _close_modules(name: str, catalog) -> tuple[list[str], bool]:
    """FQCNs for 'did you mean': those whose short name is `name` (exact=True), else near spellings."""
    if not name or catalog is None:
        return [], False
    if id(catalog) not in _SHORT:
        shorts: dict[str, list[str]] = {}
        for fqcn in catalog.names():
            shorts.setdefault(fqcn.rsplit(".", 1)[-1], []).append(fqcn)
        _SHORT[id(catalog)] = shorts
    shorts = _SHORT[id(catalog)]
    short = name.rsplit(".", 1)[-1]
    if short in shorts and name not in shorts[short]:
        return shorts[short][:3], True  # the right module without (or with a wrong) collection prefix
    return [shorts[h][0] for h in difflib.get_close_matches(short, list(shorts), n=3, cutoff=0.75)], False
