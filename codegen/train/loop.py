"""`ansible-codegen train`: LoRA on the base model, loss on the completion only.

Read it top to bottom: load -> wrap with LoRA -> kept vocabulary -> encode data -> loop
(forward, loss on completion positions over kept rows, step) -> checkpoint -> save adapter.
A checkpoint holds the LoRA weights, optimizer, scheduler, step and RNG states, so a run that
is stopped (Ctrl-C, crash) resumes exactly where it was.
"""
from __future__ import annotations

import json
import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from codegen.atomic import staged_dir
from codegen.model import vocab
from codegen.train.data import Encoded, batches, collate, encode, kept_texts, read_jsonl

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class Recipe:
    base: str = "gemma3-270m"
    steps: int = 0              # 0: one pass over the train split
    epochs: float = 1.0
    lr: float = 3e-4
    warmup: int = 20
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    tokens_per_batch: int = 2048
    eval_every: int = 50
    valid_examples: int = 96
    seed: int = 1234
    device: str = "cpu"
    threads: int = 0            # 0: torch's default
    init: str = ""              # an adapter folder whose LoRA weights start the run (same rank/targets)
    keep_epochs: bool = False   # also save the adapter at each epoch's end (epochs/epoch-K), to pick by validation


def _lr_at(step: int, recipe: Recipe, total: int) -> float:
    if step < recipe.warmup:
        return (step + 1) / recipe.warmup
    progress = (step - recipe.warmup) / max(1, total - recipe.warmup)
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def autocast_dtype(device: str):
    """bf16 autocast where the hardware does bf16 matmuls fast (codegen.model.hardware); elsewhere
    fp32: on a CPU without them a bf16 matmul took ~140x longer and a training step minutes."""
    from codegen.model.hardware import bf16_is_fast

    return torch.bfloat16 if bf16_is_fast(device) else None


class KeptHead:
    """Output logits for the kept vocabulary rows only (the tied embedding, frozen)."""

    def __init__(self, model, kept: list[int]):
        weight = model.get_output_embeddings().weight.detach()
        self.weight = weight[torch.tensor(kept)].clone()
        self.remap = vocab.remap_table(kept, weight.shape[0])

    def loss(self, model, batch: dict, device: str) -> tuple[torch.Tensor, int]:
        inner = model.get_base_model().model  # the decoder stack, LoRA layers included
        dtype = autocast_dtype(device)
        autocast = torch.autocast(device_type=device.split(":")[0], dtype=dtype, enabled=dtype is not None)
        with autocast:
            hidden = inner(input_ids=batch["input_ids"].to(device),
                           attention_mask=batch["attention_mask"].to(device)).last_hidden_state
        labels = batch["labels"][:, 1:].to(device)
        where = labels != -100
        picked = hidden[:, :-1][where]
        targets = self.remap.to(device)[labels[where]]
        with autocast:
            logits = picked @ self.weight.to(device).T
        return F.cross_entropy(logits.float(), targets, ignore_index=-100), int(where.sum())


def _wrap_lora(model, recipe: Recipe):
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(r=recipe.rank, lora_alpha=recipe.alpha, lora_dropout=recipe.dropout,
                        target_modules=LORA_TARGETS, task_type="CAUSAL_LM")
    return get_peft_model(model, config)


def _save_checkpoint(folder: Path, model, optimizer, step: int, log: list) -> None:
    from peft import get_peft_model_state_dict

    state = {"lora": get_peft_model_state_dict(model), "optimizer": optimizer.state_dict(), "step": step,
             "torch_rng": torch.get_rng_state(), "py_rng": random.getstate(), "log": log}
    with staged_dir(folder) as tmp:
        torch.save(state, tmp / "state.pt")


def _load_init(folder: Path, model) -> None:
    """Start from another adapter's LoRA weights (a warm start on a new mix: cheaper than from the base,
    and what the shipped adapter already knows is kept unless the new data moves it)."""
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    weights = folder / "adapter_model.safetensors"
    if not weights.is_file():
        raise FileNotFoundError(f"{folder}: no adapter_model.safetensors to start from")
    result = set_peft_model_state_dict(model, load_file(str(weights)))
    missing = [k for k in getattr(result, "missing_keys", []) if "lora_" in k]
    if missing:
        raise ValueError(f"{folder}: adapter does not match this recipe (missing {missing[0]})")


def _load_checkpoint(folder: Path, model, optimizer) -> tuple[int, list]:
    from peft import set_peft_model_state_dict

    state = torch.load(folder / "state.pt", weights_only=False)
    set_peft_model_state_dict(model, state["lora"])
    optimizer.load_state_dict(state["optimizer"])
    torch.set_rng_state(state["torch_rng"])
    random.setstate(state["py_rng"])
    return state["step"], state["log"]


def _save_epoch(folder: Path, model, kept: list[int], step: int, valid_loss: float) -> None:
    with staged_dir(folder) as tmp:
        model.save_pretrained(str(tmp))
        vocab.save(kept, tmp)
        (tmp / "epoch.json").write_text(json.dumps({"step": step, "valid_loss": round(valid_loss, 4)}))


