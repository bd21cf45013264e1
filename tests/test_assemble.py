"""codegen.assemble: task snippets -> one playbook (layout, become, handlers, vars, lint)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from codegen.assemble import assemble_playbook, play_name
from codegen.assemble.handlers import infer_handler

INSTALL = """\
- name: Install nginx
  ansible.builtin.package:
    name: nginx
    state: present
"""

CONFIGURE = """\
- name: Template the nginx configuration
  ansible.builtin.template:
    src: nginx.conf.j2
    dest: /etc/nginx/nginx.conf
    owner: root
    group: root
    mode: "0644"
  notify: Restart nginx
"""

START = """\
- name: Start and enable nginx
  ansible.builtin.service:
    name: nginx
    state: started
    enabled: true
"""

DEBUG = """\
- name: Say hello
  ansible.builtin.debug:
    msg: "Hello {{ inventory_hostname }}"
"""


def play(text: str) -> dict:
    data = yaml.safe_load(text)
    assert isinstance(data, list) and len(data) == 1
    return data[0]


def handler_named(play_data: dict, name: str) -> dict:
    matches = [h for h in play_data.get("handlers", []) if h["name"] == name]
    assert len(matches) == 1, play_data.get("handlers")
    return matches[0]


@pytest.fixture
def nginx_playbook() -> tuple[str, list[str]]:
    return assemble_playbook([INSTALL, CONFIGURE, START], name="Install nginx and start it")


def test_layout_tasks_in_order_and_indented(nginx_playbook):
    text, _ = nginx_playbook
    assert text.startswith("---\n- name: Install nginx and start it\n  hosts: all\n")
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert all(line == line.rstrip() for line in text.splitlines())
    lines = text.splitlines()
    starts = [lines.index(f"    - name: {n}") for n in
              ("Install nginx", "Template the nginx configuration", "Start and enable nginx")]
    assert starts == sorted(starts)
    assert lines.index("  tasks:") < starts[0]
    # the snippet text is kept as written (quoting included), only shifted by four spaces
    for snippet in (INSTALL, CONFIGURE, START):
        assert "\n".join("    " + line for line in snippet.rstrip("\n").splitlines()) in text
    assert '        mode: "0644"' in text
    assert [t["name"] for t in play(text)["tasks"]] == [
        "Install nginx", "Template the nginx configuration", "Start and enable nginx"]


def test_handler_inferred_from_notify_name(nginx_playbook):
    text, notes = nginx_playbook
    handler = handler_named(play(text), "Restart nginx")
    assert handler["ansible.builtin.service"] == {"name": "nginx", "state": "restarted"}
    assert any("Restart nginx" in note for note in notes)


def test_handlers_deduplicated_across_tasks_and_spellings():
    site = """\
- name: Template the site
  ansible.builtin.template:
    src: site.conf.j2
    dest: /etc/nginx/conf.d/site.conf
    mode: "0644"
  notify:
    - Restart nginx
    - restart the nginx service
