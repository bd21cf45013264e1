"""Score an `eval` run's answers against the workspace around each case's file.

    python eval/workspace/score.py CASES.jsonl RUN_DIR [SYSTEM ...]

RUN_DIR is an `ansible-codegen eval -o RUN_DIR` folder (one `<system>.jsonl` per system). Each
answer, and the human's task (the reference) as the floor, is checked with the reader and the
references check as they are now (codegen/evaluation/workspace_metrics.py), so answers generated
once are measured the same way for every system. Prints a Markdown table: Ansible Aware, BLEU,
module accuracy, the share of answers that read a variable nothing defines, and the share naming
a handler or template/copy source that does not exist.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        sys.exit(__doc__)
    from codegen.catalog import load_catalog
    from codegen.evaluation.metrics import corpus_bleu
    from codegen.evaluation.workspace_metrics import CaseWorkspaces, reference_scores, references

    cases = {c["id"]: c for c in map(json.loads, Path(argv[0]).read_text().splitlines())}
    run = Path(argv[1])
    systems = argv[2:] or sorted(p.stem for p in run.glob("*.jsonl"))
    workspaces = CaseWorkspaces(load_catalog(quiet=True))
    refs = {}
    print("| system | cases | Ansible Aware | BLEU | module accuracy | reads an undefined variable | "
          "names a missing handler or file |\n|---|---|---|---|---|---|---|")
    human = None
    found = {s: {r["id"]: r for r in map(json.loads, (run / f"{s}.jsonl").read_text().splitlines()) if r["id"] in cases}
             for s in systems}
    common = set.intersection(*(set(rows) for rows in found.values()))  # every system on the same cases
    for system in systems:
        rows = [found[system][i] for i in sorted(common)]
        undefined = missing = human_undefined = measured = 0
        for row in rows:
            case = cases[row["id"]]
            if row["id"] not in refs:
                prepared = workspaces.prepared(case)
                refs[row["id"]] = references(prepared) if prepared is not None else None
            if refs[row["id"]] is None:
                continue
            measured += 1
            scores = reference_scores(row["prediction"], refs[row["id"]])
            undefined += scores["reads_undefined"]
            missing += scores["missing_reference"]
            human_undefined += reference_scores(row["reference"], refs[row["id"]])["reads_undefined"]
        n = max(1, len(rows))
        aware = sum(r["ansible_aware"] for r in rows) / n
        module = sum(r["module_match"] for r in rows) / n
        bleu = corpus_bleu([r["prediction"] for r in rows], [r["reference"] for r in rows])
        print(f"| {system} | {len(rows)} | {aware:.3f} | {bleu:.1f} | {module:.3f} | {undefined / max(1, measured):.3f} | "
              f"{missing / max(1, measured):.3f} |")
        human = human_undefined / max(1, measured)  # the same cases for every system
    print(f"\nHuman-written tasks (the references) reading a variable nothing defines: {human:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
