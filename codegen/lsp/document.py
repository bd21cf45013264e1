"""Where is the cursor, and what would a suggestion there be asked for?

Editors ask while the user types, so the file is often not valid YAML at that moment. The cursor
analysis therefore reads lines, not a parse tree: it finds the `- name: <request>` line (or the
`# a & b & c` comment) at or just above the cursor, walks up the indentation to the key that holds
the list (`tasks:`, `handlers:`, `block:`...), and slices the earlier items of that list as the
preceding tasks. Parsing is only used where it is safe to fail: task_lists() for diagnostics and
"Explain this task", which give nothing for a file that does not parse; it finds the task lists
with the same walker as `check` (codegen/ansible_files/classify.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import yaml

from codegen.ansible_files.plays import BLOCK_KEYS, PLAY_KEYS, PLAY_SECTIONS
from codegen.ansible_files.yaml_load import SafeLoader
from codegen.ansible_files.keywords import is_keyword
from codegen.prompt import split_requests, task_name

_LOADER = SafeLoader  # bounded: an alias bomb or a recursive alias is a YAML error, not a hang

# Caps on what one document may cost (the server tells the user once per document when one applies):
# over MAX_CHARS, no suggestions, diagnostics or task parses (hover still works: it reads one line);
# over MAX_CHECK_CHARS, no diagnostics: validation + ansible-lint grow faster than the file
# (80 KB of tasks: 45 s with lint, holding the lock the suggestions' validation needs too).
MAX_CHARS = 256_000
MAX_CHECK_CHARS = 64_000
TASK_LIST_KEYS = frozenset(PLAY_SECTIONS) | frozenset(BLOCK_KEYS)
_TASK_ONLY_KEYS = frozenset({"block", "include_tasks", "import_tasks", "include_role", "import_role",
                             "ansible.builtin.include_tasks", "ansible.builtin.import_tasks",
                             "ansible.builtin.include_role", "ansible.builtin.import_role"})
# A top-level list item with one of these keys is a play, so the file is a playbook.
_PLAY_LINE = re.compile(r"^(?:- +|  )(" + "|".join(re.escape(k) for k in sorted({*PLAY_KEYS, *PLAY_SECTIONS})) +
                        r"|roles|gather_facts)\s*:")
_NAME_LINE = re.compile(r"^(?P<indent> *)-(?P<gap> +)name:(?: +(?P<value>.*?))? *$")
_COMMENT_LINE = re.compile(r"^(?P<indent> *)#+ ?(?P<text>.*?) *$")
_KEY = re.compile(r"""^(?:-\s+)*(?P<key>[A-Za-z0-9_.\-/]+|"[^"]*"|'[^']*')\s*:(?:\s|$)""")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """The text with each lone surrogate (JSON can carry "\\ud800"; no YAML parser takes it) as U+FFFD;
    same length, so positions stay where they were."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)


def split_lines(text: str) -> list[str]:
    """The document's lines without line ends; a final newline gives a last, empty line (as editors count)."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _skippable(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def key_of(line: str) -> str | None:
    """The mapping key a line starts (after any `- `), or None."""
    found = _KEY.match(line.strip())
    if not found:
        return None
    key = found.group("key")
    return key[1:-1] if key[:1] in "'\"" else key


def _scalar(value: str) -> str:
    """A YAML scalar as written after `name:` -> its text (quotes and a trailing comment removed)."""
    try:
        data = yaml.load(f"k: {value}", Loader=_LOADER)
        if isinstance(data, dict) and isinstance(data.get("k"), str):
            return data["k"].strip()
    except (yaml.YAMLError, UnicodeEncodeError):  # libyaml refuses a lone surrogate before parsing
        pass
    return value.strip().strip("'\"").strip()