"""
    text, _ = assemble_playbook([CONFIGURE, site, CONFIGURE], name="Nginx")
    handlers = play(text)["handlers"]
    assert len(handlers) == 1
    assert handlers[0]["name"] == "Restart nginx"
    assert handlers[0]["listen"] == ["restart the nginx service"]  # the other spelling still reaches it
    assert text.count("    - name: Restart nginx\n") == 1


@pytest.mark.parametrize("name, module, args", [
    ("Reload firewalld", "ansible.builtin.service", {"name": "firewalld", "state": "reloaded"}),
    ("Restart the app service", "ansible.builtin.service", {"name": "app", "state": "restarted"}),
    ("Restart Nginx", "ansible.builtin.service", {"name": "nginx", "state": "restarted"}),
    ("Reload systemd", "ansible.builtin.systemd_service", {"daemon_reload": True}),
    ("Reboot the server", "ansible.builtin.reboot", {}),
])
def test_infer_handler(name, module, args):
    handler = infer_handler(name)
    assert handler is not None and handler.name == name
    assert (handler.module, handler.args, handler.loop) == (module, args, [])


def test_handler_for_several_services_loops():
    handler = infer_handler("Restart nginx and php-fpm")
    assert handler.args == {"name": "{{ item }}", "state": "restarted"}
    assert handler.loop == ["nginx", "php-fpm"]


def test_unnamed_service_is_the_one_the_play_manages():
    task = CONFIGURE.replace("notify: Restart nginx", "notify: Restart the service")
    text, _ = assemble_playbook([task, START], name="Nginx")
    handler = handler_named(play(text), "Restart the service")
    assert handler["ansible.builtin.service"] == {"name": "nginx", "state": "restarted"}
    assert infer_handler("Restart the service") is None  # no play to look at: nothing to infer


def test_lowercase_notify_gets_capitalised_handler_that_listens():
    task = CONFIGURE.replace("notify: Restart nginx", "notify: restart nginx")
    text, _ = assemble_playbook([task], name="Nginx")
    handler = handler_named(play(text), "Restart nginx")
    assert handler["listen"] == ["restart nginx"]
    assert "  notify: restart nginx" in text  # the task is not rewritten


def test_unusable_notify_is_dropped_with_a_note():
    task = CONFIGURE.replace("notify: Restart nginx", "notify:\n    - Restart nginx\n    - Tell the team")
    text, notes = assemble_playbook([task], name="Nginx")
    data = play(text)
    assert data["tasks"][0]["notify"] == ["Restart nginx"]
    assert [h["name"] for h in data["handlers"]] == ["Restart nginx"]
    assert any("Tell the team" in note and "dropped" in note for note in notes)
    assert "Tell the team" not in text


def test_existing_handler_is_used_not_inferred():
    existing = "- name: Restart nginx\n  ansible.builtin.systemd_service:\n    name: nginx\n    state: restarted\n"
    text, _ = assemble_playbook([CONFIGURE], name="Nginx", handlers=[existing])
    handlers = play(text)["handlers"]
    assert len(handlers) == 1 and "ansible.builtin.systemd_service" in handlers[0]


def test_no_handlers_section_without_notify():
    text, _ = assemble_playbook([INSTALL, START], name="Nginx")
    assert "handlers:" not in text


@pytest.mark.parametrize("snippet", [
    INSTALL,
    START,
    "- name: Add the deploy user\n  ansible.builtin.user:\n    name: deploy\n",
    "- name: Open HTTP\n  ansible.posix.firewalld:\n    service: http\n    permanent: true\n    state: enabled\n",
    "- name: Write the motd\n  ansible.builtin.copy:\n    content: hi\n    dest: /etc/motd\n    mode: \"0644\"\n",
    "- name: Unpack the app\n  ansible.builtin.unarchive:\n    src: app.tgz\n    dest: /opt/app\n",
    "- name: Refresh the CA store\n  ansible.builtin.command: update-ca-certificates\n  changed_when: true\n",
    "- name: Create the database\n  community.postgresql.postgresql_db:\n    name: app\n"
    "  become_user: postgres\n",
])
def test_become_inferred_for_root_tasks(snippet):
    text, notes = assemble_playbook([DEBUG, snippet], name="Root work")
    assert play(text)["become"] is True
    assert any(note.startswith("become: true") for note in notes)


@pytest.mark.parametrize("snippet", [
    DEBUG,
    "- name: Write a scratch file\n  ansible.builtin.copy:\n    content: hi\n    dest: /tmp/scratch.txt\n"
    "    mode: \"0644\"\n",
    "- name: Reload user units\n  ansible.builtin.systemd_service:\n    daemon_reload: true\n    scope: user\n",
    "- name: Install nginx itself\n  ansible.builtin.package:\n    name: nginx\n  become: true\n",
])
def test_become_left_out_when_nothing_needs_root(snippet):
    text, _ = assemble_playbook([snippet], name="User work")
    assert "become" not in play(text)


def test_become_explicit_value_wins():
    text, _ = assemble_playbook([INSTALL], name="Nginx", become=False)
    assert play(text)["become"] is False
    text, _ = assemble_playbook([DEBUG], name="Hello", become=True)
    assert play(text)["become"] is True


def test_a_tasks_own_become_true_is_left_out_under_a_play_that_becomes():
    """The README's first playbook had `become: true` on the play and again on its service task."""
    start = "- name: Start nginx\n  ansible.builtin.service:\n    name: nginx\n    state: started\n  become: true\n"
    as_postgres = ("- name: Ask postgres\n  ansible.builtin.command: psql -c 'select 1'\n  become: true\n"
                   "  become_user: postgres\n  changed_when: false\n")
    text, _ = assemble_playbook([INSTALL, start, as_postgres], name="Nginx")
    tasks = play(text)["tasks"]
    assert play(text)["become"] is True
    assert "become" not in tasks[1]  # the play's says it
    assert tasks[2]["become"] is True and tasks[2]["become_user"] == "postgres"  # kept as written
    text, _ = assemble_playbook([start], name="Nginx", become=False)
    assert play(text)["tasks"][0]["become"] is True  # a play without become: the task's own stays


