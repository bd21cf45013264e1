"""Rendering for `ansible-codegen explain`: an Explained (see explain_model.py) as Markdown (the
optional model-written summary is explain_summary.py).

Everything said about a module or an option comes from its documentation in the catalog; task and
play keywords have a fixed reading. A value that looks like a plain-text secret is never shown.
Rendering reads what explain.py collected and explain_rules.py flagged, and adds no flags.
"""
from __future__ import annotations

import re

from codegen.ansible_files.plays import IMPORT_PLAYBOOK
from codegen.ansible_files.commands import COMMAND_MODULES
from codegen.authoring.explain_model import (
    BLOCK_KEYS,
    FALSE,
    PLAY_SECTIONS,
    Entry,
    Explained,
    Flag,
    Play,
    Vaulted,
    as_list,
    code,
    is_secret_option,
    is_template,
    plain_value,
)
from codegen.catalog.doc_text import first_sentence, plain
from codegen.ansible_files.keywords import is_keyword

# Modules whose keys are free names, not options (as in validate/argspec.py).
ANY_KEYS = {"ansible.builtin.set_fact": "a fact", "ansible.builtin.add_host": "a host variable"}

# ---------------------------------------------------------------------------------------------
# Values, options and keywords in plain words


def show(value, limit: int = 100, secret: bool = False) -> str:
    """A value for the Markdown: in backticks, cut to `limit`; a plain-text secret is not shown."""
    if secret and not is_template(value) and not isinstance(value, Vaulted):
        return "*(hidden: looks like a secret)*"
    text = plain_value(value)
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return code(text)


def choice_note(spec: dict, value) -> str:
    """What the documentation says about the chosen value, when it says something."""
    choices = spec.get("choices")
    if isinstance(choices, dict):  # documented as {choice: description}
        said = choices.get(value) if isinstance(value, str) else None
        return first_sentence(said or "", 200) if said else ""
    if not isinstance(value, str) or not choices or value not in [str(c) for c in choices]:
        return ""
    text = " ".join(str(spec.get("description") or "").split())
    sentences = re.split(r"(?<=[.!?])\s+", text)[1:]  # the first one is shown already
    for sentence in sentences:
        complete = sentence.rstrip().endswith((".", "!", "?", ")"))  # the catalog cuts long descriptions
        if complete and re.search(r"\b[VC]\(" + re.escape(value) + r"\)", sentence):
            return first_sentence(sentence, 200)
    return ""


def option_lines(args: dict, options: dict, fqcn: str, indent: str = "") -> list[str]:
    """One bullet per option given: its value and the first sentence of its documentation."""
    lines = []
    for key, value in args.items():
        if key == "_raw_params":
            continue
        canonical = _canonical(options, str(key))
        spec = options.get(canonical, {}) if canonical else {}
        secret = is_secret_option(str(key), value, spec)
        head = f"{indent}- {code(key)} = {show(value, secret=secret)}"
        if canonical is None:
            lines.append(f"{head}: {ANY_KEYS[fqcn]} it sets" if fqcn in ANY_KEYS
                         else f"{head}: not a documented option of {fqcn}")
            continue
        text = first_sentence(spec.get("description") or "", 200)
        note = choice_note(spec, value)
        if canonical != key:
            text = f"(alias of {code(canonical)}) {text}"
        if spec.get("default") is not None and plain_value(spec["default"]) == plain_value(value):
            note = (note + " " if note else "") + "(this is the default)"
        lines.append(head + (f": {text}" if text else "") + (f" — {note}" if note else ""))
        subs = spec.get("suboptions")
        if subs and isinstance(value, dict) and not indent:
            lines += option_lines(value, subs, fqcn, indent + "  ")
    return lines


def _canonical(options: dict, key: str) -> str | None:
    if key in options:
        return key
    return next((n for n, s in options.items() if key in (s.get("aliases") or [])), None)


def _loop_sentence(task: dict) -> str | None:
    loop_key = "loop" if "loop" in task else next((k for k in task if isinstance(k, str) and k.startswith("with_")), None)
    if loop_key is None:
        return None
    control = task.get("loop_control") if isinstance(task.get("loop_control"), dict) else {}
    var = control.get("loop_var", "item")
    how = "" if loop_key == "loop" else f" ({code(loop_key)})"
    return f"Repeats for each item of {show(task[loop_key])}{how}; the current one is {code(var)}."


