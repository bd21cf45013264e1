"""Our decoding speed-ups, each on vs off on one loaded model.
"""
from __future__ import annotations

from codegen.bench.common import Log, REFERENCE_TASKS, Settings, skipped, stats
from codegen.bench.warm import WarmRun


SPEEDUP_CONTEXT = "".join(REFERENCE_TASKS)  # the file the requests go into, as in the language server


def speedup_figures(settings: Settings, catalog, log: Log) -> dict:
    """Prompt-lookup decoding and the prefix cache, each on vs off, on one loaded model.

    The requests go into one file (SPEEDUP_CONTEXT), as consecutive language-server requests
    do, with the schema constraint the pipeline uses. For each request the off and on variants
    run back to back (order alternating), so the background load hits both alike; a run is one
    pass over the requests. Prompt lookup is measured with the prefix cache off, the prefix
    cache with prompt lookup off. Outputs on and off are compared token for token.
    """
    from codegen.backends.local import LocalBackend
    from codegen.grounding.decoding import SchemaConstraint
    from codegen.grounding.schema import SchemaChecker
    from codegen.pipeline import prepare
    from codegen.prompt import render_task_prompt

    backend = LocalBackend(base=settings.base, adapter=settings.adapter, max_new_tokens=settings.max_new_tokens)
    log("loading our model for the speed-up figures")
    generator = backend.load()
    if not generator.rollback:
        reason = "this model's KV cache cannot be cut back: prompt lookup and the prefix cache are off for it"
        return {"prompt_lookup_decode_tok_s": skipped(reason), "prefix_cache_first_token_s": skipped(reason)}
    ctx = prepare(SPEEDUP_CONTEXT).context
    prompts = [render_task_prompt(r, ctx.prompt_text()) for r in settings.prompts]
    pairs = {"lookup": (generator.variant(lookup=False, prefix_cache=False),
                        generator.variant(lookup=True, prefix_cache=False)),
             "prefix": (generator.variant(lookup=False, prefix_cache=False),
                        generator.variant(lookup=False, prefix_cache=True))}
    same = {name: [0, 0] for name in pairs}
    drafted = accepted = 0

    def one_pass(items: list[str], flip: int) -> dict:
        nonlocal drafted, accepted
        result = {}
        for name, variants in pairs.items():
            timing = {False: WarmRun([], []), True: WarmRun([], [])}
            for i, prompt in enumerate(items):
                order = (False, True) if (i + flip) % 2 == 0 else (True, False)
                texts = {}
                for on in order:
                    generation = variants[on].generate(prompt, constraint=SchemaConstraint(SchemaChecker(catalog)))
                    texts[on] = generation.text
                    run = timing[on]
                    run.latencies.append(generation.seconds)
                    run.first_token.append(generation.first_token_seconds)
                    run.add_decode(generation.new_tokens, generation.seconds, generation.first_token_seconds)
                    if on and name == "lookup":
                        drafted, accepted = drafted + generation.drafted, accepted + generation.accepted
                same[name][0] += texts[True] == texts[False]
                same[name][1] += 1
            result[name] = {on: timing[on].summary() for on in timing}
        return result

    for i in range(settings.warmup):
        log(f"speed-ups on/off: warm-up {i + 1}/{settings.warmup}")
        one_pass(prompts[:2], i)
    same = {name: [0, 0] for name in pairs}  # counted over the measured runs only
    drafted = accepted = 0
    runs = []
    for i in range(settings.runs):
        log(f"speed-ups on/off: run {i + 1}/{settings.runs}")
        runs.append(one_pass(prompts, i))

    def pick(name: str, on: bool, key: str, digits: int = 4) -> dict:
        return stats([r[name][on][key] for r in runs], digits)

    common = (f"{len(prompts)} requests into one file ({len(REFERENCE_TASKS)} tasks of context), schema-guided; "
              "off and on back to back per request, in alternating order")
    return {
        "prompt_lookup_decode_tok_s": {
            "unit": "tok/s", "better": "higher",
            "description": f"decoding speed after the first token with prompt-lookup decoding (drafts of up to "
                           f"{generator.draft_tokens} tokens verified in one forward pass); {common}",
            "ours": pick("lookup", True, "decode", 2),
            "baselines": {"lookup_off": pick("lookup", False, "decode", 2)},
            "baseline_notes": {"lookup_off": "the same loaded model and requests, one forward pass per token"},
            "latency_s": {"on": pick("lookup", True, "p50"), "off": pick("lookup", False, "p50")},
            "drafted": drafted, "accepted": accepted,
            "identical_outputs": f"{same['lookup'][0]}/{same['lookup'][1]}",
        },
        "prefix_cache_first_token_s": {
            "unit": "s", "better": "lower",
            "description": f"time to first token when the previous request's prompt (same file context) is "
                           f"cached: only the tokens after the common prefix are run; {common}",
            "ours": pick("prefix", True, "ttft"),
            "baselines": {"prefix_cache_off": pick("prefix", False, "ttft")},
            "baseline_notes": {"prefix_cache_off": "the same loaded model and requests, the whole prompt run each time"},
            "identical_outputs": f"{same['prefix'][0]}/{same['prefix'][1]}",
        },
    }
