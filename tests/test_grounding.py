"""Grounded generation: schema-guided decoding, context, secrets, repair, source matching."""
import pytest
import torch
import yaml

from codegen.grounding.context import parse_context
from codegen.grounding.decoding import SchemaConstraint
from codegen.grounding.schema import SchemaChecker
from codegen.grounding.sources import SourceIndex, read_index, write_index
from codegen.model.generate import Generation, Generator
from codegen.model.load import load_model
from codegen.pipeline import Pipeline
from codegen.validate import validate_tasks
from tests.test_pipeline import Scripted

VIABLE = [
    ("  ansible.builtin.apt:\n    name: nginx\n    state: present\n", True, True),
    ("  ansible.builtin.apt:\n    name: nginx\n    state: install\n", True, False),
    ("  ansible.builtin.apt:\n    name: nginx\n    state: pres", False, True),
    ("  ansible.builtin.apt:\n    name: nginx\n    state: inst", False, False),
    ("  ansible.builtin.ap", False, True),
    ("  ansible.builtin.apt:\n    name: nginx\n    name: git\n", True, False),   # an option twice
    ("  ansible.builtin.apt:\n    name: nginx\n    pkg: git\n", True, False),    # an option and its alias
    ("  ansible.builtin.apt:\n    state: present\n    stat", False, False),      # only a used option starts so
    ("  ansible.builtin.apx", False, False),
    ("  community.general.oneview_d(name: x", False, False),                 # junk after a partial key
    ("  ansible.builtin.file:\n    path: /x\n    colour: red\n", True, False),
    ("  ansible.builtin.file:\n    path: /x\n    own", False, True),
    ("  ansible.builtin.file:\n    path: /x\n  ansible.builtin.copy:\n", True, False),
    ("  ansible.builtin.user:\n    shell: /bin/bash\n", True, False),        # required 'name' missing
    ("  ansible.builtin.command: ls -l\n  changed_when: false\n", True, True),
    ("  ansible.builtin.service:\n    name: x\n    enabled: yes\n", True, False),  # booleans are true/false
    ("  ansible.builtin.service:\n    name: x\n    enabled: '{{ flag }}'\n", True, True),
    ("  ansible.builtin.copy:\n    content: |\n      foo: bar\n    dest: /x\n    mode: '0644'\n", True, True),
    ("  ansible.builtin.copy:\n    src: a\n    dest: /x\n", True, False),                # lint: risky-file-permissions
    ("  ansible.builtin.file:\n    path: /x\n    state: directory\n", True, False),      # same
    ("  ansible.builtin.file:\n    path: /x\n    state: absent\n", True, True),
    ("  ansible.builtin.shell: make install\n", True, False),                           # lint: no-changed-when
    ("  ansible.builtin.shell: make install\n  args:\n    creates: /usr/bin/x\n", True, True),
    ("  ansible.builtin.debug:\n    msg: '{{ q(\"x\", (a) }}'\n", True, False),       # broken Jinja
    ("  ansible.builtin.debug:\n    msg: hi\n  when: (a and b\n", True, False),          # broken condition
    ("  ansible.builtin.debug:\n    msg: " + "x" * 170 + "\n", True, False),            # line too long
    ("  ansible.builtin.import_tasks:\n    - a.yml\n", True, False),                      # arguments as a list
    ("  ansible.builtin.service:\n    name: x\n    enabled: 'yes'\n", True, True),         # a quoted boolean
    ("  ansible.builtin.service:\n    name: x\n    enabled: '${flag}'\n", True, False),
    ("  ansible.builtin.stat:\n    path: /x\n  register: x.pem\n", True, False),          # not a variable name
    ("  ansible.builtin.wait_for:\n    port: 8080\n", True, True),
    ("  ansible.builtin.wait_for:\n    port: http\n", True, False),                     # an int option
    ("  ansible.builtin.wait_for:\n    port: '{{ http_port }}'\n", True, True),
    ("  ansible.builtin.wait_for:\n    port: 80", False, True),
    ("  community.general.timezone:\n    name: UTC\n    hwclock:\n      - x\n", True, False),  # a choice, not a list
    ("  ansible.builtin.debug:\n    msg: hi\n  when:\n    - (a and\n", True, False),      # a broken condition below
    ("  community.docker.docker_container:\n    name: web\n    healthcheck:\n      test: x\n      bogus: 1\n", True, False),
    ("  community.docker.docker_container:\n    name: web\n    mounts:\n      - source: /a\n        target: /b\n", True, True),
    ("  community.docker.docker_container:\n    name: web\n    mounts:\n      - source: /a\n        targex: /b\n", True, False),
    ("  when: x\n  ansible.builtin.debug:\n    msg: hi\n", True, True),
    ("  when: x\n", True, False),                                            # no module at all
    ("  example.infra.app_release:\n    name: shop\n    version: 1.2.0\n", True, True),  # private collection
]


