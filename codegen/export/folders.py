"""The Hugging Face export: the merged model, and the base + peft adapter beside it."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

# What a Hugging Face model folder needs (others, like codegen-source.json, are the cache's own notes).
MODEL_FILES = ("config.json", "generation_config.json", "model.safetensors")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model")
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors", "kept_tokens.json", "README.md")


def place(source: Path, target: Path) -> None:
    """A hard link where the file system allows it (the weights are hundreds of MB and never
    changed in place), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def copy_files(source: Path, target: Path, names) -> list[str]:
    placed = []
    for name in names:
        if (source / name).is_file():
            place(source / name, target / name)
            placed.append(name)
    return placed


def write_hf(out: Path, merged: Path, base: Path, adapter: Path | None) -> dict:
    """out/merged: the merged model + tokenizer; out/base and out/adapter: for vLLM --enable-lora."""
    copy_files(merged, out / "merged", MODEL_FILES)
    copy_files(base, out / "merged", TOKENIZER_FILES)
    summary = {"merged": str(out / "merged")}
    if adapter is not None:
        copy_files(base, out / "base", MODEL_FILES + TOKENIZER_FILES)
        copy_files(adapter, out / "adapter", ADAPTER_FILES)
        summary.update(base=str(out / "base"), adapter=str(out / "adapter"))
    return summary
