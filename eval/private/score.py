"""The two figures of issue 21 from an eval run's rows (DIR/adapter-retrieval.jsonl):
fitting requests answered with the private module and every listed value right; control
requests answered with a private module."""
from __future__ import annotations

import json
import sys

import yaml


def main(rows_path: str, requests_path: str) -> None:
    cases = {f"plain-{i}": c for i, c in enumerate(yaml.safe_load(open(requests_path)))}
    from codegen.grounding.candidates import shipped_collections

    shipped = shipped_collections()
    fit = [0, 0, 0]  # rows, private module right, module and values right
    ctl = [0, 0]  # rows, a private module written
    for line in open(rows_path):
        row = json.loads(line)
        case = cases[row["id"]]
        if case["fits"] == "private":
            fit[0] += 1
            fit[1] += row["module_match"]
            fit[2] += row["correct"]
        else:
            ctl[0] += 1
            written = (row["prediction"] or "").split("\n")
            ctl[1] += any(line.startswith("  ") and line.strip().endswith(":") and line.count(".") >= 2
                          and ".".join(line.strip().split(".")[:2]) not in shipped
                          for line in written if not line.startswith("   "))
    print(f"fitting: {fit[0]} answered; private module right {fit[1] / max(1, fit[0]):.3f}; "
          f"module and every value right {fit[2] / max(1, fit[0]):.3f}")
    print(f"controls: {ctl[0]} answered; a private module chosen {ctl[1] / max(1, ctl[0]):.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
