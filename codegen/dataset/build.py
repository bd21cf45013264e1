"""`ansible-codegen dataset build`: sources -> filtered, deduplicated examples -> splits + data card."""
from __future__ import annotations

import hashlib
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

from codegen.atomic import staged_dir
from codegen.dataset import sources as src
from codegen.dataset.filters import drop_reason, fqcn_text
from codegen.dataset.outlines import outline_rows
from codegen.dataset.retrieved import with_examples
from codegen.dataset.external import role_in, shape_of
from codegen.dataset.name_styles import SHARE_RESTYLED, restyle
from codegen.dataset.requests import variants
from codegen.ansible_files.keywords import module_key

SEED = 1234
COMMON = {"ansible.builtin", "ansible.posix", "community.general", "community.docker", "community.mysql",
          "community.postgresql", "community.crypto", "ansible.windows", "community.windows",
          "containers.podman", "kubernetes.core", "community.rabbitmq", "community.mongodb"}
CAP_PER_MODULE = {"ansible.builtin": 900, "common": 20, "other": 4}
CAP_PER_COLLECTION_OTHER = 40
# community.general alone documented ~500 modules: its EXAMPLES were a fifth of the mix, while real
# projects use the ~25 builtins for nine tasks in ten.
CAP_PER_COLLECTION_COMMON = 700
# The training mix: one role collection (debops alone gave 21% of rows and ~40% of tokens) must
# not set the style for everyone, and heavily templated tasks teach idioms people do not type.
CAP_PER_ROLE_COLLECTION = 600
MAX_TEMPLATES_IN_TRAIN = 3
SPLITS = ("train", "valid", "test", "realworld")
OUTLINE_REPEAT = 3  # a few hundred outlines among >10k tasks: seen three times per epoch
# Inference shows workspace lines only when it knows where the file lives: some rows go without.
SHARE_WITHOUT_WORKSPACE = 0.3


def _digest(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).encode()).hexdigest()


def _bucket(text: str, buckets: int = 100) -> int:
    return int(_digest(text)[:8], 16) % buckets


def _tier(collection: str) -> str:
    return "ansible.builtin" if collection == "ansible.builtin" else ("common" if collection in COMMON else "other")


def _split_for(source: src.SourceFile, body: str) -> str:
    # Whole real-world files are held out (not single tasks), so the realworld split measures
    # generalisation to files the model never saw.
    if source.kind == "role" and _bucket(source.origin + source.path) < 12:
        return "realworld"
    b = _bucket(body)
    return "test" if b < 4 else ("valid" if b < 7 else "train")


def collect(catalog, from_dirs: list[Path], on_file=None, projects: bool = False):
    """Yield (source, raw_task, fqcn, task_text) for every task that passes the filters; count drops.
    projects: also the real projects registry wheels ship (external.TRAIN_PROJECTS)."""
    drops: Counter = Counter()
    files = list(src.example_sources(catalog)) + list(src.role_sources(catalog))
    if projects:
        files += list(src.project_sources(catalog))
    for folder in from_dirs:
        files += list(src.user_sources(folder))
    kept = []
    for i, source in enumerate(files, 1):
        for raw in src.tasks_of(source):
            reason = drop_reason(raw, catalog)
            if reason:
                drops[reason] += 1
                continue
            key = module_key(raw.data)
            fqcn = catalog.resolve(key)
            kept.append((source, raw, fqcn, fqcn_text(raw, key, fqcn)))
        if on_file:
            on_file(i, len(files))
    return kept, drops, files


def _shown_context(source, raw) -> str:
    """A row's context as inference shows it for the same file: the file above the task, redacted
    and read by the pipeline's own parse (pipeline.prepare: its last tasks, blocks flattened).
    (Before, the same list's earlier tasks: for a task inside a block, or after one, not what the
    model is shown; 164 of the external split's 580 cases differ between the two.)"""
    from codegen.dataset.external import file_above
    from codegen.pipeline import prepare

    return prepare(file_above(source.text.splitlines(keepends=True), raw.line)).context.prompt_text()


