"""The language server: pygls over stdio, the model on its own thread (the LSP methods it answers
are in codegen/lsp/features.py).

Threads:
  event loop   reads and answers messages; hovers, cursor analysis and code action lists run here
               (they only read lines), so they answer while a generation is running
  model        one worker: loads the model once at start, then runs generations one at a time;
               each polls a `cancelled` callable at every decoding step, true when the request was
               cancelled ($/cancelRequest), its document got a newer version, or the server stops
  checks       one worker: loads the catalog and warms ansible-lint at start, then runs the
               (debounced) diagnostics of opened/saved documents and "Explain this task" parses

  parse        one worker: the YAML parses of "Explain this task" and code actions, each given at
               most PARSE_SECONDS (a hostile document cannot hold the event loop, nor the checks)

Any failure inside a feature gives its empty result (logged), never a crash; unknown methods get
pygls's MethodNotFound error; a generation overtaken by an edit gets ContentModified, a cancelled
one RequestCancelled; bad params, requests after shutdown and non-JSON get their JSON-RPC errors
(codegen.lsp.protocol). A document over MAX_CHARS gets no suggestions, diagnostics or parses, one
over MAX_CHECK_CHARS no diagnostics (codegen.lsp.document); the server says so once per document.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified, JsonRpcParseError
from pygls.lsp.server import LanguageServer

from codegen.lsp.document import MAX_CHARS, MAX_CHECK_CHARS, clean_text, find_target, split_lines, task_at
from codegen.lsp.protocol import CodegenProtocol
from codegen.lsp.suggest import Cancelled, Suggestion, VALIDATION_LOCK

log = logging.getLogger("codegen.lsp")

CMD_GENERATE = "ansible-codegen.generateTask"
CMD_EXPLAIN = "ansible-codegen.explainTask"
SOURCE = "ansible-codegen"
PARSE_SECONDS = 5.0  # a parse for a code action or "Explain" that takes longer gives no answer
CHECKS_DEFER_S = 2.0  # the longest a document's diagnostics give way to a suggestion in flight


@dataclass
class Options:
    base: str | None = None
    adapter: str | None = "default"
    lint: bool = True
    backend_script: str | None = None  # test-only scripted backend (codegen.backends.scripted)
    debounce: float = 0.3  # seconds between open/save and its diagnostics run
    max_new_tokens: int = 200


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("ansible-codegen")
    except Exception:  # noqa: BLE001
        return "0"


def build_backend(options: Options):
    if options.backend_script:
        from codegen.backends.scripted import ScriptedBackend

        return ScriptedBackend.from_file(options.backend_script)
    from codegen.backends.local import LocalBackend

    return LocalBackend(base=options.base, adapter=options.adapter, max_new_tokens=options.max_new_tokens)


class _QuietExpectedErrors(logging.Filter):
    """pygls logs a traceback for every error response; a ContentModified is routine, not an error,
    and a message that is not JSON is the client's fault: one line, no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, JsonRpcContentModified):
            return False
        if isinstance(exc, (ValueError, RecursionError)):
            record.msg, record.args = f"{record.getMessage()}: {exc.__class__.__name__}: {str(exc)[:200]}", None
            record.exc_info = record.exc_text = None
        return True


