"""The value reader alone (no model; seconds): for each fitting request of a requests file, the
values `codegen.grounding.slots.read` gives the right module's options against the values the
answer must carry, and how many requests it gets wrong.

    ANSIBLE_COLLECTIONS_PATH=$PWD/eval/private/dev/collections python eval/private/reader.py eval/private/dev/requests-s11d.yml"""
from __future__ import annotations

import argparse

import yaml

from codegen.catalog import load_catalog
from codegen.grounding.slots import read


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("requests", nargs="+")
    args = ap.parse_args()
    catalog = load_catalog(quiet=True)
    wrong = total = 0
    for path in args.requests:
        for case in yaml.safe_load(open(path)):
            if case["fits"] != "private":
                continue
            doc = catalog.get(case["modules"][0])
            got = read(doc, case["request"]) if doc else {}
            ok = all(k in got and str(got[k]).lower() == str(v).lower() for k, v in case["values"].items())
            total += 1
            wrong += not ok
            print("ok   " if ok else "WRONG", case["request"], "|", got, "" if ok else f"| want {case['values']}")
    print(f"{wrong} of {total} fitting requests with a value wrong or missing")


if __name__ == "__main__":
    main()