def make_examples(kept, rng: random.Random, blocks=None):
    """Dedup, cap per module/collection, assign splits, add user-style requests. blocks: a
    dataset.workspace_rows.WorkspaceBlocks, for the workspace lines of rows from role files."""
    seen: set[str] = set()
    per_module: Counter = Counter()
    per_collection: Counter = Counter()
    rows = defaultdict(list)
    dup = capped = near = 0
    shapes: set[str] = set()
    order = list(range(len(kept)))
    rng.shuffle(order)  # caps keep a random sample, not the alphabetically first
    # user content first: an organisation's own tasks are never capped away
    order.sort(key=lambda i: kept[i][0].kind != "user")
    for i in order:
        source, raw, fqcn, text = kept[i]
        head, _, body = text.partition("\n")
        digest = _digest(body)
        if digest in seen:
            dup += 1
            continue
        seen.add(digest)
        if source.kind == "role":  # the same task written per service (kolla's roles) is one example
            shape = shape_of(body, role_in(source.path))
            if shape in shapes:
                near += 1
                continue
            shapes.add(shape)
        collection = ".".join(fqcn.split(".")[:2])
        tier = _tier(collection)
        split = _split_for(source, body)
        if split == "train" and source.kind != "user":
            if per_module[fqcn] >= CAP_PER_MODULE[tier] or (
                    tier == "other" and per_collection[collection] >= CAP_PER_COLLECTION_OTHER) or (
                    tier == "common" and per_collection[collection] >= CAP_PER_COLLECTION_COMMON):
                capped += 1
                continue
            per_module[fqcn] += 1
            per_collection[collection] += 1
        context = _shown_context(source, raw) if source.kind != "example" else ""
        base = {
            "module": fqcn, "completion": body, "context": context,
            "source": {"kind": source.kind, "collection": source.origin, "version": source.version,
                       "licence": source.licence, "path": source.path, "line": raw.line},
        }
        name = raw.data["name"]
        requests = [(0, name, "name")]
        if split == "train" and tier != "other":
            args = raw.data.get(module_key(raw.data))
            requests += [(j, r, "user") for j, r in enumerate(variants(name, fqcn, args, rng), 1)]
        if split == "train" and (source.kind != "example" or tier != "other") and rng.random() < SHARE_RESTYLED:
            styled = restyle(name, source.path, rng)
            if styled:
                requests.append((len(requests), styled, "styled"))
        for j, request, style in requests:
            row = {**base, "id": f"{digest[:12]}-{j}", "request": request, "style": style}
            block = blocks.block(source, context, request) if blocks is not None else ""
            if block and (split != "train" or source.kind == "user" or rng.random() >= SHARE_WITHOUT_WORKSPACE):
                row["workspace"] = block
            rows[split].append(row)
    return rows, {"duplicates": dup, "capped": capped, "near_duplicates": near}


def training_mix(rows: list[dict]) -> tuple[list[dict], Counter]:
    """Apply the train-only mix rules (never to valid/test/realworld); user content is kept whole."""
    kept, dropped, per_collection = [], Counter(), Counter()
    for row in rows:
        source = row["source"]
        if source["kind"] != "user":
            if row["completion"].count("{{") > MAX_TEMPLATES_IN_TRAIN:
                dropped["heavily templated (train only)"] += 1
                continue
            if source["kind"] == "role":
                if per_collection[source["collection"]] >= CAP_PER_ROLE_COLLECTION:
                    dropped["over the per-role-collection cap (train only)"] += 1
                    continue
                per_collection[source["collection"]] += 1
        kept.append(row)
    return kept, dropped


