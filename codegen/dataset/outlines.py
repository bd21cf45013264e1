"""Outline examples: a role's purpose -> the names of its tasks, in order.

Real roles are the best teachers of order (packages, then configuration, then services) and of
how people word steps. The request is the role's own description for tasks/main.yml, and the
file's name with the role's ("configure nginx") for other task files; the steps are the task
names with role prefixes ("nginx | ") removed. Held-out (realworld) files stay out, as for tasks.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml

from codegen.ansible_files.yaml_load import SafeLoader
from codegen.dataset import sources as src
from codegen.ansible_files.keywords import module_key

MIN_STEPS, MAX_STEPS = 3, 12
CAP_PER_COLLECTION = {"debops.debops": 300}  # a sysadmin role library; others are mostly vendor APIs
CAP_OTHER = 40
# Steps a person would not list when describing what a playbook does: plumbing between files,
# facts and checks. The outline keeps the actions.
PLUMBING = {"include_tasks", "import_tasks", "include_role", "import_role", "include_vars", "meta", "debug",
            "assert", "fail", "set_fact"}
_LOADER = SafeLoader  # bounded: the file may be hostile


def clean_step(name) -> str | None:
    if not isinstance(name, str) or "{{" in name or "{%" in name:
        return None
    text = " ".join(name.split()).rsplit(" | ", 1)[-1].strip().rstrip(".")
    return text[:1].upper() + text[1:] if len(text.split()) >= 2 else None


def steps_of(source: src.SourceFile) -> list[str]:
    steps: list[str] = []
    for raw in src.tasks_of(source):
        if (module_key(raw.data) or "").rsplit(".", 1)[-1] in PLUMBING:
            continue
        step = clean_step(raw.data.get("name"))
        if step and step not in steps:
            steps.append(step)
    return steps[:MAX_STEPS]


def _words(text: str) -> str:
    return " ".join(w for w in re.split(r"[_\-\s]+", text) if w)


def role_description(role_dir: Path) -> str | None:
    meta = role_dir / "meta" / "main.yml"
    try:
        data = yaml.load(meta.read_text(errors="replace"), Loader=_LOADER) if meta.is_file() else None
    except yaml.YAMLError:
        return None
    info = data.get("galaxy_info") if isinstance(data, dict) else None
    text = info.get("description") if isinstance(info, dict) else None
    if not isinstance(text, str) or "{{" in text or len(text.split()) < 2:
        return None
    text = " ".join(text.split()).rstrip(".")
    return text[:1].lower() + text[1:] if not text.split()[0].isupper() else text


def request_for(source: src.SourceFile, roles_root: Path | None) -> str | None:
    """'roles/nginx/tasks/main.yml' -> the role's description; 'tasks/configure.yml' -> 'configure nginx'."""
    parts = Path(source.path).parts
    if "tasks" not in parts:
        return None
    at = parts.index("tasks")
    if at < 1:
        return None
    role, stem = parts[at - 1], Path(source.path).stem
    if stem == "main":
        described = role_description(roles_root / Path(*parts[:at])) if roles_root else None
        return described or f"set up {_words(role)}"
    return f"{_words(stem)} {_words(role)}"


def outline_rows(files, split_for, roots: dict[str, Path]) -> list[dict]:
    """Train outline rows from role task files (split_for(source, text) must say 'train')."""
    rows, per_collection = [], Counter()
    for source in files:
        if source.kind == "example" or (source.kind != "user" and per_collection[source.origin]
                                        >= CAP_PER_COLLECTION.get(source.origin, CAP_OTHER)):
            continue
        if split_for(source, "") == "realworld":
            continue
        request = request_for(source, roots.get(source.origin))
        steps = steps_of(source) if request else []
        if len(steps) < MIN_STEPS:
            continue
        per_collection[source.origin] += 1
        rows.append({"task": "outline", "request": request, "context": "", "module": "",
                     "completion": "".join(f"  - {s}\n" for s in steps),
                     "id": f"outline-{source.origin}-{source.path}",
                     "source": {"kind": source.kind, "collection": source.origin, "version": source.version,
                                "licence": source.licence, "path": source.path, "line": 1}})
    return rows
