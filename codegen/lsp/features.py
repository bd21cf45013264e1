"""The language server's features: the LSP methods it answers (documents opening, changing and
closing; inline completion, completion, hover, code actions, commands) and how it is run.
codegen/lsp/server.py holds the server they run on (its threads, documents and suggester)."""
from __future__ import annotations

import asyncio
import functools
import logging

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from codegen.lsp.document import split_lines
from codegen.lsp.server import CMD_EXPLAIN, CMD_GENERATE, SOURCE, CodegenServer, Options, log


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
        found = await ls.suggestion_edit(params.text_document.uri, params.position, "inline completion",
                                         params.work_done_token)
        if found is None:
            return types.InlineCompletionList(items=[])
        new_text, rng, suggestion, _ = found
        return types.InlineCompletionList(items=[types.InlineCompletionItem(insert_text=new_text, range=rng)])

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(resolve_provider=False))
    @_safe(lambda: types.CompletionList(is_incomplete=False, items=[]))
    async def completion(ls: CodegenServer, params: types.CompletionParams):
        found = await ls.suggestion_edit(params.text_document.uri, params.position, "completion",
                                         params.work_done_token)
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
