"""End to end on the embedded model (Gemma 3 270M + the shipped adapter), as a user runs it."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent


def cli(*args, timeout=900):
    return subprocess.run([str(BIN / "ansible-codegen"), *args], capture_output=True, text=True, timeout=timeout)


def test_single_task_is_valid_and_uses_a_package_module():
    result = cli("task", "install nginx", "--json")
    record = json.loads(result.stdout)
    assert record["valid"], record
    assert record["module"] in ("ansible.builtin.package", "ansible.builtin.apt", "ansible.builtin.dnf",
                                "ansible.builtin.yum")
    assert record["yaml"].startswith("- name: Install nginx\n")


def test_playbook_passes_ansible_lint_production(tmp_path):
    out = tmp_path / "site.yml"
    result = cli("playbook", "install nginx & start nginx and enable it at boot", "-o", str(out), "--hosts", "web")
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert text.startswith("---\n") and "hosts: web" in text
    assert any(f"ansible.builtin.{m}:" in text for m in ("service", "systemd", "systemd_service"))
    lint = subprocess.run([str(BIN / "ansible-lint"), "--profile", "production", "--offline", str(out)],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_batch_writes_one_record_per_prompt(tmp_path):
    prompts = ["install git", "create user deploy", "copy files/app.conf to /etc/app.conf",
               "restart the sshd service", "create directory /srv/app owned by deploy"]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"p{i}", "prompt": p}) + "\n" for i, p in enumerate(prompts)))
    out = tmp_path / "out.jsonl"
    result = cli("batch", str(src), "-o", str(out))
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert result.returncode == (0 if all(r["valid"] for r in records) else 1), result.stderr  # 1: a task failed
    assert [r["id"] for r in records] == [f"p{i}" for i in range(5)]
    assert sum(r["valid"] for r in records) >= 4


def test_outline_is_plain_english_steps_from_the_model():
    result = cli("playbook", "set up a postgresql database server", "--outline")
    assert result.returncode == 0, result.stderr
    steps = [line.split(". ", 1)[1] for line in result.stdout.splitlines() if line[:1].isdigit()]
    assert 2 <= len(steps) <= 12, result.stdout
    assert all(len(s.split()) >= 2 and ":" not in s.split()[0] for s in steps), steps


def test_role_from_the_model_passes_ansible_lint_as_a_role(tmp_path):
    result = cli("role", "web", "install nginx & start nginx and enable it at boot", "-o", str(tmp_path), "--json")
    assert result.returncode == 0, result.stderr
    role = tmp_path / "web"
    assert (role / "tasks" / "main.yml").is_file() and (role / "meta" / "main.yml").is_file()
    lint = subprocess.run([str(BIN / "ansible-lint"), "--profile", "production", "--offline", str(role)],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_fast_tokenizer_load_matches_the_model_specific_class():
    from transformers import AutoTokenizer

    from codegen.model.load import load_tokenizer, resolve_base

    path = resolve_base(None)
    ours, reference = load_tokenizer(path), AutoTokenizer.from_pretrained(path, local_files_only=True)
    assert type(ours) is not type(reference)  # the generic fast class, not the model-specific one
    texts = ["- name: Install nginx\n  ansible.builtin.apt:\n    name: nginx\n", "ünïcödé ✓ 😀\ttab", "<bos>x<eos>", ""]
    for text in texts:
        assert ours(text)["input_ids"] == reference(text)["input_ids"]
        ids = ours(text, add_special_tokens=False)["input_ids"]
        assert ids == reference(text, add_special_tokens=False)["input_ids"]
        assert ours.decode(ids) == reference.decode(ids)
    assert (ours.bos_token_id, ours.eos_token_id, ours.pad_token_id) == \
        (reference.bos_token_id, reference.eos_token_id, reference.pad_token_id)