@pytest.mark.parametrize("text, final, expected", VIABLE)
def test_schema_state_machine(catalog, text, final, expected):
    assert SchemaChecker(catalog).viable(text, final=final) is expected


def test_notify_must_name_an_existing_handler(catalog):
    checker = SchemaChecker(catalog, handlers=["Restart nginx"])
    task = "  ansible.builtin.template:\n    src: a.j2\n    dest: /etc/a\n    mode: '0644'\n  notify: "
    assert checker.viable(task + "Restart nginx\n", final=True)
    assert not checker.viable(task + "Restart apache\n", final=True)


class PreferInvalid(SchemaConstraint):
    """A model that strongly prefers an invalid choice: its logits are biased toward `target`."""

    def __init__(self, checker, target):
        super().__init__(checker)
        self.target = target

    def choose(self, text, logits, extend, to_full, eos):
        biased = logits.clone()
        if self.target.startswith(text) and len(text) < len(self.target):
            for index in torch.argsort(logits, descending=True)[:400].tolist():
                piece = extend(to_full(index))
                if self.target.startswith(piece) and len(piece) > len(text):
                    biased[index] += 1000.0
        return super().choose(text, biased, extend, to_full, eos)


def test_a_model_that_prefers_an_invalid_choice_cannot_emit_it(catalog, tiny_model_dir):
    model, tokenizer, _ = load_model(str(tiny_model_dir), adapter=None, dtype="float32")
    target = "  ansible.builtin.file:\n    path: /srv/app\n    state: install\n"
    unconstrained = Generator(model, tokenizer, max_new_tokens=60)
    biased_only = PreferInvalid(SchemaChecker(catalog), target)
    biased_only.checker.viable = lambda text, final=False: True  # no schema: the bias wins
    assert unconstrained.generate("- name: Make app dir\n", constraint=biased_only).text.startswith(target)
    constrained = PreferInvalid(SchemaChecker(catalog), target)
    text = unconstrained.generate("- name: Make app dir\n", constraint=constrained).text
    assert text.startswith("  ansible.builtin.file:\n    path: /srv/app\n    state: ")
    assert "state: install" not in text
    state = text.split("state: ", 1)[1].split("\n", 1)[0]
    # a literal value can only be (the start of) a valid choice; a quoted Jinja expression is allowed
    assert any(c.startswith(state) for c in ("absent", "directory", "file", "hard", "link", "touch")) \
        or state.startswith(('"{{', "'{{"))
    assert constrained.interventions > 0


CONTEXT = """- hosts: db
  vars:
    app_user: deploy
    db_password: hunter2hunter2
  tasks:
    - name: Install postgres
      ansible.builtin.package:
        name: postgresql
      vars:
        api_token: ghp_abcdefghijklmnopqrstuvwxyz0123456789
  handlers:
    - name: Restart postgres
      ansible.builtin.service:
        name: postgresql
        state: restarted
"""


def test_secrets_never_reach_the_prompt_or_the_output(catalog):
    answers = {"Create the db user": "  community.postgresql.postgresql_user:\n    name: deploy\n"
                                     "    password: hunter2hunter2\n"}
    backend = Scripted(answers)
    result = Pipeline(backend, catalog, lint=False).run("create the db user", context=CONTEXT)
    prompt = backend.prompts[0]
    assert "hunter2hunter2" not in prompt and "ghp_abcdef" not in prompt
    assert "hunter2hunter2" not in result.yaml
    task = yaml.safe_load(result.yaml)[0]
    args = task["community.postgresql.postgresql_user"]
    assert args["password"] == "{{ vault_db_password }}" and task["no_log"] is True
    assert args["name"] == "{{ app_user }}"  # an existing variable instead of the literal
    assert "Install postgres" in prompt       # preceding tasks are the model's context


def test_context_reads_handlers_variables_and_tasks():
    ctx = parse_context(CONTEXT)
    assert ctx.handlers == ["Restart postgres"] and ctx.variables["app_user"] == "deploy"
    assert ctx.tasks[0].startswith("- name: Install postgres\n  ansible.builtin.package:")
    assert parse_context("{not: [valid").tasks == [] and parse_context("just a string").handlers == []


def test_private_module_is_found_and_validated(catalog):
    assert "example.infra.app_release" in [m for m, _ in catalog.search("deploy application release", 5)]
    good = "- name: Deploy shop\n  example.infra.app_release:\n    name: shop\n    version: 1.2.0\n"
    assert not [p for p in validate_tasks(good, catalog, lint=False) if p.level == "error"]
    bad = good + "    colour: red\n"
    assert any("colour" in str(p) for p in validate_tasks(bad, catalog, lint=False))


