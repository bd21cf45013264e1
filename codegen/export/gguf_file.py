"""Write merged weights as a GGUF file llama.cpp and Ollama load.

Everything but the weights comes from the GGUF the base was converted from: its metadata
(architecture keys, the tokenizer's 262k tokens, scores and types, special ids) and its tensor
list (names, order, shapes). Each original tensor is matched to its Hugging Face name with gguf's
TensorNameMap, so nothing is guessed: a tensor missing on either side, or a shape that differs,
is an error rather than a file that loads and answers wrongly.

Conventions that differ between the two formats, for the architectures written here:
- Gemma's RMSNorm multiplies by (1 + w); transformers keeps w, GGUF stores 1 + w (llama.cpp
  multiplies by the stored value). Norm weights get +1 on the way out.
- Gemma's attention weights are not permuted (llama-family q/k projections are: not supported
  here, so such a base is refused rather than written wrong).
1-D tensors (norms) stay F32, as llama.cpp's own converter writes them; matrices are F16, BF16
or Q8_0 (quantised with gguf.quants).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from codegen.export.sources import ExportError

# architectures whose conventions this writer knows (see the module docstring)
NORM_PLUS_ONE = {"gemma", "gemma2", "gemma3"}
MAX_FIELDS = 4096  # a GGUF's metadata keys: a real one has ~40; a hostile header is refused early
MAX_TENSORS = 100_000


def _types():
    from gguf import GGMLQuantizationType as Q, LlamaFileType as F

    return {"f16": (Q.F16, F.MOSTLY_F16), "bf16": (Q.BF16, F.MOSTLY_BF16), "q8_0": (Q.Q8_0, F.MOSTLY_Q8_0)}


TYPES = ("f16", "bf16", "q8_0")
SKIPPED_KEYS = ("general.architecture", "general.file_type", "general.alignment")  # the writer sets these


def read_source(path: Path):
    from gguf import GGUFReader

    try:
        reader = GGUFReader(path)
    except (ValueError, OSError, IndexError) as exc:  # gguf raises ValueError on a bad magic or version
        raise ExportError(f"{path}: not a readable GGUF file ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from exc
    if len(reader.fields) > MAX_FIELDS or len(reader.tensors) > MAX_TENSORS:
        raise ExportError(f"{path}: implausibly large GGUF header ({len(reader.fields)} keys, {len(reader.tensors)} tensors)")
    return reader


def _field(reader, key: str):
    field = reader.fields.get(key)
    return field.contents() if field is not None else None


def hf_names(arch: str, blocks: int, keys) -> dict[str, str]:
    """GGUF tensor name -> Hugging Face tensor name, for the keys of a safetensors file."""
    from gguf import MODEL_ARCH_NAMES, TensorNameMap

    arch_id = next((a for a, name in MODEL_ARCH_NAMES.items() if name == arch), None)
    if arch_id is None:
        raise ExportError(f"the source GGUF's architecture {arch!r} is unknown to the installed gguf package")
    name_map = TensorNameMap(arch_id, blocks)
    out = {}
    for key in keys:
        name = name_map.get_name(key, try_suffixes=(".weight", ".bias"))
        if name is not None:
            out[name] = key
    return out


def write_gguf(weights: Path, source: Path, target: Path, kind: str = "f16", name: str | None = None,
               progress: Callable[[int, int], None] | None = None) -> dict:
    """Write `weights` (a folder with model.safetensors + config.json) to `target` as GGUF, with the
    metadata and tensor list of `source`; returns a summary. `target` appears whole or not at all."""
    import json

    import numpy as np
    from gguf import GGMLQuantizationType, GGUFValueType, GGUFWriter
    from gguf.quants import quantize
    from safetensors import safe_open

    if kind not in TYPES:
        raise ExportError(f"--type {kind!r}: choose one of {', '.join(TYPES)}")
    qtype, file_type = _types()[kind]
    reader = read_source(source)
    arch = _field(reader, "general.architecture")
    if arch not in NORM_PLUS_ONE:
        raise ExportError(f"GGUF export supports Gemma models; the base is {arch!r} (export --format hf and use "
                          "llama.cpp's convert_hf_to_gguf.py for it)")
    blocks = _field(reader, f"{arch}.block_count")
    config = json.loads((weights / "config.json").read_text())
    if config.get("num_hidden_layers") != blocks:
        raise ExportError(f"the merged model has {config.get('num_hidden_layers')} layers, the source GGUF "
                          f"{blocks}: they are not the same model")
    with safe_open(str(weights / "model.safetensors"), framework="pt") as tensors:
        names = hf_names(arch, int(blocks), tensors.keys())
        wanted = [t.name for t in reader.tensors]
        missing = [n for n in wanted if n not in names]
        if missing:
            raise ExportError(f"the merged model has no tensor for {missing[0]} (and {len(missing) - 1} more) of the source GGUF")
        extra = sorted(set(tensors.keys()) - {names[n] for n in wanted} - {"lm_head.weight"})
        if extra:
            raise ExportError(f"the merged model's tensor {extra[0]} has no place in the source GGUF: it would be lost")

        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        try:
            writer = GGUFWriter(tmp, arch)
            for key, field in reader.fields.items():
                if key.startswith("GGUF.") or key in SKIPPED_KEYS:
                    continue
                main = field.types[0]
                sub = field.types[-1] if main == GGUFValueType.ARRAY else None
                writer.add_key_value(key, field.contents(), main, sub_type=sub)
            writer.add_file_type(int(file_type))
            if name:
                writer.add_key_value("general.name", name, GGUFValueType.STRING)
            count = 0
            for info in reader.tensors:
                weight = tensors.get_tensor(names[info.name]).float().numpy()
                expected = tuple(int(n) for n in reversed(info.shape))  # GGUF lists dimensions innermost first
                if weight.shape != expected:
                    raise ExportError(f"{info.name}: the merged tensor is {list(weight.shape)}, the source GGUF's "
                                      f"{list(expected)}")
                if weight.ndim == 1:
                    if info.name.endswith("norm.weight"):
                        weight = weight + 1.0  # Gemma's (1 + w) norm scale, stored whole in GGUF
                    writer.add_tensor(info.name, weight.astype(np.float32))
                elif qtype == GGMLQuantizationType.F16:
                    writer.add_tensor(info.name, weight.astype(np.float16))
                else:
                    writer.add_tensor(info.name, quantize(weight, qtype), raw_dtype=qtype)
                count += 1
                if progress:
                    progress(count, len(reader.tensors))
            writer.write_header_to_file()
            writer.write_kv_data_to_file()
            writer.write_tensors_to_file()
            writer.close()
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return {"path": str(target), "architecture": arch, "tensors": len(reader.tensors), "type": kind,
            "bytes": target.stat().st_size, "source": str(source)}
