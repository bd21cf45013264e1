"""The `ansible-codegen` command. Heavy imports (torch, transformers, ansible) happen inside
commands, so `--help` and quick commands stay fast."""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

# Exit codes of task, playbook, role and batch (README "Exit codes"):
EXIT_OK = 0         # everything generated and every check passed
EXIT_FAILED = 1     # generated, but a step/task failed its checks or is missing (written only where safe)
EXIT_BAD_INPUT = 2  # bad input: nothing generated, nothing written
EXIT_STOPPED = 130  # batch/train stopped by Ctrl-C or SIGTERM: what finished is kept


class BadInput(click.ClickException):
    """Bad input from the user: one line on stderr, exit code 2, nothing written."""

    exit_code = EXIT_BAD_INPUT

    def show(self, file=None):
        click.echo(f"ansible-codegen: error: {self.message}", err=True)


def friendly_errors(func):
    """Turn expected failures into one-line errors instead of tracebacks."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from codegen.model.load import ModelError

        try:
            return func(*args, **kwargs)
        except (ModelError, FileNotFoundError, IsADirectoryError, PermissionError, ValueError) as exc:
            raise BadInput(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc

    return wrapper


def model_options(func):
    func = click.option("--base", default=None, help="Base model: gemma3-270m (default), smollm2, a HF model folder, or a .gguf file.")(func)
    func = click.option("--adapter", default="default", show_default=True,
                        help="LoRA adapter folder; 'default' uses the shipped one, 'none' uses the bare base.")(func)
    func = click.option("--backend", type=click.Choice(["local", "openai"]), default="local", show_default=True,
                        help="Where completions come from.")(func)
    func = click.option("--url", default=None, help="OpenAI-compatible server URL (with --backend openai).")(func)
    func = click.option("--model", "remote_model", default=None, help="Model name on the server (with --backend openai).")(func)
    func = click.option("--no-lint", is_flag=True, help="Skip the ansible-lint check (faster).")(func)
    return func


def _source_index(adapter):
    from codegen.grounding.sources import INDEX_FILE, SourceIndex
    from codegen.model.load import default_adapter

    folder = default_adapter() if adapter in (None, "default", "none") else Path(adapter)
    path = folder / INDEX_FILE if folder else None
    if path is None or not path.is_file():
        raise BadInput(f"--sources needs the training-example index {INDEX_FILE} beside the adapter "
                       f"({folder or 'no adapter installed'})")
    return SourceIndex.load(path)


def _pipeline(base, adapter, backend, url, remote_model, no_lint, sources=False, retrieval=True, option_summary=False,
              workspace=True):
    from codegen.backends import make_backend
    from codegen.catalog import load_catalog
    from codegen.pipeline import Pipeline

    from codegen.config import backend_options

    # command-line options win over the config file, which wins over the defaults
    given = click.get_current_context().get_parameter_source("backend") != click.core.ParameterSource.DEFAULT
    chosen = backend_options(kind=backend if given else None, url=url, model=remote_model)
    backend, url, remote_model = chosen["kind"], chosen["url"], chosen["model"]
    if backend == "openai" and not (url and remote_model):
        raise BadInput("--backend openai needs --url and --model")
    options = {"base": base, "adapter": adapter, "url": url, "model": remote_model, "timeout": chosen["timeout"]}
    from codegen.backends.scripted import pipeline_from_env

    try:
        scripted = pipeline_from_env(lint=not no_lint, workspace=workspace)  # tests only: ANSIBLE_CODEGEN_TEST_BACKEND
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    if scripted is not None:
        return scripted
    index = _source_index(adapter) if sources else None
    made = make_backend(backend, **options)
    preloading = hasattr(made, "preload")
    if preloading:
        made.preload()  # the model loads on its own thread while the catalog is read and the checks warm up
    pipeline = Pipeline(made, load_catalog(), lint=not no_lint, sources=index,
                        retriever="auto" if retrieval else None, option_summary=option_summary, workspace=workspace)
    if preloading:
        pipeline.warm_checks()
    return pipeline


def _echo_workspace(used: dict) -> None:
    """--sources: the workspace files read, those the model was shown something from, and skips."""
    click.echo(f"# workspace: {used['root']}" + (f" (role {used['role']})" if used.get("role") else ""), err=True)
    for path in used["read"]:
        click.echo(f"# workspace file{' (shown)' if path in used['shown'] else ''}: {path}", err=True)
    for note in used["notes"]:
        click.echo(f"# workspace skipped: {note}", err=True)


def _read_context(path: str | None) -> str | None:
    if path is None:
        return None
    from codegen.ansible_files.yaml_load import Unreadable, read_text

    try:
        bom, text = read_text(path)
    except Unreadable as exc:
        raise BadInput(f"cannot read context file {exc}") from exc
    return text


def check_text(value: str | None, what: str) -> str | None:
    """Refuse text that is not valid Unicode: an argument with bytes that are not UTF-8 arrives
    with lone surrogates (Python's surrogateescape), which nothing downstream can encode."""
    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise BadInput(f"{what} is not valid UTF-8 (at character {exc.start + 1})") from None
    return value


def _check_prompt(prompt: str) -> str:
    from codegen.pipeline import MAX_PROMPT_CHARS

    check_text(prompt, "the prompt")
    if not prompt or not prompt.strip() or not any(part.strip() for part in prompt.split("&")):
        raise BadInput("empty prompt: say what the task should do, e.g. \"install nginx\"")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise BadInput(f"the prompt is {len(prompt):,} characters, over the cap of {MAX_PROMPT_CHARS:,}")
    return prompt


def refuse_same_file(source: str | Path | None, output: str | Path | None, what: str = "input") -> None:
    """Output onto the file being read (also via a link or another path to it) would destroy it."""
    from codegen.atomic import same_file

    if source is not None and output is not None and same_file(source, output):
        raise BadInput(f"-o {output} is the {what} file itself: write the output somewhere else")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ansible-codegen")
def main():
    """Plain English in, validated Ansible tasks and playbooks out. Offline, on your CPU."""
    from codegen.validate.ansible_env import prepare

    prepare()  # before ansible is imported: our tools, no user or repository ansible config


@main.command()
@click.argument("prompt")
@click.option("--context", "context_file", type=click.Path(), default=None, help="The file the task goes into.")
@click.option("--json", "as_json", is_flag=True, help="Print the result record as JSON.")
@click.option("--sources", is_flag=True, help="Show the 3 training examples the task most resembles.")
@click.option("--retrieval/--no-retrieval", default=True, show_default=True,
              help="Show the model the 2 most similar training examples, as it was trained (see eval).")
@click.option("--option-summary", is_flag=True,
              help="Also show the options of the nearest example's module, as comments (see eval: no gain measured).")
@click.option("--workspace/--no-workspace", default=True, show_default=True,
              help="Read the workspace around the --context file (role defaults, vars, handlers, templates, "
                   "group_vars) and hold the answer to what it defines.")
@model_options
@friendly_errors
def task(prompt, context_file, as_json, sources, retrieval, option_summary, workspace, base, adapter, backend, url,
         remote_model, no_lint):
    """Generate Ansible task(s) for PROMPT; 'a & b & c' gives one task per part."""
    prompt = _check_prompt(prompt)
    context = _read_context(context_file)
    pipeline = _pipeline(base, adapter, backend, url, remote_model, no_lint, sources=sources, retrieval=retrieval,
                         option_summary=option_summary, workspace=workspace)
    result = pipeline.run(prompt, context=context, path=context_file)
    if as_json:
        click.echo(json.dumps(result.record(), indent=2))
    else:
        click.echo(result.yaml, nl=False)
        for problem in result.problems:
            click.echo(f"# {problem}", err=True)
        for match in result.sources or []:
            if match.get("kind") == "private collection documentation":  # grounding.candidates.PRIVATE_KIND
                click.echo(f"# source: {match['module']} from the documentation of the private collection "
                           f"{match['collection']} {match['version']} {match['path']} ({match['licence']})", err=True)
                continue
            click.echo(f"# source {match['score']:.2f}: {match['collection']} {match['version']} "
                       f"{match['path']}:{match['line']} ({match['module']}, {match['licence']})", err=True)
        if sources and result.workspace:
            _echo_workspace(result.workspace)
    sys.exit(EXIT_OK if result.valid else EXIT_FAILED)


@main.command()
@click.argument("prompt", required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the playbook here.")
@click.option("--hosts", default=None, help="Host group the play targets (default: the outline's, else all).")
@click.option("--become/--no-become", default=None, help="Run as root (default: decided from the tasks).")
@click.option("--outline", "show_outline", is_flag=True,
              help="Print the outline first; at a terminal, edit or accept it before generating.")
@click.option("--from-outline", "outline_file", type=click.Path(dir_okay=False), default=None,
              help="Generate from an (edited) outline file instead of outlining PROMPT.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON record instead of YAML.")
@click.option("--force", is_flag=True, help="Replace an existing -o file even when some steps failed.")
@model_options
@friendly_errors
def playbook(prompt, output, hosts, become, show_outline, outline_file, as_json, force, base, adapter, backend, url,
             remote_model, no_lint):
    """Generate a playbook for PROMPT: outline it (one step per task), then generate each step.

    'a & b & c' gives the steps yourself. --outline shows the model's outline to edit first;
    --from-outline FILE generates from a saved, edited outline."""
    from codegen.authoring.outline import format_outline, review
    from codegen.authoring.steps import mark_outline, plan_steps
    from codegen.authoring.playbook import build_playbook, purpose_of

    check_text(prompt, "the prompt")
    check_text(hosts, "--hosts")
    refuse_same_file(outline_file, output, "outline")
    if outline_file is not None:
        steps, header = _read_outline_file(outline_file)
        prompt = prompt or header.get("request") or steps[0]
        hosts = hosts or header.get("hosts")
    else:
        prompt = _check_prompt(prompt or "")
    from codegen.grounding.secrets import redact_prompt

    prompt = redact_prompt(prompt).text  # before the outline prompt (a backend), the play's name and --json
    pipeline = _pipeline(base, adapter, backend, url, remote_model, no_lint)
    outlined = outline_file is not None
    if outline_file is None:
        plan = plan_steps(pipeline.backend, prompt)
        steps, outlined = plan.steps, plan.outlined
        for step in plan.dropped:
            click.echo(f"# note: left out outline step {step!r}: the request does not ask for it", err=True)
        if show_outline:
            if not (sys.stdin.isatty() and sys.stdout.isatty()):
                click.echo(format_outline(steps, prompt, hosts, mark_outline(steps, prompt)), nl=False)
                click.echo("# save this, edit it, then: ansible-codegen playbook --from-outline FILE", err=True)
                sys.exit(0)
            steps = review(steps, prompt, hosts, marks=lambda shown: mark_outline(shown, prompt))
            if not steps:
                click.echo("stopped: nothing generated", err=True)
                sys.exit(1)
    record = build_playbook(pipeline, prompt, hosts=hosts or "all", become=become, output=output, force=force,
                            lint=not no_lint, steps=steps, purpose=purpose_of(prompt, outlined))
    if as_json:
        click.echo(json.dumps(record, indent=2))
    elif output is None:
        click.echo(record["yaml"], nl=False)
    elif record["written"]:
        click.echo(f"wrote {output}", err=True)
    for problem in record["problems"]:
        click.echo(f"# {problem}", err=True)
    if output is not None and not record["written"]:
        click.echo(f"not written: {record['not_written']}", err=True)
    sys.exit(EXIT_OK if record["valid"] else EXIT_FAILED)


def _read_outline_file(path: str) -> tuple[list[str], dict]:
    from codegen.authoring.outline import read_outline

    try:
        return read_outline(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read outline {path}: {exc.__class__.__name__}") from exc
    except ValueError as exc:
        raise BadInput(f"{path}: {exc}") from exc


@main.command()
@click.argument("input_file", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Output JSONL.")
@click.option("--sources", is_flag=True, help="Add the 3 most similar training examples to each record.")
@model_options
@friendly_errors
def batch(input_file, output, sources, base, adapter, backend, url, remote_model, no_lint):
    """Generate a task for each {"id", "prompt", "context"?} line of INPUT_FILE into OUTPUT (JSONL).

    Re-running with the same OUTPUT resumes: a record already there for the same input line is
    kept, not redone. Ctrl-C or SIGTERM stops after the case in flight, keeping every finished one.
    Exit code: 0 every task valid, 1 some not, 2 bad input (nothing written), 130 stopped."""
    from codegen.batch import check_output, read_cases, run_batch

    refuse_same_file(input_file, output)
    cases = read_cases(Path(input_file))
    check_output(Path(output))
    pipeline = _pipeline(base, adapter, backend, url, remote_model, no_lint, sources=sources)
    _stop_on_signals()
    run = run_batch(pipeline, cases, Path(output))
    if not run.finished:
        click.echo(f"stopped: {len(run.records)} of {len(cases)} records in {output}; run the same command to "
                   "resume", err=True)
        sys.exit(EXIT_STOPPED)
    sys.exit(EXIT_OK if run.all_valid else EXIT_FAILED)


@main.group()
def catalog():
    """The module catalog of the installed collections."""


@catalog.command("build")
@click.option("--collections", "extra", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="Extra folder holding ansible_collections/ (repeatable).")
@friendly_errors
def catalog_build(extra):
    """Build (or rebuild) the catalog now."""
    import time

    from codegen.catalog import load_catalog

    started = time.perf_counter()
    cat = load_catalog(list(extra), rebuild=True)
    click.echo(f"{len(cat)} modules in {len(cat.collections)} collections, built in "
               f"{time.perf_counter() - started:.1f} s")


@catalog.command("show")
@click.argument("module")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def catalog_show(module, as_json):
    """Show one module's documentation summary and options."""
    from dataclasses import asdict

    from codegen.catalog import load_catalog

    doc = load_catalog().get(module)
    if doc is None:
        raise BadInput(f"unknown module {module!r} (try: ansible-codegen catalog search WORDS)")
    if as_json:
        click.echo(json.dumps(asdict(doc), indent=2))
        return
    click.echo(f"{doc.fqcn} ({doc.collection} {doc.version}, {doc.licence})")
    click.echo(f"  {doc.short_description}")
    for name, spec in sorted(doc.options.items()):
        bits = [spec.get("type", "str")]
        if spec.get("required"):
            bits.append("required")
        if spec.get("choices"):
            bits.append("choices: " + ", ".join(map(str, spec["choices"])))
        if spec.get("aliases"):
            bits.append("aliases: " + ", ".join(spec["aliases"]))
        click.echo(f"  {name}: {'; '.join(bits)}")


@catalog.command("search")
@click.argument("words", nargs=-1, required=True)
@click.option("-n", "--limit", default=10, show_default=True)
@friendly_errors
def catalog_search(words, limit):
    """Find modules by what they do."""
    from codegen.catalog import load_catalog

    cat = load_catalog()
    for fqcn, score in cat.search(" ".join(words), limit):
        click.echo(f"{fqcn:50} {score:6.2f}  {cat.get(fqcn).short_description}")


def _stop_on_signals() -> None:
    """SIGTERM (a scheduler, `kill`) and SIGINT stop a long job the way Ctrl-C does: checkpoint, then exit.
    SIGINT is set too because a job started in the background (`cmd &`) inherits it ignored."""
    import signal

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


# Feature commands live beside their code; each module has `register(main)` and imports
# nothing heavy at module level (so `--help` stays fast).
FEATURE_COMMANDS = ("codegen.hooks.commands", "codegen.lsp.commands", "codegen.serving.commands",
                    "codegen.bench.commands", "codegen.authoring.commands", "codegen.export.commands",
                    "codegen.dataset.commands", "codegen.train.commands", "codegen.evaluation.commands")


def _register_features() -> None:
    import importlib
    import importlib.util

    for name in FEATURE_COMMANDS:
        if importlib.util.find_spec(name.rsplit(".", 1)[0]) is not None:
            importlib.import_module(name).register(main)


_register_features()

if __name__ == "__main__":
    main()