def test_source_matches_carry_licence_path_and_score(tmp_path):
    rows = [{"request": "Install nginx", "module": "ansible.builtin.package",
             "completion": "  ansible.builtin.package:\n    name: nginx\n",
             "source": {"kind": "role", "collection": "acme.web", "version": "1.0.0", "path": "roles/web/tasks/main.yml",
                        "licence": "GPL-3.0-or-later", "line": 3}},
            {"request": "Create user", "module": "ansible.builtin.user", "completion": "  ansible.builtin.user:\n    name: bob\n",
             "source": {"kind": "example", "collection": "ansible.builtin", "version": "2.19", "path": "modules/user.py",
                        "licence": "GPL-3.0-or-later", "line": 1}}]
    write_index(rows, tmp_path / "sources.jsonl.gz")
    matches = SourceIndex.load(tmp_path / "sources.jsonl.gz").match(
        "- name: Install nginx\n  ansible.builtin.package:\n    name: nginx\n", "ansible.builtin.package")
    assert matches[0]["path"] == "roles/web/tasks/main.yml" and matches[0]["licence"] == "GPL-3.0-or-later"
    assert matches[0]["collection"] == "acme.web" and matches[0]["version"] == "1.0.0"
    assert matches[0]["score"] == 1.0 and matches[1]["score"] < 1.0


def test_retrieved_examples_are_shown_as_preceding_tasks(tmp_path, catalog):
    from codegen.grounding.retrieval import ExampleRetriever

    rows = [{"request": r, "module": m, "completion": c, "source": {"kind": "example", "collection": "x.y",
             "version": "1", "path": "p", "licence": "MIT", "line": 1}} for r, m, c in [
        ("Install the nginx package", "ansible.builtin.apt", "  ansible.builtin.apt:\n    name: nginx\n"),
        ("Create a user account", "ansible.builtin.user", "  ansible.builtin.user:\n    name: bob\n"),
        ("Install git from packages", "ansible.builtin.package", "  ansible.builtin.package:\n    name: git\n")]]
    write_index(rows, tmp_path / "s.jsonl.gz")
    retriever = ExampleRetriever(read_index(tmp_path / "s.jsonl.gz"), k=2)
    examples = retriever.examples("install nginx package")
    assert len(examples) == 2 and examples[-1].startswith("- name: Install the nginx package\n  ansible.builtin.apt:")
    backend = Scripted({})
    Pipeline(backend, catalog, lint=False, retriever=retriever).run("install nginx package")
    assert backend.prompts[0].index("Install the nginx package") < backend.prompts[0].index("- name: Install nginx package")


@pytest.mark.parametrize("text,final,expected", [
    ("  ansible.builtin.set_fact:\n    app_port: 8080\n", True, True),  # set_fact's keys are the user's variables
    ("  ansible.builtin.set_fact:\n    - app_port: 8080\n", False, False),  # arguments are a mapping, not a list
    ("  community.general.one_vm:\n    instance_ids: [1]\n    disk_saveas: true\n", False, False),  # dict option, scalar
    ("  community.general.one_vm:\n    instance_ids: [1]\n    disk_saveas:\n      disk_id: 0\n", False, True),
    ("  community.general.one_vm:\n    template_id: 1\n    networks:\n      - name\n", False, False),  # dict elements
    ("  community.general.one_vm:\n    template_id: 1\n    networks:\n      - NETWORK_ID: 0\n", False, True),
])
def test_open_modules_and_mapping_shaped_options(catalog, text, final, expected):
    assert SchemaChecker(catalog).viable(text, final=final) is expected


SERVICE = "  ansible.builtin.service:\n    name: x\n    state: restarted\n"


@pytest.mark.parametrize("text,expected", [
    (SERVICE + "  when: result.changed\n", False),      # ansible-lint no-handler: a handler's job
    (SERVICE + "  when: result is changed\n", False),
    (SERVICE + "  when: result.changed and x\n", True),
    (SERVICE + "  when:\n", False),                     # null to Ansible (schema[tasks])
    (SERVICE + "  with_items:\n", False),
    ("  ansible.builtin.copy:\n    content: |\n      a  \n    dest: /x\n    mode: '0644'\n", False),  # trailing
    ("  ansible.builtin.copy:\n    content: |\n      a\n    dest: /x\n    mode: '0644'\n", True),
])
def test_what_lint_would_reject_cannot_finish_a_task(catalog, text, expected):
    assert SchemaChecker(catalog).viable(text, final=True) is expected


