"""The workspace reader: what a colleague would read around the file a task goes into, read safely,
and what reaches the prompt, the constraint, validation, the CLI and batch."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codegen.ansible_files.workspace import WorkspaceReader, find_root
from codegen.grounding.workspace_context import view
from codegen.pipeline import prepare
from codegen.validate import validate_tasks
from codegen.validate.references import References


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


ROLE = {
    "ansible.cfg": "[defaults]\ninventory = inventory/hosts.ini\n",
    "inventory/hosts.ini": "[web]\nweb1\n",
    "inventory/group_vars/web.yml": "web_domain: example.org\n",
    "roles/web/defaults/main.yml": "web_port: 8080\nweb_packages:\n  - nginx\n  - php-fpm\nweb_db_password: hunter2hunter2\n",
    "roles/web/vars/main.yml": "web_config_dir: /etc/nginx\n",
    "roles/web/handlers/main.yml": "- name: Restart nginx\n  ansible.builtin.service:\n    name: nginx\n"
                                   "    state: restarted\n  listen: web config changed\n",
    "roles/web/meta/main.yml": "dependencies:\n  - role: common\nargument_specs:\n  main:\n    options:\n"
                               "      web_workers:\n        type: int\n        default: 4\n",
    "roles/web/templates/nginx.conf.j2": "listen {{ web_port }};\n",
    "roles/web/templates/sites/default.conf.j2": "",
    "roles/web/files/index.html": "<html/>\n",
    "roles/web/tasks/main.yml": "- name: Install the web packages\n  ansible.builtin.package:\n"
                                "    name: \"{{ web_packages }}\"\n    state: present\n",
    "roles/web/tasks/checks.yml": "- name: Check the config\n  ansible.builtin.command: nginx -t\n"
                                  "  register: web_config_check\n  changed_when: false\n",
    "roles/common/defaults/main.yml": "common_timezone: UTC\n",
}


@pytest.fixture
def role_ws(tmp_path):
    return write(tmp_path / "repo", ROLE)


def test_a_role_file_sees_its_role_its_dependencies_and_the_inventory(role_ws):
    ws = WorkspaceReader().read(role_ws / "roles/web/tasks/main.yml")
    assert ws.root == role_ws.resolve() and ws.role == "roles/web"
    assert {"web_port", "web_packages", "web_config_dir", "web_workers", "common_timezone", "web_domain"} <= set(ws.variables)
    assert ws.variables["web_port"].value == 8080 and ws.variables["web_port"].source == "roles/web/defaults/main.yml"
    assert ws.variables["web_workers"].value == 4  # from meta's argument_specs
    assert set(ws.handlers) == {"Restart nginx", "web config changed"}
    assert set(ws.templates) == {"nginx.conf.j2", "sites/default.conf.j2"} and ws.files == ["index.html"]
    assert ws.defined == {"web_config_check": "roles/web/tasks/checks.yml"}
    assert "Check the config" in ws.tasks
    assert "roles/web/tasks/main.yml" not in ws.read  # the file itself comes from the caller's context


def test_a_playbook_sees_its_vars_files_roles_and_group_vars(tmp_path):
    root = write(tmp_path / "pb", {
        "site.yml": "", ".git/HEAD": "ref: main\n",
        "vars/app.yml": "app_version: 1.2.3\n",
        "group_vars/all/main.yml": "ntp_server: pool.ntp.org\n",
        "host_vars/db1.yml": "db_port: 5432\n",
        "roles/app/defaults/main.yml": "app_user: deploy\n",
        "roles/app/tasks/main.yml": "[]\n",
        "templates/motd.j2": "hi\n",
    })
    playbook = "- hosts: all\n  vars_files:\n    - vars/app.yml\n  roles:\n    - app\n  tasks: []\n"
    ws = WorkspaceReader().read(root / "site.yml", playbook)
    assert ws.role is None
    assert {"app_version", "ntp_server", "db_port", "app_user"} <= set(ws.variables)
    assert ws.templates == ["motd.j2"]


def test_a_role_inside_a_collection_finds_the_collection_as_root(tmp_path):
    root = write(tmp_path / "coll", {
        "galaxy.yml": "namespace: acme\nname: infra\nversion: 1.0.0\n",
        "roles/db/defaults/main.yml": "db_name: app\n",
        "roles/db/handlers/main.yml": "- name: Restart postgres\n  ansible.builtin.service: {name: postgresql, state: restarted}\n",
        "roles/db/tasks/main.yml": "[]\n",
    })
    ws = WorkspaceReader().read(root / "roles/db/tasks/main.yml")
    assert find_root(root / "roles/db/tasks/main.yml") == root
    assert "db_name" in ws.variables and "Restart postgres" in ws.handlers


def test_no_project_around_a_loose_file_means_no_workspace(tmp_path):
    loose = tmp_path / "loose"
    loose.mkdir()
    assert WorkspaceReader().read(loose / "tasks.yml") is None


def test_hostile_files_are_skipped_with_a_note_and_nothing_is_followed_outside(role_ws, tmp_path):
    outside = write(tmp_path / "outside", {"secrets.yml": "outside_secret: leaked\n"})
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    write(role_ws, {"roles/web/vars/bomb.yml": bomb,
                    "roles/web/vars/big.yml": "x: " + "y" * (300 * 1024) + "\n",
                    "roles/web/vars/vault.yml": "$ANSIBLE_VAULT;1.1;AES256\n3131\n",
                    "roles/web/vars/broken.yml": "a: [unclosed\n"})
    (role_ws / "roles/web/vars/linked.yml").symlink_to(outside / "secrets.yml")
    os.mkfifo(role_ws / "roles/web/vars/pipe.yml")  # a read would block forever
    ws = WorkspaceReader().read(role_ws / "roles/web/tasks/main.yml")
    notes = "\n".join(ws.notes)
    assert "outside_secret" not in ws.variables and "linked.yml" not in " ".join(ws.read)
    for name in ("bomb.yml", "big.yml", "vault.yml", "broken.yml"):
        assert f"roles/web/vars/{name}" in notes, name
    assert "alias" in notes and "vault-encrypted" in notes
    assert "web_port" in ws.variables  # the good files are still read


def test_a_second_read_parses_only_what_changed(role_ws):
    reader = WorkspaceReader()
    path = role_ws / "roles/web/tasks/main.yml"
    reader.read(path)
    files = reader.files(role_ws.resolve())
    first = files.reads
    reader.read(path)
    assert files.reads == first
    defaults = role_ws / "roles/web/defaults/main.yml"
    defaults.write_text("web_port: 9090\nweb_listen: 0.0.0.0\n")
    os.utime(defaults, ns=(defaults.stat().st_mtime_ns + 10**9,) * 2)
    ws = reader.read(path)
    assert files.reads == first + 1 and ws.variables["web_port"].value == 9090 and "web_listen" in ws.variables


def test_the_prompt_shows_the_relevant_names_and_never_a_secret_value(role_ws):
    path = role_ws / "roles/web/tasks/main.yml"
    prepared = prepare(path.read_text(), str(path), WorkspaceReader())
    seen = view(prepared.workspace, "Deploy the nginx configuration from a template", prepared.context)
    assert "# Templates: nginx.conf.j2" in seen.block
    assert "web_config_dir: /etc/nginx" in seen.block
    assert "# Handlers: Restart nginx" in seen.block or "Restart nginx" in seen.block
    assert "hunter2" not in seen.block
    assert {"web_port", "common_timezone", "web_config_check"} <= seen.variables
    assert "roles/web/defaults/main.yml" in seen.shown or "roles/web/vars/main.yml" in seen.shown


def test_the_constraint_refuses_a_variable_the_workspace_does_not_define(role_ws, catalog):
    from codegen.grounding.schema import SchemaChecker

    checker = SchemaChecker(catalog, variables={"web_port", "web_packages"})
    good = "  ansible.builtin.debug:\n    msg: \"{{ web_port }}\"\n"
    bad = "  ansible.builtin.debug:\n    msg: \"{{ nginx__enabled }}\"\n"
    assert checker.complete_prefix(good) == good
    assert checker.complete_prefix(bad) == "  ansible.builtin.debug:\n"  # the line reading it is refused


@pytest.mark.parametrize("task, refs, expected", [
    ("- name: Make the user\n  ansible.builtin.user:\n    name: '{{ item }}'\n", References(),
     "error [references] task 1 (line 1): `item` is read but the task has no loop"),
    ("- name: Show it\n  ansible.builtin.debug:\n    msg: '{{ nginx__enabled }}'\n",
     References(variables=frozenset({"web_port"})), "reads `nginx__enabled`, which nothing in the workspace"),
    ("- name: Configure\n  ansible.builtin.copy:\n    content: x\n    dest: /tmp/x\n    mode: '0644'\n"
     "  notify: Reload nginx\n", References(handlers=frozenset({"Restart nginx"})),
     "notifies 'Reload nginx', which no handler defines"),
    ("- name: Configure\n  ansible.builtin.template:\n    src: site.conf.j2\n    dest: /tmp/x\n    mode: '0644'\n",
     References(templates=frozenset({"nginx.conf.j2"})), "src 'site.conf.j2' is not a file under templates/"),
])
def test_validation_names_what_the_task_refers_to_that_does_not_exist(task, refs, expected, catalog):
    problems = [str(p) for p in validate_tasks(task, catalog, lint=False, references=refs)]
    assert any(expected in p for p in problems), problems


def test_an_include_is_judged_against_the_roles_task_files_not_by_lint_away_from_the_role(role_ws, catalog):
    from codegen.grounding.context import parse_context
    from codegen.grounding.workspace_context import references

    ws = WorkspaceReader().read(role_ws / "roles/web/tasks/main.yml")
    assert set(ws.task_files) == {"main.yml", "checks.yml"}
    refs = references(ws, parse_context(""))
    present = "- name: Run the checks\n  ansible.builtin.include_tasks: checks.yml\n"
    missing = "- name: Run the upgrade\n  ansible.builtin.include_tasks:\n    file: upgrade.yml\n"
    assert [str(p) for p in validate_tasks(present, catalog, lint=True, references=refs)] == []
    found = [str(p) for p in validate_tasks(missing, catalog, lint=True, references=refs)]
    assert found == ["warning [references] task 1 (line 1): includes 'upgrade.yml', which is not a file under "
                     "tasks/: create it"]
    # no role known: lint's own verdict stands
    assert any("load-failure" in str(p) for p in validate_tasks(present, catalog, lint=True, references=References()))


def test_what_the_workspace_defines_passes_validation(catalog):
    refs = References(variables=frozenset({"web_port"}), handlers=frozenset({"Restart nginx"}),
                      templates=frozenset({"nginx.conf.j2"}), files=frozenset())
    tasks = ("- name: Configure\n  ansible.builtin.template:\n    src: nginx.conf.j2\n    dest: /etc/nginx/x.conf\n"
             "    mode: '0644'\n  notify: Restart nginx\n  register: result\n"
             "- name: Users\n  ansible.builtin.debug:\n    msg: '{{ item }} {{ web_port }} {{ result }} {{ ansible_hostname }}'\n"
             "  loop: [a, b]\n")
    assert [p for p in validate_tasks(tasks, catalog, lint=False, references=refs) if p.check == "references"] == []


def _cli(args, env_extra, cwd=None):
    env = {**os.environ, **env_extra}
    return subprocess.run([sys.executable, "-m", "codegen.cli", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


def test_task_with_context_reports_and_uses_the_workspace(role_ws, tmp_path):
    log = tmp_path / "prompts.jsonl"
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"tasks": {
        "Deploy the nginx config": "  ansible.builtin.template:\n    src: nginx.conf.j2\n    dest: \"{{ web_config_dir }}/nginx.conf\"\n"
                                   "    mode: \"0644\"\n  notify: Restart nginx\n"}, "log": str(log)}))
    path = role_ws / "roles/web/tasks/main.yml"
    result = _cli(["task", "Deploy the nginx config", "--context", str(path), "--json", "--no-lint"],
                  {"ANSIBLE_CODEGEN_TEST_BACKEND": f"scripted:{script}"})
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["workspace"]["role"] == "roles/web"
    assert "roles/web/defaults/main.yml" in record["workspace"]["read"]
    assert not [p for p in record["problems"] if "[references]" in p]
    prompt = json.loads(log.read_text().splitlines()[0])["prompt"]
    assert "# Templates: nginx.conf.j2" in prompt and "web_config_dir: /etc/nginx" in prompt

    off = _cli(["task", "Deploy the nginx config", "--context", str(path), "--json", "--no-lint", "--no-workspace"],
               {"ANSIBLE_CODEGEN_TEST_BACKEND": f"scripted:{script}"})
    assert "workspace" not in json.loads(off.stdout)


def test_batch_lines_with_a_path_read_their_workspace(role_ws, tmp_path):
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"Show the port": "  ansible.builtin.debug:\n    msg: \"{{ web_port }} {{ web_typo }}\"\n"}))
    cases = tmp_path / "in.jsonl"
    cases.write_text(json.dumps({"id": "a", "prompt": "Show the port", "context": "",
                                 "path": str(role_ws / "roles/web/tasks/new.yml")}) + "\n"
                     + json.dumps({"id": "b", "prompt": "Show the port"}) + "\n")
    out = tmp_path / "out.jsonl"
    result = _cli(["batch", str(cases), "-o", str(out), "--no-lint"],
                  {"ANSIBLE_CODEGEN_TEST_BACKEND": f"scripted:{script}"})
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert result.returncode in (0, 1), result.stderr
    assert records["a"]["workspace"]["role"] == "roles/web"
    assert any("reads `web_typo`" in p for p in records["a"]["problems"])
    assert not any("web_port" in p for p in records["a"]["problems"])
    assert "workspace" not in records["b"]


def test_batch_refuses_a_path_that_is_not_a_string(tmp_path):
    cases = tmp_path / "in.jsonl"
    cases.write_text(json.dumps({"id": "a", "prompt": "x", "path": 3}) + "\n")
    result = _cli(["batch", str(cases), "-o", str(tmp_path / "out.jsonl")], {})
    assert result.returncode == 2 and "\"path\" must be a string" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out.jsonl").exists()


def test_a_literal_equal_to_a_role_variable_becomes_that_variable(role_ws):
    from codegen.backends.scripted import scripted_pipeline

    pipeline = scripted_pipeline({"Wait for the web port": "  ansible.builtin.wait_for:\n    port: 8080\n"}, lint=False)
    path = role_ws / "roles/web/tasks/main.yml"
    result = pipeline.run("Wait for the web port", context=path.read_text(), path=str(path))
    assert "port: '{{ web_port }}'" in result.yaml or 'port: "{{ web_port }}"' in result.yaml, result.yaml
    assert any("used the existing variable web_port" in p for p in result.problems)
    bare = pipeline.run("Wait for the web port", context=path.read_text())  # no path: no workspace
    assert "port: 8080" in bare.yaml


def test_fill_reads_the_workspace_of_the_file_it_fills(role_ws, tmp_path):
    log = tmp_path / "prompts.jsonl"
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"tasks": {"Deploy the nginx config": "  ansible.builtin.template:\n"
                                            "    src: site.conf.j2\n    dest: /etc/nginx/site.conf\n    mode: \"0644\"\n"},
                                  "log": str(log)}))
    tasks = role_ws / "roles/web/tasks/main.yml"
    tasks.write_text(tasks.read_text() + "- name: Deploy the nginx config\n")
    result = _cli(["fill", str(tasks), "--no-lint"], {"ANSIBLE_CODEGEN_TEST_BACKEND": f"scripted:{script}"})
    assert "ansible.builtin.template:" in tasks.read_text(), result.stderr + result.stdout
    assert "# Templates: nginx.conf.j2" in json.loads(log.read_text().splitlines()[0])["prompt"]
    assert "src 'site.conf.j2' is not a file under templates/: create it there" in result.stdout + result.stderr


def test_a_playbook_written_into_a_project_may_read_its_group_vars(tmp_path):
    project = write(tmp_path / "proj", {"ansible.cfg": "[defaults]\n", "group_vars/all.yml": "app_port: 8080\n"})
    loose = tmp_path / "loose"
    loose.mkdir()
    log = tmp_path / "prompts.jsonl"
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"tasks": {"Wait for the app port": "  ansible.builtin.wait_for:\n"
                                                                     "    port: \"{{ app_port }}\"\n"}, "log": str(log)}))
    env = {"ANSIBLE_CODEGEN_TEST_BACKEND": f"scripted:{script}"}
    inside = _cli(["playbook", "Wait for the app port & Wait for the app port", "-o", str(project / "site.yml"),
                   "--no-lint", "--json"], env)
    outside = _cli(["playbook", "Wait for the app port & Wait for the app port", "-o", str(loose / "site.yml"),
                    "--no-lint", "--json"], env)
    never = "'app_port' is used but never defined"
    assert not any(never in p for p in json.loads(inside.stdout)["problems"]), inside.stdout
    assert any(never in p for p in json.loads(outside.stdout)["problems"]), outside.stdout
    assert "# Variables: app_port: 8080" in json.loads(log.read_text().splitlines()[0])["prompt"]


def test_a_task_file_a_playbook_includes_sees_the_including_play_and_task(tmp_path):
    root = write(tmp_path / "pb", {
        "ansible.cfg": "[defaults]\n",
        "site.yml": "- hosts: all\n  vars:\n    app_root: /srv/app\n  tasks:\n"
                    "    - name: Probe\n      ansible.builtin.command: true\n      register: probe\n"
                    "    - name: One host at a time\n      ansible.builtin.include_tasks: one.yml\n"
                    "      vars:\n        target_host: '{{ item }}'\n      loop: '{{ groups.web }}'\n",
        "one.yml": "[]\n"})
    ws = WorkspaceReader().read(root / "one.yml", "")
    assert {"app_root", "target_host"} <= set(ws.variables) and "probe" in ws.defined
    assert ws.read == ["site.yml"]


def test_what_a_task_gives_itself_or_only_tests_for_is_not_undefined(catalog):
    refs = References(variables=frozenset())
    tasks = ("- name: Default ip\n  ansible.builtin.set_fact:\n    agent_ip: '{{ ansible_default_ipv4.address }}'\n"
             "  when: agent_ip is not defined\n"
             "- name: Repo file\n  ansible.builtin.copy:\n    content: x\n    dest: '/etc/{{ repo }}.list'\n"
             "    mode: '0644'\n  vars:\n    repo: main\n"
             "- name: Proxy\n  ansible.builtin.debug:\n    msg: '{{ proxy_url }}'\n  when: proxy_url is defined\n")
    assert [str(p) for p in validate_tasks(tasks, catalog, lint=False, references=refs) if p.check == "references"] == []


def test_a_context_whose_head_is_cut_still_gives_its_tasks():
    from codegen.grounding.context import parse_context

    text = ("-bootstrap.yml playbook to support\n# more comment\n- name: Probe\n  ansible.builtin.command: true\n"
            "  register: probe\n")
    assert parse_context(text).tasks == ["- name: Probe\n  ansible.builtin.command: true\n  register: probe\n"]


def test_the_workspace_lines_are_shown_only_to_a_model_trained_with_them(tmp_path, catalog):
    from codegen.backends.local import LocalBackend
    from codegen.pipeline import Pipeline

    shipped = LocalBackend()  # nothing is loaded: only its adapter folder is read
    assert shipped.prompt_features() == set()
    assert Pipeline(shipped, catalog, lint=False).workspace_prompt is False
    trained = tmp_path / "adapter"
    trained.mkdir()
    (trained / "training_log.json").write_text(json.dumps({"prompt_features": ["workspace"]}))
    assert Pipeline(LocalBackend(adapter=trained), catalog, lint=False).workspace_prompt is True
    assert Pipeline(shipped, catalog, lint=False, workspace_prompt=True).workspace_prompt is True


SIBLINGS = {
    "roles/api/defaults/main.yml": "api_packages: [gunicorn]\napi_only_setting: 3\n",
    "roles/api/tasks/main.yml": "- name: Install the api packages\n  ansible.builtin.package:\n"
                                "    name: \"{{ api_packages }}\"\n    state: present\n"
                                "- name: Tune the api workers\n  ansible.builtin.lineinfile:\n    path: /etc/api.conf\n"
                                "    line: \"workers={{ api_only_setting }}\"\n"
                                "- name: Log in to the api registry\n  community.docker.docker_login:\n"
                                "    username: deploy\n    password: Xq7vLp2mNw9rTz4k\n",
    "roles/web/tasks/tune.yml": "- name: Tune the web workers\n  ansible.builtin.lineinfile:\n"
                                "    path: /etc/nginx/nginx.conf\n    line: \"worker_processes {{ web_workers }};\"\n",
}


def test_the_tasks_a_workspace_has_are_found_its_own_role_first_never_the_file_itself(role_ws):
    from codegen.ansible_files.workspace_tasks import in_role
    from codegen.grounding.retrieval import workspace_examples

    write(role_ws, SIBLINGS)
    ws = WorkspaceReader().read(role_ws / "roles/web/tasks/main.yml")
    sources = {t.source for t in ws.examples}
    assert "roles/web/tasks/main.yml" not in sources  # the file itself: its text is the caller's context
    assert {"roles/web/tasks/tune.yml", "roles/web/tasks/checks.yml", "roles/api/tasks/main.yml"} <= sources
    # "Install the web packages" is only in the file itself: the sibling role's task is the nearest
    [found] = workspace_examples(ws.examples, "Install the web packages", 2)
    assert found.source == "roles/api/tasks/main.yml" and not found.own and found.role == "api"
    # shown with this role's variable where the workspace defines it, the other role's where it does not
    assert '"{{ web_packages }}"' in in_role(found, "web", ws.names())
    tune = [t for t in workspace_examples(ws.examples, "Tune the workers", 2)]
    assert [t.source for t in tune] == ["roles/api/tasks/main.yml", "roles/web/tasks/tune.yml"]  # own role nearest
    assert "{{ api_only_setting }}" in in_role(tune[0], "web", ws.names())  # web_only_setting: defined nowhere
    assert workspace_examples(ws.examples, "Open the firewall for the web port", 2) == []  # only "web" in common


def test_the_prompt_shows_how_the_workspace_already_does_it_and_says_where_from(role_ws, tmp_path, catalog):
    from codegen.backends.scripted import ScriptedBackend
    from codegen.grounding.retrieval import ExampleRetriever, common_rows
    from codegen.pipeline import Pipeline

    write(role_ws, SIBLINGS)
    log = tmp_path / "prompts.jsonl"
    backend = ScriptedBackend({"tasks": {
        "Install the web packages": "  ansible.builtin.package:\n    name: \"{{ web_packages }}\"\n    state: present\n",
        "Log in to the web registry": "  ansible.builtin.debug:\n    msg: hi\n"}, "log": str(log)})
    pipeline = Pipeline(backend, catalog, lint=False, constrain=False, retriever=ExampleRetriever(common_rows()))
    path = role_ws / "roles/web/tasks/main.yml"
    prepared = prepare(path.read_text(), str(path))
    pipeline.one_task("Install the web packages", prepared)
    assert "roles/api/tasks/main.yml" in prepared.shown and "roles/api/tasks/main.yml" in prepared.workspace.read
    prompt = json.loads(log.read_text().splitlines()[-1])["prompt"]
    example = "- name: Install the api packages\n  ansible.builtin.package:\n    name: \"{{ web_packages }}\"\n"
    assert example in prompt and prompt.index(example) < prompt.index("- name: Install the web packages")
    assert prompt.count("- name: ") == 4  # a retrieved example, the workspace's, the file's task, the request

    # another file's secret never reaches the model
    pipeline.one_task("Log in to the web registry", prepare(path.read_text(), str(path)))
    prompt = json.loads(log.read_text().splitlines()[-1])["prompt"]
    assert "- name: Log in to the api registry" in prompt and "Xq7vLp2mNw9rTz4k" not in prompt

    # no workspace: the retrieved examples alone
    pipeline.one_task("Install the web packages", path.read_text())
    assert "Install the api packages" not in json.loads(log.read_text().splitlines()[-1])["prompt"]
