"""Which staged YAML files are Ansible, where their task lists lie, and which tasks are stubs.

A file is Ansible when it is
- a playbook: a list of mappings where a play key appears (`hosts`, `import_playbook`); its task
  lists are each play's `pre_tasks`, `tasks`, `post_tasks` and `handlers`;
- a tasks (or handlers) file: a list of mappings under a `tasks/` or `handlers/` folder (a role's),
  or anywhere else when every item is task-shaped (keywords plus at most one module key) and at
  least one shows it is a task: a module the catalog knows, an FQCN, a `block:` or a keyword only
  tasks use (`register`, `when`, `notify`, `become`, `loop`...);
- an empty file holding `# codegen:` requests (a tasks file to be).
Anything else (a mapping at the top, several documents, a list of other things) is not Ansible and
both hooks leave it alone: docker-compose files, k8s manifests, `.pre-commit-config.yaml`, vars files,
galaxy requirements.

Blocks (`block`, `rescue`, `always`) are task lists too, at any depth. Line numbers come from PyYAML
node marks (libyaml), so nothing is re-dumped: a fixer edits the lines it has to and no other.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from codegen.ansible_files.plays import BLOCK_KEYS, PLAY_SECTIONS, is_play
from codegen.ansible_files.yaml_load import SafeLoader, describe_failure
from codegen.ansible_files.keywords import is_keyword

_LOADER = SafeLoader  # bounded: an alias bomb or a recursive alias is a YAML error, not a hang
# Keywords that only a task carries: one of them makes a list item a task even with an unknown module.
TASK_ONLY_KEYWORDS = frozenset({
    "register", "when", "notify", "become", "become_user", "become_method", "loop", "loop_control",
    "changed_when", "failed_when", "delegate_to", "ignore_errors", "no_log", "run_once", "listen",
    "until", "local_action", "module_defaults", "check_mode", "delegate_facts", "ignore_unreachable",
})
_FQCN = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+$")
COMMENT_STUB = re.compile(r"^([ ]*)#[ \t]*codegen:[ \t]*(.*?)[ \t]*$")
# Line breaks as YAML (and PyYAML/libyaml marks) count them; str.splitlines() knows more of them.
_LINE = re.compile(r"[^\n\r\x85\u2028\u2029]*(?:\r\n|[\n\r\x85\u2028\u2029]|\Z)")
_NULLS = {"", "~", "null", "Null", "NULL"}


def split_lines(text: str) -> list[str]:
    """Lines with their line breaks kept; "".join() gives the text back."""
    return [m for m in _LINE.findall(text) if m]


def line_break(text: str) -> str:
    """The file's line break (the first one found), for lines we write into it."""
    found = re.search(r"\r\n|[\n\r]", text)
    return found.group(0) if found else "\n"


def path_hint(path: str | Path) -> str | None:
    """What the path alone says: 'tasks' or 'handlers' (a role's folders), 'playbook', or None."""
    path = Path(path)
    for part in reversed(path.parent.parts[-2:]):
        if part in ("tasks", "handlers"):
            return part
    if path.parent.name == "playbooks" or path.stem in ("site", "playbook"):
        return "playbook"
    return None


@dataclass
class TaskList:
    """One list of tasks: a tasks file's top level, a play's tasks/handlers..., a block's children."""

    items: list  # the item nodes (yaml.Node), usually MappingNode
    column: int | None  # column of the items' dashes; None for an empty list (`tasks:` with no value)
    region: tuple[int, int]  # 0-based [first, end) lines where its items and comments between them lie
    min_column: int  # items may not sit left of this (the column of the key that owns the list)
    nested: bool = False  # inside a block
    handlers: bool = False  # a play's handlers: (a handlers file says so by its kind)
    collections: tuple[str, ...] = ()  # the play's `collections:` keyword

    def content_spans(self) -> list[tuple[int, int]]:
        """0-based (first, last) lines of each item's content (trailing comments excluded)."""
        return [(item.start_mark.line, last_line(item)) for item in self.items]


@dataclass
class Stub:
    """A task to generate: `- name: <request>` alone, or a `# codegen: <request>` comment line."""

    kind: str  # "name" or "comment"
    request: str
    first: int  # 0-based first line it takes
    last: int  # 0-based last line it takes (inclusive)
    column: int  # where the generated task's dash goes
    tasks: TaskList

    @property
    def line(self) -> int:
        return self.first + 1


@dataclass
class Note:
    """Something a hook reports about a file (1-based line)."""

    line: int | None
    level: str  # error | warning
    check: str
    message: str


@dataclass
class AnsibleFile:
    path: Path
    kind: str  # playbook | tasks | handlers
    bom: str
    text: str
    lines: list[str]
    root: yaml.Node | None
    lists: list[TaskList] = field(default_factory=list)

    def top_lists(self) -> list[TaskList]:
        return [tl for tl in self.lists if not tl.nested]


