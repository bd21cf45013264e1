"""Helpers for tests/test_lsp.py: start `ansible-codegen lsp` as a subprocess and drive it with
pytest-lsp's client (a real LSP client over stdio)."""
from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path

from lsprotocol import types
from pytest_lsp import ClientServerConfig

BIN = Path(sys.executable).parent

NGINX_BODY = "  ansible.builtin.package:\n    name: nginx\n    state: present\n"
SLOW_BODY = ("  ansible.builtin.get_url:\n    url: https://example.com/release.tar.gz\n"
             "    dest: /tmp/release.tar.gz\n    mode: \"0644\"\n")
SCRIPT = {
    "tasks": {
        "Install nginx": NGINX_BODY,
        "Start nginx": "  ansible.builtin.service:\n    name: nginx\n    state: started\n",
        "Enable nginx at boot": "  ansible.builtin.service:\n    name: nginx\n    enabled: true\n",
        "Fetch the release archive": {"body": SLOW_BODY, "delay": 0.1},  # ~12 s unless stopped
        "Deploy service": "  ansible.builtin.include_tasks: deploy.yml\n",
        # ~1.3 s, its first line written after ~0.5 s
        "Restart the web service": {"body": "  ansible.builtin.service:\n    name: httpd\n    state: restarted\n",
                                    "delay": 0.02},
    },
}

CAPABILITIES = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(apply_edit=True),
    window=types.WindowClientCapabilities(work_done_progress=False),
    text_document=types.TextDocumentClientCapabilities(
        synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
        inline_completion=types.InlineCompletionClientCapabilities(),
        completion=types.CompletionClientCapabilities(completion_item=types.ClientCompletionItemOptions(
            snippet_support=False, documentation_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText])),
        hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText]),
        code_action=types.CodeActionClientCapabilities(),
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
    ),
)


def write_script(folder: Path, **extra) -> Path:
    path = folder / "script.json"
    path.write_text(json.dumps({**SCRIPT, "log": str(folder / "prompts.jsonl"), **extra}))
    return path


@contextlib.asynccontextmanager
async def lsp_session(*args: str, root: Path | None = None):
    """A started, initialized `ansible-codegen lsp ARGS` and its client; shut down cleanly after."""
    config = ClientServerConfig(server_command=[str(BIN / "ansible-codegen"), "lsp", *args])
    client = await config.start()
    client.applied_edits = []
    client.diagnostic_versions = {}
    features = client.protocol.fm.features
    keep = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def publish(params: types.PublishDiagnosticsParams):
        client.diagnostic_versions[params.uri] = params.version
        return keep(params)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams):
        client.applied_edits.append(params)
        return types.ApplyWorkspaceEditResult(applied=True)

    client.init_result = await client.initialize_session(types.InitializeParams(
        capabilities=CAPABILITIES, root_uri=root.as_uri() if root else None))
    try:
        yield client
    finally:
        await client.shutdown_session()
        await client.stop()


class Doc:
    """An open document: its text, uri and version, kept in step with what the server has."""

    def __init__(self, client, path: Path, text: str):
        self.client, self.path, self.text, self.version = client, path, text, 1
        self.uri = path.as_uri()
        path.write_text(text)
        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri=self.uri, language_id="yaml", version=self.version, text=text)))

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def line_of(self, needle: str) -> int:
        return next(i for i, line in enumerate(self.lines) if needle in line)

    def end_of(self, needle: str) -> types.Position:
        line = self.line_of(needle)
        return types.Position(line, len(self.lines[line]))

    def ident(self) -> types.TextDocumentIdentifier:
        return types.TextDocumentIdentifier(uri=self.uri)

    def replace(self, text: str) -> None:
        """Send a whole-document change (a new version)."""
        self.text, self.version = text, self.version + 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))

    def save(self) -> None:
        self.path.write_text(self.text)
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=self.ident()))

    def close(self) -> None:
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=self.ident()))

    def applied(self, rng: types.Range, new_text: str) -> str:
        """This document's text with one edit applied (ranges as ASCII character offsets)."""
        lines = self.lines
        start = sum(len(l) + 1 for l in lines[:rng.start.line]) + rng.start.character
        end = sum(len(l) + 1 for l in lines[:rng.end.line]) + rng.end.character
        return self.text[:start] + new_text + self.text[end:]


