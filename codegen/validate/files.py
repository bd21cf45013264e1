"""The one file validator: every task of an Ansible file, reported as `path:line: problem`.

`ansible-codegen check` (the pre-commit hook) and the language server's diagnostics are two thin
front ends over it, so the hook and the editor report the same findings.

Per file: each task list (a tasks file, each play's pre_tasks/tasks/post_tasks/handlers) goes
through the pipeline's checks (codegen.validate: syntax, ansible task loading, argument specs,
Jinja) with the lines of the file kept, so every problem has its absolute line; then ansible-lint
runs once on the whole file, in place (production profile). A lint finding that only repeats what
an earlier check said about the same task is dropped, as in codegen.validate.

Nothing loads a model. The catalog, ansible and the linter are loaded once per process, so a
few hundred files cost tens of milliseconds each.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

from codegen.ansible_files.yaml_load import read_text
from codegen.ansible_files.classify import AnsibleFile, Broken, TaskList, classify, dash_line, find_stubs, last_line

_KEY_IN_MESSAGE = (
    re.compile(r"unknown option '([^']+)'"),
    re.compile(r"unknown module '([^']+)'"),
    re.compile(r"^module '([^']+)' is not in ansible"),
    re.compile(r"'([^']+)' is not a task keyword"),
    re.compile(r"unsupported parameters?:? '?([A-Za-z0-9_.]+)"),
    re.compile(r"conflicting action statements: [^,]+, ([A-Za-z0-9_.]+)"),
)


@dataclass
class Finding:
    path: Path
    line: int | None
    level: str  # error | warning
    check: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:" if self.line else f"{self.path}:"
        return f"{where} {self.level} [{self.check}] {self.message}"


@dataclass
class FileReport:
    path: Path
    ansible: bool
    kind: str | None = None
    findings: list[Finding] | None = None

    @property
    def errors(self) -> int:
        return sum(f.level == "error" for f in self.findings or [])


# Ansible's own YAML tags: the checks' plain YAML loader knows neither, so they are blanked out
# (same columns) in the text the checks read; ansible-lint reads the file itself and knows them.
_ANSIBLE_TAGS = re.compile(r"(?:(?<=[\s\[{,])|^)!(?:unsafe|vault)(?=[\s\]},]|$)")


def _untagged(line: str) -> str:
    return _ANSIBLE_TAGS.sub(lambda m: " " * len(m.group(0)), line)


def _unsafe_values(node, found: set[str], seen: set[int]) -> None:
    """Values tagged !unsafe: text that is not a template even when it holds '{{'."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "!unsafe":
            found.add(node.value)
        return
    children = node.value if isinstance(node, yaml.SequenceNode) else [p for pair in node.value for p in pair]
    for child in children:
        _unsafe_values(child, found, seen)


def _about_unsafe(message: str, unsafe: set[str]) -> bool:
    return any(repr(v if len(v) <= 80 else v[:77] + "...") in message for v in unsafe)


def _masked(found: AnsibleFile, tl: TaskList) -> str:
    """The file's text with only this list's items kept, re-based to column 0: lines stay where they are."""
    column = tl.column or 0
    first = dash_line(found.lines, tl.items[0], column)
    last = max(last_line(item) for item in tl.items)
    out = []
    for index, line in enumerate(found.lines):
        body = line.rstrip("\r\n\x85\u2028\u2029")
        if first <= index <= last:
            if body[:column].strip():
                body = body.lstrip() if body.lstrip().startswith("#") else ""
            else:
                body = body[column:]
            out.append(_untagged(body) if "!" in body else body)
        else:
            out.append("")
    return "\n".join(out) + "\n"


def _item_spans(tl: TaskList) -> list[tuple[int, int]]:
    """1-based (first, last) lines of each item."""
    return [(item.start_mark.line + 1, last_line(item) + 1) for item in tl.items]


def _refine_line(found: AnsibleFile, message: str, span: tuple[int, int], line: int | None) -> int | None:
    """The line of the key a message names (an unknown option, module or keyword), inside the task."""
    for pattern in _KEY_IN_MESSAGE:
        match = pattern.search(message)
        if not match:
            continue
        key = re.compile(r"^\s*(?:-\s+)*[\"']?" + re.escape(match.group(1)) + r"[\"']?\s*:")
        for number in range(span[0], min(span[1], len(found.lines)) + 1):
            if key.match(found.lines[number - 1]):
                return number
    return line


def _item_of(spans_by_list: list[tuple[int, list[tuple[int, int]]]], line: int | None) -> tuple[int, int] | None:
    if line is None:
        return None
    for list_index, spans in spans_by_list:
        for task_index, (first, last) in enumerate(spans):
            if first <= line <= last:
                return list_index, task_index
    return None


