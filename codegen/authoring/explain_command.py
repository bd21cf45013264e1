"""`ansible-codegen explain FILE`: what a playbook, role or tasks file does, in Markdown.

Registered by codegen/authoring/commands.py. Nothing heavy is imported here; without --summary
no model is loaded (and torch is never imported).
"""
from __future__ import annotations

import click


@click.command("explain")
@click.argument("path", metavar="FILE", type=click.Path())
@click.option("--task", "task_number", type=int, default=None, metavar="N",
              help="Explain only task N (1-based, as numbered in the full explanation).")
@click.option("--summary", is_flag=True,
              help="Add a one-paragraph summary written by the local model (loads the model; labelled as model-written).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the Markdown here.")
def explain(path, task_number, summary, output):
    """Explain an Ansible FILE (playbook, tasks file or role folder) play by play and task by task,
    from the installed modules' documentation, and flag what a reviewer should look at."""
    from codegen.cli import BadInput, friendly_errors

    # friendly_errors turns ExplainError (a ValueError) and file errors into one line, exit code 2
    friendly_errors(_run)(path, task_number, summary, output, BadInput)


def _run(path, task_number, summary, output, bad_input) -> None:
    from codegen.atomic import write_text
    from codegen.authoring import explain as ex
    from codegen.catalog import load_catalog

    if task_number is not None and task_number < 1:
        raise bad_input(f"--task {task_number}: tasks are numbered from 1")
    if output:
        _refuse_overwriting_input(path, output, bad_input)
    explained = ex.explain_path(path, load_catalog(quiet=True))
    if task_number is not None:
        text = ex.render_task_markdown(explained, task_number)
    else:
        text = ex.render_markdown(explained, summary=ex.model_summary(explained) if summary else None)
    if output:
        write_text(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


def _refuse_overwriting_input(path: str, output: str, bad_input) -> None:
    """-o onto the file being explained (or onto a YAML file of the role folder being explained)
    would replace the user's Ansible with Markdown."""
    from codegen.atomic import real_path
    from codegen.cli import refuse_same_file

    refuse_same_file(path, output, "explained")
    folder, target = real_path(path), real_path(output)
    if folder.is_dir() and target.is_relative_to(folder) and target.suffix in (".yml", ".yaml"):
        raise bad_input(f"-o {output} is a file of the role being explained: write the output somewhere else")