def keyword_sentences(task: dict, handlers: dict[str, int]) -> list[str]:
    """The task keywords in plain words."""
    out = []
    if "when" in task:
        conditions = as_list(task["when"])
        out.append("Runs only when " + " and ".join(show(c) for c in conditions) + ".")
    loop = _loop_sentence(task)
    if loop:
        out.append(loop)
    if "until" in task:
        out.append(f"Retries up to {task.get('retries', 3)} times, {task.get('delay', 5)} s apart, "
                   f"until {show(task['until'])}.")
    if "register" in task:
        out.append(f"Saves its result in the variable {code(task['register'])}.")
    if task.get("notify"):
        names = [f"{code(n)}" + (f" (task {handlers[str(n)]})" if str(n) in handlers else "")
                 for n in as_list(task["notify"])]
        out.append("When it changes something, notifies " + ", ".join(names)
                   + ": the handler runs once, at the end of the play's tasks.")
    if "listen" in task:
        out.append("Also runs when " + ", ".join(code(n) for n in as_list(task["listen"])) + " is notified.")
    if "become" in task or "become_user" in task:
        if task.get("become") in FALSE and "become" in task:
            out.append("Runs without privilege escalation (`become: false`).")
        else:
            out.append(f"Runs with privilege escalation as {code(task.get('become_user', 'root'))}"
                       + (f" via {code(task['become_method'])}" if "become_method" in task else "") + ".")
    if "changed_when" in task:
        value = task["changed_when"]
        out.append("Never reports 'changed'." if value in FALSE else f"Reports 'changed' only when {show(value)}.")
    if "failed_when" in task:
        value = task["failed_when"]
        out.append("Never fails." if value in FALSE else f"Fails only when {show(value)}.")
    if task.get("ignore_errors") not in (None, *FALSE):
        out.append("A failure does not stop the play (`ignore_errors`).")
    if task.get("delegate_to"):
        out.append(f"Runs on {show(task['delegate_to'])} instead of each target host (`delegate_to`).")
    if task.get("run_once") not in (None, *FALSE):
        out.append("Runs once for the whole batch of hosts, not on every host (`run_once`).")
    if "no_log" in task:
        out.append("Its arguments and results are kept out of the output and logs (`no_log`)."
                   if task["no_log"] not in FALSE else "Logging is explicitly on (`no_log: false`).")
    if "check_mode" in task:
        out.append("Always runs in check mode (changes nothing)." if task["check_mode"] not in FALSE
                   else "Runs for real even in check mode (`check_mode: false`).")
    if "async" in task:
        out.append(f"Runs in the background for up to {task['async']} s"
                   + (" without waiting for it (`poll: 0`)." if task.get("poll") in (0, "0") else "."))
    for keyword, words in (("vars", "Sets task variables"), ("environment", "Sets environment variables")):
        if isinstance(task.get(keyword), dict) and task[keyword]:
            out.append(f"{words}: " + ", ".join(code(k) for k in task[keyword]) + ".")
    if task.get("tags"):
        out.append("Tags: " + ", ".join(code(t) for t in as_list(task["tags"])) + ".")
    said = {"name", "when", "loop", "loop_control", "until", "retries", "delay", "register", "notify", "listen",
            "become", "become_user", "become_method", "changed_when", "failed_when", "ignore_errors", "delegate_to",
            "run_once", "no_log", "check_mode", "async", "poll", "vars", "environment", "tags", "args", "action",
            "local_action", *BLOCK_KEYS}
    other = [k for k in task if isinstance(k, str) and is_keyword(k) and k not in said and not k.startswith("with_")]
    if other:
        out.append("Other keywords: " + ", ".join(f"{code(k)} = {show(task[k], 60)}" for k in other) + ".")
    if "local_action" in task:
        out.append("Runs on the control node (`local_action`).")
    return out


# ---------------------------------------------------------------------------------------------
# Tasks, plays and the whole file


def _heading(entry: Entry, level: int) -> str:
    where = f" *({entry.section} of task {entry.parent})*" if entry.parent else ""
    line = getattr(entry.task, "line", None)
    at = f" — {entry.source}:{line}" if line else ""
    return f"{'#' * level} Task {entry.number}: {entry.name or '(no name)'}{where}{at}"


