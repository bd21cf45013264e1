"""What every part of `ansible-codegen bench` shares: the built-in prompts and reference tasks,
the settings of one run, repeated measurement and its statistics.
"""
from __future__ import annotations

import math
import statistics

from dataclasses import dataclass, field
from typing import Callable


DEFAULT_PROMPTS = [
    "install nginx",
    "start and enable the nginx service",
    "copy files/app.conf to /etc/app.conf with mode 0644",
    "create the user deploy with shell /bin/bash",
    "make sure the directory /srv/app exists",
]


# Known-good tasks: validation time should not depend on what a model happened to write.
REFERENCE_TASKS = [
    "- name: Install nginx\n  ansible.builtin.package:\n    name: nginx\n    state: present\n",
    "- name: Start and enable nginx\n  ansible.builtin.service:\n    name: nginx\n    state: started\n"
    "    enabled: true\n",
    "- name: Copy app.conf\n  ansible.builtin.copy:\n    src: files/app.conf\n    dest: /etc/app.conf\n"
    "    mode: \"0644\"\n",
    "- name: Create the user deploy\n  ansible.builtin.user:\n    name: deploy\n    shell: /bin/bash\n",
    "- name: Make sure /srv/app exists\n  ansible.builtin.file:\n    path: /srv/app\n    state: directory\n"
    "    mode: \"0755\"\n",
]


COLD_PROMPT = "install nginx"


GEMMA_ALIASES = (None, "gemma3-270m", "gemma", "default")


Log = Callable[[str], None]


class BenchError(RuntimeError):
    """A measurement that could not be made; one line."""


def stats(values: list[float], digits: int = 4) -> dict:
    values = [float(v) for v in values]
    if not values:
        raise BenchError("no measurements")
    return {"median": round(statistics.median(values), digits), "min": round(min(values), digits),
            "max": round(max(values), digits), "runs": [round(v, digits) for v in values]}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low = math.floor(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def skipped(reason: str) -> dict:
    return {"skipped": reason}


@dataclass
class Settings:
    runs: int = 5
    warmup: int = 1
    base: str | None = None
    adapter: str | None = "default"
    prompts: list[str] = field(default_factory=lambda: list(DEFAULT_PROMPTS))
    bandwidth_mb: int = 1024
    max_new_tokens: int = 200
    speedups_only: bool = False  # only the on/off figures of our speed-ups (a short bench)

    def model_args(self) -> list[str]:
        args = []
        if self.base is not None:
            args += ["--base", self.base]
        if self.adapter is not None:
            args += ["--adapter", str(self.adapter)]
        return args


def _repeat(settings: Settings, measure: Callable[[], float], log: Log, label: str) -> list[float]:
    for i in range(settings.warmup):
        log(f"{label}: warm-up {i + 1}/{settings.warmup}")
        measure()
    values = []
    for i in range(settings.runs):
        log(f"{label}: run {i + 1}/{settings.runs}")
        values.append(measure())
    return values


def warmed_runs(settings: Settings, log: Log, label: str, one_pass: Callable, work: list):
    """`settings.warmup` passes over the first item (not kept), then `settings.runs` passes over all
    of `work`: the results of those."""
    for i in range(settings.warmup):
        log(f"warm latency ({label}): warm-up {i + 1}/{settings.warmup}")
        one_pass(work[:1])
    runs = []
    for i in range(settings.runs):
        log(f"warm latency ({label}): run {i + 1}/{settings.runs}")
        runs.append(one_pass(work))
    return runs
