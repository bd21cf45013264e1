"""Examples -> token ids with a completion mask -> length-bucketed batches."""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import torch

from codegen.prompt import render_prompt

MAX_TOKENS = 384


@dataclass
class Encoded:
    ids: list[int]
    prompt_len: int


def read_jsonl(path: Path) -> list[dict]:
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def kept_texts(data_dir: Path):
    """The texts of every split the kept vocabulary is read from (codegen.model.vocab)."""
    for split in ("train", "valid", "test", "realworld"):
        if (data_dir / f"{split}.jsonl").is_file():
            for r in read_jsonl(data_dir / f"{split}.jsonl"):
                yield f"{r['context']}\n{r['request']}\n{r['completion']}"


def encode(tokenizer, row: dict) -> Encoded:
    """Prompt tokens (no loss) + completion tokens + EOS (loss). Long prompts lose retrieved
    examples first, then the oldest half of their context, until they fit."""
    completion = tokenizer(row["completion"], add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    context, examples = row.get("context") or "", list(row.get("examples") or [])
    while True:
        prompt = [tokenizer.bos_token_id] + tokenizer(render_prompt(row, examples, context),
                                                      add_special_tokens=False)["input_ids"]
        if len(prompt) + len(completion) <= MAX_TOKENS or not (context or examples):
            break
        if examples:
            examples.pop(0)  # the least similar one goes first
            continue
        context = context[len(context) // 2:]  # drop the oldest half of the context and retry
        context = context[context.find("\n- ") + 1:] if "\n- " in context else ""
    ids = (prompt + completion)[:MAX_TOKENS]
    return Encoded(ids=ids, prompt_len=len(prompt))


def batches(encoded: list[Encoded], tokens_per_batch: int, seed: int, epoch: int) -> list[list[int]]:
    """Indices grouped by similar length (little padding), batch order shuffled per epoch."""
    rng = random.Random(seed * 1000 + epoch)
    order = sorted(range(len(encoded)), key=lambda i: (len(encoded[i].ids), rng.random()))
    out, current, longest = [], [], 0
    for i in order:
        n = len(encoded[i].ids)
        if current and max(longest, n) * (len(current) + 1) > tokens_per_batch:
            out.append(current)
            current, longest = [], 0
        current.append(i)
        longest = max(longest, n)
    if current:
        out.append(current)
    rng.shuffle(out)
    return out


def collate(items: list[Encoded], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(e.ids) for e in items)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    labels = torch.full((len(items), width), -100, dtype=torch.long)
    for r, e in enumerate(items):
        n = len(e.ids)
        ids[r, :n] = torch.tensor(e.ids)
        mask[r, :n] = 1
        labels[r, e.prompt_len:n] = ids[r, e.prompt_len:n]
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}
