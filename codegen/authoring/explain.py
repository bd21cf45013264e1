"""`ansible-codegen explain`: what a playbook, role or tasks file does, in Markdown, and what a
reviewer should look at.

Everything said about a module or an option comes from the catalog (the installed collections'
own documentation), so it is right where a small model would guess; a module the catalog does
not know is said to be unknown, never described. Task keywords (when, loop, notify...) have a
fixed reading. Review flags are small rules, one function each (see RULES), in the spirit of
ansible-lint's one rule per file. The model is only asked for an optional summary paragraph,
labelled as model-written; nothing here imports torch unless that summary is asked for.

Tasks are numbered in file order across plays and sections (pre_tasks, tasks, post_tasks,
handlers in the order the play writes them), blocks included: a block is a numbered entry and its
block/rescue/always tasks follow it. `--task N` uses the same numbers.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from codegen.grounding.secrets import SECRET_KEY
from codegen.lsp.hover import first_sentence, plain
from codegen.task_keys import is_keyword, module_key

PLAY_SECTIONS = {"pre_tasks": "Pre-tasks", "tasks": "Tasks", "post_tasks": "Post-tasks", "handlers": "Handlers"}
BLOCK_KEYS = ("block", "rescue", "always")
ROLE_VARS = (("defaults", "Defaults"), ("vars", "Variables"))
COMMAND_MODULES = frozenset({"ansible.builtin.command", "ansible.builtin.shell", "ansible.builtin.raw",
                             "ansible.builtin.script", "ansible.windows.win_command", "ansible.windows.win_shell"})
# A secret-looking name: the words of secrets.SECRET_KEY, as whole parts of a snake_case name
# (so `db_password` and `api_key` count, but `passno` and `keyring` do not).
SECRET_NAME = re.compile(r"(?:^|_)(?:" + SECRET_KEY.pattern + r")(?:$|_)", re.IGNORECASE)
_TEMPLATE_VARS = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Modules whose keys are free names, not options (as in validate/argspec.py).
ANY_KEYS = {"ansible.builtin.set_fact": "a fact", "ansible.builtin.add_host": "a host variable"}
_FALSE = (False, "false", "False", "no", "No", "off", 0)
_TRUE = (True, "true", "True", "yes", "Yes", "on")


class ExplainError(ValueError):
    """Input explain cannot read: one line for the user (the CLI turns it into exit code 2)."""


# ---------------------------------------------------------------------------------------------
# Reading: YAML with line numbers, the source text of integers (0644 vs 644), Ansible's tags


class Vaulted(str):
    """A `!vault` value: encrypted, so never shown and never a plain-text secret."""


class SourceInt(int):
    """An integer that remembers how it was written (a file mode 0644 and 644 differ)."""

    raw = ""


class Mapping(dict):
    """A mapping that knows its 1-based line in the file."""

    line: int | None = None


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _construct_map(loader, node):
    data = Mapping()
    data.line = node.start_mark.line + 1
    yield data
    data.update(loader.construct_mapping(node))


def _construct_int(loader, node):
    value = SourceInt(yaml.SafeLoader.construct_yaml_int(loader, node))
    value.raw = node.value
    return value


def _construct_tagged(loader, suffix, node):
    """`!vault`, `!unsafe` and any other local tag: the plain value (vault values marked)."""
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        return Vaulted(value) if suffix == "vault" else value
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_multi_constructor("!", _construct_tagged)


def _line_of(exc: yaml.YAMLError) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def load_yaml_file(path: Path):
    """The one YAML document of a file, or an ExplainError that says what is wrong, on one line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ExplainError(f"{path}: no such file or folder") from exc
    except UnicodeDecodeError as exc:
        raise ExplainError(f"{path}: not UTF-8 text") from exc
    except OSError as exc:
        raise ExplainError(f"{path}: cannot read ({exc.strerror or exc.__class__.__name__})") from exc
    try:
        documents = list(yaml.load_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        line = _line_of(exc)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ExplainError(f"{path}{f':{line}' if line else ''}: not valid YAML ({problem})") from exc
    if len(documents) > 1:
        raise ExplainError(f"{path}: several YAML documents in one file; ansible reads only one")
    return text, (documents[0] if documents else None)


# ---------------------------------------------------------------------------------------------
# The model of what was read: entries (numbered tasks and blocks), sections, plays


@dataclass
class Flag:
    rule: str
    message: str
    number: int | None  # the task's number; None for a play's or a role's variables
    where: str  # "task 3 'Install nginx'" or "play 1 vars"


@dataclass
class Entry:
    """One numbered item of a task list: a task or a block."""

    number: int
    task: dict
    section: str  # tasks | handlers | pre_tasks | post_tasks | block | rescue | always
    source: str  # the file it sits in (relative, for a role)
    parent: int | None = None  # the enclosing block's number
    inherited_no_log: bool = False  # no_log from an enclosing block or the play
    key: str | None = None  # the module key as written
    fqcn: str | None = None
    doc: object = None
    args: dict = field(default_factory=dict)
    children: dict[str, list[int]] = field(default_factory=dict)  # a block's numbers per part
    flags: list[Flag] = field(default_factory=list)

    @property
    def is_block(self) -> bool:
        return any(k in self.task for k in BLOCK_KEYS)

    @property
    def name(self) -> str | None:
        name = self.task.get("name")
        return " ".join(str(name).split()) if name not in (None, "") else None

    @property
    def label(self) -> str:
        return f"task {self.number}" + (f" '{self.name}'" if self.name else "")

    @property
    def no_log(self) -> bool:
        value = self.task.get("no_log")
        return (value in _TRUE or _is_template(value)) if value is not None else self.inherited_no_log

    def command_text(self) -> str:
        """The command line of a command-like task ('' for other modules)."""
        if self.fqcn not in COMMAND_MODULES:
            return ""
        text = self.args.get("_raw_params") or self.args.get("cmd") or self.args.get("free_form") or ""
        argv = self.args.get("argv")
        if not text and isinstance(argv, list):
            text = " ".join(map(str, argv))
        return str(text)


@dataclass
class Section:
    title: str
    entries: list[Entry]


@dataclass
class Play:
    number: int
    data: dict
    sections: list[Section]


@dataclass
class Explained:
    path: Path
    kind: str  # playbook | tasks | handlers | role
    plays: list[Play] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)  # a tasks file's or a role's
    variables: list[tuple[str, dict]] = field(default_factory=list)  # a role's defaults/vars
    entries: list[Entry] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    def entry(self, number: int) -> Entry:
        if not 1 <= number <= len(self.entries):
            count = len(self.entries)
            raise ExplainError(f"--task {number}: {self.path} has {count} task(s)"
                               + (f", numbered 1-{count}" if count else ""))
        return self.entries[number - 1]

    def modules(self) -> dict[str, list[int]]:
        """Each module used (FQCN, or the name as written when unknown) -> the tasks using it."""
        used: dict[str, list[int]] = {}
        for entry in self.entries:
            if entry.key:
                used.setdefault(entry.fqcn or entry.key, []).append(entry.number)
        return used

    def handlers(self, scope: list[Section]) -> dict[str, int]:
        """Handler names (and `listen` topics) -> task numbers, within one play or the role."""
        found: dict[str, int] = {}
        for section in scope:
            if section.title.startswith("Handlers"):
                for entry in section.entries:
                    for name in [entry.task.get("name"), *_as_list(entry.task.get("listen"))]:
                        if name:
                            found.setdefault(str(name), entry.number)
        return found


