"""The kept vocabulary: token ids that Ansible text actually uses.

Gemma's 262k-row output head dominates a small model's cost; Ansible YAML uses a small part of
it. Logits are computed for kept rows only, in training and generation alike. Byte-fallback
tokens and specials are always kept, so any text stays reachable.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

FILE = "kept_tokens.json"


def always_kept(tokenizer) -> set[int]:
    keep = set(tokenizer.all_special_ids)
    vocab = tokenizer.get_vocab()
    for b in range(256):
        tid = vocab.get(f"<0x{b:02X}>")
        if tid is not None:
            keep.add(tid)
    for tok in (tokenizer.eos_token_id, tokenizer.pad_token_id, tokenizer.bos_token_id):
        if tok is not None:
            keep.add(tok)
    return keep


def kept_from_texts(tokenizer, texts) -> list[int]:
    keep = always_kept(tokenizer)
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) == 512:
            for ids in tokenizer(batch, add_special_tokens=False)["input_ids"]:
                keep.update(ids)
            batch = []
    if batch:
        for ids in tokenizer(batch, add_special_tokens=False)["input_ids"]:
            keep.update(ids)
    return sorted(keep)


def save(kept: list[int], folder: Path) -> None:
    (folder / FILE).write_text(json.dumps(kept))


def load(folder: Path | None) -> list[int] | None:
    if folder is None or not (Path(folder) / FILE).is_file():
        return None
    return json.loads((Path(folder) / FILE).read_text())


def remap_table(kept: list[int], vocab_size: int) -> torch.Tensor:
    """full id -> kept index (-100 for ids outside the kept set, ignored by the loss)."""
    table = torch.full((vocab_size,), -100, dtype=torch.long)
    table[torch.tensor(kept)] = torch.arange(len(kept))
    return table