def test_an_answer_cut_at_the_token_limit_keeps_its_complete_lines(catalog):
    runaway = ("  ansible.builtin.copy:\n    src: app.conf\n    dest: /etc/app.conf\n    mode: \"0644\"\n"
               "  when: (item.dest is defined and item.dest is truthy) or (item.path is defined and")
    checker = SchemaChecker(catalog)
    assert checker.complete_prefix(runaway) == runaway.rsplit("\n", 1)[0] + "\n"

    class CutOff(Scripted):
        def complete(self, prompt, constraint=None, cancelled=None):
            from dataclasses import replace

            return replace(super().complete(prompt, constraint, cancelled), stopped="max_tokens")

    result = Pipeline(CutOff({"Copy the config": runaway}), catalog, lint=False).run("copy the config")
    assert "when:" not in result.yaml and result.valid, result
    assert any("ran past the token limit" in p for p in result.problems)


GET = "  ansible.builtin.get_url:\n    url: https://example.com/a\n    dest: /tmp/a\n    mode: '0644'\n"


@pytest.mark.parametrize("text,expected", [
    (GET + "  notify: true\n", False),                   # notify names handlers
    (GET + "  ignore_errors: true\n", False),            # ansible-lint ignore-errors
    (GET + "  become: yes\n", False), (GET + "  become: true\n", True),
    (GET + "  retries: five\n", False), (GET + "  retries: 5\n  delay: 2\n", True),
    (GET + "  tags:\n    - /tmp/checkout\n    - /tmp/checkout\n", False),  # a line looping
    (GET + "  loop: '{{ x }}' # noqa foo\n", False),     # comments after values
    ("  ansible.builtin.debug:\n    msg: 'a # b'\n", True),
    ("  ansible.builtin.command: systemctl stop x\n  changed_when: false\n", False),  # command-instead-of-module
    ("  ansible.builtin.command: /usr/local/bin/app --check\n  changed_when: false\n", True),
    ("  community.general.redfish_command:\n    category: Systems\n    command: [PowerOn]\n    baseuri: x\n"
     "    virtual_media:\n      - image_url: x\n", False),  # a dict of suboptions written as a list
    (GET + "".join(f"  {k}: true\n" for k in ("become", "no_log", "run_once", "check_mode", "diff", "any_errors_fatal"))
     + "  retries: 1\n  delay: 1\n  throttle: 1\n", False),  # more than 8 keywords: rambling
])
def test_rules_against_rambling_and_lint_findings(catalog, text, expected):
    assert SchemaChecker(catalog).viable(text, final=True) is expected


def test_a_playbook_from_scratch_reads_only_variables_it_defines(catalog):
    from codegen.grounding.schema import jinja_roots

    assert jinja_roots('{{ q("flattened", a__packages) | default(b) }} {{ item.name is defined }}') == [
        ("a__packages", True), ("b", True), ("item", True)]
    assert jinja_roots("result is succeeded and x.changed", bare=True) == [("result", True), ("x", True)]
    checker = SchemaChecker(catalog, variables={"installed"})
    package = "  ansible.builtin.package:\n    name: "
    assert checker.viable(package + "nginx\n    state: present\n", final=True)
    assert not checker.viable(package + "'{{ role__packages }}'\n")       # a role's variable: not here
    assert not checker.viable(package + "'{{ pg_")                          # refused while it is typed
    assert checker.viable(package + "'{{ item }}'\n    state: present\n  loop:\n    - nginx\n", final=True)
    assert not checker.viable(package + "'{{ item }}'\n  loop:\n    - '{{ role__list }}'\n")  # list items too
    assert checker.viable(package + "'{{ ansible_distribution | lower }}'\n")  # facts are always there
    assert checker.viable("  ansible.builtin.debug:\n    msg: hi\n  when: installed is succeeded\n", final=True)
    assert SchemaChecker(catalog).viable(package + "'{{ role__packages }}'\n")  # no restriction by default


def test_from_scratch_only_host_facts_count(catalog):
    checker = SchemaChecker(catalog, variables=set())
    assert checker.viable("  ansible.builtin.debug:\n    msg: '{{ ansible_distribution }}'\n", final=True)
    assert not checker.viable("  ansible.builtin.debug:\n    msg: '{{ ansible_local.app }}'\n")


def test_free_form_arguments_must_be_a_template_that_parses(catalog):
    checker = SchemaChecker(catalog)
    assert not checker.viable("  ansible.builtin.command: app --password {{ a b }}\n  changed_when: false\n", final=True)
    assert checker.viable("  ansible.builtin.command: app --password {{ a_b }}\n  changed_when: false\n  no_log: true\n",
                          final=True)


def test_templates_close_on_their_line_and_conditions_read_known_variables(catalog):
    checker = SchemaChecker(catalog, variables=set())
    split = "  ansible.builtin.debug:\n    msg:\n      - '{{ n\n        | lower }}'\n"
    assert not checker.viable(split)  # a name cut by a line break would escape the check
    assert not checker.viable("  ansible.builtin.debug:\n    msg: hi\n  until: n = n\n")
    assert checker.viable("  ansible.builtin.debug:\n    msg: \"{{ lookup('env', 'HOME', default='x') }}\"\n", final=True)


