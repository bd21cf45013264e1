"""Nothing the request did not ask for: keys removed after decoding, no variables from nowhere."""
from codegen.backends.base import Generation
from codegen.grounding.schema import SchemaChecker
from codegen.grounding.unasked import asks_condition, keywords_refused, request_variables, unasked_keys
from codegen.pipeline import Pipeline

SERVICE = {"name": "Start nginx", "ansible.builtin.service": {"name": "nginx", "state": "started"}}


def test_condition_words_keep_when_and_a_plain_request_does_not():
    task = {**SERVICE, "when": "ansible_os_family == 'Debian'", "tags": ["web"]}
    assert unasked_keys(task, "start nginx") == {"when", "tags"}
    for asked in ("restart nginx only if the config changed", "on Debian hosts, start nginx",
                  "start nginx on RedHat", "start nginx unless it is disabled"):
        assert asks_condition(asked), asked
        assert "when" not in unasked_keys(task, asked)
    assert "tags" not in unasked_keys(task, "start nginx, tagged web")


def test_execution_keywords_need_asking_or_the_files_own_style():
    task = {**SERVICE, "become": True, "become_user": "nginx", "until": "ansible_check_mode", "retries": 3,
            "delegate_to": "localhost", "run_once": True}
    assert unasked_keys(task, "start nginx") == {"become_user", "until", "retries", "delegate_to", "run_once"}
    assert "become_user" not in unasked_keys(task, "start nginx as the www user")
    assert {"until", "retries"}.isdisjoint(unasked_keys(task, "start nginx and wait until it runs"))
    delegated = "- name: Fetch\n  ansible.builtin.fetch:\n    src: /a\n    dest: /b\n  delegate_to: localhost\n"
    assert "delegate_to" not in unasked_keys(task, "start nginx", delegated)  # the file's own style
    assert "run_once" in unasked_keys(task, "start nginx", delegated)  # another family is still unasked
    own = {**SERVICE, "register": "out", "until": "out is succeeded", "retries": 3}
    assert unasked_keys(own, "start nginx") == set()  # retrying on its own result: the task checking its work


def test_a_task_that_can_no_longer_fail_needs_a_request_that_lets_it():
    # found in the steps table: "Run make in /opt/app" answered with failed_when: false, so a broken
    # build would pass unnoticed
    make = {"name": "Run make", "ansible.builtin.command": {"cmd": "make", "chdir": "/opt/app"},
            "changed_when": False, "failed_when": False}
    assert unasked_keys(make, "run make in /opt/app") == {"failed_when"}
    assert unasked_keys({**make, "failed_when": "out.rc > 1"}, "run make in /opt/app") == set()  # a real check
    for asked in ("run make and ignore errors", "run make even if it fails", "check whether make works"):
        assert unasked_keys(make, asked) == set(), asked
    ignoring = {**SERVICE, "ignore_errors": True}
    assert unasked_keys(ignoring, "start nginx") == {"ignore_errors"}
    probe = "- name: Probe\n  ansible.builtin.command: which x\n  failed_when: false\n"
    assert unasked_keys(make, "run make", probe) == set()  # the file's own style


def test_a_git_version_is_the_one_the_request_names():
    clone = {"name": "Clone", "ansible.builtin.git": {"repo": "https://x/app.git", "dest": "/opt/app", "version": "master"}}
    assert unasked_keys(clone, "clone https://x/app.git into /opt/app") == {"ansible.builtin.git.version"}
    assert unasked_keys(clone, "clone the master branch of https://x/app.git") == set()


def test_options_that_weaken_a_download_need_asking():
    # found in the playbooks written after building: a plain download that skipped TLS verification
    fetch = {"name": "Download", "ansible.builtin.get_url": {"url": "https://example.com/t.tgz", "dest": "/tmp",
                                                            "validate_certs": False, "force_basic_auth": True}}
    assert unasked_keys(fetch, "download https://example.com/t.tgz to /tmp") == {
        "ansible.builtin.get_url.validate_certs", "ansible.builtin.get_url.force_basic_auth"}
    assert unasked_keys(fetch, "download it from the server with the self-signed certificate, basic auth") == set()
    checked = {"name": "Download", "ansible.builtin.get_url": {"url": "https://e/t", "dest": "/tmp", "validate_certs": True}}
    assert unasked_keys(checked, "download https://e/t") == set()


def test_a_package_manager_is_named_only_when_asked():
    task = {"name": "Install nginx", "ansible.builtin.package": {"name": "nginx", "use": "apt"}}
    assert unasked_keys(task, "install nginx") == {"ansible.builtin.package.use"}
    assert unasked_keys(task, "install nginx with apt") == set()


def test_listen_is_refused_on_a_task_and_kept_in_handlers_that_use_it(catalog):
    assert keywords_refused("") == {"listen"}
    assert keywords_refused("- name: Restart nginx\n  ansible.builtin.service:\n    name: nginx\n  listen: web\n") == set()
    task = "  ansible.builtin.service:\n    name: nginx\n    state: started\n"
    closed = SchemaChecker(catalog, keywords_refused={"listen"})
    assert closed.refusal(task + "  listen: web\n", final=True) == "unknown_task_key"
    assert closed.viable(task + "  when: x is defined\n", final=True)  # conditions are not refused while decoding


def test_request_variables_are_the_names_it_gives():
    assert request_variables("set the timezone from tz_name") == {"tz_name"}
    assert request_variables("extract files/site.zip to /var/www/site") == set()  # plain words are not names
    assert request_variables("write {{ motd }} to /etc/motd") == {"motd"}


