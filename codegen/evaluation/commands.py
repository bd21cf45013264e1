"""`ansible-codegen eval`: scoring systems on a split (registered on the CLI by cli.FEATURE_COMMANDS)."""
from __future__ import annotations

from pathlib import Path

import click

from codegen.cli import BadInput, friendly_errors, _source_index


def register(main) -> None:
    main.add_command(evaluate)


@click.command("eval")
@click.option("--split", default="realworld", show_default=True, help="test, realworld, valid, or a JSONL file of cases.")
@click.option("--data", "data_dir", default="data", show_default=True, type=click.Path(file_okay=False),
              help="Dataset folder (from dataset build).")
@click.option("--limit", default=0, help="Evaluate the first N cases only (0: all).")
@click.option("--systems", default="adapter,base,retrieval", show_default=True,
              help="Comma list of: adapter (base + LoRA, full pipeline), base (no adapter), retrieval (nearest "
                   "training example), adapter-retrieval (the default pipeline: adapter + retrieved examples), "
                   "adapter-workspace (that + the workspace around each case's file, for cases with a path), "
                   "adapter-workspace-unshown (the workspace held to, not shown in the prompt), "
                   "adapter-summary (that + option summary), and ablations adapter-unconstrained, adapter-norepair, "
                   "adapter-raw.")
@click.option("--base", default=None, help="Base model (default: the embedded one).")
@click.option("--adapter", default="default", show_default=True, help="Adapter for the 'adapter' system.")
@click.option("--max-new-tokens", default=128, show_default=True)
@click.option("-o", "--output", default=None, type=click.Path(file_okay=False),
              help="Results folder (default: the user cache's eval/<split>); re-running resumes it.")
@friendly_errors
def evaluate(split, data_dir, limit, systems, base, adapter, max_new_tokens, output):
    """Score systems on a split: module accuracy, EM, BLEU, Ansible Aware, schema, lint, latency."""
    from codegen.backends.local import LocalBackend
    from codegen.catalog import load_catalog
    from codegen.evaluation import run as ev
    from codegen.pipeline import Pipeline
    from codegen.progress import bar

    chosen = [s.strip() for s in systems.split(",") if s.strip()]
    unknown = set(chosen) - set(ev.SYSTEMS)
    if unknown or not chosen:
        raise BadInput(f"--systems: unknown {', '.join(sorted(unknown)) or 'empty list'}")
    cases = ev.load_cases(split, Path(data_dir), limit or None)
    from codegen.paths import cache_dir

    out = Path(output) if output else cache_dir() / "eval" / Path(split).stem
    out.mkdir(parents=True, exist_ok=True)
    cat = load_catalog()
    retrieval = None
    if "retrieval" in chosen:
        train_file = Path(data_dir) / "train.jsonl"
        if not train_file.is_file():
            raise BadInput(f"retrieval baseline needs {train_file}")
        retrieval = ev.Retrieval(ev.read_jsonl(train_file))
    results, rows = {}, {}
    from codegen.evaluation.workspace_metrics import CaseWorkspaces

    workspaces = CaseWorkspaces(cat) if any(c.get("path") and c.get("project") for c in cases) else None
    with bar() as progress:
        backends = {}
        for system in chosen:
            options = ev.SYSTEMS[system]
            backend = None
            if system != "retrieval":
                use = adapter if options["adapter"] else None
                if use not in backends:
                    backends[use] = LocalBackend(base=base, adapter=use, max_new_tokens=max_new_tokens)
                backend = backends[use]
            retriever = None
            if options.get("retrieval"):
                from codegen.grounding.retrieval import ExampleRetriever, common_rows

                from codegen.dataset.external import HELD_OUT

                shown = [r for r in _source_index(adapter).rows if r.get("collection") not in HELD_OUT]
                retriever = ExampleRetriever(shown + common_rows())
            # lint on, as in the CLI: an answer ansible-lint rejects gets the same second try
            pipeline = Pipeline(backend, cat, lint=True, constrain=options["constrain"], repair=options["repair"],
                                retriever=retriever, option_summary=options.get("summary", False),
                                workspace_prompt=options.get("workspace_prompt", "auto"))
            pipeline.retry_budget_s = float("inf")  # scores must not depend on this machine's speed
            job = progress.add_task(system, total=len(cases), info="")
            identity = ev.model_identity(base, adapter if options["adapter"] else None, max_new_tokens)
            rows[system] = ev.run_system(system, cases, pipeline, retrieval, out, identity=identity,
                                         progress=lambda s, j=job: progress.update(j, advance=1),
                                         workspaces=workspaces)
            results[system] = ev.aggregate(rows[system])
            results.update(ev.by_project(system, cases, rows[system]))
    ev.write_report(out, split, results, rows)
    click.echo(ev.table(results))
    click.echo(f"per-case rows: {out / 'cases.json'}", err=True)

