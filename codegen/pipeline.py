"""The whole path for one request, top to bottom:

request -> context (secrets redacted, tasks/handlers/vars read) -> prompt -> model (schema-guided)
-> parse -> normalise -> repair -> validate -> result record.
A prompt with `&` ("install nginx & start nginx") is several requests, answered in order,
each seeing the tasks before it as context.
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import asdict, dataclass, field, replace

from codegen.ansible_files.workspace import Workspace, WorkspaceReader
from codegen.ansible_files.yaml_load import MAX_FILE_CHARS
from codegen.grounding.context import FileContext, parse_context
from codegen.grounding.secrets import redact, redact_prompt
from codegen.grounding.unasked import (includes_refused, keywords_refused, request_literals, request_times,
                                      request_variables, unasked_keys)
from codegen.normalise import normalise_tasks
from codegen.parse import ParseError, load_tasks, task_text
from codegen.prompt import render_task_prompt, split_requests, task_name
from codegen.ansible_files.keywords import module_key
from codegen.validate import INCLUDE_NOT_FOUND, validate_tasks, warm_up
from codegen.validate.references import References

MAX_PROMPT_CHARS = 10_000  # a request as people type it, numbered lists included; far more is not a request
# Seconds from a task's start after which no further try runs (one in flight then is cut and
# dropped): a second try costs about as much as the first, and an editor suggestion that comes
# after the person moved on is worth nothing. `eval` lifts it (its answers must not depend on the
# machine's speed).
RETRY_BUDGET_S = 10.0  # the bound on one request; a busy machine's first try can take 6 s
# Errors that do not make a second try: ansible-lint cannot find the file an include or import
# names, because it lints the answer alone, away from the role it goes into (on the realistic
# bench, a second try traded `include_tasks: deploy.yml`, the file's own answer, for worse ones).
NOT_RETRIED = (INCLUDE_NOT_FOUND,)


def answer_errors(problems) -> list:
    """The errors that are the answer's own: not those of NOT_RETRIED (a check that cannot see the
    answer's surroundings). A second try is asked for them, and the language server drops a
    suggestion that has one."""
    return [p for p in problems if p.level == "error" and not p.message.startswith(NOT_RETRIED)]


@dataclass
class TaskResult:
    id: str | None
    yaml: str
    module: str | None
    valid: bool
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    sources: list[dict] | None = None
    workspace: dict | None = None  # the workspace files read and shown (grounding/workspace_context.py)

    def record(self) -> dict:
        record = asdict(self)
        for key in ("sources", "workspace"):
            if record[key] is None:
                del record[key]
        return record


@dataclass
class Prepared:
    """A context file, read once: what the model may see, and the secrets it must not; and the
    workspace around the file, when its path is known."""
    context: FileContext
    secrets: dict
    workspace: Workspace | None = None
    shown: list = field(default_factory=list)  # workspace files the prompts showed something from


def drop_unasked(text: str, request: str, file_tasks: str) -> tuple[str, list[str]]:
    """The answer without the keys nobody asked for (grounding/unasked.py), and a note naming them."""
    from codegen.assemble.snippets import parse_tasks, strip_keys
    from codegen.ansible_files.variables import defined_by

    try:
        tasks = parse_tasks(text)
    except Exception:  # unparsable text is validation's to report
        return text, []
    registered = defined_by([file_tasks]) if file_tasks.strip() else set()
    drop = [unasked_keys(t, request, file_tasks, registered) if isinstance(t, dict) else set() for t in tasks]
    if not any(drop):
        return text, []
    names = ", ".join(sorted(set().union(*drop)))
    return strip_keys(text, drop), [f"note [repair] removed {names}: the request did not ask for it"]


def prepare(context: str | None, path: str | None = None, reader: WorkspaceReader | None = None,
            root: str | None = None) -> Prepared:
    """The context read once: capped first (every caller, CLI, editor or hook, gets the same bound),
    then redacted, then parsed; then the workspace around `path` (the file the task goes into)."""
    if context and len(context) > MAX_FILE_CHARS:
        raise ValueError(f"the context is {len(context):,} characters, over the cap of {MAX_FILE_CHARS:,}")
    redaction = redact(context)
    workspace = (reader or WorkspaceReader()).read(path, redaction.text, root) if path else None
    return Prepared(parse_context(redaction.text), redaction.secrets, workspace)


def redact_request(request: str, prepared: Prepared) -> tuple[str, Prepared]:
    """The request with its secrets replaced, before it reaches a prompt, a backend or a task
    name; the secrets found join the context's, so that none of them may reach the answer."""
    redaction = redact_prompt(request, prepared.secrets)
    if redaction.secrets == prepared.secrets:
        return redaction.text, prepared
    return redaction.text, replace(prepared, secrets=redaction.secrets)