# ---------------------------------------------------------------------------------------------
# Collecting: file -> Explained


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _is_template(value) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def module_args(task: dict, key: str | None, fqcn: str | None, doc) -> tuple[str | None, dict]:
    """(module key, its arguments as a mapping): free-form strings split as ansible splits them,
    `action:`/`local_action:` forms read, `args:` merged in."""
    value = task.get(key) if key else None
    if key is None:
        action = task.get("action", task.get("local_action"))
        if isinstance(action, dict) and "module" in action:
            key, value = str(action["module"]), {k: v for k, v in action.items() if k != "module"}
        elif isinstance(action, str) and action.strip():
            key, _, value = action.strip().partition(" ")
    if key is None:
        return None, {}
    if isinstance(value, str):
        from ansible.parsing.splitter import parse_kv

        free_form = doc is not None and bool({"free_form", "free-form"} & set(doc.options))
        try:
            value = parse_kv(value, check_raw=free_form or (fqcn in COMMAND_MODULES))
        except Exception:  # noqa: BLE001 - ansible's parser raises its own types; keep the text
            value = {"_raw_params": value}
    args = dict(value) if isinstance(value, dict) else {}
    if isinstance(task.get("args"), dict):
        args.update(task["args"])
    return key, args


class _Collector:
    """Numbers the entries of task lists in file order and resolves their modules."""

    def __init__(self, catalog, out: Explained):
        self.catalog, self.out = catalog, out

    def task_list(self, items, section: str, source: str, parent: int | None = None,
                  no_log: bool = False) -> list[Entry]:
        entries: list[Entry] = []
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                raise ExplainError(f"{self.out.path}: a {section} list holds {type(item).__name__} "
                                   f"{_short(item)!r}, not a task")
            entries += self.entry(item, section, source, parent, no_log)
        return entries

    def entry(self, task: dict, section: str, source: str, parent: int | None, no_log: bool) -> list[Entry]:
        entry = Entry(len(self.out.entries) + 1, task, section, source, parent, no_log)
        self.out.entries.append(entry)
        out = [entry]
        if entry.is_block:
            inner_no_log = entry.no_log
            for part in BLOCK_KEYS:
                children = self.task_list(task.get(part), part, source, entry.number, inner_no_log)
                entry.children[part] = [c.number for c in children if c.parent == entry.number]
                out += children
            return out
        key = module_key(task)
        fqcn = self.catalog.resolve(key) if key else None
        key, entry.args = module_args(task, key, fqcn, self.catalog.get(fqcn) if fqcn else None)
        entry.key = key
        entry.fqcn = self.catalog.resolve(key) if key else None
        entry.doc = self.catalog.get(entry.fqcn) if entry.fqcn else None
        return out


def _short(value, limit: int = 40) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _is_play(item) -> bool:
    return isinstance(item, dict) and any(k in item for k in ("hosts", "import_playbook", "ansible.builtin.import_playbook"))


def _file_kind(path: Path, text: str, data, catalog) -> str:
    """playbook | tasks | handlers, or an ExplainError saying why this is not an Ansible file."""
    if not isinstance(data, list) or not data:
        raise ExplainError(f"{path}: not an Ansible file (expected a playbook, a list of plays, "
                           "or a tasks file, a list of tasks)")
    if any(_is_play(item) for item in data):
        return "playbook"
    from codegen.hooks.files import AnsibleFile, classify

    found = classify(path, text, known_module=lambda name: catalog.resolve(name) is not None)
    if isinstance(found, AnsibleFile) and found.kind in ("tasks", "handlers"):
        return found.kind
    raise ExplainError(f"{path}: not an Ansible file (a list, but neither of plays nor of tasks)")


