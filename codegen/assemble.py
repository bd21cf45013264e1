"""Assemble a playbook from generated task snippets.

Each snippet is the YAML text of a list of tasks, already normalised (`- name:` at column 0,
two-space indentation, FQCN modules). The snippets go into one play as written: they are only
re-indented, never re-dumped, so quoting, comments and layout survive. Python does the analysis
(does the play need `become`? which notified handlers are missing and what should they do?);
`prompts/playbook.yml.j2` does the layout.
"""
from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass, field
from functools import lru_cache
from io import StringIO

import jinja2
import yaml

from codegen.ansible_files.plays import BLOCK_KEYS
from codegen.ansible_files.walk import flatten_tasks
from codegen.paths import prompts_dir
from codegen.ansible_files.keywords import TASK_OR_BLOCK_KEYWORDS

TEMPLATE = "playbook.yml.j2"

# Keys of a task that are not the module call: the task keywords, plus blocks.
_KEYWORDS = TASK_OR_BLOCK_KEYWORDS

# Modules (by short name) that change the system and so normally run as root.
_ROOT_MODULES = frozenset({
    # package managers and repositories
    "package", "apt", "apt_key", "apt_repository", "deb822_repository", "dpkg_selections", "yum",
    "yum_repository", "dnf", "dnf5", "rpm_key", "zypper", "zypper_repository", "pacman", "apk", "snap",
    "flatpak", "flatpak_remote", "portage", "pkgng", "opkg", "swupd", "xbps", "urpmi", "rhsm_repository",
    "redhat_subscription", "copr", "apt_rpm",
    # services
    "service", "systemd", "systemd_service", "sysvinit", "runit", "svc",
    # users and groups
    "user", "group", "sudoers", "pam_limits", "pamd",
    # firewall, network, kernel, storage, system settings
    "firewalld", "firewalld_info", "ufw", "iptables", "iptables_state", "seboolean", "selinux",
    "sefcontext", "seport", "selogin", "mount", "sysctl", "modprobe", "kernel_blacklist", "hostname",
    "timezone", "locale_gen", "lvg", "lvol", "filesystem", "parted", "reboot",
    "alternatives", "capabilities", "nmcli", "interfaces_file", "debconf", "crypttab", "xfs_quota", "zfs",
    "lvm_pv", "open_iscsi",
})

# Read-only modules: a path under /etc in their arguments does not mean they need root.
_READ_ONLY = frozenset({
    "stat", "slurp", "find", "fetch", "debug", "assert", "set_fact", "wait_for", "setup", "service_facts",
    "package_facts", "getent", "include_tasks", "import_tasks", "include_role", "import_role", "include_vars",
    "fail", "meta", "pause", "ping", "uri", "tempfile", "add_host", "group_by",
})

_ROOT_PREFIXES = ("/etc", "/usr", "/opt", "/var", "/srv", "/boot", "/lib", "/lib64", "/root", "/bin", "/sbin",
                  "/sys", "/proc")
_USER_PREFIXES = ("/var/tmp", "/tmp", "/var/folders")
_PATH_KEYS = ("dest", "path", "file", "dest_path", "creates", "project_path")

# Default paths of modules whose path option has a root-owned default.
_DEFAULT_PATHS = {"app_release": "/opt/apps"}

# First word of a command that needs root.
_ROOT_COMMANDS = frozenset({
    "apt", "apt-get", "aptitude", "dpkg", "yum", "dnf", "rpm", "zypper", "pacman", "apk", "snap", "systemctl",
    "service", "useradd", "usermod", "userdel", "groupadd", "groupmod", "groupdel", "chpasswd", "mount",
    "umount", "modprobe", "sysctl", "update-ca-certificates", "update-alternatives", "update-grub", "ufw",
    "firewall-cmd", "iptables", "ip6tables", "nft", "reboot", "shutdown", "visudo", "mkfs", "fdisk", "parted",
    "swapon", "swapoff", "hostnamectl", "timedatectl", "localectl", "setenforce", "restorecon", "semanage",
    "setsebool", "ldconfig", "depmod", "dracut", "update-initramfs", "grub2-mkconfig", "a2enmod", "a2ensite",
    "a2dismod", "a2dissite", "certbot",
})

_SERVICE_MODULES = ("service", "systemd", "systemd_service", "sysvinit")
_PACKAGE_MODULES = ("package", "apt", "dnf", "dnf5", "yum", "zypper", "pacman", "apk", "snap")

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


