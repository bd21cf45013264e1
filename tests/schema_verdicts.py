"""The schema constraint's verdicts on a fixed set of task prefixes: made once from the code before
the rules were split out (tests/data/schema_verdicts.jsonl.gz), so the differential test can show
the split changed nothing.

Cases: every character prefix of the hand-written common tasks and of a fixed sample of the
retrieval index's training rows, plus mutated variants (wrong indentation, repeated lines, bad
choices, unclosed quotes, broken Jinja, ...) so refusals are exercised as well as acceptances.
Each line boundary is also asked with final=True, as decoding and complete_prefix do.

One fixture row is one text with its checker set-up; its verdicts are strings of 0/1, one per
prefix length from `start` (final=False) and one per line boundary (final=True): the text is
stored once instead of once per prefix, which keeps some 50,000 verdicts well under 1 MB.

Regenerate (only against the code the verdicts are meant to pin, e.g. the commit before a refactor):
    git show COMMIT:codegen/grounding/schema.py > /tmp/old_schema.py
    python -m tests.schema_verdicts make --schema /tmp/old_schema.py
Time old against new on the same checks, alternating in one process:
    python -m tests.schema_verdicts time --schema /tmp/old_schema.py
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import random
import statistics
import sys
import time
from pathlib import Path

FIXTURE = Path(__file__).parent / "data" / "schema_verdicts.jsonl.gz"
SOURCES = Path(__file__).parent.parent / "codegen" / "adapter" / "sources.jsonl.gz"
SEED = 17
TRAINING_ROWS = 120      # sampled from the retrieval index, every prefix of each
MUTATED_TRAINING = 120   # of which this many also get mutated variants
BOUND_TRAINING = 30      # also checked with handlers and a variable list set

# The second checker set-up: a playbook written from scratch knows its handlers and variables.
CONFIGS = {
    "default": {"handlers": None, "variables": None},
    "bound": {"handlers": ["Restart nginx", "Reload systemd"],
              "variables": ["app_dir", "app_user", "packages", "result", "app_db_password"]},
}


def checker_for(module, catalog, config: str):
    spec = CONFIGS[config]
    variables = None if spec["variables"] is None else set(spec["variables"])
    return module.SchemaChecker(catalog, handlers=spec["handlers"], variables=variables)


def _lines_with_value(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if ": " in line and line.split(": ", 1)[1].strip()]


def _mutations(text: str, catalog, rng: random.Random) -> list[tuple[str, str, int]]:
    """(kind, mutated text, where the change starts) for one task body."""
    lines = text.rstrip("\n").split("\n")
    out = []

    def put(kind: str, new_lines: list[str], at: int) -> None:
        new = "\n".join(new_lines) + "\n"
        if new != text:
            out.append((kind, new, len("\n".join(new_lines[:at]))))

    if len(lines) > 1:
        i = rng.randrange(1, len(lines))
        shift = rng.choice([-2, -1, 1, 2])
        moved = lines[i][-shift:] if shift < 0 and lines[i].startswith(" " * -shift) else " " * shift + lines[i]
        put("indent", lines[:i] + [moved] + lines[i + 1:], i)
        j = rng.randrange(0, len(lines))
        put("repeat", lines[:j + 1] + [lines[j]] + lines[j + 1:], j + 1)
    module = next((line[2:].split(":", 1)[0] for line in lines if line.startswith("  ") and not line.startswith("   ")
                   and catalog.get(line[2:].split(":", 1)[0])), None)
    doc = catalog.get(module) if module else None
    if doc and doc.options:
        for i, line in enumerate(lines):
            key = line[4:].split(":", 1)[0]
            if line.startswith("    ") and not line.startswith("     ") and (doc.options.get(key) or {}).get("choices"):
                put("bad-choice", lines[:i] + [f"    {key}: {rng.choice(['bogus', 'Present', 'yes', '1'])}"]
                    + lines[i + 1:], i)
                break
        put("unknown-option", lines + ["    colour: red"], len(lines))
    quoted = [i for i, line in enumerate(lines) if line.rstrip().endswith(("'", '"')) and ": " in line]
    if quoted:
        i = rng.choice(quoted)
        put("unclosed-quote", lines[:i] + [lines[i].rstrip()[:-1]] + lines[i + 1:], i)
    valued = _lines_with_value(lines)
    if valued:
        i = rng.choice(valued)
        key, value = lines[i].split(": ", 1)
        jinja = rng.choice(["'{{ x | }}'", "'{{ foo( }}'", "'{{ a }'", "'{% if a %}x'", "'{{ a }} {{ b'",
                            "'{% do a.append(1) %}'", "'{% for i in a %}{% break %}{% endfor %}'",
                            "'{{ undefined_thing }}'", "'{{ app_dir }}/{{ item }}'"])
        put("jinja", lines[:i] + [f"{key}: {jinja}"] + lines[i + 1:], i)
        extra = rng.choice([" ", "\t", "  # noqa", " 'x'", "x" * 170, " | default(x.y" * 6])
        put("line-text", lines[:i] + [lines[i] + extra] + lines[i + 1:], i)
    keyword = rng.choice(["  ignore_errors: true", "  when: result.changed", "  register: a.b", "  notify: Restart apache",
                          "  when: 10", "  retries: many", "  become: yes", "  # a comment", "  when: (a and b",
                          "  notify: Restart nginx", "  when: app_dir is defined", "  loop: \"{{ packages }}\""])
    put("keyword", lines + [keyword], len(lines))
    if module in ("ansible.builtin.command", "ansible.builtin.shell") or rng.random() < 0.1:
        put("command", ["  ansible.builtin.command: curl -o /tmp/x http://example.com", "  changed_when: false"], 0)
    return out


def cases(catalog) -> list[dict]:
    """The texts to check, each with the set-up and the first prefix length worth asking about."""
    from codegen.grounding.retrieval import common_rows

    rng = random.Random(SEED)
    rows = [json.loads(line) for line in gzip.open(SOURCES, "rt", encoding="utf-8")]
    training = rng.sample(rows, TRAINING_ROWS)
    out = []
    for n, row in enumerate(common_rows()):
        for config in CONFIGS:
            out.append({"source": f"common:{row['line']}", "module": row["module"], "config": config,
                        "mutation": "", "text": row["task"], "start": 1})
        for kind, text, at in _mutations(row["task"], catalog, rng):
            out.append({"source": f"common:{row['line']}", "module": row["module"], "config": rng.choice(list(CONFIGS)),
                        "mutation": kind, "text": text, "start": max(1, at)})
    for n, row in enumerate(training):
        source = f"sources:{row['collection']}/{row['path']}:{row['line']}"
        configs = ["default", "bound"] if n < BOUND_TRAINING else ["default"]
        for config in configs:
            out.append({"source": source, "module": row["module"], "config": config, "mutation": "",
                        "text": row["task"], "start": 1})
        if n < MUTATED_TRAINING:
            for kind, text, at in _mutations(row["task"], catalog, rng):
                out.append({"source": source, "module": row["module"], "config": rng.choice(list(CONFIGS)),
                            "mutation": kind, "text": text, "start": max(1, at)})
    return out


def checks(case: dict) -> list[tuple[str, bool]]:
    """(prefix, final) in the order the verdict strings hold them."""
    text = case["text"]
    open_ = [(text[:end], False) for end in range(case["start"], len(text) + 1)]
    final = [(text[:end + 1], True) for end in range(len(text)) if text[end] == "\n" and end + 1 >= case["start"]]
    return open_ + final


def verdicts(checker, case: dict) -> str:
    return "".join("1" if checker.viable(prefix, final=final) else "0" for prefix, final in checks(case))


def load_fixture(path: Path = FIXTURE) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def load_schema(path: str):
    """A schema module from a file (the code before a refactor, kept out of the tree)."""
    spec = importlib.util.spec_from_file_location("schema_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _make(schema, catalog, out: Path) -> None:
    rows = []
    checkers = {config: checker_for(schema, catalog, config) for config in CONFIGS}
    for case in cases(catalog):
        case["verdicts"] = verdicts(checkers[case["config"]], case)
        rows.append(case)
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as handle:
        for row in rows:
            handle.write(json.dumps(row, sort_keys=True) + "\n")
    total = sum(len(r["verdicts"]) for r in rows)
    refused = sum(r["verdicts"].count("0") for r in rows)
    print(f"{len(rows)} texts, {total} verdicts, {refused} refusals, {out.stat().st_size} bytes -> {out}")


def _uncached(new) -> None:
    """Parse every template again, as the old code did: the cost of the split itself."""
    cached = new.jinja_ok
    for name, module in list(sys.modules.items()):
        if name.startswith("codegen.grounding.schema") and getattr(module, "jinja_ok", None) is cached:
            module.jinja_ok = cached.__wrapped__


def _time(old, new, catalog, runs: int, every: int) -> None:
    rows = load_fixture()[::every]
    prepared = {name: [(checker_for(mod, catalog, row["config"]), checks(row)) for row in rows]
                for name, mod in (("old", old), ("new", new))}
    calls = sum(len(c) for _, c in prepared["old"])
    times = {"old": [], "new": []}
    for run in range(runs):
        for name in (("old", "new") if run % 2 == 0 else ("new", "old")):  # alternate who goes first
            begin = time.perf_counter()
            for checker, items in prepared[name]:
                for prefix, final in items:
                    checker.viable(prefix, final=final)
            times[name].append(time.perf_counter() - begin)
    for name in ("old", "new"):
        per_call = statistics.median(times[name]) / calls * 1e6
        print(f"{name}: median {statistics.median(times[name]):.2f} s over {runs} runs, {per_call:.1f} us/call "
              f"({calls} calls); runs: {', '.join(f'{t:.2f}' for t in times[name])}")
    print(f"new/old: {statistics.median(times['new']) / statistics.median(times['old']):.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("job", choices=("make", "time"))
    parser.add_argument("--schema", required=True, help="a schema.py file: the code whose verdicts are pinned")
    parser.add_argument("--out", type=Path, default=FIXTURE)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--every", type=int, default=1, help="time every n-th fixture row only")
    parser.add_argument("--no-cache", action="store_true", help="new code without its template-parse cache")
    args = parser.parse_args(argv)
    from codegen.catalog import load_catalog

    catalog = load_catalog(quiet=True)
    old = load_schema(args.schema)
    if args.job == "make":
        _make(old, catalog, args.out)
    else:
        import codegen.grounding.schema as new

        if args.no_cache:
            _uncached(new)
        _time(old, new, catalog, args.runs, args.every)
    return 0


if __name__ == "__main__":
    sys.exit(main())
