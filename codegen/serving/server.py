# Over 400 lines by choice: one stdlib HTTP server whose Handler methods share one request state; request parsing is its first third.
"""A minimal, real OpenAI-compatible server for the local model (standard library only).

    GET  /v1/models        the one served model
    POST /v1/completions   prompt continuation: prompt (string or list of strings), max_tokens,
                           stop, stream (+ stream_options.include_usage); greedy decoding
                           (temperature, top_p, seed are accepted and ignored)
    GET  /health           200 once the model is loaded

Errors are OpenAI-shaped JSON, `{"error": {"message", "type", "param", "code"}}`, with 400 for a
bad request (not JSON, nested deeper than Python parses, a lone surrogate, a bad field, a prompt
over its cap), 401 for a missing/wrong key (with --api-key), 404 for an unknown model or path,
411/413 for a missing/oversized Content-Length, 415 for a POST whose Content-Type is not
application/json (a web page can only send "simple" cross-origin requests: text/plain, forms;
requiring JSON makes the browser ask first, which this server never allows).
Caps (each error names its cap): body MAX_BODY bytes, MAX_PROMPTS prompts of MAX_PROMPT_CHARS
characters in all (checked before tokenizing), --max-prompt-tokens tokens per prompt and the
model's context; a connection idle for TIMEOUT seconds is closed.
One generation runs at a time (a CPU model gains nothing from two); others wait their turn,
and a request whose client has gone away (timeout, Ctrl-C) stops generating, also in the middle
of a long prompt's prefill (run in chunks; `codegen.model.generate.PREFILL_CHUNK`). A client that
leaves mid-answer is not an error: nothing is logged for it.

Decoding is the model's own loop (`Generator.steps`: kept-vocabulary head, KV cache, prompt
lookup, prefix cache): the same tokens the local backend produces, but with OpenAI semantics: it stops at EOS, a stop string or max_tokens, and
does *not* cut at the end of a task by itself; clients send stop sequences for that.
"""
from __future__ import annotations

import hmac
import json
import select
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator

MAX_BODY = 1 << 20  # bytes
DRAIN_LIMIT = 16 << 20  # bytes of a refused body read (and dropped) so that the client gets the answer
MAX_STOPS = 16
MAX_PROMPTS = 16  # prompts in one request (each is a whole generation)
MAX_PROMPT_CHARS = 65_536  # all the prompts of a request together, before tokenizing
# per prompt: its prefill holds the one generation slot (2048 tokens of the embedded model: 80 s on a
# 2-core machine loaded 6x over; a 4096-token prompt took 179 s there). Longer prompts, when an
# operator allows them, are prefilled in PREFILL_CHUNK pieces that stop when the client leaves.
DEFAULT_MAX_PROMPT_TOKENS = 2048
TIMEOUT = 60  # seconds a connection may stall (reading the request, or a client not reading the answer)
DEFAULT_MAX_TOKENS = 16  # OpenAI's default for /v1/completions


class RequestError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None,
                 kind: str = "invalid_request_error"):
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.kind = status, message, param, code, kind

    def payload(self) -> dict:
        return {"error": {"message": self.message, "type": self.kind, "param": self.param, "code": self.code}}


class Engine:
    """Greedy, streamed decoding with OpenAI stop semantics on top of a loaded `Generator`."""

    def __init__(self, generator, max_tokens_limit: int = 1024, max_prompt_tokens: int = DEFAULT_MAX_PROMPT_TOKENS):
        self.generator = generator
        self.max_tokens_limit = max_tokens_limit
        self.max_prompt_tokens = max_prompt_tokens
        config = getattr(getattr(generator.decoder, "config", None), "max_position_embeddings", None)
        self.context_limit = int(config) if config else None
        self.lock = threading.Lock()

    def prompt_ids(self, prompt: str) -> list[int]:
        ids = self.generator.encode(prompt)
        if len(ids) > self.max_prompt_tokens:
            raise RequestError(400, f"the prompt has {len(ids)} tokens; this server's cap is {self.max_prompt_tokens} "
                               "(serve --max-prompt-tokens)", param="prompt", code="context_length_exceeded")
        if self.context_limit and len(ids) >= self.context_limit:
            raise RequestError(400, f"the prompt has {len(ids)} tokens; this model's context is {self.context_limit}",
                               param="prompt", code="context_length_exceeded")
        return ids

    def stream(self, ids: list[int], max_tokens: int, stop: list[str],
               gone: Callable[[], bool] = lambda: False) -> Iterator[tuple[str, dict | None]]:
        """Yield (text delta, None) while decoding, then ("", summary) once at the end.

        summary: finish_reason ("stop" | "length" | "cancelled"), stop_reason (the stop string
        that matched, else None), completion_tokens, first_token_seconds.
        """
        from codegen.model.generate import Decoding

        g = self.generator
        if self.context_limit:
            max_tokens = min(max_tokens, self.context_limit - len(ids))
        longest = max((len(s) for s in stop), default=0)
        run = Decoding(prompt_tokens=len(ids))
        text, sent = "", 0
        finish, stop_reason = "length", None
        # the generator's own loop: greedy, no constraint; `gone` also stops a long prompt's prefill
        steps = g.steps(ids, max_tokens, run=run, cancelled=gone)
        try:
            for _, text in steps:
                hit = _first_stop(text, stop, max(0, sent - longest))
                if hit is not None:
                    text, stop_reason, finish = text[:hit[0]], hit[1], "stop"
                    break
                safe = _safe_end(text, stop)
                if safe > sent:
                    yield text[sent:safe], None
                    sent = safe
                if gone():
                    finish = "cancelled"
                    break
            else:
                if run.stopped == "eos":
                    finish = "stop"
                elif run.stopped == "cancelled":  # during the prefill
                    finish = "cancelled"
        finally:
            steps.close()
        if len(text) > sent:
            yield text[sent:], None
        yield "", {"finish_reason": finish, "stop_reason": stop_reason, "completion_tokens": len(run.pieces),
                   "first_token_seconds": run.first_token_seconds}


