"""Totals of a benchmark run made in two halves: python score_halves.py RUN
reads RUN-a/adapter-retrieval.jsonl and RUN-b/adapter-retrieval.jsonl (or RUN-a.jsonl / RUN-b.jsonl,
as kept here) against requests-a.yml / requests-b.yml beside this file."""
import json
import sys
from pathlib import Path

import yaml

from codegen.grounding.candidates import shipped_collections

here = Path(__file__).parent
shipped = shipped_collections()
tot = {"fit": 0, "mod": 0, "ok": 0, "ctl": 0, "wrong": 0}
for half in "ab":
    cases = yaml.safe_load(open(here / f"requests-{half}.yml"))
    rows = Path(f"{sys.argv[1]}-{half}") / "adapter-retrieval.jsonl"
    rows = rows if rows.is_file() else Path(f"{sys.argv[1]}-{half}.jsonl")
    for line in open(rows):
        r = json.loads(line)
        c = cases[int(r["id"].split("-")[1])]
        if c["fits"] == "private":
            tot["fit"] += 1
            tot["mod"] += r["module_match"]
            tot["ok"] += r["correct"]
        else:
            tot["ctl"] += 1
            lines = (r["prediction"] or "").split("\n")
            tot["wrong"] += any(l.startswith("  ") and l.strip().endswith(":") and l.count(".") >= 2
                                and ".".join(l.strip().split(".")[:2]) not in shipped
                                for l in lines if not l.startswith("   "))
print(f"fitting {tot['fit']}: private module right {tot['mod'] / tot['fit']:.3f}, module and every value right "
      f"{tot['ok'] / tot['fit']:.3f}; controls {tot['ctl']}: a private module chosen {tot['wrong'] / tot['ctl']:.3f}")
