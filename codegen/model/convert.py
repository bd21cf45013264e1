"""Turn the registry's GGUF into a safetensors copy once, so later loads take seconds.

Parsing GGUF is slow Python work (~90 s for Gemma 3 270M); a safetensors copy loads in a
few seconds and by memory-mapping. The copy is keyed by the GGUF's sha256 and written
atomically, so an interrupted conversion leaves nothing behind and simply runs again.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from codegen.atomic import staged_dir
from codegen.paths import cache_dir
from codegen.progress import status


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def converted_dir(sha256: str) -> Path:
    return cache_dir() / "models" / sha256[:16]


def is_converted(folder: Path) -> bool:
    return (folder / "config.json").is_file() and (folder / "codegen-source.json").is_file()


def convert_gguf(gguf_path: Path, sha256: str, dtype: str = "bfloat16") -> Path:
    """Convert `gguf_path` into a transformers folder under the cache; return that folder."""
    target = converted_dir(sha256)
    if is_converted(target):
        return target
    from codegen.model.compat import import_torch_stack

    import_torch_stack()  # ansible may have patched sys.intern already (the CLI imports it first)
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    with staged_dir(target) as tmp:
        with status(f"Converting {gguf_path.name} once into {target} (about a minute)"):
            tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
            # transformers warns that packed GGUF weights compute fastest in float32: true when the
            # model runs from them, beside the point for a copy written once (a newcomer's first
            # command printed it, with advice to pass another dtype)
            verbosity = hf_logging.get_verbosity()
            hf_logging.set_verbosity_error()
            try:
                model = AutoModelForCausalLM.from_pretrained(
                    gguf_path.parent, gguf_file=gguf_path.name, dtype=getattr(torch, dtype)
                )
            finally:
                hf_logging.set_verbosity(verbosity)
            # save_pretrained refuses a model that still carries its GGUF quantisation config.
            if getattr(model, "hf_quantizer", None) is not None:
                model.hf_quantizer.remove_quantization_config(model)
            model.save_pretrained(tmp, safe_serialization=True)
            tokenizer.save_pretrained(tmp)
            (tmp / "codegen-source.json").write_text(
                json.dumps({"gguf": gguf_path.name, "sha256": sha256, "dtype": dtype}, indent=2)
            )
    return target