def explain_path(path: str | Path, catalog) -> Explained:
    """Read a playbook, a tasks/handlers file or a role folder and collect everything to say."""
    path = Path(path)
    if path.is_dir():
        return _explain_role(path, catalog)
    text, data = load_yaml_file(path)
    kind = _file_kind(path, text, data, catalog)
    out = Explained(path, kind)
    collect = _Collector(catalog, out)
    if kind == "playbook":
        for number, play in enumerate(data, 1):
            if not isinstance(play, dict):
                raise ExplainError(f"{path}: play {number} is {type(play).__name__} {_short(play)!r}, not a mapping")
            sections = [Section(PLAY_SECTIONS[key], collect.task_list(value, key, path.name,
                                                                      no_log=play.get("no_log") in _TRUE))
                        for key, value in play.items() if key in PLAY_SECTIONS]
            out.plays.append(Play(number, play, sections))
    else:
        title = "Handlers" if kind == "handlers" else "Tasks"
        out.sections.append(Section(title, collect.task_list(data, kind, path.name)))
    review(out)
    return out


def _role_file(folder: Path, name: str) -> Path | None:
    return next((p for p in (folder / f"{name}.yml", folder / f"{name}.yaml") if p.is_file()), None)


def _explain_role(path: Path, catalog) -> Explained:
    """A role folder: tasks/main.yml then its other tasks files, handlers/main.yml, defaults, vars."""
    main = _role_file(path / "tasks", "main")
    handlers = _role_file(path / "handlers", "main")
    if main is None and handlers is None:
        raise ExplainError(f"{path}: a folder, but not a role (no tasks/main.yml or handlers/main.yml)")
    out = Explained(path, "role")
    collect = _Collector(catalog, out)
    task_files = ([main] if main else []) + sorted(
        p for p in (path / "tasks").glob("*.y*ml") if p.suffix in (".yml", ".yaml") and p != main)
    for file in task_files + ([handlers] if handlers else []):
        _, data = load_yaml_file(file)
        relative = str(file.relative_to(path))
        if data is not None and not isinstance(data, list):
            raise ExplainError(f"{file}: not a list of tasks")
        section = "handlers" if file == handlers else "tasks"
        out.sections.append(Section(f"{section.title()} ({relative})", collect.task_list(data, section, relative)))
    for folder, title in ROLE_VARS:
        file = _role_file(path / folder, "main")
        if file is not None:
            _, data = load_yaml_file(file)
            if data is not None and not isinstance(data, dict):
                raise ExplainError(f"{file}: not a mapping of variables")
            out.variables.append((f"{title} ({file.relative_to(path)})", data or {}))
    review(out)
    return out


# ---------------------------------------------------------------------------------------------
# Review flags: one small function per rule; each returns what a reviewer should hear, or None.


def _walk_args(value, spec: dict | None = None):
    """(key, value, documented spec or {}) for every option, suboptions included."""
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        if key == "_raw_params":
            continue
        option = _option_spec(spec or {}, str(key))
        yield str(key), item, option
        subs = option.get("suboptions")
        for element in (item if isinstance(item, list) else [item]):
            yield from _walk_args(element, subs)


def _option_spec(options: dict, key: str) -> dict:
    if key in options:
        return options[key]
    return next((s for s in options.values() if key in (s.get("aliases") or [])), {})


def is_secret_option(key: str, value, spec: dict) -> bool:
    """A secret by its name (or its doc's no_log), unless the doc says it is a flag, a choice or a path."""
    if value in (None, "") or isinstance(value, (bool, dict, list)):
        return False
    if spec.get("no_log"):
        return True
    if spec.get("choices") or spec.get("type") in ("bool", "path"):
        return False  # update_password: on_create, password_lock: true, private_key: /path/key
    return bool(SECRET_NAME.search(key))


def _secret_options(entry: Entry) -> list[str]:
    options = entry.doc.options if entry.doc is not None else {}
    found = [k for k, v, spec in _walk_args(entry.args, options) if is_secret_option(k, v, spec)]
    for keyword in ("vars", "environment"):
        mapping = entry.task.get(keyword)
        if isinstance(mapping, dict):
            found += [str(k) for k, v in mapping.items() if is_secret_option(str(k), v, {})]
    return found


def _secret_references(value) -> list[str]:
    """Secret-looking variables a value uses in templates: `{{ db_password }}`."""
    if isinstance(value, dict):
        return [name for item in value.values() for name in _secret_references(item)]
    if isinstance(value, list):
        return [name for item in value for name in _secret_references(item)]
    if not isinstance(value, str) or isinstance(value, Vaulted):
        return []
    return [name for expr in _TEMPLATE_VARS.findall(value) for name in _IDENTIFIER.findall(expr)
            if SECRET_NAME.search(name)]


def _code(text) -> str:
    text = str(text)
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def command_without_changed_when(entry: Entry) -> str | None:
    """A command module cannot know whether it changed anything: it reports 'changed' every run."""
    if entry.fqcn not in COMMAND_MODULES or "changed_when" in entry.task:
        return None
    if entry.args.get("creates") or entry.args.get("removes"):
        return None
    return (f"{_code(entry.fqcn.rsplit('.', 1)[-1])} without `changed_when` (or `creates`/`removes`) reports "
            "'changed' on every run: say when it changes something (`changed_when: false` for a read-only command)")


def state_latest(entry: Entry) -> str | None:
    """`state: latest` upgrades whenever a new version is published: runs stop being repeatable."""
    if entry.args.get("state") != "latest":
        return None
    return ("`state: latest` upgrades whenever a newer version is published, so two runs can install different "
            "versions: pin a version or use `state: present` and upgrade deliberately")