def test_only_known_functions_may_be_called(catalog):
    from codegen.grounding.schema import jinja_roots

    assert jinja_roots("{{ lookup('env', 'HOME') }}") == []
    assert jinja_roots("{{ p(n=2) }}") == [("p", True)]  # not a function Jinja or Ansible defines


def test_a_finished_line_finishes_its_names(catalog):
    checker = SchemaChecker(catalog, variables=set())
    assert not checker.viable("  ansible.builtin.debug:\n    msg: hi\n  until: n\n")  # 'n' is no prefix any more
    assert checker.viable("  ansible.builtin.debug:\n    msg: hi\n  until: n")  # still being typed


def test_an_invalid_answer_is_asked_again_without_the_examples(tmp_path, catalog):
    """A first answer that fails the checks (here: required options never written) is retried with
    the prompt without retrieved examples; the valid second answer is kept, and the note says so."""
    from codegen.grounding.retrieval import ExampleRetriever

    rows = [{"request": "Render the web site template", "module": "ansible.builtin.template",
             "completion": "  ansible.builtin.template:\n    src: a.j2\n    dest: /a\n",
             "source": {"kind": "example", "collection": "x.y", "version": "1", "path": "p", "licence": "MIT", "line": 1}}]
    write_index(rows, tmp_path / "s.jsonl.gz")
    retriever = ExampleRetriever(read_index(tmp_path / "s.jsonl.gz"), k=1)

    class ByPrompt(Scripted):
        def complete(self, prompt, constraint=None, cancelled=None):
            self.prompts.append(prompt)
            shown = "src: a.j2" in prompt
            text = "  ansible.builtin.template:\n  tags: [x]\n" if shown else \
                "  ansible.builtin.template:\n    src: site.j2\n    dest: /etc/site\n    mode: '0644'\n"
            return Generation(text=text, new_tokens=5, prompt_tokens=9, seconds=0.01, first_token_seconds=0.001,
                              stopped="eos")

    backend = ByPrompt({})
    result = Pipeline(backend, catalog, lint=False, retriever=retriever).run("render the site template")
    assert len(backend.prompts) == 2 and "src: a.j2" in backend.prompts[0] and "src: a.j2" not in backend.prompts[1]
    assert result.valid and "src: site.j2" in result.yaml
    assert any("without retrieved examples" in p for p in result.problems)

    class AlwaysBad(ByPrompt):
        def complete(self, prompt, constraint=None, cancelled=None):
            generation = super().complete(prompt, constraint, cancelled)
            generation.text = "  ansible.builtin.template:\n  tags: [x]\n"
            return generation

    result = Pipeline(AlwaysBad({}), catalog, lint=False, retriever=retriever).run("render the site template")
    assert not result.valid and any("no prompt gave a task that passes every check" in p for p in result.problems)
    assert any("missing required option 'src'" in p for p in result.problems)


LOOP = "default(result.json.Oem.Dell.Memory | "


@pytest.mark.parametrize("text,final,expected", [
    ("  ansible.builtin.set_fact:\n", True, False),                      # sets nothing: Ansible refuses it
    ("  ansible.builtin.set_fact:\n    memory:\n", True, False),         # ... a key cut from its value too
    ("  ansible.builtin.set_fact:\n    cacheable: true\n", True, False),
    ("  ansible.builtin.set_fact:\n    memory:\n      \"{{ a }}\"\n", True, True),
    ("  ansible.builtin.set_fact:\n    memory: \"{{ x | " + LOOP * 3, False, False),  # a loop in one line
    ("  ansible.builtin.set_fact:\n    memory: \"{{ x | " + LOOP * 2, False, True),
    ("  ansible.builtin.set_fact:\n    memory:\n      \"{{ a(b(c) }}\"", False, False),  # broken Jinja, quote closed
    ("  ansible.builtin.set_fact:\n    memory:\n      \"{{ a(b(c)) }}\"", False, True),
    ("  ansible.builtin.set_fact:\n    memory:\n      \"{{ a }}\"  //", False, False),  # text after the closing quote
    ("  ansible.builtin.set_fact:\n    memory: \"{{ a }}\"  #", False, False),   # a comment being started
    ("  ansible.builtin.debug:\n    msg: \"a #", False, True),                   # ... not inside a string
    ("  ansible.builtin.debug:\n    msg: 'it''s # x'\n", True, True),
    ("  ansible.builtin.debug:\n    msg: \"a\"\r", False, False),                # control characters
])
def test_runaways_and_empty_facts_cannot_finish(catalog, text, final, expected):
    assert SchemaChecker(catalog).viable(text, final=final) is expected


