"""The local backend: a causal LM (+ LoRA adapter, merged) on this machine's CPU.

A Gemma 3 text model (the embedded one) runs on the native decoder
(`codegen.model.gemma_native`: transformers' outputs exactly, without importing transformers);
CODEGEN_NATIVE=0, or `native=False`, runs it through transformers like any other model."""
from __future__ import annotations

import threading
from pathlib import Path

from codegen.backends.base import Constraint, Generation
from codegen.model.generate import Generator


class LocalBackend:
    def __init__(self, base: str | None = None, adapter: str | Path | None = "default", dtype: str | None = None,
                 max_new_tokens: int = 200, lookup: bool | None = None, prefix_cache: bool | None = None,
                 native: bool | None = None):
        from codegen.model.hardware import inference_dtype, inference_quantize

        # None: what this machine computes fast (bf16 with bf16 instructions, else float32)
        self.base, self.adapter, self.dtype, self.max_new_tokens = base, adapter, dtype or inference_dtype(), max_new_tokens
        self.quantize = inference_quantize(self.dtype)
        self.lookup, self.prefix_cache = lookup, prefix_cache  # None: the environment decides (codegen.model.generate)
        self.native = native  # None: the environment decides (codegen.model.load.native_enabled)
        self._generator: Generator | None = None
        self._preloading: threading.Thread | None = None
        self._preload_error: BaseException | None = None
        self.info: dict = {}

    def source_index_path(self) -> Path | None:
        """The training-example index shipped beside the adapter (for retrieval), if any."""
        from codegen.grounding.sources import INDEX_FILE
        from codegen.model.load import resolve_adapter

        folder = resolve_adapter(self.adapter)
        return folder / INDEX_FILE if folder else None

    def prompt_features(self) -> set[str]:
        """What the adapter's training prompts carried beyond the task ("workspace": the workspace's
        lines), from its training_log.json; none for the bare base or an adapter that does not say."""
        import json

        from codegen.model.load import resolve_adapter

        folder = resolve_adapter(self.adapter)
        try:
            log = json.loads((folder / "training_log.json").read_text()) if folder else {}
        except (OSError, ValueError):
            return set()
        return set(log.get("prompt_features") or []) if isinstance(log, dict) else set()

    def preload(self) -> None:
        """Start loading the model on a thread of its own; `load` (and so `complete`) waits for it.
        A command's other start-up work (the catalog, the retrieval index) runs meanwhile, while
        the weights are packed on the other cores: about half a second of a cold `task`."""
        if self._generator is None and self._preloading is None:
            def run():
                try:
                    self._load()
                except BaseException as exc:  # noqa: BLE001 - raised again by load(), on the caller's thread
                    self._preload_error = exc

            self._preloading = threading.Thread(target=run, name="codegen-model-load", daemon=True)
            self._preloading.start()

    def load(self) -> Generator:
        if self._preloading is not None:
            self._preloading.join()
            self._preloading = None
            if self._preload_error is not None:
                error, self._preload_error = self._preload_error, None
                raise error
        return self._load()

    def _load(self) -> Generator:
        if self._generator is None:
            from codegen.model.load import load_merged, native_enabled
            from codegen.model import vocab

            # the adapter merged into the weights: one matmul per projection instead of three
            model, tokenizer, self.info = load_merged(self.base, self.adapter, dtype=self.dtype,
                                                      native=native_enabled(self.native), quantize=self.quantize)
            kept = vocab.load(Path(self.info["adapter"])) if self.info.get("adapter") else None
            self._generator = Generator(model, tokenizer, kept=kept, max_new_tokens=self.max_new_tokens,
                                        lookup=self.lookup, prefix_cache=self.prefix_cache)
        return self._generator

    def complete(self, prompt: str, constraint: Constraint | None = None, cancelled=None,
                 on_text=None) -> Generation:
        return self.load().generate(prompt, constraint=constraint, cancelled=cancelled, on_text=on_text)