@dataclass
class Broken:
    """A file that is not YAML ansible can read (kind: what its path says, else "yaml")."""

    path: Path
    kind: str
    note: Note
    error: Exception | None = None  # the parser's own error, for a caller that reports it its own way


def last_line(node) -> int:
    """0-based line of the node's last character of content (block collections' end marks lie
    at the next token, after any trailing comments and blank lines, so they are not used)."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        mark = node.end_mark
        if mark.column == 0 and mark.line > node.start_mark.line:
            return mark.line - 1  # block scalars end at the start of the next line
        return mark.line
    if isinstance(node, yaml.SequenceNode):
        children = node.value
    else:
        children = [part for pair in node.value for part in pair]
    return max((last_line(child) for child in children), default=node.start_mark.line)


def _keys(node) -> list:
    return [k.value if isinstance(k, yaml.ScalarNode) else None for k, _ in node.value]


def _is_null(node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null") and node.value in _NULLS


def _tasks_kind(items: list, known_module: Callable[[str], bool]) -> bool:
    """Do these list items read as tasks (no path hint to go on)?"""
    evidence = False
    for item in items:
        if not isinstance(item, yaml.MappingNode):
            return False
        keys = _keys(item)
        if None in keys:
            return False
        if any(k in BLOCK_KEYS for k in keys):
            evidence = True
            continue
        others = [k for k in keys if not is_keyword(k)]
        if len(others) > 1:
            return False  # data with several fields, not a task calling one module
        if any(k in TASK_ONLY_KEYWORDS or k.startswith("with_") for k in keys):
            evidence = True
        if others and (_FQCN.match(others[0]) or known_module(others[0])):
            evidence = True
    return evidence


def _document_bounds(lines: list[str]) -> tuple[int, int]:
    """0-based [first, end) lines of the document's content: after a `---` line, before a `...` one."""
    first, end = 0, len(lines)
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.startswith("%"):
            continue
        if stripped.startswith("---"):
            first = index + 1
        break
    for index in range(len(lines) - 1, first - 1, -1):
        stripped = lines[index].strip()
        if stripped == "...":
            end = index
            break
        if stripped and not stripped.startswith("#"):
            break
    return first, end


def _add_list(out: list[TaskList], node, region: tuple[int, int], min_column: int, nested: bool,
              handlers: bool = False, collections: tuple[str, ...] = ()) -> None:
    if node is None or _is_null(node):
        out.append(TaskList([], None, region, min_column, nested, handlers, collections))
        return
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or not node.value:
        return  # `tasks: []` and other flow lists: nothing to fill in, and ansible-lint sees them
    items = node.value
    out.append(TaskList(items, node.start_mark.column, region, min_column, nested, handlers, collections))
    for index, item in enumerate(items):
        if not isinstance(item, yaml.MappingNode):
            continue
        item_end = items[index + 1].start_mark.line if index + 1 < len(items) else region[1]
        _add_keyed_lists(out, item, BLOCK_KEYS, item_end, nested=True)


def _add_keyed_lists(out: list[TaskList], mapping, keys: tuple[str, ...], end: int, nested: bool,
                     collections: tuple[str, ...] = ()) -> None:
    pairs = mapping.value
    for index, (key, value) in enumerate(pairs):
        if isinstance(key, yaml.ScalarNode) and key.value in keys:
            value_end = pairs[index + 1][0].start_mark.line if index + 1 < len(pairs) else end
            _add_list(out, value, (key.start_mark.line + 1, value_end), key.start_mark.column, nested,
                      handlers=key.value == "handlers", collections=collections)


def _play_collections(play) -> tuple[str, ...]:
    """A play's `collections:` keyword: where its short module names are looked up."""
    for key, value in play.value:
        if getattr(key, "value", None) == "collections" and isinstance(value, yaml.SequenceNode):
            return tuple(v.value for v in value.value if isinstance(v, yaml.ScalarNode))
    return ()


