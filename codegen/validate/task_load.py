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

from codegen.ansible_files.plays import BLOCK_KEYS as _BLOCK_KEYS
from codegen.validate.problem import Problem, error, warning

CHECK = "task_load"
_LOCK = threading.Lock()
_LOADER = None
_FINDER_SEEN = None  # the collection finder ensure_plugin_loader last saw set up
_MODULES: dict[tuple, str] = {}  # (action, collections) -> the module it runs


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

    global _FINDER_SEEN
    if not extra_roots and _FINDER_SEEN is not None and AnsibleCollectionConfig.collection_finder is _FINDER_SEEN:
        return  # set up already, and nothing replaced the finder since (checked per task: keep it cheap)
    ansible_env.prepare()  # no-ops after the first call; see there: never a repository's plugins
    ansible_env.guard()
    wanted = [str(p) for p in collection_roots()] + list(extra_roots or [])
    with _LOCK:
        finder = AnsibleCollectionConfig.collection_finder
        if finder is None:
            init_plugin_loader(wanted)
        else:
            have = AnsibleCollectionConfig.collection_paths
            missing = [p for p in wanted if p not in have and _has_collections(p)]
            if missing:
                _AnsibleCollectionFinder._remove()
                init_plugin_loader(missing + [p for p in have if not p.endswith("_internal")])
        _FINDER_SEEN = AnsibleCollectionConfig.collection_finder


def _has_collections(root: str) -> bool:
    import os

    return os.path.isdir(os.path.join(root, "ansible_collections"))


def _data_loader():
    global _LOADER
    if _LOADER is None:
        from ansible.parsing.dataloader import DataLoader

        _LOADER = DataLoader()
    return _LOADER


def load(task: dict, index: int | None = None, line: int | None = None, catalog=None,
         context=None) -> tuple[list[Action], list[Problem]]:
    """Load one top-level task (a block: its own keywords, then each child) -> (actions, problems).

    context (codegen.validate.context.Context): handlers are loaded as handlers (`listen`), short
    module names are looked up in the context's collections, the repository's own modules are
    known to exist (but not checked). A failure inside ansible that is not about the task is a
    warning that the task could not be checked, never the user's error.
    """
    from codegen.validate.context import Context

    ensure_plugin_loader()
    actions: list[Action] = []
    problems: list[Problem] = []
    _load_item(copy.deepcopy(task), context or Context(), catalog, actions, problems, index, line, context is not None)
    return actions, problems




def _load_item(ds: dict, context, catalog, actions: list, problems: list, index, line, users: bool) -> None:
    from ansible.errors import AnsibleError
    from ansible.playbook.block import Block
    from ansible.playbook.handler import Handler
    from ansible.playbook.task import Task

    if isinstance(ds.get("collections"), list):
        context = context.with_collections(ds["collections"])
    block = any(key in ds for key in _BLOCK_KEYS)
    try:
        if block:
            # The block's own keywords, with empty child lists: ansible loads a static import
            # inside a block only with a play, so the children are loaded one by one below.
            shell = {k: ([] if k in _BLOCK_KEYS and isinstance(v, list) else v) for k, v in ds.items()}
            Block.load(shell, play=None, use_handlers=context.handlers, loader=_data_loader())
        else:
            if context.collections and "collections" not in ds:
                ds["collections"] = list(context.collections)
            loaded = (Handler if context.handlers else Task).load(ds, loader=_data_loader())
            actions.extend(_actions(loaded))
    except AnsibleError as exc:
        if _not_checkable(exc, ds, context):
            return
        missing = _missing_collection(exc, catalog) if users else None
        if missing:  # the user's environment has it, or the repository's requirements do: not ours to judge
            problems.append(warning(CHECK, f"collection '{missing}' is not installed here: this task is not checked",
                                    task=index, line=line))
            return
        unknown = _unknown_short_name(exc, catalog) if users else None
        if unknown:
            problems.append(warning(CHECK, f"module '{unknown}' is not in ansible, the installed collections or this "
                                           "repository's plugin folders: this task is not checked", task=index, line=line))
            return
        problems.append(error(CHECK, _explain(exc, ds, catalog), task=index, line=line))
        return
    except Exception as exc:  # noqa: BLE001 - ansible fails in plain ways on input it did not expect
        # In a user's file, a note that the check could not run; a generated task must load cleanly.
        report = warning if users else error
        problems.append(report(CHECK, f"could not check this task (ansible failed inside: "
                                      f"{type(exc).__name__}: {_first_line(str(exc))[:160]})", task=index, line=line))
        return
    if block:
        for key in _BLOCK_KEYS:
            for child in ds.get(key) or []:
                if isinstance(child, dict):
                    _load_item(child, context, catalog, actions, problems, index, line, users)


