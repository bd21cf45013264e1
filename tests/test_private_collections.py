"""Private collections: a module the model never saw is chosen from its documentation when it fits.

Fast tests use a small catalog made here (a few real public modules and a private collection
written in the test) and a scripted backend; the e2e test writes a collection into a temporary
directory, puts it on ANSIBLE_COLLECTIONS_PATH and runs the real CLI on the embedded model."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from codegen.catalog.store import Catalog, installed_key
from codegen.grounding.candidates import Candidates, module_examples
from codegen.grounding.decoding import ModuleLock
from codegen.grounding.schema import SchemaChecker
from codegen.model.generate import Generation
from codegen.pipeline import Pipeline

PUBLIC = ["ansible.builtin.package", "ansible.builtin.service", "ansible.builtin.copy", "ansible.builtin.file",
          "community.general.apk", "community.general.oneandone_server", "community.general.pagerduty"]

WINDOW_DOC = """
module: maintenance_window
short_description: Open or close a maintenance window for a service
description:
  - Opens a maintenance window for a service in the ops portal; alerts for the service are muted meanwhile.
options:
  service:
    description: Service name as listed in the ops portal.
    type: str
    required: true
  state:
    description: V(open) starts the window now, V(closed) ends it.
    type: str
    choices: [open, closed]
    default: open
  duration_minutes:
    description: How long the window stays open.
    type: int
    default: 60
  api_token:
    description: Token for the ops portal.
    type: str
    no_log: true
"""

WINDOW_EXAMPLES = """
- name: Open a two hour maintenance window for billing
  testco.ops.maintenance_window:
    service: billing
    duration_minutes: 120

- name: Close the maintenance window of search
  testco.ops.maintenance_window:
    service: search
    state: closed

- name: Something else in the same EXAMPLES
  ansible.builtin.debug:
    msg: hi
"""


def write_collection(root: Path, doc: str = WINDOW_DOC, examples: str = WINDOW_EXAMPLES) -> Path:
    """A private collection testco.ops with one module, as a team would keep it (no MANIFEST.json)."""
    modules = root / "ansible_collections" / "testco" / "ops" / "plugins" / "modules"
    modules.mkdir(parents=True)
    (modules / "maintenance_window.py").write_text(
        f'DOCUMENTATION = r"""{doc}"""\n\nEXAMPLES = r"""{examples}"""\n\n'
        "from ansible.module_utils.basic import AnsibleModule\n\n\ndef main():\n"
        "    module = AnsibleModule(argument_spec=dict(service=dict(type='str', required=True),\n"
        "        state=dict(type='str', choices=['open', 'closed'], default='open'),\n"
        "        duration_minutes=dict(type='int', default=60), api_token=dict(type='str', no_log=True)))\n"
        "    module.exit_json(changed=True)\n\n\nif __name__ == '__main__':\n    main()\n")
    return modules / "maintenance_window.py"


@pytest.fixture(scope="module")
def small_catalog(catalog, tmp_path_factory):
    """Real public modules plus the private testco.ops, read by the catalog's own builder."""
    from codegen.catalog.build import module_record

    folder = tmp_path_factory.mktemp("private")
    path = write_collection(folder)
    record = module_record("testco.ops.maintenance_window", path, fragments=None)
    record["collection"] = "testco.ops"
    examples = {"testco.ops.maintenance_window": record.pop("examples")}
    modules = {"testco.ops.maintenance_window": json.dumps(record)}
    for fqcn in PUBLIC:
        modules[fqcn] = catalog._raw[fqcn]
        examples[fqcn] = catalog.examples(fqcn)
    (folder / "examples.json").write_text(json.dumps(examples))
    collections = {c: catalog.collections[c] for c in ("ansible.builtin", "community.general")}
    collections["testco.ops"] = {"version": "", "licence": "", "path": str(folder)}
    return Catalog({"modules": modules, "redirects": {}, "collections": collections}, folder / "examples.json")


class Scripted:
    """Answers every prompt with one body; keeps the prompts and constraints it was given."""

    def __init__(self, body):
        self.body, self.prompts, self.constraints = body, [], []

    def complete(self, prompt, constraint=None, cancelled=None):
        self.prompts.append(prompt)
        self.constraints.append(constraint)
        return Generation(text=self.body, new_tokens=5, prompt_tokens=9, seconds=0.01, first_token_seconds=0.001,
                          stopped="eos")


def test_only_the_non_shipped_collection_is_private(small_catalog):
    candidates = Candidates(small_catalog)
    assert candidates.private == {"testco.ops"}
    assert candidates.is_private("testco.ops.maintenance_window")
    assert not candidates.is_private("community.general.apk")