def data_card(rows, drops, files, stats, from_dirs, real=None, projects=False) -> str:
    lines = ["# Data card", "", "Built by `ansible-codegen dataset build" + ("" if projects else " --no-projects")
             + "".join(f" --from {d}" for d in from_dirs) + " -o DIR`.", "",
             "| split | examples | unique tasks |", "|---|---|---|"]
    for split in SPLITS:
        r = rows.get(split, [])
        lines.append(f"| {split} | {len(r)} | {len({x['completion'] for x in r})} |")
    lines += ["", "## Source files read", ""] + [f"- {k}: {v}" for k, v in sorted(files.items())]
    lines += ["", "## Tasks dropped by filters", ""] + [f"- {k}: {v}" for k, v in drops.most_common()]
    lines += [f"- duplicates (same task text): {stats['duplicates']}",
              f"- near-duplicates (the same role task written per service, by normalised form): "
              f"{stats.get('near_duplicates', 0)}",
              f"- over the per-module / per-collection cap: {stats['capped']}"]
    train = [r for r in rows.get("train", []) if r.get("task") != "outline"]
    outlines = [r for r in rows.get("train", []) if r.get("task") == "outline"]
    lines += ["", f"## Outline examples (train): {len(outlines)}", "",
              "A role's description (tasks/main.yml) or 'FILE ROLE' (other task files) -> the names of its tasks "
              "in order, plumbing (includes, facts, checks) left out; by collection:", ""]
    lines += [f"- {k}: {v}" for k, v in Counter(r["source"]["collection"] for r in outlines).most_common()]
    lines += ["", "## Train examples by source kind and request style", ""]
    lines += [f"- {k}: {v}" for k, v in Counter(f"{r['source']['kind']}/{r['style']}" for r in train).most_common()]
    lines += ["", "## Train examples by project or collection of origin (shares; cap per project)", "",
              "| origin | kind | licence | examples | share |", "|---|---|---|---|---|"]
    origins = Counter((r["source"]["collection"], r["source"]["kind"], r["source"]["licence"]) for r in train)
    lines += [f"| {o} | {k} | {lic} | {n} | {n / max(len(train), 1):.3f} |" for (o, k, lic), n in origins.most_common(30)]
    lines += ["", "## Rows by prompt part (train)", ""]
    lines += [f"- with workspace lines: {sum(1 for r in train if r.get('workspace'))}",
              f"- with retrieved examples: {sum(1 for r in train if r.get('examples') and not r.get('shown'))}",
              f"  - of which some are the workspace's own tasks (how the project already does it): "
              f"{sum(1 for r in train if r.get('workspace_examples'))}",
              f"- with the module's own documentation EXAMPLES: {sum(1 for r in train if r.get('shown'))}",
              f"- with a decorated task name (role | step, rule numbers, period, lower case): "
              f"{sum(1 for r in train if r.get('style') == 'styled')}"]
    if real:
        mix = Counter(r["module"] for r in train)
        total_real, total_mix = sum(real.values()), max(len(train), 1)
        lines += ["", "## Module distribution: the mix beside real projects' role task files (top 25 of the real)",
                  "", "| module | real projects | mix |", "|---|---|---|"]
        lines += [f"| {m} | {n / total_real:.3f} | {mix[m] / total_mix:.3f} |" for m, n in real.most_common(25)]
        top = [m for m, _ in real.most_common(25)]
        lines += [f"| (these 25 together) | {sum(real[m] for m in top) / total_real:.3f} | "
                  f"{sum(mix[m] for m in top) / total_mix:.3f} |"]
    lines += ["", "## Train examples by collection (top 25)", "", "| collection | examples |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in Counter(r["module"].rsplit(".", 1)[0] for r in train).most_common(25)]
    lines += ["", "## Train examples by module (top 40)", "", "| module | examples |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in Counter(r["module"] for r in train).most_common(40)]
    lines += ["", "## Filters", "",
              "- name missing, templated, under 2 words, or not the first single-line key",
              "- more than 40 lines; placeholder values (`<...>`, `your_own_value`, `XXXX`, `CHANGEME`)",
              "- module call missing, ambiguous, not in the catalog, or deprecated",
              "- unknown option, invalid choice, missing required option, free-form `k=v` arguments",
              f"- caps on training examples: {CAP_PER_MODULE} per module; {CAP_PER_COLLECTION_OTHER} per "
              f"non-common collection, {CAP_PER_COLLECTION_COMMON} per common one; user content (--from) is never capped",
              "- splits: realworld holds out ~12% of whole role task files; test/valid are ~4%/3% of the "
              "remaining tasks by a hash of the task text, so the same task text never lands in two splits",
              "- user-style requests (lower-case imperative, from the name and from the arguments) are added to "
              "train examples of ansible.builtin and common sysadmin collections",
              f"- training mix (train split only): tasks with more than {MAX_TEMPLATES_IN_TRAIN} Jinja expressions "
              f"dropped; at most {CAP_PER_ROLE_COLLECTION} examples from any one collection's roles",
              "- retrieved examples (train only): about half the rows carry the two most similar other training "
              "examples (not their own task, not from their own file) in the prompt, as `--retrieval` shows them; "
              "ansible.builtin rows appear twice, once with and once without", ""]
    return "\n".join(lines)


def build_dataset(catalog, out: Path, from_dirs: list[Path] | None = None, on_file=None,
                  projects: bool = False) -> dict:
    from_dirs = from_dirs or []
    rng = random.Random(SEED)
    kept, drops, files = collect(catalog, from_dirs, on_file, projects)
    from codegen.dataset.workspace_rows import WorkspaceBlocks

    roots = src.roots(catalog, from_dirs, projects)
    blocks = WorkspaceBlocks(roots)
    rows, stats = make_examples(kept, rng, blocks)
    outlines = outline_rows(files, _split_for, roots)
    real = Counter(r["module"] for r in rows["train"] if r["source"]["kind"] != "example" and r["style"] == "name")
    rng.shuffle(rows["train"])  # the cap keeps a random sample of each role collection
    rows["train"], mix_drops = training_mix(rows["train"])
    rows["train"] = with_examples(rows["train"], rng, catalog, blocks) + outlines * OUTLINE_REPEAT
    rng.shuffle(rows["train"])
    drops.update(mix_drops)
    with staged_dir(out) as tmp:
        for split in SPLITS:
            items = rows.get(split, [])
            with open(tmp / f"{split}.jsonl", "w") as fh:
                for row in items:
                    fh.write(json.dumps(row) + "\n")
        (tmp / "DATA_CARD.md").write_text(data_card(rows, drops, Counter(f.kind for f in files), stats, from_dirs,
                                                    real, projects))
    return {split: len(rows.get(split, [])) for split in SPLITS}
