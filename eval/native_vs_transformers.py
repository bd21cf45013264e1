"""The native Gemma 3 decoder against transformers on the embedded model: same outputs, decode speed.

    python eval/native_vs_transformers.py [--passes 3] [--threads N] [--cold 3] [-o result.json]

Two LocalBackends (Gemma 3 270M + the shipped adapter, merged) that differ only in `native` run
the same work: `Pipeline.run` (schema-guided decoding and repair, as `ansible-codegen task`
does, without ansible-lint) on 15 requests, 5 of them after a file of long tasks (the pipeline
shows the model its last 900 characters); and 4 long-context generations, a task prompt with
that file's last 2,500-4,000 characters (~1,100-1,700 tokens, past the 512-token sliding
window), schema-guided too. Every generation is recorded and its text must be the same on both.
Decode speed: tokens after the first / seconds after the first token, summed over a pass (as
codegen.bench does). Each pass runs every case on both backends back to back, in an order that
alternates, so background load hits both alike; the figure is the median over passes.
`--cold N` also times N cold `ansible-codegen task "install nginx"` runs each way (median).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REQUESTS = [
    "install nginx", "start and enable the nginx service", "copy files/app.conf to /etc/app.conf with mode 0644",
    "create the user deploy with shell /bin/bash", "make sure the directory /srv/app exists",
    "restart sshd", "add the line 'PermitRootLogin no' to /etc/ssh/sshd_config",
    "download https://example.com/app.tar.gz to /tmp/app.tar.gz", "install the python package requests with pip",
    "open port 443/tcp in firewalld permanently",
]
LONG = [  # after FILE: the long-context cases
    "template templates/nginx.conf.j2 to /etc/nginx/nginx.conf and notify restart nginx",
    "create the group docker", "enable the cron job that runs /usr/local/bin/backup at 2am",
    "set the sysctl vm.swappiness to 10", "clone https://github.com/example/app.git into /srv/app",
]
PACKAGES = [f"tool{i:02d}" for i in range(70)]
NGINX = [f"    server {{ listen {8000 + i}; server_name site{i}.example.com; root /srv/site{i}; }}" for i in range(30)]
FILE = (  # a file whose last three tasks (all the prompt shows of it) are long
    "- name: Install the tools\n  ansible.builtin.package:\n    name: \"{{ item }}\"\n    state: present\n"
    "  loop:\n" + "".join(f"    - {p}\n" for p in PACKAGES) + "\n"
    "- name: Write the site configuration\n  ansible.builtin.copy:\n    dest: /etc/nginx/conf.d/sites.conf\n"
    "    mode: \"0644\"\n    content: |\n    " + "\n    ".join(NGINX) + "\n\n"
    "- name: Create the site users\n  ansible.builtin.user:\n    name: \"{{ item.name }}\"\n"
    "    uid: \"{{ item.uid }}\"\n    shell: /bin/bash\n  loop:\n"
    + "".join(f"    - {{name: site{i}, uid: {2000 + i}}}\n" for i in range(40))
)


class Recorder:
    """A backend wrapper that keeps every Generation."""

    def __init__(self, inner):
        self.inner, self.calls = inner, []

    def complete(self, prompt, constraint=None, cancelled=None):
        generation = self.inner.complete(prompt, constraint=constraint, cancelled=cancelled)
        self.calls.append(generation)
        return generation

    def __getattr__(self, name):
        return getattr(self.inner, name)


def cold_seconds(native: bool, runs: int) -> list[float]:
    env = {**os.environ, "CODEGEN_NATIVE": "1" if native else "0"}
    command = [str(Path(sys.executable).parent / "ansible-codegen"), "task", "install nginx"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True, timeout=600)
        times.append(round(time.perf_counter() - started, 2))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--cold", type=int, default=0, help="cold CLI runs each way (0: none)")
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args()

    import torch

    from codegen.backends.local import LocalBackend
    from codegen.catalog import load_catalog
    from codegen.grounding.decoding import SchemaConstraint
    from codegen.grounding.schema import SchemaChecker
    from codegen.model.gemma_native import NativeGemma3
    from codegen.pipeline import Pipeline
    from codegen.prompt import environment, task_name, trim_context

    if args.threads:
        torch.set_num_threads(args.threads)
    catalog = load_catalog(quiet=True)
    backends = {name: Recorder(LocalBackend(native=name == "native")) for name in ("transformers", "native")}
    for name, backend in backends.items():
        started = time.perf_counter()
        decoder = backend.load().decoder
        print(f"{name}: {type(decoder).__name__} loaded in {time.perf_counter() - started:.1f}s", flush=True)
    assert isinstance(backends["native"].load().decoder, NativeGemma3)
    assert not isinstance(backends["transformers"].load().decoder, NativeGemma3)
    pipelines = {name: Pipeline(backend, catalog, lint=False) for name, backend in backends.items()}

    def run_case(name: str, case) -> tuple:
        kind, request, context = case
        backends[name].calls.clear()
        if kind == "pipeline":
            yaml = pipelines[name].run(request, context=context).yaml
        else:  # a long prompt straight to the backend, with the pipeline's schema constraint
            prompt = environment().get_template("task.j2").render(  # render_task_prompt, a longer context
                name=task_name(request), context=trim_context(context, limit=kind), examples=[])
            yaml = None
            backends[name].complete(prompt, constraint=SchemaConstraint(SchemaChecker(catalog)))
        return yaml, [(g.text, g.new_tokens, g.stopped) for g in backends[name].calls]

    cases = [("pipeline", r, None) for r in REQUESTS] + [("pipeline", r, FILE) for r in LONG]
    cases += [(limit, r, FILE) for limit, r in zip((2500, 3000, 3500, 4000), REQUESTS)]
    different, passes, prompt_tokens = [], [], {}
    for n in range(args.passes):
        speed = {(name, group): [0, 0.0] for name in backends for group in ("pipeline", "long")}
        for i, case in enumerate(cases):
            outputs = {}
            for name in (("transformers", "native") if (i + n) % 2 == 0 else ("native", "transformers")):
                outputs[name] = run_case(name, case)
                group = "pipeline" if case[0] == "pipeline" else "long"
                for g in backends[name].calls:
                    prompt_tokens.setdefault(group, set()).add(g.prompt_tokens)
                    if g.new_tokens > 1 and g.seconds > g.first_token_seconds:
                        speed[name, group][0] += g.new_tokens - 1
                        speed[name, group][1] += g.seconds - g.first_token_seconds
            if outputs["native"] != outputs["transformers"]:
                different.append({"pass": n, "case": case[:2], **outputs})
        rates = {}
        for name in backends:
            for group in ("pipeline", "long", "all"):
                tokens, seconds = (speed[name, group] if group != "all" else
                                   [sum(speed[name, g][k] for g in ("pipeline", "long")) for k in (0, 1)])
                rates[f"{name}/{group}"] = round(tokens / seconds, 2)
        passes.append(rates)
        print(f"pass {n + 1}: decode tok/s {rates}, differing so far: {len(different)}", flush=True)

    medians = {key: statistics.median(p[key] for p in passes) for key in passes[0]}
    result = {
        "cases": len(cases), "passes": args.passes, "threads": torch.get_num_threads(),
        "prompt_tokens": {group: [min(t), max(t)] for group, t in prompt_tokens.items()},
        "identical": not different, "differences": different,
        "decode_tok_s_median": medians, "decode_tok_s_passes": passes,
        "speedup": {group: round(medians[f"native/{group}"] / medians[f"transformers/{group}"], 2)
                    for group in ("pipeline", "long", "all")},
    }
    if args.cold:
        for name, native in (("transformers", False), ("native", True)):
            times = cold_seconds(native, args.cold)
            result.setdefault("cold_task_s", {})[name] = {"median": statistics.median(times), "runs": times}
    text = json.dumps(result, indent=2)
    print(text)
    if args.output:
        args.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
