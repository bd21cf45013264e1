"""Asked steps: the request split by code, the coverage check, nothing invented (scripted model)."""
from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from codegen.authoring.families import PACKAGE, SERVICE, families_for
from codegen.assemble.snippets import strip_keys
from codegen.authoring.split import split_request
from codegen.authoring.steps import generate_covered, plan_steps
from codegen.backends.scripted import ScriptedBackend, scripted_pipeline

PACKAGE_NGINX = "  ansible.builtin.package:\n    name: nginx\n    state: present\n"
SERVICE_NGINX = "  ansible.builtin.service:\n    name: nginx\n    state: started\n    enabled: true\n"
FACTS = ("  ansible.builtin.file:\n    path: /etc/ansible/facts.d\n    state: directory\n    mode: \"0755\"\n")
TEMPLATE = ("  ansible.builtin.template:\n    src: nginx.conf.j2\n    dest: /etc/nginx/nginx.conf\n    mode: \"0644\"\n"
            "  notify: Restart nginx\n")


@pytest.mark.parametrize("request_text, steps", [
    ("Install nginx, start it and enable it at boot", ["Install nginx", "Start and enable nginx at boot"]),
    ("Install apache2 then copy index.html to /var/www/html then restart apache2",
     ["Install apache2", "Copy index.html to /var/www/html", "Restart apache2"]),
    ("1. Install redis-server 2. Set maxmemory to 256mb in /etc/redis/redis.conf 3. Restart redis-server",
     ["Install redis-server", "Set maxmemory to 256mb in /etc/redis/redis.conf", "Restart redis-server"]),
    ("- install haproxy\n- deploy haproxy.cfg from a template\n- enable and start haproxy",
     ["Install haproxy", "Deploy haproxy.cfg from a template", "Enable and start haproxy"]),
    ("Install fail2ban. Copy jail.local to /etc/fail2ban/. Restart fail2ban.",
     ["Install fail2ban", "Copy jail.local to /etc/fail2ban/", "Restart fail2ban"]),
    ("Install postfix and make sure it is running", ["Install postfix", "Ensure postfix is running"]),
    ("Install nginx, deploy its config from a template and keep it running",
     ["Install nginx", "Deploy the nginx config from a template", "Keep nginx running"]),
    ("Install redis, set bind to 127.0.0.1 in /etc/redis/redis.conf and restart it",
     ["Install redis", "Set bind to 127.0.0.1 in /etc/redis/redis.conf", "Restart redis"]),
    # an object list is one step; a verb said once for two objects is two
    ("Install htop and tmux", ["Install htop and tmux"]),
    ("Open ports 80 and 443 in firewalld and reload firewalld", ["Open ports 80 and 443 in firewalld",
                                                                 "Reload firewalld"]),
    ("Install postgresql. Then create a database called inventory and a postgres user named inventory.",
     ["Install postgresql", "Create a database called inventory", "Create a postgres user named inventory"]),
    ("Create a user named deploy, add their SSH key from files/deploy.pub and give them passwordless sudo",
     ["Create a user named deploy", "Add the deploy SSH key from files/deploy.pub", "Give deploy passwordless sudo"]),
    # found in requests written after building (session 8): "then" before a verb the list lacked
    ("Make sure /var/log/app exists, then rotate its logs daily with a logrotate config from app.logrotate.j2",
     ["Ensure /var/log/app exists", "Rotate the /var/log/app logs daily with a logrotate config from app.logrotate.j2"]),
])
def test_plain_requests_are_split_into_their_asked_steps(request_text, steps):
    assert split_request(request_text) == steps


@pytest.mark.parametrize("step, fits", [
    ("Install nginx", PACKAGE),
    ("Start and enable nginx at boot", SERVICE),
    ("Install firewalld", PACKAGE),
    ("Start firewalld", SERVICE),
    ("Open port 80/tcp permanently", {"firewalld", "ufw", "iptables"}),
    ("Deploy haproxy.cfg from a template", {"template", "copy"}),
    ("Add the deploy SSH key from files/deploy.pub", {"authorized_key"}),
    ("Download the tomcat tarball to /tmp", {"get_url", "uri"}),
    ("Unpack it into /opt/tomcat", {"unarchive"}),
    ("Schedule backup.sh with cron every night at 2am", {"cron"}),
    ("Create a user named deploy", {"user"}),
    ("Run an nginx container on port 8080", {"docker_container", "podman_container"}),
    ("Restart redis-server", SERVICE),
    ("Reboot the machine", {"reboot"}),
    ("Disable password authentication", {"lineinfile", "blockinfile", "replace", "ini_file", "template", "copy"}),
    # found in the playbooks written after building (session 8): a directory whose owner is a user,
    # a line removed from a file, were read as a user and a package
    ("Create the directory /srv/backups owned by the backup user", {"file"}),
    ("Remove the swap line from /etc/fstab", {"lineinfile", "blockinfile", "replace", "ini_file", "template", "copy",
                                              "mount"}),
    ("Remove the line 'PermitRootLogin yes' from /etc/ssh/sshd_config",
     {"lineinfile", "blockinfile", "replace", "ini_file", "template", "copy"}),
    ("Create the user deploy with the home directory /home/deploy", {"user", "file"}),
    ("Remove the nginx package", PACKAGE),
    ("Run npm install in /srv/api", {"command", "shell", "script", "npm", "yarn", "make", "gem", "composer", "pip"}),
    ("Give the group write access to /var/www", {"file", "acl"}),
    ("Change the owner of /srv/www to nginx", {"file", "acl"}),
])
def test_each_asked_action_maps_to_the_modules_that_fit_it(step, fits):
    assert families_for(step) == frozenset(fits)