async def inline(client, doc: Doc, position: types.Position):
    return await client.text_document_inline_completion_async(types.InlineCompletionParams(
        context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Invoked),
        text_document=doc.ident(), position=position))


async def inline_with_progress(client, doc: Doc, position: types.Position, token: str):
    """An inline completion asked with a work-done token; (result, [(kind, message, answered yet)])
    for each progress notification, in order of arrival."""
    client.progress_reports[token] = []
    request = asyncio.ensure_future(client.text_document_inline_completion_async(types.InlineCompletionParams(
        context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Invoked),
        text_document=doc.ident(), position=position, work_done_token=token)))
    seen = []
    while not request.done():
        for value in client.progress_reports[token][len(seen):]:
            seen.append((value.kind, getattr(value, "message", None), request.done()))
        await asyncio.sleep(0.01)
    result = await request
    seen += [(v.kind, getattr(v, "message", None), True) for v in client.progress_reports[token][len(seen):]]
    return result, seen


async def wait_for(predicate, timeout: float = 30.0, step: float = 0.05):
    """Poll until predicate() is truthy; return its value (or fail after timeout seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")
        await asyncio.sleep(step)


async def diagnostics_for(client, doc: Doc, version: int | None = None, timeout: float = 60.0):
    """The diagnostics the server published for a document (for a given version, when given)."""
    def published():
        found = client.diagnostics.get(doc.uri)
        if found is None:
            return None
        if version is not None and client.diagnostic_versions.get(doc.uri) != version:
            return None
        return [list(found)]
    return (await wait_for(published, timeout))[0]


def log_messages(client, needle: str) -> list[str]:
    return [m.message for m in client.log_messages if needle in m.message]


class RawLsp:
    """`ansible-codegen lsp` over stdio, spoken to byte by byte (JSON-RPC framing by hand), for what a
    well-behaved client library will not send: bad params, requests after shutdown, garbage."""

    def __init__(self, *args: str):
        import subprocess
        import threading

        self.proc = subprocess.Popen([str(BIN / "ansible-codegen"), "lsp", *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: list[dict] = []
        self.stderr = b""
        self._lock = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
                if line in (b"\r\n", b"\n"):
                    break
            message = json.loads(out.read(length))
            with self._lock:
                self.messages.append(message)
                self._lock.notify_all()

    def _read_stderr(self) -> None:
        for line in self.proc.stderr:
            self.stderr += line

    def send_bytes(self, body: bytes) -> None:
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def send(self, message: dict) -> None:
        self.send_bytes(json.dumps({"jsonrpc": "2.0", **message}).encode())

    def response(self, msg_id, timeout: float = 30.0) -> dict:
        """The response to request `msg_id` (AssertionError if none comes within `timeout` s)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for message in self.messages:
                    if message.get("id") == msg_id and "method" not in message:
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no response to request {msg_id!r} in {timeout} s")
                self._lock.wait(left)

    def notifications(self, method: str) -> list[dict]:
        with self._lock:
            return [m for m in self.messages if m.get("method") == method and "id" not in m]

    def initialize(self, root: Path) -> None:
        self.send({"id": "init", "method": "initialize", "params": {
            "processId": None, "rootUri": root.as_uri(), "capabilities": {}}})
        self.response("init", timeout=60)
        self.send({"method": "initialized", "params": {}})

    def close(self) -> int:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            return self.proc.wait(timeout=30)
        except Exception:  # noqa: BLE001 - stuck: kill it
            self.proc.kill()
            return self.proc.wait(timeout=30)