def _first_stop(text: str, stop: list[str], start: int) -> tuple[int, str] | None:
    found = None
    for s in stop:
        at = text.find(s, start)
        if at >= 0 and (found is None or at < found[0]):
            found = (at, s)
    return found


def _safe_end(text: str, stop: list[str]) -> int:
    """How much of `text` can be sent: hold back a tail that may grow into a stop string, and
    an unfinished UTF-8 character (decoded as U+FFFD until its last byte arrives)."""
    end = len(text)
    while end and text[end - 1] == "\ufffd":
        end -= 1
    hold = 0
    for s in stop:
        for k in range(min(len(s) - 1, end), 0, -1):
            if text.endswith(s[:k], 0, end):
                hold = max(hold, k)
                break
    return end - hold


def _int_field(body: dict, name: str, default, low: int, high: int | None = None):
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestError(400, f"{name} must be an integer", param=name)
    if value < low or (high is not None and value > high):
        limit = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise RequestError(400, f"{name} must be {limit}, not {value}", param=name)
    return value


def parse_completion_request(body, served: set[str], max_tokens_limit: int) -> dict:
    """Check a /v1/completions body; return the normalised request or raise RequestError."""
    if not isinstance(body, dict):
        raise RequestError(400, "the request body must be a JSON object")
    model = body.get("model")
    if model is not None and not isinstance(model, str):
        raise RequestError(400, "model must be a string", param="model")
    if model is not None and model not in served:
        shown = model if model.isprintable() and len(model) <= 100 else ascii(model[:100])  # one plain line
        raise RequestError(404, f"The model `{shown}` does not exist. Served: {', '.join(sorted(served))}",
                           param="model", code="model_not_found")
    prompt = body.get("prompt")
    if isinstance(prompt, str):
        prompts = [prompt]
    elif isinstance(prompt, list) and prompt and all(isinstance(p, str) for p in prompt):
        prompts = list(prompt)
    elif isinstance(prompt, list) and prompt and all(isinstance(p, int) or isinstance(p, list) for p in prompt):
        raise RequestError(400, "token-id prompts are not supported: send text", param="prompt")
    else:
        raise RequestError(400, "prompt must be a string or a non-empty list of strings", param="prompt")
    if len(prompts) > MAX_PROMPTS:
        raise RequestError(400, f"{len(prompts)} prompts in one request; the cap is {MAX_PROMPTS}", param="prompt")
    chars = sum(len(p) for p in prompts)
    if chars > MAX_PROMPT_CHARS:
        raise RequestError(400, f"the prompt has {chars} characters; the cap is {MAX_PROMPT_CHARS}",
                           param="prompt", code="context_length_exceeded")
    max_tokens = _int_field(body, "max_tokens", DEFAULT_MAX_TOKENS, 1, max_tokens_limit)
    stop = body.get("stop")
    if stop is None:
        stop = []
    elif isinstance(stop, str):
        stop = [stop]
    if not isinstance(stop, list) or not all(isinstance(s, str) and s for s in stop) or len(stop) > MAX_STOPS:
        raise RequestError(400, f"stop must be a non-empty string or a list of at most {MAX_STOPS} of them",
                           param="stop")
    for name in ("n", "best_of"):
        if _int_field(body, name, 1, 1) != 1:
            raise RequestError(400, f"{name} > 1 is not supported (decoding is greedy)", param=name)
    if body.get("echo"):
        raise RequestError(400, "echo is not supported", param="echo")
    if body.get("logprobs") is not None:
        raise RequestError(400, "logprobs are not supported", param="logprobs")
    if body.get("suffix"):
        raise RequestError(400, "suffix (insertion) is not supported", param="suffix")
    temperature = body.get("temperature")
    if temperature is not None and (isinstance(temperature, bool) or not isinstance(temperature, (int, float))):
        raise RequestError(400, "temperature must be a number", param="temperature")
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise RequestError(400, "stream must be true or false", param="stream")
    options = body.get("stream_options") or {}
    if not isinstance(options, dict):
        raise RequestError(400, "stream_options must be an object", param="stream_options")
    return {"prompts": prompts, "max_tokens": max_tokens, "stop": stop, "stream": stream,
            "include_usage": bool(options.get("include_usage"))}


