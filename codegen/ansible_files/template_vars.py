"""Which variables a task's templates read, and which names Ansible defines itself.

One answer for the decoder's constraint (grounding/schema/jinja.py), validation
(validate/references.py), playbook and role assembly, and the evaluation's count of answers that
read a variable defined nowhere.
"""
from __future__ import annotations

from codegen.ansible_files.jinja_env import environment
from codegen.ansible_files.keywords import module_key

# Names Ansible and Jinja define themselves: magic variables, loop variables, Jinja words.
PROVIDED_VARIABLES = frozenset({
    "item", "ansible_loop", "hostvars", "groups", "group_names", "inventory_hostname", "inventory_hostname_short",
    "play_hosts", "playbook_dir", "role_path", "role_name", "inventory_dir", "inventory_file", "omit",
    "true", "false", "none", "True", "False", "None"})  # functions (range, namespace...) are FUNCTIONS
# Facts and connection variables every host has (ansible_local is a role's own facts: not these).
FACT_PREFIXES = ("ansible_facts", "ansible_distribution", "ansible_os_family", "ansible_hostname", "ansible_fqdn",
                 "ansible_default_ipv4", "ansible_default_ipv6", "ansible_all_ipv4", "ansible_architecture",
                 "ansible_check_mode", "ansible_env", "ansible_user", "ansible_service_mgr", "ansible_pkg_mgr",
                 "ansible_python", "ansible_memtotal_mb", "ansible_processor", "ansible_kernel", "ansible_machine",
                 "ansible_nodename", "ansible_play_", "ansible_version", "ansible_date_time", "ansible_interfaces",
                 "ansible_mounts", "ansible_devices", "ansible_lsb", "ansible_system", "ansible_domain", "ansible_host",
                 "ansible_port", "ansible_connection", "ansible_become", "ansible_loop", "ansible_managed")
FUNCTIONS = frozenset({"lookup", "query", "q", "range", "dict", "lipsum", "cycler", "joiner", "namespace", "now",
                       "undef", "zip", "zip_longest"})  # Jinja's and Ansible's global functions
CONDITION_KEYS = ("when", "changed_when", "failed_when", "until")  # bare expressions, no braces
LOOP_KEYS_PREFIX = "with_"


def is_provided(name: str) -> bool:
    """A name every task may read: a magic variable, a function, a fact or connection variable
    (any `ansible_*`: facts are too many to list, and a role's own `ansible_local` is a fact too)."""
    return name in PROVIDED_VARIABLES or name in FUNCTIONS or name.startswith("ansible_")


def has_loop(task: dict) -> bool:
    return "loop" in task or any(isinstance(k, str) and k.startswith(LOOP_KEYS_PREFIX) for k in task)


def loop_names(task: dict) -> set:
    """The names a loop gives its task: `item`, and its `loop_control.loop_var`."""
    control = task.get("loop_control")
    return {"item", control.get("loop_var")} if isinstance(control, dict) else {"item"}


def _templates(value):
    if isinstance(value, str):
        if "{{" in value or "{%" in value:
            yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _templates(v)
    elif isinstance(value, list):
        for v in value:
            yield from _templates(v)


def _sources(task: dict) -> list[str]:
    """Every template of the task (not its name), conditions wrapped as templates."""
    sources = list(_templates([v for k, v in task.items() if k != "name"]))
    for key in CONDITION_KEYS:
        condition = task.get(key)
        for c in condition if isinstance(condition, list) else [condition]:
            if isinstance(c, str) and "{{" not in c:
                sources.append("{{ " + c + " }}")
    return sources


def guarded(task: dict) -> set[str]:
    """Names the task only tests for (`x is defined`, `x is not defined`, `x is undefined`): reading
    whether a variable exists is not reading it."""
    from jinja2 import TemplateSyntaxError, nodes

    names: set[str] = set()
    for source in _sources(task):
        try:
            tree = environment().parse(source)
        except TemplateSyntaxError:
            continue
        for test in tree.find_all(nodes.Test):
            if test.name in ("defined", "undefined") and isinstance(test.node, nodes.Name):
                names.add(test.node.name)
    return names


def reads(task: dict) -> set[str]:
    """The root variable names the task's templates and conditions read (not its name)."""
    from jinja2 import TemplateSyntaxError, meta

    names: set[str] = set()
    for source in _sources(task):
        try:
            names |= meta.find_undeclared_variables(environment().parse(source))
        except TemplateSyntaxError:
            continue  # jinja_check reports it
    return names


def defines(task: dict) -> set[str]:
    """What a task defines for itself and the tasks after it: register, set_fact keys, loop_var."""
    names = {task["register"]} if isinstance(task.get("register"), str) else set()
    control = task.get("loop_control")
    if isinstance(control, dict) and isinstance(control.get("loop_var"), str):
        names.add(control["loop_var"])
    module = module_key(task)
    if module and module.rsplit(".", 1)[-1] == "set_fact" and isinstance(task.get(module), dict):
        names.update(k for k in task[module] if isinstance(k, str) and k != "cacheable")
    return names


def undefined(task: dict, known: set[str]) -> list[str]:
    """Variables the task reads that neither `known`, the task itself, nor Ansible defines;
    `item` (or the loop_var) read without a loop is one too: it exists only inside a loop."""
    looped = loop_names(task)
    given = task.get("vars")
    # What the task itself gives: its register (read in until/changed_when), its set_fact keys
    # (`when: x is not defined` beside `set_fact: x`), its own `vars:`, names it only tests for.
    own = defines(task) | guarded(task) | ({k for k in given if isinstance(k, str)} if isinstance(given, dict) else set())
    missing = []
    for name in sorted(reads(task)):
        if name in looped:
            if not has_loop(task):
                missing.append(name)
        elif name not in known and name not in own and not is_provided(name):
            missing.append(name)
    return missing