class Pipeline:
    retry_budget_s = RETRY_BUDGET_S

    def __init__(self, backend, catalog, lint: bool = True, constrain: bool = True, repair: bool = True,
                 sources=None, retriever="auto", option_summary: bool = False, candidates="auto",
                 workspace: bool = True, workspace_prompt: bool | str = "auto"):
        self.backend, self.catalog, self.lint = backend, catalog, lint
        self.constrain, self.repair = constrain, repair
        self.sources = sources  # a SourceIndex, when the caller wants content source matches
        # An ExampleRetriever shows the 2 most similar training examples in the prompt; the shipped
        # adapter was trained with them in half its prompts (module accuracy 0.58 -> 0.70 on the
        # realworld split, see README). "auto": the adapter's own index, if it has one; None: off.
        self.retriever = retriever
        self.option_summary = option_summary  # the nearest example's module's options, as comments (opt-in)
        # Private modules chosen from their documentation (grounding/candidates.py): "auto" when the
        # catalog has private collections; None: off.
        self.candidates = candidates
        # The workspace around a file whose path is known (ansible_files/workspace.py); one reader
        # per pipeline keeps each workspace's parsed files for the next request.
        self.workspaces = WorkspaceReader() if workspace else None
        # Show the model the workspace's lines (else only decoding, repair and validation use it).
        # "auto": when the backend's model was trained with them (what it learned is what it sees);
        # the shipped adapter was not, and shown them it chose modules worse (docs/workspace.md).
        if workspace_prompt == "auto":
            workspace_prompt = "workspace" in getattr(backend, "prompt_features", set)()
        self.workspace_prompt = workspace_prompt
        # Held while an answer is validated and linted: ansible's loader and ansible-lint are
        # process-global, so a caller that also checks documents on other threads (the language
        # server) shares its lock here.
        self.checks_lock = contextlib.nullcontext()

    def _retriever(self):
        if self.retriever == "auto":
            self.retriever = None
            path = getattr(self.backend, "source_index_path", lambda: None)()
            if path is not None and path.is_file():
                from codegen.grounding.retrieval import ExampleRetriever, common_rows
                from codegen.grounding.sources import read_index

                self.retriever = ExampleRetriever(read_index(path) + common_rows())
        return self.retriever

    def _constraint(self, handlers: list[str], variables: set[str] | None = None, choice=None, sources=None,
                    refused: set[str] = frozenset(), literals: frozenset[str] = frozenset(),
                    modules_refused: frozenset[str] = frozenset()):
        if not self.constrain:
            return None
        from codegen.grounding.decoding import SchemaConstraint
        from codegen.grounding.schema import SchemaChecker

        checker = SchemaChecker(self.catalog, handlers=handlers, variables=variables, sources=sources,
                                keywords_refused=refused, literals=literals, modules_refused=modules_refused)
        return choice.constraint(checker) if choice else SchemaConstraint(checker)  # a private module: locked

    # -- private collections: one hook (grounding/candidates.py) -------------------------------
    def _candidates(self):
        if self.candidates == "auto":
            from codegen.grounding.candidates import Candidates

            self.candidates = Candidates(self.catalog)
        return self.candidates

    def _private_choice(self, request: str):
        """A private module whose documentation fits the request clearly better than any public one."""
        candidates = self._candidates()
        return candidates.choose(request) if candidates is not None else None

    def _private_sources(self, module: str | None) -> list[dict]:
        candidates = self._candidates()
        if candidates is None or not candidates.is_private(module):
            return []
        from codegen.grounding.candidates import doc_source

        return [doc_source(self.catalog, module)]

    def warm_checks(self) -> None:
        """The checks' first-use costs paid now: a cold command does this while its model loads."""
        warm_up(self.catalog, lint=self.lint)

    def one_task(self, request: str, context: str | Prepared | None = None,
                 variables: set[str] | None = None, asked: str | None = None) -> tuple[str, list[str]]:
        """Generate one task; returns (normalised YAML or "", problems and repair notes).
        variables: when given, the only variables its templates may read (a playbook from scratch).
        asked: the words that say what was asked (default: the request); a playbook step passes the
        whole request, so a condition it asks for is kept on the step that carries it.

        An answer that still fails the checks (a runaway the token limit cut with no valid part
        left, a module whose required options the model never wrote, an ansible-lint error when
        linting is on) is asked again: without the retrieved examples, if it had them (a small model
        sometimes copies an example's shape that does not fit the request), then without the file's
        context, if it had one (a role's long expressions can lead it into a line it cannot finish).
        The first valid answer wins. The tries after the first run only within `retry_budget_s`
        of the start (a try still decoding then is cut and dropped); if no answer is valid, the
        one with the fewest errors (the earliest of those) is returned with its problems and a note."""
        text, notes, _ = self.checked_task(request, context, variables, asked)
        return text, notes

    def checked_task(self, request: str, context: str | Prepared | None = None,
                  variables: set[str] | None = None, asked: str | None = None) -> tuple[str, list[str], list | None]:
        """one_task, and the validation problems of the text returned (None: it was not validated,
        as for a cut answer), so that a caller (`run`, the language server) does not validate (and
        lint) the same text again."""
        started = time.perf_counter()
        prepared = context if isinstance(context, Prepared) else prepare(context)
        request, prepared = redact_request(request, prepared)
        seen = self._workspace_view(request, prepared)
        if seen is not None:
            variables = seen.variables if variables is None else variables
            prepared.shown.extend(s for s in seen.shown if s not in prepared.shown)
        references = seen.references if seen is not None else References()
        retriever = self._retriever()
        choice = self._private_choice(request)  # its own EXAMPLES replace the training examples
        examples = choice.examples if choice else (retriever.examples(request) if retriever else None)
        if examples and not choice and seen is not None:
            examples = self._with_workspace_examples(request, prepared, examples, seen.variables)
        attempts = [(examples, prepared, "")]
        if self.constrain and self.repair:  # the ablations measure one plain attempt
            if examples:
                attempts.append((None, prepared, "without retrieved examples"))
            if prepared.context.prompt_text().strip():
                attempts.append((examples, replace(prepared, context=FileContext()), "without the file's context"))
        best = None  # (errors, text, notes, checks) of the answer to return if none is valid
        out_of_time = False
        for number, (shown, given, how) in enumerate(attempts):
            deadline = None
            if number:  # a second try costs about a first one: only within the budget
                deadline = started + self.retry_budget_s
                if time.perf_counter() >= deadline:
                    out_of_time = True
                    break
            text, notes, whole = self._attempt(request, given, shown, variables, choice, deadline, seen, asked)
            if whole is None:  # cut by the budget: dropped
                out_of_time = True
                break
            checks = None
            if whole and text:
                with self.checks_lock:
                    checks = validate_tasks(text, self.catalog, lint=self.lint, references=references)
            errors = sum(p.level == "error" for p in checks) if checks is not None else None
            if errors and not answer_errors(checks):
                return text, notes, checks  # its only errors are not the answer's: no other try
            if errors == 0:
                if how:
                    notes.append(f"note [repair] the first answer failed the checks; this one came from the prompt {how}")
                if choice is None:
                    text, notes, checks = self._undrifted(request, given, shown, variables, seen, asked, references,
                                                          started, (text, notes, checks))
                return text, notes, checks
            rank = errors if errors is not None else float("inf")  # an unchecked answer: only if nothing else
            if best is None or rank < best[0]:
                best = (rank, text, notes, checks)
        _, text, notes, checks = best
        if out_of_time:
            notes.append(f"warning [decode] no further try: the retry time budget ({self.retry_budget_s:g} s) "
                         "was spent; the problems below are what is left")
        elif len(attempts) > 1:
            notes.append("warning [decode] no prompt gave a task that passes every check: the problems below "
                         "are what is left")
        return text, notes, checks

    def _undrifted(self, request, prepared, examples, variables, seen, asked, references, started, answer):
        """A valid answer whose module shares no word with the request (drift: module_fit.py) is asked
        once more with that module refused; the new answer is kept only if it is valid and has not
        drifted too (an ansible.builtin module or one sharing a word). Within the retry budget, like
        every second try."""
        from codegen.grounding.module_fit import drifted_module

        text, notes, checks = answer
        around = "".join(prepared.context.tasks)
        drifted = drifted_module(request, text, self.catalog, around) if self.constrain and self.repair else None
        deadline = started + self.retry_budget_s
        if drifted is None or time.perf_counter() >= deadline:
            return answer
        from codegen.grounding.module_fit import unfitting_modules

        again, again_notes, whole = self._attempt(request, prepared, examples, variables, None, deadline, seen, asked,
                                                  drifted=unfitting_modules(request, self.catalog, around))
        if not whole or not again or drifted_module(request, again, self.catalog, around) is not None:
            return answer
        with self.checks_lock:
            again_checks = validate_tasks(again, self.catalog, lint=self.lint, references=references)
        if any(p.level == "error" for p in again_checks):
            return answer
        again_notes.append(f"note [repair] {drifted} has nothing to do with the request (no word in common): "
                           "asked again among the modules that do")
        return again, again_notes, again_checks

    def _with_workspace_examples(self, request: str, prepared: Prepared, examples: list[str],
                                 names: set[str]) -> list[str]:
        """grounding.retrieval.with_workspace_examples, their files noted as read and shown."""
        from codegen.grounding.retrieval import with_workspace_examples

        def redacted(text: str) -> str:  # another file's literal secret stays out, as the file's does
            redaction = redact(text, prepared.secrets)
            prepared.secrets.update(redaction.secrets)
            return redaction.text

        examples, sources = with_workspace_examples(examples, prepared.workspace, request, names, redacted)
        for source in sources:
            prepared.workspace.note_used(source)
            if source not in prepared.shown:
                prepared.shown.append(source)
        return examples

    def _workspace_view(self, request: str, prepared: Prepared):
        """What of the workspace this request sees (None: no workspace known)."""
        if prepared.workspace is None:
            return None
        from codegen.grounding.workspace_context import view

        ctx = prepared.context
        seen = view(prepared.workspace, request, ctx)
        redaction = redact(seen.block, prepared.secrets)  # values from vars files: no secret reaches the model
        prepared.secrets.update(redaction.secrets)
        seen.block = redaction.text
        return seen

    def _attempt(self, request: str, prepared: Prepared, examples: list[str] | None,
                 variables: set[str] | None, choice=None, deadline: float | None = None,
                 seen=None, asked: str | None = None,
                 drifted: frozenset[str] = frozenset()) -> tuple[str, list[str], bool | None]:
        """One generation: (normalised text, notes, did it finish as a complete task?). Not so when
        decoding was cut (token limit, dead end) with no complete valid run of lines to keep.
        choice: a private module chosen beforehand (candidates.Choice): decoding writes only it.
        deadline: a perf_counter time at which decoding is cut; whole is None when it was.
        seen: the workspace view (its prompt lines, handlers and files). asked: as for one_task.
        drifted: modules refused because an earlier try drifted (grounding/module_fit.py); no watch then."""
        ctx = prepared.context
        file_tasks = "".join(ctx.tasks)
        nothing_around = seen is None and not file_tasks.strip()
        # a playbook from scratch passes the variables its earlier steps define: nothing around it either,
        # so a file or role to include does not exist
        from_scratch = nothing_around or (seen is None and variables is not None)
        if variables is None and nothing_around:
            # nothing around the task defines any other variable than the request's and the file's vars
            variables = request_variables(request) | set(ctx.variables)
        constraint = self._constraint(seen.handlers if seen is not None else ctx.handlers, variables, choice,
                                      seen.sources if seen is not None else None,
                                      keywords_refused(file_tasks), request_literals(request),
                                      (includes_refused(request) if from_scratch else frozenset()) | drifted)
        summary = ""
        if self.option_summary and examples:
            from codegen.grounding.summary import module_of, option_summary

            doc = self.catalog.get(module_of(examples[-1]) or "")
            summary = option_summary(doc) if doc else ""
        late = (lambda: time.perf_counter() >= deadline) if deadline is not None else None
        block = seen.block if seen is not None and self.workspace_prompt else ""
        watch = None
        if constraint is not None and choice is None and self.repair and not drifted:
            from codegen.grounding.module_fit import DriftWatch

            watch = constraint = DriftWatch(constraint, request, self.catalog, file_tasks)
        stop = late if watch is None else (lambda: watch.seen() is not None or (late is not None and late()))
        generation = self.backend.complete(render_task_prompt(request, ctx.prompt_text(), examples, summary, block),
                                           constraint=constraint, cancelled=stop)
        if watch is not None and watch.module is not None and generation.stopped == "cancelled":
            # its first line called a module that has nothing to do with the request: asked again without it
            from codegen.grounding.module_fit import unfitting_modules

            text, notes, whole = self._attempt(request, prepared, examples, variables, choice, deadline, seen, asked,
                                               unfitting_modules(request, self.catalog, file_tasks))
            if text:
                notes.insert(0, f"note [repair] the answer began with {watch.module}, which has nothing to do "
                                "with the request (no word in common): asked again among the modules that do")
            return text, notes, whole
        if late is not None and generation.stopped == "cancelled":
            return "", [], None
        body, notes, whole = generation.text, [choice.note()] if choice else [], True
        if constraint is not None and constraint.repeat_at is not None:
            # decoding was ended at a line that repeats the one before it (a looping model): not kept
            body = body[:constraint.repeat_at]
            notes.append("note [repair] the answer began to repeat a line: ended before the repeat")
        if constraint is not None and (generation.stopped == "max_tokens" or constraint.dead_end):
            # A runaway value (a condition or template that never closes) is cut mid-way by the
            # token limit, or a line reached a dead end; keep the whole lines before it that make
            # a complete, valid task.
            why = "ran past the token limit" if generation.stopped == "max_tokens" else "reached a line it could not finish"
            kept = constraint.checker.complete_prefix(body)
            whole = kept is not None
            if kept is None:
                notes.append(f"warning [decode] the answer {why} before it made a complete, valid task: check it")
            else:
                dropped = body.rstrip("\n").count("\n") + 1 - kept.count("\n")
                if dropped > 0:  # (a last line that was whole but not yet ended is kept, without a note)
                    notes.append(f"note [repair] the answer {why}: dropped its last {dropped} line(s)")
                body = kept
        try:
            text = normalise_tasks(task_text(task_name(request), body), self.catalog)
        except (ParseError, ValueError) as exc:
            return "", [f"error [parse] {request!r}: {exc}"], False
        if self.repair:
            from codegen.grounding.repair import repair

            known = {**seen.values, **ctx.variables} if seen is not None else ctx.variables
            text, fixed = repair(text, self.catalog, known, prepared.secrets, request_times(asked or request))
            notes += [f"note [repair] {n}" for n in fixed]
            text, dropped = drop_unasked(text, asked or request, file_tasks)
            notes += dropped
            if choice is not None:  # a module the model never saw: the values the request gives it
                text, filled = choice.fill(text, self.catalog, set(variables or ()) | set(known))
                notes += filled
        if prepared.secrets:  # also without repair (the ablations): no secret seen may be in an answer
            from codegen.grounding.repair import scrub_secrets

            text, leaked = scrub_secrets(text, prepared.secrets, self.catalog)
            notes += leaked
        return text, notes, whole

    def _references(self, prepared: Prepared) -> References:
        """What the tasks may refer to: the workspace's and the file's names (nothing known: item only)."""
        if prepared.workspace is None:
            return References()
        from codegen.grounding.workspace_context import references

        return references(prepared.workspace, prepared.context)

    def _checks(self, texts: list[str], checked: list, prepared: Prepared) -> list:
        """The problems of the answer "".join(texts), from what one_task already found in each part
        (validated again only where a part was not): each part's task numbers and lines moved to
        where it sits in the whole, the checks before lint first, then lint, as validate_tasks
        orders them for the whole text."""
        if len(texts) == 1 and checked[0] is not None:
            return checked[0]
        if any(c is None for c in checked) or len(texts) > 1 and any(p.task is None for c in checked for p in c):
            with self.checks_lock:  # as before: the whole text
                return validate_tasks("".join(texts), self.catalog, lint=self.lint,
                                      references=self._references(prepared))
        early, late, tasks, lines = [], [], 0, 0
        for text, checks in zip(texts, checked):
            for p in checks:
                moved = replace(p, task=p.task + tasks, line=p.line + lines if p.line is not None else None)
                (late if p.check == "lint" else early).append(moved)
            tasks += len(load_tasks(text))
            lines += text.count("\n")
        return early + late

    def run(self, prompt: str, context: str | None = None, id: str | None = None, path: str | None = None,
            root: str | None = None) -> TaskResult:
        """path: the file the tasks go into (its workspace is read around it); root: the workspace
        folder, when the caller knows it (an editor)."""
        started = time.perf_counter()
        if len(prompt) > MAX_PROMPT_CHARS:  # before any work on it (redaction reads all of it)
            raise ValueError(f"the prompt is {len(prompt):,} characters, over the cap of {MAX_PROMPT_CHARS:,}")
        prepared = prepare(context, path if self.workspaces is not None else None, self.workspaces, root)
        prompt, prepared = redact_request(prompt, prepared)  # one placeholder per secret across the parts
        requests = split_requests(prompt)
        if not requests:
            raise ValueError("empty prompt: say what the task should do, e.g. \"install nginx\"")
        # With no file around it, a task can read no variable but those its own request's earlier
        # tasks define (and facts, magic names): a role's variable it saw in training is undefined here.
        scratch = not (context or "").strip() and prepared.workspace is None
        texts, problems, checked = [], [], []
        for request in requests:
            so_far = replace(prepared.context, tasks=prepared.context.tasks + texts)
            variables = None
            if scratch:
                from codegen.ansible_files.variables import defined_by

                variables = defined_by(texts) | request_variables(request)
            text, notes, checks = self.checked_task(request, replace(prepared, context=so_far), variables=variables)
            problems += notes
            if text:
                texts.append(text)
                checked.append(checks)
        yaml_text = "".join(texts)
        modules = []
        if yaml_text:
            problems += [str(p) for p in self._checks(texts, checked, prepared)]
            for task in load_tasks(yaml_text):
                key = module_key(task)
                modules.append(self.catalog.resolve(key) or key)
        valid = bool(yaml_text) and len(texts) == len(requests) and not any(p.startswith("error") for p in problems)
        matches = None
        if self.sources is not None:
            matches = [m for text, module in zip(texts, modules)
                       for m in self._private_sources(module) + self.sources.match(text, module)]
        workspace = None
        if prepared.workspace is not None:
            ws = prepared.workspace
            workspace = {"root": str(ws.root), "role": ws.role, "read": ws.read, "shown": prepared.shown,
                         "notes": ws.notes}
        return TaskResult(id=id, yaml=yaml_text, module=",".join(m for m in modules if m) or None, valid=valid,
                          problems=problems, seconds=round(time.perf_counter() - started, 3), sources=matches,
                          workspace=workspace)