def check_found(found: AnsibleFile, catalog, lint: bool = True, syntax_check: bool = False) -> list[Finding]:
    from codegen.validate import validate_tasks
    from codegen.validate.context import for_path

    findings: list[Finding] = []
    earlier: dict[tuple[int, int], list] = {}  # (list, task) -> problems the checks before lint found
    spans_by_list: list[tuple[int, list[tuple[int, int]]]] = []
    unloadable: set[tuple[int, int]] = set()  # (list, task) that ansible cannot load
    unsafe: set[str] = set()
    if found.root is not None and "!unsafe" in found.text:
        _unsafe_values(found.root, unsafe, set())
    place = for_path(found.path)
    for list_index, tl in enumerate(found.top_lists()):
        if not tl.items:
            continue
        context = place.for_handlers(tl.handlers or found.kind == "handlers").with_collections(tl.collections)
        spans = _item_spans(tl)
        spans_by_list.append((list_index, spans))
        stubs = {first for (first, _), item in zip(spans, tl.items)
                 if isinstance(item, yaml.MappingNode) and len(item.value) == 1
                 and getattr(item.value[0][0], "value", None) == "name"}
        for problem in validate_tasks(_masked(found, tl), catalog, lint=False, context=context):
            if problem.check == "jinja" and unsafe and _about_unsafe(problem.message, unsafe):
                continue
            line = problem.line
            if problem.task is not None and problem.task < len(spans):
                earlier.setdefault((list_index, problem.task), []).append(problem)
                line = _refine_line(found, problem.message, spans[problem.task], line)
            message = problem.message
            if problem.check == "task_load" and problem.line in stubs and message.startswith("no module in this task"):
                message = "a request stub with no module: run `ansible-codegen fill` on this file, or write the task"
            if problem.check == "task_load" and problem.level == "error" and problem.task is not None:
                unloadable.add((list_index, problem.task))
            findings.append(Finding(found.path, line, problem.level, problem.check, message))
    stubs, notes = find_stubs(found)
    for stub in stubs:
        if stub.kind == "comment":
            findings.append(Finding(found.path, stub.line, "warning", "stub",
                                    "a '# codegen:' request is waiting: run `ansible-codegen fill` on this file"))
    for note in notes:
        if "# codegen:" in note.message:  # a request fill cannot place: harmless to ansible, so a warning here
            findings.append(Finding(found.path, note.line, "warning", note.check, note.message))
    if lint and found.root is not None:
        findings += _lint(found, earlier, spans_by_list, unloadable, syntax_check)
    findings.sort(key=lambda f: (f.line or 0, f.level != "error"))
    return findings


# What ansible-lint says when it cannot load a file: task_load has explained the task already.
_LOAD_NOISE = ("load-failure", "syntax-check", "internal-error", "parser-error")


def _lint(found: AnsibleFile, earlier: dict, spans_by_list: list, unloadable: set, syntax_check: bool) -> list[Finding]:
    from codegen.validate import _repeats

    try:
        problems = _run_lint(found, spans_by_list, unloadable, syntax_check)
    except Exception as exc:  # ansible-lint has many ways to fail on odd input; the other checks stand
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return [Finding(found.path, None, "warning", "lint", f"ansible-lint could not run on this file: {first[:200]}")]
    out = []
    for problem in problems:
        rule = problem.message.split(":", 1)[0]
        if _elsewhere(rule, found.path):
            continue  # a finding in another file (an included tasks file, a role): that file's own check
        if unloadable and rule.split("[", 1)[0] in _LOAD_NOISE:
            continue
        where = _item_of(spans_by_list, problem.line)
        if where is not None and _repeats(problem, earlier.get(where, [])):
            continue
        out.append(Finding(found.path, problem.line, problem.level, "lint", problem.message))
    return out


def _run_lint(found: AnsibleFile, spans_by_list: list, unloadable: set, syntax_check: bool) -> list:
    """ansible-lint on the file where it lies; when some tasks cannot be loaded (ansible-lint would
    give up on the whole file), on a copy where those tasks are comment lines, so the others are
    still linted and every line keeps its number."""
    from codegen.validate.lint import lint_file
    from codegen.validate.lint_config import for_file as lint_settings

    repo = lint_settings(found.path)
    if not unloadable:
        return lint_file(found.path, kind=found.kind, syntax_check=syntax_check, repo=repo)
    import shutil
    import tempfile

    lines = list(found.lines)
    spans = dict(spans_by_list)
    for list_index, task_index in unloadable:
        first, last = spans[list_index][task_index]
        for number in range(first, last + 1):
            body = lines[number - 1]
            indent = len(body) - len(body.lstrip(" "))
            lines[number - 1] = " " * indent + "# (left out: see the task_load error)\n"
    folder = Path(tempfile.mkdtemp(prefix="codegen-check-"))
    try:
        copy = folder / found.path.name
        copy.write_text("".join(lines), encoding="utf-8")
        return lint_file(copy, kind=found.kind, syntax_check=False, repo=repo)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _elsewhere(first_part: str, path: Path) -> bool:
    """lint_file prefixes a finding in another file with that file's name."""
    if not re.search(r"[/\\]|\.ya?ml$", first_part):
        return False
    try:
        return Path(first_part).resolve() != path.resolve()
    except OSError:
        return True


def _excluded(path: Path) -> bool:
    from codegen.validate.lint_config import BadConfig, for_file

    try:
        return for_file(path).excludes(path)
    except BadConfig:
        return False  # said once the file is linted


def check_file(path: str | Path, catalog, lint: bool = True, syntax_check: bool = False,
               known_module: Callable[[str], bool] | None = None) -> FileReport:
    """Check one file. Raises yaml_load.Unreadable when it cannot be read."""
    path = Path(path)
    bom, text = read_text(path)
    return check_text(path, text, catalog, lint, syntax_check, known_module, bom)


def check_text(path: str | Path, text: str, catalog, lint: bool = False, syntax_check: bool = False,
               known_module: Callable[[str], bool] | None = None, bom: str = "") -> FileReport:
    """Check a file's text as if it lay at `path` (the editor's unsaved buffer: lint=False, as
    lint reads the file where it lies)."""
    path = Path(path)
    if known_module is None:
        known_module = lambda name: catalog.resolve(name) is not None  # noqa: E731
    found = classify(path, text, bom, known_module=known_module)
    if found is None:
        return FileReport(path, ansible=False)
    if lint and _excluded(path):
        return FileReport(path, ansible=False)  # the repository's .ansible-lint excludes it: not looked at
    if isinstance(found, Broken):
        note = found.note
        return FileReport(path, True, found.kind, [Finding(path, note.line, note.level, note.check, note.message)])
    return FileReport(path, True, found.kind, check_found(found, catalog, lint=lint, syntax_check=syntax_check))
