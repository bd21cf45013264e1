""""Explain this task": what a task does, in words, from the module's documentation and the task keywords.

No model is involved: the explanation is built from the catalog (the module's short description
and each given option's documentation) and a fixed reading of the task keywords, so it is fast
and never invents anything.
"""
from __future__ import annotations

from codegen.ansible_files.plays import BLOCK_KEYS
from codegen.catalog.doc_text import first_sentence, plain
from codegen.ansible_files.keywords import is_keyword, module_key

_FREE_FORM = {"ansible.builtin.command", "ansible.builtin.shell", "ansible.builtin.raw", "ansible.builtin.script",
              "ansible.windows.win_command", "ansible.windows.win_shell"}


def _value(value, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value) if not isinstance(value, (dict, list)) else str(value)
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _keywords(task: dict) -> list[str]:
    out = []
    if task.get("become") or task.get("become_user"):
        who = task.get("become_user") or "root"
        out.append(f"Runs with privilege escalation (become) as {who}.")
    if "when" in task:
        out.append(f"Runs only when: {_value(task['when'])}.")
    loop = task.get("loop", next((task[k] for k in task if isinstance(k, str) and k.startswith("with_")), None))
    if loop is not None:
        out.append(f"Repeats for each item of: {_value(loop)} (the current one is `item`).")
    if "register" in task:
        out.append(f"Saves its result in the variable `{task['register']}`.")
    notify = task.get("notify")
    if notify:
        names = [notify] if isinstance(notify, str) else list(notify)
        out.append("When it changes something, notifies the handler(s): " + ", ".join(map(str, names)) + ".")
    for key, words in (("changed_when", "Reports 'changed' when"), ("failed_when", "Fails when"),
                       ("until", "Retries until")):
        if key in task:
            out.append(f"{words}: {_value(task[key])}.")
    if task.get("ignore_errors"):
        out.append("A failure does not stop the play (ignore_errors).")
    if task.get("delegate_to"):
        out.append(f"Runs on {task['delegate_to']} instead of the target host (delegate_to).")
    if task.get("run_once"):
        out.append("Runs once, not on every host (run_once).")
    if task.get("no_log"):
        out.append("Its output is hidden from logs (no_log).")
    if "check_mode" in task:
        out.append(f"check_mode is {task['check_mode']}.")
    if task.get("tags"):
        tags = task["tags"] if isinstance(task["tags"], list) else [task["tags"]]
        out.append("Tags: " + ", ".join(map(str, tags)) + ".")
    return out


def explain_task(task: dict, catalog) -> str:
    """A short plain-text explanation of one task (a mapping as loaded)."""
    name = task.get("name")
    if any(k in task for k in BLOCK_KEYS):
        count = sum(len(task.get(k) or []) for k in BLOCK_KEYS)
        head = f"{name!r}: a block of {count} task(s)" if name else f"A block of {count} task(s)"
        return "\n".join([head + "; the keywords below apply to each of them."] + _keywords(task))
    key = module_key(task)
    if key is None:
        extra = [k for k in task if isinstance(k, str) and not is_keyword(k)]
        return (f"{name!r}: " if name else "") + ("this task calls no module." if not extra
                                                   else "this task has more than one module key: " + ", ".join(extra))
    doc = catalog.get(key)
    lines = []
    if doc is None:
        lines.append((f"{name!r} " if name else "This task ") + f"calls {key}, which is not an installed module.")
        return "\n".join(lines + _keywords(task))
    lines.append((f"{name!r} " if name else "This task ") + f"runs {doc.fqcn}: {plain(doc.short_description)}.")
    args = task.get(key)
    free_form = isinstance(args, str)
    if free_form:
        if doc.fqcn in _FREE_FORM:
            lines.append(f"  command line: {_value(args, 160)}")
            args = {}
        else:
            try:
                from ansible.parsing.splitter import parse_kv

                args = parse_kv(args)
            except Exception:  # noqa: BLE001 - a free-form string we cannot split: show it as is
                lines.append(f"  arguments: {_value(args, 160)}")
                args = {}
    for option, value in (args or {}).items() if isinstance(args, dict) else []:
        canonical = doc.canonical_option(str(option))
        if canonical is None:
            if option != "_raw_params":
                lines.append(f"  {option} = {_value(value)}: not an option of {doc.fqcn}.")
            continue
        description = first_sentence(doc.options[canonical].get("description") or "", 160)
        lines.append(f"  {option} = {_value(value)}" + (f": {description}" if description else ""))
    given = {doc.canonical_option(str(k)) for k in args} if isinstance(args, dict) else set()
    missing = [] if free_form else [o for o in doc.required() if o not in given and o != "free_form"]
    if missing:
        lines.append("  Missing required option(s): " + ", ".join(missing) + ".")
    return "\n".join(lines + _keywords(task))
