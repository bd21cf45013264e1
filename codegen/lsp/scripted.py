"""A test-only backend: answers from a JSON script instead of a model (`ansible-codegen lsp --backend-script FILE`).

It lets the server's tests get a known, valid task without loading a model, and makes slow
generations on demand to test cancellation. The script:

    {
      "tasks": {                                  # task name (as in `- name:`, any case) -> body
        "Install nginx": "  ansible.builtin.package:\\n    name: nginx\\n    state: present\\n",
        "Fetch the big archive": {"body": "  ...", "delay": 0.05}
      },
      "default": "",                              # body for any other name (default: none)
      "delay": 0.0,                               # seconds per character written (default 0)
      "log": "/tmp/prompts.jsonl"                 # append {"name", "prompt"} per completion (optional)
    }

Bodies are written one character per step; `cancelled()` is polled at each step, as the local
model's decoding loop does.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

_NAME = re.compile(r"^- name: (.*)$")


@dataclass
class ScriptedGeneration:
    """The fields of codegen.model.generate.Generation (without importing torch)."""

    text: str
    new_tokens: int
    prompt_tokens: int
    seconds: float
    first_token_seconds: float
    stopped: str


class ScriptedBackend:
    def __init__(self, script: dict):
        self.tasks = {str(k).strip().lower(): v for k, v in (script.get("tasks") or {}).items()}
        self.default = script.get("default") or ""
        self.delay = float(script.get("delay") or 0.0)
        self.log = Path(script["log"]) if script.get("log") else None

    @classmethod
    def from_file(cls, path: str | Path) -> ScriptedBackend:
        try:
            script = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"--backend-script {path}: {exc}") from exc
        if not isinstance(script, dict):
            raise ValueError(f"--backend-script {path}: expected a JSON object")
        return cls(script)

    @staticmethod
    def name_of(prompt: str) -> str:
        for line in reversed(prompt.rstrip("\n").split("\n")):
            found = _NAME.match(line)
            if found:
                value = found.group(1).strip()
                if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                    value = value[1:-1]
                return value
        return ""

    def complete(self, prompt: str, constraint=None, cancelled=None) -> ScriptedGeneration:
        started = time.perf_counter()
        name = self.name_of(prompt)
        if self.log is not None:
            with self.log.open("a", encoding="utf-8") as out:
                out.write(json.dumps({"name": name, "prompt": prompt}) + "\n")
        entry = self.tasks.get(name.lower(), self.default)
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
        return ScriptedGeneration(text=body[:written], new_tokens=written, prompt_tokens=len(prompt.split()),
                                  seconds=time.perf_counter() - started,
                                  first_token_seconds=delay if written else 0.0, stopped=stopped)