class CodegenServer(LanguageServer):
    def __init__(self, options: Options):
        super().__init__("ansible-codegen", _version(), text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         protocol_cls=CodegenProtocol)
        self.options = options
        self.versions: dict[str, int | None] = {}  # open documents -> their latest version
        self._said_too_big: set[tuple[str, str]] = set()  # (uri, what): each cap is announced once per document
        self.stopping = False
        self._pending_checks: dict[str, asyncio.Task] = {}
        self._generating = 0  # suggestions in flight (event loop only): diagnostics wait a little for them
        self._model_error_shown = False
        # torch must be imported before ansible: ansible replaces sys.intern, which torch._dynamo's
        # import rejects. The model thread imports it first; the checks wait for that.
        self.torch_ready = threading.Event()
        if options.backend_script:
            self.torch_ready.set()
        self.model_pool = ThreadPoolExecutor(1, thread_name_prefix="codegen-model")
        self.check_pool = ThreadPoolExecutor(1, thread_name_prefix="codegen-checks")
        self.parse_pool = ThreadPoolExecutor(1, thread_name_prefix="codegen-parse")
        self.catalog_future: Future = self.check_pool.submit(self._load_catalog)
        self.suggester_future: Future = self.model_pool.submit(self._load_suggester)
        self.check_pool.submit(self._warm_checks)
        for name in ("pygls.protocol.json_rpc", "pygls.server", "pygls.io_"):
            logging.getLogger(name).addFilter(_QuietExpectedErrors())

    def report_server_error(self, error: Exception, source) -> None:
        """A message body that is not JSON: JSON-RPC's ParseError (id null); the rest as pygls does."""
        if isinstance(error, (ValueError, RecursionError)):  # JSONDecodeError, UnicodeDecodeError, nesting
            self.protocol._send_response(None, None, JsonRpcParseError(
                message=f"Parse error: {error.__class__.__name__}: {str(error)[:200]}").to_response_error())
            return
        super().report_server_error(error, source)

    # --- start-up (worker threads) ---

    def _load_catalog(self):
        from codegen.catalog import load_catalog

        started = time.perf_counter()
        catalog = load_catalog(quiet=True)
        log.info("catalog: %d modules in %.1f s", len(catalog), time.perf_counter() - started)
        return catalog

    def _load_suggester(self):
        from codegen.lsp.suggest import Suggester

        started = time.perf_counter()
        try:
            if not self.torch_ready.is_set():
                import torch  # noqa: F401
                import torch._dynamo  # noqa: F401
        finally:
            self.torch_ready.set()
        catalog = self.catalog_future.result()
        suggester = Suggester(build_backend(self.options), catalog, lint=self.options.lint,
                              constrain=not self.options.backend_script)
        suggester.warm()
        log.info("model ready in %.1f s", time.perf_counter() - started)
        return suggester

    def _warm_checks(self) -> None:
        from codegen.validate import warm_up

        try:
            self.torch_ready.wait()
            catalog = self.catalog_future.result()
            with VALIDATION_LOCK:
                warm_up(catalog, lint=self.options.lint)
        except Exception:  # noqa: BLE001 - the first real check will report it
            log.exception("warming the checks failed")

    async def catalog(self):
        return await asyncio.wrap_future(self.catalog_future)

    # --- helpers (event loop) ---

    def snapshot(self, uri: str) -> tuple[str, int | None] | None:
        """(text, version) of a document: the open copy, else the file on disk; None if unreadable."""
        try:
            doc = self.workspace.get_text_document(uri)
            return clean_text(doc.source), doc.version
        except Exception:  # noqa: BLE001 - a URI we cannot read
            return None

    def to_index(self, line_text: str, units: int) -> int:
        codec = self.workspace.position_codec
        return codec.position_from_client_units([line_text], types.Position(0, units)).character

    def to_units(self, line_text: str, index: int) -> int:
        return self.workspace.position_codec.client_num_units(line_text[:index])

    def line_range(self, line_text: str, line: int, start: int, end: int) -> types.Range:
        return types.Range(types.Position(line, self.to_units(line_text, start)),
                           types.Position(line, self.to_units(line_text, end)))

    def markdown_ok(self, *path: str) -> bool:
        """Does the client take Markdown where `path` (e.g. "hover", "content_format") says?"""
        found = getattr(self.client_capabilities, "text_document", None)
        for name in path:
            found = getattr(found, name, None)
        return found is None or types.MarkupKind.Markdown in found

    def log_to_client(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # noqa: BLE001 - the client is gone
            pass

    def too_big(self, uri: str, text: str, limit: int = MAX_CHARS) -> bool:
        """Is the document over a cap? The first time, tell the user what it costs them."""
        if len(text) <= limit:
            return False
        what = "suggestions, diagnostics or task parses" if limit == MAX_CHARS else "diagnostics"
        if (uri, what) not in self._said_too_big:
            self._said_too_big.add((uri, what))
            name = uri.rsplit("/", 1)[-1]
            self.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Warning,
                message=f"ansible-codegen: {name} has {len(text)} characters, over the cap of {limit}: "
                        f"no {what} for it"))
        return True

    async def target_at(self, uri: str, position: types.Position):
        """(target, lines, version) for a cursor position, or None."""
        snap = self.snapshot(uri)
        if snap is None or self.too_big(uri, snap[0]):
            return None
        text, version = snap
        lines = split_lines(text)
        if not 0 <= position.line < len(lines):
            return None
        catalog = await self.catalog()
        character = self.to_index(lines[position.line], position.character)
        target = find_target(text, position.line, character, uri, catalog.resolve)
        return (target, lines, version) if target is not None else None

    # --- generation ---

    async def generate(self, target, uri: str, version: int | None, what: str, progress=None) -> Suggestion:
        """Run the model for a target on the model thread; stop it if the request or document moves on.
        progress: the client's work-done token: the task's first line (its module) is reported on it
        as soon as it is written. LSP 3.18 gives an inline completion no partial result, so this is
        how a client that shows progress sees the suggestion begin before it is whole."""
        loop = asyncio.get_running_loop()
        stop = threading.Event()

        def cancelled() -> bool:
            return stop.is_set() or self.stopping or (uri in self.versions and self.versions[uri] != version)

        on_line = None
        if progress is not None:
            self.work_done_progress.begin(progress, types.WorkDoneProgressBegin(
                title="ansible-codegen", message=f"writing {target.label}"))

            def on_line(index: int, line: str) -> None:  # on the model thread
                where = f"task {index + 1} of {len(target.requests)}: " if len(target.requests) > 1 else ""
                self._call_soon(loop, self.work_done_progress.report, progress,
                                types.WorkDoneProgressReport(message=where + line))

        started = time.perf_counter()
        job = self.model_pool.submit(self._suggest_job, target, cancelled, on_line)
        job.add_done_callback(lambda f: self._call_soon(loop, self._report, f, target, what, started, stop))
        self._generating += 1
        try:
            return await asyncio.wrap_future(job)
        except asyncio.CancelledError:
            stop.set()
            raise
        except Cancelled as exc:
            raise JsonRpcContentModified(f"{uri} changed while its suggestion was being generated") from exc
        finally:
            self._generating -= 1
            if progress is not None:
                self.work_done_progress.end(progress, types.WorkDoneProgressEnd())
                self.work_done_progress.tokens.pop(progress, None)  # pygls keeps each token begun

    @staticmethod
    def _call_soon(loop, func, *args) -> None:
        try:
            loop.call_soon_threadsafe(func, *args)
        except RuntimeError:  # the loop is closed: shutting down
            pass

    def _suggest_job(self, target, cancelled, on_line=None) -> Suggestion:
        from codegen.lsp.suggest import prepare_context

        if cancelled():
            raise Cancelled(0.0, 0)
        suggester = self.suggester_future.result()
        prepared = prepare_context(target, suggester.pipeline.workspaces, self.folder_of(target.uri))
        return suggester.suggest(target.requests, prepared, cancelled, on_line)

    def folder_of(self, uri: str) -> str | None:
        """The editor's workspace folder holding the document (the innermost), as the workspace root."""
        from codegen.lsp.document import path_of

        path = path_of(uri)
        uris = [f.uri for f in self.workspace.folders.values()] + [self.workspace.root_uri or ""]
        folders = [path_of(u) for u in uris] if path is not None else []
        inside = [f for f in folders if f is not None and f in path.parents]
        return str(max(inside, key=lambda f: len(f.parts))) if inside else None

    def forget_file(self, uri: str) -> None:
        """A workspace file changed on disk: the next suggestion reads it again."""
        from codegen.lsp.document import path_of

        path = path_of(uri)
        if path is not None and self.suggester_future.done() and not self.suggester_future.exception():
            reader = self.suggester_future.result().pipeline.workspaces
            if reader is not None:
                reader.forget(path)

    def _report(self, job: Future, target, what: str, started: float, stop: threading.Event) -> None:
        elapsed = time.perf_counter() - started
        label = target.label
        if job.cancelled():
            self.log_to_client(f"{what} {label!r}: dropped before it started (request cancelled)")
            return
        exc = job.exception()
        if isinstance(exc, Cancelled):
            reason = "request cancelled" if stop.is_set() else "server stopping" if self.stopping else "document changed"
            self.log_to_client(f"{what} {label!r}: generation stopped early ({reason}) after {elapsed:.2f} s, "
                               f"{exc.tokens} tokens")
        elif exc is not None:
            self.log_to_client(f"{what} {label!r}: failed: {exc}", types.MessageType.Error)
            if self.suggester_future.done() and self.suggester_future.exception() is exc and not self._model_error_shown:
                self._model_error_shown = True
                self.window_show_message(types.ShowMessageParams(
                    type=types.MessageType.Error, message=f"ansible-codegen: the model could not be loaded: {exc}"))
        elif job.result().tasks:
            result = job.result()
            dropped = [p for p in result.problems if " dropped: " in p or p.startswith("error")]
            self.log_to_client(f"{what} {label!r}: {', '.join(result.modules)} in {elapsed:.2f} s"
                               + (" (cached)" if result.cached else f" (generation {result.seconds:.2f} s)")
                               + (f"; left out: {'; '.join(dropped)[:300]}" if dropped else ""))
        else:
            problems = "; ".join(job.result().problems)[:500] or "nothing generated"
            self.log_to_client(f"{what} {label!r}: no valid task in {elapsed:.2f} s: {problems}",
                               types.MessageType.Warning)

    async def suggestion_edit(self, uri: str, position: types.Position, what: str, progress=None):
        """(new_text, range, suggestion, lines) for the cursor, or None. progress: as for generate."""
        found = await self.target_at(uri, position)
        if found is None:
            return None
        target, lines, version = found
        suggestion = await self.generate(target, uri, version, what, progress)
        if not suggestion.tasks:
            return None
        new_text, start, end = target.edit(suggestion.tasks, lines[target.line])
        return new_text, self.line_range(lines[target.line], target.line, start, end), suggestion, lines

    # --- diagnostics ---

    def schedule_check(self, uri: str) -> None:
        pending = self._pending_checks.pop(uri, None)
        if pending is not None:
            pending.cancel()
        self._pending_checks[uri] = asyncio.ensure_future(self._check_later(uri))

    async def _check_later(self, uri: str) -> None:
        from codegen.lsp.diagnostics import check_document

        await asyncio.sleep(self.options.debounce)
        # A suggestion is what the person waits for: a document's checks (ansible-lint on all of it, on
        # the same cores and under the lock the suggestion's own validation takes) give way to one in
        # flight for up to CHECKS_DEFER_S, most suggestions' time; longer would keep diagnostics waiting
        # behind a slow one. On the language-server bench this took p50 from 1.95 s to 1.7 s.
        deferred = 0.0
        while self._generating and deferred < CHECKS_DEFER_S and not self.stopping:
            await asyncio.sleep(0.05)
            deferred += 0.05
        snap = self.snapshot(uri)
        if snap is None:
            return
        text, version = snap
        if self.too_big(uri, text) or self.too_big(uri, text, MAX_CHECK_CHARS):
            if self._pending_checks.get(uri) is asyncio.current_task():
                del self._pending_checks[uri]
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[],
                                                                                  version=version))
            return
        try:
            catalog = await self.catalog()
            loop = asyncio.get_running_loop()
            problems = await loop.run_in_executor(self.check_pool, check_document, text, catalog, self.options.lint, uri)
        except asyncio.CancelledError:
            raise
        except RecursionError:  # a block that aliases itself: the document's fault, not a bug
            # (the shared loader refuses recursive aliases; a safety net for any other endless nesting)
            log.warning("diagnostics for %s: the document nests without end (a recursive alias?)", uri)
            self.log_to_client(f"diagnostics for {uri}: the YAML nests without end (a recursive alias?)",
                               types.MessageType.Warning)
            return
        except Exception as exc:  # noqa: BLE001 - no diagnostics rather than a crash
            log.exception("diagnostics for %s failed", uri)
            self.log_to_client(f"diagnostics for {uri} failed: {exc}", types.MessageType.Error)
            return
        if self._pending_checks.get(uri) is asyncio.current_task():
            del self._pending_checks[uri]
        if uri not in self.versions:
            return  # closed meanwhile
        lines = split_lines(text)
        diagnostics = []
        for problem in problems:
            line_text = lines[problem.line] if problem.line < len(lines) else ""
            start = problem.column if problem.column is not None else len(line_text) - len(line_text.lstrip())
            end = len(line_text) if len(line_text) > start else start
            diagnostics.append(types.Diagnostic(
                range=self.line_range(line_text, problem.line, start, end), message=problem.message,
                severity=types.DiagnosticSeverity.Error if problem.level == "error" else types.DiagnosticSeverity.Warning,
                source=SOURCE, code=problem.check))
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics,
                                                                              version=version))

    def clear_check(self, uri: str) -> None:
        pending = self._pending_checks.pop(uri, None)
        if pending is not None:
            pending.cancel()
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    async def task_at(self, uri: str, line: int):
        """The task on a line, parsed off the event loop, or None (also when the parse takes over
        PARSE_SECONDS: it finishes on its thread, unheeded)."""
        snap = self.snapshot(uri)
        if snap is None or self.too_big(uri, snap[0]):
            return None
        catalog = await self.catalog()
        loop = asyncio.get_running_loop()
        job = loop.run_in_executor(self.parse_pool, task_at, snap[0], line, uri, catalog.resolve)
        try:
            return await asyncio.wait_for(job, PARSE_SECONDS)
        except asyncio.TimeoutError:
            log.warning("parsing %s took over %.0f s: no task there", uri, PARSE_SECONDS)
            self.log_to_client(f"parsing {uri} took over {PARSE_SECONDS:.0f} s: given up", types.MessageType.Warning)
            return None

    def shutdown(self) -> None:  # pygls: the connection ended (exit, or the client went away)
        self.close()
        super().shutdown()

    def close(self) -> None:
        self.stopping = True
        for pending in list(self._pending_checks.values()):
            try:
                pending.cancel()
            except RuntimeError:  # its loop is already closed
                pass
        for pool in (self.model_pool, self.check_pool, self.parse_pool):
            pool.shutdown(wait=False, cancel_futures=True)
