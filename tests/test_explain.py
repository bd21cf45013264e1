"""`ansible-codegen explain`: modules named from the catalog, options from their documentation,
review flags with task numbers, --task, roles and tasks files, one-line errors, no torch."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from codegen.authoring import explain as ex
from codegen.cli import main

PLAYBOOK = """\
---
- name: Web servers
  hosts: web
  become: true
  become_user: root
  vars:
    http_port: 8080
    db_password: hunter2
  tasks:
    - name: Install nginx
      apt:
        name: nginx
        state: latest
      notify: Restart nginx

    - name: Install the agent
      ansible.builtin.shell: curl -sSL https://get.example.com/agent.sh | sh

    - name: Create the app user
      ansible.builtin.user:
        name: app
        password: "{{ db_password }}"

    - name: Configure the app
      block:
        - name: Write the config
          ansible.builtin.copy:
            src: app.conf
            dest: /etc/app/app.conf
            mode: "0644"
        - name: Probe the health endpoint
          ansible.builtin.uri:
            url: https://localhost/health
            validate_certs: false
      rescue:
        - name: Report the failure
          ansible.builtin.debug:
            msg: config failed
      ignore_errors: true

    - name: Open the scratch folder
      ansible.builtin.file:
        path: /srv/scratch
        state: directory
        mode: 777
  handlers:
    - name: Restart nginx
      ansible.builtin.service:
        name: nginx
        state: restarted
