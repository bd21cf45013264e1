"""validate_tasks and its checks, on hand-made tasks with known faults."""
from __future__ import annotations

import pytest

from codegen.normalise import normalise_tasks
from codegen.validate import Problem, is_valid, validate_tasks

# ansible-lint's rule modules carry their own tests, marked `libyaml`, which pytest sees on import.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning")

CLEAN = """- name: Copy the motd
  ansible.builtin.copy:
    src: motd.txt
    dest: /etc/motd
    owner: root
    group: root
    mode: "0644"
"""


def errors(problems, check=None):
    return [p for p in problems if p.level == "error" and (check is None or p.check == check)]


def only(problems, check):
    return [p for p in problems if p.check == check]


def test_problem_str():
    p = Problem("error", "argspec", "ansible.builtin.copy: unknown option 'bogus' (valid: src, dest)", task=0, line=3)
    assert str(p) == "error [argspec] task 1 (line 3): ansible.builtin.copy: unknown option 'bogus' (valid: src, dest)"
    assert str(Problem("warning", "lint", "x")) == "warning [lint] x"


def test_clean_task_has_no_problems_even_with_lint(catalog):
    problems = validate_tasks(CLEAN, catalog, lint=True)
    assert problems == []
    assert is_valid(problems)


@pytest.mark.parametrize("text, words", [
    ("- name: X\n  copy:\n    src: a\n   dest: b\n", "not valid YAML"),
    ("- name: X\n  copy: {{ a }}\n", "must be quoted"),
    ("name: X\ncopy:\n  src: a\n", "list of tasks"),
    ("", "empty"),
])
def test_syntax_errors_stop_the_run(text, words, catalog):
    problems = validate_tasks(text, catalog, lint=True)
    assert len(problems) == 1 and problems[0].check == "syntax" and problems[0].level == "error"
    assert words in problems[0].message


def test_item_that_is_not_a_mapping(catalog):
    problems = validate_tasks("- just a string\n- name: Ok\n  ansible.builtin.debug:\n    msg: hi\n", catalog, lint=False)
    assert [(p.check, p.task) for p in errors(problems)] == [("syntax", 0)]


def test_unknown_module_suggests_the_real_one(catalog):
    problems = validate_tasks("- name: X\n  ansible.builtin.copyy:\n    src: a\n", catalog, lint=True)
    [p] = problems  # lint's noise about the same task is dropped
    assert p.check == "task_load" and p.level == "error" and p.task == 0
    assert "unknown module 'ansible.builtin.copyy'" in p.message and "ansible.builtin.copy'" in p.message


def test_misspelled_keyword(catalog):
    problems = validate_tasks("- name: X\n  ansible.builtin.debug:\n    msg: hi\n  whne: x is defined\n", catalog, lint=False)
    [p] = errors(problems)
    assert p.check == "task_load" and "'whne'" in p.message and "'when'" in p.message


def test_two_modules_in_one_task(catalog):
    text = "- name: X\n  ansible.builtin.debug:\n    msg: hi\n  ansible.builtin.file:\n    path: /a\n"
    [p] = errors(validate_tasks(text, catalog, lint=False))
    assert p.check == "task_load" and "conflicting action statements" in p.message


def test_unknown_option_lists_valid_ones(catalog):
    text = "- name: X\n  ansible.builtin.copy:\n    src: a\n    dest: /b\n    bogus: 1\n"
    [p] = errors(validate_tasks(text, catalog, lint=False))
    assert p.check == "argspec"
    assert "ansible.builtin.copy: unknown option 'bogus'" in p.message
    assert "valid:" in p.message and "dest" in p.message and "src" in p.message


def test_misspelled_option_gets_a_suggestion(catalog):
    text = ("- name: Z\n  ansible.builtin.cron:\n    name: job\n    job: /bin/true\n    specail_time: daily\n")
    [p] = errors(validate_tasks(text, catalog, lint=False))
    assert "'specail_time'" in p.message and "did you mean 'special_time'" in p.message


def test_suboptions_are_checked(catalog):
    if catalog.get("ansible.posix.firewalld") is None:
        pytest.skip("ansible.posix is not installed")
    text = ("- name: Forward\n  ansible.posix.firewalld:\n    state: enabled\n    permanent: true\n"
            "    port_forward:\n      - port: '80'\n        proto: tcp\n        toprt: '8080'\n")
    messages = [p.message for p in errors(validate_tasks(text, catalog, lint=False))]
    assert any("unknown option 'toprt' under 'port_forward[0]'" in m for m in messages), messages
    assert any("missing required option 'toport' under 'port_forward[0]'" in m for m in messages), messages


