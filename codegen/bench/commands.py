"""`ansible-codegen bench`: registered on the main click group by codegen.cli."""
from __future__ import annotations

import json
from pathlib import Path

import click


def read_prompts(path: str) -> list[str]:
    """One request per line; JSONL lines with a "prompt" field work too (batch input files)."""
    return [case["prompt"] for case in read_cases(path)]


def read_cases(path: str) -> list[dict]:
    """Each line a case: {"id", "prompt", "context"?}; a plain line is a prompt alone."""
    try:
        lines = Path(path).read_text().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read prompts file {path}: {exc.__class__.__name__}") from exc
    prompts = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("{"):
            try:
                case = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(case, dict) or not isinstance(case.get("prompt"), str) or not case["prompt"].strip():
                raise ValueError(f"{path}:{number}: a JSON line needs a \"prompt\" string")
            context = case.get("context")
            if context is not None and not isinstance(context, str):
                raise ValueError(f"{path}:{number}: \"context\" must be a string")
            prompts.append({"id": str(case.get("id") or f"line-{number}"), "prompt": case["prompt"].strip(),
                            **({"context": context} if context else {})})
            continue
        prompts.append({"id": f"line-{number}", "prompt": line})
    if not prompts:
        raise ValueError(f"{path}: no prompts in it")
    return prompts


def register(main: click.Group) -> None:
    from codegen.cli import BadInput, friendly_errors

    @main.command()
    @click.option("--runs", default=5, show_default=True, type=click.IntRange(1), help="Measured runs per figure.")
    @click.option("--warmup", default=1, show_default=True, type=click.IntRange(0),
                  help="Unmeasured runs before them.")
    @click.option("-o", "--output", default="bench.json", show_default=True, type=click.Path(dir_okay=False),
                  help="Write the figures here (JSON).")
    @click.option("--base", default=None, help="Base model: gemma3-270m (default), smollm2, a HF model folder, or a .gguf file.")
    @click.option("--adapter", default="default", show_default=True,
                  help="LoRA adapter folder; 'default' uses the shipped one, 'none' uses the bare base.")
    @click.option("--prompts", "prompts_file", default=None, type=click.Path(dir_okay=False),
                  help="Requests to time, one per line (or batch JSONL); default: 5 built-in ones.")
    @click.option("--bandwidth-mb", default=1024, show_default=True, type=click.IntRange(16),
                  help="Size of the buffer read to measure memory bandwidth.")
    @click.option("--speedups-only", is_flag=True,
                  help="Only prompt-lookup decoding and the prefix cache, each on vs off (a short bench).")
    @click.option("--against", default=None, type=click.Path(file_okay=False, exists=True),
                  help="With JSONL --prompts: also time this checkout of the project (a baseline commit), "
                       "runs alternating, answers compared.")
    @click.option("--no-cold", is_flag=True, help="With JSONL --prompts: skip the cold CLI figure.")
    @click.option("--lsp", is_flag=True,
                  help="With JSONL --prompts: time the language server instead: a new server per run, the first "
                       "inline suggestion after start-up, then each request's (needs the lsp extra).")
    @friendly_errors
    def bench(runs, warmup, output, base, adapter, prompts_file, bandwidth_mb, speedups_only, against, no_cold, lsp):
        """Time cold start, warm latency, first token, decoding, validation, catalog load and memory,
        each as median (min-max) over RUNS, beside plain model.generate (and llama.cpp when installed);
        and prompt-lookup decoding and the prefix cache, each on vs off.

        With --prompts FILE in batch JSONL (requests with their file "context", as
        eval/bench/realistic.jsonl): the requests benchmark instead, p50/p95/max, first token, tokens
        and tries per request and where the time goes, the five short requests as a second row."""
        import sys

        from codegen.bench.common import DEFAULT_PROMPTS, BenchError, Settings
        from codegen.bench.measure import run_bench
        from codegen.bench.report import print_table, write_report
        from codegen.progress import console

        def log(message: str) -> None:
            console.print(f"[dim]bench: {message}[/dim]", highlight=False)

        cases = read_cases(prompts_file) if prompts_file else None
        if lsp:
            if cases is None or against:
                raise BadInput("--lsp needs --prompts FILE (batch JSONL) and no --against")
            _lsp_bench(cases, runs, base, adapter, Path(output), log)
            return
        if cases is not None and any("context" in case for case in cases):
            from codegen.bench import realistic

            settings = realistic.RequestsSettings(cases=cases, short=list(DEFAULT_PROMPTS), runs=runs, against=against,
                                                  base=base, adapter=adapter, cold=not no_cold,
                                                  partial=Path(output).with_suffix(".partial.json"))
            try:
                report = realistic.run_requests_bench(settings, log)
            except realistic.RequestsBenchError as exc:
                raise BadInput(str(exc)) from exc
            write_report(report, Path(output))
            realistic.print_table(report)
            click.echo(f"wrote {output}", err=True)
            sys.stdout.flush()
            return
        if against:
            raise BadInput("--against needs --prompts FILE in batch JSONL (requests with their context)")
        settings = Settings(runs=runs, warmup=warmup, base=base, adapter=adapter, bandwidth_mb=bandwidth_mb,
                            speedups_only=speedups_only)
        if cases:
            settings.prompts = [case["prompt"] for case in cases]

        try:
            report = run_bench(settings, log)
        except BenchError as exc:
            raise BadInput(str(exc)) from exc
        write_report(report, Path(output))
        print_table(report)
        click.echo(f"wrote {output} ({report['seconds']:.0f} s)", err=True)
        sys.stdout.flush()


def _lsp_bench(cases: list[dict], runs: int, base, adapter, output: Path, log) -> None:
    """`bench --prompts FILE --lsp`: the language server's figures (codegen/bench/lsp.py)."""
    import importlib.util

    from rich.console import Console
    from rich.table import Table

    from codegen.bench.lsp import run_lsp_bench
    from codegen.bench.report import write_report

    if importlib.util.find_spec("pygls") is None:
        raise BadInput("--lsp needs the language server's extra: pip install 'ansible-codegen[lsp]'")
    model_args = [*(["--base", base] if base else []), *(["--adapter", str(adapter)] if adapter is not None else [])]
    report = run_lsp_bench(cases, runs, model_args, log)
    write_report(report, output)
    s = report["summary"]
    table = Table(title=f"ansible-codegen bench --lsp: seconds, median of {runs} runs (a new server each)")
    for column in ("first suggestion after start-up", "then p50", "p95", "max", "with a task"):
        table.add_column(column)
    table.add_row(f"{s['first_suggestion']:.2f}", f"{s['p50']:.2f}", f"{s['p95']:.2f}", f"{s['max']:.2f}",
                  f"{s['answered']:g}/{s['requests']}")
    Console(width=140).print(table)
    click.echo(f"wrote {output}", err=True)
