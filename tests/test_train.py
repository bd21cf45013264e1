"""The training loop on a tiny model: the loss falls, and a stopped run resumes exactly."""
import json

import torch

from codegen.train.loop import Recipe, train
from codegen.model.vocab import always_kept, remap_table

ROWS = [{"request": f"install package number {i}", "context": "",
         "completion": f"  ansible.builtin.package:\n    name: pkg{i}\n    state: present\n"} for i in range(24)]


def _data(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    (data / "valid.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS[:4]))
    return data


def _recipe(base, steps):
    return Recipe(base=str(base), steps=steps, lr=5e-3, warmup=1, rank=4, alpha=8, tokens_per_batch=256,
                  eval_every=2, valid_examples=4)


def _lora(folder):
    state = torch.load(folder / "checkpoint" / "state.pt", weights_only=False)
    return state["lora"], state["log"]


def test_loss_falls_and_adapter_is_saved(tmp_path, tiny_model_dir):
    summary = train(_data(tmp_path), tmp_path / "run", _recipe(tiny_model_dir, 8))
    losses = [e["valid_loss"] for e in summary["log"] if "valid_loss" in e]
    assert summary["status"] == "done" and losses[-1] < losses[0]
    adapter = tmp_path / "run" / "adapter"
    assert (adapter / "adapter_config.json").is_file() and (adapter / "kept_tokens.json").is_file()


def test_stopped_run_resumes_exactly(tmp_path, tiny_model_dir):
    data = _data(tmp_path)
    train(data, tmp_path / "straight", _recipe(tiny_model_dir, 6))
    stopped = train(data, tmp_path / "resumed", _recipe(tiny_model_dir, 6), stop_after_steps=3)
    assert stopped["status"] == "stopped" and stopped["step"] == 3
    train(data, tmp_path / "resumed", _recipe(tiny_model_dir, 6))
    a, log_a = _lora(tmp_path / "straight")
    b, log_b = _lora(tmp_path / "resumed")
    assert a.keys() == b.keys()
    for key in a:
        assert torch.allclose(a[key], b[key], atol=1e-6), key
    assert [e["loss"] for e in log_a] == [e["loss"] for e in log_b]


def test_kept_vocabulary_keeps_bytes_and_specials(tiny_model_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    kept = always_kept(tok)
    assert tok.eos_token_id in kept and tok.pad_token_id in kept
    table = remap_table(sorted(kept), len(tok))
    assert table[tok.eos_token_id] >= 0 and int((table >= 0).sum()) == len(kept)


def test_long_prompts_lose_retrieved_examples_before_context(tiny_model_dir, monkeypatch):
    from codegen.model.load import load_tokenizer
    from codegen.train import data

    tokenizer = load_tokenizer(tiny_model_dir)
    examples = ["- name: Example one\n  ansible.builtin.ping:\n" * 3, "- name: Example two\n  ansible.builtin.ping:\n" * 3]
    row = {**ROWS[0], "context": "- name: Earlier task\n  ansible.builtin.ping:\n", "examples": examples}
    full = data.encode(tokenizer, row)
    monkeypatch.setattr(data, "MAX_TOKENS", full.prompt_len)  # one example too many
    trimmed = data.encode(tokenizer, row)
    text = tokenizer.decode(trimmed.ids)
    assert "Earlier task" in text and "Example one" not in text  # the least similar example went first
    assert trimmed.prompt_len < full.prompt_len


def test_outline_rows_train_on_the_outline_prompt(tiny_model_dir):
    from codegen.model.load import load_tokenizer
    from codegen.train import data

    tokenizer = load_tokenizer(tiny_model_dir)
    row = {"task": "outline", "request": "install and configure nginx", "completion": "  - Install nginx\n"}
    encoded = data.encode(tokenizer, row)
    assert tokenizer.decode(encoded.ids[:encoded.prompt_len]).endswith("# Request: install and configure nginx\nsteps:\n")


def test_a_warm_start_begins_from_the_given_adapter(tmp_path, tiny_model_dir):
    from dataclasses import replace

    data = _data(tmp_path)
    train(data, tmp_path / "first", _recipe(tiny_model_dir, 4))
    trained_loss = [e["valid_loss"] for e in _lora(tmp_path / "first")[1] if "valid_loss" in e][-1]
    recipe = replace(_recipe(tiny_model_dir, 2), lr=1e-9, init=str(tmp_path / "first" / "adapter"))
    warm = train(data, tmp_path / "warm", recipe)
    cold = train(data, tmp_path / "cold", replace(recipe, init=""))
    warm_loss = [e["valid_loss"] for e in warm["log"] if "valid_loss" in e][0]
    cold_loss = [e["valid_loss"] for e in cold["log"] if "valid_loss" in e][0]
    # with a learning rate too small to move anything, the warm run scores what the first run ended
    # on, and the cold run what an untrained adapter scores
    assert abs(warm_loss - trained_loss) < 1e-3 and cold_loss > trained_loss + 0.1


def test_keep_epochs_saves_each_epochs_adapter_with_its_validation_loss(tmp_path, tiny_model_dir):
    from dataclasses import replace

    from safetensors.torch import load_file

    recipe = replace(_recipe(tiny_model_dir, 0), epochs=3.0, keep_epochs=True)
    summary = train(_data(tmp_path), tmp_path / "run", recipe)
    epochs = sorted((tmp_path / "run" / "epochs").iterdir())
    assert [p.name for p in epochs] == ["epoch-1", "epoch-2"]  # the third epoch's end is the final adapter
    per_epoch = summary["total"] // 3
    for k, folder in enumerate(epochs, 1):
        info = json.loads((folder / "epoch.json").read_text())
        assert info["step"] == k * per_epoch and info["valid_loss"] > 0
        assert (folder / "kept_tokens.json").is_file()
    first, final = (load_file(str(p / "adapter_model.safetensors")) for p in (epochs[0], tmp_path / "run" / "adapter"))
    assert first.keys() == final.keys() and any(not torch.equal(first[k], final[k]) for k in first)
