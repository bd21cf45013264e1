"""The real-projects mix: decorated task names, per-service near-duplicates, rows that show a
module only through its own documentation, and the external split's projects kept out."""
import random

from codegen.ansible_files.walk import iter_tasks
from codegen.dataset import sources as src
from codegen.dataset.build import make_examples
from codegen.dataset.external import HELD_OUT, PROJECTS, TRAIN_PROJECTS
from codegen.dataset.name_styles import restyle
from codegen.dataset.retrieved import own_examples


def test_restyle_writes_the_decorations_real_projects_use():
    rng = random.Random(3)
    seen = {restyle("Install nginx", "roles/web/tasks/install.yml", rng) for _ in range(60)}
    assert "Install nginx." in seen
    assert "install nginx" in seen
    assert "web | install | Install nginx" in seen
    cis = [s for s in seen if s and s[0].isdigit()]
    assert cis and all(s.split(" | ")[1] in ("PATCH", "AUDIT") and s.endswith(" | Install nginx") for s in cis)
    # a file named main.yml adds no step, and a name already decorated is left alone
    assert {restyle("Start it", "roles/web/tasks/main.yml", random.Random(i)) for i in range(40)} >= {"web | Start it"}
    assert restyle("web | Start it", "roles/web/tasks/main.yml", rng) is None


def _kept(catalog, origin, path, text):
    source = src.SourceFile("role", origin, "1", "Apache-2.0", path, text)
    out = []
    for raw in src.tasks_of(source):
        key = next(k for k in raw.data if k != "name")
        fqcn = catalog.resolve(key)
        body = raw.text.partition("\n")[2]
        out.append((source, raw, fqcn, f"- name: {raw.data['name']}\n{body}"))
    return out


def test_the_same_task_written_per_service_is_one_example(catalog):
    def role(service):
        return (f"- name: Ensure {service} config directory exists\n  ansible.builtin.file:\n"
                f"    path: /etc/kolla/{service}\n    state: directory\n    mode: '0770'\n")
    kept = []
    for service in ("nova", "glance", "cinder"):
        kept += _kept(catalog, "kolla-ansible", f"ansible/roles/{service}/tasks/config.yml", role(service))
    kept += _kept(catalog, "kolla-ansible", "ansible/roles/nova/tasks/other.yml",
                  "- name: Copy the policy file\n  ansible.builtin.copy:\n    src: policy.yaml\n    dest: /etc/nova/\n")
    rows, stats = make_examples(kept, random.Random(0))
    names = {r["completion"] for split in rows.values() for r in split}
    assert stats["near_duplicates"] == 2
    assert len(names) == 2


def test_a_row_shown_its_own_documentation_never_sees_its_own_task(catalog):
    module = "community.general.timezone"
    text = catalog.examples(module)
    tasks = list(iter_tasks(text))
    assert len(tasks) >= 1
    first = tasks[0]
    row = {"module": module, "request": first.data["name"], "completion": first.text.partition("\n")[2]}
    shown = own_examples(catalog, row)
    assert all(not ex.startswith(f"- name: {first.data['name']}\n") for ex in shown)
    assert all(f"{module}:" in ex for ex in shown)  # the module's own calls, as inference shows them


def test_no_held_out_project_is_a_training_project():
    held = {p.package for p in PROJECTS} | set(HELD_OUT)
    assert not held & {p.package for p in TRAIN_PROJECTS}
    assert not any(p.package.startswith("tripleo") for p in TRAIN_PROJECTS)  # tripleo-ansible's community
