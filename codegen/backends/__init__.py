"""Where completions come from: the local model (default) or an OpenAI-compatible server.

A backend has one method, `complete(prompt, constraint=None, cancelled=None) -> Generation`.
"""
from __future__ import annotations


def make_backend(kind: str = "local", **options):
    if kind == "local":
        from codegen.backends.local import LocalBackend

        return LocalBackend(base=options.get("base"), adapter=options.get("adapter", "default"))
    if kind == "openai":
        from codegen.backends.openai import OpenAIBackend

        return OpenAIBackend(url=options["url"], model=options["model"], timeout=options.get("timeout", 60.0))
    raise ValueError(f"unknown backend {kind!r}: use local or openai")
