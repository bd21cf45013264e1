"""What reading the workspace adds to a warm request, on a synthetic 300-file repository.

    python eval/workspace/bench.py [--runs 15]

Builds the repository in a temporary folder (25 roles: defaults, vars, handlers, meta, 4 task
files, 3 templates each; 10 group_vars files), then times, in the same run, `pipeline.prepare` of a
role's task file without the workspace and with it (the reader warm, as the language server and
batch keep it) plus the ranking of what the prompt shows (the lines, and the workspace's own tasks
most like the request among the 800 its 100 task files hold). Prints medians in ms; the target of issue 14
is at most 50 ms added.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def make_repo(root: Path) -> int:
    (root / "ansible.cfg").write_text("[defaults]\n")
    for r in range(25):
        role = root / "roles" / f"role{r}"
        for part in ("defaults", "vars", "handlers", "tasks", "templates", "meta", "files"):
            (role / part).mkdir(parents=True, exist_ok=True)
        (role / "defaults/main.yml").write_text("".join(f"role{r}_var{i}: value{i}\n" for i in range(40)))
        (role / "vars/main.yml").write_text("".join(f"role{r}_const{i}: {i}\n" for i in range(10)))
        (role / "handlers/main.yml").write_text(f"- name: Restart svc{r}\n  ansible.builtin.service:\n"
                                                f"    name: svc{r}\n    state: restarted\n")
        (role / "meta/main.yml").write_text("dependencies: []\n")
        for t in range(4):
            (role / f"tasks/t{t}.yml").write_text("".join(
                f"- name: Task {t}-{k}\n  ansible.builtin.command: echo {k}\n  register: r{r}_{t}_{k}\n"
                f"  changed_when: false\n" for k in range(8)))
        for t in range(3):
            (role / f"templates/f{t}.j2").write_text("x\n")
    (root / "group_vars").mkdir()
    for g in range(10):
        (root / f"group_vars/g{g}.yml").write_text("".join(f"g{g}_v{i}: {i}\n" for i in range(20)))
    return sum(1 for p in root.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    from codegen.ansible_files.workspace import WorkspaceReader
    from codegen.grounding.retrieval import workspace_examples
    from codegen.grounding.workspace_context import view
    from codegen.pipeline import prepare

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        files = make_repo(root)
        path = root / "roles/role3/tasks/t0.yml"
        text = path.read_text()
        reader = WorkspaceReader()
        prepare(text)  # the secret detectors' first load is not the workspace's cost
        started = time.perf_counter()
        prepare(text, str(path), reader)
        cold = time.perf_counter() - started
        bare, warm = [], []
        for _ in range(runs):  # interleaved, so the machine's noise falls on both alike
            started = time.perf_counter()
            prepare(text)
            bare.append(time.perf_counter() - started)
            started = time.perf_counter()
            prepared = prepare(text, str(path), reader)
            view(prepared.workspace, "Restart the service", prepared.context)
            workspace_examples(prepared.workspace.examples, "Restart the service", 2)
            warm.append(time.perf_counter() - started)
        ms = lambda xs: statistics.median(xs) * 1000  # noqa: E731
        print(f"repository: {files} files; variables read: {len(prepared.workspace.variables)}; "
              f"tasks to take after: {len(prepared.workspace.examples)}")
        print(f"| prepare | median ms ({runs} runs) |\n|---|---|\n| without the workspace | {ms(bare):.1f} |\n"
              f"| with the workspace (warm reader) | {ms(warm):.1f} |\n| added | {ms(warm) - ms(bare):.1f} |\n"
              f"| first read (cold reader) | {cold * 1000:.1f} |")


if __name__ == "__main__":
    main()
