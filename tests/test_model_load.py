"""Loading for generation: the adapter merged once, cached, and identical to merging at load."""
import torch

from codegen.model.load import _merged_key, load_merged, load_model


def _adapter(tmp_path, base):
    from peft import LoraConfig, get_peft_model

    model, _, _ = load_model(str(base), adapter=None, dtype="float32")
    torch.manual_seed(0)
    peft_model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    for name, param in peft_model.named_parameters():
        if "lora_B" in name:  # peft starts B at zero (a no-op adapter); make it change the model
            torch.nn.init.normal_(param, std=0.5)
    folder = tmp_path / "adapter"
    peft_model.save_pretrained(str(folder))
    return folder


def test_merged_weights_are_cached_and_equal_to_merging_at_load(tmp_path, tiny_model_dir, monkeypatch):
    monkeypatch.setenv("ANSIBLE_CODEGEN_CACHE", str(tmp_path / "cache"))
    adapter = _adapter(tmp_path, tiny_model_dir)
    ids = torch.tensor([[1, 5, 9, 14, 3]])
    reference, _, _ = load_model(str(tiny_model_dir), adapter, dtype="float32")
    base, _, _ = load_model(str(tiny_model_dir), None, dtype="float32")
    with torch.no_grad():
        expected = reference.merge_and_unload()(input_ids=ids).logits
        untouched = base(input_ids=ids).logits
    first, _, info = load_merged(str(tiny_model_dir), adapter, dtype="float32")
    cached = list((tmp_path / "cache" / "merged").iterdir())
    assert len(cached) == 1 and (cached[0] / "model.safetensors").is_file() and info["merged"] == str(cached[0])
    second, _, _ = load_merged(str(tiny_model_dir), adapter, dtype="float32")  # from the cache
    assert not hasattr(second, "merge_and_unload")  # a plain model: peft is not needed to load it
    with torch.no_grad():
        for model in (first, second):
            assert torch.allclose(model(input_ids=ids).logits, expected, atol=1e-5)
    assert not torch.allclose(expected, untouched, atol=1e-3)  # the adapter did change the model
    # a changed adapter gets its own entry, never the stale one
    before = _merged_key(tiny_model_dir, adapter, "float32")
    (adapter / "adapter_config.json").write_text((adapter / "adapter_config.json").read_text() + "\n")
    assert _merged_key(tiny_model_dir, adapter, "float32") != before
    load_merged(str(tiny_model_dir), adapter, dtype="float32")
    assert len(list((tmp_path / "cache" / "merged").iterdir())) == 2
