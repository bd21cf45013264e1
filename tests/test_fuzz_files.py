"""Hostile files through `check`, `explain` and `fill`: no traceback, documented exit codes, each
call under its time cap, and no file changed except by `fill`, and by `fill` only where a stub was.

Driven in process through click's runner (a process per input would allow a few dozen inputs in
the time); the hostile shapes that matter most also run as real processes in test_yaml_load.py and
test_state.py. `check` runs with --no-lint here: ansible-lint's own parser is not ours to fuzz.
"""
import json
import time
import traceback

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codegen.cli import main

CAP_SECONDS = 10.0
COUNT = {"inputs": 0}

BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
HOSTILE = [
    BOMB, "- " + BOMB.replace("\n", "\n  "), "a: &a [1, *a]\n", "[" * 5000 + "]" * 5000, "- " * 3000 + "x\n",
    "- name: x\n  debug:\n    msg: 'unclosed\n", "\x00\x00- name: x\n", "- name: x\n  x: !vault |\n    $ANSIBLE_VAULT\n",
    "- name: a\n  name: b\n  debug: {}\n", "- hosts: all\n  tasks:\n    - name: x\n      debug: {msg: '{{ a }'}\n",
    "- name: x\n  block:\n    - block:\n        - block: [" + "{block: [" * 50 + "]}" * 50 + "]\n",
    "- name: " + "x" * 200_000 + "\n  debug: {}\n", "\ufeff- name: x\n  ping:\n", "---\n...\n---\n- x\n",
    "- name: install nginx\n# codegen: start nginx\n",
]
yaml_ish = st.text(alphabet=st.sampled_from(list("-:#&*![]{}|>'\"\n\t abcx0123456789%@`\\,?.")), max_size=400)
documents = st.one_of(st.sampled_from(HOSTILE), yaml_ish, st.text(max_size=300),
                      st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE), yaml_ish))
names = st.sampled_from(["tasks/main.yml", "handlers/main.yml", "site.yml", "vars.yml", "docker-compose.yml"])


@pytest.fixture(scope="module")
def scripted(tmp_path_factory):
    answers = tmp_path_factory.mktemp("answers") / "answers.json"
    answers.write_text(json.dumps({"start nginx": "  ansible.builtin.service:\n    name: nginx\n    state: started\n"}))
    return str(answers)


def invoke(args, env=None):
    started = time.perf_counter()
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=True)
    seconds = time.perf_counter() - started
    COUNT["inputs"] += 1
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("".join(traceback.format_exception(result.exception)))
    assert "Traceback" not in (result.output or "")
    assert seconds < CAP_SECONDS, f"{args[0]} took {seconds:.1f} s"
    return result


def write(tmp_path, name: str, text: str, raw: bytes | None = None):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if raw is not None:
        path.write_bytes(raw)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path, path.read_bytes()


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=documents, name=names)
def test_check_and_explain_never_crash_nor_change_the_file(tmp_path_factory, text, name):
    tmp_path = tmp_path_factory.mktemp("fuzz")
    try:
        path, before = write(tmp_path, name, text)
    except UnicodeEncodeError:
        path, before = write(tmp_path, name, "", raw=text.encode("utf-8", "replace"))
    checked = invoke(["check", "--no-lint", str(path)])
    assert checked.exit_code in (0, 1, 2)
    explained = invoke(["explain", str(path)])
    assert explained.exit_code in (0, 2)
    assert path.read_bytes() == before


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=documents, name=names)
def test_fill_changes_only_files_with_stubs(tmp_path_factory, scripted, text, name):
    tmp_path = tmp_path_factory.mktemp("fuzz")
    try:
        path, before = write(tmp_path, name, text)
    except UnicodeEncodeError:
        path, before = write(tmp_path, name, "", raw=text.encode("utf-8", "replace"))
    result = invoke(["fill", "--no-lint", str(path)], env={"ANSIBLE_CODEGEN_TEST_BACKEND": f"scripted:{scripted}"})
    assert result.exit_code in (0, 1, 2)
    if path.read_bytes() != before:
        assert result.exit_code == 1 and (b"codegen:" in before or b"- name:" in before)


@pytest.mark.parametrize("raw", [b"- name: x\n  debug: {msg: \xff}\n", b"\xfe\xff\x00-\x00 ", b"\x00" * 1000])
def test_bytes_that_are_not_utf8_are_bad_input(tmp_path, raw):
    path = tmp_path / "tasks" / "main.yml"
    path.parent.mkdir()
    path.write_bytes(raw)
    for command, codes in ((["check", "--no-lint"], (1, 2)), (["explain"], (2,)), (["fill", "--no-lint"], (0, 2))):
        result = invoke([*command, str(path)])  # fill has no stub to fill there: nothing to do
        assert result.exit_code in codes and path.read_bytes() == raw


def test_report_how_many_inputs_ran():
    # Runs last in this file: the figure the issue asks for (printed with -s, asserted here).
    print(f"\nfuzzed {COUNT['inputs']} calls of check/explain/fill")
    assert COUNT["inputs"] >= 2 * 120 + 60