def entry_markdown(entry: Entry, level: int, handlers: dict[str, int]) -> list[str]:
    """One task (or block), with its module, options, keywords and flags."""
    lines = [_heading(entry, level), ""]
    if entry.is_block:
        parts = [f"{part} {_numbers(numbers)}" for part, numbers in entry.children.items() if numbers]
        lines.append("A block: " + "; ".join(parts) + "." if parts else "An empty block.")
        if entry.children.get("rescue"):
            lines.append("If a task of the block fails, the rescue tasks run (and the failure counts as handled).")
        if entry.children.get("always"):
            lines.append("The always tasks run whatever happened.")
    elif entry.key is None:
        extra = [k for k in entry.task if isinstance(k, str) and not is_keyword(k)]
        lines.append("This task calls no module." if not extra
                     else "This task has several module keys, which ansible rejects: " + ", ".join(map(code, extra)) + ".")
    elif entry.doc is None:
        lines.append(f"Calls {code(entry.key)}: not found in the installed collections, so nothing is said about "
                     "what it does or about its options.")
        given = [f"- {code(k)} = {show(v)}" for k, v in entry.args.items() if k != "_raw_params"]
        lines += [""] + given if given else []
    else:
        written = "" if entry.key == entry.doc.fqcn else f" (written {code(entry.key)})"
        lines.append(f"Module {code(entry.doc.fqcn)}{written}: {plain(entry.doc.short_description).rstrip('.')}.")
        raw = entry.args.get("_raw_params")
        if raw is not None:
            what = "Command" if entry.fqcn in COMMAND_MODULES else "Free-form argument"
            lines.append(f"{what}: {show(raw, 200)}")
        options = option_lines(entry.args, entry.doc.options, entry.doc.fqcn)
        if options:
            lines += [""] + options
    keywords = keyword_sentences(entry.task, handlers)
    if keywords:
        lines += [""] + (["For each task inside:"] if entry.is_block else []) + keywords
    if entry.flags:
        lines += [""] + "\n>\n".join(f"> **Review [{f.rule}]:** {f.message}" for f in entry.flags).split("\n")
    return lines + [""]


def _numbers(numbers: list[int]) -> str:
    """'task 7', 'tasks 5-6', or 'tasks 5, 8' (a nested block's own tasks sit between)."""
    if len(numbers) == 1:
        return f"task {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"tasks {numbers[0]}-{numbers[-1]}"
    return "tasks " + ", ".join(map(str, numbers))


def variable_lines(mapping: dict) -> list[str]:
    return [f"- {code(k)} = {show(v, 80, secret=is_secret_option(str(k), v, {}))}" for k, v in mapping.items()]


def play_markdown(play: Play, handlers: dict[str, int]) -> list[str]:
    data = play.data
    imported = next((data[k] for k in IMPORT_PLAYBOOK if k in data), None)
    title = data.get("name") or (f"import {imported}" if imported else "(no name)")
    lines = [f"## Play {play.number}: {title}", ""]
    if imported is not None:
        lines.append(f"Imports and runs the playbook {code(imported)} here.")
    else:
        lines += play_sentences(data)
    for key in ("vars", "vars_files"):
        if data.get(key):
            lines += ["", f"{'Variables' if key == 'vars' else 'Variable files'}:"]
            lines += variable_lines(data[key]) if isinstance(data[key], dict) else [f"- {show(v)}" for v in as_list(data[key])]
    if data.get("roles"):
        lines += ["", "Roles applied, in order, before the tasks:"] + [f"- {role_line(r)}" for r in as_list(data["roles"])]
    lines.append("")
    for section in play.sections:
        lines += section_lines(section, 3, handlers)
    return lines


def section_lines(section, level: int, handlers: dict[str, int]) -> list[str]:
    """A heading for the section (tasks, handlers...), then each of its entries one level deeper."""
    lines = [f"{'#' * level} {section.title}", ""]
    if not section.entries:
        lines += ["(none)", ""]
    for entry in section.entries:
        lines += entry_markdown(entry, level + 1, handlers)
    return lines


