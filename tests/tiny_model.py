"""A tiny, randomly initialised causal LM with its own small tokenizer, for fast machinery tests."""
from __future__ import annotations

from pathlib import Path

CORPUS = [
    "- name: Install nginx\n  ansible.builtin.package:\n    name: nginx\n    state: present\n",
    "- name: Start nginx\n  ansible.builtin.service:\n    name: nginx\n    state: started\n    enabled: true\n",
    "- name: Copy file\n  ansible.builtin.copy:\n    src: files/app.conf\n    dest: /etc/app.conf\n    mode: \"0644\"\n",
    "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 _-./:{}[]\"'#|&",
]


def make_tiny_model(folder: Path, seed: int = 0) -> Path:
    from codegen.model.compat import import_torch_stack

    import_torch_stack()  # tests may have run ansible (which patches sys.intern) before this
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig, PreTrainedTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<pad>", "<eos>", "<bos>", "<unk>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS * 5, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<bos>", eos_token="<eos>",
                                   pad_token="<pad>", unk_token="<unk>")
    fast.save_pretrained(folder)
    torch.manual_seed(seed)
    config = Gemma3TextConfig(vocab_size=len(fast), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                              num_attention_heads=2, num_key_value_heads=1, head_dim=16,
                              max_position_embeddings=512, sliding_window=64,
                              pad_token_id=fast.pad_token_id, eos_token_id=fast.eos_token_id,
                              bos_token_id=fast.bos_token_id)
    model = Gemma3ForCausalLM(config)
    model.save_pretrained(folder)
    return folder