def test_a_fitting_request_chooses_the_private_module_over_public_ones(small_catalog):
    choice = Candidates(small_catalog).choose("open a maintenance window for the billing service")
    assert choice is not None and choice.module == "testco.ops.maintenance_window"
    assert choice.public_best is not None and choice.score > choice.public_best[1]


@pytest.mark.parametrize("request_text", ["install nginx", "start the nginx service",
                                          "copy app.conf to /etc/app/app.conf"])
def test_a_request_no_private_module_fits_chooses_none(small_catalog, request_text):
    assert Candidates(small_catalog).choose(request_text) is None


def test_a_request_that_says_an_everyday_tools_name_asks_for_that_tool(catalog):
    from codegen.catalog.docsearch import doc_index

    candidates, index = Candidates(catalog), doc_index(catalog)
    assert candidates._names_tool({"open", "9100", "in", "firewalld"}, index)
    assert candidates._names_tool({"allow", "tcp", "2575", "ufw"}, index)
    assert candidates._names_tool({"enable", "the", "bridge", "systemd", "unit"}, index)
    # everyday words that are also module names say nothing of a tool
    assert not candidates._names_tool({"restart", "the", "billing", "service"}, index)
    assert not candidates._names_tool({"pause", "the", "sync", "job", "file", "user"}, index)


def test_a_file_path_no_option_of_the_module_takes_is_a_file_task(small_catalog):
    from codegen.grounding.candidates import _unplaced_path

    doc = small_catalog.get("testco.ops.maintenance_window")
    assert _unplaced_path(doc, "open a maintenance window for billing and copy notes.txt to /etc/billing/notes.txt")
    assert not _unplaced_path(doc, "open a maintenance window for the billing service")
    best, _, chosen = Candidates(small_catalog).verdict(
        "open a maintenance window for the billing service, notes in /etc/billing/window.txt")
    assert best[0] == "testco.ops.maintenance_window" and not chosen


def test_the_modules_own_examples_are_shown_most_similar_last(small_catalog):
    shown = module_examples(small_catalog, "testco.ops.maintenance_window", "close the maintenance window")
    assert len(shown) == 2 and all("testco.ops.maintenance_window:" in s for s in shown)
    assert shown[-1].startswith("- name: Close the maintenance window of search\n  testco.ops.maintenance_window:\n")
    assert not any("debug" in s for s in shown)  # an EXAMPLES task of another module is not its example


def test_pipeline_generates_with_the_private_module_locked(small_catalog):
    body = "  testco.ops.maintenance_window:\n    service: billing\n"
    backend = Scripted(body)
    pipeline = Pipeline(backend, small_catalog, lint=False, retriever=None)
    text, notes = pipeline.one_task("open a maintenance window for the billing service")
    assert "testco.ops.maintenance_window:" in text
    assert "- name: Open a two hour maintenance window for billing" in backend.prompts[0]
    lock = backend.constraints[0]
    assert isinstance(lock, ModuleLock) and lock.module == "testco.ops.maintenance_window"
    assert any(n.startswith("note [private] testco.ops.maintenance_window chosen from the documentation")
               for n in notes)


def test_pipeline_leaves_a_public_request_as_it_was(small_catalog):
    backend = Scripted("  ansible.builtin.package:\n    name: nginx\n")
    text, notes = Pipeline(backend, small_catalog, lint=False, retriever=None).one_task("install nginx")
    assert "ansible.builtin.package" in text and not any("[private]" in n for n in notes)
    constraint = backend.constraints[0]  # the schema constraint (watched for drift: grounding/module_fit.py), no lock
    assert type(getattr(constraint, "inner", constraint)).__name__ == "SchemaConstraint"
    assert "maintenance_window" not in backend.prompts[0]


def test_a_no_log_option_of_a_private_module_gets_no_log(small_catalog):
    backend = Scripted("  testco.ops.maintenance_window:\n    service: billing\n    api_token: abc123\n")
    text, _ = Pipeline(backend, small_catalog, lint=False, retriever=None).one_task(
        "open a maintenance window for the billing service")
    assert "no_log: true" in text


def test_the_lock_allows_only_the_chosen_module_on_the_module_line(small_catalog):
    lock = ModuleLock(SchemaChecker(small_catalog), "testco.ops.maintenance_window")
    assert not lock._ok("", "  community.general.apk")
    assert not lock._ok("", "  community.general.oneandone_server:\n")
    assert lock._ok("", "  testco.ops.maint")
    assert lock._ok("  testco.ops.maintenance_window:\n", "  testco.ops.maintenance_window:\n    service: billing\n")
    assert not lock._ok("  testco.ops.maintenance_window:\n    service: billing\n",
                        "  testco.ops.maintenance_window:\n    service: billing\n  ansible.builtin.copy:\n")