def test_invalid_choice_lists_choices(catalog):
    text = "- name: X\n  ansible.builtin.file:\n    path: /a\n    state: flying\n"
    [p] = errors(validate_tasks(text, catalog, lint=False))
    assert p.check == "argspec"
    assert "state must be one of: absent, directory, file, hard, link, touch, got: flying" in p.message


def test_wrong_type(catalog):
    text = "- name: X\n  ansible.builtin.wait_for:\n    port: eighty\n"
    [p] = errors(validate_tasks(text, catalog, lint=False))
    assert "port" in p.message and "int" in p.message


def test_missing_required_option(catalog):
    [p] = errors(validate_tasks("- name: X\n  ansible.builtin.file:\n    state: touch\n", catalog, lint=False))
    assert p.check == "argspec" and "missing required option 'path'" in p.message


def test_missing_auth_option_is_only_a_warning(catalog):
    doc = catalog.get("community.general.linode")
    if doc is None or not doc.options.get("api_key", {}).get("required"):
        pytest.skip("community.general.linode with a required api_key is not installed")
    problems = validate_tasks("- name: Make a VM\n  community.general.linode:\n    name: web\n    state: present\n", catalog, lint=True)
    assert is_valid(problems)
    mentions = [p for p in problems if "api_key" in p.message]
    assert mentions and all(p.level == "warning" for p in mentions)
    assert len(mentions) == 1  # ansible-lint's args rule saying the same is not repeated


def test_jinja_values_are_not_type_checked(catalog):
    text = ("- name: X\n  ansible.builtin.file:\n    path: \"{{ p }}\"\n    state: \"{{ st }}\"\n"
            "    recurse: \"{{ deep | bool }}\"\n    mode: \"{{ m }}\"\n"
            "- name: Y\n  ansible.builtin.wait_for:\n    port: \"{{ port }}\"\n")
    assert validate_tasks(text, catalog, lint=False) == []


def test_free_form_modules(catalog):
    text = ("- name: A\n  ansible.builtin.command: echo hi\n  args:\n    chdir: /tmp\n"
            "- name: B\n  ansible.builtin.shell: echo hi | cat\n"
            "- name: C\n  ansible.builtin.meta: flush_handlers\n"
            "- name: D\n  ansible.builtin.set_fact:\n    anything: 1\n    goes: \"{{ x }}\"\n"
            "- name: E\n  ansible.builtin.include_tasks: other.yml\n")
    assert validate_tasks(text, catalog, lint=False) == []
    bad = validate_tasks("- name: M\n  ansible.builtin.meta: flush_handler\n- name: C\n  ansible.builtin.command:\n    chdir: /tmp\n",
                         catalog, lint=False)
    assert [p.task for p in errors(bad, "argspec")] == [0, 1]
    assert "flush_handlers" in bad[0].message and "no command given" in bad[1].message


def test_block_children_are_checked(catalog):
    text = "- name: B\n  when: x\n  block:\n    - name: In\n      ansible.builtin.file:\n        path: /a\n        state: nope\n"
    [p] = errors(validate_tasks(text, catalog, lint=False))
    assert p.task == 0 and "state must be one of" in p.message


def test_broken_jinja(catalog):
    text = "- name: X\n  ansible.builtin.debug:\n    msg: \"{{ x | }}\"\n  when: x ==\n"
    problems = validate_tasks(text, catalog, lint=True)
    jinja = errors(problems, "jinja")
    assert len(jinja) == 2
    assert "'ansible.builtin.debug.msg'" in jinja[0].message and "'when'" in jinja[1].message
    assert not [p for p in problems if p.check == "lint" and "jinja" in p.message]  # not said twice


def test_lint_flags_missing_name_and_command_without_changed_when(catalog):
    text = "- ansible.builtin.command: echo hi\n- name: Run a thing\n  ansible.builtin.command: /bin/true\n"
    lint = only(validate_tasks(text, catalog, lint=True), "lint")
    tags = {(p.task, p.message.split(":")[0]) for p in lint}
    assert (0, "name[missing]") in tags
    assert (1, "no-changed-when") in tags
    assert all(p.level == "error" and p.line for p in lint)


def test_lint_flags_short_module_names(catalog):
    lint = only(validate_tasks("- name: Copy\n  copy:\n    src: a\n    dest: /b\n    mode: '0644'\n", catalog), "lint")
    assert any(p.message.startswith("fqcn[action-core]") for p in lint)