def classify(path: str | Path, text: str, bom: str = "",
             known_module: Callable[[str], bool] = lambda name: False) -> AnsibleFile | Broken | None:
    """An AnsibleFile with its task lists, Broken (Ansible by its path but unreadable YAML), or None.
    known_module: module names the caller knows (its catalog), for files whose path says nothing;
    an FQCN counts without it."""
    path = Path(path)
    hint = path_hint(path)
    try:
        documents = list(yaml.compose_all(text, Loader=_LOADER))
    except (yaml.YAMLError, RecursionError) as exc:
        # Whatever its path: a hook given a file it cannot parse says so (a Helm template is
        # excluded in the hook's config, as for pre-commit's own check-yaml).
        line, message = describe_failure(exc, text)
        return Broken(path, hint or "yaml", Note(line, "error", "syntax", message.replace("the tasks are", "the file is")),
                      exc)
    lines = split_lines(text)
    if len(documents) > 1:
        if hint in ("tasks", "handlers"):
            return Broken(path, hint, Note(documents[1].start_mark.line + 1, "error", "syntax",
                                           "several YAML documents in one file: ansible reads only one"))
        return None
    root = documents[0] if documents else None
    bounds = _document_bounds(lines)
    if root is None:
        if any(COMMENT_STUB.match(line.rstrip("\r\n")) for line in lines):
            kind = hint if hint in ("tasks", "handlers") else "tasks"
            return AnsibleFile(path, kind, bom, text, lines, None, [TaskList([], None, bounds, 0)])
        return None
    if not isinstance(root, yaml.SequenceNode) or not root.value:
        return None
    items = root.value
    if any(isinstance(i, yaml.MappingNode) and is_play(_keys(i)) for i in items):
        found = AnsibleFile(path, "playbook", bom, text, lines, root)
        for index, play in enumerate(items):
            if isinstance(play, yaml.MappingNode):
                end = items[index + 1].start_mark.line if index + 1 < len(items) else bounds[1]
                _add_keyed_lists(found.lists, play, PLAY_SECTIONS, end, nested=False,
                                 collections=_play_collections(play))
        return found
    if hint in ("tasks", "handlers"):
        kind = hint
    elif _tasks_kind(items, known_module):
        kind = "tasks"
    else:
        return None
    found = AnsibleFile(path, kind, bom, text, lines, root)
    _add_list(found.lists, root, bounds, 0, nested=False)
    return found


def _scalar_spans(node, spans: set[int], seen: set[int]) -> None:
    """Lines inside multi-line scalars and flow collections (a '#' there is text, not a comment)."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        end = last_line(node)
        spans.update(range(node.start_mark.line + 1, end + 1))
        return
    children = node.value if isinstance(node, yaml.SequenceNode) else [p for pair in node.value for p in pair]
    for child in children:
        _scalar_spans(child, spans, seen)


def find_stubs(found: AnsibleFile) -> tuple[list[Stub], list[Note]]:
    """The stubs of a file in line order, and notes on requests that cannot be filled where they are."""
    stubs: list[Stub] = []
    notes: list[Note] = []
    for tl in found.lists:
        for item in tl.items:
            if not isinstance(item, yaml.MappingNode) or len(item.value) != 1:
                continue
            key, value = item.value[0]
            if not (isinstance(key, yaml.ScalarNode) and key.value == "name"):
                continue
            if _is_null(value) or (isinstance(value, yaml.ScalarNode) and not value.value.strip()):
                notes.append(Note(item.start_mark.line + 1, "error", "stub",
                                  "a task with an empty name and no module: write the request after 'name:'"))
                continue
            if not isinstance(value, yaml.ScalarNode):
                continue
            stubs.append(Stub("name", " ".join(value.value.split()), dash_line(found.lines, item, tl.column),
                              last_line(item), tl.column, tl))
    inside: set[int] = set()
    if found.root is not None:
        _scalar_spans(found.root, inside, set())
    for index, line in enumerate(found.lines):
        match = COMMENT_STUB.match(line.rstrip("\r\n"))
        if not match or index in inside:
            continue
        column, request = len(match.group(1)), match.group(2)
        if not request.strip():
            notes.append(Note(index + 1, "error", "stub", "'# codegen:' with no request: say what the task should do"))
            continue
        tl = _list_for_comment(found.lists, index, column)
        if tl is None:
            notes.append(Note(index + 1, "error", "stub",
                              "'# codegen:' is not between the tasks of a task list (tasks:, handlers:, block: "
                              "or a tasks file), so there is nowhere to put a task: move it there"))
            continue
        if tl.column is None:
            tl.column = column  # an empty list takes the column of its first request
        stubs.append(Stub("comment", " ".join(request.split()), index, index, tl.column, tl))
    stubs.sort(key=lambda s: s.first)
    return stubs, notes


def dash_line(lines: list[str], item, column: int) -> int:
    """The item's `-` line (its content may start on the line after the dash)."""
    line = item.start_mark.line
    while line > 0 and not lines[line][column:column + 1] == "-":
        line -= 1
    return line


def _list_for_comment(lists: list[TaskList], line: int, column: int) -> TaskList | None:
    """The task list a comment line sits in: its region holds the line, no item's content does,
    and its column is the nearest at or left of the comment's."""
    candidates = []
    for tl in lists:
        first, end = tl.region
        if not first <= line < end or column < tl.min_column:
            continue
        if any(start <= line <= last for start, last in tl.content_spans()):
            continue
        candidates.append(tl)
    if not candidates:
        return None
    left = [tl for tl in candidates if (tl.column if tl.column is not None else column) <= column]
    if left:
        return max(left, key=lambda tl: (tl.column if tl.column is not None else column, tl.region[0]))
    return min(candidates, key=lambda tl: tl.column)
