"""A request -> the steps it asks for, each with the modules that fit it; and the check that
every asked step got a task with a fitting module, and nothing unasked got in.

The steps are the user's (`a & b`), the code's split of a plain request (codegen/authoring/split.py),
or, for a request the code finds no concrete action in, the model's outline
(codegen/authoring/outline.py). Each step is generated seeing the tasks before it; a task whose
module does not fit its step (codegen/authoring/families.py) is left out and the step asked again,
naming its module; keys nobody asked for are removed by the pipeline (codegen/grounding/unasked.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from codegen.ansible_files.keywords import module_key
from codegen.assemble.snippets import dump, parse_tasks, scalar
from codegen.authoring.families import PREFERRED, families_for
from codegen.authoring.split import first_word, habit, split_request, tidy, vague

@dataclass
class Plan:
    steps: list[str]
    outlined: bool  # the steps came from the model's outline (asked with the request as purpose)
    dropped: list[str] = field(default_factory=list)  # outline steps dropped as habits


def plan_steps(backend, request: str) -> Plan:
    """The steps to generate: the user's ('a & b'), the code's split, else the model's outline."""
    from codegen.authoring.outline import generate_outline
    from codegen.prompt import split_requests

    given = split_requests(request)
    if len(given) > 1:
        return Plan([tidy(g) for g in given if tidy(g)], outlined=False)
    steps = split_request(request)
    if steps and not vague(steps, request):
        return Plan(steps, outlined=False)
    outline = generate_outline(backend, request)
    kept = [s for s in outline if not habit(s) or habit(request)]
    return Plan(kept or steps, outlined=bool(kept), dropped=[s for s in outline if s not in kept])


@dataclass
class Coverage:
    step: str
    families: list[str] | None  # None: the code cannot tell which modules fit
    task: str | None = None      # the name of the task that covers it

    @property
    def covered(self) -> bool:
        return self.families is None or self.task is not None

    def mark(self) -> str:
        return "covered" if self.task else ("missing" if self.families is not None else "unchecked")


@dataclass
class Generated:
    snippets: list[str]
    problems: list[str]
    coverage: list[Coverage]
    asked: bool = True  # the steps are the user's (or the request's, split by code), not the model's outline

    @property
    def missing(self) -> list[str]:
        """Asked steps no task covers. The model's outline steps are its guesses: one it could not
        cover is a warning, not a missing step (the request itself named no concrete action)."""
        return [c.step for c in self.coverage if not c.covered] if self.asked else []


def _short(pipeline, task: dict) -> str | None:
    key = module_key(task)
    return (pipeline.catalog.resolve(key) or key).rsplit(".", 1)[-1] if key else None


def _retry_text(step: str, fits: frozenset) -> str:
    # a module the step names ("Enable ufw") first, then the family's usual one
    named = sorted(fits, key=lambda m: (not re.search(rf"\b{m}\b", step.lower()), m))
    module = next((PREFERRED[m] for m in named if m in PREFERRED), None)
    return f"{step} with {module}" if module else step


class ModuleFirst:
    """A decoding constraint for the retry: the task body must open with one of the fitting
    modules' key lines; after that the pipeline's own constraint (schema-guided) decides alone.
    The small model knows the options of a module well once it has written the module's name;
    what it gets wrong is which module a plainly worded step needs."""

    DEEP_SCAN = 16384

    def __init__(self, inner, modules: list[str]):
        self.inner = inner
        self.targets = [f"  {m}:" for m in modules]
        # the pipeline reads these of its constraint after decoding
        self.checker = getattr(inner, "checker", None)
        self.dead_end = False

    def __getattr__(self, name):  # interventions and the like: the inner constraint's
        return getattr(self.__dict__["inner"], name)

    def choose(self, text, logits, extend, to_full, eos) -> int:
        import torch

        if any(text.startswith(t) for t in self.targets):
            index = self.inner.choose(text, logits, extend, to_full, eos)
            self.dead_end = getattr(self.inner, "dead_end", False)
            return index
        ok = getattr(self.inner, "_ok", None)
        for index in torch.argsort(logits, descending=True).tolist()[: self.DEEP_SCAN]:
            full = to_full(index)
            if full in eos:
                continue
            candidate = extend(full)
            if any(t.startswith(candidate) or candidate.startswith(t) for t in self.targets) and \
                    (ok is None or ok(text, candidate)):
                return index
        self.dead_end = True
        return self.inner.choose(text, logits, extend, to_full, eos)


def _forcing(pipeline, fits: frozenset, step: str = ""):
    """The pipeline whose decoding must open with one of the fitting modules (the retry); only
    the one the step names, when it names one ("Enable ufw")."""
    import copy

    named = {m for m in fits if re.search(rf"\b{m}\b", step.lower())}
    fits = frozenset(named) or fits

    modules = sorted({pipeline.catalog.resolve(m) or PREFERRED.get(m) or m for m in fits} - {None})
    if not getattr(pipeline, "constrain", False) or not modules:
        return pipeline
    forced = copy.copy(pipeline)
    original = pipeline._constraint
    forced._constraint = lambda *args, **kwargs: ModuleFirst(original(*args, **kwargs), modules)
    return forced


