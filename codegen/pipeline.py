"""The whole path for one request, top to bottom:

request -> prompt -> model -> parse -> normalise -> validate -> result record.
A prompt with `&` ("install nginx & start nginx") is several requests, answered in order,
each seeing the tasks before it as context.
"""
from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field

from codegen.normalise import normalise_tasks
from codegen.parse import ParseError, load_tasks, task_text
from codegen.prompt import render_task_prompt, task_name
from codegen.task_keys import module_key
from codegen.validate import is_valid, validate_tasks

_SPLIT = re.compile(r"\s*&\s*")


def split_requests(prompt: str) -> list[str]:
    return [p.strip() for p in _SPLIT.split(prompt) if p.strip()]


@dataclass
class TaskResult:
    id: str | None
    yaml: str
    module: str | None
    valid: bool
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def record(self) -> dict:
        return asdict(self)


class Pipeline:
    def __init__(self, backend, catalog, lint: bool = True):
        self.backend, self.catalog, self.lint = backend, catalog, lint

    def one_task(self, request: str, context: str | None) -> tuple[str, list[str]]:
        """Generate one task; returns (normalised YAML or "", problems that stopped it)."""
        generation = self.backend.complete(render_task_prompt(request, context))
        try:
            text = task_text(task_name(request), generation.text)
            return normalise_tasks(text, self.catalog), []
        except (ParseError, ValueError) as exc:
            return "", [f"error [parse] {request!r}: {exc}"]

    def run(self, prompt: str, context: str | None = None, id: str | None = None) -> TaskResult:
        started = time.perf_counter()
        requests = split_requests(prompt)
        if not requests:
            raise ValueError("empty prompt: say what the task should do, e.g. \"install nginx\"")
        texts, problems = [], []
        for request in requests:
            running_context = (context or "") + "".join(texts)
            text, failed = self.one_task(request, running_context)
            problems += failed
            if text:
                texts.append(text)
        yaml_text = "".join(texts)
        modules = []
        if yaml_text:
            found = validate_tasks(yaml_text, self.catalog, lint=self.lint)
            problems += [str(p) for p in found]
            for task in load_tasks(yaml_text):
                key = module_key(task)
                modules.append(self.catalog.resolve(key) or key)
        valid = bool(yaml_text) and len(texts) == len(requests) and not any(p.startswith("error") for p in problems)
        return TaskResult(id=id, yaml=yaml_text, module=",".join(m for m in modules if m) or None, valid=valid,
                          problems=problems, seconds=round(time.perf_counter() - started, 3))
