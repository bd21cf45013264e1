"""One finding from a validation check, in words a person (or the model, on a retry) can act on."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Problem:
    level: str  # "error" (the task is not usable as is) or "warning" (usable; worth a look)
    check: str  # which check found it: syntax, task_load, argspec, jinja, lint
    message: str
    task: int | None = None  # 0-based index into the top-level task list; shown 1-based
    line: int | None = None  # 1-based line in the text that was checked

    def __str__(self) -> str:
        if self.task is not None:
            where = f" task {self.task + 1}" + (f" (line {self.line})" if self.line is not None else "") + ":"
        elif self.line is not None:
            where = f" line {self.line}:"
        else:
            where = ""
        return f"{self.level} [{self.check}]{where} {self.message}"


def error(check: str, message: str, task: int | None = None, line: int | None = None) -> Problem:
    return Problem("error", check, message, task, line)


def warning(check: str, message: str, task: int | None = None, line: int | None = None) -> Problem:
    return Problem("warning", check, message, task, line)