def secret_without_no_log(entry: Entry) -> str | None:
    """Module arguments show up in verbose output, failures and callbacks unless no_log hides them."""
    if entry.is_block or entry.no_log:
        return None
    names = _secret_options(entry) + _secret_references(entry.args)
    names += _secret_references({k: entry.task.get(k) for k in ("vars", "environment")})
    if not names:
        return None
    shown = ", ".join(_code(n) for n in dict.fromkeys(names))
    return (f"passes secret-looking value(s) {shown} without `no_log: true`: they can appear in the output "
            "and logs (on failure, or with -v)")


def hardcoded_secret(entry: Entry) -> str | None:
    """A secret written into the file in plain text ends up in version control."""
    options = entry.doc.options if entry.doc is not None else {}
    names = [k for k, v, spec in _walk_args(entry.args, options)
             if is_secret_option(k, v, spec) and not _is_template(v) and not isinstance(v, Vaulted)]
    for keyword in ("vars", "environment"):
        mapping = entry.task.get(keyword)
        if isinstance(mapping, dict):
            names += [str(k) for k in _literal_secrets(mapping)]
    if not names:
        return None
    shown = ", ".join(_code(n) for n in dict.fromkeys(names))
    return f"{shown} written in plain text: keep secrets in Ansible Vault (or a lookup), not in the file"


def ignore_errors(entry: Entry) -> str | None:
    """ignore_errors hides every failure, including the ones nobody expected."""
    value = entry.task.get("ignore_errors")
    if value is None or value in _FALSE:
        return None
    return ("`ignore_errors` hides every failure of this task, including unexpected ones: use `failed_when:` "
            "for the failure you mean to allow")


_CERT_OPTIONS = frozenset({"validate_certs", "validate_cert", "verify_ssl", "ssl_verify", "sslverify",
                           "verify_certs", "tls_verify"})
_INSECURE_CLI = re.compile(r"(?:\bcurl\b.*(?:\s-k\b|--insecure))|--no-check-certificate|GIT_SSL_NO_VERIFY")


def certificate_checks_off(entry: Entry) -> str | None:
    """Without certificate checks anyone on the network path can impersonate the server."""
    off = [k for k, v, _ in _walk_args(entry.args) if k in _CERT_OPTIONS and v in _FALSE]
    if off:
        return f"{_code(off[0] + ': ' + _plain_value(entry.args.get(off[0], False)))} turns TLS certificate checks off"
    if _INSECURE_CLI.search(entry.command_text()):
        return "the command turns TLS certificate checks off (`-k`, `--insecure`, `--no-check-certificate`)"
    return None


