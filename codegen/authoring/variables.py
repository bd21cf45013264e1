"""Lift literal values out of generated tasks into variables, where a person would.

Four kinds, each a small rule: the packages a package task installs, port numbers, paths that
more than one task uses (a directory and the files under it count), and the version a git
checkout takes. The task text keeps
its layout (ruamel round trip); values become "{{ var }}" and the variables are returned in the
order first seen, for play `vars:` or a role's defaults/main.yml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from codegen.ansible_files.walk import flatten_tasks
from codegen.ansible_files import round_trip
from codegen.ansible_files.keywords import module_key
from codegen.ansible_files.module_families import PACKAGE_MODULES

LIFTED_PACKAGES = PACKAGE_MODULES | {"pip"}  # a pip task's packages are lifted the same way
_PORT_KEY = re.compile(r"^(port|.*_port)$")
_PORT_TEXT = re.compile(r"^(?P<n>\d{1,5})(?P<rest>/(tcp|udp|sctp))?$")
_PATH = re.compile(r"^/[A-Za-z0-9._@+/-]+$")
_NAME_FILLER = {"install", "installs", "installed", "ensure", "make", "sure", "the", "a", "an", "is", "are", "present",
                "latest", "required", "needed", "all", "and", "of", "for", "on", "to", "with", "add", "set", "up"}


@dataclass
class Lifted:
    snippets: list[str]
    variables: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def identifier(text: str) -> str:
    out = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return ("v_" + out) if out[:1].isdigit() else out or "value"


def _is_literal(value) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool) and "{{" not in str(value)


def _args(task):
    key = module_key(task)
    args = task.get(key) if key else None
    return (key.rsplit(".", 1)[-1] if key else None), (args if hasattr(args, "items") else None)


def _plain(value):
    """ruamel's scalar types as plain str/int/list, for any YAML dumper."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    return int(value) if isinstance(value, int) else str(value)


class _Names:
    def __init__(self, prefix: str):
        self.prefix, self.values = prefix, {}

    def add(self, base: str, value) -> str:
        """A new variable for value (the same value reuses its variable)."""
        base = identifier(base)
        bare = self.prefix.rstrip("_")
        if bare and base.startswith(bare + "_"):
            base = base[len(bare) + 1:]  # web_ + web_packages -> web_packages, not web_web_packages
        for name, known in self.values.items():
            if known == value and name.removeprefix(self.prefix).startswith(identifier(base).split("_")[0]):
                return name
        name, n = self.prefix + identifier(base), 2
        while name in self.values:
            name, n = f"{self.prefix}{identifier(base)}_{n}", n + 1
        self.values[name] = _plain(value)
        return name


def _ref(name: str, rest: str = "") -> DoubleQuotedScalarString:
    return DoubleQuotedScalarString(f"{{{{ {name} }}}}{rest}")


def _packages_base(task_name, first: str, plural: bool) -> str:
    """'Install web packages' -> web_packages; one package -> nginx_package."""
    if not plural:
        return f"{first}_package"
    words = [w for w in re.findall(r"[a-z0-9]+", str(task_name or "").lower()) if w not in _NAME_FILLER]
    words = [w for w in words if w not in ("package", "packages")][:3]
    return "_".join(words + ["packages"])


def _lift_packages(tasks, names: _Names, notes: list[str]) -> None:
    for task in tasks:
        short, args = _args(task)
        if short not in LIFTED_PACKAGES or args is None:
            continue
        key = "name" if "name" in args else ("pkg" if "pkg" in args else None)
        value = args.get(key) if key else None
        items = list(value) if isinstance(value, list) else [value]
        if not items or not all(_is_literal(v) for v in items):
            continue
        first = re.split(r"[=<>]", str(items[0]))[0]
        plural = isinstance(value, list) and len(items) > 1
        name = names.add(_packages_base(task.get("name"), first, plural),
                         [str(v) for v in items] if isinstance(value, list) else str(value))
        args[key] = _ref(name)
        notes.append(f"lifted {key} of {short} into {name}")


def _lift_ports(tasks, names: _Names, notes: list[str], label: str) -> None:
    for task in tasks:
        short, args = _args(task)
        if args is None:
            continue
        for key in list(args):
            if not _PORT_KEY.match(str(key)) or not _is_literal(args[key]):
                continue
            match = _PORT_TEXT.match(str(args[key]))
            if not match:
                continue
            number = int(match.group("n"))
            name = names.add(f"{label}_port", number)
            args[key] = _ref(name, match.group("rest") or "")
            notes.append(f"lifted {key} {number} of {short} into {name}")


def _path_values(tasks):
    """(args mapping, key, path) for every literal absolute path in the tasks' arguments."""
    for task in tasks:
        _, args = _args(task)
        for key, value in (args or {}).items():
            if isinstance(value, str) and _PATH.match(value) and value != "/":
                yield args, key, value


