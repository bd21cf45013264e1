"""normalise_tasks: FQCNs, key order, octal modes, truthy values, layout; everything else as written."""
from __future__ import annotations

import pytest
import yaml

from codegen.normalise import normalise_tasks


def norm(text, catalog):
    return normalise_tasks(text, catalog)


def test_short_names_become_fqcn(catalog):
    out = norm("- name: Copy it\n  copy:\n    src: a\n    dest: /b\n", catalog)
    assert "  ansible.builtin.copy:\n" in out
    assert "\n  copy:" not in out


def test_redirected_module_becomes_its_target(catalog):
    target = catalog.resolve("docker_container")
    if target is None:
        pytest.skip("community.docker is not installed")
    out = norm("- name: Run it\n  docker_container:\n    name: web\n", catalog)
    assert f"  {target}:\n" in out
    assert target != "docker_container"


def test_unknown_module_is_left_for_validation(catalog):
    out = norm("- name: X\n  frobnicate:\n    a: 1\n", catalog)
    assert "  frobnicate:\n" in out


def test_key_order_name_module_keywords_block_last(catalog):
    out = norm(
        "- when: x\n"
        "  notify:\n"
        "  - restart\n"
        "  file:\n"
        "    path: /a\n"
        "  name: Make it\n"
        "  register: r\n",
        catalog,
    )
    keys = [line.split(":")[0].strip("- ") for line in out.splitlines() if not line.startswith("    ")]
    assert keys == ["name", "ansible.builtin.file", "when", "notify", "register"]

    block = norm("- block:\n  - name: In\n    debug:\n      msg: hi\n  when: x\n  name: Outer\n", catalog)
    assert block.splitlines() == [
        "- name: Outer",
        "  when: x",
        "  block:",
        "    - name: In",
        "      ansible.builtin.debug:",
        "        msg: hi",
    ]


def test_octal_modes_become_quoted_strings(catalog):
    out = norm(
        "- name: Dir\n"
        "  file:\n"
        "    path: /a\n"
        "    mode: 0644\n"
        "    directory_mode: 0o755\n"
        "- name: Copy\n"
        "  copy:\n"
        "    src: a\n"
        "    dest: /b\n"
        "    mode: '0600'\n"
        "    directory_mode: 0755\n",
        catalog,
    )
    assert 'mode: "0644"' in out
    assert 'directory_mode: "0755"' in out
    assert "mode: '0600'" in out  # already a string: left as written
    tasks = yaml.safe_load(out)  # ansible's reading (YAML 1.1) of the result
    assert tasks[0]["ansible.builtin.file"]["mode"] == "0644"
    assert tasks[1]["ansible.builtin.copy"]["directory_mode"] == "0755"


def test_leading_zero_outside_modes_is_untouched(catalog):
    out = norm("- name: X\n  ansible.builtin.debug:\n    msg: 0644\n", catalog)
    assert "msg: 0644" in out


def test_yes_no_become_true_false_but_quoted_stays(catalog):
    out = norm(
        "- name: X\n"
        "  apt:\n"
        "    name: nginx\n"
        "    update_cache: yes\n"
        "    install_recommends: no\n"
        "    state: 'yes'\n"
        "  become: On\n",
        catalog,
    )
    assert "update_cache: true" in out
    assert "install_recommends: false" in out
    assert "become: true" in out
    assert "state: 'yes'" in out


def test_strings_keep_their_quoting_and_comments_stay(catalog):
    out = norm(
        "- name: 'Single quoted'  # why\n"
        "  copy:\n"
        "    src: \"{{ src }}\"\n"
        "    dest: '/tmp/x y'\n"
        "    content: plain text\n",
        catalog,
    )
    assert "- name: 'Single quoted' # why" in out
    assert 'src: "{{ src }}"' in out
    assert "dest: '/tmp/x y'" in out
    assert "content: plain text" in out


def test_layout_top_list_at_column_0_nested_lists_indented(catalog):
    out = norm("  - name: X\n    service:\n      name: a\n    notify:\n    - one\n    - two\n", catalog)
    assert out.startswith("- name: X\n")
    assert "  notify:\n    - one\n    - two\n" in out