_COLLECTIONS: dict[int, set[str]] = {}


def _missing_collection(exc, catalog) -> str | None:
    """The collection of an unresolved FQCN when no module of it is installed."""
    if catalog is None:
        return None
    message = _first_line(getattr(exc, "message", None) or str(exc))
    found = re.search(r"couldn't resolve module/action '([A-Za-z0-9_]+\.[A-Za-z0-9_]+)\.[A-Za-z0-9_.]+'", message)
    if not found:
        return None
    if id(catalog) not in _COLLECTIONS:
        _COLLECTIONS[id(catalog)] = {name.rsplit(".", 1)[0] for name in catalog.names()}
    name = found.group(1)
    return None if name in _COLLECTIONS[id(catalog)] or name in ("ansible.builtin", "ansible.legacy") else name


def _unknown_short_name(exc, catalog) -> str | None:
    """A short module name that nothing installed provides and that is no misspelling of an
    ansible.builtin one: a plugin the repository gets from elsewhere (its requirements, a path)."""
    message = _first_line(getattr(exc, "message", None) or str(exc))
    found = re.search(r"couldn't resolve module/action '([A-Za-z0-9_]+)'", message)
    if not found or catalog is None:
        return None
    hits, exact = _close_modules(found.group(1), catalog)
    if exact or any(h.startswith("ansible.builtin.") for h in hits):
        return None  # a module of a collection called without it, or a typo of a builtin: certain
    return found.group(1)


def _not_checkable(exc, ds: dict, context) -> bool:
    """A module ansible cannot find that the repository brings itself (library/, its own collection)."""
    message = _first_line(getattr(exc, "message", None) or str(exc))
    found = re.search(r"couldn't resolve module/action '([^']+)'", message)
    return bool(found) and context.is_local(found.group(1))


def _actions(item):
    from ansible.playbook.block import Block

    if isinstance(item, Block):
        for child in (item.block or []) + (item.rescue or []) + (item.always or []):
            yield from _actions(child)
        return
    yield Action(fqcn=_module_of(item), args=dict(item.args or {}), written=item.action)


def _module_of(task) -> str:
    """The module a task runs. Task.resolved_action names the action plugin, and collections route
    many modules to one shared action plugin (community.okd's to kubernetes.core.k8s_info's)."""
    from ansible.plugins.loader import module_loader

    key = (task.action, tuple(task.collections or ()))
    if key not in _MODULES:
        found = module_loader.find_plugin_with_context(task.action, collection_list=task.collections)
        if found.resolved and found.resolved_fqcn:
            _MODULES[key] = found.resolved_fqcn
        else:  # the private field: the public property warns on stderr when the action is not resolved
            return getattr(task, "_resolved_action", None) or task.action
    return _MODULES[key]


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
        from codegen.ansible_files.keywords import TASK_OR_BLOCK_KEYWORDS

        found = re.search(r"'([^']+)' is not a valid attribute", message)
        bad = found.group(1) if found else ""
        guess = difflib.get_close_matches(bad, sorted(TASK_OR_BLOCK_KEYWORDS), n=1)
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
