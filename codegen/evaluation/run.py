"""`ansible-codegen eval`: systems x cases -> per-case rows -> an aggregated table.

Systems: the model with the adapter ("adapter"), the bare base ("base"), and nearest-example
retrieval ("retrieval": the most similar training request's task, returned as is). Each
system's rows go to `<out>/<system>.jsonl` as they finish, so an interrupted run resumes; a row
is reused only for the same system, model, adapter and case (its `key`). Results go to the user
cache unless `-o` names a folder: a run never writes into the source tree by default.
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from codegen.atomic import write_text
from codegen.catalog.store import Bm25, words
from codegen.evaluation.idioms import foreign_idiom
from codegen.evaluation.metrics import corpus_bleu, score
from codegen.evaluation.plain import aggregate_plain, load_plain, score_plain, table_plain
from codegen.normalise import normalise_tasks
from codegen.parse import ParseError, task_text
from codegen.prompt import task_name
from codegen.train.data import read_jsonl
from codegen.validate import validate_tasks

# Each system: which model, and which pipeline parts are on (for the ablation table).
SYSTEMS = {
    "adapter": {"adapter": True, "constrain": True, "repair": True},
    "adapter-retrieval": {"adapter": True, "constrain": True, "repair": True, "retrieval": True},
    # the default pipeline with the workspace around the case's file read (cases with a `path`),
    # its lines shown in the prompt, and the same with them not shown (held to by decoding, repair
    # and validation only)
    "adapter-workspace": {"adapter": True, "constrain": True, "repair": True, "retrieval": True, "workspace": True,
                          "workspace_prompt": True},
    "adapter-workspace-unshown": {"adapter": True, "constrain": True, "repair": True, "retrieval": True,
                                  "workspace": True, "workspace_prompt": False},
    "adapter-summary": {"adapter": True, "constrain": True, "repair": True, "retrieval": True, "summary": True},
    "adapter-unconstrained": {"adapter": True, "constrain": False, "repair": True},
    "adapter-norepair": {"adapter": True, "constrain": True, "repair": False},
    "adapter-raw": {"adapter": True, "constrain": False, "repair": False},
    "base": {"adapter": False, "constrain": True, "repair": True},
    "base-raw": {"adapter": False, "constrain": False, "repair": False},
    "retrieval": {"adapter": False, "constrain": False, "repair": False},
}
METRICS = ("module_accuracy", "exact_match", "bleu", "ansible_aware", "schema_correct", "lint_clean", "seconds")


def reference_text(case: dict, catalog) -> str:
    text = f"- name: {task_name(case['request'])}\n{case['completion']}"
    try:
        return normalise_tasks(task_text(task_name(case["request"]), case["completion"]), catalog)
    except (ParseError, ValueError):
        return text


class Retrieval:
    """The nearest training example (BM25 over request words), its task body reused."""

    def __init__(self, train_rows: list[dict]):
        self.rows = [r for r in train_rows if r.get("task") != "outline"]  # tasks only
        self.index = Bm25({str(i): words(r["request"]) for i, r in enumerate(self.rows)})

    def body(self, request: str) -> str:
        best = self.index.top(words(request), 1)
        return self.rows[int(best[0][0])]["completion"] if best else ""


def predict(system: str, case: dict, pipeline, retrieval: Retrieval | None, prepared=None) -> tuple[str, float]:
    """prepared: the case's context with its workspace (the workspace systems), else the bare context."""
    started = time.perf_counter()
    if system == "retrieval":
        body = retrieval.body(case["request"])
        try:
            text = normalise_tasks(task_text(task_name(case["request"]), body), pipeline.catalog)
        except (ParseError, ValueError):
            text = ""
    else:
        given = prepared if prepared is not None and SYSTEMS[system].get("workspace") else case.get("context") or ""
        text, _ = pipeline.one_task(case["request"], given)
    return text, time.perf_counter() - started


