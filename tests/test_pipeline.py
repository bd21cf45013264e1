"""The pipeline stages around the model, with a scripted backend so answers are known."""
import json

import pytest

from codegen.batch import read_cases, run_batch
from codegen.model.generate import Generation
from codegen.parse import ParseError, task_text
from codegen.pipeline import Pipeline
from codegen.prompt import split_requests
from codegen.prompt import render_task_prompt, task_name, trim_context


class Scripted:
    """A backend that answers each prompt from a table keyed by the task name in the prompt."""

    def __init__(self, answers):
        self.answers, self.prompts = answers, []

    def complete(self, prompt, constraint=None, cancelled=None):
        self.prompts.append(prompt)
        name = prompt.rstrip("\n").rsplit("- name: ", 1)[-1]
        text = self.answers.get(name, "  nonsense without a module\n")
        return Generation(text=text, new_tokens=5, prompt_tokens=9, seconds=0.01, first_token_seconds=0.001, stopped="eos")


ANSWERS = {
    "Install nginx": "  package:\n    name: nginx\n    state: present\n",
    "Start nginx": "  ansible.builtin.service:\n    name: nginx\n    state: started\n    enabled: yes\n",
    "Copy config": "  ansible.builtin.copy:\n    src: app.conf\n    dest: /etc/app.conf\n    mode: 0644\n    bogus: 1\n",
}


def test_prompt_template_ends_with_the_name_line():
    prompt = render_task_prompt("install nginx", context="- name: Earlier\n  ansible.builtin.ping:\n")
    assert prompt.endswith("- name: Install nginx\n")
    assert prompt.startswith("- name: Earlier\n")
    assert task_name("  make   sure x ") == "Make sure x"


def test_context_is_trimmed_at_a_line_boundary():
    context = "".join(f"- name: Task {i}\n  ansible.builtin.ping:\n" for i in range(200))
    trimmed = trim_context(context, limit=100)
    assert len(trimmed) <= 100 and trimmed.endswith("ansible.builtin.ping:\n") and context.endswith(trimmed)


def test_split_requests_on_ampersand():
    assert split_requests("install nginx & start nginx &  & open port 80") == ["install nginx", "start nginx", "open port 80"]
    assert split_requests("install htop &tmux& git") == ["install htop", "tmux", "git"]


def test_an_ampersand_inside_a_word_or_a_shell_and_is_not_a_second_request():
    # a real role's task name: "up&running" had become a second task named "Running"
    assert split_requests("Wait until pacemaker has Galera up&running") == ["Wait until pacemaker has Galera up&running"]
    assert split_requests("notify the R&D team") == ["notify the R&D team"]
    assert split_requests("run ./configure && make in /opt/src") == ["run ./configure && make in /opt/src"]


def test_task_text_trims_a_broken_tail():
    text = task_text("Install nginx", "  ansible.builtin.package:\n    name: nginx\n    state: [unclosed\n")
    assert text == "- name: Install nginx\n  ansible.builtin.package:\n    name: nginx\n"
    with pytest.raises(ParseError):
        task_text("Nothing", "  just words\n")


def test_task_text_cuts_before_a_duplicate_key():
    body = "  ansible.builtin.user:\n    name: deploy\n    groups: docker\n    groups: wheel\n"
    assert task_text("Add user", body) == "- name: Add user\n  ansible.builtin.user:\n    name: deploy\n    groups: docker\n"


def test_task_text_quotes_names_that_need_it():
    assert task_text("Set a: b", "  ansible.builtin.ping:\n").startswith('- name: "Set a: b"\n')


def test_pipeline_normalises_and_validates(catalog):
    result = Pipeline(Scripted(ANSWERS), catalog, lint=False).run("install nginx & start nginx")
    assert result.yaml.startswith("- name: Install nginx\n  ansible.builtin.package:\n")
    assert "enabled: true" in result.yaml
    assert result.module == "ansible.builtin.package,ansible.builtin.service"
    assert result.valid and result.problems == []


def test_later_parts_see_earlier_tasks_as_context(catalog):
    backend = Scripted(ANSWERS)
    Pipeline(backend, catalog, lint=False).run("install nginx & start nginx")
    assert "ansible.builtin.package" in backend.prompts[1]


def test_without_repair_an_unknown_option_is_reported(catalog):
    result = Pipeline(Scripted(ANSWERS), catalog, lint=False, repair=False).run("copy config")
    assert 'mode: "0644"' in result.yaml
    assert not result.valid
    assert any("bogus" in p and "argspec" in p for p in result.problems)


def test_repair_removes_an_unknown_option_and_says_so(catalog):
    result = Pipeline(Scripted(ANSWERS), catalog, lint=False).run("copy config")
    assert "bogus" not in result.yaml and 'mode: "0644"' in result.yaml
    assert result.valid
    assert result.problems == ["note [repair] removed unknown option 'bogus' of ansible.builtin.copy"]


def test_pipeline_reports_a_task_without_module(catalog):
    result = Pipeline(Scripted(ANSWERS), catalog, lint=False).run("do something odd")
    assert result.yaml == "" and not result.valid and "no module call" in result.problems[0]


def test_batch_writes_one_line_per_case_in_order(tmp_path, catalog):
    cases_file = tmp_path / "in.jsonl"
    cases_file.write_text("\n".join(json.dumps(c) for c in [
        {"id": "a", "prompt": "install nginx"}, {"id": "b", "prompt": "do something odd"},
        {"id": "c", "prompt": "start nginx", "context": "- name: X\n  ansible.builtin.ping:\n"}]) + "\n")
    out = tmp_path / "out.jsonl"
    assert run_batch(Pipeline(Scripted(ANSWERS), catalog, lint=False), read_cases(cases_file), out)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["a", "b", "c"]
    assert set(records[0]) >= {"id", "yaml", "module", "valid", "problems", "seconds"}
    assert records[1]["yaml"] == "" and records[1]["problems"]
    assert records[2]["module"] == "ansible.builtin.service"


def test_batch_resumes_after_interrupt(tmp_path, catalog):
    cases = [{"id": str(i), "prompt": "install nginx"} for i in range(4)]
    out = tmp_path / "out.jsonl"

    class Interrupting(Scripted):
        def complete(self, prompt, constraint=None, cancelled=None):
            if len(self.prompts) == 2:
                raise KeyboardInterrupt
            return super().complete(prompt)

    assert not run_batch(Pipeline(Interrupting(ANSWERS), catalog, lint=False), cases, out)
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["0", "1"]
    second = Scripted(ANSWERS)
    assert run_batch(Pipeline(second, catalog, lint=False), cases, out)
    assert len(second.prompts) == 2
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["0", "1", "2", "3"]


@pytest.mark.parametrize("content, message", [
    ("not json\n", "not valid JSON"),
    ('{"id": 1, "prompt": "x"}\n', "needs"),
    ('{"id": "a", "prompt": "x"}\n{"id": "a", "prompt": "y"}\n', "duplicate id"),
])
def test_batch_rejects_bad_input(tmp_path, content, message):
    path = tmp_path / "in.jsonl"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        read_cases(path)
