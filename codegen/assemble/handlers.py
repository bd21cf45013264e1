"""Handlers for the notify names no handler answers, inferred from the name ("Restart nginx" ->
the nginx service restarted); a name that says nothing usable is dropped (notify.py)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from codegen.ansible_files.module_families import PACKAGE_MODULES, SERVICE_MODULES
from codegen.ansible_files.walk import flatten_tasks
from codegen.assemble.snippets import args_dict, module_of, notify_names, parse_tasks, short_name


# Handler inference: the leading verb of a handler name -> the service state it asks for.
_VERBS = {"restart": "restarted", "reload": "reloaded", "start": "started", "stop": "stopped",
          "restarted": "restarted", "reloaded": "reloaded", "bounce": "restarted"}
_FILLER = {"the", "a", "an", "service", "services", "daemon", "daemons", "unit", "units", "process", "all",
           "now", "it", "again"}
_DAEMON_RELOAD_WORDS = {"reload", "run", "the", "systemd", "systemctl", "daemon", "daemon-reload", "daemon_reload",
                        "unit", "units", "configuration", "config", "manager", "files"}
_TOKEN = re.compile(r"\{\{.*?\}\}|[A-Za-z0-9@._-]+|,|&")
_SERVICE_TOKEN = re.compile(r"^(\{\{.*\}\}|[A-Za-z0-9@._-]+)$")


@dataclass
class Handler:
    """An inferred handler: one module call, optionally looped, reachable by name or `listen` topics."""
    name: str
    module: str
    args: dict
    loop: list[str] = field(default_factory=list)
    listen: list[str] = field(default_factory=list)

    def action(self) -> tuple:
        return (self.module, tuple(sorted((k, str(v)) for k, v in self.args.items())), tuple(self.loop))


def known_services(tasks: list[dict], modules: frozenset = SERVICE_MODULES | PACKAGE_MODULES) -> list[str]:
    """Service (and package) names the tasks mention, to pick the service out of a handler name."""
    names: list[str] = []
    for task in flatten_tasks(tasks):
        module, args = module_of(task)
        if not module or short_name(module) not in modules:
            continue
        value = args_dict(args).get("name") or args_dict(args).get("pkg")
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and _SERVICE_TOKEN.match(item) and item not in names:
                names.append(item)
    return names


def _service_name(token: str, known: list[str]) -> str:
    for name in known:
        if name.lower() == token.lower():
            return name
    if token.isalpha() and token[:1].isupper() and token[1:].islower():
        return token.lower()  # "Nginx" -> nginx; "NetworkManager" is kept
    return token


def infer_handler(name: str, known: list[str] | None = None, default: str | None = None) -> Handler | None:
    """A handler for a notify name such as "Restart nginx"; None when its name says nothing usable.

    known: service and package names the tasks mention ("Restart the nginx web server" -> nginx).
    default: the service meant by a name that names none ("Restart the service"), when there is one.
    """
    known = known or []
    text = " ".join(str(name).split())
    lowered = text.lower()
    title = text[:1].upper() + text[1:]
    words = set(re.findall(r"[a-z_-]+", lowered))
    if words and words <= _DAEMON_RELOAD_WORDS and ("daemon-reload" in lowered or "daemon_reload" in lowered
                                                    or "daemon reload" in lowered
                                                    or ("systemd" in words and "reload" in words)):
        return Handler(title, "ansible.builtin.systemd_service", {"daemon_reload": True})
    if re.fullmatch(r"reboot(\s+the)?(\s+(server|servers|host|hosts|machine|machines|system|node|nodes|box))?",
                    lowered):
        return Handler(title, "ansible.builtin.reboot", {})
    if re.fullmatch(r"(update|refresh)(\s+the)?\s+apt(\s+package)?(\s+cache)?", lowered):
        return Handler(title, "ansible.builtin.apt", {"update_cache": True})
    tokens = _TOKEN.findall(text)
    if len(tokens) < 2 or tokens[0].lower() not in _VERBS:
        return None
    state = _VERBS[tokens[0].lower()]
    rest = [t if t.startswith("{{") else t.strip(".-") for t in tokens[1:]]
    rest = [t for t in rest if t and t.lower() not in _FILLER]
    if not rest:
        return Handler(title, "ansible.builtin.service", {"name": default, "state": state}) if default else None
    # "nginx and php-fpm", "nginx, redis": one service per group; in each group a service the tasks
    # mention, else its first word ("the app service" -> app)
    known_lower = {k.lower() for k in known}
    groups, current = [], []
    for token in rest:
        if token.lower() in ("and", ",", "&"):
            if current:
                groups.append(current)
            current = []
        else:
            current.append(token)
    if current:
        groups.append(current)
    services = []
    for group in groups:
        matched = [t for t in group if t.lower() in known_lower]
        services.extend(matched or group[:1])
    services = [_service_name(s, known) for s in services if _SERVICE_TOKEN.match(s)]
    services = list(dict.fromkeys(services))
    if not services:
        return None
    if len(services) == 1:
        return Handler(title, "ansible.builtin.service", {"name": services[0], "state": state})
    return Handler(title, "ansible.builtin.service", {"name": "{{ item }}", "state": state}, loop=services)


def handler_names(snippets: list[str]) -> set[str]:
    names: set[str] = set()
    for text in snippets:
        for task in flatten_tasks(parse_tasks(text)):
            if task.get("name"):
                names.add(str(task["name"]))
            names.update(notify_names({"notify": task.get("listen")}))
    return names


def plan_handlers(tasks: list[dict], existing: set[str]) -> tuple[list[Handler], list[str], list[str]]:
    """(handlers to add, notify names to drop, notes) for the notify names no handler answers."""
    known = known_services(tasks)
    managed = known_services(tasks, SERVICE_MODULES)
    default = managed[0] if len(managed) == 1 else None
    handlers: list[Handler] = []
    dropped: list[str] = []
    notes: list[str] = []
    by_action: dict[tuple, Handler] = {}
    seen: set[str] = set()
    taken = set(existing)
    for task in flatten_tasks(tasks):
        for wanted in notify_names(task):
            if wanted in existing or wanted in seen:
                continue
            seen.add(wanted)
            handler = infer_handler(wanted, known, default)
            if handler is None:
                dropped.append(wanted)
                notes.append(f"dropped notify {wanted!r}: no handler has that name and none could be inferred from it")
                continue
            same = by_action.get(handler.action())
            if same is not None:  # "Restart nginx" and "restart nginx service": one handler, both names
                if wanted != same.name and wanted not in same.listen:
                    same.listen.append(wanted)
                continue
            if handler.name in taken:  # the capitalised name is already another handler's
                handler.name = f"{handler.name} (inferred)"
            if handler.name != wanted:  # e.g. "restart nginx": the handler is "Restart nginx" and listens
                handler.listen.append(wanted)
            taken.add(handler.name)
            by_action[handler.action()] = handler
            handlers.append(handler)
            what = f"{handler.module} {', '.join(f'{k}={v}' for k, v in handler.args.items())}".strip()
            if handler.loop:
                what += f" for {', '.join(handler.loop)}"
            notes.append(f"added handler {handler.name!r} ({what})")
    return handlers, dropped, notes
