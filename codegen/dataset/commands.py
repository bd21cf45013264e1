"""`ansible-codegen dataset build|external`: training data and the external split (registered on the CLI by cli.FEATURE_COMMANDS)."""
from __future__ import annotations

from pathlib import Path

import click

from codegen.cli import BadInput, friendly_errors


def register(main) -> None:
    main.add_command(dataset)


@click.group()
def dataset():
    """Training data from installed content and your own playbooks."""


@dataset.command("build")
@click.option("--from", "from_dirs", multiple=True, type=click.Path(), help="A directory of your playbooks/roles (repeatable).")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--projects/--no-projects", default=True, show_default=True,
              help="Also train on the real projects registry wheels ship (kolla-ansible, OpenStack ansible-role-*), "
                   "downloaded once into the user cache.")
@friendly_errors
def dataset_build(from_dirs, output, projects):
    """Build train/valid/test/realworld splits and a data card."""
    from codegen.catalog import load_catalog
    from codegen.dataset.build import build_dataset
    from codegen.progress import bar

    for folder in from_dirs:
        if not Path(folder).is_dir():
            raise BadInput(f"--from {folder}: not a directory")
    cat = load_catalog()
    with bar() as progress:
        job = progress.add_task("Reading sources", total=None, info="")
        counts = build_dataset(cat, Path(output), [Path(d) for d in from_dirs],
                               on_file=lambda i, n: progress.update(job, completed=i, total=n), projects=projects)
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()) + f" -> {output}")


@dataset.command("external")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Output folder.")
@friendly_errors
def dataset_external(output):
    """Build the external split: whole projects held out of training (eval --split external)."""
    from codegen.catalog import load_catalog
    from codegen.dataset.external import PROJECTS, build_external
    from codegen.progress import bar

    cat = load_catalog()
    with bar() as progress:
        job = progress.add_task("Reading projects", total=len(PROJECTS), info="")
        try:
            counts = build_external(cat, Path(output),
                                    on_project=lambda i, n, name: progress.update(job, completed=i, info=name))
        except RuntimeError as exc:
            raise BadInput(str(exc)) from exc
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()) + f" -> {Path(output) / 'external.jsonl'}")