def test_a_database_step_takes_its_engine_from_the_whole_request():
    assert families_for("Create a database called inventory", "Install postgresql, create a database") \
        == {"postgresql_db"}
    assert families_for("Create a database named app", "install mariadb-server") == {"mysql_db"}


def test_only_a_vague_request_goes_to_the_model_outline_and_its_habit_steps_are_dropped():
    backend = ScriptedBackend({"outline: Set up a web server": "  - Install nginx\n"
                                                               "  - Ensure that Ansible local facts directory exists\n"
                                                               "  - Save nginx local facts\n  - Start nginx\n"})
    plan = plan_steps(backend, "Set up a web server")
    assert plan.outlined and plan.steps == ["Install nginx", "Start nginx"]
    assert plan.dropped == ["Ensure that Ansible local facts directory exists", "Save nginx local facts"]
    calls = len(backend.prompts)
    plan = plan_steps(backend, "Install nginx, start it and enable it at boot")
    assert not plan.outlined and len(backend.prompts) == calls  # split by code: no model call


def test_an_uncovered_step_is_asked_again_naming_its_module(catalog):
    pipeline = scripted_pipeline({"Install nginx": PACKAGE_NGINX,
                                  "Start and enable nginx at boot": FACTS,  # a wrong module the first time
                                  "Start and enable nginx at boot with ansible.builtin.service": SERVICE_NGINX},
                                 lint=False)
    done = generate_covered(pipeline, ["Install nginx", "Start and enable nginx at boot"])
    assert done.missing == []
    tasks = [t for s in done.snippets for t in yaml.safe_load(s)]
    assert [t["name"] for t in tasks] == ["Install nginx", "Start and enable nginx at boot"]
    assert "ansible.builtin.service" in tasks[1]
    assert [c.mark() for c in done.coverage] == ["covered", "covered"]


def test_a_step_answered_with_an_earlier_steps_task_is_asked_again(catalog):
    rule = "  community.general.ufw:\n    rule: allow\n    port: \"80\"\n    proto: tcp\n"
    enable = "  community.general.ufw:\n    state: enabled\n"
    pipeline = scripted_pipeline({"Allow port 80": rule, "Enable ufw": rule,
                                  "Enable ufw with community.general.ufw": enable}, lint=False)
    done = generate_covered(pipeline, ["Allow port 80", "Enable ufw"])
    tasks = [t for s in done.snippets for t in yaml.safe_load(s)]
    assert tasks[1]["name"] == "Enable ufw" and tasks[1]["community.general.ufw"] == {"state": "enabled"}


def test_a_task_that_covers_one_step_does_not_also_cover_another(catalog):
    rule = "  community.general.ufw:\n    rule: allow\n    port: \"80\"\n    proto: tcp\n"
    pipeline = scripted_pipeline({"Allow port 80": rule, "Enable ufw": rule}, lint=False)
    done = generate_covered(pipeline, ["Allow port 80", "Enable ufw"])
    assert done.missing == ["Enable ufw"]


def test_a_step_still_uncovered_is_reported_missing_never_silently_dropped(catalog):
    pipeline = scripted_pipeline({"Install nginx": PACKAGE_NGINX, "Start nginx": FACTS}, lint=False)
    done = generate_covered(pipeline, ["Install nginx", "Start nginx"])
    assert done.missing == ["Start nginx"]
    assert any("error [steps] asked step 'Start nginx' is missing" in p for p in done.problems)
    assert len(done.snippets) == 1  # the facts task the model wrote instead is not kept


def test_an_outline_step_of_the_model_left_uncovered_is_a_warning_not_a_missing_asked_step(catalog):
    pipeline = scripted_pipeline({"Start nginx": FACTS}, lint=False)
    done = generate_covered(pipeline, ["Start nginx"], purpose="set up a web server")
    assert done.missing == [] and done.snippets == []
    assert any(p.startswith("warning [steps] outline step 'Start nginx'") for p in done.problems)