@torch.no_grad()
def validation_loss(model, head: KeptHead, encoded: list[Encoded], pad_id: int, device: str) -> float:
    model.eval()
    total, count = 0.0, 0
    for group in batches(encoded, 4096, seed=0, epoch=0):
        loss, n = head.loss(model, collate([encoded[i] for i in group], pad_id), device)
        total += float(loss) * n
        count += n
    model.train()
    return total / max(1, count)


def train(data_dir: Path, out_dir: Path, recipe: Recipe, progress=None, stop_after_steps: int | None = None) -> dict:
    """Train (or resume) into out_dir; returns the training summary. progress(step, total, info) reports."""
    from codegen.model.load import load_model

    torch.manual_seed(recipe.seed)
    random.seed(recipe.seed)
    if recipe.threads:
        torch.set_num_threads(recipe.threads)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "recipe.json").write_text(json.dumps(asdict(recipe), indent=2))

    model, tokenizer, _ = load_model(recipe.base, adapter=None, dtype="float32", device=recipe.device)
    model = _wrap_lora(model, recipe)
    model.train()

    train_rows = read_jsonl(data_dir / "train.jsonl")
    valid_rows = read_jsonl(data_dir / "valid.jsonl")[: recipe.valid_examples]
    kept_file = out_dir / vocab.FILE
    if kept_file.is_file():
        kept = json.loads(kept_file.read_text())
    else:
        kept = vocab.kept_from_texts(tokenizer, kept_texts(data_dir))
        vocab.save(kept, out_dir)
    head = KeptHead(model, kept)
    encoded = [encode(tokenizer, r) for r in train_rows]
    valid = [encode(tokenizer, r) for r in valid_rows]

    per_epoch = batches(encoded, recipe.tokens_per_batch, recipe.seed, 0)
    total = recipe.steps or max(1, int(len(per_epoch) * recipe.epochs))
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=recipe.lr, weight_decay=0.0)
    checkpoint = out_dir / "checkpoint"
    step, log = (0, [])
    if (checkpoint / "state.pt").is_file():
        step, log = _load_checkpoint(checkpoint, model, optimizer)
    elif recipe.init:
        _load_init(Path(recipe.init), model)

    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    started, tokens_seen, epoch_plan, plan_epoch = time.time(), 0, per_epoch, 0
    last_loss = float("nan")
    try:
        while step < total:
            epoch = step // len(per_epoch)
            if epoch != plan_epoch:
                epoch_plan, plan_epoch = batches(encoded, recipe.tokens_per_batch, recipe.seed, epoch), epoch
            group = epoch_plan[step % len(per_epoch)]
            batch = collate([encoded[i] for i in group], pad)
            for g in optimizer.param_groups:
                g["lr"] = recipe.lr * _lr_at(step, recipe, total)
            loss, _ = head.loss(model, batch, recipe.device)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            tokens_seen += int(batch["attention_mask"].sum())
            last_loss = loss.detach().item()
            rate = tokens_seen / max(1e-6, time.time() - started)
            entry = {"step": step, "loss": round(last_loss, 4), "tok_s": round(rate, 1)}
            if step % recipe.eval_every == 0 or step == total:
                entry["valid_loss"] = round(validation_loss(model, head, valid, pad, recipe.device), 4)
                log.append(entry)
                _save_checkpoint(checkpoint, model, optimizer, step, log)
            elif step % 10 == 0:
                log.append(entry)
            if progress:
                progress(step, total, entry)
            if recipe.keep_epochs and step % len(per_epoch) == 0 and step < total:
                measured = entry.get("valid_loss")
                _save_epoch(out_dir / "epochs" / f"epoch-{step // len(per_epoch)}", model, kept, step,
                            measured if measured is not None else validation_loss(model, head, valid, pad, recipe.device))
            if stop_after_steps and step >= stop_after_steps and step < total:
                _save_checkpoint(checkpoint, model, optimizer, step, log)
                return {"status": "stopped", "step": step, "total": total}
    except KeyboardInterrupt:
        _save_checkpoint(checkpoint, model, optimizer, step, log)
        return {"status": "interrupted", "step": step, "total": total}

    summary = {"status": "done", "step": step, "total": total, "train_examples": len(encoded),
               "kept_vocab": len(kept), "final_loss": last_loss, "log": log, "recipe": asdict(recipe),
               "seconds_this_run": round(time.time() - started, 1),
               # what the prompts it learned from carried beyond the task (prompt.py): inference shows
               # the same, and only that (a model never shown workspace lines is not given them)
               "prompt_features": sorted({"workspace"} if any(r.get("workspace") for r in train_rows) else set())}
    from codegen.grounding.sources import INDEX_FILE, write_index

    with staged_dir(out_dir / "adapter") as tmp:
        model.save_pretrained(str(tmp))
        vocab.save(kept, tmp)
        write_index(train_rows, tmp / INDEX_FILE)  # for content source matching (--sources)
        (tmp / "training_log.json").write_text(json.dumps(summary, indent=2))
    return summary
