"""Training data: task slicing, filters, request styles, splits without leakage."""
import json
import random

import pytest

from codegen.dataset.build import build_dataset
from codegen.dataset.filters import drop_reason, fqcn_text
from codegen.dataset.requests import casual, from_args, terse, variants
from codegen.ansible_files.walk import iter_tasks

FILE = """---
- name: Install packages
  apt:
    name: [nginx, git]
    state: present

# a comment between tasks
- name: Make sure app dir exists
  ansible.builtin.file:
    path: /srv/app
    state: directory
    owner: deploy
    mode: '0755'
- block:
    - name: Inside a block task
      ansible.builtin.debug:
        msg: "hi"
"""


def test_iter_tasks_keeps_original_text_and_descends_blocks():
    tasks = list(iter_tasks(FILE))
    assert [t.data["name"] for t in tasks] == ["Install packages", "Make sure app dir exists", "Inside a block task"]
    assert tasks[1].text.endswith("    mode: '0755'\n")  # quoting kept as written
    assert tasks[0].text.startswith("- name: Install packages\n  apt:\n")
    assert tasks[1].preceding == [tasks[0].text]
    assert tasks[2].text.startswith("- name: Inside a block task\n  ansible.builtin.debug:")


def _raw(text):
    return next(iter_tasks(text))


@pytest.mark.parametrize("text, reason", [
    ("- name: x\n  ansible.builtin.ping:\n", "name"),
    ("- name: Copy a file\n  ansible.builtin.copy:\n    src: <your_own_value>\n    dest: /x\n", "placeholder"),
    ("- name: Do a thing\n  nosuch.module.here:\n    a: 1\n", "not in catalog"),
    ("- name: Copy a file\n  ansible.builtin.copy:\n    dest: /x\n    colour: red\n", "unknown option"),
    ("- name: Manage a file\n  ansible.builtin.file:\n    path: /x\n    state: installed\n", "invalid choice"),
    ("- name: Install nginx now\n  ansible.builtin.apt: name=nginx\n", "free-form"),
    ("- name: Add a user now\n  ansible.builtin.user:\n    shell: /bin/sh\n", "missing required"),
])
def test_filters_drop_bad_tasks(catalog, text, reason):
    assert reason in (drop_reason(_raw(text), catalog) or "")


def test_filters_keep_a_good_task_and_fqcn_is_rewritten(catalog):
    raw = _raw("- name: Install nginx now\n  apt:\n    name: nginx\n")
    assert drop_reason(raw, catalog) is None
    assert fqcn_text(raw, "apt", "ansible.builtin.apt") == "- name: Install nginx now\n  ansible.builtin.apt:\n    name: nginx\n"


def test_user_style_requests():
    rng = random.Random(0)
    assert casual("Install the Nginx package.") == "install the Nginx package"
    assert terse("Ensure that the nginx package is installed") == "nginx package is installed"
    assert from_args("ansible.builtin.file", {"path": "/srv/app", "state": "directory", "owner": "deploy"}, rng) in (
        "create directory /srv/app owned by deploy", "make sure /srv/app exists owned by deploy")
    assert from_args("ansible.builtin.service", {"name": "nginx", "state": "restarted"}, rng) in ("restart nginx", "restart the nginx service")
    assert from_args("ansible.builtin.apt", {"name": ["nginx", "git"], "state": "absent"}, rng) in ("remove nginx and git", "uninstall nginx and git")
    assert all(v.lower() != "install nginx" for v in variants("Install nginx", "ansible.builtin.apt", {"name": "nginx"}, rng))


def test_build_from_user_dir_has_disjoint_splits_and_a_card(tmp_path, catalog):
    user = tmp_path / "site"
    (user / "roles" / "web" / "tasks").mkdir(parents=True)
    (user / "roles" / "web" / "tasks" / "main.yml").write_text(FILE)
    (user / "roles" / "web" / "defaults").mkdir()
    (user / "roles" / "web" / "defaults" / "main.yml").write_text("web_app_dir: /srv/app\nweb_api_token: 9f8e7d6c5b4a39281706\n")
    (user / "site.yml").write_text("- hosts: web\n  tasks:\n    - name: Restart the web server\n      ansible.builtin.service:\n"
                                   "        name: nginx\n        state: restarted\n")
    out = tmp_path / "ds"
    counts = build_dataset(catalog, out, [user])
    assert counts["train"] > 1000 and counts["realworld"] > 50
    splits = {s: [json.loads(x) for x in (out / f"{s}.jsonl").read_text().splitlines()]
              for s in ("train", "valid", "test", "realworld")}
    bodies = {s: {r["completion"] for r in rows} for s, rows in splits.items()}
    for a in bodies:
        for b in bodies:
            if a < b:
                assert not bodies[a] & bodies[b], f"{a} and {b} share task text"
    user_rows = [r for rows in splits.values() for r in rows if r["source"]["kind"] == "user"]
    assert {r["request"] for r in user_rows if r["style"] == "name"} >= {"Restart the web server", "Install packages"}
    assert all(r["completion"].startswith("  ") for r in user_rows)
    assert any("ansible.builtin.apt:" in r["completion"] for r in user_rows)  # FQCN rewritten
    realworld_files = {(r["source"]["collection"], r["source"]["path"]) for r in splits["realworld"]}
    train_files = {(r["source"]["collection"], r["source"]["path"]) for r in splits["train"] if r["source"]["kind"] == "role"}
    assert not realworld_files & train_files  # whole files are held out
    assert "## Tasks dropped by filters" in (out / "DATA_CARD.md").read_text()
    # Rows from a role carry its workspace lines, in the format the pipeline shows (and its prompt renders them)
    app_dir = next(r for r in user_rows if r["request"] == "Make sure app dir exists")
    assert app_dir["workspace"].startswith("# Variables: web_app_dir: /srv/app")
    assert "9f8e7d6c5b4a39281706" not in json.dumps(user_rows)  # no secret value in a training row
    from codegen.prompt import render_prompt

    assert "# Variables: web_app_dir: /srv/app\n" in render_prompt(app_dir)


