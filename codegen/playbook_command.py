"""`ansible-codegen playbook`: requests -> tasks (pipeline) -> one play (assemble) -> lint -> file."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from codegen.assemble import assemble_playbook, play_name
from codegen.atomic import write_text
from codegen.parse import load_tasks
from codegen.pipeline import split_requests
from codegen.task_keys import module_key


def lint_playbook_text(text: str) -> list[str]:
    """ansible-lint (production profile) on the playbook as it will be written."""
    from codegen.validate.lint import lint_file

    with tempfile.TemporaryDirectory(prefix="codegen-playbook-") as tmp:
        path = Path(tmp) / "playbook.yml"
        path.write_text(text)
        return [str(p) for p in lint_file(path, kind="playbook")]


def build_playbook(pipeline, prompt: str, *, hosts: str = "all", become: bool | None = None,
                   output: str | None = None, lint: bool = True) -> dict:
    started = time.perf_counter()
    requests = split_requests(prompt)
    if not requests:
        raise ValueError("empty prompt: say what the playbook should do")
    snippets, problems = [], []
    for request in requests:
        text, failed = pipeline.one_task(request, "".join(snippets))
        problems += failed
        if text:
            snippets.append(text)
    playbook, notes = assemble_playbook(snippets, name=play_name(prompt), hosts=hosts, become=become)
    if snippets:
        from codegen.validate import validate_tasks

        problems += [str(p) for p in validate_tasks("".join(snippets), pipeline.catalog, lint=False)]
    if lint:
        problems += lint_playbook_text(playbook)
    if output:
        write_text(output, playbook)
    modules = [pipeline.catalog.resolve(module_key(t)) or module_key(t) for s in snippets for t in load_tasks(s)]
    return {"id": None, "yaml": playbook, "module": ",".join(m for m in modules if m) or None,
            "valid": bool(snippets) and len(snippets) == len(requests) and not any(p.startswith("error") for p in problems),
            "problems": problems, "notes": notes, "seconds": round(time.perf_counter() - started, 3)}
