"""`ansible-codegen train`: LoRA fine-tuning (registered on the CLI by cli.FEATURE_COMMANDS)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from codegen.cli import BadInput, friendly_errors, _stop_on_signals


def register(main) -> None:
    main.add_command(train)


@click.command()
@click.option("--data", "data_dir", required=True, type=click.Path(file_okay=False), help="Dataset folder (dataset build).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Run folder (checkpoints, adapter).")
@click.option("--base", default="gemma3-270m", show_default=True)
@click.option("--steps", default=0, show_default=True, help="Optimizer steps (0: one pass over train).")
@click.option("--epochs", default=1.0, show_default=True)
@click.option("--lr", default=4e-4, show_default=True)
@click.option("--rank", default=16, show_default=True)
@click.option("--tokens-per-batch", default=2048, show_default=True)
@click.option("--eval-every", default=50, show_default=True)
@click.option("--device", default="cpu", show_default=True, help="cpu or cuda.")
@click.option("--threads", default=0, help="CPU threads (0: torch default).")
@click.option("--init", "init", default=None, type=click.Path(file_okay=False),
              help="Start from this adapter's LoRA weights (a warm start on a new mix) instead of zero.")
@click.option("--keep-epochs", is_flag=True,
              help="Also save the adapter at each epoch's end (OUT/epochs/epoch-K, with its validation loss).")
@friendly_errors
def train(data_dir, out_dir, base, steps, epochs, lr, rank, tokens_per_batch, eval_every, device, threads, init,
          keep_epochs):
    """LoRA fine-tune; Ctrl-C saves a checkpoint and the same command resumes."""
    from codegen.progress import bar
    from codegen.train.loop import Recipe, train as run

    data = Path(data_dir)
    if not (data / "train.jsonl").is_file():
        raise BadInput(f"--data {data_dir}: no train.jsonl (run: ansible-codegen dataset build -o {data_dir})")
    if init and not (Path(init) / "adapter_model.safetensors").is_file():
        raise BadInput(f"--init {init}: no adapter_model.safetensors there (give an adapter folder)")
    recipe = Recipe(base=base, steps=steps, epochs=epochs, lr=lr, rank=rank, tokens_per_batch=tokens_per_batch,
                    eval_every=eval_every, device=device, threads=threads, init=str(init or ""),
                    keep_epochs=keep_epochs)
    _stop_on_signals()
    with bar() as progress:
        job = progress.add_task("Training", total=None, info="")

        def report(step, total, entry):
            info = f"loss {entry['loss']:.3f} {entry['tok_s']:.0f} tok/s"
            if "valid_loss" in entry:
                info += f" valid {entry['valid_loss']:.3f}"
            progress.update(job, completed=step, total=total, info=info)

        summary = run(data, Path(out_dir), recipe, progress=report)
    if summary["status"] == "interrupted":
        click.echo(f"interrupted at step {summary['step']}/{summary['total']}: checkpoint saved; run the same "
                   "command to resume", err=True)
        sys.exit(130)
    click.echo(f"done: {summary['step']} steps; adapter in {Path(out_dir) / 'adapter'}")
