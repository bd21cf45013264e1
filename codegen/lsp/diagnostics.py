"""Diagnostics: the validation problems of an open document, on the lines where they are.

The checks before lint are `check`'s own (codegen.validate.files on the buffer's text, as if it lay
at its path: the same task walk, the same context of the file's place), so the editor and the
pre-commit hook report the same findings. ansible-lint then runs on each task list of the buffer
(its tasks joined into one column-0 list, blocks flattened), its lines mapped back to the document.
A document that is not YAML gets one syntax diagnostic; one that is not Ansible gets none.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

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
    """Problems of every task in the document (errors and warnings), in line order.

    The checks before lint are exactly `check`'s (codegen.validate.files, on the document's text as
    if it lay at its path), so the editor and the hook agree; lint runs on the document's tasks
    as they are in the buffer, not on the file on disk."""
    if len(text) > MAX_CHECK_CHARS or not text.strip():
        return []
    from codegen.validate.files import check_text
    from codegen.lsp.document import path_of

    try:
        lists = task_lists(text, uri, catalog.resolve)
    except yaml.YAMLError as exc:
        return [_syntax_problem(exc)]
    source = text.splitlines()
    path = path_of(uri) or Path("untitled.yml")
    report = check_text(path, text, catalog, lint=False)
    found: set[FileProblem] = set()
    for finding in report.findings or []:
        line = (finding.line or 1) - 1
        spot = _pinpoint(source, line, 1, finding.message, catalog.resolve) if line < len(source) else None
        found.add(FileProblem(line, finding.level, finding.check, finding.message, spot[1] if spot else None))
    if lint and report.ansible:
        found |= _lint_problems(lists, source, catalog, path_of(uri))
    return sorted(found, key=lambda p: (p.line, p.level != "error", p.check, p.message))


def _lint_problems(lists, source: list[str], catalog, path) -> set[FileProblem]:
    """ansible-lint's findings on each task list of the buffer, on the document's lines."""
    from codegen.validate import validate_tasks
    from codegen.validate.context import for_path

    place = for_path(path)
    found: set[FileProblem] = set()
    for task_list in lists:
        raws = task_list.tasks
        starts, joined = [], ""
        for raw in raws:
            starts.append(joined.count("\n") + 1)  # 1-based line of this task in the joined text
            joined += raw.text
        context = place.for_handlers(task_list.section == "handlers")
        with VALIDATION_LOCK:
            problems = [p for p in validate_tasks(joined, catalog, lint=True, context=context) if p.check == "lint"]
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
            found.add(FileProblem(line, problem.level, "lint", problem.message, column))
    return found
