"""portable_base: the base travels as quantised blocks and comes back bit-for-bit (used rows)."""
import json

import pytest
import torch

gguf = pytest.importorskip("gguf")

from codegen.train import portable_base  # noqa: E402


def _quantised_pair(tiny_model_dir, tmp_path):
    """A GGUF holding two of the tiny model's matrices as Q8_0, and a model folder whose bf16 values
    are those blocks dequantised (as convert.py's copy of the registry GGUF is)."""
    from gguf import GGMLQuantizationType, GGUFWriter
    from gguf.quants import dequantize, quantize
    from safetensors.torch import load_file, save_file

    tensors = {k: v.to(torch.bfloat16) for k, v in load_file(str(tiny_model_dir / "model.safetensors")).items()}
    writer = GGUFWriter(str(tmp_path / "tiny.gguf"), arch="gemma3")
    quantised = {"token_embd.weight": portable_base.EMBED,
                 "blk.0.attn_q.weight": "model.layers.0.self_attn.q_proj.weight"}
    for gname, hname in quantised.items():
        blocks = quantize(tensors[hname].float().numpy(), GGMLQuantizationType.Q8_0)
        writer.add_tensor(gname, blocks, raw_dtype=GGMLQuantizationType.Q8_0)
        tensors[hname] = torch.from_numpy(dequantize(blocks, GGMLQuantizationType.Q8_0).copy()).to(torch.bfloat16)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    folder = tmp_path / "model"
    folder.mkdir()
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        (folder / name).write_bytes((tiny_model_dir / name).read_bytes())
    return tmp_path / "tiny.gguf", folder, tensors


def test_unpacked_base_equals_the_original_on_every_tensor_and_used_row(tiny_model_dir, tmp_path):
    from safetensors.torch import load_file

    gguf_file, folder, original = _quantised_pair(tiny_model_dir, tmp_path)
    ids = [0, 1, 2, 5, 17, 40]
    summary = portable_base.pack(gguf_file, folder, ids, tmp_path / "packed", part_mb=1)
    assert summary["embed_rows"] == len(ids)
    portable_base.unpack(tmp_path / "packed", tmp_path / "back")
    back = load_file(str(tmp_path / "back" / "model.safetensors"))
    assert back.keys() == original.keys()
    for name, value in original.items():
        if name == portable_base.EMBED:
            assert torch.equal(back[name][ids], value[ids])
            rest = torch.ones(value.shape[0], dtype=torch.bool)
            rest[ids] = False
            assert not back[name][rest].any()  # rows the data never reads travel as zeros
        else:
            assert torch.equal(back[name], value), name
    assert json.loads((tmp_path / "back" / "config.json").read_text()) == json.loads((folder / "config.json").read_text())
    assert (tmp_path / "back" / "tokenizer.json").read_bytes() == (folder / "tokenizer.json").read_bytes()


def test_a_block_that_does_not_dequantise_to_the_model_is_refused(tiny_model_dir, tmp_path):
    from safetensors.torch import load_file, save_file

    gguf_file, folder, _ = _quantised_pair(tiny_model_dir, tmp_path)
    tensors = load_file(str(folder / "model.safetensors"))
    tensors["model.layers.0.self_attn.q_proj.weight"][0, 0] += 1.0
    save_file(tensors, str(folder / "model.safetensors"))
    with pytest.raises(ValueError, match="blk.0.attn_q.weight"):
        portable_base.pack(gguf_file, folder, [0, 1], tmp_path / "packed", part_mb=1)
    assert not (tmp_path / "packed").exists()  # nothing half-written


def test_hf_names_follow_llama_cpp_names():
    assert portable_base.hf_name("blk.3.ffn_down.weight") == "model.layers.3.mlp.down_proj.weight"
    assert portable_base.hf_name("blk.0.attn_output.weight") == "model.layers.0.self_attn.o_proj.weight"
    assert portable_base.hf_name("blk.0.attn_norm.weight") is None  # small tensors travel as they are
    assert portable_base.hf_name("token_embd.weight") == portable_base.EMBED
