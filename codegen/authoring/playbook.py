"""`ansible-codegen playbook`: steps -> tasks (pipeline) -> variables lifted -> one play (assemble) -> lint -> file.

The steps are the user's own ('a & b & c'), an edited outline (--from-outline), the request split
by code, or the model's outline of it (codegen/authoring/steps.py decides); each asked step is
checked for a task with a fitting module, and one still missing is reported (record["missing"]).
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from codegen.assemble.playbook import assemble_playbook, play_name
from codegen.atomic import write_text
from codegen.parse import load_tasks
from codegen.prompt import split_requests
from codegen.ansible_files.keywords import module_key


def lint_playbook_text(text: str) -> list[str]:
    """ansible-lint (production profile) on the playbook as it will be written."""
    from codegen.validate.lint import lint_file

    with tempfile.TemporaryDirectory(prefix="codegen-playbook-") as tmp:
        path = Path(tmp) / "playbook.yml"
        path.write_text(text)
        return [str(p) for p in lint_file(path, kind="playbook")]


def generate_steps(pipeline, steps: list[str], purpose: str | None = None) -> tuple[str, list[str]]:
    """(snippets, problems) of the steps, checked (codegen/authoring/steps.py generate_covered)."""
    from codegen.authoring.steps import generate_covered

    generated = generate_covered(pipeline, steps, purpose)
    return generated.snippets, generated.problems


def purpose_of(prompt: str, outlined: bool) -> str | None:
    """What outline steps are for: the prompt, when the steps are an outline of it (not the
    user's own 'a & b & c')."""
    return prompt if outlined and len(split_requests(prompt)) == 1 else None


def build_playbook(pipeline, prompt: str, *, hosts: str = "all", become: bool | None = None,
                   output: str | None = None, force: bool = False, lint: bool = True,
                   steps: list[str] | None = None, lift: bool = True, purpose: str | None = None) -> dict:
    """steps: what to generate, in order (default: the prompt's '&' parts); purpose: what they
    outline (see codegen/authoring/steps.py generate_covered). output: the file to write, unless nothing
    was generated, or some steps failed and the file exists (force: replace it anyway); record["written"]
    says which."""
    started = time.perf_counter()
    requests = steps if steps is not None else split_requests(prompt)
    if not requests:
        raise ValueError("empty prompt: say what the playbook should do")
    from codegen.authoring.steps import generate_covered

    generated = generate_covered(pipeline, requests, purpose, request=prompt, path=output)
    snippets, problems = generated.snippets, generated.problems
    notes: list[str] = []
    variables: dict = {}
    if lift and snippets:
        from codegen.authoring.variables import lift_variables

        lifted = lift_variables(snippets)
        snippets, variables, notes = lifted.snippets, lifted.variables, lifted.notes
    playbook, assembled = assemble_playbook(snippets, name=play_name(prompt), hosts=hosts, become=become,
                                            vars=variables)
    notes += assembled
    if snippets:
        from codegen.authoring.variables import undefined_variables
        from codegen.validate import validate_tasks

        reader = getattr(pipeline, "workspaces", None)
        workspace = reader.read(output) if output and reader is not None else None
        known = set(variables) | (workspace.names() if workspace is not None else set())
        problems += [f"warning [vars] '{name}' is used but never defined: add it to the play's vars"
                     for name in undefined_variables(snippets, known)]

        problems += [str(p) for p in validate_tasks("".join(snippets), pipeline.catalog, lint=False)]
    if lint:
        problems += lint_playbook_text(playbook)
    # valid: every asked step covered (a task may cover two steps, e.g. start and enable), no error
    valid = bool(snippets) and not generated.missing and not any(p.startswith("error") for p in problems)
    why_not = output and _why_not_written(output, snippets, valid, force)
    if output and not why_not:
        write_text(output, playbook)
    modules = [pipeline.catalog.resolve(module_key(t)) or module_key(t) for s in snippets for t in load_tasks(s)]
    return {"id": None, "yaml": playbook, "module": ",".join(m for m in modules if m) or None, "valid": valid,
            "problems": problems, "notes": notes, "steps": requests, "variables": variables,
            "coverage": [{"step": c.step, "modules": c.families, "task": c.task, "mark": c.mark()}
                         for c in generated.coverage],
            "missing": generated.missing,
            "written": bool(output) and not why_not, "not_written": why_not or None,
            "seconds": round(time.perf_counter() - started, 3)}


def _why_not_written(output: str, snippets: list[str], valid: bool, force: bool) -> str | None:
    """None when `output` may be written; else why not. A worse result never replaces a user's file."""
    if not snippets:
        return f"no step gave a task; {output} left as it was"
    if not valid and not force and os.path.lexists(output):
        return f"some steps failed; {output} exists and is kept (pass --force to replace it anyway)"
    return None


def playbook_for_request(pipeline, request: str, **options) -> dict:
    """What `ansible-codegen playbook REQUEST` does: plan the steps, then build_playbook."""
    from codegen.authoring.steps import plan_steps

    plan = plan_steps(pipeline.backend, request)
    record = build_playbook(pipeline, request, steps=plan.steps, purpose=request if plan.outlined else None,
                            **options)
    record["notes"] = [f"left out outline step {s!r}: the request does not ask for it" for s in plan.dropped] \
        + record["notes"]
    return record
