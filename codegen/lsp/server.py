"""The language server: pygls over stdio, the model on its own thread.

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
import functools
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified, JsonRpcException, JsonRpcParseError
from pygls.lsp.server import LanguageServer

from codegen.lsp.document import MAX_CHARS, MAX_CHECK_CHARS, clean_text, find_target, split_lines, task_at
from codegen.lsp.protocol import CodegenProtocol
from codegen.lsp.suggest import Cancelled, Suggestion, VALIDATION_LOCK

log = logging.getLogger("codegen.lsp")

CMD_GENERATE = "ansible-codegen.generateTask"
CMD_EXPLAIN = "ansible-codegen.explainTask"
SOURCE = "ansible-codegen"
PARSE_SECONDS = 5.0  # a parse for a code action or "Explain" that takes longer gives no answer


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
        from codegen.validate import validate_tasks

        try:
            self.torch_ready.wait()
            catalog = self.catalog_future.result()
            with VALIDATION_LOCK:
                validate_tasks("- name: Warm up\n  ansible.builtin.debug:\n    msg: ready\n", catalog, lint=self.options.lint)
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

    async def generate(self, target, uri: str, version: int | None, what: str) -> Suggestion:
        """Run the model for a target on the model thread; stop it if the request or document moves on."""
        loop = asyncio.get_running_loop()
        stop = threading.Event()

        def cancelled() -> bool:
            return stop.is_set() or self.stopping or (uri in self.versions and self.versions[uri] != version)

        started = time.perf_counter()
        job = self.model_pool.submit(self._suggest_job, target, cancelled)
        job.add_done_callback(lambda f: self._call_soon(loop, self._report, f, target, what, started, stop))
        try:
            return await asyncio.wrap_future(job)
        except asyncio.CancelledError:
            stop.set()
            raise
        except Cancelled as exc:
            raise JsonRpcContentModified(f"{uri} changed while its suggestion was being generated") from exc

    @staticmethod
    def _call_soon(loop, func, *args) -> None:
        try:
            loop.call_soon_threadsafe(func, *args)
        except RuntimeError:  # the loop is closed: shutting down
            pass

    def _suggest_job(self, target, cancelled) -> Suggestion:
        from codegen.lsp.suggest import prepare_context

        if cancelled():
            raise Cancelled(0.0, 0)
        suggester = self.suggester_future.result()
        prepared = prepare_context(target, suggester.pipeline.workspaces, self.folder_of(target.uri))
        return suggester.suggest(target.requests, prepared, cancelled)

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

    async def suggestion_edit(self, uri: str, position: types.Position, what: str):
        """(new_text, range, suggestion, lines) for the cursor, or None."""
        found = await self.target_at(uri, position)
        if found is None:
            return None
        target, lines, version = found
        suggestion = await self.generate(target, uri, version, what)
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


def _safe(default):
    """A feature that fails answers `default()` (and logs) instead of an internal error; protocol
    errors (ContentModified) and cancellation pass through."""

    def wrap(func):
        @functools.wraps(func)
        async def wrapper(ls, *args, **kwargs):
            try:
                return await func(ls, *args, **kwargs)
            except (asyncio.CancelledError, JsonRpcException):
                raise
            except Exception as exc:  # noqa: BLE001
                log.exception("%s failed", func.__name__)
                ls.log_to_client(f"{func.__name__} failed: {exc}", types.MessageType.Error)
                return default()

        return wrapper

    return wrap


def make_server(options: Options) -> CodegenServer:
    server = CodegenServer(options)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CodegenServer, params: types.DidOpenTextDocumentParams):
        ls.versions[params.text_document.uri] = params.text_document.version
        ls.schedule_check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CodegenServer, params: types.DidChangeTextDocumentParams):
        ls.versions[params.text_document.uri] = params.text_document.version

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: CodegenServer, params: types.DidSaveTextDocumentParams):
        ls.schedule_check(params.text_document.uri)
        ls.forget_file(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: CodegenServer, params: types.DidChangeWatchedFilesParams):
        for change in params.changes:  # a vars, handlers or template file changed outside the editor
            ls.forget_file(change.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CodegenServer, params: types.DidCloseTextDocumentParams):
        ls.versions.pop(params.text_document.uri, None)
        ls.clear_check(params.text_document.uri)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: CodegenServer, *args):
        ls.close()

    @server.feature(types.EXIT)
    def exit_(ls: CodegenServer, *args):
        ls.close()

    @server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    @_safe(lambda: types.InlineCompletionList(items=[]))
    async def inline_completion(ls: CodegenServer, params: types.InlineCompletionParams):
        found = await ls.suggestion_edit(params.text_document.uri, params.position, "inline completion")
        if found is None:
            return types.InlineCompletionList(items=[])
        new_text, rng, suggestion, _ = found
        return types.InlineCompletionList(items=[types.InlineCompletionItem(insert_text=new_text, range=rng)])

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(resolve_provider=False))
    @_safe(lambda: types.CompletionList(is_incomplete=False, items=[]))
    async def completion(ls: CodegenServer, params: types.CompletionParams):
        found = await ls.suggestion_edit(params.text_document.uri, params.position, "completion")
        if found is None:
            return types.CompletionList(is_incomplete=False, items=[])
        new_text, rng, suggestion, lines = found
        line_text = lines[params.position.line]
        typed = line_text[ls.to_index(line_text, rng.start.character):ls.to_index(line_text, params.position.character)]
        item = types.CompletionItem(
            label=", ".join(suggestion.modules) or "task",
            kind=types.CompletionItemKind.Snippet,
            detail=f"{SOURCE}: generated for {' & '.join(suggestion.requests)}",
            documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=f"```yaml\n{suggestion.yaml}```")
            if ls.markdown_ok("completion", "completion_item", "documentation_format") else suggestion.yaml,
            # Clients filter by the text typed before the cursor (the range start's prefix, or the word
            # under the cursor, e.g. "nginx"): both are in here.
            filter_text=typed + " ".join(suggestion.requests) + " " + (", ".join(suggestion.modules) or "task"),
            sort_text="0",
            insert_text_format=types.InsertTextFormat.PlainText,
            text_edit=types.TextEdit(range=rng, new_text=new_text))
        return types.CompletionList(is_incomplete=False, items=[item])

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @_safe(lambda: None)
    async def hover(ls: CodegenServer, params: types.HoverParams):
        from codegen.lsp.hover import hover_at

        snap = ls.snapshot(params.text_document.uri)
        if snap is None:
            return None
        lines = split_lines(snap[0])
        line = params.position.line
        if not 0 <= line < len(lines):
            return None
        catalog = await ls.catalog()
        found = hover_at(lines, line, ls.to_index(lines[line], params.position.character), catalog)
        if found is None:
            return None
        markdown, start, end = found
        kind = types.MarkupKind.Markdown if ls.markdown_ok("hover", "content_format") else types.MarkupKind.PlainText
        return types.Hover(contents=types.MarkupContent(kind=kind, value=markdown),
                           range=ls.line_range(lines[line], line, start, end))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.RefactorRewrite, types.CodeActionKind.Empty]))
    @_safe(lambda: [])
    async def code_action(ls: CodegenServer, params: types.CodeActionParams):
        uri, line = params.text_document.uri, params.range.start.line
        snap = ls.snapshot(uri)
        if snap is None or ls.too_big(uri, snap[0]):
            return []
        lines = split_lines(snap[0])
        if not 0 <= line < len(lines):
            return []
        found = await ls.target_at(uri, types.Position(line, ls.to_units(lines[line], len(lines[line]))))
        offered: list[tuple[str, str, str, list]] = []  # (title, kind, command, arguments)
        if found is not None:
            target = found[0]
            title = "Generate task from its name" if target.kind == "task" else "Generate tasks from this comment"
            offered.append((title, types.CodeActionKind.RefactorRewrite, CMD_GENERATE, [uri, target.anchor]))
        raw = await ls.task_at(uri, line)
        if raw is not None:
            offered.append(("Explain this task", types.CodeActionKind.Empty, CMD_EXPLAIN, [uri, raw.line - 1]))
        capability = getattr(getattr(ls.client_capabilities, "text_document", None), "code_action", None)
        if getattr(capability, "code_action_literal_support", None) is None:
            # The client takes only Command results (LSP: literals need codeActionLiteralSupport).
            return [types.Command(title=title, command=command, arguments=arguments)
                    for title, _, command, arguments in offered]
        only = params.context.only if params.context else None
        return [types.CodeAction(title=title, kind=kind,
                                 command=types.Command(title=title, command=command, arguments=arguments))
                for title, kind, command, arguments in offered
                if not only or any(kind == k or (k and kind.startswith(k + ".")) for k in only)]

    @server.command(CMD_GENERATE)
    @_safe(lambda: None)
    async def generate_command(ls: CodegenServer, *args):
        uri, line = str(args[0]), int(args[1])
        snap = ls.snapshot(uri)
        lines = split_lines(snap[0]) if snap else []
        if not 0 <= line < len(lines):
            return None
        found = await ls.target_at(uri, types.Position(line, ls.to_units(lines[line], len(lines[line]))))
        if found is None:
            ls.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Warning, message="ansible-codegen: no task name or '&' comment on this line"))
            return None
        target, lines, version = found
        suggestion = await ls.generate(target, uri, version, "code action")
        if not suggestion.tasks:
            ls.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Warning,
                message=f"ansible-codegen: no valid task for {target.label!r}: {'; '.join(suggestion.problems)[:300]}"))
            return {"applied": False, "yaml": ""}
        new_text, start, end = target.edit(suggestion.tasks, lines[target.line])
        edit = types.WorkspaceEdit(changes={uri: [types.TextEdit(
            range=ls.line_range(lines[target.line], target.line, start, end), new_text=new_text)]})
        result = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit, label=target.label))
        return {"applied": bool(result and result.applied), "yaml": suggestion.yaml}

    @server.command(CMD_EXPLAIN)
    @_safe(lambda: None)
    async def explain_command(ls: CodegenServer, *args):
        from codegen.lsp.explain import explain_task

        uri, line = str(args[0]), int(args[1])
        raw = await ls.task_at(uri, line)
        if raw is None:
            ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning,
                                                           message="ansible-codegen: no task here"))
            return None
        catalog = await ls.catalog()
        loop = asyncio.get_running_loop()  # on the checks thread: it may import ansible (after torch)
        text = await loop.run_in_executor(ls.check_pool, explain_task, raw.data, catalog)
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=text))
        return text

    return server


def serve(options: Options) -> None:
    """Run the server on stdin/stdout until the client says exit (or closes the pipe).

    Then leave at once: a generation, a lint run or a runaway parse may still hold a worker thread,
    and the interpreter would wait for it (the editor sees a server that does not exit). Exit code
    0 after shutdown + exit, else 1 (LSP)."""
    import os
    import sys

    server = make_server(options)
    try:
        server.start_io()
    finally:
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(0 if server.protocol._shutdown else 1)