def test_the_schema_constraint_still_holds_under_the_lock(small_catalog):
    lock = ModuleLock(SchemaChecker(small_catalog), "testco.ops.maintenance_window")
    head = "  testco.ops.maintenance_window:\n"
    assert not lock._ok(head, head + "    state: sideways\n")  # not one of the choices
    assert not lock._ok(head, head + "    colour: red\n")  # not an option
    assert not lock._ok(head + "    state: open\n", None)  # ends without the required service
    assert lock._ok(head + "    service: billing\n", None)
    assert not lock._ok("", None)  # nor before the module line


def test_a_collection_written_on_the_collections_path_changes_the_catalog_key(tmp_path, monkeypatch):
    monkeypatch.setenv("ANSIBLE_COLLECTIONS_PATH", str(tmp_path))
    empty = installed_key()
    module = write_collection(tmp_path)
    added = installed_key()
    assert added != empty
    module.write_text(module.read_text().replace("default: 60", "default: 30"))
    os.utime(module, ns=(1, 1))  # an edit in place: the folder's own mtime does not change
    assert installed_key() != added


def test_workspace_collections_and_ansible_cfg_paths_are_roots(tmp_path, monkeypatch):
    from codegen.catalog.store import collection_roots

    project = tmp_path / "project"
    write_collection(project / "collections")
    write_collection(tmp_path / "shared" / "colls")
    (project / "ansible.cfg").write_text("[defaults]\ncollections_path = ../shared/colls:~/nowhere\n")
    monkeypatch.chdir(project)
    monkeypatch.delenv("ANSIBLE_CONFIG", raising=False)
    roots = collection_roots()
    assert (project / "collections").resolve() in roots
    assert (tmp_path / "shared" / "colls").resolve() in roots


def test_an_unreadable_ansible_cfg_gives_no_roots(tmp_path):
    from codegen.catalog.workspace import cfg_collection_paths

    cfg = tmp_path / "ansible.cfg"
    cfg.write_text("[defaults\ncollections_path = x\n")
    assert cfg_collection_paths(cfg) == []
    cfg.write_text("[defaults]\ncollections_path = " + "x" * 300_000 + "\n")
    assert cfg_collection_paths(cfg) == []


