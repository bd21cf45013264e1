"""Outlines, playbooks from an edited outline, variable lifting and roles (scripted backend, no model)."""
from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from codegen.authoring.outline import (
    format_outline,
    generate_outline,
    parse_steps,
    read_outline,
    review,
)
from codegen.authoring.variables import lift_variables
from codegen.backends.scripted import ScriptedBackend

PACKAGE = "  ansible.builtin.package:\n    name: nginx\n    state: present\n"
TEMPLATE = ("  ansible.builtin.template:\n    src: site.conf.j2\n    dest: /etc/nginx/conf.d/site.conf\n"
            "    mode: \"0644\"\n  notify: Restart nginx\n")
SERVICE = "  ansible.builtin.service:\n    name: nginx\n    state: started\n    enabled: true\n"
ANSWERS = {"outline: deploy a web server": "  - Install nginx\n  - Deploy the site configuration\n  - Start nginx\n",
           "Install nginx": PACKAGE, "Deploy the site configuration": TEMPLATE, "Start nginx": SERVICE}


@pytest.fixture
def env(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS))
    return {"ANSIBLE_CODEGEN_TEST_BACKEND": f"scripted:{answers}"}


def invoke(*args, env=None):
    from codegen.cli import main

    return CliRunner().invoke(main, list(args), env=env)


def tasks_of_play(text: str) -> list[dict]:
    return yaml.safe_load(text)[0]["tasks"]


def test_steps_are_read_from_lists_numbers_and_bullets_without_comments_or_repeats():
    text = "# Request: x\n1. Install nginx\n  - start nginx\n* Open port 80\n2) Install nginx\nnot a step\n#3. gone\n"
    assert parse_steps(text) == ["Install nginx", "Start nginx", "Open port 80"]


def test_outline_file_round_trips_and_an_empty_one_is_refused():
    text = format_outline(["Install nginx", "Start nginx"], "deploy a web server", "web")
    steps, header = read_outline(text)
    assert steps == ["Install nginx", "Start nginx"]
    assert header == {"request": "deploy a web server", "hosts": "web"}
    with pytest.raises(ValueError, match="no steps"):
        read_outline("# Request: x\n# nothing else\n")


def test_outline_comes_from_the_model_unless_the_user_listed_the_steps():
    backend = ScriptedBackend(ANSWERS)
    assert generate_outline(backend, "deploy a web server") == ["Install nginx", "Deploy the site configuration",
                                                                 "Start nginx"]
    assert backend.prompts[-1].endswith("# Request: deploy a web server\nsteps:\n")
    calls = len(backend.prompts)
    assert generate_outline(backend, "install nginx & start nginx") == ["Install nginx", "Start nginx"]
    assert len(backend.prompts) == calls  # no model call for steps the user gave
    assert generate_outline(backend, "something the model cannot outline") == ["Something the model cannot outline"]


def test_review_edits_in_the_editor_then_accepts():
    answers = iter(["e", "y"])
    shown: list[str] = []
    steps = review(["Install nginx", "Start nginx"], "web", echo=shown.append, choose=lambda: next(answers),
                   edit=lambda text, extension: text.replace("1. Install nginx", "3. Install nginx\n4. Open port 80"))
    assert steps == ["Install nginx", "Open port 80", "Start nginx"]  # the order of the lines, not their numbers
    assert len(shown) == 2  # shown before and after the edit
    assert review(["Install nginx"], "web", echo=shown.append, choose=lambda: "n", edit=None) == []


def test_outline_round_trip_generates_tasks_in_the_edited_order(tmp_path, env):
    printed = invoke("playbook", "deploy a web server", "--outline", "--hosts", "web", env=env)
    assert printed.exit_code == 0, printed.output
    outline = printed.stdout
    assert "1. Install nginx\n2. Deploy the site configuration\n3. Start nginx\n" in outline
    # the person moves the service start first and deletes the configuration step
    edited = outline.replace("1. Install nginx\n2. Deploy the site configuration\n3. Start nginx\n",
                             "1. Start nginx\n2. Install nginx\n")
    path = tmp_path / "outline.txt"
    path.write_text(edited)
    out = tmp_path / "site.yml"
    result = invoke("playbook", "--from-outline", str(path), "-o", str(out), env=env)
    assert result.exit_code == 0, result.output
    play = yaml.safe_load(out.read_text())[0]
    assert [t["name"] for t in play["tasks"]] == ["Start nginx", "Install nginx"]
    assert play["hosts"] == "web" and play["name"] == "Deploy a web server" and play["become"] is True


def test_playbook_without_outline_flag_outlines_and_generates_with_variables_handlers_and_lint(tmp_path, env):
    out = tmp_path / "site.yml"
    result = invoke("playbook", "deploy a web server", "-o", str(out), env=env)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    play = yaml.safe_load(text)[0]
    assert [t["name"] for t in play["tasks"]] == ["Install nginx", "Deploy the site configuration", "Start nginx"]
    assert play["vars"] == {"nginx_package": "nginx"}
    assert play["tasks"][0]["ansible.builtin.package"]["name"] == "{{ nginx_package }}"
    assert [h["name"] for h in play["handlers"]] == ["Restart nginx"]
    assert "error" not in result.stderr  # ansible-lint production found nothing


