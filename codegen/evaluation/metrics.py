"""Metrics for one generated task against its reference. Definitions are in eval/README.md.

- module_match: same module after FQCN resolution (short names and redirects resolved).
- exact_match: the same task body, compared line by line with trailing spaces ignored.
- bleu: corpus BLEU (sacrebleu, default 13a tokenisation) over task bodies; aggregated separately.
- ansible_aware: 0.4 * module match + 0.3 * key F1 + 0.3 * value recall, where keys are the
  module's argument names plus task keywords (when, loop, notify...) and value recall is the
  share of reference key/value pairs the prediction has with an equal value.
- schema_correct: Task.load + argument spec + Jinja pass (no errors; warnings allowed).
- lint_clean: ansible-lint production (+ args) reports no errors.
"""
from __future__ import annotations

import yaml

from codegen.ansible_files.yaml_load import SafeLoader
from codegen.ansible_files.keywords import module_key

_LOADER = SafeLoader  # bounded: the file may be hostile
WEIGHTS = {"module": 0.4, "keys": 0.3, "values": 0.3}


def _task(text: str) -> dict | None:
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError:
        return None
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return data[0]
    return None


def _body(text: str) -> str:
    lines = [ln.rstrip() for ln in text.strip("\n").split("\n")]
    return "\n".join(lines[1:] if lines and lines[0].startswith("- name:") else lines)


def _pairs(task: dict, catalog) -> tuple[str | None, dict]:
    """(resolved module, {key: value}) with the module's arguments and the task keywords flattened."""
    key = module_key(task)
    module = (catalog.resolve(key) or key) if key else None
    pairs = {}
    args = task.get(key) if key else None
    if isinstance(args, dict):
        pairs.update({f"arg:{k}": v for k, v in args.items()})
    elif args is not None:
        pairs["arg:_raw_params"] = args
    for k, v in task.items():
        if k not in (key, "name"):
            pairs[f"kw:{k}"] = v
    return module, pairs


def _same(a, b) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return " ".join(str(a).split()) == " ".join(str(b).split())
    return a == b


def score(predicted: str, reference: str, catalog) -> dict:
    """Per-case metrics (BLEU is aggregated at corpus level elsewhere)."""
    ref, pred = _task(reference), _task(predicted) if predicted else None
    if ref is None:
        raise ValueError("reference task does not parse")
    ref_module, ref_pairs = _pairs(ref, catalog)
    if pred is None:
        return {"module_match": 0.0, "exact_match": 0.0, "ansible_aware": 0.0}
    pred_module, pred_pairs = _pairs(pred, catalog)
    module = float(pred_module is not None and pred_module == ref_module)
    rk, pk = set(ref_pairs), set(pred_pairs)
    if not rk and not pk:
        f1 = 1.0
    else:
        common = len(rk & pk)
        precision = common / len(pk) if pk else 0.0
        recall = common / len(rk) if rk else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    values = (sum(_same(ref_pairs[k], pred_pairs[k]) for k in rk & pk) / len(rk)) if rk else 1.0
    aware = WEIGHTS["module"] * module + WEIGHTS["keys"] * f1 + WEIGHTS["values"] * values
    return {"module_match": module, "exact_match": float(_body(predicted) == _body(reference)),
            "ansible_aware": round(aware, 4)}


def corpus_bleu(predictions: list[str], references: list[str]) -> float:
    import sacrebleu

    return round(sacrebleu.corpus_bleu([_body(p) for p in predictions], [[_body(r) for r in references]]).score, 2)
