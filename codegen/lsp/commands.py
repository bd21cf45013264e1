"""The `ansible-codegen lsp` command. Nothing heavy at import time: the server is imported when it runs."""
from __future__ import annotations

import logging
import sys

import click


@click.command("lsp")
@click.option("--stdio", is_flag=True, help="Talk LSP over stdin/stdout (the default and only transport; "
                                            "accepted because many editors pass it).")
@click.option("--base", default=None, help="Base model: gemma3-270m (default), smollm2, a HF model folder, or a .gguf file.")
@click.option("--adapter", default="default", show_default=True,
              help="LoRA adapter folder; 'default' uses the shipped one, 'none' uses the bare base.")
@click.option("--no-lint", is_flag=True, help="Skip ansible-lint in suggestions and diagnostics (faster).")
@click.option("--debounce", default=0.3, show_default=True, type=float,
              help="Seconds to wait after open/save before checking a document.")
@click.option("--max-new-tokens", default=200, show_default=True, type=int, help="Most tokens one task may take.")
@click.option("--backend-script", type=click.Path(dir_okay=False), default=None,
              help="Test only: answer from a JSON script instead of the model (see codegen/backends/scripted.py).")
@click.option("--log-file", type=click.Path(dir_okay=False), default=None, help="Write the server's log here.")
@click.option("-v", "--verbose", count=True, help="More log (-v info, -vv debug, pygls included).")
def lsp(stdio, base, adapter, no_lint, debounce, max_new_tokens, backend_script, log_file, verbose):
    """Language server (stdio) for any LSP client: inline Ansible suggestions, hover, diagnostics.

    \b
    Inline completion (LSP 3.18 textDocument/inlineCompletion) on or under a `- name:` line, or a
    `# a & b & c` comment, of a task list; completion items and code actions for clients without
    it; module hover; validation diagnostics on open and save.
    """
    level = logging.DEBUG if verbose >= 2 else logging.INFO if verbose == 1 else logging.WARNING
    handler = logging.FileHandler(log_file) if log_file else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    if verbose < 2:
        logging.getLogger("pygls").setLevel(logging.WARNING)
    from codegen.lsp.features import serve
    from codegen.lsp.server import Options

    serve(Options(base=base, adapter=adapter, lint=not no_lint, backend_script=backend_script,
                  debounce=max(0.0, debounce), max_new_tokens=max_new_tokens))


def register(main: click.Group) -> None:
    main.add_command(lsp)