@dataclass
class Target:
    """What to generate at the cursor, and where its text goes."""

    kind: str  # "task": the body of a `- name:` task; "tasks": whole tasks for a `# a & b` comment
    requests: list[str]
    anchor: int  # 0-based line of the name line or the comment
    column: int  # column of the list's items (the dash; for a comment, where its tasks start)
    body_column: int  # column of the task's keys (that of `name`)
    line: int  # the cursor line: the replaced range lies on it
    start: int  # replaced range on `line`, as str indexes
    end: int
    on_anchor: bool  # the cursor is on the anchor line itself (not on a blank line below it)
    preceding: list[str] = field(default_factory=list)  # earlier items of the same list, at column 0
    file_text: str = ""  # the document without the anchor line: handlers, variables, become
    uri: str = ""

    @property
    def label(self) -> str:
        return " & ".join(self.requests)

    def block(self, task_yamls: list[str]) -> str:
        """The generated text as lines placed where they go (no final newline)."""
        if self.kind == "task":
            lines = task_yamls[0].rstrip("\n").split("\n")[1:]  # the body: everything after `- name:`
            shift = self.body_column - 2  # normalised bodies sit at column 2
        else:
            lines = "".join(task_yamls).rstrip("\n").split("\n")
            shift = self.column
        return "\n".join((" " * shift + line) if line.strip() else "" for line in lines)

    def edit(self, task_yamls: list[str], cursor_line: str) -> tuple[str, int, int]:
        """(text, start, end): replace [start, end) on the cursor line with text (may span lines)."""
        block = self.block(task_yamls)
        if self.on_anchor:
            return cursor_line[self.start:].rstrip() + "\n" + block, self.start, self.end
        return block, self.start, self.end


def _walk_up(lines: list[str], anchor: int, column: int) -> tuple[str | None, bool, list[int]]:
    """From an item at `column`, find the key holding its list.

    Returns (key or None at the top level, found_a_parent, the sibling items' first lines above,
    nearest first).
    """
    siblings: list[int] = []
    for index in range(anchor - 1, -1, -1):
        line = lines[index]
        if _skippable(line):
            continue
        indent = indent_of(line)
        if indent > column:
            continue
        rest = line[indent:]
        if indent == column and (rest.startswith("- ") or rest == "-"):
            siblings.append(index)
            continue
        if rest.startswith("---") or rest.startswith("..."):
            break  # document start: the list is the document
        return key_of(line), True, siblings
    return None, False, siblings


def _looks_like_task(keys: set[str], is_module) -> bool:
    if keys & _TASK_ONLY_KEYS:
        return True
    others = {k for k in keys if not is_keyword(k)}
    if is_module is not None:
        return any(is_module(k) for k in others)
    return any(k.count(".") >= 2 for k in others) or bool(keys - {"name"} and not others)


def role_part(uri: str) -> tuple[Path, str] | None:
    """(role folder, 'tasks' or 'handlers') when the document is a role's tasks or handlers file."""
    path = path_of(uri)
    if path is None or path.parent.name not in ("tasks", "handlers"):
        return None
    return path.parent.parent, path.parent.name


def path_of(uri: str) -> Path | None:
    if not uri:
        return None
    parsed = urlparse(uri)
    if parsed.scheme not in ("file", ""):
        return None
    return Path(unquote(parsed.path))


def _is_top_level_task_list(lines: list[str], column: int, uri: str, is_module) -> bool:
    """Is a list at the top of the document a task list (a tasks file), not plays or other data?"""
    if role_part(uri) is not None:
        return True
    items: list[set[str]] = []
    for line in lines:
        if not line or line[0] in "#%" or line.startswith(("---", "...")):
            continue
        if _PLAY_LINE.match(line):
            return False  # a playbook: its top-level items are plays
        if indent_of(line) == 0 and not line.startswith("-"):
            return False  # a mapping document (vars, a Kubernetes manifest...): not a task list
        if column == 0:
            if line.startswith("-"):
                items.append(set())
            if items and indent_of(line) <= 2:
                key = key_of(line)
                if key:
                    items[-1].add(key)
    with_bodies = [keys for keys in items if keys - {"name"}]
    return not with_bodies or any(_looks_like_task(keys, is_module) for keys in with_bodies)


def _preceding(lines: list[str], siblings: list[int], anchor: int, column: int) -> list[str]:
    """The sibling items above the anchor, each re-based to column 0, in file order."""
    out = []
    ends = [anchor] + siblings[:-1]  # each sibling ends where the one after it starts
    for start, end in zip(reversed(siblings), reversed(ends)):
        chunk = lines[start:end]
        while chunk and _skippable(chunk[-1]):
            chunk.pop()
        if not chunk or any(line.strip() and line[:column].strip() for line in chunk):
            continue
        out.append("\n".join(line[column:] if line.strip() else "" for line in chunk) + "\n")
    return out


