"""`ansible-codegen explain`: what a playbook, role or tasks file does, in Markdown, and what a
reviewer should look at.

Everything said about a module or an option comes from the catalog (the installed collections'
own documentation), so it is right where a small model would guess; a module the catalog does
not know is said to be unknown, never described. Task keywords (when, loop, notify...) have a
fixed reading. Review flags are small rules, one function each (RULES in explain_rules.py), in
the spirit of ansible-lint's one rule per file. The model is only asked for an optional summary
paragraph, labelled as model-written; nothing here imports torch unless that summary is asked for.

Tasks are numbered in file order across plays and sections (pre_tasks, tasks, post_tasks,
handlers in the order the play writes them), blocks included: a block is a numbered entry and its
block/rescue/always tasks follow it. `--task N` uses the same numbers.

The work is split by job; this module reads files and walks plays and tasks (explain_path), and
re-exports what the command and its callers use from the others:
- explain_model.py: the data read (Entry, Section, Play, Explained, Flag) and facts about values,
- explain_rules.py: the review rules (RULES, review()),
- explain_markdown.py: rendering to Markdown; explain_summary.py: the optional model-written summary.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from codegen.ansible_files.plays import is_play
from codegen.ansible_files.yaml_load import SafeLoader, Unreadable, YamlError, load_all, read_text

from codegen.authoring.explain_markdown import render_markdown, render_task_markdown
from codegen.authoring.explain_summary import clean_summary, model_summary, render_summary_prompt, summary_prefix
from codegen.ansible_files.commands import COMMAND_MODULES
from codegen.authoring.explain_model import (
    BLOCK_KEYS,
    PLAY_SECTIONS,
    SECRET_NAME,
    TRUE,
    Entry,
    Explained,
    ExplainError,
    Flag,
    Play,
    Section,
    SourceInt,
    Vaulted,
    is_secret_option,
)
from codegen.authoring.explain_rules import RULES, review, rule_id
from codegen.catalog.doc_text import first_sentence
from codegen.ansible_files.keywords import module_key

# Re-exported: explain_command.py and the tests use `explain` as the one entry point.
__all__ = [
    "RULES", "SECRET_NAME", "Entry", "ExplainError", "Explained", "Flag", "Play", "Section", "SourceInt",
    "Vaulted", "clean_summary", "explain_path", "first_sentence", "is_secret_option", "load_yaml_file",
    "model_summary", "module_args", "render_markdown", "render_summary_prompt", "render_task_markdown",
    "review", "rule_id", "summary_prefix",
]

ROLE_VARS = (("defaults", "Defaults"), ("vars", "Variables"))

# ---------------------------------------------------------------------------------------------
# Reading: YAML with line numbers, the source text of integers (0644 vs 644), Ansible's tags


class Mapping(dict):
    """A mapping that knows its 1-based line in the file."""

    line: int | None = None


class _Loader(SafeLoader):
    """Bounded, with ansible's tags; mappings know their line, integers their source text."""


def _construct_map(loader, node):
    data = Mapping()
    data.line = node.start_mark.line + 1
    yield data
    data.update(loader.construct_mapping(node))


def _construct_int(loader, node):
    value = SourceInt(yaml.SafeLoader.construct_yaml_int(loader, node))
    value.raw = node.value
    return value


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def load_yaml_file(path: Path):
    """The one YAML document of a file, or an ExplainError that says what is wrong, on one line."""
    try:
        _, text = read_text(path)
        documents = load_all(text, _Loader)
    except Unreadable as exc:
        raise ExplainError(str(exc)) from exc
    except YamlError as exc:
        raise ExplainError(f"{path}{f':{exc.line}' if exc.line else ''}: {exc}") from exc
    if len(documents) > 1:
        raise ExplainError(f"{path}: several YAML documents in one file; ansible reads only one")
    return text, (documents[0] if documents else None)


# ---------------------------------------------------------------------------------------------
# Collecting: file -> Explained


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
    return isinstance(item, dict) and is_play(item)


def _file_kind(path: Path, text: str, data, catalog) -> str:
    """playbook | tasks | handlers, or an ExplainError saying why this is not an Ansible file."""
    if not isinstance(data, list) or not data:
        raise ExplainError(f"{path}: not an Ansible file (expected a playbook, a list of plays, "
                           "or a tasks file, a list of tasks)")
    if any(_is_play(item) for item in data):
        return "playbook"
    from codegen.ansible_files.classify import AnsibleFile, classify

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
                                                                      no_log=play.get("no_log") in TRUE))
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