def parse_json_body(raw: bytes):
    """A request body -> its JSON value; RequestError(400) for anything that is not JSON we can use."""
    try:
        body = json.loads(raw.decode("utf-8"))
        # a lone surrogate ("\\ud800") is valid JSON but not text: the tokenizer would fail on it later
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestError(400, f"the request body is not UTF-8: {exc.reason} at byte {exc.start}") from None
    except UnicodeEncodeError as exc:
        raise RequestError(400, f"the request body holds a lone surrogate ({exc.object[exc.start:exc.end]!a}): "
                           "not valid Unicode text") from None
    except RecursionError:
        raise RequestError(400, "the request body is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, and an integer of more digits than Python converts
        raise RequestError(400, f"the request body is not valid JSON: {exc}") from None
    return body


class Handler(BaseHTTPRequestHandler):
    server_version = "ansible-codegen"
    protocol_version = "HTTP/1.0"  # one response per connection: streams end when it closes
    timeout = TIMEOUT  # a stalled client (slow headers, an unsent body, an unread answer) frees its thread
    server: "CompletionServer"

    # -- plumbing ----------------------------------------------------------------------------
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if not self.server.quiet:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    def _send_json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, exc: RequestError) -> None:
        self._send_json(exc.status, exc.payload())

    def _client_gone(self) -> bool:
        """True when the client closed its side (it timed out or was interrupted)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _authorised(self) -> bool:
        key = self.server.api_key
        if not key:
            return True
        given = self.headers.get("Authorization", "")
        return given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), key.encode())

    def _dispatch(self, method: str) -> None:
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        routes = {("GET", "/v1/models"): self._models, ("GET", "/health"): self._health,
                  ("POST", "/v1/completions"): self._completions}
        try:
            if path == "/v1/chat/completions":
                raise RequestError(404, "only /v1/completions (raw prompt continuation) is served here",
                                   code="not_found")
            handler = routes.get((method, path))
            if handler is None:
                if any(p == path for _, p in routes):
                    raise RequestError(405, f"{method} is not allowed on {path}", code="method_not_allowed")
                raise RequestError(404, f"no such endpoint: {path}", code="not_found")
            if path != "/health" and not self._authorised():
                raise RequestError(401, "missing or wrong API key (Authorization: Bearer ...)",
                                   code="invalid_api_key", kind="authentication_error")
            handler()
        except RequestError as exc:
            self._error(exc)
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client left, or stalled past TIMEOUT: nothing to answer
        except Exception as exc:  # a bug must still answer in JSON, and keep the server up
            self.server.log(f"internal error on {method} {path}: {exc.__class__.__name__}: {exc}")
            try:
                self._error(RequestError(500, f"internal error: {exc.__class__.__name__}", kind="server_error"))
            except OSError:
                pass

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self):  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self):  # noqa: N802
        self._dispatch("DELETE")

    def do_PATCH(self):  # noqa: N802
        self._dispatch("PATCH")

    def do_OPTIONS(self):  # noqa: N802 - a CORS preflight: refused (no Access-Control-* headers)
        self._dispatch("OPTIONS")

    def do_HEAD(self):  # noqa: N802
        self._dispatch("HEAD")

    # -- endpoints ---------------------------------------------------------------------------
    def _health(self) -> None:
        self._send_json(200, {"status": "ok"})

    def _models(self) -> None:
        self._send_json(200, {"object": "list", "data": [
            {"id": self.server.model_name, "object": "model", "created": self.server.started,
             "owned_by": "ansible-codegen", "root": self.server.info.get("base"),
             "adapter": self.server.info.get("adapter")}]})

    def _discard(self, size: int) -> None:
        """Read and drop a refused body (up to DRAIN_LIMIT bytes): closing with unread bytes sends a
        reset, which can destroy the error answer before the client has read it."""
        left = min(size, DRAIN_LIMIT)
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 16))
            if not chunk:
                break
            left -= len(chunk)

    def _read_body(self):
        length = self.headers.get("Content-Length")
        if length is None:
            raise RequestError(411, "Content-Length is required")
        try:
            size = int(length)
        except ValueError:
            raise RequestError(400, "bad Content-Length") from None
        # get_content_type() says text/plain when the header is missing: refused too (a browser's
        # no-cors fetch of a Blob sends none)
        kind = self.headers.get_content_type()
        if kind != "application/json":
            self._discard(size)
            raise RequestError(415, f"Content-Type must be application/json, not {kind}",
                               code="unsupported_media_type")
        if size < 0 or size > MAX_BODY:
            self._discard(size)
            raise RequestError(413, f"the request body has {size} bytes; the cap is {MAX_BODY}")
        return parse_json_body(self.rfile.read(size))

    def _completions(self) -> None:
        server = self.server
        request = parse_completion_request(self._read_body(), {server.model_name, *server.aliases},
                                           server.engine.max_tokens_limit)
        meta = {"id": f"cmpl-{uuid.uuid4().hex}", "object": "text_completion", "created": int(time.time()),
                "model": server.model_name}
        if not self._wait_turn():
            return
        try:  # the tokenizer too is used by one request at a time (fast tokenizers dislike sharing)
            ids = [server.engine.prompt_ids(p) for p in request["prompts"]]
            if request["stream"]:
                self._stream(meta, ids, request)
            else:
                self._whole(meta, ids, request)
        finally:
            server.engine.lock.release()

    def _wait_turn(self) -> bool:
        while not self.server.engine.lock.acquire(timeout=0.25):
            if self._client_gone():
                return False
        return True

    def _whole(self, meta: dict, ids: list[list[int]], request: dict) -> None:
        choices, completion = [], 0
        for index, prompt_ids in enumerate(ids):
            text, summary = "", None
            for delta, summary in self.server.engine.stream(prompt_ids, request["max_tokens"], request["stop"],
                                                            gone=self._client_gone):
                text += delta
            if summary["finish_reason"] == "cancelled":
                return  # nobody is listening
            completion += summary["completion_tokens"]
            choices.append({"index": index, "text": text, "logprobs": None,
                            "finish_reason": summary["finish_reason"], "stop_reason": summary["stop_reason"]})
        prompt = sum(len(i) for i in ids)
        self._send_json(200, {**meta, "choices": choices, "usage": {
            "prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}})

    def _event(self, payload) -> None:
        data = payload if isinstance(payload, str) else json.dumps(payload)
        self.wfile.write(f"data: {data}\n\n".encode())
        self.wfile.flush()

    def _stream(self, meta: dict, ids: list[list[int]], request: dict) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        try:
            self._stream_events(meta, ids, request)
        except (ConnectionError, TimeoutError):
            raise
        except Exception as exc:  # headers are sent: report in the stream, as vLLM does
            self.server.log(f"internal error while streaming: {exc.__class__.__name__}: {exc}")
            self._event({"error": {"message": f"internal error: {exc.__class__.__name__}", "type": "server_error",
                                   "param": None, "code": None}})

    def _stream_events(self, meta: dict, ids: list[list[int]], request: dict) -> None:
        completion = 0
        for index, prompt_ids in enumerate(ids):
            for delta, summary in self.server.engine.stream(prompt_ids, request["max_tokens"], request["stop"],
                                                            gone=self._client_gone):
                if summary is None:
                    self._event({**meta, "choices": [{"index": index, "text": delta, "logprobs": None,
                                                      "finish_reason": None}]})
                    continue
                if summary["finish_reason"] == "cancelled":
                    return
                completion += summary["completion_tokens"]
                self._event({**meta, "choices": [{"index": index, "text": "", "logprobs": None,
                                                  "finish_reason": summary["finish_reason"],
                                                  "stop_reason": summary["stop_reason"]}]})
        if request["include_usage"]:
            prompt = sum(len(i) for i in ids)
            self._event({**meta, "choices": [], "usage": {
                "prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}})
        self._event("[DONE]")


class CompletionServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], engine: Engine | None, model_name: str, info: dict | None = None,
                 api_key: str | None = None, aliases: tuple[str, ...] = (), quiet: bool = False):
        self.engine, self.model_name, self.info = engine, model_name, info or {}
        self.api_key, self.aliases, self.quiet = api_key, set(aliases), quiet
        self.started = int(time.time())
        super().__init__(address, Handler)

    def log(self, message: str) -> None:
        sys.stderr.write(f"ansible-codegen serve: {message}\n")
        sys.stderr.flush()

    def handle_error(self, request, client_address) -> None:
        """socketserver prints a traceback for any error outside the handler's own try: a client
        that left or stalled is routine (nothing to say), anything else is one line."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        self.log(f"error on a connection from {client_address[0]}: {exc.__class__.__name__}: {exc}")

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/v1"