@pytest.mark.e2e
def test_a_collection_put_on_the_path_is_picked_up_and_chosen_end_to_end(tmp_path):
    """No `catalog build`: the new collection is found because the catalog's key includes it."""
    write_collection(tmp_path / "colls")
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(tmp_path / "colls"), "OMP_NUM_THREADS": "1"}
    env.pop("ANSIBLE_CODEGEN_TEST_BACKEND", None)
    exe = Path(sys.executable).with_name("ansible-codegen")
    done = subprocess.run([str(exe), "task", "open a maintenance window for the billing service", "--json",
                           "--sources", "--no-lint"], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=1800)
    assert done.returncode == 0, done.stderr[-2000:]
    record = json.loads(done.stdout)
    assert record["module"] == "testco.ops.maintenance_window"
    service = next(line.split(":", 1)[1].strip() for line in record["yaml"].splitlines()
                   if line.startswith("    service:"))  # the required option, written
    assert service.strip("'\"") == "billing"  # what the request says, not its EXAMPLES' "search"
    assert any(p.startswith("note [private] testco.ops.maintenance_window") for p in record["problems"])
    assert record["sources"][0]["kind"] == "private collection documentation"
    assert record["sources"][0]["module"] == "testco.ops.maintenance_window"
    text = subprocess.run([str(exe), "task", "close the maintenance window of the search service", "--sources",
                           "--no-lint"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=1800)
    assert text.returncode == 0, text.stderr[-2000:]
    assert "testco.ops.maintenance_window:" in text.stdout
    assert re.search(r"^    service: ['\"]?search['\"]?$", text.stdout, re.M)
    assert re.search(r"^    state: ['\"]?closed['\"]?$", text.stdout, re.M)  # "close" -> the choice closed
    assert "# source: testco.ops.maintenance_window from the documentation of the private collection testco.ops" \
        in text.stderr


def grounded_lock(small_catalog, request):
    from codegen.grounding.candidates import Candidates

    choice = Candidates(small_catalog).choose(request)
    assert choice is not None
    return choice.constraint(SchemaChecker(small_catalog))


def test_plain_values_of_the_private_module_come_from_the_request(small_catalog):
    lock = grounded_lock(small_catalog, "open a maintenance window for the billing service")
    head = "  testco.ops.maintenance_window:\n"
    assert lock._ok(head, head + "    service: billing\n")
    assert lock._ok(head, head + "    service: bill")  # being written
    assert lock._ok(head, head + "    service: 'billing'\n")  # quoted
    assert not lock._ok(head, head + "    service: bill\n")  # not the value the request gives
    assert not lock._ok(head, head + "    service: testing\n")  # a value from nowhere
    assert not lock._ok(head, head + "    service: search\n")  # its EXAMPLES' value: the request names one
    assert not lock._ok(head, head + "    service: \"{{ service_name }}\"\n")  # nor a template for it
    assert not lock._ok(head + "    service: billing\n", head + "    service: billing\n    duration_minutes: 120\n")
    assert lock._ok(head + "    service: billing\n", head + "    service: billing\n    state: open\n")  # as asked
    assert not lock._ok(head + "    service: billing\n", head + "    service: billing\n    state: closed\n")


def test_a_required_option_the_request_does_not_name_takes_request_words_or_its_examples_value(small_catalog):
    lock = grounded_lock(small_catalog, "open a maintenance window right away")
    head = "  testco.ops.maintenance_window:\n"
    assert lock.values.slots.get("service") is None
    assert lock._ok(head, head + "    service: search\n")  # its EXAMPLES' value
    assert not lock._ok(head, head + "    service: service\n")  # the option's own name
    assert not lock._ok(head, head + "    service: the\n")  # a stop word
    assert not lock._ok(head, head + "    service: maintenance window\n")  # the module's own name
    assert lock._ok(head, head + "    service: \"{{ service_name }}\"\n")  # a template: the schema's to judge


def test_numbers_the_request_gives_are_allowed(small_catalog):
    lock = grounded_lock(small_catalog, "open a 45 minute maintenance window for billing")
    head = "  testco.ops.maintenance_window:\n    service: billing\n"
    assert lock._ok(head, head + "    duration_minutes: 45\n")
    assert not lock._ok(head, head + "    duration_minutes: 4\n")


def test_a_path_option_takes_a_path_not_another_word(small_catalog):
    from codegen.grounding.decoding import GroundedValues
    from codegen.catalog.store import ModuleDoc

    doc = ModuleDoc(fqcn="testco.ops.release", collection="testco.ops", short_description="", description="",
                    options={"name": {"type": "str", "required": True}, "path": {"type": "path"}}, path="")
    values = GroundedValues(doc, "deploy the shop release under /srv/apps")
    assert values.allows("path", "/srv/apps", True)
    assert not values.allows("path", "shop", True)
    assert values.allows("name", "shop", True)


def test_text_around_a_template_is_text(small_catalog):
    lock = grounded_lock(small_catalog, "open a maintenance window for the billing service")
    head = "  testco.ops.maintenance_window:\n"
    assert not lock._ok(head, head + "    service: test {{ x }}\n")
    assert not lock._ok(head, head + "    service: dev =\"{{ x }}\"\n")


def test_the_note_says_why_a_higher_scoring_public_module_lost():
    from codegen.grounding.candidates import Choice

    beaten = Choice(module="team.net.firewall_rule", collection="team.net", score=12.2,
                    public_best=("vendor.box.bigip_monitor", 15.3))
    assert "over vendor.box.bigip_monitor (15.3, a vendor's module the request does not name)" in beaten.note()
    plain = Choice(module="team.net.firewall_rule", collection="team.net", score=20.0,
                   public_best=("ansible.builtin.cron", 15.3))
    assert plain.note().endswith("(score 20.0 over ansible.builtin.cron (15.3))")


def test_restarting_a_service_is_a_service_task_and_postgres_names_its_collection(small_catalog):
    from codegen.grounding.candidates import _controls_a_service, names_vendor

    doc = small_catalog.get("testco.ops.maintenance_window")
    assert _controls_a_service(doc, {"restart", "the", "billing", "service"})
    assert not _controls_a_service(doc, {"open", "a", "maintenance", "window"})
    assert names_vendor("community.postgresql.postgresql_user", {"create", "a", "postgres", "user"})
    assert not names_vendor("community.postgresql.postgresql_user", {"create", "a", "user"})


def test_everyday_words_name_no_vendor():
    from codegen.grounding.candidates import names_vendor

    assert not names_vendor("community.windows.win_scheduled_task", {"open", "a", "maintenance", "window"})
    assert not names_vendor("containers.podman.podman_container", {"run", "the", "container"})
