"""Diagnostics: the validation problems of an open file's tasks, on the lines where they are.

Each task list of the document (a playbook's tasks/handlers/pre_tasks/post_tasks, or a tasks file)
is cut into its tasks (blocks flattened), the tasks are joined into one column-0 list, and that is
checked as the CLI checks a generated task (syntax, ansible load, argument spec, Jinja,
ansible-lint); each problem's line in the joined text maps back to its line in the document.
A document that is not YAML gets one syntax diagnostic; one that is not Ansible gets none.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from codegen.lsp.document import MAX_CHECK_CHARS, indent_of, key_of, task_lists
from codegen.lsp.suggest import VALIDATION_LOCK


@dataclass(frozen=True)
class FileProblem:
    line: int  # 0-based line in the document
    level: str  # error | warning
    check: str  # syntax, task_load, argspec, jinja, lint
    message: str
    column: int | None = None  # 0-based, when the check says where in the line


def _syntax_problem(exc: yaml.YAMLError) -> FileProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"YAML does not parse: {problem}" + (f" ({context})" if context else "")
    return FileProblem(mark.line if mark else 0, "error", "syntax", message, mark.column if mark else None)


_QUOTED = re.compile(r"'([A-Za-z0-9_.\-]+)'")
_MODULE_PREFIX = re.compile(r"^([A-Za-z0-9_]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_]+): ")


def _pinpoint(lines: list[str], first: int, count: int, message: str, resolve) -> tuple[int, int] | None:
    """(line, column) of the key a problem names ('colour' in "unknown option 'colour'"), or of the
    module it is about, inside a task's lines; None when neither is there."""
    span = range(first, min(first + count, len(lines)))
    for name in _QUOTED.findall(message):
        for index in span:
            if key_of(lines[index]) == name:
                return index, lines[index].index(name, indent_of(lines[index]))
    module = _MODULE_PREFIX.match(message)
    if module:
        for index in span:
            key = key_of(lines[index])
            if key and resolve(key) == module.group(1):
                return index, lines[index].index(key, indent_of(lines[index]))
    return None


def check_document(text: str, catalog, lint: bool = True, uri: str = "") -> list[FileProblem]:
    """Problems of every task in the document (errors and warnings), in line order."""
    if len(text) > MAX_CHECK_CHARS or not text.strip():
        return []
    from codegen.validate import validate_tasks

    try:
        lists = task_lists(text, uri, catalog.resolve)
    except yaml.YAMLError as exc:
        return [_syntax_problem(exc)]
    found: set[FileProblem] = set()
    source = text.splitlines()
    for task_list in lists:
        raws = task_list.tasks
        starts, joined = [], ""
        for raw in raws:
            starts.append(joined.count("\n") + 1)  # 1-based line of this task in the joined text
            joined += raw.text
        with VALIDATION_LOCK:
            problems = validate_tasks(joined, catalog, lint=lint)
        for problem in problems:
            if problem.line is not None:
                index = max((i for i, start in enumerate(starts) if start <= problem.line), default=0)
                line = raws[index].line + (problem.line - starts[index]) - 1
            elif problem.task is not None and problem.task < len(raws):
                line = raws[problem.task].line - 1
            else:
                line = raws[0].line - 1
            column = None
            owner = raws[problem.task] if problem.task is not None and problem.task < len(raws) else None
            if owner is not None and line == owner.line - 1:  # only the task is known: find the key meant
                spot = _pinpoint(source, owner.line - 1, owner.text.count("\n"), problem.message, catalog.resolve)
                if spot is not None:
                    line, column = spot
            found.add(FileProblem(line, problem.level, problem.check, problem.message, column))
    return sorted(found, key=lambda p: (p.line, p.level != "error", p.check, p.message))