def test_repair_keeps_the_variables_set_fact_sets(catalog):
    from codegen.grounding.repair import repair

    text = "- name: Set it\n  ansible.builtin.set_fact:\n    app_port: 8080\n"
    assert repair(text, catalog) == (text, [])
    assert any("sets no variable" in str(p) for p in validate_tasks(
        "- name: Set it\n  ansible.builtin.set_fact: {}\n", catalog, lint=False))


def test_a_dead_end_ends_decoding_and_keeps_the_valid_lines(catalog):
    """A line at the width limit whose template is still open can neither go on nor end: the
    constraint ends decoding there (EOS) instead of writing on unchecked, and the pipeline keeps
    the complete valid lines before it."""
    valid = "  ansible.builtin.debug:\n    msg: hello\n"
    text = valid + "  when: '{{ " + "a" * 148
    assert not SchemaChecker(catalog).viable(text + "\n") and not SchemaChecker(catalog).viable(text + "b")
    pieces = ["<eos>", "b", "\n", " }}'", "cc"]
    constraint = SchemaConstraint(SchemaChecker(catalog))
    logits = torch.tensor([0.0, 5.0, 4.0, 3.0, 2.0])
    index = constraint.choose(text, logits, lambda full: text + pieces[full], lambda i: i, {0})
    assert index == 0 and constraint.dead_end
    assert SchemaChecker(catalog).complete_prefix(text) == valid


def test_a_list_item_written_again_ends_decoding_before_the_repeat(catalog):
    """A looping model writes the same loop item until the token budget cuts it (seen on a real role:
    one path five times, 200 tokens): at the first whole line that repeats the item before it (trailing
    blanks aside), the constraint ends decoding and says where the repeat starts."""
    head = "  ansible.builtin.file:\n    path: '{{ item }}'\n    state: directory\n    mode: '0755'\n  loop:\n    - /etc/a\n"
    pieces = ["<eos>", "    - /etc/a", "\n"]
    logits = torch.tensor([0.0, 5.0, 4.0])
    constraint = SchemaConstraint(SchemaChecker(catalog))
    assert constraint.choose(head, logits, lambda full: head + pieces[full], lambda i: i, {0}) == 1
    assert constraint.repeat_at is None  # one item: nothing repeats
    looped = head + "    - /etc/a  \n"
    assert constraint.choose(looped, logits, lambda full: looped + pieces[full], lambda i: i, {0}) == 0
    assert looped[:constraint.repeat_at] == head
    other = SchemaConstraint(SchemaChecker(catalog))
    two = head + "    - /etc/b\n"
    assert other.choose(two, logits, lambda full: two + pieces[full], lambda i: i, {0}) == 1
    assert other.repeat_at is None


LINEINFILE = "  ansible.builtin.lineinfile:\n    path: /etc/hosts\n    line: 10.0.0.1 db\n    insertafter: EOF\n"


def test_options_a_module_refuses_together_are_known_checked_refused_and_repaired(catalog):
    """mutually_exclusive comes from the module's source (catalog), validation reports it, decoding
    cannot start the second option (nor its alias: apt's `pkg` is `name`), repair drops the later one."""
    from codegen.grounding.repair import repair

    assert ["insertbefore", "insertafter"] in catalog.get("ansible.builtin.lineinfile").mutually_exclusive
    assert ["deb", "name", "upgrade"] in catalog.get("ansible.builtin.apt").mutually_exclusive
    both = "- name: Add host\n" + LINEINFILE + "    insertbefore: BOF\n"
    assert any("mutually exclusive: insertbefore|insertafter" in str(p) for p in validate_tasks(both, catalog, lint=False))
    checker = SchemaChecker(catalog)
    assert not checker.viable(LINEINFILE + "    insertbef")
    assert checker.viable(LINEINFILE + "    state: present\n", final=True)
    assert not checker.viable("  ansible.builtin.apt:\n    pkg: nginx\n    deb: /tmp/a.deb\n")
    fixed, notes = repair(both, catalog)
    assert "insertbefore" not in fixed and "insertafter: EOF" in fixed
    assert any("cannot be given together with insertafter" in n for n in notes)
    assert not validate_tasks(fixed, catalog, lint=False)


def test_mutually_exclusive_groups_are_read_from_literal_source(tmp_path):
    from codegen.catalog.extract import mutually_exclusive

    module = tmp_path / "m.py"
    module.write_text("module = AnsibleModule(argument_spec=spec,\n    mutually_exclusive=[('a', 'pkg'), ['x', 'y'], "
                      "['a', '_raw']],\n    supports_check_mode=True)\nother = dict(mutually_exclusive=GROUPS)\n")
    options = {"a": {}, "b": {"aliases": ["pkg"]}, "x": {}}
    assert mutually_exclusive(module, options) == [["a", "b"]]  # alias resolved; unknown names dropped


