"""The decoding loop on a tiny random model: stopping, kept vocabulary, constraints, prompt-lookup
decoding and the prefix cache (both must give exactly the tokens plain decoding gives)."""

import pytest
import torch

from codegen.backends.local import LocalBackend
from codegen.model.generate import Constraint, Generator, Lookup, end_of_task
from codegen.model.load import load_model
from tests.tiny_model import CORPUS

# Over the tiny model's 64-token sliding window, with spans that repeat (so that drafts are proposed).
REPEATED = "".join(CORPUS[:3]) * 2 + "- name: Install nginx\n  ansible.builtin.package:\n"
OTHER = CORPUS[3] + "\n" + CORPUS[2] + CORPUS[3] + "\n"


def test_end_of_task_finds_first_column_zero_line():
    assert end_of_task("  ansible.builtin.package:\n    name: nginx\n- name: next") == len("  ansible.builtin.package:\n    name: nginx\n")
    assert end_of_task("  ansible.builtin.package:\n\n    name: x\n") is None
    assert end_of_task("  a: 1\n") is None


def test_generation_is_greedy_and_deterministic(tiny_model_dir):
    backend = LocalBackend(base=str(tiny_model_dir), adapter=None, max_new_tokens=12)
    first = backend.complete("- name: Install nginx\n")
    second = backend.complete("- name: Install nginx\n")
    assert first.text == second.text
    assert first.new_tokens <= 12
    assert first.stopped in ("eos", "end_of_task", "max_tokens")


def test_a_preloaded_model_answers_as_one_loaded_on_demand_and_its_error_reaches_the_caller(tiny_model_dir, tmp_path):
    plain = LocalBackend(base=str(tiny_model_dir), adapter=None, max_new_tokens=12)
    early = LocalBackend(base=str(tiny_model_dir), adapter=None, max_new_tokens=12)
    early.preload()  # loads on its own thread; complete() waits for it
    assert early.complete("- name: Install nginx\n").text == plain.complete("- name: Install nginx\n").text
    broken = LocalBackend(base=str(tmp_path / "no-such-model"), adapter=None)
    broken.preload()
    with pytest.raises(Exception) as raised:
        broken.load()
    with pytest.raises(type(raised.value)):  # the same one-line error as without preload
        LocalBackend(base=str(tmp_path / "no-such-model"), adapter=None).load()


def _end(logits, to_full, eos) -> int:
    """The head row of an end-of-sequence token (a constraint returns a row, not a token id)."""
    return next(i for i in range(logits.numel()) if to_full(i) in eos)


