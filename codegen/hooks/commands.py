"""`ansible-codegen fill FILES` and `ansible-codegen check FILES`: the pre-commit hooks' commands.

Exit codes (as pre-commit reads them): 0 nothing to do, 1 a file was changed (fill) or problems
were found, 2 bad input (a path that does not exist or cannot be read as text, bad options).
Folders given on the command line are searched for *.yml / *.yaml (hidden folders skipped).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

YAML_SUFFIXES = (".yml", ".yaml")
_SKIP_DIRS = {"node_modules", "__pycache__", "venv", ".venv"}


def expand_paths(paths: tuple[str, ...]) -> tuple[list[Path], list[str]]:
    """Files to look at (folders expanded to their YAML files), and the paths that do not exist."""
    files, missing = [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
                files += [Path(root) / n for n in sorted(names) if n.endswith(YAML_SUFFIXES)]
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            missing.append(raw)
    return list(dict.fromkeys(files)), missing


def register(main: click.Group) -> None:
    from codegen.cli import BadInput, friendly_errors, model_options

    @main.command("fill")
    @click.argument("paths", nargs=-1, type=click.Path())
    @click.option("--dry-run", is_flag=True, help="List the stubs that would be filled; load no model, write nothing.")
    @model_options
    @friendly_errors
    def fill(paths, dry_run, base, adapter, backend, url, remote_model, no_lint):
        """Replace task stubs in Ansible FILES with generated tasks, in place.

        A stub is a task that is only `- name: <request>`, or a `# codegen: <request>` comment
        line between tasks. Everything else in the file is kept byte for byte. Exits 1 when a file
        changed (review it), 0 when there was nothing to fill, 2 on bad input."""
        from codegen.ansible_files.yaml_load import Unreadable

        files, missing = expand_paths(paths)
        if missing:
            raise BadInput(f"no such file or folder: {', '.join(missing)}")
        if backend == "openai" and not (url and remote_model):
            raise BadInput("--backend openai needs --url and --model")
        if dry_run:
            sys.exit(_list_stubs(files))
        from codegen.hooks.fill import LazyPipeline, fill_file

        factory = LazyPipeline(lambda: _build_pipeline(base, adapter, backend, url, remote_model, no_lint))
        status, changed = 0, []
        for path in files:
            if not path.name.endswith(YAML_SUFFIXES):
                continue  # pre-commit sends YAML only; a README.md given by hand is not ours
            try:
                result = fill_file(path, factory)
            except Unreadable as exc:
                click.echo(f"ansible-codegen: error: {exc}", err=True)
                status = 2
                continue
            for message in result.messages:
                click.echo(message)
            if result.changed:
                changed.append(path)
            if result.changed or result.errors:
                status = max(status, 1)
        if changed:
            click.echo(f"filled stubs in {len(changed)} file(s): review the generated tasks, then stage them", err=True)
        sys.exit(status)

    @main.command("check")
    @click.argument("paths", nargs=-1, type=click.Path())
    @click.option("--no-lint", is_flag=True, help="Skip ansible-lint (argument specs, keywords and Jinja are still checked).")
    @click.option("--syntax-check", is_flag=True,
                  help="Also run `ansible-playbook --syntax-check` on playbooks (a process per file: slower).")
    @click.option("-q", "--quiet", is_flag=True, help="Print errors only, not warnings.")
    @click.option("--stats", is_flag=True, help="Print how many files were checked and how long it took (stderr).")
    def check(paths, no_lint, syntax_check, quiet, stats):
        """Validate every task of the Ansible FILES against the installed modules' argument specs
        and the lint profile. Prints `path:line: level [check] problem`; exits 1 on errors.

        Non-Ansible YAML (compose files, k8s manifests, vars files...) is skipped."""
        from codegen.ansible_files.yaml_load import Unreadable

        started = time.perf_counter()
        files, missing = expand_paths(paths)
        if missing:
            raise BadInput(f"no such file or folder: {', '.join(missing)}")
        status, checked, errors = 0, 0, 0
        catalog = None
        for path in files:
            if not path.name.endswith(YAML_SUFFIXES):
                continue  # pre-commit sends YAML only; a README.md given by hand is not ours
            if catalog is None:
                from codegen.catalog import load_catalog
                from codegen.validate.files import check_file

                catalog = load_catalog(quiet=True)
            try:
                report = check_file(path, catalog, lint=not no_lint, syntax_check=syntax_check)
            except Unreadable as exc:
                click.echo(f"ansible-codegen: error: {exc}", err=True)
                status = 2
                continue
            checked += report.ansible
            for finding in report.findings or []:
                if finding.level == "error" or not quiet:
                    click.echo(str(finding))
            if report.errors:
                errors += report.errors
                status = max(status, 1)
        if stats:
            click.echo(f"checked {checked} Ansible file(s) of {len(files)} in {time.perf_counter() - started:.2f} s; "
                       f"{errors} error(s)", err=True)
        sys.exit(status)


def _build_pipeline(base, adapter, backend, url, remote_model, no_lint):
    """The pipeline for fill: the test backend when ANSIBLE_CODEGEN_TEST_BACKEND says so, else the model."""
    from codegen.backends.scripted import pipeline_from_env

    scripted = pipeline_from_env(lint=not no_lint)
    if scripted is not None:
        return scripted
    from codegen.backends import make_backend
    from codegen.catalog import load_catalog
    from codegen.pipeline import Pipeline

    options = {"base": base, "adapter": adapter, "url": url, "model": remote_model}
    return Pipeline(make_backend(backend, **options), load_catalog(quiet=True), lint=not no_lint)


def _list_stubs(files: list[Path]) -> int:
    from codegen.ansible_files.classify import Broken, classify, find_stubs
    from codegen.ansible_files.yaml_load import Unreadable, read_text
    from codegen.catalog import load_catalog

    catalog = load_catalog(quiet=True)
    status = 0
    for path in files:
        if not path.name.endswith(YAML_SUFFIXES):
            continue
        try:
            bom, text = read_text(path)
        except Unreadable as exc:
            click.echo(f"ansible-codegen: error: {exc}", err=True)
            status = 2
            continue
        found = classify(path, text, bom, known_module=lambda name: catalog.resolve(name) is not None)
        if found is None or isinstance(found, Broken):
            continue
        stubs, notes = find_stubs(found)
        for stub in stubs:
            click.echo(f"{path}:{stub.line}: would fill {stub.request!r}")
        for note in notes:
            click.echo(f"{path}:{note.line}: {note.level} [{note.check}] {note.message}")
        if stubs or any(n.level == "error" for n in notes):
            status = max(status, 1)
    return status