def test_required_if_rules_are_read_from_literal_source(tmp_path):
    from codegen.catalog.extract import required_if

    module = tmp_path / "m.py"
    module.write_text("module = AnsibleModule(argument_spec=spec, required_if=[\n    ('state', 'present', ['src', 'fs']),\n"
                      "    ('force', True, ('a', 'b'), True),\n    ('state', 'absent', ['sub.option']),\n"
                      "    ('unknown', 'x', ['src'])])\nother = dict(required_if=build())\n")
    options = {"state": {}, "src": {}, "fstype": {"aliases": ["fs"]}, "force": {}, "a": {}, "b": {}}
    # alias resolved; a rule naming an undocumented option (a suboption, a typo) is left out
    assert required_if(module, options) == [["state", "present", ["src", "fstype"], False],
                                            ["force", True, ["a", "b"], True]]


def test_options_required_by_another_options_value_are_known_checked_and_awaited(catalog):
    """mount with state: present needs src and fstype (its required_if): the catalog knows it,
    validation reports it, and decoding does not let the task end without them."""
    mount = catalog.get("ansible.posix.mount")
    assert ["state", "present", ["src", "fstype"], False] in mount.required_if
    assert mount.required_given({"state": "present", "src": "x"}) == ["fstype"]
    assert mount.required_given({"state": "unmounted"}) == []
    body = "  ansible.posix.mount:\n    path: /data\n    src: /dev/sdb1\n    state: present\n"
    assert any("missing: fstype" in str(p) for p in validate_tasks("- name: Mount\n" + body, catalog, lint=False))
    checker = SchemaChecker(catalog)
    assert not checker.viable(body, final=True)
    assert checker.viable(body + "    fstype: ext4\n", final=True)
    assert checker.viable(body.replace("present", "unmounted"), final=True)
    templated = body.replace("present", "'{{ mount_state }}'")
    assert not any("missing" in str(p) for p in validate_tasks("- name: Mount\n" + templated, catalog, lint=False))


@pytest.mark.parametrize("item,variables,expected", [
    ("machine__enabled | bool", set(), False),          # an undefined variable in a list condition
    ("ansible_os_family == 'Debian'", set(), True),     # a fact is always there
    ("result is succeeded", {"result"}, True),
    ("a ==", None, False),                              # each item must parse as a condition
])
def test_conditions_written_as_a_list_are_checked_item_by_item(catalog, item, variables, expected):
    body = f"  ansible.builtin.service:\n    name: x\n    state: started\n  when:\n    - {item}\n"
    assert SchemaChecker(catalog, variables=variables).viable(body, final=True) is expected


def test_hand_written_common_tasks_are_valid_and_retrieved(catalog):
    """Every hand-written everyday example passes the argument-spec check and ansible-lint
    (production), names a module in the catalog, and a plain request finds a plain example."""
    from codegen.grounding.retrieval import COMMON_TASKS, ExampleRetriever, common_rows

    rows = common_rows()
    assert len(rows) >= 60 and all(catalog.get(r["module"]) for r in rows)
    assert validate_tasks(COMMON_TASKS.read_text(), catalog, lint=True) == []
    assert all(r["licence"] == "MIT" and r["task"].startswith("  ") for r in rows)
    vendor = {"request": "Install nginx rpm from a local file", "module": "ansible.builtin.dnf",
              "task": "  ansible.builtin.dnf:\n    name: /usr/local/src/nginx-release-centos-6-0.el6.ngx.noarch.rpm\n"}
    examples = ExampleRetriever([vendor] + rows, k=2).examples("install nginx")
    assert "ansible.builtin.package:\n    name: nginx" in examples[-1]


def test_retrieval_ignores_phrasing_and_url_boilerplate():
    from codegen.grounding.retrieval import query_words

    assert query_words("make sure https://www.example.com/app.tar.gz is in /tmp") == ["example", "app", "tar", "gz"]
    assert query_words("ensure /etc/motd contains Welcome") == ["contains", "welcome", "motd"]


@pytest.mark.parametrize("tail,expected", [
    ("  tags:\n    - unzip\n    - unzip_app\n    - unzip_app_app\n", False),   # grows by the same text: a loop
    ("  loop:\n    - /srv\n    - /srv/app\n    - /srv/app/logs\n", True),      # nested paths are fine
    ("  until: 10\n", False),                                                   # a condition, not a number
    ("  until: 1000", False),                                                   # ... not even while written
])
def test_growing_lists_and_numeric_conditions_are_refused(catalog, tail, expected):
    assert SchemaChecker(catalog).viable(GET + tail, final=tail.endswith("\n")) is expected


