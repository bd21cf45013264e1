"""Merge the raw runs of several `bench --prompts ... --against` outputs into one report (medians over all runs).
Usage: python eval/bench/merge.py OUT.json RUN.json [RUN.json ...]"""
import json, sys, statistics
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2]))
from codegen.bench import realistic
raw = {"ours": [], "against": []}
cold = {"ours": [], "against": []}
for path in sys.argv[2:]:
    d = json.load(open(path))
    for k in raw:
        raw[k] += d["raw"].get(k, [])
        cold[k] += (d.get("cold") or {}).get(k, []) if "cold" in d else d["figures"].get(k, {}).get("cold_cli_runs", [])
report = {"settings": {"runs": min(len(v) for v in raw.values()), "sources": sys.argv[2:]}, "figures": {}, "raw": raw}
for name in raw:
    report["figures"][name] = {s: realistic._median_of([realistic.summary(r["sets"][s]) for r in raw[name]]) for s in ("realistic", "short")}
    report["figures"][name]["cold_cli_s"] = round(statistics.median(cold[name]), 3)
    report["figures"][name]["cold_cli_runs"] = [round(c, 3) for c in cold[name]]
    report["figures"][name]["runs"] = len(raw[name])
report["identical"] = {s: [realistic.identical(a["sets"][s], b["sets"][s]) for a, b in zip(raw["ours"], raw["against"])] for s in ("realistic", "short")}
json.dump(report, open(sys.argv[1], "w"), indent=1)
realistic.print_table(report)
# identity restricted to requests answered in one try by both trees
for s in ("realistic", "short"):
    for a, b in zip(raw["ours"], raw["against"]):
        theirs = {r["id"]: r for r in b["sets"][s]}
        one = [r for r in a["sets"][s] if r["tries"] == 1 and theirs[r["id"]]["tries"] == 1]
        same = [r for r in one if (r["yaml"], r["problems"]) == (theirs[r["id"]]["yaml"], theirs[r["id"]]["problems"])]
        multi = [r["id"] for r in a["sets"][s] if r["tries"] > 1 or theirs[r["id"]]["tries"] > 1]
        print(s, "one try in both:", len(same), "/", len(one), "identical (yaml+problems); more tries in either:", len(multi))
