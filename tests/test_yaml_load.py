"""The one safe YAML reader: hostile files are refused quickly, ansible's tags are understood."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from codegen.ansible_files.yaml_load import (
    MAX_FILE_CHARS, SafeLoader, TooLarge, Unreadable, UniqueKeyLoader, Vaulted, YamlError, check_expansion, load,
    load_all, read_text, try_load,
)

BIN = str(Path(sys.executable).parent / "ansible-codegen")
# "Billion laughs": 10 levels of 9 aliases each, under 450 bytes, 9**9 leaves once expanded.
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, n in zip("abcdefgh", "bcdefghi"))


def test_alias_bomb_is_refused_at_once():
    started = time.perf_counter()
    with pytest.raises(TooLarge, match="alias"):
        load(ALIAS_BOMB)
    assert time.perf_counter() - started < 1.0
    with pytest.raises(yaml.YAMLError):  # readers that already skip bad YAML skip a bomb too
        yaml.load(ALIAS_BOMB, Loader=SafeLoader)


def test_recursive_alias_is_refused():
    with pytest.raises(TooLarge, match="refers to itself"):
        load("a: &a [1, *a]\n")
    assert try_load("a: &a [*a]\n", default="skipped") == "skipped"


def test_modest_aliases_and_merge_keys_still_load():
    text = "defaults: &d {state: present, mode: '0644'}\nfirst:\n  <<: *d\n  name: a\nsecond: [*d, *d]\n"
    data = load(text)
    assert data["first"] == {"state": "present", "mode": "0644", "name": "a"}
    assert data["second"] == [data["defaults"], data["defaults"]]


def test_expansion_counts_each_alias_use():
    node = yaml.compose("a: &x [1, 2]\nb: [*x, *x, *x]\n", Loader=yaml.SafeLoader)
    # mapping + 2 keys + list(3) + list of three uses of a 3-node list (1 + 9)
    assert check_expansion(node) == 1 + 2 + 3 + 10
    with pytest.raises(TooLarge):
        check_expansion(node, limit=10)


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(YamlError):
        load("[" * 50_000 + "]" * 50_000)
    with pytest.raises(YamlError):
        load("- " * 20_000 + "x")


def test_ansible_tags_load_and_vault_is_marked():
    data = load("password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6638\nraw: !unsafe '{{ not_templated }}'\n")
    assert isinstance(data["password"], Vaulted) and data["password"].startswith("$ANSIBLE_VAULT")
    assert data["raw"] == "{{ not_templated }}" and not isinstance(data["raw"], Vaulted)


def test_duplicate_keys_refused_only_where_asked():
    assert load("a: 1\na: 2\n") == {"a": 2}  # as PyYAML and ansible (with a warning) read a user's file
    with pytest.raises(YamlError, match="duplicate key 'a'") as caught:
        load("- name: x\n  a: 1\n  a: 2\n", UniqueKeyLoader)
    assert caught.value.line == 3


def test_errors_are_one_line_with_the_line():
    with pytest.raises(YamlError) as caught:
        load("- name: x\n  debug: [\n")
    assert "\n" not in str(caught.value) and caught.value.line is not None


def test_texts_over_the_cap_are_refused():
    with pytest.raises(TooLarge, match="cap"):
        load("#" * (MAX_FILE_CHARS + 1))
    assert load_all("a: 1\n---\nb: 2\n") == [{"a": 1}, {"b": 2}]


def test_read_text_is_capped_for_devices_and_huge_files(tmp_path):
    started = time.perf_counter()
    with pytest.raises(Unreadable, match="cap"):
        read_text("/dev/zero")
    big = tmp_path / "big.yml"
    big.write_text("x: 1\n" * (MAX_FILE_CHARS // 4))
    with pytest.raises(Unreadable, match="cap"):
        read_text(big)
    assert time.perf_counter() - started < 5
    (tmp_path / "bom.yml").write_text("\ufeffa: 1\r\n", encoding="utf-8", newline="")
    assert read_text(tmp_path / "bom.yml") == ("\ufeff", "a: 1\r\n")
    (tmp_path / "latin.yml").write_bytes(b"a: \xff\n")
    with pytest.raises(Unreadable, match="not UTF-8"):
        read_text(tmp_path / "latin.yml")


def _cli(*args, env=None, timeout=120):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def test_explain_refuses_an_alias_bomb_quickly(tmp_path):
    bomb = tmp_path / "site.yml"
    bomb.write_text(ALIAS_BOMB)
    started = time.perf_counter()
    result = _cli("explain", str(bomb))
    assert time.perf_counter() - started < 60
    assert result.returncode == 2 and "alias" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0


@pytest.mark.parametrize("context", ["/dev/zero", "big"])
def test_task_context_over_the_cap_is_bad_input(tmp_path, context):
    if context == "big":
        context = str(tmp_path / "big.yml")
        Path(context).write_text("- name: x\n  debug: {}\n" * 60_000)
    answers = tmp_path / "answers.json"
    answers.write_text('{"install nginx": "  ansible.builtin.package:\\n    name: nginx\\n"}')
    result = _cli("task", "install nginx", "--context", context,
                  env={"ANSIBLE_CODEGEN_TEST_BACKEND": f"scripted:{answers}"})
    assert result.returncode == 2 and "cap" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0


def test_prompt_over_the_cap_is_bad_input():
    result = _cli("task", "install nginx " * 2000)
    assert result.returncode == 2 and "cap" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_task_keywords_are_ansibles_own():
    """The keyword set is written out (reading a task must not import ansible); it must say what
    ansible-core says: Task and Handler attributes, less its internal names, plus the action forms."""
    from ansible.playbook.block import Block
    from ansible.playbook.handler import Handler
    from ansible.playbook.task import Task

    from codegen.ansible_files.keywords import TASK_KEYWORDS, TASK_OR_BLOCK_KEYWORDS

    internal = {"async_val", "loop_with"}  # set through `async` and `with_*`, never written as keys
    assert TASK_KEYWORDS == (set(Task.fattributes) | set(Handler.fattributes)) - internal | {"local_action"}
    assert TASK_OR_BLOCK_KEYWORDS == TASK_KEYWORDS | set(Block.fattributes) - internal
