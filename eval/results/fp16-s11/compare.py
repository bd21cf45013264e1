import json, sys
a = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[1])}
b = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[2])}
same = sum(a[k]["prediction"] == b[k]["prediction"] for k in a)
print(f"same answers {same} of {len(a)}")
for k in a:
    if a[k]["prediction"] != b[k]["prediction"]:
        print("---", k, {m: (a[k].get(m), b[k].get(m)) for m in ("correct", "module_accuracy", "module_match", "ansible_aware", "schema_correct", "lint_clean") if m in a[k]})
