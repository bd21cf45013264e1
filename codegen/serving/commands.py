"""`ansible-codegen serve`: registered on the main click group by codegen.cli."""
from __future__ import annotations

import ipaddress
import json
import shlex
import sys
from pathlib import Path

import click

LOOPBACK_NAMES = {"localhost", "ip6-localhost"}
VLLM_LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _adapter_path(adapter: str | None) -> Path | None:
    from codegen.model.load import ModelError, resolve_adapter

    path = resolve_adapter(adapter)
    if path is not None and not (path / "adapter_config.json").is_file():
        raise ModelError(f"--adapter {path}: no adapter_config.json there (not a peft LoRA adapter)")
    return path


def vllm_command(base_path, adapter: Path | None, model_name: str, host: str, port: int) -> str:
    """The vLLM command serving the same base + adapter under `model_name`."""
    parts = ["vllm", "serve", str(base_path), "--host", host, "--port", str(port), "--dtype", "bfloat16"]
    if adapter is None:
        parts += ["--served-model-name", model_name]
    else:
        rank = int(json.loads((adapter / "adapter_config.json").read_text()).get("r", 16))
        # vLLM accepts only these --max-lora-rank values: take the smallest that holds the adapter.
        allowed = [r for r in VLLM_LORA_RANKS if r >= rank] or [rank]
        parts += ["--enable-lora", "--lora-modules", f"{model_name}={adapter}", "--max-lora-rank", str(allowed[0])]
    return shlex.join(parts)


def register(main: click.Group) -> None:
    from codegen.cli import BadInput, friendly_errors

    @main.command()
    @click.option("--host", default="127.0.0.1", show_default=True,
                  help="Address to listen on (anything but loopback exposes the model to the network).")
    @click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
                  help="Port (0: any free port, printed on start).")
    @click.option("--base", default=None, help="Base model: gemma3-270m (default), smollm2, a HF model folder, or a .gguf file.")
    @click.option("--adapter", default="default", show_default=True,
                  help="LoRA adapter folder; 'default' uses the shipped one, 'none' uses the bare base.")
    @click.option("--model-name", default="ansible-codegen", show_default=True,
                  help="The model id clients send (--model on the client side).")
    @click.option("--api-key", default=None, envvar="ANSIBLE_CODEGEN_SERVE_API_KEY",
                  help="Require 'Authorization: Bearer KEY' (env ANSIBLE_CODEGEN_SERVE_API_KEY).")
    @click.option("--max-tokens-limit", default=1024, show_default=True, type=click.IntRange(1),
                  help="Largest max_tokens a request may ask for.")
    @click.option("--max-prompt-tokens", default=2048, show_default=True, type=click.IntRange(1),
                  help="Longest prompt (in tokens) a request may send; longer ones get a 400 naming this cap "
                       "(a prompt's prefill holds the one generation slot: the next request waits for it).")
    @click.option("--quiet", is_flag=True, help="No per-request log lines on stderr.")
    @click.option("--print-base-path", is_flag=True,
                  help="Print the base model's Hugging Face folder (converting the GGUF once if needed) and exit.")
    @click.option("--vllm-command", "print_vllm", is_flag=True,
                  help="Print the vLLM command that serves the same base + adapter, and exit.")
    @friendly_errors
    def serve(host, port, base, adapter, model_name, api_key, max_tokens_limit, max_prompt_tokens, quiet, print_base_path,
              print_vllm):
        """Serve the model over an OpenAI-compatible API (/v1/completions, /v1/models).

        Clients: `ansible-codegen task ... --backend openai --url http://HOST:PORT --model NAME`,
        or any OpenAI client using the completions endpoint."""
        from codegen.model.load import resolve_base

        if print_base_path or print_vllm:
            base_path = resolve_base(base)
            if print_base_path:
                click.echo(str(base_path))
            if print_vllm:
                click.echo(vllm_command(base_path, _adapter_path(adapter), model_name, host, port or 8000))
            return
        if not _is_loopback(host) and not api_key:
            click.echo(f"ansible-codegen serve: warning: listening on {host} without --api-key: anyone who can "
                       "reach this port can use the model", err=True)
        _adapter_path(adapter)  # a bad adapter is a one-line error before the slow load

        from codegen.backends.local import LocalBackend
        from codegen.serving.server import CompletionServer, Engine

        try:  # bind first: a busy port is an error in a second, not after the model load
            server = CompletionServer((host, port), None, model_name, api_key=api_key, quiet=quiet)
        except OSError as exc:
            raise BadInput(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        try:
            backend = LocalBackend(base=base, adapter=adapter)
            server.engine = Engine(backend.load(), max_tokens_limit=max_tokens_limit, max_prompt_tokens=max_prompt_tokens)
            server.info = backend.info
        except BaseException:
            server.server_close()
            raise
        adapter_shown = backend.info.get("adapter") or "none"
        click.echo(f"ansible-codegen serve: serving {model_name!r} at {server.url} "
                   f"(base {backend.info.get('base')}, adapter {adapter_shown}); Ctrl-C stops", err=True)
        sys.stderr.flush()
        try:
            server.serve_forever(poll_interval=0.25)
        except KeyboardInterrupt:
            click.echo("ansible-codegen serve: stopped", err=True)
        finally:
            server.server_close()
