"""`ansible-codegen export --format hf|gguf|ollama -o DIR`: registered on the main click group by codegen.cli."""
from __future__ import annotations

from pathlib import Path

import click

GGUF_NAME = "ansible-codegen.gguf"
NEXT_STEP = {
    "hf": "vllm serve {out}/merged --served-model-name ansible-codegen   "
          "(or: vllm serve {out}/base --enable-lora --lora-modules ansible-codegen={out}/adapter --max-lora-rank 16)",
    "gguf": "python -m llama_cpp.server --model {out}/" + GGUF_NAME + " --model_alias ansible-codegen",
    "ollama": "cd {out} && ollama create ansible-codegen -f Modelfile",
}


def export_to(out: Path, fmt: str, base, adapter, kind: str, log) -> dict:
    """Build the export in a temporary sibling of `out`, which replaces `out` in one rename."""
    from codegen.atomic import staged_dir
    from codegen.export.sources import merged_folder, source_gguf

    source = source_gguf(base) if fmt in ("gguf", "ollama") else None  # refuse a base with no GGUF before merging
    if source is not None:
        from codegen.export.gguf_file import read_source

        read_source(source)  # a file that is not GGUF is refused before any work
    log("merging the adapter into the base (cached after the first time)")
    merged, base_path, adapter_path = merged_folder(base, adapter)
    with staged_dir(out) as tmp:
        if fmt == "hf":
            from codegen.export.folders import write_hf

            summary = write_hf(tmp, merged, base_path, adapter_path)
        else:
            from codegen.export.gguf_file import write_gguf

            def progress(done: int, total: int) -> None:
                if done == total or done % 50 == 0:
                    log(f"writing {kind} tensors: {done}/{total}")

            summary = write_gguf(merged, source, tmp / GGUF_NAME, kind=kind, name="ansible-codegen",
                                 progress=progress)
            if fmt == "ollama":
                from codegen.atomic import write_text
                from codegen.export.modelfile import modelfile

                write_text(tmp / "Modelfile", modelfile(GGUF_NAME))
    # the paths name the final folder, not the staging one
    return {k: v.replace(str(tmp), str(out)) if isinstance(v, str) else v for k, v in summary.items()}


def register(main: click.Group) -> None:
    from codegen.cli import BadInput, friendly_errors

    @main.command()
    @click.option("--format", "fmt", type=click.Choice(["hf", "gguf", "ollama"]), required=True,
                  help="hf: merged Hugging Face folder (+ base and adapter for vLLM --enable-lora); "
                       "gguf: one GGUF file for llama.cpp; ollama: the GGUF and a Modelfile.")
    @click.option("-o", "--output", "output", required=True, type=click.Path(file_okay=False),
                  help="Folder to write (made whole or not at all).")
    @click.option("--type", "kind", type=click.Choice(["f16", "bf16", "q8_0"]), default="f16", show_default=True,
                  help="Weight type of the GGUF's matrices (norms stay F32).")
    @click.option("--base", default=None, help="Base model: gemma3-270m (default) or its .gguf file.")
    @click.option("--adapter", default="default", show_default=True,
                  help="LoRA adapter folder; 'default' uses the shipped one, 'none' exports the bare base.")
    @click.option("--force", is_flag=True, help="Replace an existing, non-empty output folder.")
    @friendly_errors
    def export(fmt, output, kind, base, adapter, force):
        """Write the tuned model for a serving engine: vLLM (hf), llama.cpp (gguf), Ollama (ollama)."""
        import json

        from codegen.export.sources import ExportError
        from codegen.progress import console

        out = Path(output).expanduser()
        if out.exists() and not out.is_dir():
            raise BadInput(f"{out} exists and is not a folder")
        if out.is_dir() and any(out.iterdir()) and not force:
            raise BadInput(f"{out} exists and is not empty: pass --force to replace it")

        def log(message: str) -> None:
            console.print(f"[dim]export: {message}[/dim]", highlight=False)

        try:
            summary = export_to(out, fmt, base, adapter, kind, log)
        except ExportError as exc:
            raise BadInput(str(exc)) from exc
        except OSError as exc:  # a full disk, a folder we may not write
            raise BadInput(f"cannot write {out}: {exc.strerror or exc.__class__.__name__}") from exc
        click.echo(json.dumps({"format": fmt, "output": str(out), **summary}))
        click.echo("next: " + NEXT_STEP[fmt].format(out=out), err=True)
