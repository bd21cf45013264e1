"""The `external` split: whole projects the model never trains on, as people wrote them.

A split cut from the training sources measures the training distribution. This one holds out
whole projects from other communities, read from packages the registry serves:
- `kayobe` (OpenStack, led by StackHPC) and `tripleo-ansible` (OpenStack TripleO, Red Hat): the
  roles and playbooks their wheels ship under `*.data/data/share/`;
- `community.zabbix` (the Zabbix community): the roles of the installed collection.
Each case is a real task: its own name as the request, the file above it as context, and `path`
(the file inside its project, unpacked under the user cache) so a workspace reader can find the
role around it. Every case records its project, version, path, line and licence.

These projects are kept out of `dataset build` (`HELD_OUT`), out of the examples retrieval shows
for their own cases, and out of any tuning decision. Templated near-duplicates (the same task
written per service) are collapsed by a normalised form; each project is capped so none dominates.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from codegen.ansible_files.walk import iter_tasks
from codegen.ansible_files.yaml_load import Unreadable, read_text
from codegen.atomic import staged_dir
from codegen.dataset.filters import drop_reason
from codegen.paths import cache_dir
from codegen.ansible_files.keywords import module_key

MAX_CASES_PER_PROJECT = 200
MAX_CONTEXT_CHARS = 6000  # the end of the file above the task: more than any prompt takes
SEED = 20261130


@dataclass(frozen=True)
class Project:
    name: str
    kind: str            # "wheel": a registry package's wheel; "collection": an installed collection
    package: str         # the registry package (wheel) or collection FQCN
    version: str         # pinned, so the split is the same on every machine
    licence: str
    share: str = ""      # the folder inside the wheel's data that holds the Ansible tree


PROJECTS = (
    Project("kayobe", "wheel", "kayobe", "18.6.0", "Apache-2.0", "share/kayobe/ansible"),
    Project("tripleo-ansible", "wheel", "tripleo-ansible", "6.0.0", "Apache-2.0", "share/ansible"),
    Project("community.zabbix", "collection", "community.zabbix", "", "GPL-3.0-or-later"),
)
# What `dataset build` must never read (collections by FQCN; the wheels are not among its sources).
HELD_OUT = frozenset(p.package for p in PROJECTS if p.kind == "collection")
# Real projects `dataset build --projects` trains on (registry wheels that ship role task files).
# kolla-ansible and kayobe share a community (OpenStack), so the external split is read per project:
# community.zabbix is the one of another community. TripleO's own packages (tripleo-*) stay out of
# training altogether, as tripleo-ansible is held out.
TRAIN_PROJECTS = (
    Project("kolla-ansible", "wheel", "kolla-ansible", "22.2.0", "Apache-2.0", "share/kolla-ansible/ansible"),
    Project("ansible-role-chrony", "wheel", "ansible-role-chrony", "1.3.0", "Apache-2.0", "share/ansible"),
    Project("ansible-role-collect-logs", "wheel", "ansible-role-collect-logs", "1.5.0", "Apache-2.0", "share/ansible"),
    Project("ansible-role-container-registry", "wheel", "ansible-role-container-registry", "1.4.0", "Apache-2.0",
            "share/ansible"),
    Project("ansible-role-atos-hsm", "wheel", "ansible-role-atos-hsm", "11.0.0", "Apache-2.0", "share/ansible"),
    Project("ansible-role-lunasa-hsm", "wheel", "ansible-role-lunasa-hsm", "11.0.0", "Apache-2.0", "share/ansible"),
    Project("ansible-role-thales-hsm", "wheel", "ansible-role-thales-hsm", "11.0.0", "Apache-2.0", "share/ansible"),
)


def _wheel(project: Project, where: Path) -> Path:
    """The project's wheel, downloaded once into the cache (no dependencies, wheels only)."""
    found = sorted(where.glob(f"{project.package.replace('-', '_')}-{project.version}-*.whl"))
    if found:
        return found[0]
    where.mkdir(parents=True, exist_ok=True)
    run = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
                          "-d", str(where), f"{project.package}=={project.version}"],
                         capture_output=True, text=True)
    found = sorted(where.glob(f"{project.package.replace('-', '_')}-{project.version}-*.whl"))
    if run.returncode != 0 or not found:
        last = (run.stderr.strip().splitlines() or ["no wheel"])[-1]
        raise RuntimeError(f"cannot download {project.package}=={project.version}: {last}")
    return found[0]


