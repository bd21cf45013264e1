"""The Ollama Modelfile: the GGUF, a raw prompt template and the project's decoding settings."""
from __future__ import annotations

from codegen.backends.openai import DEFAULT_MAX_TOKENS, STOP


def _quoted(text: str) -> str:
    """A Modelfile value: triple quotes keep the newline each stop string starts with."""
    if '"""' in text:
        raise ValueError(f"cannot quote {text!r} in a Modelfile")
    return f'"""{text}"""'


def modelfile(gguf_name: str, context: int = 8192) -> str:
    lines = [
        "# ansible-codegen: Gemma 3 270M with the project's LoRA adapter merged (ansible-codegen export).",
        "# The prompt is the project's own (ansible-codegen renders it): no chat template around it.",
        f"FROM ./{gguf_name}",
        'TEMPLATE """{{ .Prompt }}"""',
        "PARAMETER temperature 0",
        f"PARAMETER num_predict {DEFAULT_MAX_TOKENS}",
        f"PARAMETER num_ctx {context}",
    ]
    lines += [f"PARAMETER stop {_quoted(stop)}" for stop in STOP]
    return "\n".join(lines) + "\n"
