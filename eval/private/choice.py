"""The private-module choice alone (no model): for each request of a requests file, the best
private and public module by their documentation, and whether a private one is chosen.

    ANSIBLE_COLLECTIONS_PATH=eval/private/dev/collections python eval/private/choice.py eval/private/dev/requests.yml"""
from __future__ import annotations

import argparse

import yaml

from codegen.catalog import load_catalog
from codegen.grounding.candidates import Candidates


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("requests")
    args = ap.parse_args()
    cases = yaml.safe_load(open(args.requests))
    cands = Candidates(load_catalog(quiet=True))
    rows = []
    for case in cases:
        best, against, chosen = cands.verdict(case["request"])
        rows.append((case, best, against, chosen))

    def outcome():
        fit_ok = ctl_wrong = 0
        for case, p, _, chosen in rows:
            if case["fits"] == "private":
                fit_ok += bool(chosen and p[0] in case["modules"])
            else:
                ctl_wrong += bool(chosen)
        fits = sum(c["fits"] == "private" for c, *_ in rows)
        return fit_ok / max(1, fits), ctl_wrong / max(1, len(rows) - fits)
    for case, p, q, chosen in rows:
        mark = "PRIVATE" if chosen else "public "
        print(f"{case['fits']:7} {mark} {p} {q} | {case['request']}")
    right, wrong = outcome()
    print(f"fitting requests with the right private module chosen: {right:.3f}; "
          f"control requests with a private module chosen: {wrong:.3f}")


if __name__ == "__main__":
    main()