def _mode_bits(value) -> int | None:
    """The permission bits a `mode` value gives, as ansible reads it; None for symbolic or templated modes."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)  # ansible takes an integer as is (YAML already read 0644 as octal)
    if isinstance(value, str) and re.fullmatch(r"0?o?[0-7]{3,4}", value.strip()):
        return int(value.strip().replace("o", ""), 8)
    return None


def _symbolic_world_writable(value) -> bool:
    if not isinstance(value, str) or _is_template(value):
        return False
    for clause in value.split(","):
        found = re.fullmatch(r"\s*([ugoa]*)([-+=])([rwxXst]*)\s*", clause)
        if found and found.group(2) in "+=" and "w" in found.group(3) and (not found.group(1) or set(found.group(1)) & set("oa")):
            return True
    return False


def world_writable_mode(entry: Entry) -> str | None:
    """A world-writable file or folder lets any local user change what runs or is served."""
    for key in ("mode", "directory_mode"):
        value = entry.args.get(key)
        bits = _mode_bits(value)
        if (bits is not None and bits & 0o002) or _symbolic_world_writable(value):
            return f"{_code(key + ': ' + _plain_value(value))} makes it world-writable: any local user can change it"
    return None


def decimal_mode(entry: Entry) -> str | None:
    """`mode: 644` is the decimal number 644 (octal 1204), not rw-r--r-- (ansible-lint risky-octal)."""
    value = entry.args.get("mode")
    raw = getattr(value, "raw", "")
    if not isinstance(value, SourceInt) or not re.fullmatch(r"[1-7][0-7]{2,3}", raw):
        return None
    return (f"`mode: {raw}` is the decimal number {raw} (octal {int(value):o}), not `0{raw}`: "
            f"write `'0{raw}'` (quoted) or `0{raw}`")


_PIPE_TO_SHELL = re.compile(r"\b(?:curl|wget)\b[^|;&]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:ba|z|da|k)?sh\b|"
                            r"\b(?:curl|wget)\b[^|;&]*\|\s*(?:sudo\s+)?python\d?\b")


def pipe_to_shell(entry: Entry) -> str | None:
    """Piping a download into a shell runs whatever the server sends, unchecked."""
    if not _PIPE_TO_SHELL.search(entry.command_text()):
        return None
    return ("pipes a download straight into a shell: download it with `ansible.builtin.get_url` "
            "(with `checksum:`) and run the checked file")


_MODULE_FOR = {
    "apt-get": "ansible.builtin.apt", "apt": "ansible.builtin.apt", "yum": "ansible.builtin.dnf",
    "dnf": "ansible.builtin.dnf", "systemctl": "ansible.builtin.systemd_service", "service": "ansible.builtin.service",
    "git": "ansible.builtin.git", "wget": "ansible.builtin.get_url", "curl": "ansible.builtin.get_url or ansible.builtin.uri",
    "mkdir": "ansible.builtin.file", "chmod": "ansible.builtin.file", "chown": "ansible.builtin.file",
    "ln": "ansible.builtin.file", "rm": "ansible.builtin.file", "touch": "ansible.builtin.file",
    "sed": "ansible.builtin.lineinfile or ansible.builtin.replace", "unzip": "ansible.builtin.unarchive",
    "tar": "ansible.builtin.unarchive", "useradd": "ansible.builtin.user", "groupadd": "ansible.builtin.group",
    "pip": "ansible.builtin.pip", "pip3": "ansible.builtin.pip", "crontab": "ansible.builtin.cron",
    "cp": "ansible.builtin.copy", "hostname": "ansible.builtin.hostname", "mount": "ansible.posix.mount",
}


def command_instead_of_module(entry: Entry) -> str | None:
    """A module is idempotent and check-mode aware; the same thing as a command is neither."""
    if entry.fqcn not in ("ansible.builtin.command", "ansible.builtin.shell"):
        return None
    words = [w for w in entry.command_text().split() if "=" not in w or w.startswith("-")]
    while words and words[0] in ("sudo", "env", "-y", "exec"):
        words = words[1:]
    program = words[0].rsplit("/", 1)[-1] if words else ""
    if program not in _MODULE_FOR or pipe_to_shell(entry):
        return None
    return f"runs {_code(program)}, which {_MODULE_FOR[program]} does idempotently (and in check mode)"


def unknown_module(entry: Entry) -> str | None:
    """A module the installed collections do not have fails at run time (or is a typo)."""
    if entry.is_block or not entry.key or entry.fqcn is not None:
        return None
    return (f"{_code(entry.key)} was not found in the installed collections: check the name, or install its "
            "collection")


def no_module(entry: Entry) -> str | None:
    """A task that calls no module (or several) is rejected when the play loads."""
    if entry.is_block or entry.key is not None:
        return None
    several = [k for k in entry.task if isinstance(k, str) and not is_keyword(k)]
    if several:
        return "has several module keys (" + ", ".join(map(_code, several)) + "): ansible rejects the task"
    return "calls no module: ansible rejects the task (a `- name:` stub alone is what `ansible-codegen fill` fills)"


RULES: list[Callable[[Entry], str | None]] = [
    command_without_changed_when, state_latest, secret_without_no_log, hardcoded_secret, ignore_errors,
    certificate_checks_off, world_writable_mode, decimal_mode, pipe_to_shell, command_instead_of_module,
    unknown_module, no_module,
]


def rule_id(rule: Callable) -> str:
    return rule.__name__.replace("_", "-")


def _literal_secrets(mapping: dict) -> list[str]:
    """Secret-looking variables given a plain-text value (not a template, not !vault)."""
    return [str(k) for k, v in mapping.items()
            if is_secret_option(str(k), v, {}) and not _is_template(v) and not isinstance(v, Vaulted)]


def review(out: Explained) -> None:
    """Run every rule on every entry; flag plain-text secrets in play vars and role variables."""
    for entry in out.entries:
        for rule in RULES:
            message = rule(entry)
            if message:
                entry.flags.append(Flag(rule_id(rule), message, entry.number, entry.label))
    for play in out.plays:
        if isinstance(play.data.get("vars"), dict):
            _variable_flags(out, play.data["vars"], f"play {play.number} vars")
    for title, mapping in out.variables:
        _variable_flags(out, mapping, title)
    out.flags = sorted([f for e in out.entries for f in e.flags] + out.flags,
                       key=lambda f: (f.number is None, f.number or 0))


def _variable_flags(out: Explained, mapping: dict, where: str) -> None:
    names = _literal_secrets(mapping)
    if names:
        shown = ", ".join(_code(n) for n in names)
        out.flags.append(Flag("hardcoded-secret", f"{shown} written in plain text: keep secrets in Ansible Vault "
                              "(or a lookup), not in the file", None, where))


# ---------------------------------------------------------------------------------------------
# Rendering: Markdown


def _plain_value(value) -> str:
    """A value as written, on one line (integers as in the file: 0644 stays 0644)."""
    if isinstance(value, Vaulted):
        return "!vault (encrypted)"
    if isinstance(value, SourceInt) and value.raw:
        return value.raw
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str, ensure_ascii=False)
    return " ".join(str(value).split())


def show(value, limit: int = 100, secret: bool = False) -> str:
    """A value for the Markdown: in backticks, cut to `limit`; a plain-text secret is not shown."""
    if secret and not _is_template(value) and not isinstance(value, Vaulted):
        return "*(hidden: looks like a secret)*"
    text = _plain_value(value)
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return _code(text)


def choice_note(spec: dict, value) -> str:
    """What the documentation says about the chosen value, when it says something."""
    choices = spec.get("choices")
    if isinstance(choices, dict):  # documented as {choice: description}
        said = choices.get(value) if isinstance(value, str) else None
        return first_sentence(said or "", 200) if said else ""
    if not isinstance(value, str) or not choices or value not in [str(c) for c in choices]:
        return ""
    text = " ".join(str(spec.get("description") or "").split())
    sentences = re.split(r"(?<=[.!?])\s+", text)[1:]  # the first one is shown already
    for sentence in sentences:
        complete = sentence.rstrip().endswith((".", "!", "?", ")"))  # the catalog cuts long descriptions
        if complete and re.search(r"\b[VC]\(" + re.escape(value) + r"\)", sentence):
            return first_sentence(sentence, 200)
    return ""


def option_lines(args: dict, options: dict, fqcn: str, indent: str = "") -> list[str]:
    """One bullet per option given: its value and the first sentence of its documentation."""
    lines = []
    for key, value in args.items():
        if key == "_raw_params":
            continue
        canonical = _canonical(options, str(key))
        spec = options.get(canonical, {}) if canonical else {}
        secret = is_secret_option(str(key), value, spec)
        head = f"{indent}- {_code(key)} = {show(value, secret=secret)}"
        if canonical is None:
            lines.append(f"{head}: {ANY_KEYS[fqcn]} it sets" if fqcn in ANY_KEYS
                         else f"{head}: not a documented option of {fqcn}")
            continue
        text = first_sentence(spec.get("description") or "", 200)
        note = choice_note(spec, value)
        if canonical != key:
            text = f"(alias of {_code(canonical)}) {text}"
        if spec.get("default") is not None and _plain_value(spec["default"]) == _plain_value(value):
            note = (note + " " if note else "") + "(this is the default)"
        lines.append(head + (f": {text}" if text else "") + (f" — {note}" if note else ""))
        subs = spec.get("suboptions")
        if subs and isinstance(value, dict) and not indent:
            lines += option_lines(value, subs, fqcn, indent + "  ")
    return lines


def _canonical(options: dict, key: str) -> str | None:
    if key in options:
        return key
    return next((n for n, s in options.items() if key in (s.get("aliases") or [])), None)


def _loop_sentence(task: dict) -> str | None:
    loop_key = "loop" if "loop" in task else next((k for k in task if isinstance(k, str) and k.startswith("with_")), None)
    if loop_key is None:
        return None
    control = task.get("loop_control") if isinstance(task.get("loop_control"), dict) else {}
    var = control.get("loop_var", "item")
    how = "" if loop_key == "loop" else f" ({_code(loop_key)})"
    return f"Repeats for each item of {show(task[loop_key])}{how}; the current one is {_code(var)}."


def keyword_sentences(task: dict, handlers: dict[str, int]) -> list[str]:
    """The task keywords in plain words."""
    out = []
    if "when" in task:
        conditions = _as_list(task["when"])
        out.append("Runs only when " + " and ".join(show(c) for c in conditions) + ".")
    loop = _loop_sentence(task)
    if loop:
        out.append(loop)
    if "until" in task:
        out.append(f"Retries up to {task.get('retries', 3)} times, {task.get('delay', 5)} s apart, "
                   f"until {show(task['until'])}.")
    if "register" in task:
        out.append(f"Saves its result in the variable {_code(task['register'])}.")
    if task.get("notify"):
        names = [f"{_code(n)}" + (f" (task {handlers[str(n)]})" if str(n) in handlers else "")
                 for n in _as_list(task["notify"])]
        out.append("When it changes something, notifies " + ", ".join(names)
                   + ": the handler runs once, at the end of the play's tasks.")
    if "listen" in task:
        out.append("Also runs when " + ", ".join(_code(n) for n in _as_list(task["listen"])) + " is notified.")
    if "become" in task or "become_user" in task:
        if task.get("become") in _FALSE and "become" in task:
            out.append("Runs without privilege escalation (`become: false`).")
        else:
            out.append(f"Runs with privilege escalation as {_code(task.get('become_user', 'root'))}"
                       + (f" via {_code(task['become_method'])}" if "become_method" in task else "") + ".")
    if "changed_when" in task:
        value = task["changed_when"]
        out.append("Never reports 'changed'." if value in _FALSE else f"Reports 'changed' only when {show(value)}.")
    if "failed_when" in task:
        value = task["failed_when"]
        out.append("Never fails." if value in _FALSE else f"Fails only when {show(value)}.")
    if task.get("ignore_errors") not in (None, *_FALSE):
        out.append("A failure does not stop the play (`ignore_errors`).")
    if task.get("delegate_to"):
        out.append(f"Runs on {show(task['delegate_to'])} instead of each target host (`delegate_to`).")
    if task.get("run_once") not in (None, *_FALSE):
        out.append("Runs once for the whole batch of hosts, not on every host (`run_once`).")
    if "no_log" in task:
        out.append("Its arguments and results are kept out of the output and logs (`no_log`)."
                   if task["no_log"] not in _FALSE else "Logging is explicitly on (`no_log: false`).")
    if "check_mode" in task:
        out.append("Always runs in check mode (changes nothing)." if task["check_mode"] not in _FALSE
                   else "Runs for real even in check mode (`check_mode: false`).")
    if "async" in task:
        out.append(f"Runs in the background for up to {task['async']} s"
                   + (" without waiting for it (`poll: 0`)." if task.get("poll") in (0, "0") else "."))
    for keyword, words in (("vars", "Sets task variables"), ("environment", "Sets environment variables")):
        if isinstance(task.get(keyword), dict) and task[keyword]:
            out.append(f"{words}: " + ", ".join(_code(k) for k in task[keyword]) + ".")
    if task.get("tags"):
        out.append("Tags: " + ", ".join(_code(t) for t in _as_list(task["tags"])) + ".")
    said = {"name", "when", "loop", "loop_control", "until", "retries", "delay", "register", "notify", "listen",
            "become", "become_user", "become_method", "changed_when", "failed_when", "ignore_errors", "delegate_to",
            "run_once", "no_log", "check_mode", "async", "poll", "vars", "environment", "tags", "args", "action",
            "local_action", *BLOCK_KEYS}
    other = [k for k in task if isinstance(k, str) and is_keyword(k) and k not in said and not k.startswith("with_")]
    if other:
        out.append("Other keywords: " + ", ".join(f"{_code(k)} = {show(task[k], 60)}" for k in other) + ".")
    if "local_action" in task:
        out.append("Runs on the control node (`local_action`).")
    return out


def _heading(entry: Entry, level: int) -> str:
    where = f" *({entry.section} of task {entry.parent})*" if entry.parent else ""
    line = getattr(entry.task, "line", None)
    at = f" — {entry.source}:{line}" if line else ""
    return f"{'#' * level} Task {entry.number}: {entry.name or '(no name)'}{where}{at}"


def entry_markdown(entry: Entry, level: int, handlers: dict[str, int]) -> list[str]:
    """One task (or block), with its module, options, keywords and flags."""
    lines = [_heading(entry, level), ""]
    if entry.is_block:
        parts = [f"{part} {_numbers(numbers)}" for part, numbers in entry.children.items() if numbers]
        lines.append("A block: " + "; ".join(parts) + "." if parts else "An empty block.")
        if entry.children.get("rescue"):
            lines.append("If a task of the block fails, the rescue tasks run (and the failure counts as handled).")
        if entry.children.get("always"):
            lines.append("The always tasks run whatever happened.")
    elif entry.key is None:
        extra = [k for k in entry.task if isinstance(k, str) and not is_keyword(k)]
        lines.append("This task calls no module." if not extra
                     else "This task has several module keys, which ansible rejects: " + ", ".join(map(_code, extra)) + ".")
    elif entry.doc is None:
        lines.append(f"Calls {_code(entry.key)}: not found in the installed collections, so nothing is said about "
                     "what it does or about its options.")
        given = [f"- {_code(k)} = {show(v)}" for k, v in entry.args.items() if k != "_raw_params"]
        lines += [""] + given if given else []
    else:
        written = "" if entry.key == entry.doc.fqcn else f" (written {_code(entry.key)})"
        lines.append(f"Module {_code(entry.doc.fqcn)}{written}: {plain(entry.doc.short_description).rstrip('.')}.")
        raw = entry.args.get("_raw_params")
        if raw is not None:
            what = "Command" if entry.fqcn in COMMAND_MODULES else "Free-form argument"
            lines.append(f"{what}: {show(raw, 200)}")
        options = option_lines(entry.args, entry.doc.options, entry.doc.fqcn)
        if options:
            lines += [""] + options
    keywords = keyword_sentences(entry.task, handlers)
    if keywords:
        lines += [""] + (["For each task inside:"] if entry.is_block else []) + keywords
    if entry.flags:
        lines += [""] + "\n>\n".join(f"> **Review [{f.rule}]:** {f.message}" for f in entry.flags).split("\n")
    return lines + [""]


def _numbers(numbers: list[int]) -> str:
    """'task 7', 'tasks 5-6', or 'tasks 5, 8' (a nested block's own tasks sit between)."""
    if len(numbers) == 1:
        return f"task {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"tasks {numbers[0]}-{numbers[-1]}"
    return "tasks " + ", ".join(map(str, numbers))


def variable_lines(mapping: dict) -> list[str]:
    return [f"- {_code(k)} = {show(v, 80, secret=is_secret_option(str(k), v, {}))}" for k, v in mapping.items()]


def play_markdown(play: Play, handlers: dict[str, int]) -> list[str]:
    data = play.data
    imported = next((data[k] for k in ("import_playbook", "ansible.builtin.import_playbook") if k in data), None)
    title = data.get("name") or (f"import {imported}" if imported else "(no name)")
    lines = [f"## Play {play.number}: {title}", ""]
    if imported is not None:
        lines.append(f"Imports and runs the playbook {_code(imported)} here.")
    else:
        lines += play_sentences(data)
    for key in ("vars", "vars_files"):
        if data.get(key):
            lines += ["", f"{'Variables' if key == 'vars' else 'Variable files'}:"]
            lines += variable_lines(data[key]) if isinstance(data[key], dict) else [f"- {show(v)}" for v in _as_list(data[key])]
    if data.get("roles"):
        lines += ["", "Roles applied, in order, before the tasks:"] + [f"- {role_line(r)}" for r in _as_list(data["roles"])]
    lines.append("")
    for section in play.sections:
        lines += [f"### {section.title}", ""]
        if not section.entries:
            lines += ["(none)", ""]
        for entry in section.entries:
            lines += entry_markdown(entry, 4, handlers)
    return lines


def play_sentences(data: dict) -> list[str]:
    """Where a play runs and how (hosts, become, facts, and its other keywords)."""
    out = [f"Runs on the hosts {show(data.get('hosts'))}"
           + (f" as {_code(data['remote_user'])}" if data.get("remote_user") else "") + "."]
    if data.get("become") not in (None, *_FALSE):
        out.append(f"Every task runs with privilege escalation as {_code(data.get('become_user', 'root'))} "
                   "unless it says otherwise.")
    gather = data.get("gather_facts", True)
    out.append("Facts are gathered first." if gather not in _FALSE else "Facts are not gathered (`gather_facts: false`).")
    if data.get("serial") is not None:
        out.append(f"Hosts are handled in batches of {show(data['serial'])} (`serial`).")
    said = {"name", "hosts", "become", "become_user", "gather_facts", "serial", "vars", "vars_files", "roles",
            "remote_user", *PLAY_SECTIONS}
    other = [k for k in data if k not in said]
    if other:
        out.append("Other play keywords: " + ", ".join(f"{_code(k)} = {show(data[k], 60)}" for k in other) + ".")
    return out


def role_line(role) -> str:
    if not isinstance(role, dict):
        return _code(role)
    name = role.get("role", role.get("name", "?"))
    rest = [k for k in role if k not in ("role", "name")]
    return _code(name) + (" with " + ", ".join(_code(k) for k in rest) if rest else "")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _what(out: Explained) -> str:
    tasks = sum(not e.is_block for e in out.entries)
    blocks = len(out.entries) - tasks
    counted = _count(tasks, "task") + (f" and {_count(blocks, 'block')}" if blocks else "")
    if out.kind == "playbook":
        return f"A playbook: {_count(len(out.plays), 'play')}, {counted}."
    if out.kind == "role":
        return f"A role: {counted} in {_count(len(out.sections), 'file')}."
    return f"A {'handlers' if out.kind == 'handlers' else 'tasks'} file: {counted}."


def modules_markdown(out: Explained) -> list[str]:
    """Each module once, with what it does, the tasks that use it and the collection it comes from."""
    lines = ["## Modules used", ""]
    for name, numbers in out.modules().items():
        doc = out.entries[numbers[0] - 1].doc
        tasks = f"task{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"
        if doc is None:
            lines.append(f"- {_code(name)}: not found in the installed collections ({tasks})")
            continue
        source = f"; {doc.collection} {doc.version}" if doc.version else ""
        lines.append(f"- {_code(name)}: {plain(doc.short_description).rstrip('.')} ({tasks}{source})")
    return lines + [""] if len(lines) > 2 else []


def flags_markdown(flags: list[Flag]) -> list[str]:
    lines = ["## Review flags", ""]
    if not flags:
        return lines + ["None found.", ""]
    for flag in flags:
        where = flag.where[:1].upper() + flag.where[1:]
        lines.append(f"- **{where}** [{flag.rule}]: {flag.message}")
    return lines + [""]


MODEL_NOTE = ("*Written by the local language model and not checked; everything below it comes from "
              "the modules' documentation.*")


def summary_markdown(summary: str) -> list[str]:
    if not summary.strip():
        return ["## Summary (written by the model)", "",
                "*The local model gave no usable summary; the explanation below does not depend on it.*", ""]
    return ["## Summary (written by the model)", "", MODEL_NOTE, "", "> " + summary, ""]


def render_markdown(out: Explained, summary: str | None = None) -> str:
    """The whole explanation: overview, flags, then play by play (or section by section)."""
    title = f"Role {out.path.name}" if out.kind == "role" else out.path.name
    lines = [f"# {title}", "", _what(out), ""]
    if summary is not None:
        lines += summary_markdown(summary)
    lines += modules_markdown(out)
    lines += flags_markdown(out.flags)
    for play in out.plays:
        lines += play_markdown(play, out.handlers(play.sections))
    for title, mapping in out.variables:
        lines += [f"## {title}", ""] + (variable_lines(mapping) or ["(none)"]) + [""]
    handlers = out.handlers(out.sections)
    for section in out.sections:
        lines += [f"## {section.title}", ""]
        if not section.entries:
            lines += ["(none)", ""]
        for entry in section.entries:
            lines += entry_markdown(entry, 3, handlers)
    return "\n".join(lines).rstrip() + "\n"


def render_task_markdown(out: Explained, number: int) -> str:
    """Only task N, with where it sits."""
    entry = out.entry(number)
    play = next((p for p in out.plays if any(entry in s.entries for s in p.sections)), None)
    scope = play.sections if play else out.sections
    where = f"play {play.number} ({play.data.get('name') or play.data.get('hosts')}), " if play else ""
    lines = entry_markdown(entry, 1, out.handlers(scope))
    lines.insert(1, f"\n*In {out.path.name}: {where}{entry.section}.*")
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------------------------------------
# The model's summary (opt-in): the only part that loads a model

SUMMARY_TASKS = 40  # a longer prompt costs CPU time and a 270M model loses the thread anyway


def summary_prefix(out: Explained) -> str:
    return f"This {'tasks file' if out.kind in ('tasks', 'handlers') else out.kind}"


def _prompt_task(entry: Entry) -> dict:
    does = plain(entry.doc.short_description).rstrip(".") if entry.doc is not None else ""
    return {"number": entry.number, "name": entry.name or "(no name)",
            "module": "a block" if entry.is_block else entry.fqcn or entry.key or "no module", "does": does}


def _play_title(play: Play) -> str:
    data = play.data
    if "hosts" not in data:
        return f"Play {play.number} imports another playbook"
    become = ", as root" if data.get("become") not in (None, *_FALSE) else ""
    return f"Play \"{data.get('name') or play.number}\" on hosts {_plain_value(data['hosts'])}{become}"


def render_summary_prompt(out: Explained) -> str:
    """The prompt for --summary: the plays and tasks, each task's module as documented, the summary's start.

    Option values are left out: the model needs what the tasks do, and no secret may reach a prompt."""
    from codegen.prompt import environment

    if out.plays:
        groups = [{"title": _play_title(p), "tasks": [_prompt_task(e) for s in p.sections for e in s.entries]}
                  for p in out.plays]
    else:
        groups = [{"title": s.title, "tasks": [_prompt_task(e) for e in s.entries]} for s in out.sections]
    budget = SUMMARY_TASKS
    for group in groups:
        group["tasks"], budget = group["tasks"][:max(budget, 0)], budget - len(group["tasks"])
    return environment().get_template("explain.j2").render(
        filename=out.path.name, kind=out.kind, groups=groups, prefix=summary_prefix(out)).rstrip("\n")


_NOT_PROSE = re.compile(r"(^|\s)-\s+\w+:|\{\{|```|\w+:\s+\w+:")


def clean_summary(prefix: str, completion: str) -> str:
    """The model's continuation -> one paragraph cut after its last full sentence; "" when it is
    not prose (a small model may echo YAML instead of summarising: then it adds nothing)."""
    if not completion.startswith(" ") or _NOT_PROSE.search(completion):
        return ""
    text = " ".join((prefix + completion).split("\n\n", 1)[0].split())
    end = max(text.rfind(". "), text.rfind(".") if text.endswith(".") else -1)
    if end > len(prefix):
        text = text[:end + 1]
    return text if len(text) > len(prefix) + 10 else ""


def model_summary(out: Explained, backend=None) -> str:
    """Ask the local model (bare base, no adapter: the adapter is tuned to write tasks) for a summary."""
    if backend is None:
        from codegen.backends.local import LocalBackend

        backend = LocalBackend(adapter=None, max_new_tokens=120)
    generation = backend.complete(render_summary_prompt(out))
    return clean_summary(summary_prefix(out), getattr(generation, "text", generation))