def _clean(pipeline, text: str, step: str, fits, request: str) -> tuple[str, list[str]]:
    """The snippet without tasks that do not fit the step; (text, notes). Keys nobody asked for
    were already removed by the pipeline (drop_unasked, given the whole request as `asked`)."""
    tasks = parse_tasks(text)
    notes = []
    keep = [(fits is None or _short(pipeline, t) in fits) and not (habit(str(t.get("name", ""))) and not habit(request))
            for t in tasks]
    if all(keep):
        return text, notes
    dropped = [f"{t.get('name')} ({_short(pipeline, t)})" for t, k in zip(tasks, keep) if not k]
    notes.append(f"note [steps] step {step!r}: left out {', '.join(map(repr, dropped))} (not what the step asks)")
    if not any(keep):
        return "", notes
    return dump([t for t, k in zip(tasks, keep) if k]), notes  # several tasks, some kept: only what is kept


def _renamed(answer: str, name: str) -> str:
    """The task with this name: its name line replaced, and with it the lines a long name was
    folded onto (indented past the task's keys), which would otherwise join the new name."""
    lines = answer.split("\n")
    body = 1
    while body < len(lines) and lines[body].startswith("   "):
        body += 1
    return "\n".join([f"- name: {scalar(name)}", *lines[body:]])


def generate_covered(pipeline, steps: list[str], purpose: str | None = None, request: str = "",
                     path: str | None = None) -> Generated:
    """One task snippet per step, each seeing the tasks before it; a step no task covers with a
    fitting module is asked again, naming the module; still uncovered, it is reported missing.

    purpose: the request an outline's steps are for; the model is asked "<step> (<purpose>)" (an
    outline step is often generic) and the task keeps the step as its name. path: the file the
    tasks go into, when it is inside a workspace (a playbook written into a project): its
    variables, handlers and templates are the steps' too (pipeline.prepare)."""
    from codegen.ansible_files.variables import defined_by
    from codegen.pipeline import prepare
    from codegen.prompt import task_name

    reader = getattr(pipeline, "workspaces", None)

    request = request or purpose or " ".join(steps)
    snippets: list[str] = []
    problems: list[str] = []
    coverage: list[Coverage] = []

    def ask(text: str, step: str, fits, force: bool = False) -> str:
        asked = f"{text} ({' '.join(purpose.split())})" if purpose else text
        asker = _forcing(pipeline, fits, step) if force else pipeline
        given = prepare("".join(snippets), path, reader) if path and reader is not None else None
        if given is not None and given.workspace is not None:  # may read what the workspace defines too
            answer, failed = asker.one_task(asked, given, asked=request)
        else:  # from scratch: only what the earlier steps define
            answer, failed = asker.one_task(asked, "".join(snippets), variables=defined_by(snippets), asked=request)
        problems.extend(failed)
        if answer and answer.startswith("- name:") and (purpose or text != step):
            answer = _renamed(answer, task_name(step))
        if not answer:
            return ""
        cleaned, notes = _clean(pipeline, answer, step, fits, request)
        problems.extend(notes)
        return cleaned

    for step in steps:
        fits = families_for(step, request)
        item = Coverage(step, sorted(fits) if fits is not None else None)
        coverage.append(item)
        def repeated(text: str) -> bool:
            return bool(text) and any(s.partition("\n")[2] == text.partition("\n")[2] for s in snippets)

        text = ask(step, step, fits)
        # no fitting task, or the task of an earlier step again ("Enable ufw" answered with the
        # "Allow port 80" rule): asked again, naming its module
        if (not text or repeated(text)) and fits is not None:
            text = ask(_retry_text(step, fits), step, fits, force=True) or text
            if text:
                problems.append(f"note [steps] step {step!r} was asked again, naming its module")
        if repeated(text):
            problems.append(f"note [outline] step {step!r} gave the same task as an earlier step: left out")
            text = ""
        if text:
            snippets.append(text)
            if fits is not None:
                item.task = str(parse_tasks(text)[0].get("name") or step)
    # A step left without its own task may be done by another task of the play ("start" and
    # "enable" in one), but not by a task that is already another step's cover: "Enable ufw"
    # answered twice with the "Allow port 80" rule is missing, not covered by that rule.
    claimed = {c.task for c in coverage if c.task is not None}
    for item in coverage:
        if item.task is None and item.families is not None:
            item.task = next((str(task.get("name")) for text in snippets for task in parse_tasks(text)
                              if _short(pipeline, task) in item.families and str(task.get("name")) not in claimed),
                             None)
    if purpose:
        problems += [f"warning [steps] outline step {c.step!r} got no task with a fitting module "
                     f"({', '.join(c.families or [])})" for c in coverage if not c.covered]
    else:
        problems += [f"error [steps] asked step {c.step!r} is missing: no task with a fitting module "
                     f"({', '.join(c.families or [])}) could be generated for it" for c in coverage if not c.covered]
    return Generated(snippets, problems, coverage, asked=not purpose)


def mark_outline(steps: list[str], request: str) -> list[str]:
    """Comment lines for an outline: each step's number, the action code found in it and the
    modules a task must use to cover it (checked after generating); `--outline` shows them."""
    out = ["Each step is checked after generating: it is covered by a task with one of these modules."]
    for number, step in enumerate(steps, 1):
        fits = families_for(step, request)
        action = first_word(step) or "?"
        out.append(f"  {number}. {action}: {', '.join(sorted(fits))}" if fits
                   else f"  {number}. {action}: (no module check: the code cannot tell which modules fit)")
    return out

