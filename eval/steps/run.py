"""Step coverage of `playbook` and `role` on eval/steps/requests.yml (issue 16).

    OMP_NUM_THREADS=1 python eval/steps/run.py --code /tmp/steps-base --label base \
        --out eval/steps/results/base.jsonl        # the build at the base commit (git archive of it)
    OMP_NUM_THREADS=1 python eval/steps/run.py --code . --label steps --out eval/steps/results/steps.jsonl
    python eval/steps/run.py --table eval/steps/results/base.jsonl eval/steps/results/steps.jsonl

One JSON line per request (and per role), appended as each finishes: a stopped run resumes where it
left off. Progress goes to OUT.progress. The build under test is imported from --code, so the old
and the new build run through this same script and are scored by the same code below.
Scoring reads only the generated files, never what the build says about itself.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
HABIT_NAME = re.compile(r"\bfacts?\b|facts\.d|meta::", re.IGNORECASE)


def load_requests(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- generation (the build under test) ---------------------------------------------------------

def make_pipeline(task_lint: bool):
    from codegen.backends import make_backend
    from codegen.catalog import load_catalog
    from codegen.pipeline import Pipeline

    # task_lint: ansible-lint on each generated task inside the pipeline (the CLI's default; it only
    # decides when a task is asked again). Off by default here: on 2 shared cores it doubles the time,
    # and both builds are measured the same way. The written files are always linted below.
    return Pipeline(make_backend("local"), load_catalog(quiet=True), lint=task_lint, retriever="auto")


def generate_playbook(pipeline, request: str) -> tuple[str, dict]:
    """What `ansible-codegen playbook REQUEST` writes (lint left to the scorer)."""
    try:
        from codegen.authoring.playbook import playbook_for_request  # the step-checked build
    except ImportError:
        try:
            from codegen.authoring.steps import playbook_for_request  # where it was before the split
        except ImportError:
            playbook_for_request = None
    if playbook_for_request is not None:
        record = playbook_for_request(pipeline, request, lint=False)
    else:
        from codegen.authoring.outline import generate_outline
        from codegen.playbook_command import build_playbook, purpose_of

        steps = generate_outline(pipeline.backend, request)
        record = build_playbook(pipeline, request, steps=steps, lint=False, purpose=purpose_of(request, outlined=True))
    return record["yaml"], {"steps": record.get("steps"), "missing": record.get("missing", [])}


def generate_role(pipeline, name: str, request: str):
    """What `ansible-codegen role NAME REQUEST` writes, and its lint findings."""
    from codegen.authoring.role import build_role, lint_role

    try:
        from codegen.authoring.steps import plan_steps
    except ImportError:
        plan_steps = None
    if plan_steps is not None:  # as `role` does: the model's outline (and its purpose) only for a vague request
        plan = plan_steps(pipeline.backend, request)
        role = build_role(pipeline, name, request, plan.steps, outlined=plan.outlined)
    else:
        from codegen.authoring.outline import generate_outline

        role = build_role(pipeline, name, request, generate_outline(pipeline.backend, request))
    return role, lint_role(role)


# --- scoring (the same for every build) --------------------------------------------------------

def flatten(tasks) -> list[dict]:
    out = []
    for task in tasks or []:
        if not isinstance(task, dict):
            continue
        inner = [t for key in ("block", "rescue", "always") for t in (task.get(key) or [])]
        out.extend(flatten(inner) if inner else [task])
    return out


def module_of(task: dict, catalog) -> str | None:
    try:
        from codegen.ansible_files.keywords import module_key
    except ImportError:  # a build before the keywords moved (the base of the comparison)
        from codegen.task_keys import module_key

    key = module_key(task)
    if not key:
        return None
    return (catalog.resolve(key) or key).rsplit(".", 1)[-1]


def invented_when(task: dict, registered: set[str]) -> bool:
    """A `when:` the request never implies: one that reads no variable a task registered."""
    when = task.get("when")
    if when is None:
        return False
    text = " ".join(map(str, when)) if isinstance(when, list) else str(when)
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    return not (words & registered)


def score(tasks: list[dict], spec: dict, families: dict, implied: set[str], catalog) -> dict:
    tasks = flatten(tasks)
    modules = [module_of(t, catalog) for t in tasks]
    registered = {str(t["register"]) for t in tasks if t.get("register")}
    missing = []
    allowed: set[str] = set(implied)
    for step in spec["steps"]:
        fits = {m for family in step["families"] for m in families[family]}
        allowed |= fits
        if not any(m in fits for m in modules):
            missing.append(step["action"])
    unasked = [f"{t.get('name')} ({m})" for t, m in zip(tasks, modules) if m not in allowed]
    habits = [str(t.get("name")) for t in tasks
              if HABIT_NAME.search(str(t.get("name", ""))) or "tags" in t or invented_when(t, registered)]
    return {"covered": not missing, "missing": missing, "unasked": unasked, "habits": habits,
            "modules": modules, "tasks": len(tasks)}


def lint_playbook(text: str) -> list[str]:
    from codegen.validate.lint import lint_file

    with tempfile.TemporaryDirectory(prefix="steps-eval-") as tmp:
        path = Path(tmp) / "playbook.yml"
        path.write_text(text)
        return [str(p) for p in lint_file(path, kind="playbook")]


def run(args) -> None:
    sys.path.insert(0, str(Path(args.code).resolve()))
    import codegen

    assert Path(codegen.__file__).resolve().is_relative_to(Path(args.code).resolve()), codegen.__file__
    data = load_requests(Path(args.requests))
    families, implied = data["families"], set(data.get("implied") or [])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if out.exists():
        done = {(r["id"], r["kind"]) for r in map(json.loads, filter(str.strip, out.read_text().splitlines()))}
    progress = out.with_suffix(".progress")
    pipeline = make_pipeline(args.task_lint)
    # each request's role right after its playbook: a run stopped early still has both kinds
    jobs = [(r, kind) for r in data["requests"] for kind in ("playbook", "role") if kind == "playbook" or r.get("role")]
    for index, (spec, kind) in enumerate(jobs, 1):
        if (spec["id"], kind) in done or (args.only and spec["id"] not in args.only):
            continue
        started = time.perf_counter()
        record = {"id": spec["id"], "kind": kind, "label": args.label, "request": spec["request"]}
        try:
            if kind == "playbook":
                text, info = generate_playbook(pipeline, spec["request"])
                record.update(info, yaml=text)
                tasks = (yaml.safe_load(text) or [{}])[0].get("tasks") or []
                record["lint"] = lint_playbook(text)
            else:
                role, lint = generate_role(pipeline, spec["role"], spec["request"])
                record.update(steps=role.steps, files=role.files, lint=lint)
                tasks = yaml.safe_load(role.files.get("tasks/main.yml", "")) or []
            record.update(score(tasks, spec, families, implied, pipeline.catalog))
        except Exception as exc:  # a crash is a result too: counted as not covered
            record.update(error=f"{exc.__class__.__name__}: {exc}", covered=False, missing=["(crashed)"],
                          unasked=[], habits=[], lint=["(crashed)"])
        record["seconds"] = round(time.perf_counter() - started, 1)
        with out.open("a") as handle:
            handle.write(json.dumps(record) + "\n")
        with progress.open("a") as handle:
            handle.write(f"{index}/{len(jobs)} {kind} {spec['id']} covered={record['covered']} "
                         f"{record['seconds']}s\n")


def table(paths: list[str]) -> str:
    """One row per build and kind, over the (request, kind) pairs every build has finished."""
    rows = ["| build | kind | n | covered | files with an unasked step | invented-habit steps | lint-clean |",
            "|---|---|---|---|---|---|---|"]
    runs = [[json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()] for path in paths]
    common = set.intersection(*({(r["id"], r["kind"]) for r in records} for records in runs))
    for records in runs:
        records = [r for r in records if (r["id"], r["kind"]) in common]
        for kind in ("playbook", "role"):
            group = [r for r in records if r["kind"] == kind]
            if not group:
                continue
            n = len(group)
            covered = sum(r["covered"] for r in group)
            clean_of_unasked = sum(not r["unasked"] for r in group)
            habits = sum(len(r["habits"]) for r in group)
            lint = sum(not r["lint"] for r in group)
            rows.append(f"| {group[0]['label']} | {kind} | {n} | {covered / n:.2f} ({covered}) | "
                        f"{n - clean_of_unasked} files | {habits} | {lint / n:.2f} ({lint}) |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", default=".", help="checkout whose codegen/ is the build under test")
    parser.add_argument("--label", default="this build")
    parser.add_argument("--requests", default=str(HERE / "requests.yml"))
    parser.add_argument("--out", help="JSON lines file (appended; a rerun resumes)")
    parser.add_argument("--only", nargs="*", help="request ids to run")
    parser.add_argument("--task-lint", action="store_true", help="lint each task inside the pipeline too (slow)")
    parser.add_argument("--table", nargs="*", help="print the table of these result files")
    args = parser.parse_args()
    if args.table:
        print(table(args.table))
    else:
        run(args)


if __name__ == "__main__":
    main()
