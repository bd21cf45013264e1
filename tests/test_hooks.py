"""The pre-commit hooks' code: which files are Ansible, stubs, fill (scripted backend, no model), check."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codegen.validate.files import check_file
from codegen.ansible_files.classify import AnsibleFile, Broken, classify, find_stubs, split_lines
from codegen.backends.scripted import ScriptedBackend, scripted_pipeline
from codegen.hooks.fill import LazyPipeline, fill_file

ROOT = Path(__file__).resolve().parents[1]
APT = "  ansible.builtin.apt:\n    name: nginx\n    state: present\n"
UFW = "  community.general.ufw:\n    rule: allow\n    port: \"80\"\n    proto: tcp\n"
ANSWERS = {"install nginx": APT, "open port 80": UFW,
           "restart nginx": "  ansible.builtin.service:\n    name: nginx\n    state: restarted\n",
           "start nginx": "  ansible.builtin.service:\n    name: nginx\n    state: started\n"}

PLAYBOOK = """\
---
# Web tier
- name: Web servers
  hosts: web
  become: true
  vars:
    port: 80  # keep this comment
  tasks:
    - name: install nginx
    - name: 'Start nginx'
      ansible.builtin.service:
        name: "nginx"
        state: started


    # codegen: open port 80
  handlers:
    # codegen: restart nginx
"""
PLAYBOOK_FILLED = """\
---
# Web tier
- name: Web servers
  hosts: web
  become: true
  vars:
    port: 80  # keep this comment
  tasks:
    - name: Install nginx
      ansible.builtin.apt:
        name: nginx
        state: present
    - name: 'Start nginx'
      ansible.builtin.service:
        name: "nginx"
        state: started


    - name: Open port 80
      community.general.ufw:
        rule: allow
        port: "80"
        proto: tcp
  handlers:
    - name: Restart nginx
      ansible.builtin.service:
        name: nginx
        state: restarted
"""


def no_model():
    raise AssertionError("the pipeline (model) must not be built for a file without stubs")


def factory(answers=None):
    return LazyPipeline(lambda: scripted_pipeline(answers or ANSWERS, lint=False))


def known(name: str) -> bool:
    return name in ("ansible.builtin.debug", "debug", "apt", "copy")


# --- which files are Ansible ------------------------------------------------------------------

@pytest.mark.parametrize("path, text, kind", [
    ("site.yml", "- hosts: all\n  tasks: []\n", "playbook"),
    ("any.yml", "- ansible.builtin.import_playbook: other.yml\n", "playbook"),
    ("roles/r/tasks/main.yml", "- name: install nginx\n", "tasks"),
    ("roles/r/handlers/main.yml", "- name: restart nginx\n", "handlers"),
    ("setup.yml", "- name: Say hi\n  debug:\n    msg: hi\n", "tasks"),
    ("setup.yml", "- name: Say hi\n  my.own.module: {}\n", "tasks"),
    ("setup.yml", "- name: X\n  unknown_thing: 1\n  register: out\n", "tasks"),
    ("setup.yml", "- block:\n    - name: install nginx\n", "tasks"),
    ("new.yml", "# codegen: install nginx\n", "tasks"),
])
def test_ansible_files_are_recognised(path, text, kind):
    found = classify(path, text, known_module=known)
    assert isinstance(found, AnsibleFile) and found.kind == kind


@pytest.mark.parametrize("path, text", [
    ("docker-compose.yml", "services:\n  web:\n    image: nginx\n"),
    ("deploy.yaml", "apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Service\n"),
    ("k8s.yaml", "- apiVersion: v1\n  kind: Pod\n  metadata: {name: x}\n"),
    (".pre-commit-config.yaml", "repos:\n  - repo: local\n    hooks: []\n"),
    ("requirements.yml", "- name: geerlingguy.nginx\n  version: 3.1.0\n  src: https://x\n"),
    ("people.yml", "- name: alice\n  age: 3\n- name: bob\n  age: 4\n"),
    ("names.yml", "- name: install nginx\n- name: install redis\n"),  # no sign of Ansible: not stubs
    ("vars.yml", "# codegen: foo\nport: 80\n"),
    ("empty.yml", ""),
])
def test_other_yaml_is_not_ansible(path, text):
    assert classify(path, text, known_module=known) is None


@pytest.mark.parametrize("name, data, line", [
    ("chart/templates/x.yaml", b"metadata:\n  name: {{ .Release.Name }}\n  x: [\n", 4),
    ("notes.yml", b"a: 1\nb: \"unclosed\nc: 3\n", 4),
    ("data.yaml", b"a: 1\nb: \x00\n", 2),
    ("deep.yml", b"[" * 5000 + b"]" * 5000 + b"\n", 1),
    ("deep-map.yml", b"a:\n" + b"".join(b" " * (i + 1) + b"b:\n" for i in range(1200)), 1000),
])
def test_check_reports_any_yaml_it_cannot_parse(tmp_path, name, data, line):
    """Issue 13, finding 6: a file the hook is given that does not parse is an error, whatever its path."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    result = subprocess.run([str(ENTRY), "check", "--no-lint", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith(f"{path}:{line}: error [syntax] the file is not valid YAML"), result.stdout
    assert "Traceback" not in result.stderr
    assert fill_file(path, no_model).changed is False and path.read_bytes() == data  # fill leaves it alone


