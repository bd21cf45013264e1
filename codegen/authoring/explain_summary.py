"""The model's summary for `ansible-codegen explain --summary` (opt-in): its prompt, asking the
model, cleaning its answer. The only part of explain that loads a model, and torch only when
model_summary() is called without a backend."""
from __future__ import annotations

import re

from codegen.authoring.explain_model import FALSE, Entry, Explained, Play, plain_value
from codegen.catalog.doc_text import plain

SUMMARY_TASKS = 40  # a longer prompt costs CPU time and a 270M model loses the thread anyway


def summary_prefix(out: Explained) -> str:
    return f"This {'tasks file' if out.kind in ('tasks', 'handlers') else out.kind}"


def _prompt_task(entry: Entry) -> dict:
    does = plain(entry.doc.short_description).rstrip(".") if entry.doc is not None else ""
    return {"number": entry.number, "name": entry.name or "(no name)",
            "module": "a block" if entry.is_block else entry.fqcn or entry.key or "no module", "does": does}


def _play_title(play: Play) -> str:
    data = play.data
    if "hosts" not in data:
        return f"Play {play.number} imports another playbook"
    become = ", as root" if data.get("become") not in (None, *FALSE) else ""
    return f"Play \"{data.get('name') or play.number}\" on hosts {plain_value(data['hosts'])}{become}"


def render_summary_prompt(out: Explained) -> str:
    """The prompt for --summary: the plays and tasks, each task's module as documented, the summary's start.

    Option values are left out: the model needs what the tasks do, and no secret may reach a prompt."""
    from codegen.prompt import environment

    if out.plays:
        groups = [{"title": _play_title(p), "tasks": [_prompt_task(e) for s in p.sections for e in s.entries]}
                  for p in out.plays]
    else:
        groups = [{"title": s.title, "tasks": [_prompt_task(e) for e in s.entries]} for s in out.sections]
    budget = SUMMARY_TASKS
    for group in groups:
        group["tasks"], budget = group["tasks"][:max(budget, 0)], budget - len(group["tasks"])
    return environment().get_template("explain.j2").render(
        filename=out.path.name, kind=out.kind, groups=groups, prefix=summary_prefix(out)).rstrip("\n")


_NOT_PROSE = re.compile(r"(^|\s)-\s+\w+:|\{\{|```|\w+:\s+\w+:")


def clean_summary(prefix: str, completion: str) -> str:
    """The model's continuation -> one paragraph cut after its last full sentence; "" when it is
    not prose (a small model may echo YAML instead of summarising: then it adds nothing)."""
    if not completion.startswith(" ") or _NOT_PROSE.search(completion):
        return ""
    text = " ".join((prefix + completion).split("\n\n", 1)[0].split())
    end = max(text.rfind(". "), text.rfind(".") if text.endswith(".") else -1)
    if end > len(prefix):
        text = text[:end + 1]
    return text if len(text) > len(prefix) + 10 else ""


def model_summary(out: Explained, backend=None) -> str:
    """Ask the local model (bare base, no adapter: the adapter is tuned to write tasks) for a summary."""
    if backend is None:
        from codegen.backends.local import LocalBackend

        backend = LocalBackend(adapter=None, max_new_tokens=120)
    generation = backend.complete(render_summary_prompt(out))
    return clean_summary(summary_prefix(out), getattr(generation, "text", generation))