"""
MODULES = ["ansible.builtin.apt", "ansible.builtin.shell", "ansible.builtin.user", "ansible.builtin.copy",
           "ansible.builtin.uri", "ansible.builtin.debug", "ansible.builtin.file", "ansible.builtin.service"]
# task number -> the rules it must trip (the block is task 4; its tasks 5-7; the handler 9)
EXPECTED_FLAGS = {
    1: {"state-latest"},
    2: {"command-without-changed-when", "pipe-to-shell"},
    3: {"secret-without-no-log"},
    4: {"ignore-errors"},
    6: {"certificate-checks-off"},
    8: {"decimal-mode"},
}


def invoke(*args):
    return CliRunner().invoke(main, ["explain", *map(str, args)])


@pytest.fixture()
def playbook(tmp_path):
    path = tmp_path / "site.yml"
    path.write_text(PLAYBOOK)
    return path


@pytest.fixture()
def explained(playbook, catalog):
    return ex.explain_path(playbook, catalog)


def test_explain_names_every_module_and_each_flag_with_its_task(playbook):
    result = invoke(playbook)
    assert result.exit_code == 0, result.output
    text = result.stdout
    for fqcn in MODULES:
        assert f"`{fqcn}`" in text, fqcn
    assert "Module `ansible.builtin.apt` (written `apt`)" in text  # the short name resolved
    flags_section = text.split("## Review flags", 1)[1].split("\n## ", 1)[0]
    for number, rules in EXPECTED_FLAGS.items():
        for rule in rules:
            assert re.search(rf"\*\*Task {number} '[^']+'\*\* \[{rule}\]", flags_section), (number, rule)
    assert "**Play 1 vars** [hardcoded-secret]: `db_password`" in flags_section
    assert "hunter2" not in text  # a plain-text secret is flagged, never repeated


def test_flags_land_on_exactly_the_expected_tasks(explained):
    found: dict[int, set[str]] = {}
    for flag in explained.flags:
        if flag.number is not None:
            found.setdefault(flag.number, set()).add(flag.rule)
    assert found == EXPECTED_FLAGS
    clean = [e for e in explained.entries if not e.flags]
    assert [e.number for e in clean] == [5, 7, 9]  # copy with 0644, debug, the handler: nothing to say


def test_option_descriptions_come_from_the_module_documentation(explained, catalog):
    text = ex.render_markdown(explained)
    dest = ex.first_sentence(catalog.get("ansible.builtin.copy").options["dest"]["description"], 200)
    assert dest.startswith("Remote absolute path")
    assert f"- `dest` = `/etc/app/app.conf`: {dest}" in text
    assert "`latest` ensures that the latest version is installed" in text  # the chosen value explained
    assert "notifies `Restart nginx` (task 9)" in text
    assert "A block: block tasks 5-6; rescue task 7." in text


def test_a_clean_task_has_no_flags(tmp_path):
    path = tmp_path / "tasks.yml"
    path.write_text("- name: Check nginx\n  ansible.builtin.command: nginx -t\n  changed_when: false\n"
                    "- name: Install nginx\n  ansible.builtin.package:\n    name: nginx\n    state: present\n")
    result = invoke(path)
    assert result.exit_code == 0, result.output
    assert "## Review flags\n\nNone found." in result.stdout and "**Review" not in result.stdout


def test_task_option_explains_only_that_task(playbook):
    result = invoke(playbook, "--task", 6)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# Task 6: Probe the health endpoint")
    assert "ansible.builtin.uri" in text and "[certificate-checks-off]" in text
    assert "Task 5" not in text and "ansible.builtin.apt" not in text and "## Review flags" not in text


def test_role_folder(tmp_path):
    role = tmp_path / "web"
    (role / "tasks").mkdir(parents=True)
    (role / "handlers").mkdir()
    (role / "defaults").mkdir()
    (role / "tasks" / "main.yml").write_text("- name: Install steps\n  ansible.builtin.include_tasks: install.yml\n")
    (role / "tasks" / "install.yml").write_text(
        "- name: Install nginx\n  ansible.builtin.apt:\n    name: nginx\n  notify: Reload nginx\n")
    (role / "handlers" / "main.yml").write_text(
        "- name: Reload nginx\n  ansible.builtin.service:\n    name: nginx\n    state: reloaded\n")
    (role / "defaults" / "main.yml").write_text("nginx_port: 80\nnginx_api_token: s3cr3t\n")
    result = invoke(role)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# Role web") and "A role: 3 tasks in 3 files." in text
    for heading in ("## Tasks (tasks/main.yml)", "## Tasks (tasks/install.yml)", "## Handlers (handlers/main.yml)",
                    "## Defaults (defaults/main.yml)"):
        assert heading in text
    assert "### Task 2: Install nginx" in text and "notifies `Reload nginx` (task 3)" in text
    assert "**Defaults (defaults/main.yml)** [hardcoded-secret]: `nginx_api_token`" in text and "s3cr3t" not in text


def test_tasks_file_with_free_form_and_action_forms(tmp_path, catalog):
    path = tmp_path / "setup.yml"
    path.write_text("- name: Make the folder\n  action: file path=/srv/web state=directory mode=0755\n"
                    "- name: Fetch the key\n  ansible.builtin.get_url:\n    url: https://example.com/key\n"
                    "    dest: /etc/key\n    url_password: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n      6162\n"
                    "  no_log: true\n")
    text = ex.render_markdown(ex.explain_path(path, catalog))
    assert "A tasks file: 2 tasks." in text
    assert "Module `ansible.builtin.file` (written `file`)" in text and "- `path` = `/srv/web`" in text
    assert "`url_password` = `!vault (encrypted)`" in text
    assert "None found." in text  # vaulted and no_log: nothing to flag


def test_unknown_module_is_said_plainly_not_guessed(tmp_path):
    path = tmp_path / "tasks.yml"
    path.write_text("- name: Frobnicate\n  acme.widgets.frob:\n    level: 3\n  register: out\n")
    result = invoke(path)
    assert result.exit_code == 0, result.output
    assert "`acme.widgets.frob`: not found in the installed collections" in result.stdout
    assert "[unknown-module]" in result.stdout


@pytest.mark.parametrize("write, extra, message", [
    (None, [], "no such file"),
    ("- name: x\n  debug: [\n", [], "not valid YAML"),
    ("services:\n  web:\n    image: nginx\n", [], "not an Ansible file"),
    ("- a: 1\n  b: 2\n", [], "not an Ansible file"),
    ("- name: Hi\n  ansible.builtin.debug:\n    msg: hi\n", ["--task", "2"], "has 1 task(s)"),
    ("- name: Hi\n  ansible.builtin.debug:\n    msg: hi\n", ["--task", "0"], "numbered from 1"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, write, extra, message):
    path = tmp_path / "input.yml"
    if write is not None:
        path.write_text(write)
    result = invoke(path, *extra)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().count("\n") == 0 and message in result.stderr, result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


def test_output_file_is_written(playbook, tmp_path):
    out = tmp_path / "explained.md"
    result = invoke(playbook, "-o", out)
    assert result.exit_code == 0 and f"wrote {out}" in result.stderr
    assert out.read_text().startswith("# site.yml")


@pytest.mark.parametrize("value, flagged", [
    ("'0777'", True), ("0777", True), ("u=rwx,g=rx,o=rwx", True), ("a+w", True),
    ("'0755'", False), ("0644", False), ("u=rw,g=r,o=r", False), ("'{{ mode }}'", False),
])
def test_world_writable_mode(tmp_path, catalog, value, flagged):
    path = tmp_path / "tasks.yml"
    path.write_text(f"- name: A file\n  ansible.builtin.file:\n    path: /x\n    mode: {value}\n")
    entry = ex.explain_path(path, catalog).entries[0]
    assert ("world-writable-mode" in {f.rule for f in entry.flags}) is flagged


def test_secret_names_are_whole_words_and_docs_overrule_them(catalog, tmp_path):
    assert ex.SECRET_NAME.search("db_password") and ex.SECRET_NAME.search("api_key")
    assert not ex.SECRET_NAME.search("passno") and not ex.SECRET_NAME.search("keyring")
    path = tmp_path / "tasks.yml"
    path.write_text("- name: A user\n  ansible.builtin.user:\n    name: app\n    update_password: on_create\n"
                    "    password_lock: true\n")
    assert not ex.explain_path(path, catalog).flags  # a choice and a flag, not secrets


def test_summary_prompt_renders_the_plays_and_the_documented_modules(explained):
    prompt = ex.render_summary_prompt(explained)
    assert "Ansible playbook: site.yml" in prompt and 'Play "Web servers" on hosts web, as root:' in prompt
    assert "1. Install nginx: ansible.builtin.apt (Manages apt-packages)" in prompt
    assert "4. Configure the app: a block" in prompt
    assert "hunter2" not in prompt and "8080" not in prompt  # no option or variable values reach the model
    assert prompt.rstrip("\n").endswith("Summary: This playbook")


def scripted(completion):
    class Scripted:
        def complete(self, prompt):
            assert prompt.rstrip().endswith("This playbook")
            return type("Generation", (), {"text": completion})()

    return Scripted()


def test_summary_is_labelled_and_trimmed_to_a_paragraph(explained):
    summary = ex.model_summary(explained, backend=scripted(" installs nginx and deploys the app. It also\n\nmore"))
    assert summary == "This playbook installs nginx and deploys the app."
    text = ex.render_markdown(explained, summary=summary)
    assert "## Summary (written by the model)" in text and "> This playbook installs nginx" in text
    assert "Written by the local language model and not checked" in text


@pytest.mark.parametrize("completion", ["- name: Web servers hosts: web", " - name: x\n  hosts: web", " ", ""])
def test_a_summary_that_is_not_prose_is_dropped(explained, completion):
    summary = ex.model_summary(explained, backend=scripted(completion))
    assert summary == ""
    assert "gave no usable summary" in ex.render_markdown(explained, summary=summary)


def test_explain_does_not_import_torch(playbook):
    code = ("import sys\nfrom click.testing import CliRunner\nfrom codegen.cli import main\n"
            f"r = CliRunner().invoke(main, ['explain', {str(playbook)!r}])\n"
            "assert r.exit_code == 0, r.output\nprint('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=300)
    assert out.stdout.split() == ["False"], out.stdout + out.stderr


@pytest.mark.parametrize("command, module", [
    ("rsync -a /src/ /dest/", "ansible.posix.synchronize"),  # ansible-lint's list, once missing from explain's
    ("sudo mktemp -d", "ansible.builtin.tempfile"),
    ("/usr/bin/curl -o /tmp/x https://example.com", "ansible.builtin.get_url"),
    ("mkdir -p /opt/app", "ansible.builtin.file"),  # explain's wider list: not refused while decoding
    ("make install", None),
])
def test_command_instead_of_module_uses_the_one_table(tmp_path, catalog, command, module):
    from codegen.ansible_files.commands import LINT_REJECTS, MODULE_FOR
    from codegen.grounding.schema.rules.commands import command_has_module

    assert LINT_REJECTS <= MODULE_FOR.keys()  # every program the decoder refuses, explain names a module for
    path = tmp_path / "tasks.yml"
    path.write_text(f"- name: Run it\n  ansible.builtin.command: {command}\n  changed_when: false\n")
    messages = [f.message for f in ex.explain_path(path, catalog).entries[0].flags if f.rule == "command-instead-of-module"]
    assert (module is not None) == bool(messages) and (module is None or module in messages[0])
    line = command.removeprefix("sudo ")  # the decoder reads the first word, as ansible-lint does
    refused = command_has_module("ansible.builtin.command", line, True)
    assert refused is (line.split()[0].rsplit("/", 1)[-1] in LINT_REJECTS)