def test_normalised_model_output_passes_lint(catalog):
    model = ("- file: path=/srv/app state=directory mode=0755\n  name: Make the app dir\n"
             "- name: Install nginx\n  apt:\n    name: nginx\n    state: present\n    update_cache: yes\n  become: yes\n"
             "- name: Set perms\n  file:\n    path: /srv/app/x\n    state: touch\n    mode: 0640\n")
    text = normalise_tasks(model, catalog)
    problems = validate_tasks(text, catalog, lint=True)
    # The free-form file task stays free-form (normalise does not rewrite module arguments).
    assert {p.message.split(":")[0] for p in problems} <= {"no-free-form"}, problems


def test_lint_file_on_a_playbook(tmp_path):
    from codegen.validate.lint import lint_file

    book = tmp_path / "site.yml"
    book.write_text("---\n- name: Play\n  hosts: all\n  tasks:\n    - name: Run\n      ansible.builtin.command: /bin/true\n")
    problems = lint_file(book, kind="playbook", syntax_check=False)
    assert [p.message.split(":")[0] for p in problems] == ["no-changed-when"]
    assert problems[0].line == 5


def test_lint_still_checks_the_tasks_that_load(catalog):
    text = ("- name: Broken\n  ansible.builtin.copyy:\n    src: a\n"
            "- name: Run a thing\n  ansible.builtin.command: /bin/true\n")
    problems = validate_tasks(text, catalog, lint=True)
    assert [(p.check, p.task) for p in errors(problems)] == [("task_load", 0), ("lint", 1)]
    assert problems[-1].line == 4 and "no-changed-when" in problems[-1].message


LINT_PROBE = """
import json, sys
from codegen.catalog import load_catalog
from codegen.validate import validate_tasks
text = "- name: Run it\\n  ansible.builtin.command: /usr/bin/make install\\n  become: yes\\n"
print(json.dumps(sorted(str(p) for p in validate_tasks(text, load_catalog(quiet=True), lint=True))))
"""


def test_ansibles_answers_are_cached_and_lint_finds_the_same(tmp_path):
    """The linter's subprocess questions to ansible are answered from the cache on the next start,
    with the same lint result; the catalog is shared so the probe stays fast."""
    import json
    import os
    import subprocess
    import sys

    from codegen.paths import cache_dir

    env = {**os.environ, "ANSIBLE_CODEGEN_CACHE": str(tmp_path)}
    (tmp_path / "catalog").symlink_to(cache_dir() / "catalog", target_is_directory=True)
    # the second start cannot run ansible's commands at all (not on PATH): it must use the cache
    runs = [subprocess.run([sys.executable, "-c", LINT_PROBE], env=e, capture_output=True, text=True, check=True)
            for e in (env, {**env, "PATH": "/usr/bin:/bin"})]
    first, second = (json.loads(r.stdout.strip().splitlines()[-1]) for r in runs)
    assert first == second and any("no-changed-when" in p for p in first)
    kept = json.loads(next((tmp_path / "lint").glob("*.json")).read_text())
    assert {"ansible-config dump", "ansible --version"} <= set(kept)


def test_linting_a_role_or_playbook_never_runs_it(tmp_path):
    """ansible-lint's syntax check goes through the guarded ansible-playbook: it must check, never run.
    (It once dropped argv[0], so `--syntax-check` was read as the program name and the role ran
    against localhost.)"""
    import subprocess
    import sys

    from codegen.validate.lint import lint_file

    marker = tmp_path / "ran"
    role = tmp_path / "roles" / "probe"
    (role / "tasks").mkdir(parents=True)
    (role / "tasks" / "main.yml").write_text(
        f"---\n- name: Leave a mark\n  ansible.builtin.copy:\n    content: x\n    dest: {marker}\n    mode: '0644'\n")
    problems = lint_file(role, kind="role")
    assert not marker.exists()
    assert not any("internal-error" in str(p) for p in problems), problems
    play = tmp_path / "play.yml"
    play.write_text(f"- name: Probe\n  hosts: localhost\n  gather_facts: false\n  tasks:\n"
                    f"    - name: Leave a mark\n      ansible.builtin.copy:\n        content: x\n        dest: {marker}\n"
                    f"        mode: '0644'\n")
    checked = subprocess.run([sys.executable, "-m", "codegen.validate.guarded_playbook", "--syntax-check", str(play)],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0 and not marker.exists()
    refused = subprocess.run([sys.executable, "-m", "codegen.validate.guarded_playbook", str(play)],
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and not marker.exists()
