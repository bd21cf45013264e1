"""Quality filters for candidate training tasks; each returns a reason to drop, or None."""
from __future__ import annotations

import re

from codegen.ansible_files.keywords import module_key

MAX_LINES = 40
MIN_NAME_WORDS = 2
_PLACEHOLDER = re.compile(r"<[A-Za-z_][A-Za-z0-9_ .-]*>|your_own_value|\bXXXX+\b|\bCHANGE_?ME\b", re.I)
# Modules whose arguments are free text or arbitrary keys: no per-key option check.
FREE_FORM = {"ansible.builtin.command", "ansible.builtin.shell", "ansible.builtin.raw", "ansible.builtin.script",
             "ansible.windows.win_command", "ansible.windows.win_shell", "ansible.builtin.set_fact",
             "ansible.builtin.add_host", "ansible.builtin.group_by", "ansible.builtin.include_vars",
             "ansible.builtin.meta", "ansible.builtin.include_tasks", "ansible.builtin.import_tasks",
             "ansible.builtin.set_stats"}


def drop_reason(raw, catalog) -> str | None:
    task = raw.data
    name = task.get("name")
    if not isinstance(name, str) or len(name.split()) < MIN_NAME_WORDS or "{{" in name:
        return "name missing, templated or too short"
    if not raw.text.startswith(f"- name: ") or "\n" in name:
        return "name is not the first, single-line key"
    if raw.text.count("\n") > MAX_LINES:
        return "too long"
    if _PLACEHOLDER.search(raw.text):
        return "placeholder values"
    key = module_key(task)
    if key is None:
        return "no single module call"
    fqcn = catalog.resolve(key)
    if fqcn is None:
        return "module not in catalog"
    doc = catalog.get(fqcn)
    if doc.deprecated:
        return "deprecated module"
    args = task[key]
    if fqcn in FREE_FORM:
        return None
    if isinstance(args, str):
        return "free-form k=v arguments on a module that takes options"
    if args is None:
        args = {}
    if not isinstance(args, dict):
        return "arguments are not a mapping"
    known = doc.option_names()
    unknown = [k for k in args if k not in known]
    if unknown and known:
        return "unknown option"
    for k, v in args.items():
        spec = doc.options.get(doc.canonical_option(k) or "", {})
        choices = spec.get("choices")
        if choices and isinstance(v, (str, bool, int)) and not (isinstance(v, str) and "{{" in v):
            if v not in choices and str(v) not in [str(c) for c in choices]:
                return "invalid choice"
    missing = [r for r in doc.required() if r not in args and not any(a in args for a in doc.options[r].get("aliases") or [])]
    if missing:
        return "missing required option"
    return None


def fqcn_text(raw, key: str, fqcn: str) -> str:
    """Rewrite the module key line of the task text to its FQCN, keeping everything else."""
    if key == fqcn:
        return raw.text
    lines = raw.text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(f"  {key}:"):
            lines[i] = f"  {fqcn}:" + line[len(key) + 3:]
            break
    return "\n".join(lines)