def test_kept_vocabulary_restricts_output_to_it_and_the_prompts_own_tokens(tiny_model_dir, monkeypatch):
    model, tokenizer, _ = load_model(str(tiny_model_dir), adapter=None, dtype="float32")
    allowed = tokenizer(" name", add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    prompt = "- name: Start nginx\n"
    in_prompt = set(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    assert in_prompt - set(allowed)

    class Last(Constraint):  # the last row of the head: with the prompt's tokens, one of them
        def choose(self, text, logits, extend, to_full, eos):
            return logits.numel() - 1 if len(text) < 12 else _end(logits, to_full, eos)

    def produced(**kwargs) -> set[int]:
        gen = Generator(model, tokenizer, kept=sorted(set(allowed)), max_new_tokens=8).generate(prompt, **kwargs)
        return set(tokenizer(gen.text, add_special_tokens=False)["input_ids"]) if gen.text else set()

    assert produced() <= set(allowed) | in_prompt
    assert produced(constraint=Last()) & (in_prompt - set(allowed))  # a prompt token outside the kept ones
    monkeypatch.setenv("CODEGEN_PROMPT_TOKENS", "0")
    assert produced() <= set(allowed)
    assert produced(constraint=Last()) <= set(allowed)


def test_a_word_only_the_prompt_spells_can_be_copied_whole(tiny_model_dir):
    """A variable the workspace defines (`nova_git_repository`) needs a token the fine-tune's head
    lacks: the head of that decoding has it, so a constraint may choose it and it maps back."""
    model, tokenizer, _ = load_model(str(tiny_model_dir), adapter=None, dtype="float32")
    kept = sorted(set(tokenizer(CORPUS[0], add_special_tokens=False)["input_ids"]) | {tokenizer.eos_token_id})
    prompt = "- name: Start nginx\n"
    wanted = next(t for t in tokenizer(prompt, add_special_tokens=False)["input_ids"] if t not in kept)
    seen = []

    class Wanted(Constraint):
        def choose(self, text, logits, extend, to_full, eos):
            seen.append(logits.numel())
            return next(i for i in range(logits.numel()) if to_full(i) == wanted) if not text else \
                _end(logits, to_full, eos)

    gen = Generator(model, tokenizer, kept=kept, max_new_tokens=4).generate(prompt, constraint=Wanted())
    assert gen.text == tokenizer.decode([wanted]) and seen[0] > len(kept)


def test_constraint_hook_can_force_a_token(tiny_model_dir):
    model, tokenizer, _ = load_model(str(tiny_model_dir), adapter=None, dtype="float32")
    calls = []

    class OnlyEos(Constraint):
        def choose(self, text, logits, extend, to_full, eos):
            calls.append(text)
            return next(iter(eos))

    gen = Generator(model, tokenizer, max_new_tokens=8).generate("- name: x\n", constraint=OnlyEos())
    assert gen.stopped == "eos" and gen.text == "" and calls == [""]


def test_model_loads_after_ansible_patched_sys_intern(tiny_model_dir):
    import subprocess
    import sys

    # validating a task makes ansible patch sys.intern; torch._dynamo refused to import after that
    code = ("from codegen.catalog import load_catalog\nfrom codegen.validate import validate_tasks\n"
            "validate_tasks('- name: x\\n  ansible.builtin.ping:\\n', load_catalog(quiet=True), lint=False)\n"
            "from codegen.model.load import load_model\n"
            f"load_model({str(tiny_model_dir)!r}, adapter=None)\nprint('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert out.stdout.strip().endswith("ok"), out.stderr[-2000:]


@pytest.fixture(scope="module")
def tiny_fp32(tiny_model_dir):
    model, tokenizer, _ = load_model(str(tiny_model_dir), adapter=None, dtype="float32")
    return model, tokenizer


def _gen(tiny, **kwargs):
    model, tokenizer = tiny
    kwargs.setdefault("max_new_tokens", 48)
    return Generator(model, tokenizer, **kwargs)


class Avoid(Constraint):
    """A text-dependent rule (no "q", no EOS in the first 20 characters) that records what it saw."""

    def __init__(self):
        self.seen = []

    def choose(self, text, logits, extend, to_full, eos):
        self.seen.append(text)
        for index in torch.argsort(logits, descending=True).tolist():
            full = to_full(index)
            if full in eos:
                if len(text) >= 20:
                    return index
            elif "q" not in extend(full):
                return index
        return int(torch.argmax(logits))


class Script(Constraint):
    """Writes `target` (the model's best token that keeps the text a prefix of it)."""

    def __init__(self, target):
        self.target = target

    def choose(self, text, logits, extend, to_full, eos):
        for index in torch.argsort(logits, descending=True).tolist():
            full = to_full(index)
            if full not in eos and self.target.startswith(extend(full)):
                return index
        raise AssertionError(f"no token continues {text!r}")


def test_lookup_drafts_follow_the_latest_occurrence():
    lookup = Lookup([1, 2, 3, 9, 1, 2, 3, 4, 5, 1, 2], ngram=3)
    assert lookup.draft(2) == [3, 4]  # "1 2" last seen before "3 4 5"
    assert lookup.draft(8) == [3, 4, 5, 1]  # a 2-token match: up to 4 tokens
    lookup.append(3)
    assert lookup.draft(5) == [4, 5, 1, 2, 3]  # a 3-token match: up to 8
    assert Lookup([5, 6, 7, 8, 9, 1, 6], ngram=3).draft(8) == [7, 8]  # a 1-token match: up to 2
    assert Lookup([7, 8], ngram=3).draft(4) == []
    assert lookup.draft(0) == []


@pytest.mark.parametrize("constrained", [False, True])
def test_prompt_lookup_gives_exactly_the_plain_tokens(tiny_fp32, constrained):
    plain, fast = _gen(tiny_fp32, lookup=False, prefix_cache=False), _gen(tiny_fp32, lookup=True, prefix_cache=False)
    assert fast.lookup and fast.rollback
    accepted = 0
    for prompt in (REPEATED, OTHER, "- name: Start nginx\n- name: Start nginx\n- name: Start"):
        constraints = (Avoid(), Avoid()) if constrained else (None, None)
        a = plain.generate(prompt, constraint=constraints[0])
        b = fast.generate(prompt, constraint=constraints[1])
        assert (a.text, a.new_tokens, a.stopped) == (b.text, b.new_tokens, b.stopped), prompt
        if constrained:  # the rule was asked about exactly the same texts, once per position
            assert constraints[0].seen == constraints[1].seen
        assert a.drafted == 0 and b.accepted <= b.drafted
        accepted += b.accepted
    assert accepted > 0 and fast.totals["accepted"] == accepted
    assert fast.totals["forwards"] < plain.totals["forwards"]


def test_prompt_lookup_stops_at_the_end_of_the_task(tiny_fp32):
    target = "  ansible.builtin.package:\n    name: nginx\n    state: present\n- name: next\n"
    prompt = "".join(CORPUS[:2]) + "- name: Install nginx\n"  # the answer's lines are in the prompt: drafts hit
    results = [_gen(tiny_fp32, lookup=on, prefix_cache=False).generate(prompt, constraint=Script(target))
               for on in (False, True)]
    for result in results:
        assert result.stopped == "end_of_task"
        assert result.text == "  ansible.builtin.package:\n    name: nginx\n    state: present\n"
    assert results[1].new_tokens == results[0].new_tokens and results[1].accepted > 0


@pytest.mark.parametrize("lookup", [False, True])
def test_cancelling_stops_after_that_token(tiny_fp32, lookup):
    gen = _gen(tiny_fp32, lookup=lookup, prefix_cache=True)
    asked = []
    result = gen.generate(REPEATED, cancelled=lambda: asked.append(1) or len(asked) >= 3)
    assert result.stopped == "cancelled" and result.new_tokens == 3
    fresh = _gen(tiny_fp32, lookup=False, prefix_cache=False).generate(REPEATED)
    assert fresh.text.startswith(result.text)
    assert gen.generate(REPEATED).text == fresh.text  # what was cached while cancelling is sound


@pytest.mark.parametrize("lookup", [False, True])
def test_on_text_sees_the_answer_grow(tiny_fp32, lookup):
    """The language server's first line comes from on_text: each call a longer prefix of the answer."""
    seen = []
    result = _gen(tiny_fp32, lookup=lookup).generate(REPEATED, on_text=seen.append)
    assert len(seen) >= 2 and all(b.startswith(a) for a, b in zip(seen, seen[1:])) and len(seen[-1]) > len(seen[0])
    assert seen[-1].startswith(result.text)  # the last may run past the end of the task, which is cut


@pytest.mark.parametrize("lookup", [False, True])
def test_prefix_cache_gives_the_output_of_a_fresh_run(tiny_fp32, lookup):
    fresh = _gen(tiny_fp32, lookup=False, prefix_cache=False)
    cached = _gen(tiny_fp32, lookup=lookup, prefix_cache=True)
    first = cached.generate(REPEATED)
    assert first.reused_prompt_tokens == 0
    model_tokens = fresh.encode(REPEATED)
    cases = [  # each against the one before it
        ("the previous prompt and its answer", REPEATED + first.text, len(model_tokens) - 1),
        ("a shared prefix", REPEATED[:-25] + "- name: Copy file\n", 60),
        ("a strict prefix of the previous prompt", REPEATED[:120], 30),
        ("an unrelated prompt", "zyx wvu " * 12, 0),
    ]
    for label, prompt, at_least in cases:
        want = fresh.generate(prompt)
        got = cached.generate(prompt)
        assert (got.text, got.new_tokens, got.stopped) == (want.text, want.new_tokens, want.stopped), label
        assert got.reused_prompt_tokens >= at_least, label
        assert got.reused_prompt_tokens < got.prompt_tokens, label
        if not at_least:
            assert got.reused_prompt_tokens <= 1, label  # BOS at most
    cache, held = cached._kept_cache
    assert all(layer.keys.shape[-2] == len(held) for layer in cache.layers)  # sliding layers keep every position


def test_prefix_cache_and_lookup_under_a_constraint(tiny_fp32):
    fresh = _gen(tiny_fp32, lookup=False, prefix_cache=False)
    cached = _gen(tiny_fp32, lookup=True, prefix_cache=True)
    for prompt in (REPEATED, REPEATED[:-10] + "- name: Start nginx\n", OTHER):
        a, b = Avoid(), Avoid()
        assert fresh.generate(prompt, constraint=a).text == cached.generate(prompt, constraint=b).text
        assert a.seen == b.seen
    assert cached.totals["reused_prompt_tokens"] > 0


def test_switches_come_from_the_environment(tiny_fp32, monkeypatch):
    monkeypatch.setenv("CODEGEN_LOOKUP", "1")
    monkeypatch.setenv("CODEGEN_PREFIX_CACHE", "on")
    gen = _gen(tiny_fp32)
    assert gen.lookup and gen.prefix_cache
    assert not _gen(tiny_fp32, lookup=False).lookup
    variant = gen.variant(lookup=False)
    assert not variant.lookup and variant.prefix_cache and variant._kept_cache is None
    monkeypatch.delenv("CODEGEN_LOOKUP")
    monkeypatch.delenv("CODEGEN_PREFIX_CACHE")
    assert _gen(tiny_fp32).lookup and _gen(tiny_fp32).prefix_cache  # on by default in float32: exact
    monkeypatch.setenv("CODEGEN_LOOKUP", "0")
    assert not _gen(tiny_fp32).lookup
    bf16 = load_model(str(tiny_fp32[0].config._name_or_path), adapter=None, dtype="bfloat16")[0]
    gen = _gen((bf16, tiny_fp32[1]))
    assert not gen.lookup and not gen.prefix_cache  # off by default in bf16: ties (see codegen.model.generate)


def test_inference_dtype_follows_the_hardware_and_the_environment(monkeypatch):
    import torch

    from codegen.model import hardware

    monkeypatch.delenv("CODEGEN_DTYPE", raising=False)
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: False)
    assert hardware.inference_dtype() == "float32" and hardware.inference_dtype("cuda") == "bfloat16"
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: True)
    # a CPU with AMX: float32 with float16-held weights where torch can hold them so (faster, measured)
    monkeypatch.setattr(hardware, "fp16_weights_supported", lambda: True)
    assert hardware.inference_dtype() == "float32" and hardware.inference_quantize("float32") == "fp16"
    monkeypatch.setattr(hardware, "fp16_weights_supported", lambda: False)
    assert hardware.inference_dtype() == "bfloat16"
    monkeypatch.setenv("CODEGEN_DTYPE", "float32")
    assert hardware.inference_dtype() == "float32"
    monkeypatch.setenv("CODEGEN_DTYPE", "fp8")
    with pytest.raises(ValueError, match="CODEGEN_DTYPE"):
        hardware.inference_dtype()


def test_the_server_streams_from_the_same_loop(tiny_fp32):
    from codegen.serving.server import Engine

    plain = _gen(tiny_fp32, lookup=False, prefix_cache=False)
    ids = plain.encode(REPEATED)
    results = []
    for gen in (plain, plain.variant(lookup=True, prefix_cache=True)):
        engine = Engine(gen)
        for stop in ([], ["co"]):
            for _ in range(2):  # the second time from the prefix cache
                parts = list(engine.stream(ids, 40, stop))
                summary = parts[-1][1]
                results.append(("".join(d for d, _ in parts), summary["finish_reason"], summary["completion_tokens"]))
        gone = list(engine.stream(ids, 40, [], gone=lambda: True))
        assert gone[-1][1]["finish_reason"] == "cancelled" and gone[-1][1]["completion_tokens"] == 1
    assert results[:4] == results[4:]