def test_an_outline_step_keeps_its_own_name_however_long_the_request_it_serves(catalog):
    # found in the steps table: a long request, folded onto a second line of the asked name, was
    # joined to the step's name ("... from files/deploy.pub files/deploy.pub and give them ...)")
    from codegen.assemble.snippets import parse_tasks

    purpose = ("Create a user named deploy, add their SSH public key from files/deploy.pub and give them "
               "passwordless sudo, then restart the ssh daemon on every host in the inventory")
    pipeline = scripted_pipeline({"Install nginx": PACKAGE_NGINX}, lint=False)
    done = generate_covered(pipeline, ["Install nginx"], purpose=purpose)
    tasks = parse_tasks(done.snippets[0])
    assert [t["name"] for t in tasks] == ["Install nginx"] and "ansible.builtin.package" in tasks[0]


def test_invented_tags_and_conditions_are_removed_but_a_check_on_a_registered_result_stays(catalog):
    tagged = PACKAGE_NGINX + "  tags: ['meta::facts']\n  when: ansible_os_family == 'Debian'\n"
    checked = ("  ansible.builtin.command: nginx -t\n  register: nginx_check\n  changed_when: false\n"
               "  until: nginx_check.rc == 0\n  when: nginx_check is not skipped\n")
    pipeline = scripted_pipeline({"Install nginx": tagged, "Run nginx -t": checked}, lint=False)
    done = generate_covered(pipeline, ["Install nginx", "Run nginx -t"])
    first, second = (yaml.safe_load(s)[0] for s in done.snippets)
    assert "tags" not in first and "when" not in first
    assert second["until"] == "nginx_check.rc == 0" and second["when"] == "nginx_check is not skipped"
    # a request that speaks of a condition keeps it
    done = generate_covered(pipeline, ["Install nginx"], request="Install nginx only when the host is Debian")
    assert "when" in yaml.safe_load(done.snippets[0])[0]


def test_a_made_up_package_manager_is_removed_unless_the_request_names_it(catalog):
    made_up = "  ansible.builtin.package:\n    name: nginx\n    use: [httpd, nginx]\n    state: present\n"
    pipeline = scripted_pipeline({"Install nginx": made_up}, lint=False)
    done = generate_covered(pipeline, ["Install nginx"])
    assert done.snippets == ["- name: Install nginx\n  ansible.builtin.package:\n    name: nginx\n    state: present\n"]
    named = "  ansible.builtin.package:\n    name: nginx\n    use: dnf\n    state: present\n"
    pipeline = scripted_pipeline({"Install nginx": named}, lint=False)
    done = generate_covered(pipeline, ["Install nginx"], request="Install nginx with dnf")
    assert yaml.safe_load(done.snippets[0])[0]["ansible.builtin.package"]["use"] == "dnf"


def test_strip_keys_keeps_the_layout_of_what_is_left():
    text = "- name: Install nginx\n  ansible.builtin.package:\n    name: nginx\n  tags:\n    - web\n  become: true\n"
    assert strip_keys(text, [{"tags"}]) == "- name: Install nginx\n  ansible.builtin.package:\n    name: nginx\n" \
                                           "  become: true\n"
    # the last key dropped: the snippet still ends its line, so the next snippet starts on its own
    assert strip_keys(text.replace("  become: true\n", ""), [{"tags"}]) == \
        "- name: Install nginx\n  ansible.builtin.package:\n    name: nginx\n"


def _env(tmp_path, answers):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    return {"ANSIBLE_CODEGEN_TEST_BACKEND": f"scripted:{path}"}


def _invoke(*args, env):
    from codegen.cli import main

    return CliRunner().invoke(main, list(args), env=env)


def test_playbook_cli_covers_every_step_of_a_comma_request(tmp_path, catalog):
    env = _env(tmp_path, {"Install nginx": PACKAGE_NGINX, "Start and enable nginx at boot": SERVICE_NGINX})
    out = tmp_path / "site.yml"
    result = _invoke("playbook", "Install nginx, start it and enable it at boot", "-o", str(out), "--no-lint", env=env)
    assert result.exit_code == 0, result.output
    tasks = yaml.safe_load(out.read_text())[0]["tasks"]
    assert [t["name"] for t in tasks] == ["Install nginx", "Start and enable nginx at boot"]
    assert "ansible.builtin.service" in tasks[1]


