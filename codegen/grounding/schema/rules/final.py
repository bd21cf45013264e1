"""Rules on a finished task (final=True: the model wants to end it, or an answer is cut back)."""
from __future__ import annotations

import re

from codegen.grounding.schema.rules import rule
from codegen.grounding.schema.rules.commands import CHANGE_REPORTING
from codegen.grounding.schema.text import KEY
from codegen.ansible_files.keywords import TASK_KEYWORDS

# Options that ansible-lint's production profile wants on these modules (risky-file-permissions,
# no-changed-when): the task may not end without them.
LINT_REQUIRED = {
    "ansible.builtin.copy": ("mode",), "ansible.builtin.template": ("mode",), "ansible.builtin.get_url": ("mode",),
}
# Modules that take keys of the user's choosing beside their documented options.
OPEN_MODULES = {"ansible.builtin.set_fact", "ansible.builtin.add_host", "ansible.builtin.set_stats"}
_FILE_NEEDS_MODE = re.compile(r"^    state: ['\"]?(directory|touch)\b", re.M)


def _top(line: str) -> bool:
    return line.startswith("  ") and not line.startswith("   ")


def _option(line: str) -> bool:
    return line.startswith("    ") and not line.startswith("     ")


def module_written(text: str, modules) -> str | None:
    """The task's module: the first key at indent 2 that names one of the catalog."""
    for line in text.split("\n"):
        m = KEY.match(line[2:]) if _top(line) else None
        if m and m.group(2) and m.group(1) in modules.exact:
            return m.group(1)
    return None


def missing_required(text: str, module: str | None, doc) -> list[str]:
    """Required options of the written module that the body does not set (top level only)."""
    if doc is None:
        return []
    present, values = set(), {}
    inside = False
    for line in text.split("\n"):
        if _top(line):
            inside = line[2:].split(":", 1)[0] == module
            if inside and line.split(":", 1)[1].strip():
                return []  # free-form arguments on the module line
            continue
        if inside and _option(line):
            key, _, value = line[4:].partition(":")
            present.add(key.strip())
            values[doc.canonical_option(key.strip()) or key.strip()] = value.strip().strip("'\"")
    from codegen.validate.argspec import is_auth_option

    missing = []
    for name in doc.required():
        spec = doc.options[name]
        if name in ("free_form", "key_value") or is_auth_option(name, spec):
            continue  # free-form text, or credentials the environment supplies
        if name not in present and not (set(spec.get("aliases") or []) & present):
            missing.append(name)
    # required because of another option's value (mount: state=present needs src and fstype)
    return missing + [n for n in doc.required_given(values)
                      if n not in missing and not is_auth_option(n, doc.options.get(n, {}))]


def lint_missing(text: str, module: str | None) -> list[str]:
    """What ansible-lint (production) will ask for that the task does not have yet."""
    if module is None:
        return []
    top = {line[2:].split(":", 1)[0] for line in text.split("\n") if _top(line)}
    options = {line[4:].split(":", 1)[0] for line in text.split("\n") if _option(line)}
    missing = [o for o in LINT_REQUIRED.get(module, ()) if o not in options]
    if module == "ansible.builtin.file" and _FILE_NEEDS_MODE.search(text) and "mode" not in options:
        missing.append("mode")
    if module in CHANGE_REPORTING and not ({"changed_when", "creates", "removes"} & (top | options)):
        missing.append("changed_when")
    return missing


def parses(text: str) -> bool:
    """The finished task loads as YAML and every template and condition in it parses."""
    from codegen.parse import ParseError, load_tasks
    from codegen.validate import jinja_check

    try:
        tasks = load_tasks("- name: task\n" + text)
    except ParseError:
        return False
    if len(tasks) != 1 or any(v is None for k, v in tasks[0].items() if k in TASK_KEYWORDS or k.startswith("with_")):
        return False  # one task; a keyword written with nothing after it ("when:") is null to Ansible
    return not jinja_check.check(tasks[0], 0, 1)


@rule
def no_module(module_doc) -> bool:
    """A task ends only once it has a module of the catalog (`when: x` alone does nothing)."""
    return module_doc is None


@rule
def required_missing(text: str, module: str | None, doc) -> bool:
    """A task ends only when the module's required options are set (credentials the environment
    supplies and free-form text aside), and those its required_if rules ask for given the values
    written: `user:` without `name` fails at run time, a mount with state present and no fstype too."""
    return bool(missing_required(text, module, doc))


@rule
def lint_option_missing(text: str, module: str | None) -> bool:
    """ansible-lint's production profile: copy/template/get_url (and file creating a directory or
    file) need `mode` (risky-file-permissions); command/shell need changed_when, creates or removes
    (no-changed-when)."""
    return bool(lint_missing(text, module))


@rule
def does_not_load(text: str) -> bool:
    """The finished task must load as one YAML task with no keyword left empty ("when:" is null to
    Ansible, an empty with_items too) and every template parsing: the line checks see one line at a
    time, this sees the whole."""
    return not parses(text)


@rule
def sets_nothing(text: str, module: str | None) -> bool:
    """set_fact or set_stats with no variable under it: Ansible refuses it ("No key/value pairs
    provided"), and an answer cut back to its module line would otherwise look complete."""
    if module not in OPEN_MODULES or module == "ansible.builtin.add_host":
        return False
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  {module}:"))
    if lines[start].split(":", 1)[1].strip():
        return False  # free-form "set_fact: a=1"
    body = [line for line in lines[start + 1:] if line.startswith("    ")]
    keys = [line[4:].split(":", 1)[0] for n, line in enumerate(body) if not line.startswith("     ")
            and (line.split(":", 1)[-1].strip() or body[n + 1:n + 2])]  # a key with its value
    return not [k for k in keys if k != "cacheable"]


_SCHEDULE = re.compile(r"^    (hour|day|weekday|month): *(.*)$", re.M)


@rule
def schedule_without_minute(text: str, module: str | None) -> bool:
    """A cron job given an hour (or a day, weekday, month) but no minute runs every minute of that
    hour: `minute` defaults to "*". Measured on plain requests ("at 2am every night" gave sixty
    runs an hour); the task may not end until it says the minute (or a special_time)."""
    if module != "ansible.builtin.cron" or re.search(r"^    (minute|special_time):", text, re.M):
        return False
    return any(value.strip().strip("'\"") not in ("", "*") for _, value in _SCHEDULE.findall(text))


FINAL_RULES = (required_missing, lint_option_missing, does_not_load, sets_nothing, schedule_without_minute)
