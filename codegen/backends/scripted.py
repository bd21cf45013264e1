"""The test-only backend: answers from a script instead of a model, so tests of the machinery
(hooks, language server, CLI, playbooks, roles) get known tasks without loading one.

Chosen only explicitly: `ANSIBLE_CODEGEN_TEST_BACKEND=scripted:<file.json>` for the CLI and the
hooks, `ansible-codegen lsp --backend-script FILE` for the language server. The file is either a
plain map of request -> task body (what the model would write under its `- name:` line), or a
script:

    {
      "tasks": {                                  # request / task name (any case) -> body
        "Install nginx": "  ansible.builtin.package:\\n    name: nginx\\n",
        "Fetch the big archive": {"body": "  ...", "delay": 0.05}
      },
      "default": "",                              # body for any other request (default: none)
      "delay": 0.0,                               # seconds per character written (default 0)
      "log": "/tmp/prompts.jsonl"                 # append {"name", "prompt"} per completion (optional)
    }

The request is the prompt's last `- name:` line; an outline prompt (ending in `steps:`) is answered
by the entry "outline: <request>"; an outline step asked with its purpose ("<step> (<request>)")
falls back to the step. Bodies are written one character per step, and `cancelled()` is polled at
each one, as the local model's decoding loop does.
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from codegen.backends.base import Generation

TEST_BACKEND_ENV = "ANSIBLE_CODEGEN_TEST_BACKEND"
_NAME = re.compile(r"^- name: (.*)$")


def _key(text: str) -> str:
    from codegen.prompt import task_name

    return " ".join(task_name(str(text)).split()).casefold()


class ScriptedBackend:
    def __init__(self, script: dict):
        if not isinstance(script.get("tasks"), dict):  # a plain map of request -> body
            script = {"tasks": script}
        self.tasks = {_key(k): v for k, v in script["tasks"].items()}
        self.default = script.get("default") or ""
        self.delay = float(script.get("delay") or 0.0)
        self.log = Path(script["log"]) if script.get("log") else None
        self.prompts: list[str] = []

    def prompt_features(self) -> set[str]:
        """Scripted answers ignore the prompt: every part of it is rendered, for tests to read."""
        return {"workspace"}

    @classmethod
    def from_file(cls, path: str | Path) -> ScriptedBackend:
        try:
            script = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: cannot read it as JSON ({exc.__class__.__name__})") from exc
        if not isinstance(script, dict):
            raise ValueError(f"{path}: expected a JSON object of request -> task body, or a script")
        return cls(script)

    @staticmethod
    def name_of(prompt: str) -> str:
        """The request: the prompt's last `- name:` line, unquoted as YAML would."""
        import yaml

        for line in reversed(prompt.rstrip("\n").split("\n")):
            found = _NAME.match(line)
            if found:
                value = found.group(1).strip()
                try:
                    loaded = yaml.safe_load(value)
                    return loaded if isinstance(loaded, str) else value
                except yaml.YAMLError:
                    return value
        return ""

    def _entry(self, prompt: str) -> tuple[str, object]:
        if prompt.rstrip("\n").rsplit("\n", 1)[-1] == "steps:":  # an outline prompt (prompts/outline.j2)
            request = next((line.split(":", 1)[1] for line in prompt.splitlines() if line.startswith("# Request:")), "")
            return request, self.tasks.get(_key(f"outline: {' '.join(request.split())}"), "")
        name = self.name_of(prompt)
        key = _key(name)
        if key not in self.tasks and key.endswith(")") and " (" in key:
            key = key.rsplit(" (", 1)[0]  # an outline step asked with its purpose: "<step> (<request>)"
        return name, self.tasks.get(key, self.default)

    def complete(self, prompt: str, constraint=None, cancelled=None, on_text=None) -> Generation:
        started = time.perf_counter()
        self.prompts.append(prompt)
        name, entry = self._entry(prompt)
        if self.log is not None:
            with self.log.open("a", encoding="utf-8") as out:
                out.write(json.dumps({"name": name, "prompt": prompt}) + "\n")
        body, delay = (entry.get("body", ""), float(entry.get("delay", self.delay))) if isinstance(entry, dict) \
            else (str(entry), self.delay)
        written, stopped = 0, "eos"
        for _ in body:
            if cancelled is not None and cancelled():
                stopped = "cancelled"
                break
            if delay:
                time.sleep(delay)
            written += 1
            if on_text is not None:
                on_text(body[:written])
        return Generation(text=body[:written], new_tokens=written, prompt_tokens=len(prompt.split()),
                          seconds=time.perf_counter() - started, first_token_seconds=delay if written else 0.0,
                          stopped=stopped)


def scripted_pipeline(answers: dict, lint: bool = True, workspace: bool = True):
    from codegen.catalog import load_catalog
    from codegen.pipeline import Pipeline

    return Pipeline(ScriptedBackend(answers), load_catalog(quiet=True), lint=lint, constrain=False,
                    workspace=workspace)


def pipeline_from_env(lint: bool = True, workspace: bool = True):
    """The test backend's pipeline when ANSIBLE_CODEGEN_TEST_BACKEND is set, else None."""
    value = os.environ.get(TEST_BACKEND_ENV)
    if not value:
        return None
    kind, _, where = value.partition(":")
    if kind != "scripted" or not where:
        raise ValueError(f"{TEST_BACKEND_ENV}={value!r}: expected scripted:<json file>")
    try:
        answers = json.loads(Path(where).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{TEST_BACKEND_ENV}: cannot read {where} as JSON ({exc.__class__.__name__})") from exc
    if not isinstance(answers, dict) or not all(isinstance(v, (str, dict)) for v in answers.values()):
        raise ValueError(f"{TEST_BACKEND_ENV}: {where} must hold a JSON object of request -> task body")
    return scripted_pipeline(answers, lint=lint, workspace=workspace)