def test_playbook_cli_says_which_asked_step_is_missing_and_exits_1(tmp_path, catalog):
    env = _env(tmp_path, {"Install nginx": PACKAGE_NGINX})
    result = _invoke("playbook", "Install nginx then start nginx", "--json", "--no-lint", env=env)
    assert result.exit_code == 1
    record = json.loads(result.stdout)
    assert record["missing"] == ["Start nginx"]
    assert [c["mark"] for c in record["coverage"]] == ["covered", "missing"]
    assert "asked step 'Start nginx' is missing" in result.stderr


def test_outline_flag_shows_the_steps_and_the_modules_each_is_checked_for(tmp_path, catalog):
    env = _env(tmp_path, {})
    result = _invoke("playbook", "Install nginx, deploy its config from a template and keep it running", "--outline",
                     env=env)
    assert result.exit_code == 0, result.output
    assert "1. Install nginx\n2. Deploy the nginx config from a template\n3. Keep nginx running\n" in result.stdout
    assert "#   2. deploy: copy, template\n" in result.stdout
    assert "#   3. keep: service, systemd, systemd_service, sysvinit\n" in result.stdout
    from codegen.authoring.outline import read_outline

    assert read_outline(result.stdout)[0] == ["Install nginx", "Deploy the nginx config from a template",
                                              "Keep nginx running"]


def test_role_tasks_cover_each_asked_step_with_handlers_and_templates_that_match(tmp_path, catalog):
    env = _env(tmp_path, {"Install nginx": PACKAGE_NGINX, "Deploy the nginx config from a template": TEMPLATE,
                          "Keep nginx running": SERVICE_NGINX})
    result = _invoke("role", "webserver", "Install nginx, deploy its config from a template and keep it running",
                     "-o", str(tmp_path / "roles"), "--no-lint", env=env)
    assert result.exit_code == 0, result.output
    role = tmp_path / "roles" / "webserver"
    tasks = yaml.safe_load((role / "tasks/main.yml").read_text())
    modules = [next(k for k in t if k.startswith("ansible.")) for t in tasks]
    assert modules == ["ansible.builtin.package", "ansible.builtin.template", "ansible.builtin.service"]
    assert [h["name"] for h in yaml.safe_load((role / "handlers/main.yml").read_text())] == ["Restart nginx"]
    assert (role / "templates/nginx.conf.j2").is_file()


def test_role_cli_exits_1_when_an_asked_step_is_missing(tmp_path, catalog):
    env = _env(tmp_path, {"Install nginx": PACKAGE_NGINX})
    result = _invoke("role", "webserver", "Install nginx and start it", "-o", str(tmp_path / "roles"), "--no-lint",
                     env=env)
    assert result.exit_code == 1
    assert "asked step 'Start nginx' is missing" in result.stderr


# --- on the embedded model (slow) -----------------------------------------------------------------

def _cli(*args):
    import subprocess
    import sys
    from pathlib import Path

    return subprocess.run([str(Path(sys.executable).parent / "ansible-codegen"), *args], capture_output=True,
                          text=True, timeout=1800)


def _modules(text: str) -> list[str]:
    return [next(k for k in t if "." in k).rsplit(".", 1)[-1] for t in yaml.safe_load(text)[0]["tasks"]]


@pytest.mark.e2e
@pytest.mark.parametrize("request_text, needed", [
    ("Install nginx, start it and enable it at boot", [PACKAGE, SERVICE]),
    ("Install fail2ban. Copy jail.local to /etc/fail2ban/. Restart fail2ban.",
     [PACKAGE, {"copy", "template"}, SERVICE]),
    ("Create the group developers and create the user alice in the developers group", [{"group"}, {"user"}]),
])
def test_embedded_model_covers_every_asked_step_and_adds_none(tmp_path, request_text, needed):
    out = tmp_path / "site.yml"
    result = _cli("playbook", request_text, "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    modules = _modules(text)
    assert all(any(m in fits for m in modules) for fits in needed), text
    assert all(any(m in fits for fits in needed) for m in modules), text  # nothing unasked
    assert "facts" not in text and "tags:" not in text, text
    assert "error" not in result.stderr, result.stderr  # ansible-lint production found nothing


def test_the_forcing_retry_builds_its_constraint_with_the_pipeline_arguments(catalog):
    """The retry that names the fitting module wraps the pipeline's constraint; it must take the
    same arguments (handlers, variables, private choice) the pipeline passes."""
    from codegen.authoring.steps import _forcing
    from codegen.backends.scripted import ScriptedBackend
    from codegen.pipeline import Pipeline

    pipeline = Pipeline(ScriptedBackend({}), catalog, lint=False, constrain=True, workspace=False)
    forced = _forcing(pipeline, frozenset({"service"}), "Start nginx")
    constraint = forced._constraint([], {"x"}, None)
    assert type(constraint).__name__ == "ModuleFirst"