def test_vars_rendered_in_order_before_tasks():
    variables = {"nginx_port": 8080, "server_names": ["a.example.com", "b.example.com"], "ssl": "yes"}
    text, _ = assemble_playbook([DEBUG], name="Hello", vars=variables)
    data = play(text)
    assert data["vars"] == variables  # "yes" stays a string
    assert list(data["vars"]) == list(variables)
    assert text.index("  vars:\n    nginx_port: 8080\n") < text.index("  tasks:")
    assert "    server_names:\n      - a.example.com\n" in text


def test_snippet_markers_and_single_mapping_are_normalised():
    text, _ = assemble_playbook(["---\n" + DEBUG, "name: Ping\nansible.builtin.ping:\n"], name="Hello")
    assert [t["name"] for t in play(text)["tasks"]] == ["Say hello", "Ping"]
    assert text.count("---") == 1


def test_invalid_snippet_raises():
    with pytest.raises(ValueError, match="snippet 2"):
        assemble_playbook([DEBUG, "just: [unclosed"], name="Broken")


def test_play_name():
    assert play_name("install nginx & start it") == "Install nginx and start it"
    assert play_name("  Please write a playbook to:  deploy   the app.  ") == "Deploy the app"
    assert play_name("") == "Generated playbook"
    long = play_name("configure " + "very " * 40 + "long things")
    assert len(long) <= 80 and not long.endswith(" ")
    # found in the steps table: names cut after "and" or before a list's next number
    assert play_name("Create a user named deploy, add their SSH public key from files/deploy.pub and give "
                     "them passwordless sudo") == "Create a user named deploy, add their SSH public key from files/deploy.pub"
    assert play_name("Install git, clone https://github.com/example/app.git into /opt/app and run make in "
                     "/opt/app") == "Install git, clone https://github.com/example/app.git into /opt/app"
    assert play_name("1. Install redis-server 2. Set maxmemory to 256mb in /etc/redis/redis.conf "
                     "3. Restart redis-server") == "Install redis-server, set maxmemory to 256mb in /etc/redis/redis.conf"
    assert play_name("- install git\n- clone the app") == "Install git, clone the app"
    assert play_name("Install postgresql and make sure it is running. Then create a database called inventory "
                     "and a user named inventory") == "Install postgresql and make sure it is running"
    assert play_name("Copy x-1.tar.gz to /tmp and unpack it") == "Copy x-1.tar.gz to /tmp and unpack it"


def test_assembled_playbook_passes_ansible_lint_production(tmp_path, nginx_playbook):
    text, _ = nginx_playbook
    playbook = tmp_path / "site.yml"
    playbook.write_text(text)
    (tmp_path / "nginx.conf.j2").write_text("events {}\n")
    lint = Path(sys.executable).parent / "ansible-lint"
    result = subprocess.run([str(lint), "--profile", "production", "--offline", "--nocolor", str(playbook)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_notify_item_over_several_lines_is_dropped_by_a_round_trip_that_keeps_the_rest():
    from codegen.assemble.notify import drop_notify

    text = ("- name: A\n  ansible.builtin.copy: {src: a, dest: /etc/x}\n  notify:\n  - >-\n    Restart\n    it\n"
            "  - Keep\n  vars:\n    long: \"" + "x " * 100 + "\"\n")
    out = drop_notify(text, {"Restart it"})
    assert out == text.replace("  notify:\n  - >-\n    Restart\n    it\n  - Keep\n", "  notify:\n    - Keep\n").rstrip("\n")