def test_check_refuses_a_file_over_the_size_cap_as_bad_input(tmp_path):
    """A file too large to read (over 1M characters) is bad input, said on one line, not a hang."""
    path = tmp_path / "tasks" / "main.yml"
    path.parent.mkdir()
    path.write_text("a:\n" + "".join(" " * (i + 1) + "b:\n" for i in range(3000)))
    result = subprocess.run([str(ENTRY), "check", "--no-lint", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "cap" in result.stderr and result.stderr.strip().count("\n") == 0


def test_broken_yaml_where_ansible_lives_is_reported():
    found = classify("roles/r/tasks/main.yml", "- name: x\n  debug: {msg: [\n")
    assert isinstance(found, Broken) and found.note.line and "not valid YAML" in found.note.message


def test_split_lines_matches_yaml_line_breaks():
    text = "a\r\nb\rc\u2028d\n\ne"
    assert "".join(split_lines(text)) == text and len(split_lines(text)) == 6


# --- stubs ---------------------------------------------------------------------------------------

def test_stubs_in_plays_blocks_and_empty_lists():
    text = """\
- hosts: all
  tasks:
  - name: first request
  - block:
      - name: Known
        ansible.builtin.shell: |
          # codegen: inside a block scalar: text, not a request
          echo hi
      # codegen: in the block
    rescue:
  # codegen: second request
  - name:
  handlers:
    # codegen: a handler
  vars:
    # codegen: nowhere to go
    x: 1
"""
    found = classify("p.yml", text)
    stubs, notes = find_stubs(found)
    assert [(s.kind, s.request, s.line, s.column) for s in stubs] == [
        ("name", "first request", 3, 2), ("comment", "in the block", 9, 6),
        ("comment", "second request", 11, 2), ("comment", "a handler", 14, 4)]
    assert [(n.line, n.level) for n in notes] == [(12, "error"), (16, "error")]
    assert "empty name" in notes[0].message and "not between the tasks" in notes[1].message


# --- fill ---------------------------------------------------------------------------------------

def test_fill_replaces_stubs_and_keeps_every_other_byte(tmp_path):
    path = tmp_path / "site.yml"
    path.write_text(PLAYBOOK)
    result = fill_file(path, factory())
    assert result.changed and result.filled == 3 and result.errors == 0
    assert path.read_text() == PLAYBOOK_FILLED
    assert [m.split(": ", 1)[0] for m in result.messages if "filled" in m] == [f"{path}:9", f"{path}:19", f"{path}:25"]
    again = fill_file(path, LazyPipeline(no_model))
    assert not again.changed and path.read_text() == PLAYBOOK_FILLED


def test_fill_keeps_crlf_bom_mode_and_missing_final_newline(tmp_path):
    path = tmp_path / "roles" / "web" / "tasks" / "main.yml"
    path.parent.mkdir(parents=True)
    original = "- name: Known\r\n  ansible.builtin.debug:\r\n    msg: hi\r\n- name: install nginx"
    path.write_bytes(b"\xef\xbb\xbf" + original.encode())
    path.chmod(0o640)
    assert fill_file(path, factory()).changed
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf- name: Known\r\n  ansible.builtin.debug:\r\n    msg: hi\r\n- name: Install nginx\r\n")
    assert data.endswith(b"    state: present") and b"\n" not in data.replace(b"\r\n", b"")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_fill_sees_the_file_above_the_stub_as_context(tmp_path):
    path = tmp_path / "tasks.yml"
    path.write_text("- name: Update cache\n  ansible.builtin.apt:\n    update_cache: true\n# codegen: install nginx\n"
                    "- name: Later task\n  ansible.builtin.debug:\n    msg: after\n")
    pipeline = scripted_pipeline(ANSWERS, lint=False)
    fill_file(path, lambda: pipeline)
    prompt = pipeline.backend.prompts[0]
    assert "update_cache: true" in prompt and "Later task" not in prompt and prompt.rstrip().endswith("- name: Install nginx")


def test_files_without_stubs_never_build_the_pipeline(tmp_path):
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("# codegen: not here\nservices:\n  web:\n    image: nginx\n")
    tasks = tmp_path / "tasks.yml"
    tasks.write_text("- name: Hi\n  ansible.builtin.debug:\n    msg: hi\n")
    lazy = LazyPipeline(no_model)
    for path in (compose, tasks):
        before = path.read_bytes()
        result = fill_file(path, lazy)
        assert not result.changed and not result.messages and path.read_bytes() == before
    assert not lazy.built


def test_fill_leaves_a_stub_it_cannot_generate_and_says_why(tmp_path):
    path = tmp_path / "roles" / "r" / "tasks" / "main.yml"
    path.parent.mkdir(parents=True)
    path.write_text("- name: something the backend does not know\n- name: install nginx\n")
    result = fill_file(path, factory())
    assert result.changed and result.filled == 1 and result.errors == 1
    assert any(m.startswith(f"{path}:1: error [fill] no task for 'something the backend does not know'")
               for m in result.messages)
    assert path.read_text().startswith("- name: something the backend does not know\n- name: Install nginx\n")


def test_scripted_backend_finds_the_request_in_the_prompt():
    backend = ScriptedBackend({"install nginx": APT})
    assert backend.complete("ctx\n- name: Install   nginx\n").text == APT
    assert backend.complete('- name: "Install nginx"\n').text == APT
    assert backend.complete("- name: Other\n").text == ""


# Random valid task files with random stubs: fill changes the stub lines and nothing else.
SNIPPETS = [
    "- name: Copy the config  # trailing comment\n  ansible.builtin.copy:\n    src: 'app.conf'\n"
    "    dest: \"/etc/app.conf\"\n    mode: \"0644\"\n",
    "- name: Run a script\n  ansible.builtin.shell: |\n    echo hi\n    # codegen: inside a block scalar\n"
    "  changed_when: false\n",
    "- ansible.builtin.debug: {msg: \"flow, then name\"}\n  name: Flow style\n",
    "- name: A block\n  block:\n    - name: Inner\n      ansible.builtin.debug:\n        msg: inner\n"
    "  when: ansible_facts['os_family'] == \"Debian\"\n",
    "- name: Ensure user\n  ansible.builtin.user:\n    name: deploy\n    groups: [ 'wheel' ,  adm ]\n",
]
GAPS = ["", "\n", "# a comment\n", "\n  # indented comment\n\n"]
WORDS = ["install", "nginx", "start", "the", "service", "open", "port", "80", "copy", "file", "to", "/etc", "user",
         "deploy", "with", "mode", "0644"]
request_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
entry = st.one_of(st.sampled_from(SNIPPETS).map(lambda s: ("task", s)),
                  st.tuples(st.sampled_from(["name", "quoted", "comment"]), request_text))


def _render(entries, gaps, column: int, newline: str, playbook: bool) -> tuple[str, list[int], list[str]]:
    """(text, 0-based stub lines, their requests)."""
    lines, stubs, requests = [], [], []
    if playbook:
        lines += ["---\n", "- name: Play\n", "  hosts: all\n", "  tasks:\n"]
    for (kind, value), gap in zip(entries, gaps):
        for line in split_lines(gap):
            lines.append((" " * column + line.lstrip(" ")) if line.strip() else line)
        if kind == "task":
            lines += [" " * column + line for line in split_lines(value)]
            continue
        stubs.append(len(lines))
        requests.append(value)
        lines.append(" " * column + {"name": f"- name: {value}\n", "quoted": f"- name: \"{value}\"\n",
                                     "comment": f"# codegen: {value}\n"}[kind])
    text = "".join(lines).replace("\n", newline)
    return text, stubs, requests


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(entry, min_size=1, max_size=6), gap_picks=st.lists(st.sampled_from(GAPS), min_size=6, max_size=6),
       layout=st.sampled_from([(0, False), (2, True), (4, True)]), newline=st.sampled_from(["\n", "\r\n"]))
def test_fill_changes_only_the_stub_lines(tmp_path, entries, gap_picks, layout, newline):
    column, playbook = layout
    text, stub_lines, requests = _render(entries, gap_picks, column, newline, playbook)
    path = tmp_path / ("site.yml" if playbook else "roles/x/tasks/main.yml")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    answers = {r: "  ansible.builtin.debug:\n    msg: " + r.replace(" ", "-") + "\n" for r in requests}
    pipeline = scripted_pipeline(answers, lint=False)
    result = fill_file(path, lambda: pipeline)
    after = path.read_bytes().decode()
    assert result.filled == len(stub_lines) and result.errors == 0, result.messages
    expected = []
    for number, line in enumerate(split_lines(text)):
        if number in stub_lines:
            request = requests[stub_lines.index(number)]
            generated = scripted_pipeline(answers, lint=False).run(request).yaml
            block = [(" " * column + g if g.strip() else "") + newline for g in generated.rstrip("\n").split("\n")]
            expected += block
        else:
            expected.append(line)
    assert after == "".join(expected)
    data = yaml.safe_load(after)
    tasks = data[0]["tasks"] if playbook else data
    assert len(tasks) == len(entries)


# --- check --------------------------------------------------------------------------------------

def test_check_reports_absolute_lines_inside_plays_and_blocks(tmp_path, catalog):
    path = tmp_path / "site.yml"
    path.write_text("""\
---
- name: Web servers
  hosts: web
  tasks:
    - name: Fine
      ansible.builtin.debug:
        msg: hi
    - name: Guarded
      block:
        - name: Folder
          ansible.builtin.file:
            path: /srv/app
            state: directory
            mode: "0755"
            colour: blue
    - name: Conditional
      ansible.builtin.debug:
        msg: hi
      whne: true
  handlers:
    - name: Restart it
      ansible.builtin.servce:
        name: app
""")
    report = check_file(path, catalog)
    lines = {(f.line, f.check) for f in report.findings if f.level == "error"}
    assert (15, "argspec") in lines  # the unknown option's own line, inside a block inside a play
    assert (22, "task_load") in lines  # the misspelt module in the handlers
    assert any(f.line == 19 and "whne" in f.message for f in report.findings)


def test_check_lints_the_file_once_and_keeps_its_lines(tmp_path, catalog):
    path = tmp_path / "roles" / "app" / "tasks" / "main.yml"
    path.parent.mkdir(parents=True)
    path.write_text("- name: Fine\n  ansible.builtin.debug:\n    msg: hi\n- name: lower case name\n"
                    "  ansible.builtin.command: echo hi\n- name: Unknown module\n  nosuch_module: {}\n")
    findings = check_file(path, catalog).findings
    assert any(f.line == 4 and f.check == "lint" and "name[casing]" in f.message for f in findings)
    assert any(f.line == 4 and "no-changed-when" in f.message for f in findings)
    assert any(f.line == 7 and f.check == "task_load" and "nosuch_module" in f.message for f in findings)


def test_check_points_at_requests_waiting_for_fill(tmp_path, catalog):
    path = tmp_path / "roles" / "r" / "tasks" / "main.yml"
    path.parent.mkdir(parents=True)
    path.write_text("- name: Known\n  ansible.builtin.debug:\n    msg: hi\n-\n  name: install nginx\n# codegen: start nginx\n")
    findings = [(f.line, f.level, f.check) for f in check_file(path, catalog).findings if f.check != "lint"]
    assert findings == [(5, "error", "task_load"), (6, "warning", "stub")]
    assert fill_file(path, factory()).filled == 2
    assert path.read_text().endswith("    msg: hi\n- name: Install nginx\n  ansible.builtin.apt:\n    name: nginx\n"
                                     "    state: present\n- name: Start nginx\n  ansible.builtin.service:\n"
                                     "    name: nginx\n    state: started\n")
    assert not [f for f in check_file(path, catalog).findings if f.check != "lint"]


def test_check_ignores_codegen_text_inside_scalars(tmp_path, catalog):
    path = tmp_path / "roles" / "r" / "tasks" / "main.yml"
    path.parent.mkdir(parents=True)
    path.write_text("- name: Script\n  ansible.builtin.shell: |\n    set -e\n    # codegen: part of the script\n"
                    "    echo hi\n  changed_when: false\n")
    assert not [f for f in check_file(path, catalog).findings if f.check == "stub"]


def test_check_reads_ansible_yaml_tags(tmp_path, catalog):
    path = tmp_path / "roles" / "r" / "tasks" / "main.yml"
    path.parent.mkdir(parents=True)
    path.write_text("- name: Log in\n  ansible.builtin.debug:\n    msg: !unsafe '{{ not a template'\n  vars:\n"
                    "    password: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n      62313365396662343061393464336163\n")
    mine = [f for f in check_file(path, catalog).findings if f.check != "lint"]
    assert not mine, mine


def test_check_skips_non_ansible_files(tmp_path, catalog):
    path = tmp_path / "docker-compose.yml"
    path.write_text("services:\n  web:\n    image: nginx\n")
    report = check_file(path, catalog)
    assert not report.ansible and not report.findings


# --- the commands -------------------------------------------------------------------------------

def invoke(*args, env=None):
    from codegen.cli import main

    return CliRunner().invoke(main, list(args), env=env)


def test_commands_exit_codes(tmp_path, catalog):
    clean = tmp_path / "clean.yml"
    clean.write_text("---\n- name: Say hi\n  ansible.builtin.debug:\n    msg: hi\n")
    bad = tmp_path / "bad.yml"
    bad.write_text("---\n- name: Say hi\n  ansible.builtin.debug:\n    msg: hi\n    loud: true\n")
    compose = tmp_path / "compose.yml"
    compose.write_text("services: {}\n")
    assert invoke("check", str(clean), str(compose)).exit_code == 0
    result = invoke("check", str(clean), str(bad))
    assert result.exit_code == 1 and f"{bad}:5: error [argspec]" in result.output
    assert invoke("check", str(tmp_path / "missing.yml")).exit_code == 2
    binary = tmp_path / "latin1.yml"
    binary.write_bytes("- name: caf\xe9\n".encode("latin-1"))
    assert invoke("check", str(binary)).exit_code == 2
    assert invoke("fill", str(clean), str(compose)).exit_code == 0
    assert invoke("fill", str(tmp_path / "missing.yml")).exit_code == 2


def test_fill_command_with_the_test_backend(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text('{"install nginx": "  ansible.builtin.apt:\\n    name: nginx\\n"}')
    path = tmp_path / "roles" / "r" / "tasks" / "main.yml"
    path.parent.mkdir(parents=True)
    path.write_text("# codegen: install nginx\n")
    env = {"ANSIBLE_CODEGEN_TEST_BACKEND": f"scripted:{answers}"}
    listed = invoke("fill", "--dry-run", str(tmp_path))
    assert listed.exit_code == 1 and "would fill 'install nginx'" in listed.output and "codegen:" in path.read_text()
    result = invoke("fill", "--no-lint", str(path), env=env)
    assert result.exit_code == 1 and f"{path}:1: filled 'install nginx'" in result.output
    assert path.read_text() == "- name: Install nginx\n  ansible.builtin.apt:\n    name: nginx\n"
    assert invoke("fill", str(path), env=env).exit_code == 0
    assert invoke("fill", str(path), env={"ANSIBLE_CODEGEN_TEST_BACKEND": "nonsense"}).exit_code == 0  # no stub: unused


def test_check_and_stub_free_fill_do_not_import_torch(tmp_path):
    path = tmp_path / "tasks.yml"
    path.write_text("- name: Say hi\n  ansible.builtin.debug:\n    msg: hi\n")
    code = ("import sys\nfrom click.testing import CliRunner\nfrom codegen.cli import main\n"
            f"for cmd in ('check', 'fill'):\n    r = CliRunner().invoke(main, [cmd, {str(path)!r}])\n"
            "    assert r.exit_code == 0, r.output\nprint('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.split() == ["False"], out.stdout + out.stderr


def test_hooks_manifest_declares_both_hooks():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"ansible-codegen-fill", "ansible-codegen-check"}
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["types"] == ["yaml"] and hook["entry"].startswith("ansible-codegen ")
    assert hooks["ansible-codegen-fill"]["require_serial"] is True


# --- never the checked repository's code; our own tools without the venv on PATH (issue 13) -------

ENTRY = Path(sys.executable).parent / "ansible-codegen"
BARE_PATH = "/usr/bin:/bin"  # no venv: as when the entry point is called by its absolute path (pipx)
# A plugin file that leaves a mark beside itself when it is imported, and again if its main() runs.
MARKER = ("import pathlib\npathlib.Path(__file__).with_suffix('.RAN').write_text('imported')\n"
          "def main():\n    pathlib.Path(__file__).with_suffix('.MAIN').write_text('ran')\n"
          "class FilterModule:\n    def filters(self):\n        return {'evil': lambda v: v, 'evil_env': lambda v: v}\n"
          "class TestModule:\n    def tests(self):\n        return {'evil': lambda v: True}\n"
          "class LookupModule:\n    def run(self, terms, variables=None, **kw):\n        return terms\n")
PLUGIN_DIRS = ("library", "module_utils", "action_plugins", "filter_plugins", "callback_plugins", "lookup_plugins",
               "test_plugins", "vars_plugins", "strategy_plugins", "connection_plugins", "inventory_plugins")
HOSTILE_TASKS = """\
- name: A module of the repository's library
  evil_mod:
    path: /tmp/x
- name: An action plugin of the repository
  evil_action:
    path: /tmp/x
- name: A module from the environment's library
  evil_env_mod:
    path: /tmp/x
- name: A collection beside the playbook
  evil.col.mod:
    path: /tmp/x
- name: Filters, tests and lookups of the repository
  ansible.builtin.debug:
    msg: "{{ 'x' | evil }} {{ 'x' | evil_env }} {{ 'x' is evil }} {{ lookup('evil', 'x') }} {{ 'x' | evil.col.f }}"
"""


def test_commands_find_their_tools_without_the_venv_on_path(tmp_path):
    """Issue 13, finding 2: the entry point called by absolute path, PATH without the venv."""
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"install nginx": APT}))
    env = {"HOME": os.environ["HOME"], "PATH": BARE_PATH, "OMP_NUM_THREADS": "1",
           "ANSIBLE_CODEGEN_TEST_BACKEND": f"scripted:{answers}",
           **{k: v for k, v in os.environ.items() if k in ("XDG_CACHE_HOME", "ANSIBLE_CODEGEN_CACHE")}}
    out = tmp_path / "site.yml"
    made = subprocess.run([str(ENTRY), "playbook", "install nginx", "-o", str(out)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "ansible.builtin.apt" in out.read_text()
    checked = subprocess.run([str(ENTRY), "check", "--syntax-check", str(out)], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0 and "No such file" not in checked.stdout + checked.stderr, checked.stdout + checked.stderr


def hostile_repo(root: Path) -> tuple[Path, dict[str, str]]:
    """A repository whose ansible.cfg, plugin folders (beside the playbook, in a role, in a local
    collection) and environment would all point ansible at code that marks that it ran."""
    config = ["[defaults]"] + [f"{folder} = ./cfg/{folder}" for folder in PLUGIN_DIRS]  # the keys are the folder names
    config += ["callbacks_enabled = evil", "stdout_callback = evil", "vars_plugins_enabled = evil",
               "[inventory]", "enable_plugins = evil"]
    (root / "ansible.cfg").write_text("\n".join(config) + "\n")
    for base in ("cfg", "playbooks", "roles/web", "env"):
        for folder in PLUGIN_DIRS:
            for name in ("evil_mod", "evil_action", "evil", "evil_env_mod", "evil_env"):
                (root / base / folder).mkdir(parents=True, exist_ok=True)
                (root / base / folder / f"{name}.py").write_text(MARKER)
    collection = root / "playbooks" / "collections" / "ansible_collections" / "evil" / "col"
    for folder in ("modules", "action", "filter"):
        (collection / "plugins" / folder).mkdir(parents=True)
        (collection / "plugins" / folder / ("f.py" if folder == "filter" else "mod.py")).write_text(MARKER)
    (collection / "MANIFEST.json").write_text('{"collection_info": {"namespace": "evil", "name": "col", "version": "1.0.0"}}')
    playbook = root / "playbooks" / "site.yml"
    (root / "playbooks" / "x.yml").write_text("- name: Imported\n  ansible.builtin.debug: {msg: hi}\n")
    # ansible-playbook templates a static import's target while parsing: with the repository's filter
    playbook.write_text("- name: Web\n  hosts: all\n  roles:\n    - web\n  tasks:\n"
                        "    - name: Import\n      ansible.builtin.import_tasks: \"{{ 'x' | evil }}.yml\"\n"
                        + "".join(f"    {line}\n" if line else "\n" for line in HOSTILE_TASKS.splitlines()))
    (root / "playbooks" / "roles").symlink_to(root / "roles")
    (root / "roles" / "web" / "tasks").mkdir(parents=True)
    (root / "roles" / "web" / "tasks" / "main.yml").write_text(HOSTILE_TASKS)
    env = {f"ANSIBLE_{folder.upper()}": str(root / "env" / folder) for folder in PLUGIN_DIRS}
    env |= {"ANSIBLE_CALLBACKS_ENABLED": "evil_env", "ANSIBLE_STDOUT_CALLBACK": "evil_env"}
    return playbook, env


def ran(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for pattern in ("*.RAN", "*.MAIN") for p in root.rglob(pattern))


def test_hostile_repository_code_never_runs(tmp_path):
    """check (lint on, syntax check on) and the language server's diagnostics, run inside a
    repository whose ansible.cfg, plugin folders and environment point at its own plugins."""
    repo = tmp_path / "repo"
    repo.mkdir()
    playbook, hostile_env = hostile_repo(repo)
    env = {**os.environ, **hostile_env}
    files = [str(playbook), str(repo / "roles" / "web" / "tasks" / "main.yml")]
    result = subprocess.run([str(ENTRY), "check", "--syntax-check", *files], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stdout + result.stderr
    # the repository's own modules are known by their file names only; its collection is not ours
    assert "collection 'evil.col' is not installed here" in result.stdout, result.stdout
    assert ran(repo) == []  # ...and none of the repository's code ran
    code = ("import sys\nfrom codegen.catalog import load_catalog\nfrom codegen.lsp.diagnostics import check_document\n"
            "text = open(sys.argv[1]).read()\n"
            "found = check_document(text, load_catalog(quiet=True), lint=True, uri='file://' + sys.argv[1])\n"
            "print(sum(p.check == 'task_load' for p in found))")
    for path in files:
        diagnostics = subprocess.run([sys.executable, "-c", code, path], cwd=repo, env=env,
                                     capture_output=True, text=True, timeout=300)
        assert diagnostics.returncode == 0 and int(diagnostics.stdout.split()[-1]) >= 1, diagnostics.stderr[-2000:]
        assert ran(repo) == []