def project_root(project: Project, catalog=None) -> Path:
    """The project's Ansible tree on disk: a wheel's share folder unpacked under the user cache,
    or the installed collection's folder."""
    if project.kind == "collection":
        meta = (catalog.collections if catalog is not None else {}).get(project.package)
        if not meta:
            raise RuntimeError(f"collection {project.package} is not installed")
        return Path(meta["path"])
    root = cache_dir() / "external" / f"{project.name}-{project.version}"
    if (root / ".complete").is_file():
        return root
    wheel = _wheel(project, cache_dir() / "external" / "wheels")
    with staged_dir(root) as tmp, zipfile.ZipFile(wheel) as archive:
        prefix = None
        for member in archive.namelist():
            head, sep, rest = member.partition(f".data/data/{project.share}/")
            if sep and not member.endswith("/") and ".." not in Path(rest).parts:
                prefix = head
                target = tmp / rest
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(member))
        if prefix is None:
            raise RuntimeError(f"{wheel.name}: no {project.share} folder in its data")
        (tmp / ".complete").write_text(wheel.name)
    return root


def task_files(root: Path) -> list[Path]:
    """Role task and handler files, and playbooks at the top of the tree, in a stable order."""
    files = []
    for path in sorted(root.rglob("*.y*ml")):
        rel = path.relative_to(root).parts
        if path.suffix not in (".yml", ".yaml") or any(p.startswith(".") for p in rel):
            continue
        if "roles" in rel and any(part in ("tasks", "handlers") for part in rel[-3:-1]):
            files.append(path)
        elif len(rel) == 1 or (len(rel) == 2 and rel[0] == "playbooks"):
            files.append(path)
    return files


def file_above(lines: list[str], line: int) -> str:
    """The file's text above its 1-based `line` (lines with their ends), its last MAX_CONTEXT_CHARS
    cut at a line start, as an editor's view of the file is: the context a task is asked with."""
    above = "".join(lines[:line - 1])
    if len(above) > MAX_CONTEXT_CHARS:
        above = above[-MAX_CONTEXT_CHARS:]
        above = above[above.find("\n") + 1:]
    return above


def role_in(rel: str) -> str:
    """The role a path inside a project belongs to ("roles/nova/tasks/main.yml" -> "nova"), or ""."""
    parts = rel.split("/")
    return parts[parts.index("roles") + 1] if "roles" in parts[:-1] else ""


def shape_of(text: str, role: str) -> str:
    """A task's normalised form: the same task written per service collapses to one."""
    text = text.replace(role, "ROLE") if role else text
    text = re.sub(r"\d+", "0", text.lower())
    return hashlib.sha1(" ".join(text.split()).encode()).hexdigest()


def project_cases(project: Project, catalog) -> list[dict]:
    """Every usable task of one project, as an evaluation case (capped, near-duplicates collapsed)."""
    root = project_root(project, catalog)
    version = project.version or catalog.collections.get(project.package, {}).get("version", "")
    cases, seen = [], set()
    for path in task_files(root):
        try:
            _, text = read_text(path)
        except Unreadable:
            continue
        rel = path.relative_to(root).as_posix()
        role = role_in(rel)
        lines = text.splitlines(keepends=True)
        for raw in iter_tasks(text):
            if drop_reason(raw, catalog):
                continue
            head, _, body = raw.text.partition("\n")
            shape = shape_of(raw.text, role)
            if shape in seen:
                continue
            seen.add(shape)
            above = file_above(lines, raw.line)
            key = module_key(raw.data)
            head_line = lines[raw.line - 1]
            cases.append({
                "id": f"{project.name}:{rel}:{raw.line}",
                "request": raw.data["name"], "completion": body, "context": above,
                "indent": len(head_line) - len(head_line.lstrip(" ")),  # the dash's column in the file
                "module": catalog.resolve(key) or key, "project": project.name, "path": rel,
                "source": {"kind": "external", "collection": project.name, "version": version,
                           "licence": project.licence, "path": rel, "line": raw.line},
            })
    if len(cases) > MAX_CASES_PER_PROJECT:
        cases = sorted(random.Random(f"{SEED}:{project.name}").sample(cases, MAX_CASES_PER_PROJECT),
                       key=lambda c: c["id"])
    return cases


def build_external(catalog, out: Path, on_project=None) -> dict[str, int]:
    """Write `<out>/external.jsonl` and a card with the per-project counts; returns the counts."""
    counts, rows = {}, []
    for i, project in enumerate(PROJECTS, 1):
        cases = project_cases(project, catalog)
        counts[project.name] = len(cases)
        rows += cases
        if on_project:
            on_project(i, len(PROJECTS), project.name)
    out.mkdir(parents=True, exist_ok=True)
    from codegen.atomic import write_text

    write_text(out / "external.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    card = ["# External split", "", "Whole projects held out of training, retrieval and tuning "
            "(`codegen/dataset/external.py`).", "", "| project | version | licence | cases |", "|---|---|---|---|"]
    for project in PROJECTS:
        version = project.version or catalog.collections.get(project.package, {}).get("version", "")
        card.append(f"| {project.name} | {version} | {project.licence} | {counts[project.name]} |")
    write_text(out / "EXTERNAL_CARD.md", "\n".join(card) + "\n")
    return counts
