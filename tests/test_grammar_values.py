"""The engine grammar (codegen/grounding/grammar.py, grammar_values.py) admits only tasks the local
checks pass: each test below is a failure measured on llama.cpp or found by the fuzz test at the end
(texts sampled from the grammar, validated), rejected now; and real task shapes stay admitted.

Admission is asked of a small GBNF recogniser (tests/gbnf_match.py); that llama.cpp itself parses
and enforces the same grammar is tested in tests/test_engines.py.
"""
from __future__ import annotations

import random
import re

import pytest

from tests.gbnf_match import Grammar, Sampler

MODULES = ["ansible.builtin.service", "ansible.builtin.template", "ansible.builtin.command", "ansible.builtin.debug",
           "ansible.builtin.set_fact", "ansible.builtin.package", "ansible.builtin.lineinfile",
           "ansible.builtin.import_role"]


@pytest.fixture(scope="module")
def grammar(catalog):
    from codegen.grounding.grammar import GrammarBuilder

    return Grammar(GrammarBuilder(catalog, handlers=["Restart nginx"]).build(MODULES))


SERVICE = "  ansible.builtin.service:\n    name: nginx\n    state: started\n"


def admitted(grammar, body: str) -> bool:
    return grammar.admits(body, "task")


# -- conditions (measured: 4 of 20 llama.cpp answers with the old grammar) -----------------------------
def test_condition_brackets_close_in_order(grammar):
    bad = SERVICE + "  when: (item.state | d(x) in ['mounted', 'present'))\n"
    good = SERVICE + "  when: (item.state | d(x)) in ['mounted', 'present']\n"
    assert not admitted(grammar, bad) and admitted(grammar, good)


def test_condition_does_not_end_on_an_operator(grammar):
    assert not admitted(grammar, SERVICE + "  when: a is defined and\n  become: true\n")
    assert admitted(grammar, SERVICE + "  when: a is defined and\n      b | bool\n  become: true\n")


def test_condition_list_items_are_expressions(grammar):
    bad = SERVICE + '  when:\n    - >-\n    - "ipv4_deployment|bool and "\n'
    assert not admitted(grammar, bad)
    assert admitted(grammar, SERVICE + "  when:\n    - ipv4_deployment | bool\n    - \"'x' not in result.stdout\"\n")
    assert admitted(grammar, SERVICE + "  when: >-\n    a is defined and\n    b\n")


def test_condition_is_not_yaml_syntax(grammar):
    # a plain scalar starting with a quote or bracket is read by YAML as its own string or list
    assert not admitted(grammar, SERVICE + "  when: 'a' in b\n")
    assert not admitted(grammar, SERVICE + "  when: x == 'a: b'\n")  # ': ' ends a plain scalar's key
    assert admitted(grammar, SERVICE + "  when: \"'a' in b\"\n")


def test_a_test_without_brackets_ends_its_operand(grammar):
    # Jinja reads the name after `is defined` as the test's argument: `x is defined if y` does not parse
    assert not admitted(grammar, SERVICE + "  when: x is defined if y else z\n")
    assert admitted(grammar, SERVICE + "  when: x if y is defined else z\n")


# -- templates in values -----------------------------------------------------------------------------
def test_templates_in_values_parse(grammar):
    head = "  ansible.builtin.template:\n    src: a.j2\n    mode: '0644'\n    dest: "
    assert not admitted(grammar, head + '"{{ base }/a"\n')
    assert not admitted(grammar, head + "'{{ q(\"flattened\", x'\n")  # cut off inside the template
    assert not admitted(grammar, head + '"{{ x | f.y }}"\n')  # no attribute after a filter in Jinja
    assert admitted(grammar, head + "\"{{ base + '/' + item.name }}\"\n")
    assert admitted(grammar, head + '/srv/{{ item }}.conf\n')


def test_jinja_strings_take_the_quote_yaml_leaves_free(grammar):
    head = "  ansible.builtin.debug:\n    msg: "
    assert not admitted(grammar, head + '"{{ "x" }}"\n')
    assert not admitted(grammar, head + "'{{ 'x' }}'\n")
    assert admitted(grammar, head + "\"{{ 'x' }}\"\n") and admitted(grammar, head + "'{{ \"x\" }}'\n")


def test_plain_values_do_not_break_yaml(grammar):
    head = "  ansible.builtin.debug:\n    msg: "
    assert not admitted(grammar, head + "a: b\n") and not admitted(grammar, head + "{{ x }}\n")
    assert admitted(grammar, head + '"a: b"\n')


# -- shapes (found by the fuzz test) -------------------------------------------------------------------
def test_nested_values_keep_one_indentation(grammar):
    head = "  ansible.builtin.set_fact:\n    facts:\n"
    assert not admitted(grammar, head + "       - a: 1\n      - b: 2\n")
    assert admitted(grammar, head + "      - a: 1\n        c: 3\n      - b: 2\n")


def test_keyword_values_have_ansibles_shapes(grammar):
    assert not admitted(grammar, SERVICE + "  become_user: []\n")
    assert not admitted(grammar, SERVICE + "  loop_control:\n    colour: x\n")
    assert not admitted(grammar, SERVICE + "  vars:\n    '{x': 1\n")
    assert admitted(grammar, SERVICE + "  loop: \"{{ users }}\"\n  loop_control:\n    label: \"{{ item.name }}\"\n")


