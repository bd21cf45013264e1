"""`ansible-codegen role NAME "PROMPT" [-o DIR] [--force]`: a linted role skeleton from a request."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from codegen.cli import (
    EXIT_FAILED,
    EXIT_OK,
    BadInput,
    _check_prompt,
    check_text,
    _pipeline,
    _read_outline_file,
    friendly_errors,
    model_options,
)


@click.command("role")
@click.argument("name")
@click.argument("prompt", required=False)
@click.option("-o", "--output", "roles_dir", default=".", show_default=True, type=click.Path(file_okay=False),
              help="Folder the role folder NAME is created in (e.g. roles/).")
@click.option("--force", is_flag=True, help="Replace an existing NAME folder.")
@click.option("--from-outline", "outline_file", type=click.Path(dir_okay=False), default=None,
              help="Generate from an (edited) outline file (see `playbook --outline`).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON record (files, notes, problems).")
@model_options
@friendly_errors
def role(name, prompt, roles_dir, force, outline_file, as_json, base, adapter, backend, url, remote_model, no_lint):
    """Generate a role NAME for PROMPT: outline, tasks, defaults, handlers, meta with argument_specs,
    README, templates; checked by ansible-lint (production) as a role."""
    from codegen.authoring.steps import plan_steps
    from codegen.authoring.role import build_role, check_name, lint_role, write_role

    try:
        check_name(name)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    target = Path(roles_dir) / name
    if target.exists() and not force:
        raise BadInput(f"{target} exists: pass --force to replace it")
    check_text(prompt, "the prompt")
    if outline_file is not None:
        steps, header = _read_outline_file(outline_file)
        prompt = prompt or header.get("request") or steps[0]
    else:
        prompt = _check_prompt(prompt or "")
    pipeline = _pipeline(base, adapter, backend, url, remote_model, no_lint)
    if outline_file is None:
        plan = plan_steps(pipeline.backend, prompt)
        steps, outlined = plan.steps, plan.outlined
    built = build_role(pipeline, name, prompt, steps, outlined=outline_file is not None or outlined)
    if not no_lint:
        built.problems += lint_role(built)
    try:
        written = write_role(built, Path(roles_dir), force=force)
    except (FileExistsError, OSError) as exc:
        raise BadInput(str(exc)) from exc
    if as_json:
        click.echo(json.dumps({"role": str(written), "steps": steps, "files": sorted(built.files),
                               "notes": built.notes, "problems": built.problems}, indent=2))
    else:
        click.echo(f"wrote {written}/ ({', '.join(sorted(built.files))})", err=True)
        for note in built.notes:
            click.echo(f"# note: {note}", err=True)
    for problem in built.problems:
        click.echo(f"# {problem}", err=True)
    # a new folder is written even when steps failed (nothing is lost); an existing one only with --force;
    # an asked step no task covers is said above and fails the exit code, never silent
    sys.exit(EXIT_OK if built.complete else EXIT_FAILED)
