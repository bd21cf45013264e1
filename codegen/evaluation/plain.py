"""Scoring plain requests (eval/plain/requests.yml): is the answer right, and does it add conditions?

A plain request has no reference task, only what a right answer must have: one of the accepted
modules, and the values the request gave (`name: nginx`, `state: absent`). "Correct" = the right
module and every required value. An answer that carries `when:` or `tags:` where the request
implied no condition has added one nobody asked for.
"""
from __future__ import annotations

from pathlib import Path

from codegen.ansible_files.yaml_load import YamlError, load, read_text
from codegen.ansible_files.keywords import module_key

METRICS = ("correct", "module_match", "values_match", "unasked_condition", "schema_correct", "lint_clean", "foreign_idiom")


def load_plain(path: Path) -> list[dict]:
    """The cases of a plain-request file, each with an id."""
    _, text = read_text(path)
    data = load(text)
    if not isinstance(data, list) or not all(isinstance(c, dict) and c.get("request") and c.get("modules")
                                             for c in data):
        raise ValueError(f"{path}: expected a list of {{request, modules, values?}}")
    return [{**case, "id": f"plain-{i}"} for i, case in enumerate(data)]


def _norm(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip().strip("'\"").lower()
    return {"yes": "true", "no": "false"}.get(text, text.rstrip("/") if text.startswith("/") else text)


def _value_ok(expected, given, is_list: bool) -> bool:
    """A list of expected values: all must be in a list option's value, else any one may be given."""
    given_list = given if isinstance(given, list) else [given]
    given_norm = {_norm(v) for v in given_list}
    if isinstance(given, str) and "," in given:
        given_norm |= {_norm(v) for v in given.split(",")}
    if isinstance(expected, list):
        wanted = {_norm(v) for v in expected}
        return wanted <= given_norm if is_list else bool(wanted & given_norm)
    return _norm(expected) in given_norm


def _argument(args: dict, option: str, doc):
    """The value given for `option` (or one of its aliases, or of `a|b` alternatives), else None."""
    for name in option.split("|"):
        names = {name}
        if doc is not None and name in doc.options:
            names |= set(doc.options[name].get("aliases") or [])
        for key in names:
            if key in args:
                return key, args[key]
    return None, None


def score_plain(case: dict, text: str, catalog) -> dict:
    """The plain-request metrics of one answer (before validation, which evaluate_case adds)."""
    try:
        tasks = load(text) if text else None
    except YamlError:
        tasks = None
    task = next((t for t in tasks or [] if isinstance(t, dict) and module_key(t)), None)
    if task is None:
        return {"correct": 0.0, "module_match": 0.0, "values_match": 0.0, "unasked_condition": 0.0}
    key = module_key(task)
    fqcn = catalog.resolve(key) or key
    module_ok = fqcn in {catalog.resolve(m) or m for m in case["modules"]}  # yum -> dnf, as ansible redirects
    args = task.get(key) if isinstance(task.get(key), dict) else {}
    doc = catalog.get(fqcn)
    values_ok = True
    for option, expected in (case.get("values") or {}).items():
        name, given = _argument(args, option, doc)
        spec = doc.options.get(name, {}) if doc is not None and name else {}
        if given is None or not _value_ok(expected, given, spec.get("type") == "list"):
            values_ok = False
    unasked = not case.get("condition") and any(k in task for k in ("when", "tags"))
    return {"correct": float(module_ok and values_ok), "module_match": float(module_ok),
            "values_match": float(values_ok), "unasked_condition": float(unasked)}


def aggregate_plain(rows: list[dict]) -> dict:
    n = max(1, len(rows))
    return {"cases": len(rows), **{m: round(sum(r.get(m, 0.0) for r in rows) / n, 3) for m in METRICS},
            "seconds": round(sum(r["seconds"] for r in rows) / n, 3)}


def table_plain(results: dict[str, dict]) -> str:
    lines = ["| system | cases | " + " | ".join(METRICS) + " | mean s |", "|" + "---|" * (len(METRICS) + 3)]
    for system, agg in results.items():
        lines.append(f"| {system} | {agg['cases']} | " + " | ".join(f"{agg[m]:.3f}" for m in METRICS)
                     + f" | {agg['seconds']:.2f} |")
    return "\n".join(lines)