def _lift_paths(tasks, names: _Names, notes: list[str]) -> None:
    values = list(_path_values(tasks))
    paths = [p for _, _, p in values]
    for path in dict.fromkeys(paths):
        under = [p for p in paths if p.startswith(path.rstrip("/") + "/")]
        if paths.count(path) + len(under) < 2:
            continue
        pure = PurePosixPath(path)
        base = f"{pure.name}_dir" if under else f"{pure.stem if pure.suffix else pure.name}_{pure.suffix[1:] or 'path'}"
        if base.endswith(("_conf", "_cfg", "_ini", "_yml", "_yaml", "_json")):
            base += "_path"
        name = names.add(base, path)
        for args, key, value in values:
            if value == path:
                args[key] = _ref(name)
            elif value.startswith(path.rstrip("/") + "/"):
                args[key] = _ref(name, value[len(path.rstrip("/")):])
        notes.append(f"lifted path {path} (used {paths.count(path) + len(under)} times) into {name}")
        values = [(a, k, v) for a, k, v in values if isinstance(a.get(k), str) and "{{" not in a[k]]
        paths = [v for _, _, v in values]


def _lift_checkout_versions(tasks, names: _Names, notes: list[str]) -> None:
    """A git checkout's version as a variable: the one asked for, or the module's own default
    (HEAD) when the request named none, so the user pins a tag or commit in one place instead of
    editing the task (ansible-lint's latest[git] asks for that pin; nothing is invented here: the
    value stays what the module would do without it)."""
    for task in tasks:
        short, args = _args(task)
        if short != "git" or args is None or not _is_literal(args.get("version", "HEAD")):
            continue
        repo = re.sub(r"\.git$", "", str(args.get("repo") or args.get("name") or "").rstrip("/")).rsplit("/", 1)[-1]
        name = names.add(f"{repo.split(':')[-1] or 'checkout'}_version", str(args.get("version", "HEAD")))
        how = "lifted version" if "version" in args else "the checkout's version (HEAD, the module's default) is now"
        args["version"] = _ref(name)
        notes.append(f"{how} of {short} into {name}: pin a tag or commit there")


def lift_variables(snippets: list[str], prefix: str = "", label: str = "app") -> Lifted:
    """Snippets (normalised task-list text) -> the same with literals lifted, and the variables.

    prefix: put before every variable name (a role's name and '_', as ansible-lint's var-naming
    asks of role variables). label: names ports when nothing better is known ('app_port')."""
    names, notes = _Names(prefix), []
    loaded = [round_trip.load(text) for text in snippets]
    tasks = [t for data in loaded for t in flatten_tasks(data)]
    _lift_packages(tasks, names, notes)
    _lift_ports(tasks, names, notes, label)
    _lift_paths(tasks, names, notes)
    _lift_checkout_versions(tasks, names, notes)
    if not names.values:
        return Lifted(list(snippets))
    return Lifted([round_trip.dump(data) for data in loaded], names.values, notes)


def undefined_variables(snippets: list[str], defined: set[str]) -> list[str]:
    """Variables the tasks read that nothing defines: not the play's or role's own variables,
    not an earlier task's `register`, not a fact (`ansible_*`) or one of Ansible's magic names.
    Such a playbook fails when it runs, so the user is told which ones to define."""
    from codegen.ansible_files.template_vars import defines, undefined
    from codegen.ansible_files.yaml_load import try_load

    known, missing = set(defined), []
    for text in snippets:
        tasks = try_load(text)
        for task in tasks if isinstance(tasks, list) else []:
            if not isinstance(task, dict):
                continue
            missing += [name for name in undefined(task, known) if name not in missing]
            known |= defines(task)
    return missing


def prefix_own_variables(snippets: list[str], prefix: str) -> tuple[list[str], list[str]]:
    """A role's registered results and set_fact names renamed to start with the role's prefix
    (ansible-lint's var-naming[no-role-prefix]; the model writes other projects' names, such as
    `sshd__register_x`), and every read of them with them. Returns the snippets and notes."""
    from codegen.ansible_files.template_vars import defines, loop_names
    from codegen.ansible_files.yaml_load import try_load

    own: list[str] = []
    for text in snippets:
        tasks = try_load(text)
        for task in flatten_tasks(tasks) if isinstance(tasks, list) else []:
            if isinstance(task, dict):
                own += sorted(defines(task) - loop_names(task) - set(own))
    text_all = "\n".join(snippets)
    renames: dict[str, str] = {}
    for name in own:
        if name.startswith(prefix) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            continue
        base = identifier(name.split("__")[-1])
        new, n = prefix + base, 2
        while new in renames.values() or re.search(rf"(?<![\w.]){new}(?!\w)", text_all):
            new, n = f"{prefix}{base}_{n}", n + 1
        renames[name] = new
    if not renames:
        return list(snippets), []
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, sorted(renames, key=len, reverse=True))) + r")(?!\w)")
    notes = [f"renamed {old} to {new} (a role's variables start with its name: ansible-lint var-naming)"
             for old, new in renames.items()]
    return [pattern.sub(lambda m: renames[m.group(1)], text) for text in snippets], notes