def play_sentences(data: dict) -> list[str]:
    """Where a play runs and how (hosts, become, facts, and its other keywords)."""
    out = [f"Runs on the hosts {show(data.get('hosts'))}"
           + (f" as {code(data['remote_user'])}" if data.get("remote_user") else "") + "."]
    if data.get("become") not in (None, *FALSE):
        out.append(f"Every task runs with privilege escalation as {code(data.get('become_user', 'root'))} "
                   "unless it says otherwise.")
    gather = data.get("gather_facts", True)
    out.append("Facts are gathered first." if gather not in FALSE else "Facts are not gathered (`gather_facts: false`).")
    if data.get("serial") is not None:
        out.append(f"Hosts are handled in batches of {show(data['serial'])} (`serial`).")
    said = {"name", "hosts", "become", "become_user", "gather_facts", "serial", "vars", "vars_files", "roles",
            "remote_user", *PLAY_SECTIONS}
    other = [k for k in data if k not in said]
    if other:
        out.append("Other play keywords: " + ", ".join(f"{code(k)} = {show(data[k], 60)}" for k in other) + ".")
    return out


def role_line(role) -> str:
    if not isinstance(role, dict):
        return code(role)
    name = role.get("role", role.get("name", "?"))
    rest = [k for k in role if k not in ("role", "name")]
    return code(name) + (" with " + ", ".join(code(k) for k in rest) if rest else "")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _what(out: Explained) -> str:
    tasks = sum(not e.is_block for e in out.entries)
    blocks = len(out.entries) - tasks
    counted = _count(tasks, "task") + (f" and {_count(blocks, 'block')}" if blocks else "")
    if out.kind == "playbook":
        return f"A playbook: {_count(len(out.plays), 'play')}, {counted}."
    if out.kind == "role":
        return f"A role: {counted} in {_count(len(out.sections), 'file')}."
    return f"A {'handlers' if out.kind == 'handlers' else 'tasks'} file: {counted}."


def modules_markdown(out: Explained) -> list[str]:
    """Each module once, with what it does, the tasks that use it and the collection it comes from."""
    lines = ["## Modules used", ""]
    for name, numbers in out.modules().items():
        doc = out.entries[numbers[0] - 1].doc
        tasks = f"task{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"
        if doc is None:
            lines.append(f"- {code(name)}: not found in the installed collections ({tasks})")
            continue
        source = f"; {doc.collection} {doc.version}" if doc.version else ""
        lines.append(f"- {code(name)}: {plain(doc.short_description).rstrip('.')} ({tasks}{source})")
    return lines + [""] if len(lines) > 2 else []


def flags_markdown(flags: list[Flag]) -> list[str]:
    lines = ["## Review flags", ""]
    if not flags:
        return lines + ["None found.", ""]
    for flag in flags:
        where = flag.where[:1].upper() + flag.where[1:]
        lines.append(f"- **{where}** [{flag.rule}]: {flag.message}")
    return lines + [""]


MODEL_NOTE = ("*Written by the local language model and not checked; everything below it comes from "
              "the modules' documentation.*")


def summary_markdown(summary: str) -> list[str]:
    if not summary.strip():
        return ["## Summary (written by the model)", "",
                "*The local model gave no usable summary; the explanation below does not depend on it.*", ""]
    return ["## Summary (written by the model)", "", MODEL_NOTE, "", "> " + summary, ""]


def render_markdown(out: Explained, summary: str | None = None) -> str:
    """The whole explanation: overview, flags, then play by play (or section by section)."""
    title = f"Role {out.path.name}" if out.kind == "role" else out.path.name
    lines = [f"# {title}", "", _what(out), ""]
    if summary is not None:
        lines += summary_markdown(summary)
    lines += modules_markdown(out)
    lines += flags_markdown(out.flags)
    for play in out.plays:
        lines += play_markdown(play, out.handlers(play.sections))
    for title, mapping in out.variables:
        lines += [f"## {title}", ""] + (variable_lines(mapping) or ["(none)"]) + [""]
    handlers = out.handlers(out.sections)
    for section in out.sections:
        lines += section_lines(section, 2, handlers)
    return "\n".join(lines).rstrip() + "\n"


def render_task_markdown(out: Explained, number: int) -> str:
    """Only task N, with where it sits."""
    entry = out.entry(number)
    play = next((p for p in out.plays if any(entry in s.entries for s in p.sections)), None)
    scope = play.sections if play else out.sections
    where = f"play {play.number} ({play.data.get('name') or play.data.get('hosts')}), " if play else ""
    lines = entry_markdown(entry, 1, out.handlers(scope))
    lines.insert(1, f"\n*In {out.path.name}: {where}{entry.section}.*")
    return "\n".join(lines).rstrip() + "\n"