def test_with_lint_on_an_answer_lint_rejects_gets_the_second_try(tmp_path, catalog):
    from codegen.grounding.retrieval import ExampleRetriever

    rows = [{"request": "Run the setup script now", "module": "ansible.builtin.command",
             "task": "  ansible.builtin.command: /opt/setup.sh\n"}]
    answers = iter(["  ansible.builtin.shell: cat /etc/app.conf | grep x\n  changed_when: false\n",  # risky-shell-pipe
                    "  ansible.builtin.command: /opt/setup.sh\n  changed_when: false\n"])

    class TwoAnswers(Scripted):
        def complete(self, prompt, constraint=None, cancelled=None):
            self.prompts.append(prompt)
            return Generation(text=next(answers), new_tokens=5, prompt_tokens=9, seconds=0.01,
                              first_token_seconds=0.001, stopped="eos")

    backend = TwoAnswers({})
    result = Pipeline(backend, catalog, lint=True, retriever=ExampleRetriever(rows, k=1)).run("run the setup script")
    assert len(backend.prompts) == 2 and result.valid and "/opt/setup.sh" in result.yaml, result


def test_option_summary_of_the_nearest_examples_module_tops_the_prompt(catalog):
    """--option-summary: the options of the module the nearest example uses, required first, then
    choices, as comment lines above the examples; off by default."""
    from codegen.grounding.retrieval import ExampleRetriever
    from codegen.grounding.summary import option_summary

    from types import SimpleNamespace

    described = SimpleNamespace(fqcn="x.y.z", options={"mode": {"choices": {"fast": "quick", "slow": "careful"}}})
    assert option_summary(described) == "# x.y.z options: mode: fast|slow\n"  # docs may give choices as a dict
    summary = option_summary(catalog.get("ansible.builtin.file"))
    assert summary.startswith("# ansible.builtin.file options: path (required path), state: absent|directory")
    assert all(line.startswith("#") and len(line) <= 160 for line in summary.splitlines())
    rows = [{"request": "Create the app directory", "module": "ansible.builtin.file",
             "task": "  ansible.builtin.file:\n    path: /srv/app\n    state: directory\n    mode: '0755'\n"}]
    for on in (True, False):
        backend = Scripted({})
        Pipeline(backend, catalog, lint=False, retriever=ExampleRetriever(rows, k=1), option_summary=on).run(
            "create the app directory")
        assert backend.prompts[0].startswith(summary) is on


def test_a_one_value_option_cannot_take_a_mapping_or_list_below_it(catalog):
    checker = SchemaChecker(catalog)
    assert not checker.viable("  ansible.builtin.file:\n    path:\n      name: x\n")
    assert not checker.viable("  ansible.builtin.file:\n    path:\n      - a\n")
    assert checker.viable("  ansible.builtin.debug:\n    msg:\n      some longer text\n")  # a folded string is fine
    # documented as str, yet a mapping of keywords: docs are not trusted that far
    assert checker.viable("  ansible.builtin.include_tasks:\n    file: a.yml\n    apply:\n      tags: [a]\n", final=True)


def test_a_line_ending_in_a_short_unit_repeated_is_a_loop():
    from codegen.grounding.schema import is_repeating

    assert is_repeating("      name_file_type" + "_id" * 8)
    assert not is_repeating("    msg: '" + "-" * 30)       # a rule of dashes is text, not a loop
    assert not is_repeating("    line: 'PermitRootLogin no'")


def test_repair_makes_the_usual_file_mode_explicit(catalog):
    """ansible-lint's risky-file-permissions: a task that creates a file names its mode; repair adds
    the default a new file gets (0644; a directory 0755), never where nothing is created."""
    from codegen.grounding.repair import explicit_mode, repair

    text = "- name: Fetch it\n  ansible.builtin.get_url:\n    url: https://example.com/a.tgz\n    dest: /tmp/a.tgz\n"
    fixed, notes = repair(text, catalog)
    assert "mode: '0644'" in fixed and any("risky-file-permissions" in n for n in notes)
    assert explicit_mode("ansible.builtin.file", {"path": "/srv/app", "state": "directory"}) == "0755"
    assert explicit_mode("ansible.builtin.file", {"path": "/srv/app", "state": "absent"}) is None
    assert explicit_mode("ansible.builtin.file", {"path": "/srv/app"}) is None  # state file creates nothing
    assert explicit_mode("ansible.builtin.file", {"path": "/a", "src": "/b", "state": "link"}) is None
    assert explicit_mode("ansible.builtin.lineinfile", {"path": "/a", "line": "x"}) is None
    assert explicit_mode("ansible.builtin.lineinfile", {"path": "/a", "line": "x", "create": True}) == "0644"
    assert explicit_mode("ansible.builtin.copy", {"src": "a", "dest": "/b", "mode": "0600"}) is None
