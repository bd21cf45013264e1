"""One play around the task snippets: the request as its name, become, vars and handlers decided
(become.py, handlers.py), laid out by `prompts/playbook.yml.j2`."""
from __future__ import annotations

import re
from functools import lru_cache

import jinja2
import yaml

from codegen.assemble.become import drop_inherited_become, infer_become
from codegen.assemble.handlers import handler_names, plan_handlers
from codegen.assemble.notify import drop_notify
from codegen.assemble.snippets import dump_vars, normalise_snippet, parse_tasks, scalar
from codegen.paths import prompts_dir

TEMPLATE = "playbook.yml.j2"


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(prompts_dir())), trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True, autoescape=False,
                             undefined=jinja2.StrictUndefined)
    env.filters["scalar"] = scalar
    return env


_LEADING = re.compile(
    r"^(please\s+|can you\s+|could you\s+|i want to\s+|i need to\s+|we need to\s+|ansible to\s+|"
    r"(write|create|generate|make|build|give me)\s+(me\s+)?(an?\s+)?(ansible\s+)?(playbook|play|tasks?)\s*"
    r"(that|to|which|for|in order to)?[\s:]+)+",
    re.IGNORECASE)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


# list markers of a numbered or bulleted request ("1. Install x 2. Start y", "- install x")
_MARKER = re.compile(r"(?:^|\s)(?:\d{1,2}[.)]|[-*\u2022])\s+")
# words a cut name must not end on: it would read as broken off mid-step
_DANGLING = re.compile(r"(?:[\s,;:-]+(?:and|then|or|to|with|from|into|in|on|of|for|the|a|an|\d{1,2}[.)]))+$",
                       re.IGNORECASE)


def play_name(prompt: str, limit: int = 80) -> str:
    """A request as a play name: one line, `&` spelled out, list markers as commas, capitalised, no
    trailing full stop; a long one cut at a word, never ending on "and" or a list number."""
    text = " ".join(str(prompt or "").split())
    text = text.replace("{{", "").replace("}}", "")
    text = _LEADING.sub("", text)
    text = re.sub(r"\s*&&?\s*", " and ", text)
    text = re.sub(r"\s*\+\s+", " and ", text)
    if len(_MARKER.findall(text)) > 1:
        text = _MARKER.sub(", ", text).strip(" ,")
        text = re.sub(r", ([A-Z])(?=[a-z])", lambda m: ", " + m.group(1).lower(), text)
    text = text.strip(" \t.!?;,:")
    if len(text) > limit:
        cut = text[:limit]
        clause = max(cut.rfind(", "), cut.rfind(" and "), cut.rfind(" then "), cut.rfind(". "), cut.rfind("; "))
        cut = cut[:clause] if clause > limit // 2 else cut.rsplit(" ", 1)[0]  # whole steps where it can
        text = _DANGLING.sub("", cut).rstrip(" ,;:-") or text[:limit]
    return _capitalise(text) if text else "Generated playbook"


def assemble_playbook(tasks: list[str], *, name: str, hosts: str = "all", become: bool | None = None,
                      vars: dict | None = None, handlers: list[str] | None = None) -> tuple[str, list[str]]:
    """One play around the task snippets; returns (playbook text, notes about what was decided).

    tasks: YAML list text, one snippet per request, each with one or more normalised tasks.
    become: None decides from the tasks (package managers, services, users, files under /etc...).
    vars: play variables, rendered in the given order.
    handlers: handler snippets already written (same form as tasks); notify names that none of
    them answers get a handler inferred from the name ("Restart nginx" -> service nginx restarted),
    or are dropped from the task text (with a note) when the name says nothing usable.
    Raises ValueError when a snippet is not a YAML list of tasks.
    """
    notes: list[str] = []
    snippets: list[str] = []
    parsed: list[dict] = []
    for index, text in enumerate(tasks):
        try:
            body = normalise_snippet(text)
            items = parse_tasks(body)
        except (ValueError, yaml.YAMLError) as exc:
            raise ValueError(f"task snippet {index + 1} is not a YAML list of tasks: {exc}") from exc
        if body:
            snippets.append(body)
            parsed.extend(items)
    extra = [normalise_snippet(text) for text in handlers or []]
    extra = [text for text in extra if text]

    if become is None:
        become, reason = infer_become(parsed)
        if reason:
            notes.append(reason)
        else:
            become = None  # nothing needs root: leave the keyword out
    if become is True:  # a task's own `become: true` repeats the play's
        snippets = [drop_inherited_become(text) for text in snippets]
    new_handlers, dropped, handler_notes = plan_handlers(parsed, handler_names(extra))
    notes.extend(handler_notes)
    if dropped:
        snippets = [drop_notify(text, set(dropped)) for text in snippets]
    if not snippets:
        notes.append("no tasks: the play has an empty task list")

    text = environment().get_template(TEMPLATE).render(
        name=_capitalise(" ".join((name or "").split()) or "Generated playbook"),
        hosts=hosts or "all",
        become=become,
        vars_text=dump_vars(vars) if vars else "",
        tasks=snippets,
        extra_handlers=extra,
        handlers=new_handlers,
    )
    text = "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n") + "\n"
    return text, notes