def test_a_rows_context_is_what_inference_shows_for_the_same_file():
    """Training prompts read the file above a task as the pipeline reads it (blocks flattened,
    secrets redacted), not the same list's earlier items."""
    from codegen.dataset.build import _shown_context
    from codegen.dataset.sources import SourceFile, tasks_of
    from codegen.pipeline import prepare

    text = ("- name: Prepare the database\n  become: true\n  block:\n"
            "    - name: Create the data dir\n      ansible.builtin.file:\n        path: /srv/db\n"
            "        state: directory\n        mode: \"0750\"\n"
            "    - name: Import the schema\n      ansible.builtin.command: psql -f /srv/db/schema.sql\n"
            "      environment:\n        PGPASSWORD: Zx9-very-Secret-42\n      changed_when: true\n"
            "- name: Start postgres\n  ansible.builtin.service:\n    name: postgresql\n    state: started\n")
    source = SourceFile("user", "site", "", "", "roles/db/tasks/main.yml", text)
    raws = {raw.data["name"]: raw for raw in tasks_of(source)}
    lines = text.splitlines(keepends=True)
    for name in ("Import the schema", "Start postgres"):  # inside the block, after it
        raw = raws[name]
        shown = prepare("".join(lines[:raw.line - 1])).context.prompt_text()
        assert _shown_context(source, raw) == shown and "block:" not in shown
    after = _shown_context(source, raws["Start postgres"])
    assert after.startswith("- name: Create the data dir\n") and "- name: Import the schema\n" in after
    assert "Zx9-very-Secret-42" not in after  # redacted as the pipeline redacts the file


def test_training_mix_caps_role_collections_and_drops_heavy_templating():
    from codegen.dataset.build import CAP_PER_ROLE_COLLECTION, training_mix

    def row(i, kind="role", collection="big.roles", templates=0):
        body = "  ansible.builtin.debug:\n    msg: x" + " '{{ v }}'" * templates + f" {i}\n"
        return {"completion": body, "source": {"kind": kind, "collection": collection}}

    rows = [row(i) for i in range(CAP_PER_ROLE_COLLECTION + 50)] + [row(-1, templates=4)] + \
           [row(i, kind="user", collection="/my/site", templates=5) for i in range(3)] + [row(7, kind="example")]
    kept, dropped = training_mix(rows)
    assert sum(r["source"]["kind"] == "role" for r in kept) == CAP_PER_ROLE_COLLECTION
    assert dropped["heavily templated (train only)"] == 1
    assert sum(r["source"]["kind"] == "user" for r in kept) == 3  # a user's own content is never dropped
    assert any(r["source"]["kind"] == "example" for r in kept)


def _row(i, module, request, path, collection="c.roles"):
    return {"module": module, "request": request, "context": "", "id": f"r{i}",
            "completion": f"  {module}:\n    name: thing{i}\n",
            "source": {"kind": "role", "collection": collection, "path": path}}


def test_retrieved_examples_never_show_a_row_its_own_task_or_file():
    from codegen.dataset.retrieved import with_examples

    rows = [_row(i, "ansible.builtin.package" if i % 2 else "community.general.npm", f"install package thing{i % 3}",
                 f"roles/r{i % 4}/tasks/main.yml") for i in range(40)]
    out = with_examples(rows, random.Random(0))
    by_id = {r["id"]: r for r in rows}
    for row in out:
        own = by_id[row["id"].removesuffix("-x")]
        for example in row["examples"]:
            assert own["completion"] not in example  # not its own task
            shown = next(r for r in rows if r["completion"] in example)
            assert shown["source"]["path"] != own["source"]["path"]  # nor one from its own file
    with_some = [r for r in out if r["examples"]]
    assert 0.3 < len(with_some) / len(out) < 0.8
    # ansible.builtin rows come twice, once each way; others once
    builtin = [r for r in out if r["module"] == "ansible.builtin.package"]
    assert len(builtin) == 2 * sum(r["module"] == "ansible.builtin.package" for r in rows)
    assert all(len([r for r in builtin if r["id"].removesuffix("-x") == i]) == 2
               for i in {r["id"] for r in rows if r["module"] == "ansible.builtin.package"})


