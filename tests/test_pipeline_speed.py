"""The pipeline's work per request: each answer validated once, later tries within a time budget."""
import time

import codegen.pipeline as pipeline_module
from codegen.model.generate import Generation
from codegen.pipeline import Pipeline
from codegen.validate import validate_tasks

CONTEXT = "- name: Earlier\n  ansible.builtin.ping:\n"
NGINX = "  ansible.builtin.package:\n    name: nginx\n    state: present\n"
# an error the checks report (a required option missing) and one more (an unknown option)
TWO_ERRORS = "  ansible.builtin.copy:\n    mode: '0644'\n    bogus: 1\n"
ONE_ERROR = "  ansible.builtin.copy:\n    mode: '0644'\n"


class Turns:
    """Answers in turn, each after `seconds` (cut short when `cancelled` says so, as a backend does)."""

    def __init__(self, answers):
        self.answers, self.calls, self.cut = list(answers), 0, 0

    def complete(self, prompt, constraint=None, cancelled=None):
        text, seconds = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            if cancelled is not None and cancelled():
                self.cut += 1
                return Generation(text="", new_tokens=0, prompt_tokens=9, seconds=time.perf_counter() - started,
                                  first_token_seconds=0.0, stopped="cancelled")
            time.sleep(0.01)
        return Generation(text=text, new_tokens=5, prompt_tokens=9, seconds=seconds, first_token_seconds=0.0,
                          stopped="eos")


def _counting(monkeypatch):
    seen = []

    def counted(text, catalog, lint=True, context=None, references=None):
        seen.append(text)
        return validate_tasks(text, catalog, lint=lint, context=context, references=references)

    monkeypatch.setattr(pipeline_module, "validate_tasks", counted)
    return seen


def test_run_validates_an_answer_once(monkeypatch, catalog):
    seen = _counting(monkeypatch)
    result = Pipeline(Turns([(NGINX, 0)]), catalog, lint=False, constrain=False).run("install nginx")
    assert result.valid and result.yaml.startswith("- name: Install nginx\n")
    assert seen == [result.yaml]  # before: one_task validated it, then run again


def test_parts_checked_one_by_one_read_as_the_whole_answer(monkeypatch, catalog):
    seen = _counting(monkeypatch)
    pipeline = Pipeline(Turns([(NGINX, 0), (TWO_ERRORS, 0)]), catalog, lint=False, constrain=False, repair=False)
    result = pipeline.run("install nginx & copy the config")
    assert len(seen) == 2 and "".join(seen) == result.yaml  # each part once, the whole never again
    whole = [str(p) for p in validate_tasks(result.yaml, catalog, lint=False)]
    assert whole and all(" task 2 " in p for p in whole)  # the second part's problems, numbered in the whole
    assert result.problems[-len(whole):] == whole and not result.valid


def test_a_later_try_stops_at_the_retry_budget(catalog):
    backend = Turns([(TWO_ERRORS, 0), (NGINX, 30)])  # the second try would take 30 s
    pipeline = Pipeline(backend, catalog, lint=False, retriever=None, candidates=None)
    pipeline.retry_budget_s = 0.5
    started = time.perf_counter()
    text, notes = pipeline.one_task("copy the config", CONTEXT)
    assert time.perf_counter() - started < 5
    assert backend.calls == 2 and backend.cut == 1  # the second try started, and was cut
    assert "ansible.builtin.copy" in text  # the first answer, with its problems
    assert any("retry time budget (0.5 s)" in n for n in notes)


def test_no_later_try_starts_past_the_budget(catalog):
    backend = Turns([(TWO_ERRORS, 0.3), (NGINX, 0)])
    pipeline = Pipeline(backend, catalog, lint=False, retriever=None, candidates=None)
    pipeline.retry_budget_s = 0.2  # spent by the first try
    text, notes = pipeline.one_task("copy the config", CONTEXT)
    assert backend.calls == 1 and "ansible.builtin.copy" in text
    assert any("retry time budget" in n for n in notes)


def test_within_the_budget_a_later_valid_answer_wins(catalog):
    backend = Turns([(TWO_ERRORS, 0), (NGINX, 0)])
    text, notes = Pipeline(backend, catalog, lint=False, retriever=None, candidates=None).one_task("install nginx", CONTEXT)
    assert backend.calls == 2 and "name: nginx" in text
    assert any("without the file's context" in n for n in notes)


def test_with_no_valid_answer_the_one_with_fewest_errors_is_returned(catalog):
    backend = Turns([("  nonsense without a module\n", 0), (ONE_ERROR, 0)])
    text, notes = Pipeline(backend, catalog, lint=False, retriever=None, candidates=None).one_task("copy it", CONTEXT)
    assert backend.calls == 2 and "ansible.builtin.copy" in text  # before: the first answer, which had no task
    assert any("no prompt gave a task that passes every check" in n for n in notes)


def test_an_include_lint_cannot_find_is_not_tried_again(catalog):
    include = "  ansible.builtin.include_tasks: deploy.yml\n"
    backend = Turns([(include, 0), (NGINX, 0)])
    pipeline = Pipeline(backend, catalog, lint=True, retriever=None, candidates=None)
    text, notes = pipeline.one_task("deploy service", CONTEXT)
    assert backend.calls == 1 and "include_tasks: deploy.yml" in text  # before: tried again, and replaced
    problems = [str(p) for p in validate_tasks(text, catalog, lint=True)]
    assert any("load-failure[filenotfounderror]" in p for p in problems)  # still reported, not hidden
