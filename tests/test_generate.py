"""The decoding loop on a tiny random model: stopping, kept vocabulary, constraints."""

from codegen.backends.local import LocalBackend
from codegen.model.generate import Constraint, Generator, end_of_task
from codegen.model.load import load_model


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


def test_kept_vocabulary_restricts_output(tiny_model_dir):
    model, tokenizer, _ = load_model(str(tiny_model_dir), adapter=None, dtype="float32")
    allowed = tokenizer(" name", add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    gen = Generator(model, tokenizer, kept=sorted(set(allowed)), max_new_tokens=8).generate("- name: x\n")
    produced = tokenizer(gen.text, add_special_tokens=False)["input_ids"] if gen.text else []
    assert set(produced) <= set(allowed)


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
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.strip().endswith("ok"), out.stderr[-2000:]
