"""`bench --prompts FILE --lsp`: the language server as an editor meets it.

Per run, `ansible-codegen lsp` is started as a new process and driven over stdio by a real LSP
client (pygls's): initialize, then for each request of FILE (batch JSONL with "context", as
eval/bench/realistic.jsonl) an unsaved document is opened holding the file's text and the
request's `- name:` line, and an inline suggestion is asked at the end of that line, as an editor
asks when the person stops typing. After the answer the bench waits for the document's
diagnostics (the server runs them once no suggestion is being generated), as a person reads a
suggestion and types the next name, then closes the document. Figures per run: the first
suggestion after start-up (from spawning the process: model load and warm-up count), then
p50/p95/max of the others, and how many came back with a task. Each is the median over runs.
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import time

from codegen.bench.realistic import percentile


DIAGNOSTICS_WAIT_S = 30.0


def _document(case: dict) -> tuple[str, int, int]:
    """The document's text and the position at the end of its `- name:` line, typed where the
    task sits in its file (`indent`: inside a block, a play's tasks), as the person would."""
    context = case.get("context") or ""
    if context and not context.endswith("\n"):
        context += "\n"
    name = " " * int(case.get("indent") or 0) + f"- name: {case['prompt']}"
    text = context + name + "\n"
    return text, context.count("\n"), len(name)


async def _session(command: list[str], cases: list[dict]) -> dict:
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("codegen-bench", "1")
    published: dict[str, asyncio.Event] = {}
    client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(
        lambda params: published.setdefault(params.uri, asyncio.Event()).set())
    client.feature(types.WINDOW_LOG_MESSAGE)(lambda params: None)
    client.feature(types.WINDOW_SHOW_MESSAGE)(lambda params: None)
    started = time.perf_counter()
    await client.start_io(*command)
    capabilities = types.ClientCapabilities(text_document=types.TextDocumentClientCapabilities(
        inline_completion=types.InlineCompletionClientCapabilities()))
    await client.initialize_async(types.InitializeParams(capabilities=capabilities, root_uri=None))
    client.initialized(types.InitializedParams())
    seconds, answered, answers = [], 0, []
    first = None
    try:
        for number, case in enumerate(cases):
            text, line, column = _document(case)
            # an unsaved buffer: the server reads no workspace around it, as `bench --prompts` reads none
            # (the requests come without their projects; files side by side would read as one project)
            uri = f"untitled:request-{number}.yml"
            client.text_document_did_open(types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="ansible", version=1, text=text)))
            asked = time.perf_counter()
            result = await client.text_document_inline_completion_async(types.InlineCompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=column),
                context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Automatic)))
            done = time.perf_counter()
            items = result.items if hasattr(result, "items") else (result or [])
            answered += bool(items)
            answers.append(items[0].insert_text if items else "")
            if first is None:
                first = done - started
            else:
                seconds.append(done - asked)
            # the document's diagnostics come after its suggestion (the server defers them); an editor
            # shows them while the person reads the suggestion and types the next name: wait for them,
            # so that one request's checks do not run into the next request's suggestion
            try:
                await asyncio.wait_for(published.setdefault(uri, asyncio.Event()).wait(), DIAGNOSTICS_WAIT_S)
            except asyncio.TimeoutError:
                pass
            client.text_document_did_close(types.DidCloseTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=uri)))
    finally:
        try:
            await asyncio.wait_for(client.shutdown_async(None), 30)
            client.exit(None)
        finally:
            await client.stop()
    return {"first_suggestion": first, "seconds": seconds, "answered": answered, "requests": len(cases),
            "answers": answers}


def run_lsp_bench(cases: list[dict], runs: int, model_args: list[str], log=lambda message: None) -> dict:
    """Each run a new server; the figures of every run and their medians."""
    command = [sys.executable, "-m", "codegen.cli", "lsp", *model_args]
    results = []
    for run in range(runs):
        log(f"language server run {run + 1}/{runs}")
        results.append(asyncio.run(_session(command, cases)))
    summary = {
        "first_suggestion": statistics.median(r["first_suggestion"] for r in results),
        "p50": statistics.median(percentile(r["seconds"], 0.5) for r in results),
        "p95": statistics.median(percentile(r["seconds"], 0.95) for r in results),
        "max": statistics.median(max(r["seconds"]) for r in results),
        "answered": statistics.median(r["answered"] for r in results),
        "requests": len(cases),
    }
    return {"summary": summary, "runs": results}