class Capture:
    """A backend that answers one body and records the constraint each prompt was decoded under."""

    def __init__(self, body):
        self.body, self.constraints = body, []

    def prompt_features(self):
        return set()

    def complete(self, prompt, constraint=None, cancelled=None):
        self.constraints.append(constraint)
        return Generation(text=self.body, stopped="eos", prompt_tokens=1, new_tokens=1, seconds=0.0)


def test_a_plain_request_loses_what_it_did_not_ask_for(catalog):
    body = ("  ansible.builtin.service:\n    name: nginx\n    state: started\n  become: true\n  become_user: nginx\n"
            "  when: ansible_os_family == 'Debian'\n  tags: [web]\n")
    backend = Capture(body)
    pipeline = Pipeline(backend, catalog, lint=False, retriever=None, candidates=None)
    text, notes = pipeline.one_task("start nginx", "")
    assert text == ("- name: Start nginx\n  ansible.builtin.service:\n    name: nginx\n    state: started\n"
                    "  become: true\n")
    assert any("removed become_user, tags, when" in n for n in notes)
    checker = backend.constraints[-1].checker
    assert not checker.viable("  ansible.builtin.service:\n    name: '{{ nginx__name }}'\n", final=True)
    assert checker.viable("  ansible.builtin.service:\n    name: '{{ ansible_hostname }}'\n", final=True)

    in_a_file = "- name: Set it\n  ansible.builtin.set_fact:\n    svc: nginx\n  when: x is defined\n"
    text, _ = pipeline.one_task("start nginx", in_a_file)
    assert "when:" in text and "tags" not in text  # the file uses conditions: its style; tags it does not
    assert backend.constraints[-1].checker.variables is None  # a file without its workspace


def test_with_nothing_around_an_include_is_refused_unless_asked_for(catalog):
    from codegen.grounding.schema import SchemaChecker
    from codegen.grounding.unasked import includes_refused
    from codegen.model.generate import Generation
    from codegen.pipeline import Pipeline

    refused = includes_refused("install chrony and make sure it starts at boot")
    assert "ansible.builtin.include_tasks" in refused and "ansible.builtin.include_role" in refused
    assert includes_refused("include the tasks from setup.yml") == frozenset()
    assert includes_refused("import the common role") == frozenset()
    body = "  ansible.builtin.include_tasks: chrony.yml\n"
    assert SchemaChecker(catalog, modules_refused=refused).refusal(body, final=True) is not None
    assert SchemaChecker(catalog).refusal(body, final=True) is None

    class Recording:  # records the checker each answer was decoded under
        def __init__(self):
            self.checkers = []

        def complete(self, prompt, constraint=None, cancelled=None):
            self.checkers.append(constraint.checker)
            return Generation(text="  ansible.builtin.package:\n    name: chrony\n    state: present\n",
                              new_tokens=9, seconds=0.0, stopped="eos")

    backend = Recording()
    pipeline = Pipeline(backend, catalog, lint=False)
    pipeline.run("install chrony")  # from scratch
    pipeline.run("install chrony", context="- name: Earlier\n  ansible.builtin.debug:\n    msg: hi\n")
    scratch, in_a_file = backend.checkers[0], backend.checkers[-1]
    assert "ansible.builtin.include_tasks" not in scratch.modules.exact
    assert "ansible.builtin.include_tasks" in in_a_file.modules.exact  # a file around it: its role may have one


def test_a_daily_cron_job_runs_every_day_in_the_file_cron_uses():
    from codegen.grounding.unasked import unasked_keys

    task = {"name": "Backup", "ansible.builtin.cron": {"name": "backup", "job": "/usr/local/bin/backup.sh",
                                                        "minute": "30", "hour": "2", "day": "02",
                                                        "cron_file": "/usr/bin/backup.sh"}}
    keys = unasked_keys(task, "add a cron job that runs /usr/local/bin/backup.sh every day at 02:30")
    assert {"ansible.builtin.cron.day", "ansible.builtin.cron.cron_file"} <= keys
    assert "ansible.builtin.cron.hour" not in keys
    asked = unasked_keys(task, "run backup.sh on day 2 of each month at 02:30 from /etc/cron.d/backup")
    assert not {"ansible.builtin.cron.day", "ansible.builtin.cron.cron_file"} & asked


def test_a_lineinfile_regexp_that_matches_only_its_own_line_is_widened_to_the_key(catalog):
    import re

    from codegen.grounding.repair import repair

    task = ("- name: Disable root login\n  ansible.builtin.lineinfile:\n    path: /etc/ssh/sshd_config\n"
            "    regexp: '^PermitRootLogin no'\n    line: PermitRootLogin no\n")
    fixed, notes = repair(task, catalog)
    regexp = re.search(r"regexp: '(.*)'", fixed).group(1)
    assert regexp == r"^#?\s*PermitRootLogin\s" and len(notes) == 1
    for old in ("PermitRootLogin yes", "#PermitRootLogin prohibit-password", "PermitRootLogin no"):
        assert re.search(regexp, old)  # the setting in any value, commented out or not
    assert not re.search(regexp, "PermitRootLoginGrace 5")
    fixed, _ = repair(task.replace("PermitRootLogin no", "max_connections = 200"), catalog)
    assert r"^#?\s*max_connections\s*=" in fixed
    kept = task.replace("'^PermitRootLogin no'", "'^PermitRootLogin'")
    assert repair(kept, catalog) == (kept, [])  # a regexp on the key already: left alone
