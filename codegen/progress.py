"""Progress on stderr (rich), so stdout stays clean for YAML and JSON."""
from __future__ import annotations

import contextlib
import sys
import time
from typing import Iterator

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)

console = Console(stderr=True)


@contextlib.contextmanager
def status(message: str) -> Iterator[None]:
    if console.is_terminal:
        with console.status(message):
            yield
    else:
        print(message, file=sys.stderr, flush=True)
        yield


class LineProgress:
    """Progress for a log file or a pipe (CI, nohup): a plain line per task every `every` seconds
    and when a task completes, where rich would print nothing until the end."""

    def __init__(self, every: float = 30.0, stream=None):
        self.every, self.stream, self.tasks, self._last = every, stream or sys.stderr, {}, {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for task_id in self.tasks:
            self._print(task_id)
        return False

    def add_task(self, description: str, total=None, **fields) -> int:
        task_id = len(self.tasks)
        self.tasks[task_id] = {"description": description, "total": total, "completed": 0, **fields}
        self._last[task_id] = time.monotonic()
        return task_id

    def update(self, task_id: int, advance=None, completed=None, total=None, **fields) -> None:
        task = self.tasks[task_id]
        if total is not None:
            task["total"] = total
        if completed is not None:
            task["completed"] = completed
        if advance:
            task["completed"] += advance
        task.update({k: v for k, v in fields.items() if k not in ("description", "refresh", "visible")})
        done = task["total"] is not None and task["completed"] >= task["total"]
        if done or time.monotonic() - self._last[task_id] >= self.every:
            self._print(task_id)

    def _print(self, task_id: int) -> None:
        task, self._last[task_id] = self.tasks[task_id], time.monotonic()
        of = f"/{task['total']}" if task["total"] is not None else ""
        print(f"{task['description']}: {task['completed']}{of} {task.get('info', '')}".rstrip(),
              file=self.stream, flush=True)


def bar(description: str = "") -> Progress:
    if not console.is_terminal:
        return LineProgress()
    return Progress(
        SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"), TimeElapsedColumn(), TimeRemainingColumn(),
        console=console, transient=False,
    )
