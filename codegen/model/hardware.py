"""Which number format this machine computes fast, for training and for inference.

bf16 halves the bytes a weight takes, but on a CPU without bf16 instructions (AVX512-BF16, AMX)
oneDNN runs bf16 matrix products on a slow path: measured on a 2-core AVX2 EPYC, a 724-token
prompt took 9.7 s to prefill in bf16 and 2.7 s in float32 (decoding 20 tokens: 1.35 s vs 1.25 s),
and a training step minutes instead of seconds. So training uses bf16 only where the hardware has
it; inference on a CPU uses float32 even there (`inference_dtype`). CODEGEN_DTYPE=bfloat16|float32
overrides the choice for inference.

With float32, the native decoder holds its projection and output-head weights as float16 where torch
has fbgemm's fp16 linear (x86): decoding reads half the bytes, and sums stay float32, so answers
are those of float32 (docs/speed.md: 91 of 92 plain requests and every realistic one identical).
CODEGEN_QUANTIZE=none keeps float32 weights; CODEGEN_QUANTIZE=int8 uses int8 weights (faster,
measurably worse; codegen.model.gemma_native._int8_linear).
"""
from __future__ import annotations

import os

DTYPE_ENV = "CODEGEN_DTYPE"
DTYPES = ("bfloat16", "float32")


def bf16_is_fast(device: str = "cpu") -> bool:
    """A GPU, or a CPU whose oneDNN build has native bf16 matrix products."""
    if device.startswith("cuda"):
        return True
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def inference_dtype(device: str = "cpu") -> str:
    """The dtype the local backend loads the model in: CODEGEN_DTYPE when set; else bf16 on a GPU;
    on a CPU float32 (its weights held as float16, `inference_quantize`) wherever torch can hold
    them so, and bf16 only on a CPU that computes bf16 fast and cannot.

    Even on a CPU with AMX, float32 with float16-held weights beat bf16 on the realistic bench
    (2 cores: p50 1.63 s against 2.02 s, the short requests 0.55 s against 1.3 s; docs/speed.md):
    bf16's faster prefill is lost to decoding, where prompt lookup and the prefix cache stay off in
    bf16 (codegen.model.generate). And float32 gives the answers the quality tables measure."""
    chosen = os.environ.get(DTYPE_ENV, "").strip().lower()
    if chosen:
        if chosen not in DTYPES:
            raise ValueError(f"{DTYPE_ENV}={chosen!r}: use one of {', '.join(DTYPES)}")
        return chosen
    if device.startswith("cuda"):
        return "bfloat16"
    return "bfloat16" if bf16_is_fast(device) and not fp16_weights_supported() else "float32"


QUANTIZE_ENV = "CODEGEN_QUANTIZE"
QUANTIZATIONS = ("int8", "fp16", "none")


def inference_quantize(dtype: str) -> str | None:
    """How the native decoder holds float32 weights: what CODEGEN_QUANTIZE says ("int8", "fp16",
    "none"), else "fp16" where this torch can (fbgemm), else None (plain float32)."""
    chosen = os.environ.get(QUANTIZE_ENV, "").strip().lower()
    if chosen and chosen not in QUANTIZATIONS:
        raise ValueError(f"{QUANTIZE_ENV}={chosen!r}: use one of {', '.join(QUANTIZATIONS)}")
    if dtype != "float32" or chosen == "none":
        return None
    return chosen or ("fp16" if fp16_weights_supported() else None)


def fp16_weights_supported() -> bool:
    """Does this torch have fbgemm's fp16-weight linear (x86 builds)?"""
    import torch

    try:
        return bool({"fbgemm", "x86"} & set(torch.backends.quantized.supported_engines)) \
            and hasattr(torch.ops.quantized, "linear_dynamic_fp16")
    except (AttributeError, RuntimeError):
        return False