def evaluate_case(system, case, pipeline, retrieval, workspaces=None) -> dict:
    prepared = workspaces.prepared(case) if workspaces is not None else None
    text, seconds = predict(system, case, pipeline, retrieval, prepared)
    if "modules" in case:  # a plain request: what a right answer must have, no reference task
        row = {"id": case["id"], "request": case["request"], "prediction": text,
               **score_plain(case, text, pipeline.catalog), "seconds": round(seconds, 3)}
    else:
        reference = reference_text(case, pipeline.catalog)
        row = {"id": case["id"], "request": case["request"], "prediction": text, "reference": reference,
               **score(text, reference, pipeline.catalog), "seconds": round(seconds, 3)}
    if text:
        problems = validate_tasks(text, pipeline.catalog, lint=True)
        errors = [p for p in problems if p.level == "error"]
        row["schema_correct"] = float(not any(p.check != "lint" for p in errors))
        row["lint_clean"] = float(not any(p.check == "lint" for p in errors))
        row["problems"] = [str(p) for p in problems]
    else:
        row.update(schema_correct=0.0, lint_clean=0.0, problems=["no task produced"])
    row["foreign_idiom"] = foreign_idiom(text, case.get("context") or "", row.get("reference", ""))
    if prepared is not None and "reference" in row:  # measured against the workspace, shown or not
        from codegen.evaluation.workspace_metrics import reference_scores, references

        refs = references(prepared)
        row.update(reference_scores(text, refs))
        row["human_reads_undefined"] = reference_scores(row["reference"], refs)["reads_undefined"]
    return row


def aggregate(rows: list[dict]) -> dict:
    if rows and "correct" in rows[0]:
        return aggregate_plain(rows)
    n = max(1, len(rows))
    mean = lambda k: round(sum(r[k] for r in rows) / n, 3)  # noqa: E731
    result = {"cases": len(rows), "module_accuracy": mean("module_match"), "exact_match": mean("exact_match"),
              "bleu": corpus_bleu([r["prediction"] for r in rows], [r["reference"] for r in rows]),
              "ansible_aware": mean("ansible_aware"), "schema_correct": mean("schema_correct"),
              "lint_clean": mean("lint_clean"), "seconds": mean("seconds"),
              "foreign_idiom": round(sum(r.get("foreign_idiom", 0.0) for r in rows) / n, 3)}
    measured = [r for r in rows if "reads_undefined" in r]  # cases whose workspace is on disk
    if measured:
        share = lambda k: round(sum(r[k] for r in measured) / len(measured), 3)  # noqa: E731
        result.update(workspace_cases=len(measured), reads_undefined=share("reads_undefined"),
                      missing_reference=share("missing_reference"), human_reads_undefined=share("human_reads_undefined"))
    return result


