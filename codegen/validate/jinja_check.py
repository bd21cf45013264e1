"""Check 4: every template in the task parses as Jinja.

Only parsing: filters, tests and variables are resolved at run time (and ansible adds its own), so an
unknown filter is not an error here. Strings holding `{{` or `{%` are parsed as templates; the bare
expressions of when/changed_when/failed_when/until are parsed as expressions, the way ansible
evaluates them.
"""
from __future__ import annotations

import jinja2

from codegen.ansible_files.jinja_env import environment as _env
from codegen.validate.problem import Problem, error

CHECK = "jinja"
_CONDITIONALS = ("when", "changed_when", "failed_when", "until")


def check(task, index: int | None = None, line: int | None = None) -> list[Problem]:
    """Problems with the templates anywhere in one task (nested blocks included)."""
    problems: list[Problem] = []
    _walk(task, "", problems, index, line)
    return problems


def _walk(value, path: str, problems: list[Problem], index, line) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            where = f"{path}.{key}" if path else str(key)
            if str(key) in _CONDITIONALS:
                for cond in sub if isinstance(sub, list) else [sub]:
                    if isinstance(cond, str):
                        _parse(cond, where, problems, index, line, expression="{{" not in cond and "{%" not in cond)
            else:
                _walk(sub, where, problems, index, line)
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            _walk(sub, f"{path}[{i}]", problems, index, line)
    elif isinstance(value, str) and ("{{" in value or "{%" in value):
        _parse(value, path, problems, index, line)


def _parse(text: str, where: str, problems: list[Problem], index, line, expression: bool = False) -> None:
    try:
        if expression:
            _env().parse("{{ " + text + "\n}}")  # an expression, as ansible evaluates it (`a if b else c` too)
        else:
            _env().parse(text)
    except jinja2.TemplateSyntaxError as exc:
        shown = text if len(text) <= 80 else text[:77] + "..."
        kind = "condition" if expression else "template"
        problems.append(error(CHECK, f"broken Jinja {kind} in '{where}': {exc.message} (in {shown!r})", index, line))