def test_outline_steps_are_asked_with_their_purpose_and_named_as_the_step(catalog):
    from codegen.backends.scripted import scripted_pipeline
    from codegen.authoring.playbook import build_playbook, purpose_of

    pipeline = scripted_pipeline(ANSWERS, lint=False)
    record = build_playbook(pipeline, "deploy a web server", steps=["Install nginx"], lint=False,
                            purpose=purpose_of("deploy a web server", outlined=True))
    assert pipeline.backend.prompts[-1].endswith("- name: Install nginx (deploy a web server)\n")
    assert yaml.safe_load(record["yaml"])[0]["tasks"][0]["name"] == "Install nginx"
    assert purpose_of("install nginx & start nginx", outlined=True) is None  # the user's own steps


def test_bad_outline_files_are_one_line_errors(tmp_path, env):
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    for path in (empty, tmp_path / "missing.txt"):
        result = invoke("playbook", "--from-outline", str(path), env=env)
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_lifting_packages_ports_and_paths_used_twice():
    snippets = ["- name: Install web packages\n  ansible.builtin.apt:\n    name:\n      - apache2\n      - php\n",
                "- name: Create the site directory\n  ansible.builtin.file:\n    path: /var/www/site\n    state: directory\n",
                "- name: Copy the index\n  ansible.builtin.copy:\n    src: index.php\n    dest: /var/www/site/index.php\n",
                "- name: Open port 8080\n  ansible.posix.firewalld:\n    port: 8080/tcp\n    state: enabled\n",
                "- name: Write the motd\n  ansible.builtin.copy:\n    content: hi\n    dest: /etc/motd\n"]
    lifted = lift_variables(snippets, prefix="web_", label="web")
    assert lifted.variables == {"web_packages": ["apache2", "php"], "web_port": 8080, "web_site_dir": "/var/www/site"}
    tasks = [yaml.safe_load(s)[0] for s in lifted.snippets]
    assert tasks[0]["ansible.builtin.apt"]["name"] == "{{ web_packages }}"
    assert tasks[2]["ansible.builtin.copy"]["dest"] == "{{ web_site_dir }}/index.php"
    assert tasks[3]["ansible.posix.firewalld"]["port"] == "{{ web_port }}/tcp"
    assert tasks[4]["ansible.builtin.copy"]["dest"] == "/etc/motd"  # used once: stays literal
    assert lift_variables(snippets[4:]).snippets == snippets[4:]  # nothing to lift: text untouched


def test_a_git_checkout_takes_its_version_from_one_variable_and_passes_lint(tmp_path):
    """The steps table's last lint finding (latest[git]): a clone nobody pinned. Its version becomes a
    variable holding what the module does without one (HEAD), or the version asked for."""
    clone = "- name: Clone the app\n  ansible.builtin.git:\n    repo: https://github.com/example/app.git\n    dest: /opt/app\n"
    lifted = lift_variables([clone])
    assert lifted.variables == {"app_version": "HEAD"}
    assert yaml.safe_load(lifted.snippets[0])[0]["ansible.builtin.git"]["version"] == "{{ app_version }}"
    assert any("pin a tag or commit there" in n for n in lifted.notes)
    pinned = lift_variables([clone.replace("dest:", "version: v1.2.0\n    dest:")], prefix="web_")
    assert pinned.variables == {"web_app_version": "v1.2.0"}
    templated = clone.replace("dest:", "version: \"{{ release }}\"\n    dest:")
    assert lift_variables([templated]).snippets == [templated]  # already a variable: untouched


def test_role_is_laid_out_documented_and_passes_ansible_lint(tmp_path, env):
    result = invoke("role", "web", "deploy a web server", "-o", str(tmp_path / "roles"), "--json", env=env)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["problems"] == []  # ansible-lint production, as a role
    role = tmp_path / "roles" / "web"
    assert sorted(p.relative_to(role).as_posix() for p in role.rglob("*") if p.is_file()) == [
        "README.md", "defaults/main.yml", "handlers/main.yml", "meta/main.yml", "tasks/main.yml",
        "templates/site.conf.j2"]
    defaults = yaml.safe_load((role / "defaults/main.yml").read_text())
    meta = yaml.safe_load((role / "meta/main.yml").read_text())
    assert defaults == {"web_nginx_package": "nginx"}
    options = meta["argument_specs"]["main"]["options"]
    assert set(options) == set(defaults) and options["web_nginx_package"]["default"] == "nginx"
    tasks = yaml.safe_load((role / "tasks/main.yml").read_text())
    assert [t["name"] for t in tasks] == ["Install nginx", "Deploy the site configuration", "Start nginx"]
    assert yaml.safe_load((role / "handlers/main.yml").read_text())[0]["name"] == "Restart nginx"
    assert "web_nginx_package" in (role / "README.md").read_text()


