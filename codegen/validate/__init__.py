"""Validate a model-written task list: is it something ansible will run, and would ansible-lint pass it?

The checks run in order, cheapest and most fundamental first; each lives in its own module:
syntax (YAML, a list of mappings) -> task_load (ansible loads it: modules and keywords exist) ->
argspec (options against the module's documented spec) -> jinja (templates parse) -> references
(generated tasks: the variables, handlers and files they name exist) -> lint (ansible-lint,
production profile). Nothing after a syntax error can be trusted, so that stops the
run; otherwise every problem is collected, so one retry of the model can fix them all.
"""
from __future__ import annotations

import re

from codegen.validate import argspec, jinja_check, noqa, syntax, task_load
from codegen.validate.problem import Problem

__all__ = ["Problem", "validate_tasks", "is_valid", "warm_up"]

_MISSING = re.compile(r"missing required arguments: (.+?)(?: found in .*)?$")


INCLUDE_NOT_FOUND = "load-failure[filenotfounderror]"
_WARM_UP_TASK = "- name: Warm up\n  ansible.builtin.debug:\n    msg: ready\n"


def warm_up(catalog, lint: bool = True) -> None:
    """Pay the checks' first-use costs now (ansible's loader, ansible-lint's set-up) on a trivial task."""
    validate_tasks(_WARM_UP_TASK, catalog, lint=lint)


def validate_tasks(text: str, catalog, lint: bool = True, context=None, references=None) -> list[Problem]:
    """All problems with a task list (YAML text), errors and warnings, in check order.

    context (codegen.validate.context.Context): what the place of the tasks tells (handlers,
    collections, the repository's own modules); None for generated tasks. references
    (codegen.validate.references.References): for generated tasks, what the workspace defines. A task that says
    `# noqa` (for the matching rule) or is tagged skip_ansible_lint is not reported on, as
    ansible-lint does."""
    parsed = syntax.parse(text)
    problems = list(parsed.problems)
    if not parsed.tasks or any(p.level == "error" and p.task is None for p in problems):
        return problems
    seen: dict[int, list[Problem]] = {}  # task index -> what the checks before lint found in it
    referred = {}
    if references is not None:
        from codegen.validate.references import check_all

        referred = check_all(parsed.tasks, parsed.lines, references)
    for index, task in enumerate(parsed.tasks):
        if not isinstance(task, dict):
            continue
        line = parsed.lines[index]
        actions, found = task_load.load(task, index, line, catalog, context)
        for action in actions:
            found += argspec.check(action, catalog, index, line)
        found += jinja_check.check(task, index, line)
        found += referred.get(index, [])
        if context is not None and found:
            found = noqa.kept(found, task, _task_text(text, parsed.lines, index))
        problems += found
        seen[index] = found
    if lint:
        from codegen.validate.lint import lint_tasks

        unloadable = {i for i, found in seen.items() if any(p.check == "task_load" and p.level == "error" for p in found)}
        unloadable |= {i for i, task in enumerate(parsed.tasks) if not isinstance(task, dict)}
        if len(unloadable) < len(parsed.tasks):
            from codegen.validate.lint_config import BadConfig

            lint_text = _without(text, parsed.lines, unloadable)
            try:
                repo = context.lint_settings() if context is not None else None
            except BadConfig as exc:
                return problems + [Problem("warning", "lint", f"ansible-lint could not run: {exc}", None, None)]
            linted = lint_tasks(lint_text, parsed.lines, repo)
            if references is not None and references.task_files is not None:
                # lint sees the answer away from its role and cannot find any included file; the
                # references check judges includes against the role's tasks/ instead
                linted = [p for p in linted if not p.message.startswith(INCLUDE_NOT_FOUND)]
            problems += [p for p in linted if not _repeats(p, seen.get(p.task, []))]
    return problems


def _task_text(text: str, starts: list[int], index: int) -> list[str]:
    lines = text.splitlines()
    end = starts[index + 1] - 1 if index + 1 < len(starts) else len(lines)
    return lines[starts[index] - 1:end]


def _without(text: str, starts: list[int], drop: set[int]) -> str:
    """The text with some top-level tasks turned into comment lines, so the rest keep their lines.

    One task ansible cannot load makes ansible-lint give up on the whole file; the task_load check
    has already explained that task, so lint sees only the others.
    """
    if not drop:
        return text
    lines = text.splitlines(keepends=True)
    bounds = starts + [len(lines) + 1]
    for index in drop:
        for n in range(bounds[index] - 1, bounds[index + 1] - 1):
            lines[n] = "# (left out: see the task_load error)\n"
    return "".join(lines)


def _repeats(problem: Problem, earlier: list[Problem]) -> bool:
    """Does this ansible-lint finding only repeat what an earlier check said about the same task?"""
    rule = problem.message.split(":", 1)[0].split("[", 1)[0]
    checks = {p.check for p in earlier if p.level == "error"}
    if "task_load" in checks:
        return True  # ansible could not load the task: lint's view of it is noise
    if rule == "jinja" and "jinja" in checks:
        return True
    if rule == "args":
        missing = _MISSING.search(problem.message)
        if missing:  # argspec already named each missing option (as an error or a warning)
            said = " ".join(p.message for p in earlier if p.check == "argspec")
            return all(f"'{name.strip()}'" in said for name in missing.group(1).split(","))
        return "argspec" in checks
    return False


def is_valid(problems: list[Problem]) -> bool:
    """True when nothing is an error (warnings allowed)."""
    return not any(p.level == "error" for p in problems)