def run_key(system: str, case: dict, identity: dict) -> str:
    """What a row's answer depends on: the system, the model (base, adapter bytes, settings) and the
    case itself (request, context, reference). A re-run reuses a row only when all of them match."""
    blob = json.dumps({"system": system, "options": SYSTEMS.get(system), "model": identity, "case": case},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def model_identity(base: str | None, adapter: str | None, max_new_tokens: int) -> dict:
    """The base as named, the adapter by the sha256 of its files, the decoding budget."""
    identity = {"base": base or "default", "max_new_tokens": max_new_tokens, "adapter": None}
    folder = Path(adapter) if adapter not in (None, "none", "default") else None
    if adapter == "default":
        from codegen.model.load import default_adapter

        folder = default_adapter()
    if folder is not None and folder.is_dir():
        digest = hashlib.sha256()
        for name in sorted(p.name for p in folder.iterdir() if p.is_file()):
            digest.update(name.encode() + (folder / name).read_bytes())
        identity["adapter"] = digest.hexdigest()[:20]
    return identity


def run_system(system: str, cases: list[dict], pipeline, retrieval, out_dir: Path, progress=None,
               identity: dict | None = None, workspaces=None) -> list[dict]:
    """Rows of `system` on `cases`, resumed from `<out_dir>/<system>.jsonl` where a row's key still
    matches (rows of another model, adapter or case text are dropped, not reused)."""
    path = out_dir / f"{system}.jsonl"
    keys = {c["id"]: run_key(system, c, identity or {}) for c in cases}
    done = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut by an interruption
            if isinstance(row, dict) and keys.get(row.get("id")) == row.get("key"):
                done[row["id"]] = row
        write_text(path, "".join(json.dumps(r) + "\n" for r in done.values()))
    with open(path, "a") as fh:
        for case in cases:
            if case["id"] not in done:
                row = {**evaluate_case(system, case, pipeline, retrieval, workspaces), "key": keys[case["id"]]}
                fh.write(json.dumps(row) + "\n")
                fh.flush()
                done[case["id"]] = row
            if progress:
                progress(system)
    return [done[c["id"]] for c in cases]


def by_project(system: str, cases: list[dict], rows: list[dict]) -> dict[str, dict]:
    """`system / project` aggregates, for cases that name their project (the external split)."""
    groups: dict[str, list[dict]] = {}
    for case, row in zip(cases, rows):
        if case.get("project"):
            groups.setdefault(case["project"], []).append(row)
    if len(groups) < 2:
        return {}
    return {f"{system} / {project}": aggregate(group) for project, group in sorted(groups.items())}


def table(results: dict[str, dict]) -> str:
    if any("correct" in agg for agg in results.values()):
        return table_plain(results)
    head = "| system | cases | " + " | ".join(METRICS[:-1]) + " | foreign idiom | mean s |"
    lines = [head, "|" + "---|" * (len(METRICS) + 3)]
    for system, agg in results.items():
        lines.append(f"| {system} | {agg['cases']} | " + " | ".join(f"{agg[m]:.3f}" if m != "bleu" else f"{agg[m]:.1f}"
                                                              for m in METRICS[:-1])
                     + f" | {agg.get('foreign_idiom', 0.0):.3f} | {agg['seconds']:.2f} |")
    measured = {s: a for s, a in results.items() if "reads_undefined" in a}
    if measured:  # the workspace table: answers measured against the workspace around each case's file
        lines += ["", "| system | cases with a workspace | reads an undefined variable | names a missing handler "
                      "or file | human tasks reading an undefined variable |", "|---|---|---|---|---|"]
        lines += [f"| {s} | {a['workspace_cases']} | {a['reads_undefined']:.3f} | {a['missing_reference']:.3f} | "
                  f"{a['human_reads_undefined']:.3f} |" for s, a in measured.items()]
    return "\n".join(lines)


def load_cases(split: str, data_dir: Path, limit: int | None) -> list[dict]:
    path = Path(split) if Path(split).is_file() else data_dir / f"{split}.jsonl"
    if path.suffix in (".yml", ".yaml") and path.is_file():
        rows = load_plain(path)
        return rows[:limit] if limit else rows
    if not path.is_file():
        raise FileNotFoundError(f"no cases at {path}: build them with `ansible-codegen dataset build -o {data_dir}`")
    rows = read_jsonl(path)
    for i, row in enumerate(rows):
        row.setdefault("id", str(i))
        if "request" not in row or "completion" not in row:
            raise ValueError(f"{path}: case {i + 1} needs 'request' and 'completion'")
    return rows[:limit] if limit else rows


def write_report(out_dir: Path, split: str, results: dict, rows: dict) -> None:
    write_text(out_dir / "summary.json", json.dumps({"split": split, "results": results}, indent=2))
    write_text(out_dir / "report.md", f"# Evaluation on `{split}`\n\n" + table(results) + "\n")
    write_text(out_dir / "cases.json", json.dumps(rows, indent=1))