# ---------------------------------------------------------------------------------------------
# YAML helpers


def scalar(value) -> str:
    """A value as a one-line YAML scalar: plain when YAML reads it back unchanged, else quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if text and "\n" not in text and text == text.strip() and not text.startswith(("{", "[", "*", "&", "!", "%",
                                                                                       "@", "`", "'", '"', "#",
                                                                                       "|", ">", "?", "-", ",")):
        try:
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


class _IndentedDumper(yaml.SafeDumper):
    """Dumps sequences indented under their key (`key:\\n  - item`), as normalised tasks are."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def dump_vars(variables: dict) -> str:
    return yaml.dump(variables, Dumper=_IndentedDumper, default_flow_style=False, sort_keys=False,
                     allow_unicode=True, width=4096).rstrip("\n")


def normalise_snippet(text: str) -> str:
    """Snippet text at column 0, no document markers, no trailing spaces or blank lines."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    lines = [line for line in lines if line not in ("---", "...")]
    body = textwrap.dedent("\n".join(lines)).strip("\n")
    if not body.strip():
        return ""
    data = yaml.safe_load(body)
    if isinstance(data, dict):  # a single task written as a mapping: make it a one-item list
        out = []
        for i, line in enumerate(body.split("\n")):
            out.append(("- " if i == 0 else "  ") + line if line else line)
        body = "\n".join(out)
    return body


def parse_tasks(text: str) -> list[dict]:
    data = yaml.safe_load(text) if text.strip() else []
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
        raise ValueError("a task snippet must be a YAML list of task mappings")
    return data


def module_of(task: dict) -> tuple[str | None, object]:
    """(module name as written, its arguments) of a task; (None, None) for blocks and odd tasks."""
    keys = [k for k in task if isinstance(k, str) and k not in _KEYWORDS and not k.startswith("with_")]
    if len(keys) == 1:
        return keys[0], task[keys[0]]
    if "action" in task or "local_action" in task:
        value = task.get("action", task.get("local_action"))
        if isinstance(value, dict) and "module" in value:
            return str(value["module"]), {k: v for k, v in value.items() if k != "module"}
        if isinstance(value, str) and value.split():
            return value.split()[0], " ".join(value.split()[1:])
    return None, None


def short_name(module: str) -> str:
    return module.rsplit(".", 1)[-1]


def notify_names(task: dict) -> list[str]:
    value = task.get("notify")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int, float))]
    return []


# ---------------------------------------------------------------------------------------------
# become


def _args_dict(args) -> dict:
    if isinstance(args, dict):
        return args
    if isinstance(args, str):  # free-form `key=value` arguments
        out = {}
        for part in args.split():
            if "=" in part:
                key, _, value = part.partition("=")
                out[key] = value.strip("'\"")
        return out
    return {}


def _under_root_dir(path) -> bool:
    if not isinstance(path, str):
        return False
    path = path.strip()
    if path.startswith(_USER_PREFIXES):
        return False
    return any(path == p or path.startswith(p + "/") for p in _ROOT_PREFIXES)


def _command_words(args) -> list[str]:
    if isinstance(args, str):
        text = args
    elif isinstance(args, dict):
        if isinstance(args.get("argv"), list):
            return [str(a) for a in args["argv"]]
        text = str(args.get("cmd") or args.get("_raw_params") or "")
    else:
        return []
    return text.split()


def root_reason(task: dict) -> str | None:
    """Why this task needs root, or None. Tasks that set `become` themselves decide for themselves."""
    if "become" in task:
        return None
    module, args = module_of(task)
    if task.get("become_user") and module:
        return f"sets become_user {task['become_user']} (which only applies under become)"
    if module is None:
        return None
    short = short_name(module)
    argd = _args_dict(args)
    if short in ("systemd", "systemd_service") and str(argd.get("scope", "system")) != "system":
        return None
    if short == "pip":
        extra = str(argd.get("extra_args") or "")
        if argd.get("virtualenv") or "--user" in extra:
            return None
        return f"uses {module} without a virtualenv"
    if short == "cron":
        return f"uses {module} for another user" if argd.get("user") or argd.get("cron_file") else None
    if short in _ROOT_MODULES:
        return f"uses {module}"
    if short in ("command", "shell", "raw"):
        words = _command_words(args)
        if words and words[0].rsplit("/", 1)[-1] in _ROOT_COMMANDS:
            return f"runs {words[0]}"
        if _under_root_dir(argd.get("creates")):
            return f"creates {argd['creates']}"
        return None
    if short in _READ_ONLY:
        return None
    for key in _PATH_KEYS:
        if _under_root_dir(argd.get(key)):
            return f"writes {argd[key]}"
    if short in _DEFAULT_PATHS and not argd.get("path"):
        return f"writes {_DEFAULT_PATHS[short]}"
    if short in ("copy", "template", "file", "lineinfile", "blockinfile", "replace", "get_url", "unarchive", "git"):
        # name: is an alias of path for the file-editing modules
        if _under_root_dir(argd.get("name")):
            return f"writes {argd['name']}"
    return None


def infer_become(tasks: list[dict]) -> tuple[bool, str | None]:
    """(needs root, the reason, naming the first task that needs it)."""
    for task in flatten_tasks(tasks):
        reason = root_reason(task)
        if reason:
            return True, f"become: true because task {task.get('name', '(unnamed)')!r} {reason}"
    return False, None


# ---------------------------------------------------------------------------------------------
# handlers


def known_services(tasks: list[dict], modules: tuple[str, ...] = _SERVICE_MODULES + _PACKAGE_MODULES) -> list[str]:
    """Service (and package) names the tasks mention, to pick the service out of a handler name."""
    names: list[str] = []
    for task in flatten_tasks(tasks):
        module, args = module_of(task)
        if not module or short_name(module) not in modules:
            continue
        value = _args_dict(args).get("name") or _args_dict(args).get("pkg")
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


def _handler_names(snippets: list[str]) -> set[str]:
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
    managed = known_services(tasks, _SERVICE_MODULES)
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


# ---------------------------------------------------------------------------------------------
# dropping a notify from the snippet text


def _without(tasks: list, dropped: set[str]) -> list:
    """The parsed tasks as they should read once the dropped notify names are gone."""
    out = []
    for task in tasks:
        if not isinstance(task, dict):
            out.append(task)
            continue
        task = dict(task)
        if "notify" in task:
            kept = [n for n in notify_names(task) if n not in dropped]
            if not kept:
                del task["notify"]
            elif isinstance(task["notify"], list):
                task["notify"] = kept
        for key in BLOCK_KEYS:
            if isinstance(task.get(key), list):
                task[key] = _without(task[key], dropped)
        out.append(task)
    return out


_NOTIFY_LINE = re.compile(r"^(?P<indent> *)(?P<dash>- )?notify:(?P<value>.*)$")


def _drop_notify_text(text: str, dropped: set[str]) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        match = _NOTIFY_LINE.match(line)
        if not match or match.group("dash"):
            out.append(line)
            i += 1
            continue
        indent = len(match.group("indent"))
        value = match.group("value").strip()
        if value and not value.startswith("#"):
            parsed = yaml.safe_load(value)
            items = parsed if isinstance(parsed, list) else [parsed]
            kept = [v for v in items if str(v) not in dropped]
            if len(kept) == len(items):
                out.append(line)
            elif kept:
                out.append(f"{' ' * indent}notify: [{', '.join(scalar(v) for v in kept)}]")
            i += 1
            continue
        # block sequence under notify:, indented or not
        j = i + 1
        items: list[tuple[str, bool]] = []
        while j < len(lines):
            nxt = lines[j]
            stripped = nxt.lstrip(" ")
            depth = len(nxt) - len(stripped)
            if not stripped:
                break
            if depth > indent or (depth == indent and stripped.startswith("- ")):
                if not stripped.startswith("- "):
                    raise ValueError("a multi-line notify item")
                item = yaml.safe_load(stripped[2:])
                items.append((nxt, str(item) in dropped))
                j += 1
            else:
                break
        kept_lines = [item_line for item_line, drop in items if not drop]
        if kept_lines:
            out.append(line)
            out.extend(kept_lines)
        i = j
    return "\n".join(out)


def drop_notify(text: str, dropped: set[str]) -> str:
    """Remove the dropped names from the notify lists in the snippet text, keeping all else."""
    if not dropped or not any(n in dropped for t in flatten_tasks(parse_tasks(text)) for n in notify_names(t)):
        return text
    expected = _without(parse_tasks(text), dropped)
    try:
        edited = _drop_notify_text(text, dropped)
        if parse_tasks(edited) == expected:
            return edited
    except (ValueError, yaml.YAMLError):
        pass
    # An unusual layout: fall back to a round trip that keeps quotes and comments.
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = 4096
    data = rt.load(text)

    def strip(seq):
        for task in seq:
            if not isinstance(task, dict):
                continue
            if "notify" in task:
                value = task["notify"]
                if isinstance(value, str):
                    if value in dropped:
                        del task["notify"]
                else:
                    for k in range(len(value) - 1, -1, -1):
                        if str(value[k]) in dropped:
                            del value[k]
                    if not value:
                        del task["notify"]
            for key in BLOCK_KEYS:
                if isinstance(task.get(key), list):
                    strip(task[key])

    strip(data)
    buffer = StringIO()
    rt.dump(data, buffer)
    return textwrap.dedent(buffer.getvalue()).rstrip("\n")  # ruamel indents the top-level list


# ---------------------------------------------------------------------------------------------
# the playbook


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(prompts_dir())), trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True, autoescape=False,
                             undefined=jinja2.StrictUndefined)
    env.filters["scalar"] = scalar
    return env


_LEADING = re.compile(
    r"^(please\s+|can you\s+|could you\s+|i want to\s+|i need to\s+|we need to\s+|ansible to\s+|"
    r"(write|create|generate|make|build|give me)\s+(me\s+)?(an?\s+)?(ansible\s+)?(playbook|play|tasks?)\s*"
    r"(that|to|which|for|in order to)?[\s:]+)+",
    re.IGNORECASE)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def play_name(prompt: str, limit: int = 80) -> str:
    """A request as a play name: one line, `&` spelled out, capitalised, no trailing full stop."""
    text = " ".join(str(prompt or "").split())
    text = text.replace("{{", "").replace("}}", "")
    text = _LEADING.sub("", text)
    text = re.sub(r"\s*&&?\s*", " and ", text)
    text = re.sub(r"\s*\+\s+", " and ", text)
    text = text.strip(" \t.!?;,:")
    if len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0]
        text = cut.rstrip(" ,;:-") or text[:limit]
    return _capitalise(text) if text else "Generated playbook"


def assemble_playbook(tasks: list[str], *, name: str, hosts: str = "all", become: bool | None = None,
                      vars: dict | None = None, handlers: list[str] | None = None) -> tuple[str, list[str]]:
    """One play around the task snippets; returns (playbook text, notes about what was decided).

    tasks: YAML list text, one snippet per request, each with one or more normalised tasks.
    become: None decides from the tasks (package managers, services, users, files under /etc...).
    vars: play variables, rendered in the given order.
    handlers: handler snippets already written (same form as tasks); notify names that none of
    them answers get a handler inferred from the name ("Restart nginx" -> service nginx restarted),
    or are dropped from the task text (with a note) when the name says nothing usable.
    Raises ValueError when a snippet is not a YAML list of tasks.
    """
    notes: list[str] = []
    snippets: list[str] = []
    parsed: list[dict] = []
    for index, text in enumerate(tasks):
        try:
            body = normalise_snippet(text)
            items = parse_tasks(body)
        except (ValueError, yaml.YAMLError) as exc:
            raise ValueError(f"task snippet {index + 1} is not a YAML list of tasks: {exc}") from exc
        if body:
            snippets.append(body)
            parsed.extend(items)
    extra = [normalise_snippet(text) for text in handlers or []]
    extra = [text for text in extra if text]

    if become is None:
        become, reason = infer_become(parsed)
        if reason:
            notes.append(reason)
        else:
            become = None  # nothing needs root: leave the keyword out
    new_handlers, dropped, handler_notes = plan_handlers(parsed, _handler_names(extra))
    notes.extend(handler_notes)
    if dropped:
        snippets = [drop_notify(text, set(dropped)) for text in snippets]
    if not snippets:
        notes.append("no tasks: the play has an empty task list")

    text = environment().get_template(TEMPLATE).render(
        name=_capitalise(" ".join((name or "").split()) or "Generated playbook"),
        hosts=hosts or "all",
        become=become,
        vars_text=dump_vars(vars) if vars else "",
        tasks=snippets,
        extra_handlers=extra,
        handlers=new_handlers,
    )
    text = "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n") + "\n"
    return text, notes
