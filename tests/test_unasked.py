"""Nothing the request did not ask for: no invented `when:`/`tags:`, no variables from nowhere."""
from codegen.backends.base import Generation
from codegen.grounding.schema import SchemaChecker
from codegen.grounding.unasked import asks_condition, keywords_refused, request_variables
from codegen.pipeline import Pipeline


def test_condition_words_open_when_and_a_plain_request_does_not():
    assert keywords_refused("install nginx and start it", "") == {"when", "tags", "listen"}
    assert "listen" in keywords_refused("make nginx listen on port 8080", "")  # a handler's keyword, not a port
    for asked in ("restart nginx only if the config changed", "on Debian hosts, upgrade all packages",
                  "install httpd on RedHat", "fail unless app_port is defined", "when the file is missing, create it"):
        assert asks_condition(asked), asked
        assert "when" not in keywords_refused(asked, "")
    assert "tags" not in keywords_refused("install nginx, tagged web", "")


def test_a_file_that_already_uses_conditions_keeps_them_open():
    above = "- name: Install\n  ansible.builtin.package:\n    name: x\n  when: ansible_os_family == 'Debian'\n"
    assert keywords_refused("start nginx", above) == {"tags", "listen"}
    assert keywords_refused("start nginx", "- name: A\n  ansible.builtin.debug:\n  tags: [web]\n") == {"when", "listen"}
    handlers = "- name: Restart nginx\n  ansible.builtin.service:\n    name: nginx\n  listen: web restart\n"
    assert "listen" not in keywords_refused("reload nginx", handlers)


def test_the_checker_refuses_a_refused_keyword_and_nothing_else(catalog):
    task = "  ansible.builtin.service:\n    name: nginx\n    state: started\n"
    closed = SchemaChecker(catalog, keywords_refused={"when", "tags"})
    assert closed.viable(task, final=True)
    assert closed.refusal(task + "  when: ansible_os_family == 'Debian'\n", final=True) == "unknown_task_key"
    assert closed.refusal(task + "  wh") == "dead_end_task_key"  # refused while it is being written
    assert closed.viable(task + "  become: true\n", final=True)
    assert SchemaChecker(catalog).viable(task + "  when: ansible_os_family == 'Debian'\n", final=True)


def test_request_variables_are_the_names_it_gives():
    assert request_variables("set the timezone from tz_name") == {"tz_name"}
    assert request_variables("extract files/site.zip to /var/www/site") == set()  # plain words are not names
    assert request_variables("write {{ motd }} to /etc/motd") == {"motd"}


class Capture:
    """A backend that records the constraint each prompt was decoded under."""

    def __init__(self, body):
        self.body, self.constraints = body, []

    def prompt_features(self):
        return set()

    def complete(self, prompt, constraint=None, cancelled=None):
        self.constraints.append(constraint)
        return Generation(text=self.body, stopped="eos", prompt_tokens=1, new_tokens=1, seconds=0.0)


def test_a_plain_request_is_decoded_without_invented_conditions_or_variables(catalog):
    backend = Capture("  ansible.builtin.service:\n    name: nginx\n    state: started\n")
    pipeline = Pipeline(backend, catalog, lint=False, retriever=None, candidates=None)
    pipeline.one_task("start nginx", "")
    checker = backend.constraints[-1].checker
    assert "when" not in checker.keywords.exact and "tags" not in checker.keywords.exact
    assert not checker.viable("  ansible.builtin.service:\n    name: '{{ nginx__name }}'\n", final=True)
    assert checker.viable("  ansible.builtin.service:\n    name: '{{ ansible_hostname }}'\n", final=True)

    in_a_file = "- name: Set it\n  ansible.builtin.set_fact:\n    svc: nginx\n  when: x is defined\n"
    pipeline.one_task("start nginx", in_a_file)
    checker = backend.constraints[-1].checker
    assert "when" in checker.keywords.exact  # the file uses conditions: it stays open
    assert checker.variables is None  # a file without its workspace: variables may come from elsewhere
