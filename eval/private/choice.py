"""The private-module choice alone (no model): for each request of a requests file, the best
private and public module by their documentation, and whether a private one is chosen.

    ANSIBLE_COLLECTIONS_PATH=eval/private/dev/collections python eval/private/choice.py eval/private/dev/requests.yml

With --grid, the share of right choices over a grid of thresholds (use it on the dev set only:
the benchmark is never tuned on)."""
from __future__ import annotations

import argparse

import yaml

from codegen.catalog import load_catalog
from codegen.grounding.candidates import MARGIN, MIN_SCORE, Candidates


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("requests")
    ap.add_argument("--grid", action="store_true")
    args = ap.parse_args()
    cases = yaml.safe_load(open(args.requests))
    cands = Candidates(load_catalog(quiet=True))
    rows = []
    for case in cases:
        private, public = cands.ranked(case["request"], limit=1)
        rows.append((case, private[0] if private else None, public[0] if public else None))
    def outcome(min_score, margin):
        fit_ok = ctl_wrong = 0
        for case, p, q in rows:
            chosen = p and p[1] >= min_score and (not q or p[1] >= margin * q[1])
            if case["fits"] == "private":
                fit_ok += bool(chosen and p[0] in case["modules"])
            else:
                ctl_wrong += bool(chosen)
        fits = sum(c["fits"] == "private" for c, _, _ in rows)
        return fit_ok / max(1, fits), ctl_wrong / max(1, len(rows) - fits)
    if args.grid:
        for min_score in (4, 6, 8, 10, 12, 14, 16):
            for margin in (0.8, 1.0, 1.15, 1.3, 1.5, 2.0):
                right, wrong = outcome(min_score, margin)
                print(f"min_score {min_score:>4} margin {margin:.2f}: fitting chosen right {right:.3f}, "
                      f"controls wrongly private {wrong:.3f}")
        return
    for case, p, q in rows:
        chosen = p and p[1] >= MIN_SCORE and (not q or p[1] >= MARGIN * q[1])
        mark = "PRIVATE" if chosen else "public "
        print(f"{case['fits']:7} {mark} {p} {q} | {case['request']}")
    right, wrong = outcome(MIN_SCORE, MARGIN)
    print(f"fitting requests with the right private module chosen: {right:.3f}; "
          f"control requests with a private module chosen: {wrong:.3f}")


if __name__ == "__main__":
    main()