def test_a_role_rows_examples_include_its_workspaces_own_tasks_as_inference_shows_them(tmp_path):
    """Training shows the workspace's own tasks where inference would (the same helper), with this
    role's variable names; never the row's own task, even when another file has it word for word."""
    from codegen.dataset.retrieved import with_examples
    from codegen.dataset.workspace_rows import WorkspaceBlocks

    root = tmp_path / "coll"
    files = {
        "roles/web/defaults/main.yml": "web_packages: [nginx]\n",
        "roles/web/tasks/main.yml": "- name: Install the web packages\n  ansible.builtin.package:\n"
                                    "    name: \"{{ web_packages }}\"\n",
        "roles/web/tasks/copy.yml": "- name: Install the web packages\n  ansible.builtin.package:\n"
                                    "    name: \"{{ web_packages }}\"\n",
        "roles/api/tasks/main.yml": "- name: Install the api packages\n  ansible.builtin.package:\n"
                                    "    name: \"{{ api_packages }}\"\n    state: latest\n",
        "roles/api/tasks/service.yml": "- name: Start the api service\n  ansible.builtin.service:\n"
                                       "    name: api\n    state: started\n",
        "roles/web/tasks/config.yml": "- name: Template the web config\n  ansible.builtin.template:\n"
                                      "    src: web.conf.j2\n    dest: /etc/web.conf\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    row = {"module": "ansible.builtin.package", "request": "Install the web packages", "context": "", "id": "w",
           "completion": "  ansible.builtin.package:\n    name: \"{{ web_packages }}\"\n",
           "source": {"kind": "role", "collection": "c.roles", "path": "roles/web/tasks/main.yml"}}
    others = [_row(i, "ansible.builtin.package", f"install package thing{i}", f"roles/x{i}/tasks/main.yml")
              for i in range(6)]
    out = with_examples([row, *others], random.Random(3), blocks=WorkspaceBlocks({"c.roles": root}))
    shown = [r for r in out if r["id"].removesuffix("-x") == "w" and r["examples"]]
    assert shown, "one of the row's two copies carries examples"
    examples = shown[0]["examples"]
    assert shown[0]["workspace_examples"] == 1
    assert examples[-1] == ("- name: Install the api packages\n  ansible.builtin.package:\n"
                            "    name: \"{{ web_packages }}\"\n    state: latest\n")
    assert not any("- name: Install the web packages" in e for e in examples)  # copy.yml has the row's task


ROLE_MAIN = """---
- name: Include OS variables
  ansible.builtin.include_vars: "{{ ansible_os_family }}.yml"
- name: web | Install packages
  ansible.builtin.package:
    name: nginx
- name: "Template {{ item }}"
  ansible.builtin.template:
    src: a.j2
    dest: /etc/a
- name: Deploy the site configuration
  ansible.builtin.template:
    src: site.j2
    dest: /etc/site
- name: Start and enable nginx
  ansible.builtin.service:
    name: nginx
    state: started
"""


def test_outline_rows_are_role_purposes_and_task_names_in_order(tmp_path):
    from codegen.dataset.outlines import outline_rows
    from codegen.dataset.sources import SourceFile

    role = tmp_path / "roles" / "web"
    (role / "meta").mkdir(parents=True)
    (role / "meta" / "main.yml").write_text("galaxy_info:\n  description: Install and configure nginx.\n")

    def source(path, text):
        return SourceFile("role", "my.coll", "1.0", "MIT", path, text)

    files = [source("roles/web/tasks/main.yml", ROLE_MAIN),
             source("roles/web/tasks/configure_tls.yml", ROLE_MAIN),
             source("roles/web/tasks/short.yml", ROLE_MAIN.split("- name: Deploy")[0]),  # under 3 steps
             source("roles/db/tasks/main.yml", ROLE_MAIN)]
    held_out = {"roles/db/tasks/main.yml"}
    rows = outline_rows(files, lambda s, _: "realworld" if s.path in held_out else "train", {"my.coll": tmp_path})
    assert [r["request"] for r in rows] == ["install and configure nginx", "configure tls web"]
    assert rows[0]["completion"] == "  - Install packages\n  - Deploy the site configuration\n  - Start and enable nginx\n"
    assert all(r["task"] == "outline" for r in rows)