def test_role_refuses_to_overwrite_without_force_and_checks_its_name(tmp_path, env):
    roles = tmp_path / "roles"
    (roles / "web").mkdir(parents=True)
    (roles / "web" / "keep.txt").write_text("mine")
    refused = invoke("role", "web", "deploy a web server", "-o", str(roles), env=env)
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert (roles / "web" / "keep.txt").read_text() == "mine"
    forced = invoke("role", "web", "deploy a web server", "-o", str(roles), "--force", "--no-lint", env=env)
    assert forced.exit_code == 0 and not (roles / "web" / "keep.txt").exists()
    assert (roles / "web" / "tasks" / "main.yml").is_file()
    bad = invoke("role", "Web-Server", "deploy a web server", "-o", str(roles), env=env)
    assert bad.exit_code == 2 and "role-name" in bad.stderr


def test_outline_loops_and_near_duplicates_are_refused():
    from codegen.authoring.outline import near_duplicate, repeats

    assert repeats("  - Create user group group")
    assert repeats("  - Create the database user\n  - Create the database group")  # a 3-word run again
    assert not repeats("  - Install nginx\n  - Start nginx")
    assert near_duplicate("Configure SSH clients", ["Configure SSH client"])
    assert near_duplicate("Configure web", ["Configure webservers"])
    assert not near_duplicate("Start nginx", ["Install nginx"])


def test_outline_constraint_ends_when_ending_is_nearly_as_likely():
    import torch

    from codegen.authoring.outline import OutlineConstraint

    vocab = ["<eos>", "  - Step", "\n", " again"]
    eos = {0}
    logits = torch.tensor([9.0, 10.0, 1.0, 1.0])

    def choose(text):
        return OutlineConstraint().choose(text, logits, lambda full: text + vocab[full], lambda i: i, eos)

    assert choose("  - A one\n") == 1  # too few steps to end
    assert choose("  - A one\n  - B two\n  - C three\n") == 0  # three steps, the end within the margin
    assert choose("") == 1  # never end before the first step


def test_variables_nothing_defines_are_named():
    from codegen.authoring.variables import undefined_variables

    snippets = ["- name: Install\n  ansible.builtin.package:\n    name: \"{{ web_packages + extra_packages }}\"\n"
                "  register: installed\n  until: installed is succeeded\n",
                "- name: Configure\n  ansible.builtin.template:\n    src: a.j2\n    dest: \"{{ app_dir }}/a\"\n"
                "    mode: \"0644\"\n  loop: \"{{ sites }}\"\n  when: item.enabled and ansible_os_family == 'Debian'\n",
                "- name: Remember\n  ansible.builtin.set_fact:\n    port: 80\n",
                "- name: Use\n  ansible.builtin.debug:\n    msg: \"{{ port }} {{ inventory_hostname }}\"\n",
                "- name: Loose item\n  ansible.builtin.debug:\n    msg: \"{{ item }}\"\n"]
    assert undefined_variables(snippets, {"web_packages", "app_dir"}) == ["extra_packages", "sites", "item"]


def test_lifted_values_are_plain_python_for_any_yaml_dumper():
    snippets = ["- name: A\n  ansible.builtin.file:\n    path: '/srv/app'\n    state: directory\n",
                "- name: B\n  ansible.builtin.copy:\n    src: a\n    dest: '/srv/app/a'\n"]
    lifted = lift_variables(snippets)
    assert type(lifted.variables["app_dir"]) is str
    assert yaml.safe_dump(lifted.variables) == "app_dir: /srv/app\n"


def test_a_step_that_repeats_an_earlier_task_is_left_out(catalog):
    from codegen.backends.scripted import scripted_pipeline
    from codegen.authoring.playbook import generate_steps

    pipeline = scripted_pipeline({**ANSWERS, "Install nginx again": PACKAGE}, lint=False)
    snippets, problems = generate_steps(pipeline, ["Install nginx", "Install nginx again", "Start nginx"])
    assert [yaml.safe_load(s)[0]["name"] for s in snippets] == ["Install nginx", "Start nginx"]
    assert any("same task as an earlier step" in p for p in problems)


def test_a_roles_own_variables_get_its_prefix_and_every_read_follows():
    from codegen.authoring.variables import prefix_own_variables

    snippets = ["- name: Check config\n  ansible.builtin.command: sshd -t\n  register: sshd__register_check\n"
                "  changed_when: false\n",
                "- name: Show\n  ansible.builtin.debug:\n    msg: \"{{ sshd__register_check.stdout }}\"\n"
                "  when: sshd__register_check.rc == 0 and result_x is defined\n",
                "- name: Keep\n  ansible.builtin.set_fact:\n    ssh_hardening_port: 22\n    seen: true\n"
                "  loop: [1]\n  loop_control:\n    loop_var: entry\n"]
    renamed, notes = prefix_own_variables(snippets, "ssh_hardening_")
    text = "\n".join(renamed)
    assert "sshd__register_check" not in text and text.count("ssh_hardening_register_check") == 3
    assert "ssh_hardening_seen: true" in text and "ssh_hardening_port: 22" in text  # already prefixed: kept
    assert "loop_var: entry" in text and "result_x" in text  # a loop's name and what others define are not its own
    assert len(notes) == 2
    assert prefix_own_variables(renamed, "ssh_hardening_") == (renamed, [])