def test_free_form_and_block_scalars_stay_valid(catalog):
    out = norm(
        "- name: Run\n  command: echo {{ x }} > /tmp/y\n  args:\n    creates: /tmp/y\n"
        "- name: Script\n  shell: |\n    set -e\n    echo hi\n",
        catalog,
    )
    tasks = yaml.safe_load(out)
    assert tasks[0]["ansible.builtin.command"] == "echo {{ x }} > /tmp/y"
    assert tasks[0]["args"] == {"creates": "/tmp/y"}
    assert tasks[1]["ansible.builtin.shell"] == "set -e\necho hi\n"


def test_action_and_local_action_left_alone(catalog):
    out = norm("- name: A\n  local_action: command echo hi\n- name: B\n  action: copy src=a dest=b\n", catalog)
    assert "local_action: command echo hi" in out
    assert "action: copy src=a dest=b" in out


def test_single_mapping_is_treated_as_one_task(catalog):
    out = norm("name: X\ncopy:\n  src: a\n", catalog)
    assert out.startswith("- name: X\n  ansible.builtin.copy:\n")


def test_idempotent(catalog):
    text = "- copy: src=a dest=b\n  name: X\n  become: yes\n  notify:\n  - h\n"
    once = norm(text, catalog)
    assert norm(once, catalog) == once


@pytest.mark.parametrize("text", [
    "- name: X\n  copy: {{ a }}\n",  # unquoted Jinja: a mapping as a key
    "- name: X\n  copy:\n    src: a\n   dest: b\n",  # bad indentation
    "- name: a\n  name: b\n",  # duplicate key
    "",
    "just words",
])
def test_unparseable_text_raises_value_error_one_line(text, catalog):
    with pytest.raises(ValueError) as info:
        norm(text, catalog)
    assert "\n" not in str(info.value)


def test_a_long_line_folded_by_the_dumper_keeps_no_trailing_space(catalog):
    """ruamel folds a 170-column command after "{{ " and leaves that space at the line end, which
    ansible-lint rejects; the normalised text has none and loads as the same task."""
    command = ("systemctl stop mdm.service {{ primary_host_name_variable }}/{{ certificate_list_variable[0] }} "
               "{{ certificate_list_variable[1] }} {{ another_long_variable_name }}")
    text = f"- name: Stop it\n  ansible.builtin.command: {command}\n  changed_when: false\n"
    out = normalise_tasks(text, catalog)
    assert all(line == line.rstrip() for line in out.split("\n"))
    assert max(len(line) for line in out.split("\n")) <= 160
    assert yaml.safe_load(out)[0]["ansible.builtin.command"] == command


def test_one_round_trip_layout_for_every_writer():
    """normalise, repair, variable lifting and notify dropping all write through ansible_files/round_trip.py:
    quotes kept, lists under their key, a top-level list at column 0 (a mapping is left where it is)."""
    from codegen.ansible_files import round_trip

    text = "- name: 'A'\n  ansible.builtin.apt:\n    name:\n      - \"git\"\n    state: present\n"
    assert round_trip.dump(round_trip.load(text)) == text
    assert round_trip.dump(round_trip.load("a:\n  - b\n")) == "a:\n  - b\n"
    long = "- name: " + "word " * 40 + "end\n"
    assert round_trip.dump(round_trip.load(long)).count("\n") == 2  # folded at ansible-lint's 160 columns
    assert round_trip.dump(round_trip.load(long), round_trip.NO_FOLDING) == long


def test_empty_lines_inside_a_task_go_but_not_inside_a_block_scalar_or_between_tasks(catalog):
    text = ("- name: X\n  ansible.builtin.debug:\n    msg: hi\n\n\n  register: r\n\n"
            "- name: Y\n  ansible.builtin.copy:\n    content: |\n      a\n\n      b\n    dest: /x\n")
    out = normalise_tasks(text, catalog)
    assert "    msg: hi\n  register: r\n\n- name: Y\n" in out
    assert "      a\n\n      b\n" in out