def test_a_command_has_a_command(grammar):
    ending = "  changed_when: false\n"
    assert not admitted(grammar, "  ansible.builtin.command:\n    chdir: /tmp\n" + ending)
    assert not admitted(grammar, '  ansible.builtin.command: echo "a\n' + ending)  # ansible refuses an open quote
    assert admitted(grammar, "  ansible.builtin.command:\n    chdir: /tmp\n    cmd: make\n" + ending)
    assert admitted(grammar, '  ansible.builtin.command: vi -e "ROUTE={{ cidr }}"\n' + ending)
    assert admitted(grammar, "  ansible.builtin.command: >\n    ip netns exec {{ ns }}\n    arp -d {{ ip }}\n" + ending)


def test_set_fact_sets_variables(grammar):
    assert not admitted(grammar, "  ansible.builtin.set_fact: x\n")
    assert admitted(grammar, "  ansible.builtin.set_fact:\n    total: >\n      {{ a\n         + [b] }}\n")


def test_real_task_shapes_stay_admitted(grammar):
    for body in [
        "  ansible.builtin.package:\n    name:\n      - nginx\n      - git\n    state: present\n  become: true\n",
        "  ansible.builtin.template:\n    src: nginx.conf.j2\n    dest: /etc/nginx/nginx.conf\n    mode: '0644'\n"
        "  notify: Restart nginx\n  when: ansible_facts.os_family == 'Debian'\n",
        "  ansible.builtin.lineinfile:\n    path: /etc/ssh/sshd_config\n    regexp: '^PermitRootLogin'\n"
        "    line: PermitRootLogin no\n  loop: \"{{ hosts | dict2items }}\"\n",
        "  ansible.builtin.import_role:\n    name: common\n  tags: [setup, common]\n",
    ]:
        assert admitted(grammar, body), body


# -- runaway repetition (measured: 2 of 90 llama.cpp answers repeated a list item until the token budget ran out) --
def test_lists_blocks_and_keyword_lines_end_within_the_token_budget(grammar):
    from codegen.grounding.grammar import MAX_KEYWORDS, MAX_KEYWORDS_BEFORE
    from codegen.grounding.grammar_values import MAX_ENTRIES

    def listed(n):
        return "  ansible.builtin.package:\n    name:\n" + "      - cert.pem\n" * n + "    state: present\n"

    assert admitted(grammar, listed(MAX_ENTRIES)) and not admitted(grammar, listed(MAX_ENTRIES + 1))
    content = "  ansible.builtin.template:\n    src: a.j2\n    dest: /a\n    mode: '0644'\n  vars:\n    body: |\n"
    assert admitted(grammar, content + "      {{ x }}\n" * MAX_ENTRIES)
    assert not admitted(grammar, content + "      {{ x }}\n" * (MAX_ENTRIES + 1))
    assert admitted(grammar, SERVICE + "  become: true\n" * MAX_KEYWORDS)
    assert not admitted(grammar, SERVICE + "  become: true\n" * (MAX_KEYWORDS + 1))
    assert admitted(grammar, "  become: true\n" * MAX_KEYWORDS_BEFORE + SERVICE)
    assert not admitted(grammar, "  become: true\n" * (MAX_KEYWORDS_BEFORE + 1) + SERVICE)
    assert admitted(grammar, SERVICE + "  tags:\n" + "    - a\n" * MAX_ENTRIES)
    assert not admitted(grammar, SERVICE + "  tags:\n" + "    - a\n" * (MAX_ENTRIES + 1))


def test_names_yaml_reads_as_booleans_are_not_register_or_variable_names(grammar):
    # found by the fuzz test below: `register: True` is a boolean, and ansible refuses it
    for word in ("true", "True", "yes", "no", "on", "null"):
        assert not admitted(grammar, SERVICE + f"  register: {word}\n")
        assert not admitted(grammar, SERVICE + f"  vars:\n    {word}: 1\n")
    assert admitted(grammar, SERVICE + "  register: true_result\n") and admitted(grammar, SERVICE + "  register: y2\n")


# -- everything admitted passes ------------------------------------------------------------------------
def test_every_sampled_task_passes_the_local_checks(grammar, catalog):
    """Random tasks the grammar admits pass YAML, Jinja, task loading and the argument specs. Left out,
    as the grammar's docstring says it cannot express them: a key given twice, two loops."""
    from codegen.validate import validate_tasks

    checked, failures = 0, []
    sampler = Sampler(grammar, random.Random(19))
    for _ in range(400):
        body = sampler.sample("task")
        if body is None:
            continue
        loops = [k for k in re.findall(r"^  ([a-z_]+):", body, re.M) if k == "loop" or k.startswith("with_")]
        if len(loops) > 1:
            continue
        checked += 1
        errors = [str(p) for p in validate_tasks("- name: Do it\n" + body, catalog, lint=False) if p.level == "error"]
        errors = [e for e in errors if "appears twice in one mapping" not in e]
        if errors:
            failures.append((body, errors))
    assert checked >= 200, checked
    assert not failures, failures[:3]