def find_target(text: str, line: int, character: int, uri: str = "", is_module=None) -> Target | None:
    """The suggestion the cursor asks for, or None (not on/under a task name or `&` comment in a task list).

    line/character: 0-based, character as a str index. is_module(key) -> truthy when key names a
    module (the catalog's resolve); used to tell a task list from other YAML lists.
    """
    if len(text) > MAX_CHARS:
        return None
    lines = split_lines(text)
    if not 0 <= line < len(lines):
        return None
    current = lines[line]
    character = max(0, min(character, len(current)))
    if _NAME_LINE.match(current) or (_COMMENT_LINE.match(current) and "&" in current):
        anchor, on_anchor = line, True
    elif not current.strip() and line > 0 and lines[line - 1].strip():
        anchor, on_anchor = line - 1, False
    else:
        return None
    head = lines[anchor]
    named = _NAME_LINE.match(head)
    after = line + 1  # first line after the anchor and the cursor line
    while after < len(lines) and not lines[after].strip():
        after += 1
    if named:
        request = _scalar(named.group("value") or "")
        if not request:
            return None
        column = len(named.group("indent"))
        body_column = column + 1 + len(named.group("gap"))
        nxt = lines[after] if after < len(lines) else ""
        if nxt.strip() and not nxt.lstrip().startswith("#") and indent_of(nxt) > column:
            return None  # the task already has a body
        kind, requests = "task", [request]
    else:
        comment = _COMMENT_LINE.match(head)
        if not comment or "&" not in comment.group("text"):
            return None
        requests = split_requests(comment.group("text"))
        if not requests:
            return None
        column = body_column = len(comment.group("indent"))
        nxt = _NAME_LINE.match(lines[after]) if after < len(lines) else None
        if nxt and len(nxt.group("indent")) == column and _scalar(nxt.group("value") or "") == task_name(requests[0]):
            return None  # its tasks are already there
        kind = "tasks"
    key, has_parent, siblings = _walk_up(lines, anchor, column)
    if has_parent:
        if key not in TASK_LIST_KEYS:
            return None
    elif not _is_top_level_task_list(lines, column, uri, is_module):
        return None
    if on_anchor:
        start, end = character, len(current)
    else:
        start, end = 0, len(current)
    rest = lines[:anchor] + lines[anchor + 1:] if kind == "task" else lines
    return Target(kind=kind, requests=requests, anchor=anchor, column=column, body_column=body_column, line=line,
                  start=start, end=end, on_anchor=on_anchor,
                  preceding=_preceding(lines, siblings, anchor, column), file_text="\n".join(rest), uri=uri)


# --- parsed view: the document's task lists (for diagnostics and "Explain this task") ---


@dataclass
class TaskList:
    section: str  # "handlers" (a play's handlers, or a handlers file) or "tasks"
    tasks: list  # codegen.ansible_files.walk.RawTask: data, text (at column 0), line (1-based), preceding


def task_lists(text: str, uri: str = "", is_module=None) -> list[TaskList]:
    """Every task list of an Ansible document (blocks flattened into their tasks), as `check` finds
    them (codegen.ansible_files.classify on the text, as if it lay at the document's path).

    Raises the parser's error (yaml.YAMLError) when the text is not YAML. A document that is not a
    playbook or a tasks file (a vars file, a Kubernetes manifest...) has no task lists.
    """
    from codegen.ansible_files.classify import Broken, classify
    from codegen.ansible_files.walk import raw_tasks

    known = (lambda name: bool(is_module(name))) if is_module is not None else (lambda name: False)
    found = classify(path_of(uri) or Path("untitled.yml"), text, known_module=known)
    if isinstance(found, Broken) and found.error is not None:
        raise found.error
    if found is None or isinstance(found, Broken):
        return []
    lines = text.splitlines()
    out = [TaskList("handlers" if tl.handlers or found.kind == "handlers" else "tasks",
                    list(raw_tasks(text, lines, tl.items))) for tl in found.top_lists()]
    return [task_list for task_list in out if task_list.tasks]


def task_at(text: str, line: int, uri: str = "", is_module=None):
    """The (leaf) task whose lines hold 0-based `line`, or None (also for a file that does not parse)."""
    try:
        lists = task_lists(text, uri, is_module)
    except (yaml.YAMLError, UnicodeEncodeError, RecursionError):  # RecursionError: a block that aliases itself
        return None
    for found in lists:
        for raw in found.tasks:
            first = raw.line - 1
            if first <= line < first + raw.text.count("\n"):
                return raw
    return None
