"""Before/after answers of two runs of the same cases, most improved and most worsened first.

    python eval/results/workspace-s14/pairs.py BEFORE.jsonl AFTER.jsonl [N]
"""
import json
import sys


def rows(path):
    with open(path) as fh:
        return {r["id"]: r for r in map(json.loads, fh)}


before, after = rows(sys.argv[1]), rows(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 5
common = [i for i in after if i in before]
delta = {i: after[i]["ansible_aware"] - before[i]["ansible_aware"] for i in common}
print(f"{len(common)} cases: {sum(d > 1e-9 for d in delta.values())} better, {sum(d < -1e-9 for d in delta.values())} "
      f"worse, {sum(after[i]['prediction'] == before[i]['prediction'] for i in common)} answers identical")
ranked = sorted(common, key=lambda i: -delta[i])
for i in ranked[:n] + ranked[::-1][:n]:
    print(f"\n===== {i}  Aware {before[i]['ansible_aware']:.2f} -> {after[i]['ansible_aware']:.2f}")
    print("request:", after[i]["request"])
    for label, text in (("before", before[i]["prediction"]), ("after", after[i]["prediction"]),
                        ("human", after[i]["reference"])):
        print(f"--- {label}\n{text.rstrip()}")
